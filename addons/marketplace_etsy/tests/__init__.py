from . import test_etsy_channel
from . import test_etsy_flows
from . import test_etsy_token
