"""Etsy Open API v3 client, free of Odoo (tested with plain pytest).

``client`` talks to Etsy over ``requests``; ``mapping`` turns Etsy payloads into plain
values and builds the inventory body; ``exceptions`` are the errors callers react to. Only
relative imports: the package runs as ``etsy_client`` (pytest) and as
``odoo.addons.marketplace_etsy.etsy_client`` (Odoo).
"""

from . import mapping
from .client import API_URL, TOKEN_URL, EtsyClient, parse_limits, refresh_access_token
from .exceptions import (
    EtsyAuthError,
    EtsyError,
    EtsyNotFound,
    EtsyRequestError,
    EtsyThrottled,
    EtsyTransientError,
)
