"""Amazon connector: the channel's settings in, ``marketplace_core`` records out.

HTTP lives in :mod:`.amazon_client` (pure, tested without Odoo) and payload
reading in :mod:`.amazon_client.mapping`; this module only wires them to the
connector contract and is the single place where the client's errors become
the suite's job errors.

Stock and price pushes: up to ``PATCH_LIMIT`` SKUs go through
``patchListingsItem`` (one call each, answer known at once); larger batches go
through one JSON_LISTINGS_FEED. Amazon processes a feed in minutes and jobs
never sleep, so the feed path reports every SKU as accepted with the feed id
as ``submission_ref``; the base then runs a follow-up job that reads the
processing report through :meth:`AmazonConnector.check_submission` and turns
its issues into per-listing errors.
"""

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import datetime
from urllib.parse import urlsplit

from odoo.addons.marketplace_base.exceptions import (
    MarketplaceAuthError,
    MarketplaceRequestError,
    translate_client_errors,
)
from odoo.addons.marketplace_base.marketplace_core.connector import MarketplaceConnector
from odoo.addons.marketplace_base.marketplace_core.records import (
    Address,
    ConnectionStatus,
    Fee,
    ListingPayload,
    Order,
    OrderLine,
    OrderPage,
    PriceUpdate,
    PushResult,
    RateObservation,
    RemoteListing,
    Shipment,
    StockUpdate,
)

from .amazon_client import mapping
from .amazon_client.client import FEED_DONE_STATUSES, LWA_URL, AmazonClient
from .amazon_client.exceptions import (
    AmazonAuthError,
    AmazonRequestError,
    AmazonThrottled,
    AmazonTransientError,
)

#: At most this many SKUs are pushed one ``patchListingsItem`` each (5 req/s, burst 5).
PATCH_LIMIT = 5


def _record(cls, values):
    """Build a record from mapping values, ignoring the Amazon-only extra keys."""
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{key: value for key, value in values.items() if key in names})


def _address(values):
    return _record(Address, values) if values else None


def _order(values):
    return _record(
        Order,
        {
            **values,
            "lines": tuple(_record(OrderLine, line) for line in values["lines"]),
            "billing_address": _address(values["billing_address"]),
            "shipping_address": _address(values["shipping_address"]),
        },
    )


def _translate_errors():
    """Turn :mod:`amazon_client` errors into the job errors of ``marketplace_base``."""
    return translate_client_errors(
        AmazonThrottled, AmazonAuthError, AmazonTransientError, AmazonRequestError
    )


class AmazonConnector(MarketplaceConnector):
    """Connector of ``channel_type`` ``amazon`` (Selling Partner API)."""

    # One JSON_LISTINGS_FEED takes 25,000 messages and 10 MiB; stay well inside both.
    batch_size = 10000

    #: Published SP-API limits (rate per second, burst, daily quota), per seller
    #: account: see the API models' usage plans and marketplace-apis.md §1.2.
    rate_limits = {
        "listings_patch": (5.0, 5, 0),  # patchListingsItem
        "listings_put": (5.0, 10, 0),  # putListingsItem
        "listings_search": (5.0, 5, 0),  # searchListingsItems
        "listings_feed": (5 / 300, 5, 0),  # JSON_LISTINGS_FEED: 5 feeds per 5 minutes
        "feeds_create": (0.0083, 15, 0),  # createFeed, whatever the feed type
        "feeds_get": (2.0, 15, 0),  # getFeed
        "orders_search": (0.0056, 20, 0),  # searchOrders
        "orders_get": (0.5, 30, 0),  # getOrder
        "shipment_confirm": (2.0, 10, 0),  # confirmShipment
        "finances": (0.5, 30, 0),  # listFinancialEventsByOrderId
    }
    _rate_costs = {
        "push_listings": "listings_put",
        "fetch_listings": "listings_search",
        "check_submission": "feeds_get",
        "fetch_orders": "orders_search",
        "fetch_order": "orders_get",
        "push_shipment": "shipment_confirm",
        "fetch_fees": "finances",
    }

    def rate_account(self):
        """One seller account's calls count together, on every marketplace it sells on."""
        seller = self.settings.get("amazon_seller_id")
        return f"amazon:{seller}" if seller else ""

    def observed_limits(self):
        rate = self._client.last_rate_limit if self._client else None
        return RateObservation(rate=rate) if rate else None

    def rate_cost(self, operation, count=1):
        if operation in ("push_stock", "push_prices"):
            if count <= PATCH_LIMIT:
                return {"listings_patch": count}
            return {"listings_feed": 1, "feeds_create": 1}
        group = self._rate_costs.get(operation)
        if not group:
            return {}
        return {group: count if operation == "push_listings" else 1}

    def __init__(self, settings, logger=None, client=None):
        """:param client: an :class:`AmazonClient` to use instead of one built from settings."""
        super().__init__(settings, logger=logger, client=client)
        self.marketplace_ids = [
            m.strip()
            for m in (settings.get("amazon_marketplace_ids") or "").split(",")
            if m.strip()
        ]
        #: ``(feed_id, document)`` of the last feed sent, for :meth:`check_feed`.
        self.last_feed = None

    def _build_client(self):
        settings = self.settings
        endpoint = (settings.get("amazon_endpoint") or "").strip() or None
        lwa_url = settings.get("amazon_lwa_url") or LWA_URL
        if endpoint and not (urlsplit(endpoint).hostname or "").endswith(".amazon.com"):
            # A simulator or proxy serves the LWA token endpoint on the same host.
            lwa_url = endpoint.rstrip("/") + "/auth/o2/token"
        with _translate_errors():
            return AmazonClient(
                client_id=settings.get("amazon_lwa_client_id"),
                client_secret=settings.get("amazon_lwa_client_secret"),
                refresh_token=settings.get("amazon_refresh_token"),
                seller_id=settings.get("amazon_seller_id"),
                marketplace_ids=self.marketplace_ids,
                region=settings.get("amazon_region") or "eu",
                endpoint=endpoint,
                sandbox=settings.get("environment") == "sandbox" and not endpoint,
                lwa_url=lwa_url,
            )

    # ---------------------------------------------------------- connection
    def test_connection(self) -> ConnectionStatus:
        try:
            with _translate_errors():
                participations = self.client.get_marketplace_participations()
        except (MarketplaceAuthError, MarketplaceRequestError) as exc:
            return ConnectionStatus(False, str(exc))
        ids = {p.get("marketplace", {}).get("id") for p in participations or []}
        missing = [m for m in self.marketplace_ids if m not in ids]
        if missing:
            return ConnectionStatus(
                False, f"The seller does not sell on marketplace(s) {', '.join(missing)}."
            )
        return ConnectionStatus(True, f"Connected to {len(ids)} marketplace(s).")

    # --------------------------------------------------------------- orders
    def fetch_orders(self, updated_since: datetime) -> OrderPage:
        """Every order changed since ``updated_since``; the watermark is Amazon's bound.

        Throttled mid-way, the whole fetch is retried later (imports are idempotent).
        """
        orders, bound = [], None
        with _translate_errors():
            for page in self.client.search_orders(last_updated_after=updated_since):
                orders.extend(_order(mapping.map_order(order)) for order in page.orders)
                bound = page.last_updated_before or bound
        watermark = mapping.parse_datetime(bound) if bound else None
        if watermark is None and orders:
            watermark = max(order.updated_at for order in orders)
        return OrderPage(orders=tuple(orders), watermark=watermark)

    def fetch_order(self, marketplace_ref: str) -> Order:
        with _translate_errors():
            return _order(mapping.map_order(self.client.get_order(marketplace_ref)))

    def push_shipment(self, shipment: Shipment) -> PushResult:
        detail = mapping.package_detail(
            # Amazon refuses a reused reference: the tracking number is unique per package.
            shipment.tracking_ref or shipment.shipped_at.strftime("%Y%m%d%H%M%S"),
            shipment.carrier_code,
            shipment.tracking_ref,
            shipment.shipped_at,
            [(line.line_ref, line.quantity) for line in shipment.lines],
            carrier_name=shipment.carrier_name,
            shipping_method=shipment.shipping_method,
        )
        with _translate_errors():
            marketplace_id = None
            if len(self.marketplace_ids) > 1:
                # confirmShipment needs the order's own marketplace.
                order = self.client.get_order(shipment.order_ref, included_data=())
                marketplace_id = order.get("salesChannel", {}).get("marketplaceId")
            self.client.confirm_shipment(shipment.order_ref, detail, marketplace_id)
        return PushResult(sku="", ok=True, marketplace_ref=shipment.order_ref)

    def cancel_order(self, marketplace_ref: str, reason: str = "") -> PushResult:
        # Sellers cancel through an order acknowledgement feed, not supported yet.
        return PushResult(
            sku="",
            ok=False,
            message="Cancel Amazon orders in Seller Central: not supported from Odoo yet.",
            marketplace_ref=marketplace_ref,
        )

    def fetch_fees(self, marketplace_ref: str) -> list[Fee]:
        with _translate_errors():
            rows = mapping.map_fees(
                marketplace_ref, self.client.iter_financial_events(marketplace_ref)
            )
        return [_record(Fee, row) for row in rows]

    # ------------------------------------------------------------- listings
    def fetch_listings(self) -> Iterable[RemoteListing]:
        marketplace_id = self.marketplace_ids[0] if self.marketplace_ids else None
        with _translate_errors():
            for item in self.client.search_listings_items():
                yield _record(RemoteListing, mapping.map_listing(item, marketplace_id))

    def push_listings(self, listings: Sequence[ListingPayload]) -> list[PushResult]:
        """``putListingsItem`` per listing; ``attributes`` must hold Amazon's attributes
        (``product_type`` and ``requirements`` keys are taken out of them)."""
        results = []
        for listing in listings:
            attributes = dict(listing.attributes)
            product_type = attributes.pop("product_type", mapping.DEFAULT_PRODUCT_TYPE)
            requirements = attributes.pop("requirements", None)
            with _translate_errors():
                submission = self.client.put_listings_item(
                    listing.sku, product_type, attributes, requirements
                )
            ok, message = mapping.submission_result(submission)
            results.append(PushResult(listing.sku, ok, message, marketplace_ref=""))
        return results

    def push_stock(self, updates: Sequence[StockUpdate]) -> list[PushResult]:
        return self._push(
            [(update.sku, mapping.stock_patches(update.quantity)) for update in updates]
        )

    def push_prices(self, updates: Sequence[PriceUpdate]) -> list[PushResult]:
        return self._push(
            [
                (
                    update.sku,
                    mapping.price_patches(update.price, update.currency, self.marketplace_ids),
                )
                for update in updates
            ]
        )

    def _push(self, entries):
        if len(entries) <= PATCH_LIMIT:
            return [self._patch(sku, patches) for sku, patches in entries]
        # Sorted by SKU: check_submission rebuilds the messageId -> SKU map from
        # the SKUs alone.
        entries = sorted(entries, key=lambda entry: entry[0])
        document = mapping.listings_feed(self.client.seller_id, entries)
        with _translate_errors():
            feed_id = self.client.submit_listings_feed(document)
        self.last_feed = (feed_id, document)
        message = f"Sent in Amazon feed {feed_id}; Amazon applies it within minutes."
        return [
            PushResult(sku, True, message, submission_ref=str(feed_id)) for sku, _patches in entries
        ]

    def check_submission(self, submission_ref, skus):
        """Override: the per-SKU results of a JSON_LISTINGS_FEED sent by :meth:`_push`."""
        document = mapping.listings_feed(self.client.seller_id, [(sku, []) for sku in sorted(skus)])
        return self.check_feed(submission_ref, document)

    def _patch(self, sku, patches):
        try:
            with _translate_errors():
                submission = self.client.patch_listings_item(
                    sku, mapping.DEFAULT_PRODUCT_TYPE, patches
                )
        except MarketplaceRequestError as exc:
            # One SKU's refusal must not hide the others' results.
            return PushResult(sku, False, str(exc))
        ok, message = mapping.submission_result(submission)
        return PushResult(sku, ok, message)

    def check_feed(self, feed_id, document) -> list[PushResult] | None:
        """Per-SKU results of a feed sent by :meth:`_push`, or None while Amazon processes it.

        :param document: the feed document that was sent (to map message ids to SKUs)
        """
        with _translate_errors():
            feed = self.client.get_feed(feed_id)
            if feed.get("processingStatus") not in FEED_DONE_STATUSES:
                return None
            report = None
            if feed.get("resultFeedDocumentId"):
                report = self.client.get_feed_report(feed["resultFeedDocumentId"])
        results = mapping.feed_results(document, feed, report)
        return [PushResult(sku, ok, message) for sku, (ok, message) in results.items()]
