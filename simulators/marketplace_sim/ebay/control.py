"""Control handle of the eBay simulator (direct calls in tests, ``POST /_sim/<name>`` otherwise)."""

from ..core import RateLimit, SimControl, exposed
from .auth import SELL_SCOPES
from .inventory import SEED_LOCATION


class EbayControl(SimControl):
    @exposed
    def refresh_token(self):
        """The refresh token of the seller's initial consent."""
        return self.app.refresh_token

    @exposed
    def credentials(self):
        """client_id, client_secret and refresh_token a connector needs to connect."""
        tokens = self.app.tokens
        return {
            "client_id": tokens.client_id,
            "client_secret": tokens.client_secret,
            "refresh_token": self.app.refresh_token,
        }

    @exposed
    def add_application(self, client_id, client_secret):
        """Register another developer app (its own keyset and its own daily quotas)."""
        self.app.tokens.other_clients[client_id] = client_secret

    @exposed
    def issue_refresh_token(self, scopes=None, client_id=None):
        """A new consent (refresh token) with the given scopes (default: every Sell scope)."""
        now = self.app.clock.now()
        return self.app.tokens.issue_refresh_token(now, scopes or SELL_SCOPES, client_id).value

    @exposed
    def revoke_token(self, token):
        """Revoke a refresh or access token (the seller withdrew consent)."""
        return self.app.tokens.revoke(token)

    @exposed
    def set_daily_limit(self, name, limit):
        """Daily call limit for an API (``inventory``, ``fulfillment``, ``account``,
        ``notification``, ``identity``) or for one operationId; None removes an
        operation's own limit."""
        key = name if name in self.app.rate_limits else f"op:{name}"
        if limit is None:
            self.app.limiter.limits.pop(key, None)
            return
        self.app.limiter.configure(key, RateLimit(rate=1e9, burst=10**9, daily=int(limit)))

    # ---------------------------------------------------------------- listings
    @exposed
    def seed_listings(
        self,
        skus,
        quantity=0,
        price=10.0,
        currency="USD",
        marketplace_id="EBAY_US",
        title_prefix="Item ",
        location_key=SEED_LOCATION,
    ):
        """Live FIXED_PRICE listings for many SKUs at once, as createOrReplaceInventoryItem,
        createOffer and publishOffer would leave them (title ``title_prefix + sku``, condition
        NEW, stock ``quantity``, the marketplace's first business policies, warehouse
        ``location_key`` created if missing), without HTTP, quotas or revision counting.

        Returns ``{sku: {"offer_id": str, "listing_id": str}}``.
        """
        return self.app.inventory.seed_listings(
            skus, quantity, price, currency, marketplace_id, title_prefix, location_key
        )

    @exposed
    def listing_quantity(self, sku):
        """The item's ``shipToLocationAvailability.quantity`` (None for an unknown SKU)."""
        entry = self.app.inventory.items.get(sku)
        if entry is None:
            return None
        stock = entry["item"].get("availability", {}).get("shipToLocationAvailability", {})
        return stock.get("quantity", 0)

    @exposed
    def offer_price(self, sku, marketplace_id="EBAY_US"):
        """``pricingSummary.price.value`` of the SKU's offer on a marketplace (FIXED_PRICE
        first), or None without offer or price."""
        offers = [
            offer
            for offer in self.app.inventory.offers_for_sku(sku)
            if offer["marketplaceId"] == marketplace_id
        ]
        offers.sort(key=lambda offer: offer["format"] != "FIXED_PRICE")
        for offer in offers:
            price = offer.get("pricingSummary", {}).get("price") or {}
            return price.get("value")
        return None

    # ------------------------------------------------------------------ orders
    @exposed
    def generate_orders(self, count=1, days=1):
        """New orders created over the last ``days`` (simulated time); returns their ids."""
        return self.app.generate_orders(count, days)

    @exposed
    def order(self, order_id):
        """The stored order (TAX_BREAKDOWN form), as the simulator sees it."""
        return self.app.fulfillment.orders[order_id]

    @exposed
    def order_ids(self):
        return list(self.app.fulfillment.orders)

    @exposed
    def cancel_order(self, order_id):
        """The buyer cancels: cancelStatus CANCELED, refund, lastModifiedDate moves."""
        return self.app.fulfillment.cancel(order_id, self.app.now())

    @exposed
    def signature_header(self, body):
        """``X-EBAY-SIGNATURE`` value for a push notification body."""
        return self.app.signing_key.signature_header(body)

    @exposed
    def public_key_id(self):
        return self.app.signing_key.key_id
