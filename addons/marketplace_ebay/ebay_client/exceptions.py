"""Errors of the eBay client, one class per way a caller must react.

They are plain exceptions (no Odoo, no queue_job): ``marketplace_ebay``'s
``connector.py`` is the single place that turns them into the suite's job
errors.

eBay's Sell APIs answer ``{"errors": [{errorId, domain, category, message,
longMessage, parameters[{name, value}]}]}``; the OAuth token endpoint answers
``{"error", "error_description"}`` instead (``code`` holds its ``error``).
"""


class EbayError(Exception):
    """Base class: ``status`` (HTTP, 0 when no answer), eBay's ``error_id`` and ``details``.

    ``errors`` keeps every error dict eBay sent, ``code`` the OAuth ``error``
    (``invalid_grant``...) and ``request_id`` eBay's ``X-EBAY-C-REQUEST-ID``.
    """

    def __init__(
        self, message, *, status=0, error_id=0, details="", code="", errors=(), request_id=""
    ):
        super().__init__(message)
        self.message = message
        self.status = status
        self.error_id = error_id
        self.details = details
        self.code = code
        self.errors = tuple(errors)
        self.request_id = request_id

    def __str__(self):
        text = self.message
        if self.details:
            text = f"{text} ({self.details})"
        if self.error_id:
            text = f"{self.error_id}: {text}"
        elif self.code:
            text = f"{self.code}: {text}"
        if self.status:
            text = f"[{self.status}] {text}"
        return text


class EbayAuthError(EbayError):
    """Credentials refused: bad client, revoked refresh token, missing scope, refused token.

    ``retryable`` is True when only the access token was refused (401 / 1001):
    the client has already dropped it from the token cache, so the next call
    logs in again. A refused refresh token (``invalid_grant``), a wrong client
    secret or a token without the scope (403 / 1100) are not retryable.
    """

    def __init__(self, message, *, retryable=False, **kwargs):
        super().__init__(message, **kwargs)
        self.retryable = retryable


class EbayThrottled(EbayError):
    """HTTP 429 / errorId 2001 (call quota): wait ``retry_after`` seconds (None: eBay gave no hint).

    eBay's quotas are daily: without ``Retry-After`` the caller picks its own delay.
    """

    def __init__(self, message, *, retry_after=None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class EbayRequestError(EbayError):
    """eBay refused the request itself (4xx): sending it again will not help."""


class EbayNotFound(EbayRequestError):
    """HTTP 404 / errorId 25710: unknown SKU, offer or resource."""


class EbayTransientError(EbayError):
    """No usable answer (5xx, timeout, connection error, unreadable body): try later."""
