from . import test_ebay_channel
