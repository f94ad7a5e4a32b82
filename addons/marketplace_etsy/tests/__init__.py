from . import test_etsy_channel
from . import test_etsy_flows
