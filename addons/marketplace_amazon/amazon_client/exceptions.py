"""Errors of the Amazon client, one class per way a caller must react.

They are plain exceptions (no Odoo, no queue_job): ``marketplace_amazon``'s
``connector.py`` is the single place that turns them into the suite's job
errors.
"""


class AmazonError(Exception):
    """Base class: ``status`` (HTTP, 0 when no answer), Amazon's ``code`` and ``details``."""

    def __init__(self, message, *, status=0, code="", details="", request_id=""):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.details = details
        self.request_id = request_id

    def __str__(self):
        text = self.message
        if self.details:
            text = f"{text} ({self.details})"
        if self.code:
            text = f"{self.code}: {text}"
        if self.status:
            text = f"[{self.status}] {text}"
        return text


class AmazonAuthError(AmazonError):
    """Credentials refused: bad client, revoked refresh token, expired or rejected token.

    ``retryable`` is True when only the access token had expired: the client
    has already dropped it from the token cache, so the next call logs in again.
    """

    def __init__(self, message, *, retryable=False, **kwargs):
        super().__init__(message, **kwargs)
        self.retryable = retryable


class AmazonThrottled(AmazonError):
    """HTTP 429: wait ``retry_after`` seconds (None when Amazon gave no hint)."""

    def __init__(self, message, *, retry_after=None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class AmazonRequestError(AmazonError):
    """Amazon refused the request itself (4xx): sending it again will not help."""


class AmazonNotFound(AmazonRequestError):
    """HTTP 404: unknown order, SKU, feed or document."""


class AmazonTransientError(AmazonError):
    """No usable answer (5xx, timeout, connection error, truncated body): try later."""
