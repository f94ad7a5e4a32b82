from . import marketplace_channel
from . import marketplace_etsy_token
