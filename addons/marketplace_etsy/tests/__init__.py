from . import test_etsy_channel
