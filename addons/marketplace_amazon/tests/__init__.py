from . import test_amazon_channel
