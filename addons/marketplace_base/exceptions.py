"""Errors raised by connectors and understood by the job layer.

Retryable errors subclass queue_job's ``RetryableJobError`` so that a job
hitting them is postponed instead of failed, as OCA connector's
``NetworkRetryableError`` does.
"""

from odoo.addons.queue_job.exception import RetryableJobError


class MarketplaceError(Exception):
    """Base class of the errors a connector raises on purpose."""


class MarketplaceRetryableError(RetryableJobError):
    """A transient failure (network, 5xx): the job is retried later."""


class MarketplaceRateLimited(MarketplaceRetryableError):
    """The marketplace throttled us: wait ``seconds`` without spending a retry."""

    def __init__(self, msg, seconds=None):
        super().__init__(msg, seconds=seconds, ignore_retry=True)


class MarketplaceAuthError(MarketplaceError):
    """Credentials are missing, wrong, expired or revoked."""


class MarketplaceRequestError(MarketplaceError):
    """The marketplace refused the request (4xx): retrying will not help."""
