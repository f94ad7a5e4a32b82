"""The eBay REST (Sell) simulator: routes, auth, quotas and eBay's error shapes on core.SimApp."""

import re
from datetime import timedelta
from urllib.parse import urlencode

from ..core import RateLimit, SimApp, empty_response, json_response, operation
from .account import AccountState
from .auth import TokenStore
from .control import EbayControl
from .errors import (
    INVALID_REQUEST,
    RESOURCE_NOT_FOUND,
    TOO_MANY_REQUESTS,
    EbayError,
    error_dict,
    raise_spec,
    spec_error,
)
from .fulfillment import FulfillmentState
from .inventory import InventoryState
from .notification import SigningKey
from .orders import OrderGenerator
from .specs import SPEC_FILES, base_path, contract

TOKEN_OPERATION = "getToken"
TOKEN_PATH = "/identity/v1/oauth2/token"


def _daily(limit):
    # eBay publishes daily call limits only; no per-second bucket is modelled.
    return RateLimit(rate=1e9, burst=10**9, daily=limit)


# Default daily limits per application (marketplace-apis.md §2.4); rate key = API name.
DAILY_LIMITS = {
    "identity": _daily(50_000),
    "inventory": _daily(2_000_000),
    "fulfillment": _daily(100_000),
    "account": _daily(25_000),
    "notification": _daily(10_000),
}
# Per-API error used when core reports a server fault or an unreadable body.
SYSTEM_ERRORS = {
    "inventory": ("getInventoryItem", 25001),
    "fulfillment": ("getOrders", 30500),
    "account": ("getFulfillmentPolicies", 20500),
    "notification": ("getPublicKey", 195000),
}
ORDER_WINDOW_DAYS = 30
_MISSING_PARAMETER = re.compile(r"Missing required (\w+) parameter: ([\w-]+)")
_BODY_PATH = re.compile(r": ([\w/]+): ")


def sell(method, rule, api, operation_id=None):
    """An operation of one eBay API: path under its base path, throttled by its daily quota."""
    return operation(method, base_path(api) + rule, operation_id, api=api, rate_key=api)


def _scopes_by_operation():
    """{operationId: [scopes]} from each operation's ``security`` in the spec files."""
    scopes = {}
    for api in SPEC_FILES:
        for item in contract(api).document["paths"].values():
            for op in item.values():
                if isinstance(op, dict) and "operationId" in op:
                    scopes[op["operationId"]] = [
                        scope
                        for entry in op.get("security", [])
                        for scope in entry.get("api_auth", [])
                    ]
    return scopes


class EbaySimulator(SimApp):
    marketplace = "ebay"
    contracts = {api: contract(api) for api in SPEC_FILES}
    rate_limits = DAILY_LIMITS
    control_class = EbayControl

    def __init__(
        self, seed=0, clock=None, validate=True, strict=True, orders=20, seller_id="sim_seller"
    ):
        super().__init__(seed=seed, clock=clock, validate=validate, strict=strict)
        self.scopes = _scopes_by_operation()
        self.tokens = TokenStore()
        # The consent a seller gave when connecting: tests and the CLI start from it.
        self.refresh_token = self.tokens.issue_refresh_token(self.clock.now()).value
        self.account_state = AccountState()
        self.inventory = InventoryState(self, self.account_state)
        self.fulfillment = FulfillmentState()
        self.signing_key = SigningKey(seed)
        self.seller_id = seller_id
        self.generator = OrderGenerator(seed, seller_id=seller_id)
        if orders:
            self.generate_orders(orders)

    # ------------------------------------------------------------------ state helpers
    def now(self):
        return self.clock.utcnow()

    def generate_orders(self, count, days=ORDER_WINDOW_DAYS, base_url="https://api.ebay.com"):
        """Add ``count`` orders created over the last ``days``; sold items come from the
        published offers when there are any, else from a built-in catalogue."""
        published = [
            self.inventory.catalog_entry(offer)
            for offer in self.inventory.offers.values()
            if offer.get("status") == "PUBLISHED"
        ]
        if published:
            self.generator.catalog = published
        now = self.now()
        created = []
        for order, fulfillments in self.generator.orders(count, now - timedelta(days=days), now):
            self.fulfillment.add(order, fulfillments, base_url)
            for line in order["lineItems"]:
                self.inventory.record_sale(line.get("sku"), line["legacyItemId"], line["quantity"])
            created.append(order["orderId"])
        return created

    # ------------------------------------------------------------------ core hooks
    def authenticate(self, call):
        account = self.tokens.authorize(
            call.request.headers.get("Authorization"),
            self.clock.now(),
            self.scopes.get(call.operation_id),
        )
        # Per-operation daily limits (set through the control handle) on top of the per-API
        # quota the pipeline applies.
        if self.limiter.acquire(account, f"op:{call.operation_id}") is not None:
            raise EbayError.single(429, TOO_MANY_REQUESTS)
        return account

    def error_response(self, call, status, code, message, details=None, headers=None):
        if call is not None and call.operation_id == TOKEN_OPERATION:
            code = code if isinstance(code, str) and code.islower() else "server_error"
            return json_response({"error": code, "error_description": message}, status, headers)
        if isinstance(details, list):
            return json_response({"errors": details}, status, headers)
        # A SimError raised by core (injected fault, body that is not JSON).
        if status >= 500 and call is not None and call.route.api in SYSTEM_ERRORS:
            error = spec_error(*SYSTEM_ERRORS[call.route.api])
        else:
            error = error_dict(*INVALID_REQUEST, long_message=message)
        return json_response({"errors": [error]}, status, headers)

    def throttled_response(self, call, throttle):
        return json_response({"errors": [error_dict(*TOO_MANY_REQUESTS)]}, 429)

    def invalid_request_response(self, call, messages):
        """The contract rejected the request: answer with the API's "invalid value" error."""
        text = "; ".join(messages)
        missing = _MISSING_PARAMETER.search(text)
        field = missing.group(2) if missing else None
        if field is None:
            path = _BODY_PATH.search(text)
            field = path.group(1).replace("/", ".") if path else "request"
        api = call.route.api
        if api == "inventory":
            error = spec_error("createOffer", 25709, text, fieldName=field, additionalInfo="")
        elif api == "fulfillment":
            error = spec_error("createShippingFulfillment", 32600, text)
        elif api == "account":
            error_id = 20401 if missing else 20403
            error = spec_error(
                "getFulfillmentPolicies", error_id, text, fieldName=field, additionalInfo=""
            )
        else:
            error = error_dict(*INVALID_REQUEST, long_message=text)
        return json_response({"errors": [error]}, 400)

    def not_found_response(self, request):
        return json_response({"errors": [error_dict(*RESOURCE_NOT_FOUND)]}, 404)

    def decorate_response(self, call, response):
        response.headers["X-EBAY-C-REQUEST-ID"] = self.request_id()

    # ------------------------------------------------------------------ identity
    @operation("POST", TOKEN_PATH, TOKEN_OPERATION, auth=False, rate_key="identity")
    def get_token(self, call):
        # Not in the OpenAPI files: eBay's identity service is documented separately.
        if call.request.mimetype != "application/x-www-form-urlencoded":
            return json_response(
                {"error": "invalid_request", "error_description": "request is not form-encoded"},
                400,
            )
        answer = self.tokens.grant(
            call.request.form, call.request.headers.get("Authorization"), self.clock.now()
        )
        return json_response(answer)

    # ------------------------------------------------------------------ fulfillment
    def _order_url(self, call, *parts):
        return call.base_url + base_path("fulfillment") + "/order" + "".join(f"/{p}" for p in parts)

    @sell("GET", "/order", "fulfillment")
    def getOrders(self, call):
        args = call.request.args
        orders, total, limit, offset = self.fulfillment.search(args, self.now())

        def page_url(page_offset):
            query = {key: args[key] for key in ("filter", "fieldGroups") if key in args}
            query.update(limit=limit, offset=page_offset)
            return f"{self._order_url(call)}?{urlencode(query)}"

        body = {
            "href": page_url(offset),
            "total": total,
            "limit": limit,
            "offset": offset,
            "orders": orders,
            "warnings": [],
        }
        if "orderIds" in args:
            body["href"] = f"{self._order_url(call)}?{urlencode({'orderIds': args['orderIds']})}"
        else:
            if offset + limit < total:
                body["next"] = page_url(offset + limit)
            if offset > 0:
                body["prev"] = page_url(max(0, offset - limit))
        return json_response(body)

    @sell("GET", "/order/<orderId>", "fulfillment")
    def getOrder(self, call):
        order = self.fulfillment.get_order(
            call.path_args["orderId"], call.arg("fieldGroups"), self.now()
        )
        return json_response(order)

    @sell("POST", "/order/<orderId>/shipping_fulfillment", "fulfillment")
    def createShippingFulfillment(self, call):
        order_id = call.path_args["orderId"]
        fulfillment_id = self.fulfillment.create_fulfillment(
            order_id, call.json or {}, self.now(), call.base_url
        )
        location = self._order_url(call, order_id, "shipping_fulfillment", fulfillment_id)
        return json_response({}, 201, headers={"Location": location})

    @sell("GET", "/order/<orderId>/shipping_fulfillment", "fulfillment")
    def getShippingFulfillments(self, call):
        fulfillments = self.fulfillment.list_fulfillments(call.path_args["orderId"])
        return json_response(
            {"fulfillments": fulfillments, "total": len(fulfillments), "warnings": []}
        )

    @sell("GET", "/order/<orderId>/shipping_fulfillment/<fulfillmentId>", "fulfillment")
    def getShippingFulfillment(self, call):
        args = call.path_args
        return json_response(
            self.fulfillment.get_fulfillment(args["orderId"], args["fulfillmentId"])
        )

    # ------------------------------------------------------------------ inventory
    @staticmethod
    def _paging(call, operation_id, default_limit=100):
        """Inventory paging: ``offset`` is a page index (0, 1, ...), not a record count."""
        try:
            limit = int(call.arg("limit", default_limit))
            page = int(call.arg("offset", 0))
        except ValueError:
            limit = page = -1
        if not 1 <= limit <= 200 or page < 0:
            raise_spec(400, operation_id, 25706, additionalInfo="limit must be 1-200, offset >= 0")
        return limit, page

    def _inventory_url(self, call, path):
        return call.base_url + base_path("inventory") + path

    @sell("PUT", "/inventory_item/<sku>", "inventory")
    def createOrReplaceInventoryItem(self, call):
        locale = call.request.headers.get("Content-Language")
        created = self.inventory.put_item(call.path_args["sku"], call.json, locale)
        if created:
            # The contract documents a body (BaseResponse) and Content-Language on 201.
            return json_response({}, 201, headers={"Content-Language": locale})
        return empty_response(204)

    @sell("GET", "/inventory_item/<sku>", "inventory")
    def getInventoryItem(self, call):
        return json_response(self.inventory.get_item(call.path_args["sku"]))

    @sell("GET", "/inventory_item", "inventory")
    def getInventoryItems(self, call):
        limit, page = self._paging(call, "getInventoryItems")
        items, total = self.inventory.list_items(limit, page)
        body = {
            "href": self._inventory_url(call, f"/inventory_item?limit={limit}&offset={page}"),
            "total": total,
            "size": len(items),
            "limit": limit,
            "inventoryItems": items,
        }
        if (page + 1) * limit < total:
            body["next"] = self._inventory_url(
                call, f"/inventory_item?limit={limit}&offset={page + 1}"
            )
        return json_response(body)

    @sell("POST", "/offer", "inventory")
    def createOffer(self, call):
        offer_id = self.inventory.create_offer(call.json or {})
        return json_response({"offerId": offer_id, "warnings": []}, 201)

    @sell("GET", "/offer", "inventory")
    def getOffers(self, call):
        sku = call.arg("sku")
        if not sku:
            raise_spec(400, "getOffers", 25709, fieldName="sku", additionalInfo="sku is required.")
        limit, page = self._paging(call, "getOffers")
        offers = self.inventory.find_offers(sku, call.arg("marketplace_id"), call.arg("format"))
        if not offers:
            raise_spec(404, "getOffers", 25713, additionalInfo=f"no offer for SKU {sku}")
        chunk = offers[page * limit : (page + 1) * limit]
        query = urlencode({"sku": sku, "limit": limit, "offset": page})
        body = {
            "href": self._inventory_url(call, f"/offer?{query}"),
            "total": len(offers),
            "size": len(chunk),
            "limit": limit,
            "offers": chunk,
        }
        return json_response(body)

    @sell("GET", "/offer/<offerId>", "inventory")
    def getOffer(self, call):
        return json_response(self.inventory.get_offer(call.path_args["offerId"]))

    @sell("PUT", "/offer/<offerId>", "inventory")
    def updateOffer(self, call):
        self.inventory.update_offer(call.path_args["offerId"], call.json or {})
        return empty_response(204)

    @sell("POST", "/offer/<offerId>/publish", "inventory")
    def publishOffer(self, call):
        listing_id = self.inventory.publish_offer(call.path_args["offerId"])
        return json_response({"listingId": listing_id, "warnings": []})

    @sell("PUT", "/inventory_item_group/<inventoryItemGroupKey>", "inventory")
    def createOrReplaceInventoryItemGroup(self, call):
        locale = call.request.headers.get("Content-Language")
        key = call.path_args["inventoryItemGroupKey"]
        if self.inventory.put_group(key, call.json or {}, locale):
            return json_response({}, 201, headers={"Content-Language": locale})
        return empty_response(204)

    @sell("GET", "/inventory_item_group/<inventoryItemGroupKey>", "inventory")
    def getInventoryItemGroup(self, call):
        return json_response(self.inventory.get_group(call.path_args["inventoryItemGroupKey"]))

    @sell("POST", "/offer/publish_by_inventory_item_group", "inventory")
    def publishOfferByInventoryItemGroup(self, call):
        body = call.json or {}
        listing_id = self.inventory.publish_group(
            body.get("inventoryItemGroupKey"), body.get("marketplaceId")
        )
        return json_response({"listingId": listing_id, "warnings": []})

    @sell("POST", "/offer/withdraw_by_inventory_item_group", "inventory")
    def withdrawOfferByInventoryItemGroup(self, call):
        body = call.json or {}
        self.inventory.withdraw_group(body.get("inventoryItemGroupKey"), body.get("marketplaceId"))
        return empty_response(204)

    @sell("POST", "/offer/<offerId>/withdraw", "inventory")
    def withdrawOffer(self, call):
        listing_id = self.inventory.withdraw_offer(call.path_args["offerId"])
        return json_response({"listingId": listing_id, "warnings": []})

    @sell("DELETE", "/offer/<offerId>", "inventory")
    def deleteOffer(self, call):
        self.inventory.delete_offer(call.path_args["offerId"])
        return empty_response(204)

    @sell("DELETE", "/inventory_item/<sku>", "inventory")
    def deleteInventoryItem(self, call):
        self.inventory.delete_item(call.path_args["sku"])
        return empty_response(204)

    @sell("POST", "/bulk_update_price_quantity", "inventory")
    def bulkUpdatePriceQuantity(self, call):
        responses, all_ok = self.inventory.bulk_update((call.json or {}).get("requests"))
        return json_response({"responses": responses}, 200 if all_ok else 207)

    @sell("POST", "/location/<merchantLocationKey>", "inventory")
    def createInventoryLocation(self, call):
        self.inventory.create_location(call.path_args["merchantLocationKey"], call.json or {})
        return empty_response(204)

    @sell("GET", "/location/<merchantLocationKey>", "inventory")
    def getInventoryLocation(self, call):
        return json_response(self.inventory.get_location(call.path_args["merchantLocationKey"]))

    # ------------------------------------------------------------------ account
    def _policies(self, call, collection):
        policies = self.account_state.list(
            collection, call.arg("marketplace_id"), call.operation_id
        )
        href = call.base_url + call.request.full_path.rstrip("?")
        return json_response(
            {"href": href, "total": len(policies), "limit": 20, "offset": 0, collection: policies}
        )

    @sell("GET", "/fulfillment_policy", "account")
    def getFulfillmentPolicies(self, call):
        return self._policies(call, "fulfillmentPolicies")

    @sell("GET", "/payment_policy", "account")
    def getPaymentPolicies(self, call):
        return self._policies(call, "paymentPolicies")

    @sell("GET", "/return_policy", "account")
    def getReturnPolicies(self, call):
        return self._policies(call, "returnPolicies")

    # ------------------------------------------------------------------ notification
    @sell("GET", "/public_key/<public_key_id>", "notification")
    def getPublicKey(self, call):
        if call.path_args["public_key_id"] != self.signing_key.key_id:
            raise_spec(404, "getPublicKey", 195001)
        return json_response(self.signing_key.public_key())
