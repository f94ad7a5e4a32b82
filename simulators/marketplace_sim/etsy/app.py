"""Etsy Open API v3 simulator: the WSGI app, its handlers and its control handle.

Pipeline (core SimApp): route, fault, ``authenticate`` (x-api-key, rolling quota, Bearer
token and scopes), contract check of the request, handler, contract check of the answer.
"""

import base64
import functools
import hashlib

from ..core.app import SimApp, json_response, operation
from ..core.control import SimControl, exposed
from .auth import TokenStore
from .datagen import DEFAULT_SHOPS
from .errors import EtsyError, error_body, forbidden
from .ratelimit import EtsyQuota
from .specs import API, contract, form_schema, operation_scopes, query_schema
from .state import EtsyState
from .webhooks import delivery

TOKEN_URL = "https://api.etsy.com/v3/public/oauth/token"
BASE_URLS = ("https://openapi.etsy.com", "https://api.etsy.com")
ALL_SCOPES = (
    "listings_r",
    "listings_w",
    "listings_d",
    "transactions_r",
    "transactions_w",
    "shops_r",
    "shops_w",
    "email_r",
    "address_r",
)
PREFIX = "/v3/application"

# Every Etsy operation is validated against the contract; limits are EtsyQuota's, not core's.
etsy_operation = functools.partial(operation, api=API, rate_key=None)


def _cast(raw, schema):
    """Cast one form/query string per its schema (used when contract validation is off)."""
    kind = schema.get("type")
    try:
        if kind == "integer":
            return int(raw)
        if kind == "number":
            return float(raw)
    except ValueError as exc:
        raise EtsyError(400, f"Invalid value {raw!r}: expected {kind}") from exc
    if kind == "boolean":
        return raw.lower() in ("true", "1")
    return raw


def _typed(multidict, properties):
    """Typed values of a form or query string; arrays accept repeated or comma-joined keys."""
    values = {}
    for name in multidict:
        schema = properties.get(name, {})
        if schema.get("type") == "array":
            items = [i for raw in multidict.getlist(name) for i in raw.split(",") if i != ""]
            values[name] = [_cast(i, schema.get("items", {})) for i in items]
        else:
            values[name] = _cast(multidict[name], schema)
    return values


class EtsyControl(SimControl):
    """Test-side door: credentials, tokens, seeded listings, new receipts, receipt life-cycle."""

    @exposed
    def credentials(self):
        """The app's x-api-key value and the seeded shops (id, owner user id, currency)."""
        app = self.app
        return {
            "keystring": app.keystring,
            "shared_secret": app.shared_secret,
            "api_key": f"{app.keystring}:{app.shared_secret}",
            "webhook_secret": app.webhook_secret,
            "shops": [
                {"shop_id": s.shop_id, "user_id": s.user_id, "currency": s.currency}
                for s in app.state.shops.values()
            ],
        }

    def _shop_id(self, shop_id):
        """``shop_id``, or the first shop's (the one tokens are issued for by default)."""
        return shop_id or next(iter(self.app.state.shops))

    def _user(self, shop_id):
        return self.app.state.shops[self._shop_id(shop_id)].user_id

    @exposed
    def issue_tokens(self, shop_id=None, scopes=None):
        """Access + refresh token for the owner of ``shop_id`` (default: the first shop)."""
        return self.app.tokens.issue(self._user(shop_id), scopes or ALL_SCOPES)

    @exposed
    def authorize(self, code_challenge, redirect_uri, shop_id=None, scopes=None):
        """The code the consent page would send to ``redirect_uri`` (PKCE, S256)."""
        user = self._user(shop_id)
        return self.app.tokens.authorize(user, scopes or ALL_SCOPES, code_challenge, redirect_uri)

    @exposed
    def revoke_tokens(self, shop_id=None):
        """What a seller's password change does: every token of the owner stops working."""
        self.app.tokens.revoke_user(self._user(shop_id))

    @exposed
    def seed_listings(self, skus, quantity=1, price=10.0, shop_id=None):
        """One active physical listing per SKU (one product with that SKU, one enabled
        offering of ``quantity`` at ``price`` with the shop's first readiness state), without
        HTTP, quota or tokens. ``shop_id`` None is the first shop. Returns ``{sku: listing_id}``.
        """
        return self.app.state.seed_listings(self._shop_id(shop_id), skus, quantity, price)

    @exposed
    def seed_variation_listing(self, skus, quantities, price=10.0, shop_id=None):
        """One active listing with one product per SKU, varying by Size (S, M, L, ...):
        quantity and SKU on the property, the same ``price``. Returns the listing id."""
        return self.app.state.seed_variation_listing(
            self._shop_id(shop_id), skus, quantities, price
        )

    @exposed
    def listing_quantity(self, sku):
        """Offering quantity of the first live product with ``sku`` (None if there is none)."""
        return self.app.state.product_quantity(sku)

    @exposed
    def listing_state(self, listing_id):
        """``state`` of a listing (active, inactive, draft, ...)."""
        return self.app.state.listings[listing_id]["state"]

    @exposed
    def add_receipts(self, shop_id=None, count=1):
        """New orders arrive now; returns their receipt ids."""
        return self.app.state.add_receipts(self._shop_id(shop_id), count)

    @exposed
    def update_receipt(self, receipt_id, **changes):
        """Change receipt fields (e.g. ``status="canceled"``); bumps ``update_timestamp``."""
        return self.app.state.touch_receipt(receipt_id, **changes)

    @exposed
    def mark_delivered(self, receipt_id):
        self.app.state.delivered.add(receipt_id)
        return self.app.state.touch_receipt(receipt_id)

    @exposed
    def webhook(self, receipt_id, event_type="order.paid"):
        """``{"headers", "body"}`` of the signed POST Etsy would send about a receipt."""
        app = self.app
        headers, body = delivery(
            app.webhook_secret,
            app.next_id("msg_"),
            app.clock.now(),
            event_type,
            app.state.receipt_shop[receipt_id],
            receipt_id,
        )
        return {"headers": headers, "body": body}

    @exposed
    def reset_rate_limits(self):
        super().reset_rate_limits()
        self.app.quota.reset()


class EtsySimulator(SimApp):
    """Stateful Etsy Open API v3 simulator.

    ``reuse_refresh_tokens`` keeps a used refresh token valid (default: rotated out).
    ``per_second``/``per_day`` are the application's limits (Etsy's defaults for new apps).
    """

    marketplace = "etsy"
    contracts = {API: contract()}
    control_class = EtsyControl

    def __init__(
        self,
        seed=0,
        clock=None,
        validate=True,
        strict=True,
        keystring="simetsykeystring0001",
        shared_secret="simetsysecret01",
        per_second=10,
        per_day=10_000,
        reuse_refresh_tokens=False,
        shops=DEFAULT_SHOPS,
        listings_per_shop=6,
        receipts_per_shop=30,
    ):
        super().__init__(seed=seed, clock=clock, validate=validate, strict=strict)
        self.keystring, self.shared_secret = keystring, shared_secret
        self.application_id = 1_000_000 + seed % 1_000_000
        self.state = EtsyState(self.clock, seed, shops, listings_per_shop, receipts_per_shop)
        self.tokens = TokenStore(self.clock, keystring, seed, reuse_refresh_tokens)
        self.quota = EtsyQuota(self.clock, per_second, per_day)
        key = hashlib.sha256(f"etsy-webhook-{seed}".encode()).digest()[:24]
        self.webhook_secret = "whsec_" + base64.b64encode(key).decode()

    # -- core hooks ----------------------------------------------------------------------------

    def error_response(self, call, status, code, message, details=None, headers=None):
        return json_response(error_body(message, details), status, headers)

    def not_found_response(self, request):
        return self.error_response(None, 404, "etsy", f"Resource not found: {request.path}")

    def authenticate(self, call):
        """x-api-key first (every call), then the per-application quota, then the Bearer token
        for shop-scoped operations, as Etsy counts calls per key even when the token fails."""
        keystring = self._check_api_key(call.request.headers.get("x-api-key"))
        if self.limiter.enabled:
            retry_after, headers = self.quota.take(keystring)
            call.response_headers.update(headers)
            if retry_after is not None:
                raise EtsyError(429, "Too many requests", headers={"retry-after": str(retry_after)})
        call.grant = None
        scopes = operation_scopes().get(call.operation_id)
        if scopes is not None:
            call.grant = self.tokens.check_bearer(call.request.headers.get("Authorization"))
            missing = [s for s in scopes if s not in call.grant.scopes]
            if missing:
                raise forbidden(f"insufficient_scope: this endpoint requires {' '.join(missing)}")
        return keystring

    def _check_api_key(self, value):
        if not value:
            raise EtsyError(401, "Missing x-api-key header or client_id")
        keystring, sep, secret = value.partition(":")
        if keystring != self.keystring:
            raise forbidden("Invalid API key")
        if not sep:
            raise forbidden("Shared secret is required in x-api-key header.")
        if secret != self.shared_secret:
            raise forbidden("Invalid API key: should be in the format 'keystring:shared_secret'.")
        return keystring

    # -- request helpers -----------------------------------------------------------------------

    def _path_int(self, call, name):
        try:
            return int(call.path_args[name])
        except ValueError as exc:
            raise EtsyError(400, f"Invalid {name}: {call.path_args[name]!r}") from exc

    def _query(self, call):
        """Query parameters with the contract's types and defaults (validated or not)."""
        if call.parameters is not None:
            return dict(call.parameters.query)
        return _typed(call.request.args, query_schema(call.operation_id))

    def _form(self, call):
        """The typed form body (or JSON object); required fields are checked here as well
        because handlers must not crash when contract validation is switched off."""
        schema = form_schema(call.operation_id)
        if call.request.mimetype == "application/json":
            form = call.json if isinstance(call.json, dict) else {}
        else:
            form = _typed(call.request.form, schema.get("properties", {}))
        missing = [name for name in schema.get("required", []) if name not in form]
        if missing:
            raise EtsyError(400, f"Missing required parameter(s): {', '.join(missing)}")
        return form

    def _own_shop(self, call):
        """The shop of the path, which the token's user must own."""
        shop = self.state.shop(self._path_int(call, "shop_id"))
        if shop.user_id != call.grant.user_id:
            raise forbidden(f"The authenticated user does not own shop {shop.shop_id}")
        return shop.shop_id

    def _own_listing(self, call):
        listing_id = self._path_int(call, "listing_id")
        shop = self.state.shop(self.state.listing_shop_id(listing_id))
        if shop.user_id != call.grant.user_id:
            raise forbidden(f"The authenticated user does not own listing {listing_id}")
        return listing_id

    # -- OAuth ---------------------------------------------------------------------------------

    @operation("POST", "/v3/public/oauth/token", "oauthToken", api=None, auth=False, rate_key=None)
    def oauth_token(self, call):
        # Not in the OpenAPI file (it documents only the resource API), hence api=None.
        return json_response(self.tokens.exchange(call.request.form))

    # -- operations ----------------------------------------------------------------------------

    @etsy_operation("GET", f"{PREFIX}/openapi-ping", "ping")
    def ping(self, call):
        return json_response({"application_id": self.application_id})

    @etsy_operation("GET", f"{PREFIX}/shops/<shop_id>/receipts", "getShopReceipts")
    def get_shop_receipts(self, call):
        shop_id = self._own_shop(call)
        return json_response(self.state.find_receipts(shop_id, self._query(call)))

    @etsy_operation("GET", f"{PREFIX}/shops/<shop_id>/receipts/<receipt_id>", "getShopReceipt")
    def get_shop_receipt(self, call):
        shop_id = self._own_shop(call)
        receipt_id = self._path_int(call, "receipt_id")
        return json_response(self.state.get_receipt(shop_id, receipt_id))

    @etsy_operation(
        "GET",
        f"{PREFIX}/shops/<shop_id>/receipts/<receipt_id>/transactions",
        "getShopReceiptTransactionsByReceipt",
    )
    def get_receipt_transactions(self, call):
        shop_id = self._own_shop(call)
        receipt_id = self._path_int(call, "receipt_id")
        return json_response(self.state.receipt_transactions(shop_id, receipt_id))

    @etsy_operation(
        "POST", f"{PREFIX}/shops/<shop_id>/receipts/<receipt_id>/tracking", "createReceiptShipment"
    )
    def create_receipt_shipment(self, call):
        shop_id = self._own_shop(call)
        receipt_id = self._path_int(call, "receipt_id")
        return json_response(self.state.create_shipment(shop_id, receipt_id, self._form(call)))

    @etsy_operation("GET", f"{PREFIX}/listings/<listing_id>/inventory", "getListingInventory")
    def get_listing_inventory(self, call):
        listing_id = self._own_listing(call)
        query = self._query(call)
        return json_response(
            self.state.get_inventory(
                listing_id,
                show_deleted=bool(query.get("show_deleted")),
                include_listing=query.get("includes") == "Listing",
            )
        )

    @etsy_operation("PUT", f"{PREFIX}/listings/<listing_id>/inventory", "updateListingInventory")
    def update_listing_inventory(self, call):
        listing_id = self._own_listing(call)
        body = call.json
        if not isinstance(body, dict) or not isinstance(body.get("products"), list):
            raise EtsyError(400, "products is required and must be an array")
        return json_response(self.state.update_inventory(listing_id, body))

    @etsy_operation("GET", f"{PREFIX}/shops/<shop_id>/listings", "getListingsByShop")
    def get_listings_by_shop(self, call):
        shop_id = self._own_shop(call)
        return json_response(self.state.find_listings(shop_id, self._query(call)))

    @etsy_operation("POST", f"{PREFIX}/shops/<shop_id>/listings", "createDraftListing")
    def create_draft_listing(self, call):
        shop_id = self._own_shop(call)
        listing = self.state.create_draft_listing(shop_id, self._form(call))
        return json_response(listing, status=201)

    @etsy_operation("PATCH", f"{PREFIX}/shops/<shop_id>/listings/<listing_id>", "updateListing")
    def update_listing(self, call):
        shop_id = self._own_shop(call)
        listing_id = self._path_int(call, "listing_id")
        return json_response(self.state.update_listing(shop_id, listing_id, self._form(call)))

    @etsy_operation(
        "GET",
        f"{PREFIX}/shops/<shop_id>/readiness-state-definitions",
        "getShopReadinessStateDefinitions",
    )
    def get_readiness_states(self, call):
        shop_id = self._own_shop(call)
        query = self._query(call)
        return json_response(
            self.state.readiness_definitions(
                shop_id, query.get("limit") or 25, query.get("offset") or 0
            )
        )

    @etsy_operation("GET", f"{PREFIX}/shops/<shop_id>/shipping-profiles", "getShopShippingProfiles")
    def get_shipping_profiles(self, call):
        return json_response(self.state.shop_shipping_profiles(self._own_shop(call)))

    @etsy_operation("GET", f"{PREFIX}/shipping-carriers", "getShippingCarriers")
    def get_shipping_carriers(self, call):
        origin = self._query(call).get("origin_country_iso")
        if not origin:
            raise EtsyError(400, "origin_country_iso is required")
        return json_response(self.state.shipping_carriers(origin))
