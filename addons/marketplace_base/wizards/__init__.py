from . import marketplace_channel_setup_wizard
from . import marketplace_listing_link_wizard
