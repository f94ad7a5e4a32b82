"""eBay connector: the channel's settings in, ``marketplace_core`` records out.

HTTP lives in :mod:`.ebay_client` (pure, tested without Odoo). Stock and
prices go through ``bulkUpdatePriceQuantity``, 25 SKUs per call; the price of
a SKU is set on its offer, whose id the listing import stores as the
listing's marketplace reference.

eBay publishes daily call quotas per application, no per-second rate: the
Inventory API's 2,000,000 calls a day is the shared bucket's daily quota.
"""

import dataclasses
import functools
from collections.abc import Iterable, Sequence

from odoo.addons.marketplace_base.exceptions import (
    MarketplaceAuthError,
    MarketplaceRequestError,
    translate_client_errors,
)
from odoo.addons.marketplace_base.marketplace_core.connector import MarketplaceConnector
from odoo.addons.marketplace_base.marketplace_core.records import (
    ConnectionStatus,
    PriceUpdate,
    PushResult,
    RemoteListing,
    StockUpdate,
)

from .ebay_client import MAX_BULK_REQUESTS, EbayClient, mapping
from .ebay_client.exceptions import (
    EbayAuthError,
    EbayRequestError,
    EbayThrottled,
    EbayTransientError,
)

#: Turns :mod:`ebay_client` errors into the job errors of ``marketplace_base``.
_translate_errors = functools.partial(
    translate_client_errors, EbayThrottled, EbayAuthError, EbayTransientError, EbayRequestError
)
_LISTING_FIELDS = {f.name for f in dataclasses.fields(RemoteListing)}


class EbayConnector(MarketplaceConnector):
    """Connector of ``channel_type`` ``ebay`` (Sell Inventory API)."""

    batch_size = MAX_BULK_REQUESTS
    # A bulk call waits on eBay; two at once keep a large push moving.
    push_concurrency = 2

    #: eBay publishes only daily quotas per application (Inventory API: 2,000,000
    #: calls); the per-second figures only keep a runaway loop in check.
    rate_limits = {"inventory": (100.0, 100, 2_000_000)}

    def _build_client(self):
        settings = self.settings
        with _translate_errors():
            return EbayClient(
                settings.get("ebay_client_id"),
                settings.get("ebay_client_secret"),
                settings.get("ebay_refresh_token"),
                settings.get("ebay_marketplace_id") or "EBAY_US",
                endpoint=(settings.get("ebay_endpoint") or "").strip() or None,
            )

    def rate_account(self):
        """eBay counts calls per application (App ID): its sellers' channels share them."""
        return self._app_account("ebay", self.settings.get("ebay_client_id"))

    def rate_cost(self, operation, count=1):
        if operation in ("push_stock", "push_prices", "fetch_listings", "test_connection"):
            return {"inventory": 1}
        return {}

    def test_connection(self) -> ConnectionStatus:
        try:
            with _translate_errors():
                count = self.client.count_inventory_items()
        except (MarketplaceAuthError, MarketplaceRequestError) as exc:
            return ConnectionStatus(False, str(exc))
        return ConnectionStatus(True, f"Connected: {count} inventory item(s).")

    def fetch_listings(self) -> Iterable[RemoteListing]:
        """Every inventory item with its main offer (whose id price updates need)."""
        client = self.client
        with _translate_errors():
            for item in client.iter_inventory_items():
                offers = client.get_offers(item["sku"])
                row = mapping.map_inventory_item(item, offers, client.marketplace_id)
                yield RemoteListing(**{k: v for k, v in row.items() if k in _LISTING_FIELDS})

    def push_stock(self, updates: Sequence[StockUpdate]) -> list[PushResult]:
        return self._bulk([(u.sku, mapping.stock_request(u.sku, u.quantity)) for u in updates])

    def push_prices(self, updates: Sequence[PriceUpdate]) -> list[PushResult]:
        entries, results = [], []
        for update in updates:
            if not update.marketplace_ref:
                results.append(
                    PushResult(update.sku, False, "No eBay offer id: import the listings first.")
                )
                continue
            request = mapping.price_request(
                update.sku, update.marketplace_ref, update.price, update.currency
            )
            entries.append((update.sku, request))
        return results + self._bulk(entries)

    def _bulk(self, entries):
        if not entries:
            return []
        try:
            with _translate_errors():
                responses = self.client.bulk_update_price_quantity([req for _sku, req in entries])
        except MarketplaceRequestError as exc:
            # eBay refused the whole call: each SKU carries the reason.
            return [PushResult(sku, False, str(exc)) for sku, _req in entries]
        outcome = mapping.bulk_results(responses, [sku for sku, _req in entries])
        return [PushResult(sku, *outcome[sku]) for sku, _req in entries]
