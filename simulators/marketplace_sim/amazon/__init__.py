"""Amazon Selling Partner API simulator.

Default credentials (see lwa.py): client id ``DEFAULT_CLIENT_ID``, secret
``DEFAULT_CLIENT_SECRET``, refresh token ``DEFAULT_REFRESH_TOKEN`` for seller
``DEFAULT_SELLER_ID``. Hosts to mount: ``BASE_URL`` (SP-API) and ``LWA_URL`` (tokens).
"""

from .lwa import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_REFRESH_TOKEN,
    DEFAULT_SELLER_ID,
    TOKEN_TTL,
)
from .marketplaces import DE, MARKETPLACES, UK, US
from .simulator import BASE_URL, LWA_URL, AmazonSimulator, published_rate_limits
