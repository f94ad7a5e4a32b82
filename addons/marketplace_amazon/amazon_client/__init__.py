"""Amazon Selling Partner API client, free of Odoo (tested with plain pytest).

``client`` wraps python-amazon-sp-api; ``mapping`` turns Amazon payloads into
plain values; ``exceptions`` are the errors callers react to. Only relative
imports: the package runs as ``amazon_client`` (pytest) and as
``odoo.addons.marketplace_amazon.amazon_client`` (Odoo).
"""

from .client import AmazonClient, OrdersPage, clear_token_cache
from .exceptions import (
    AmazonAuthError,
    AmazonError,
    AmazonNotFound,
    AmazonRequestError,
    AmazonThrottled,
    AmazonTransientError,
)
