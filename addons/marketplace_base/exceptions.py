"""Errors raised by connectors and understood by the job layer.

Retryable errors subclass queue_job's ``RetryableJobError`` so that a job
hitting them is postponed instead of failed, as OCA connector's
``NetworkRetryableError`` does.
"""

import contextlib

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


@contextlib.contextmanager
def translate_client_errors(throttled, auth, transient, request):
    """Turn a marketplace client's errors into the classes above: the one place a
    connector does it (``with translate_client_errors(*ERRORS): client.call()``).

    :param throttled: the client's 429 class (its ``retry_after``: seconds or None)
    :param auth: its credentials class (``retryable`` True: only the access token
        expired, the next try logs in again)
    :param transient: its class for 5xx, timeouts and unreadable answers
    :param request: its class for the requests the marketplace refused (4xx)
    """
    try:
        yield
    except throttled as exc:
        raise MarketplaceRateLimited(str(exc), seconds=exc.retry_after) from exc
    except auth as exc:
        if getattr(exc, "retryable", False):
            raise MarketplaceRetryableError(str(exc)) from exc
        raise MarketplaceAuthError(str(exc)) from exc
    except transient as exc:
        raise MarketplaceRetryableError(str(exc)) from exc
    except request as exc:
        raise MarketplaceRequestError(str(exc)) from exc
