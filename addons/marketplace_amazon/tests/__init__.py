from . import test_amazon_channel
from . import test_amazon_flows
