"""Errors of the Etsy client, one class per way a caller must react.

They are plain exceptions (no Odoo, no queue_job): ``marketplace_etsy``'s connector is the
single place that turns them into the suite's job errors.
"""


class EtsyError(Exception):
    """Base class: ``status`` (HTTP, 0 when no answer), OAuth ``code`` and ``details``.

    Etsy's error body is ``{"error": "..."}``; OAuth-style answers (token endpoint, refused
    Bearer token) put a code there (``invalid_grant``) and add ``error_description``,
    which becomes ``details``.
    """

    def __init__(self, message, *, status=0, code="", details=""):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.details = details

    def __str__(self):
        text = self.message
        if self.details:
            text = f"{text} ({self.details})"
        if self.code and self.code != self.message:
            text = f"{self.code}: {text}"
        if self.status:
            text = f"[{self.status}] {text}"
        return text


class EtsyAuthError(EtsyError):
    """Credentials refused (401/403): API key, revoked or expired refresh token, scopes.

    ``retryable`` is True when only the access token was refused (expired or unknown): a
    fresh one, from a refresh grant, may work.
    """

    def __init__(self, message, *, retryable=False, **kwargs):
        super().__init__(message, **kwargs)
        self.retryable = retryable


class EtsyThrottled(EtsyError):
    """HTTP 429: wait ``retry_after`` seconds (None when Etsy gave no ``retry-after``)."""

    def __init__(self, message, *, retry_after=None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class EtsyRequestError(EtsyError):
    """Etsy refused the request itself (4xx): sending it again will not help."""


class EtsyNotFound(EtsyRequestError):
    """HTTP 404: unknown shop, listing or receipt."""


class EtsyTransientError(EtsyError):
    """No usable answer (5xx, timeout, connection error, unreadable body): try later."""
