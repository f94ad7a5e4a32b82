"""The contract every marketplace connector implements.

A connector is a plain object built by ``marketplace.channel._get_connector()``
with the channel's settings. It talks to the marketplace and translates between
the marketplace's payloads and the dataclasses of :mod:`records`; it never
writes to the database, commits or enqueues jobs: the models do.

Errors: a connector raises the classes of the addon's ``exceptions`` module
(retryable, rate limited, auth, request); it is the single place where its HTTP
client's exceptions are translated.
"""

import abc
import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime

from .records import (
    ConnectionStatus,
    Fee,
    ListingPayload,
    Order,
    OrderPage,
    PriceUpdate,
    PushResult,
    RateObservation,
    RemoteListing,
    Shipment,
    StockUpdate,
)


class MarketplaceConnector(abc.ABC):
    """Base class of the connectors; one subclass per ``channel_type``."""

    #: Largest number of SKUs the marketplace accepts in one stock/price call.
    batch_size = 100

    #: ``{group: (tokens per second, burst, daily quota or 0)}``, the marketplace's
    #: published limits; Odoo keeps one shared bucket per account and group.
    rate_limits = {}

    #: Push jobs of one channel that may run at once. Above 1 when each call waits
    #: on the network long enough that one job alone cannot reach the allowed rate
    #: (one call per listing); the shared buckets keep them together under it.
    push_concurrency = 1

    def __init__(self, settings: dict, logger=None, client=None):
        """:param settings: the channel's values from ``_get_connector_settings``
        (credentials included: never log this dict)
        :param client: the marketplace's HTTP client to use (tests), else built on first use
        """
        self.settings = settings
        self.logger = logger
        self._client = client

    @property
    def client(self):
        """The marketplace's HTTP client, built on first use by ``_build_client()``."""
        if self._client is None:
            self._client = self._build_client()
        return self._client

    def _build_client(self):
        """Return the HTTP client of the marketplace, from ``self.settings``."""
        raise NotImplementedError

    def __repr__(self):
        # The settings hold secrets: keep them out of tracebacks and logs.
        return f"<{type(self).__name__}>"

    def rate_account(self) -> str:
        """The account the marketplace counts calls against (shared by channels).

        Must not contain a secret: it is stored and shown. Empty: no rate limiting.
        """
        return ""

    @staticmethod
    def _app_account(prefix: str, app_key: str | None) -> str:
        """``<prefix>:app-<digest>``: an application's account key without its secret."""
        if not app_key:
            return ""
        return f"{prefix}:app-{hashlib.sha256(app_key.encode()).hexdigest()[:12]}"

    def rate_cost(self, operation: str, count: int = 1) -> dict[str, int]:
        """Tokens per operation group that ``operation`` spends for ``count`` items.

        ``operation`` is a method name of this class (``push_stock``...).
        """
        return {}

    def observed_limits(self) -> RateObservation | None:
        """What the marketplace said of the limits on its last answer (Amazon's
        ``x-amzn-RateLimit-Limit``, Etsy's ``x-remaining-*``), to correct the shared
        bucket; None when it said nothing."""
        return None

    def supports(self, method: str) -> bool:
        """Whether this connector implements ``method`` (a flow the base may run)."""
        return getattr(type(self), method, None) is not getattr(MarketplaceConnector, method)

    # Required: every connector tests its connection and publishes stock and
    # prices. The flows below are optional: ``supports()`` tells which exist and
    # the base skips (crons) or refuses clearly (buttons) the others.

    @abc.abstractmethod
    def test_connection(self) -> ConnectionStatus:
        """Make a cheap authenticated call."""

    def fetch_listings(self) -> Iterable[RemoteListing]:
        """Yield every listing of the account (used to import and match)."""
        raise NotImplementedError

    def push_listings(self, listings: Sequence[ListingPayload]) -> list[PushResult]:
        """Create or update listings."""
        raise NotImplementedError

    @abc.abstractmethod
    def push_stock(self, updates: Sequence[StockUpdate]) -> list[PushResult]:
        """Publish quantities; ``updates`` holds at most ``batch_size`` items."""

    @abc.abstractmethod
    def push_prices(self, updates: Sequence[PriceUpdate]) -> list[PushResult]:
        """Publish prices; ``updates`` holds at most ``batch_size`` items."""

    def fetch_orders(self, updated_since: datetime) -> OrderPage:
        """Return the orders created or changed since ``updated_since`` (UTC)."""
        raise NotImplementedError

    def fetch_order(self, marketplace_ref: str) -> Order:
        """Return one order by its marketplace reference."""
        raise NotImplementedError

    def push_shipment(self, shipment: Shipment) -> PushResult:
        """Confirm a (partial) shipment with its tracking."""
        raise NotImplementedError

    def cancel_order(self, marketplace_ref: str, reason: str = "") -> PushResult:
        """Cancel an order on the marketplace."""
        raise NotImplementedError

    def fetch_fees(self, marketplace_ref: str) -> list[Fee]:
        """Return the fees the marketplace charged for one order."""
        raise NotImplementedError

    #: Seconds to wait before checking a submission (see ``check_submission``).
    submission_delay = 120

    def check_submission(self, submission_ref: str, skus: Sequence[str]) -> list[PushResult] | None:
        """Return the final per-SKU results of an asynchronous submission.

        Only connectors whose pushes return a ``submission_ref`` implement it.

        :param skus: the SKUs sent in that submission
        :return: None while the marketplace is still processing it
        """
        raise NotImplementedError
