from . import test_ebay_channel
from . import test_ebay_flows
