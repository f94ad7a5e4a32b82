from . import marketplace_channel
from . import marketplace_listing
