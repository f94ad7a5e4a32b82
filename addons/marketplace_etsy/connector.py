"""Etsy connector: the channel's settings in, ``marketplace_core`` records out.

HTTP lives in :mod:`.etsy_client` (pure, tested without Odoo). Etsy has no
partial stock or price update: a listing's inventory is read, changed and
written back whole, two calls per listing; that is why one SKU makes a batch
and several push jobs of a channel may run at once (``push_concurrency``),
all of them under the application's shared 10 calls/s and 10,000 calls/day.

Etsy refuses an inventory whose offerings are all at 0: a listing running out
is deactivated instead, and reactivated when stock comes back.
"""

import functools
from collections import defaultdict
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
    RateObservation,
    RemoteListing,
    StockUpdate,
)

from .etsy_client import EtsyClient, mapping
from .etsy_client.exceptions import (
    EtsyAuthError,
    EtsyRequestError,
    EtsyThrottled,
    EtsyTransientError,
)

#: The listing states whose listings are imported (drafts are not for sale).
IMPORTED_STATES = ("active", "inactive")


#: Turns :mod:`etsy_client` errors into the job errors of ``marketplace_base``.
_translate_errors = functools.partial(
    translate_client_errors, EtsyThrottled, EtsyAuthError, EtsyTransientError, EtsyRequestError
)


class EtsyConnector(MarketplaceConnector):
    """Connector of ``channel_type`` ``etsy`` (Open API v3)."""

    batch_size = 1
    # One call waits ~0.1-0.5 s on Etsy: one job alone stays under 10 calls/s.
    push_concurrency = 4

    #: Published limits of a new application: 10 calls/s and 10,000 a day (Etsy
    #: counts the day rolling; its ``x-remaining-today`` corrects our count).
    rate_limits = {"api": (10.0, 10, 10000)}

    def _build_client(self):
        settings = self.settings
        keystring, secret = settings.get("etsy_keystring"), settings.get("etsy_shared_secret")
        with _translate_errors():
            return EtsyClient(
                f"{keystring or ''}:{secret or ''}",
                settings["etsy_token_provider"],
                settings.get("etsy_shop_id") or 0,
                endpoint=(settings.get("etsy_endpoint") or "").strip() or None,
            )

    def rate_account(self):
        """Etsy counts calls per application (API key): every shop of it shares them."""
        return self._app_account("etsy", self.settings.get("etsy_keystring"))

    def rate_cost(self, operation, count=1):
        if operation in ("push_stock", "push_prices"):
            return {"api": 2 * count}  # read + write per listing
        if operation in ("fetch_listings", "test_connection"):
            return {"api": 1}
        return {}

    def observed_limits(self):
        limits = self._client.last_limits if self._client else None
        if not limits or limits.get("x-remaining-this-second") is None:
            return None
        return RateObservation(
            rate=limits.get("x-limit-per-second"),
            remaining=limits.get("x-remaining-this-second"),
            daily_quota=limits.get("x-limit-per-day"),
            remaining_today=limits.get("x-remaining-today"),
        )

    # ---------------------------------------------------------- connection
    def test_connection(self) -> ConnectionStatus:
        try:
            with _translate_errors():
                self.client.ping()
                first = next(iter(self.client.iter_shop_listings(limit=1)), None)
        except (MarketplaceAuthError, MarketplaceRequestError) as exc:
            return ConnectionStatus(False, str(exc))
        return ConnectionStatus(
            True,
            f"Connected to shop {self.client.shop_id}"
            + ("." if first else " (no active listing yet)."),
        )

    # ------------------------------------------------------------- listings
    def fetch_listings(self) -> Iterable[RemoteListing]:
        with _translate_errors():
            for state in IMPORTED_STATES:
                for listing in self.client.iter_shop_listings(state=state, includes=("Inventory",)):
                    for row in mapping.map_listing_products(listing):
                        yield RemoteListing(**row)

    def push_stock(self, updates: Sequence[StockUpdate]) -> list[PushResult]:
        return self._push(updates, quantities={u.sku: u.quantity for u in updates})

    def push_prices(self, updates: Sequence[PriceUpdate]) -> list[PushResult]:
        return self._push(updates, prices={u.sku: u.price for u in updates})

    def _push(self, updates, quantities=None, prices=None):
        results, by_listing = [], defaultdict(list)
        for update in updates:
            if update.marketplace_ref:
                by_listing[update.marketplace_ref].append(update.sku)
            else:
                results.append(
                    PushResult(update.sku, False, "No Etsy listing id: import the listings first.")
                )
        for listing_id, skus in by_listing.items():
            try:
                message, missing = self._write_inventory(
                    listing_id,
                    quantities and {sku: quantities[sku] for sku in skus},
                    prices and {sku: prices[sku] for sku in skus},
                )
            except MarketplaceRequestError as exc:
                # One listing's refusal must not hide the others' results.
                results.extend(PushResult(sku, False, str(exc)) for sku in skus)
                continue
            results.extend(
                PushResult(sku, False, "This SKU is not in the Etsy listing's inventory.")
                if sku in missing
                else PushResult(sku, True, message, marketplace_ref=str(listing_id))
                for sku in skus
            )
        return results

    def _write_inventory(self, listing_id, quantities, prices):
        """Read, change and write one listing's inventory; return (message, missing SKUs)."""
        client = self.client
        with _translate_errors():
            inventory = client.get_listing_inventory(listing_id, with_listing=bool(quantities))
            body, missing = mapping.inventory_update(inventory, quantities, prices)
            state = (inventory.get("listing") or {}).get("state")
            in_stock = any(
                offering["quantity"] and offering.get("is_enabled", True)
                for product in body["products"]
                for offering in product["offerings"]
            )
            if quantities and not in_stock:
                if state != "inactive":
                    client.update_listing(listing_id, state="inactive")
                return "Out of stock: deactivated on Etsy (it refuses an inventory at 0).", missing
            client.update_listing_inventory(listing_id, body)
            if quantities and state == "inactive":
                client.update_listing(listing_id, state="active")
                return "Back in stock: reactivated on Etsy.", missing
        return "", missing
