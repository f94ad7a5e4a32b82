"""eBay Sell REST API client, free of Odoo (tested with plain pytest).

``client`` talks to eBay over ``requests``; ``mapping`` builds request items
and turns eBay payloads into plain values; ``exceptions`` are the errors
callers react to. Only relative imports: the package runs as ``ebay_client``
(pytest) and as ``odoo.addons.marketplace_ebay.ebay_client`` (Odoo).
"""

from . import mapping
from .client import (
    DEFAULT_SCOPES,
    MAX_BULK_REQUESTS,
    EbayClient,
    clear_token_cache,
)
from .exceptions import (
    EbayAuthError,
    EbayError,
    EbayNotFound,
    EbayRequestError,
    EbayThrottled,
    EbayTransientError,
)
