"""Control handle of the Amazon simulator (tests' side door; also over /_sim/...)."""

import copy

from ..core import SimControl, exposed
from .notifications import order_change

# Everything the simulator renders (EXPENSE, PAYMENT and FULFILLMENT_ORDERS are never set).
ALL_INCLUDED = {
    "BUYER",
    "RECIPIENT",
    "PROCEEDS",
    "PROMOTION",
    "CANCELLATION",
    "FULFILLMENT",
    "PACKAGES",
    "TAX",
}


class AmazonControl(SimControl):
    def on_time_advanced(self):
        self.app.sync()

    # ----------------------------------------------------------------- orders
    @exposed
    def create_order(self, created=None, **overrides):
        """Generate one order (flags: see OrderBook.generate); return the full view."""
        order = self.app.orders.generate(created, **overrides)
        return self.order(order["id"])

    @exposed
    def create_orders(self, count, spacing=600, **overrides):
        """``count`` orders ``spacing`` s apart, ending now; return their ids."""
        return [o["id"] for o in self.app.orders.generate_many(count, spacing=spacing, **overrides)]

    @exposed
    def order(self, order_id):
        """The order as Orders 2026-01-01 renders it with every includedData."""
        return self.app.orders.render(self.app.orders.get(order_id), ALL_INCLUDED)

    @exposed
    def order_status(self, order_id):
        return self.app.orders.get(order_id)["status"]

    @exposed
    def cancel_order(self, order_id, reason="BuyerCanceled"):
        return self.app.orders.cancel(order_id, reason)["status"]

    @exposed
    def shipments(self, order_id):
        """Packages confirmed for an order: tracking, carrier and per-item quantities."""
        packages = copy.deepcopy(self.app.orders.get(order_id)["packages"])
        for package in packages:
            package.pop("posted", None)
        return packages

    @exposed
    def order_change_notification(self, order_id, change_type="OrderStatusChange"):
        order = self.app.orders.get(order_id)
        return order_change(order, self.app.clock.now(), self.app.rng, change_type)

    # --------------------------------------------------------------- listings
    @exposed
    def set_listing(
        self, sku, title=None, price=None, quantity=None, product_type="PRODUCT", currency=None
    ):
        """Create or update a listing directly (no API call, no rate limit).

        Fields left as None keep their current value; a new listing needs a title.
        """
        current = self.app.listings.get(self.app.seller_id, sku)
        attributes = copy.deepcopy(current["attributes"]) if current else {}
        attributes.setdefault("condition_type", [{"value": "new_new"}])
        if title:
            attributes["item_name"] = [{"value": title, "language_tag": "en_US"}]
        if price is not None:
            offer = {"our_price": [{"schedule": [{"value_with_tax": price}]}]}
            if currency:
                offer["currency"] = currency
            attributes["purchasable_offer"] = [offer]
        if quantity is not None:
            attributes["fulfillment_availability"] = [
                {"fulfillment_channel_code": "DEFAULT", "quantity": quantity}
            ]
        result = self.app.listings.put(
            self.app.seller_id, sku, product_type, attributes, "LISTING", self.app.marketplace_ids
        )
        if result.status != "ACCEPTED":
            raise ValueError(f"listing {sku} rejected: {[i['message'] for i in result.issues]}")
        return result.status

    @exposed
    def listing(self, sku):
        """Attributes of a listing as last pushed (None if absent)."""
        item = self.app.listings.get(self.app.seller_id, sku)
        return copy.deepcopy(item["attributes"]) if item else None

    @exposed
    def listing_quantity(self, sku, channel="DEFAULT"):
        item = self.app.listings.get(self.app.seller_id, sku)
        return self.app.listings.quantity(item, channel) if item else None

    @exposed
    def listing_price(self, sku):
        """First ``purchasable_offer`` price (value_with_tax) of a listing, or None."""
        item = self.app.listings.get(self.app.seller_id, sku)
        offers = self.app.listings.offers(item) if item else []
        return offers[0][2] if offers else None

    # ------------------------------------------------------------------ feeds
    @exposed
    def feed(self, feed_id):
        self.app.sync()
        return self.app.feeds.render(self.app.feeds.feeds[feed_id])

    @exposed
    def set_report_compression(self, enabled=True):
        """Serve processing reports GZIP-compressed (getFeedDocument says so)."""
        self.app.feeds.compress_reports = bool(enabled)

    # ------------------------------------------------------------------- auth
    @exposed
    def revoke_refresh_token(self, refresh_token):
        self.app.lwa.revoke(refresh_token)

    @exposed
    def add_seller_token(self, refresh_token, seller_id=None):
        self.app.lwa.add_seller(seller_id or self.app.seller_id, refresh_token)
