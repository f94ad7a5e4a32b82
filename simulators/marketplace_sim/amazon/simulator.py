"""Stateful Amazon Selling Partner API simulator (LWA, Orders, Listings, Feeds, Finances)."""

import base64
import json
import re
from dataclasses import dataclass
from functools import cache

from werkzeug.wrappers import Response

from ..core import (
    SPECS_DIR,
    ContractSpec,
    RateLimit,
    SimApp,
    SimError,
    empty_response,
    isoformat,
    json_response,
    operation,
    parse_datetime,
)
from .control import AmazonControl
from .feeds import FeedService
from .finances import shipment_events
from .listings import ListingStore
from .lwa import DEFAULT_SELLER_ID, TOKEN_TTL, LwaAuthority
from .marketplaces import MARKETPLACES
from .orders import CATALOG, INCLUDED_DATA, OrderBook
from .orders_v0 import CHANNEL_FROM_V0, STATUS_FROM_V0
from .orders_v0 import render_address as render_v0_address
from .orders_v0 import render_buyer as render_v0_buyer
from .orders_v0 import render_items as render_v0_items
from .orders_v0 import render_order as render_v0

OAS3 = SPECS_DIR / "amazon" / "oas3"
API_FILES = {
    "orders_2026-01-01": "orders_2026-01-01.json",
    "ordersV0": "ordersV0.json",
    "listingsItems_2021-08-01": "listingsItems_2021-08-01.json",
    "feeds_2021-06-30": "feeds_2021-06-30.json",
    "financesV0": "financesV0.json",
    "sellers": "sellers.json",
    "tokens_2021-03-01": "tokens_2021-03-01.json",
}
BASE_URL = "https://sellingpartnerapi-na.amazon.com"
LWA_URL = "https://api.amazon.com"
SEARCH_ORDERS_MAX_PAGE = 100
# The *Before filters must be at least this far in the past (orders still settling).
SETTLE_SECONDS = 120
LISTINGS_APIS = {"listingsItems_2021-08-01"}
LISTINGS_FEED_RATE_KEY = "createFeed:JSON_LISTINGS_FEED"
LISTINGS_FEED_LIMIT = RateLimit(5 / 300, 5)  # 5 JSON_LISTINGS_FEED feeds per 5 minutes
RDT_PREFIX = "Atz.sprdt|"  # restricted data tokens unlock PII in the v0 order views


@dataclass(frozen=True)
class SearchParams:
    """Query parameter names of an order search (the two Orders APIs differ in case)."""

    created_after: str
    created_before: str
    updated_after: str
    updated_before: str
    page_size: str
    marketplaces: str


SEARCH_2026 = SearchParams(
    "createdAfter",
    "createdBefore",
    "lastUpdatedAfter",
    "lastUpdatedBefore",
    "maxResultsPerPage",
    "marketplaceIds",
)
SEARCH_V0 = SearchParams(
    "CreatedAfter",
    "CreatedBefore",
    "LastUpdatedAfter",
    "LastUpdatedBefore",
    "MaxResultsPerPage",
    "MarketplaceIds",
)
_RATE_ROW = re.compile(r"\|\s*([\d.]+)\s*\|\s*(\d+)\s*\|")


@cache
def published_rate_limits():
    """{operationId and api.operationId: RateLimit} from the API models' usage-plan tables."""
    limits = {}
    for api, name in API_FILES.items():
        with (OAS3 / name).open(encoding="utf-8") as handle:
            document = json.load(handle)
        for path_item in document["paths"].values():
            for op in path_item.values():
                match = isinstance(op, dict) and _RATE_ROW.search(op.get("description", ""))
                if match:
                    limit = RateLimit(float(match[1]), int(match[2]))
                    # Also "<api>.<operationId>": getOrder exists in two Orders APIs.
                    limits[op["operationId"]] = limits[f"{api}.{op['operationId']}"] = limit
    return limits


def _encode_token(data):
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _decode_offset(token):
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        offset = int(data["offset"])
    except (ValueError, TypeError, KeyError) as exc:
        raise SimError(400, "BAD_REQUEST", "Invalid pagination token.") from exc
    return max(0, offset)


class AmazonSimulator(SimApp):
    """``AmazonSimulator(seed=0)``; see the package docstring for the default credentials.

    ``initial_orders`` random orders are generated over the 3 days before the clock's
    start; ``listings`` pre-creates an offer per catalogue SKU.
    """

    marketplace = "amazon"
    contracts = {
        name: ContractSpec("amazon", name, OAS3 / file) for name, file in API_FILES.items()
    }
    control_class = AmazonControl

    def __init__(
        self, seed=0, clock=None, validate=True, strict=True, initial_orders=0, listings=True
    ):
        self.rate_limits = {**published_rate_limits(), LISTINGS_FEED_RATE_KEY: LISTINGS_FEED_LIMIT}
        super().__init__(seed=seed, clock=clock, validate=validate, strict=strict)
        self.seller_id = DEFAULT_SELLER_ID
        self.marketplace_ids = list(MARKETPLACES)
        self.lwa = LwaAuthority(self.clock, self.rng_for("lwa"))
        self.orders = OrderBook(self.clock, self.rng_for("orders"), self.seller_id)
        self.listings = ListingStore(self.clock, self.rng_for("listings"))
        self.listings.known_asins = {sku: asin for sku, asin, _title, _price in CATALOG}
        self.feeds = FeedService(self.clock, self.rng_for("feeds"), self.listings)
        self._pages = {}
        if listings:
            for sku, _asin, title, price in CATALOG:
                self.control.set_listing(sku, title=title, price=float(price), quantity=10)
        if initial_orders:
            self.orders.generate_many(initial_orders, spacing=3 * 86400 // initial_orders)

    # ------------------------------------------------------------------ hooks
    def error_response(self, call, status, code, message, details=None, headers=None):
        error = {"code": code, "message": message}
        if details:
            error["details"] = details
        headers = dict(headers or {})
        if status == 403 and code == "Unauthorized":
            headers.setdefault("x-amzn-ErrorType", "AccessDeniedException")
        return json_response({"errors": [error]}, status, headers)

    def throttled_response(self, call, throttle):
        return self.error_response(
            call, 429, "QuotaExceeded", "You exceeded your quota for the requested resource."
        )

    def invalid_request_response(self, call, messages):
        code = "BAD_REQUEST" if call.route.api in LISTINGS_APIS else "InvalidInput"
        return self.error_response(call, 400, code, "Invalid input.", "; ".join(messages))

    def injected_error_response(self, call, status):
        if status == 503:
            return self.error_response(
                call, 503, "ServiceUnavailable", "Service temporarily unavailable."
            )
        return self.error_response(
            call, status, "InternalFailure", "We encountered an internal error. Please try again."
        )

    def not_found_response(self, request):
        return self.error_response(None, 404, "NotFound", "Resource not found.")

    def authenticate(self, call):
        seller = self.lwa.check(call.request.headers.get("x-amz-access-token"))
        if seller is None:
            raise SimError(
                403,
                "Unauthorized",
                "Access to requested resource is denied.",
                "A grantless token cannot call a seller operation.",
            )
        return seller

    def decorate_response(self, call, response):
        response.headers["x-amzn-RequestId"] = self.request_id()
        limit = self.limiter.limits.get(call.route.rate_key) if call.route.rate_key else None
        if limit is not None and call.route.api:
            # Amazon prints the rate as a plain decimal ("0.0056"), no exponent.
            response.headers["x-amzn-RateLimit-Limit"] = f"{limit.rate:g}"

    # ---------------------------------------------------------------- helpers
    def sync(self):
        """Let time-driven work happen (order lifecycle, feed processing)."""
        self.orders.evolve()
        self.feeds.progress()

    def _marketplaces(self, call, values):
        unknown = [m for m in values if m not in self.marketplace_ids]
        if unknown:
            raise SimError(400, "InvalidInput", f"Invalid marketplaceIds: {', '.join(unknown)}.")
        return values

    def _included(self, call, default=()):
        values = call.arg_list("includedData")
        return set(values) if values else set(default)

    def _check_seller(self, call):
        if call.path_args["sellerId"] != call.account:
            raise SimError(
                403,
                "Unauthorized",
                "Access to requested resource is denied.",
                "sellerId does not belong to the authorised selling partner.",
            )

    def _time_arg(self, call, name):
        value = call.arg(name)
        if value is None:
            return None
        parsed = parse_datetime(value)
        if parsed is None:
            raise SimError(400, "InvalidInput", f"{name} is not an ISO 8601 date-time.")
        return parsed.timestamp()

    def _body(self, call):
        body = call.json
        if not isinstance(body, dict):
            raise SimError(400, "InvalidInput", "The request body must be a JSON object.")
        return body

    # ----------------------------------------------------------------- LWA
    @operation("POST", "/auth/o2/token", operation_id="lwaToken", auth=False, rate_key=None)
    def lwa_token(self, call):
        status, body = self.lwa.token(call.request.form)
        return json_response(body, status)

    @operation("POST", "/tokens/2021-03-01/restrictedDataToken", api="tokens_2021-03-01")
    def createRestrictedDataToken(self, call):
        self._body(call)
        # A restricted data token is accepted wherever an access token is.
        token = self.lwa.issue(call.account, prefix=RDT_PREFIX)
        return json_response({"restrictedDataToken": token, "expiresIn": TOKEN_TTL})

    # -------------------------------------------------------------- sellers
    @operation("GET", "/sellers/v1/marketplaceParticipations", api="sellers")
    def getMarketplaceParticipations(self, call):
        payload = [
            {
                "marketplace": {
                    "id": m.id,
                    "name": m.name,
                    "countryCode": m.country,
                    "defaultCurrencyCode": m.currency,
                    "defaultLanguageCode": m.language,
                    "domainName": m.domain,
                },
                "participation": {"isParticipating": True, "hasSuspendedListings": False},
                "storeName": "Simulated Store",
            }
            for m in (MARKETPLACES[i] for i in self.marketplace_ids)
        ]
        return json_response({"payload": payload})

    # --------------------------------------------------------------- orders
    @operation("GET", "/orders/2026-01-01/orders", api="orders_2026-01-01")
    def searchOrders(self, call):
        self.sync()
        query = self._page_query(call, "paginationToken")
        if query is None:
            query = self._search_query(call, SEARCH_2026)
            included = self._included(call)
            if included - INCLUDED_DATA:
                raise SimError(400, "InvalidInput", f"Unknown includedData {sorted(included)}.")
            query.update(
                included=sorted(included),
                statuses=call.arg_list("fulfillmentStatuses"),
                fulfilled_by=call.arg_list("fulfilledBy"),
            )
        page, token = self._page(query)
        body = {"orders": [self.orders.render(order, set(query["included"])) for order in page]}
        if token:
            body["pagination"] = {"nextToken": token}
        bound = "createdBefore" if query["field"] == "created" else "lastUpdatedBefore"
        body[bound] = query["before_text"]
        return json_response(body)

    @operation("GET", "/orders/v0/orders", api="ordersV0")
    def getOrders(self, call):
        self.sync()
        query = self._page_query(call, "NextToken")
        if query is None:
            order_ids = call.arg_list("AmazonOrderIds")
            query = self._search_query(call, SEARCH_V0, optional=bool(order_ids))
            query.update(
                statuses=[STATUS_FROM_V0.get(s, s) for s in call.arg_list("OrderStatuses")],
                fulfilled_by=[
                    CHANNEL_FROM_V0.get(c, c) for c in call.arg_list("FulfillmentChannels")
                ],
                order_ids=order_ids,
                pii=self._has_pii_access(call),
            )
        page, token = self._page(query)
        payload = {"Orders": [render_v0(self.orders, order, query["pii"]) for order in page]}
        if token:
            payload["NextToken"] = token
        bound = "CreatedBefore" if query["field"] == "created" else "LastUpdatedBefore"
        payload[bound] = query["before_text"]
        return json_response({"payload": payload})

    def _page_query(self, call, name):
        """The stored query behind a pagination token (other filters are then ignored)."""
        token = call.arg(name)
        if not token:
            return None
        query = self._pages.get(token)
        if query is None:
            raise SimError(400, "InvalidInput", f"Invalid or expired {name}.")
        return query

    def _page(self, query):
        found = self.orders.search(query)
        offset, size = query["offset"], query["size"]
        token = None
        if offset + size < len(found):
            token = f"{self.rng.getrandbits(96):024x}"
            self._pages[token] = {**query, "offset": offset + size}
        return found[offset : offset + size], token

    def _search_query(self, call, names, optional=False):
        """Date window, page size and marketplaces, shared by both Orders APIs' searches.

        ``optional``: the date filters may be absent (v0 with AmazonOrderIds).
        """
        created_after = self._time_arg(call, names.created_after)
        updated_after = self._time_arg(call, names.updated_after)
        both_missing = created_after is None and updated_after is None
        if (created_after is not None and updated_after is not None) or (
            both_missing and not optional
        ):
            raise SimError(
                400,
                "InvalidInput",
                f"Exactly one of {names.created_after} or {names.updated_after} is required.",
            )
        created_before = self._time_arg(call, names.created_before)
        updated_before = self._time_arg(call, names.updated_before)
        if (created_before is not None and created_after is None) or (
            updated_before is not None and updated_after is None
        ):
            raise SimError(
                400, "InvalidInput", "A *Before filter needs the matching *After filter."
            )
        latest = self.clock.now() - SETTLE_SECONDS
        after = created_after if created_after is not None else (updated_after or 0.0)
        before = created_before if created_before is not None else updated_before
        if before is None:
            before = latest
        elif before > latest:
            raise SimError(
                400, "InvalidInput", "The *Before date must be at least 2 minutes in the past."
            )
        if before < after:
            raise SimError(400, "InvalidInput", "The *Before date must be after the *After date.")
        size = call.arg(names.page_size, str(SEARCH_ORDERS_MAX_PAGE))
        if not size.isdigit() or not 1 <= int(size) <= SEARCH_ORDERS_MAX_PAGE:
            raise SimError(400, "InvalidInput", f"{names.page_size} must be between 1 and 100.")
        return {
            "field": "created" if created_after is not None else "updated",
            "after": after,
            "before": before,
            "before_text": isoformat(before),
            "marketplaces": self._marketplaces(call, call.arg_list(names.marketplaces)),
            "size": int(size),
            "offset": 0,
        }

    def _has_pii_access(self, call):
        return call.request.headers.get("x-amz-access-token", "").startswith(RDT_PREFIX)

    @operation(
        "GET",
        "/orders/2026-01-01/orders/<orderId>",
        operation_id="getOrder",
        api="orders_2026-01-01",
    )
    def get_order_2026(self, call):
        self.sync()
        order = self.orders.get(call.path_args["orderId"])
        return json_response({"order": self.orders.render(order, self._included(call))})

    @operation(
        "GET",
        "/orders/v0/orders/<orderId>",
        operation_id="getOrder",
        api="ordersV0",
        rate_key="ordersV0.getOrder",
    )
    def get_order_v0(self, call):
        self.sync()
        order = self.orders.get(call.path_args["orderId"])
        return json_response({"payload": render_v0(self.orders, order, self._has_pii_access(call))})

    @operation("GET", "/orders/v0/orders/<orderId>/orderItems", api="ordersV0")
    def getOrderItems(self, call):
        self.sync()
        order = self.orders.get(call.path_args["orderId"])
        return json_response(
            {"payload": {"AmazonOrderId": order["id"], "OrderItems": render_v0_items(order)}}
        )

    @operation("GET", "/orders/v0/orders/<orderId>/address", api="ordersV0")
    def getOrderAddress(self, call):
        self.sync()
        order = self.orders.get(call.path_args["orderId"])
        return json_response({"payload": render_v0_address(order, self._has_pii_access(call))})

    @operation("GET", "/orders/v0/orders/<orderId>/buyerInfo", api="ordersV0")
    def getOrderBuyerInfo(self, call):
        self.sync()
        order = self.orders.get(call.path_args["orderId"])
        return json_response({"payload": render_v0_buyer(order, self._has_pii_access(call))})

    @operation("POST", "/orders/v0/orders/<orderId>/shipmentConfirmation", api="ordersV0")
    def confirmShipment(self, call):
        self.sync()
        body = self._body(call)
        try:
            self.orders.confirm_shipment(call.path_args["orderId"], body)
        except (KeyError, TypeError) as exc:
            raise SimError(400, "InvalidInput", f"Missing or invalid field: {exc}") from exc
        return empty_response(204)

    # ------------------------------------------------------------- listings
    def _submission(self, call, result, preview=False):
        included = self._included(call, default=["issues"])
        body = {
            "sku": result.sku,
            "status": result.status,
            "submissionId": self.listings.submission_id(),
        }
        if "issues" in included:
            body["issues"] = result.issues
        if "identifiers" in included and preview and result.asin:
            body["identifiers"] = [
                {"marketplaceId": m, "asin": result.asin} for m in call.arg_list("marketplaceIds")
            ]
        return json_response(body)

    @operation(
        "PUT", "/listings/2021-08-01/items/<sellerId>/<path:sku>", api="listingsItems_2021-08-01"
    )
    def putListingsItem(self, call):
        self._check_seller(call)
        marketplaces = self._marketplaces(call, call.arg_list("marketplaceIds"))
        body = self._body(call)
        preview = call.arg("mode") == "VALIDATION_PREVIEW"
        result = self.listings.put(
            call.account,
            call.path_args["sku"],
            body.get("productType"),
            body.get("attributes"),
            body.get("requirements"),
            marketplaces,
            preview=preview,
        )
        return self._submission(call, result, preview)

    @operation(
        "PATCH", "/listings/2021-08-01/items/<sellerId>/<path:sku>", api="listingsItems_2021-08-01"
    )
    def patchListingsItem(self, call):
        self._check_seller(call)
        marketplaces = self._marketplaces(call, call.arg_list("marketplaceIds"))
        body = self._body(call)
        preview = call.arg("mode") == "VALIDATION_PREVIEW"
        result = self.listings.patch(
            call.account,
            call.path_args["sku"],
            body.get("productType"),
            body.get("patches") or [],
            marketplaces,
            preview=preview,
        )
        return self._submission(call, result, preview)

    @operation(
        "DELETE", "/listings/2021-08-01/items/<sellerId>/<path:sku>", api="listingsItems_2021-08-01"
    )
    def deleteListingsItem(self, call):
        self._check_seller(call)
        self._marketplaces(call, call.arg_list("marketplaceIds"))
        return self._submission(call, self.listings.delete(call.account, call.path_args["sku"]))

    @operation(
        "GET", "/listings/2021-08-01/items/<sellerId>/<path:sku>", api="listingsItems_2021-08-01"
    )
    def getListingsItem(self, call):
        self._check_seller(call)
        marketplaces = self._marketplaces(call, call.arg_list("marketplaceIds"))
        item = self.listings.get(call.account, call.path_args["sku"])
        if item is None:
            raise SimError(
                404, "NOT_FOUND", f"SKU '{call.path_args['sku']}' not found in marketplace."
            )
        return json_response(
            self.listings.render(item, marketplaces, self._included(call, ["summaries"]))
        )

    @operation("GET", "/listings/2021-08-01/items/<sellerId>", api="listingsItems_2021-08-01")
    def searchListingsItems(self, call):
        self._check_seller(call)
        marketplaces = self._marketplaces(call, call.arg_list("marketplaceIds"))
        included = self._included(call, ["summaries"])
        items = [
            item for (seller, _sku), item in self.listings.items.items() if seller == call.account
        ]
        identifiers = call.arg_list("identifiers")
        if identifiers:
            kind = call.arg("identifiersType")
            if kind not in ("SKU", "ASIN"):
                raise SimError(
                    400, "BAD_REQUEST", "identifiersType SKU or ASIN is required with identifiers."
                )
            key = "sku" if kind == "SKU" else "asin"
            items = [item for item in items if item[key] in identifiers]
        for name, field, compare in (
            ("createdAfter", "created", float.__ge__),
            ("createdBefore", "created", float.__le__),
            ("lastUpdatedAfter", "updated", float.__ge__),
            ("lastUpdatedBefore", "updated", float.__le__),
        ):
            bound = self._time_arg(call, name)
            if bound is not None:
                items = [item for item in items if compare(float(item[field]), bound)]
        sort_by = {"sku": "sku", "createdDate": "created"}.get(call.arg("sortBy"), "updated")
        items.sort(
            key=lambda item: (item[sort_by], item["sku"]),
            reverse=call.arg("sortOrder", "DESC") == "DESC",
        )
        size = call.arg("pageSize", "10")
        size = int(size) if size.isdigit() else 0
        if not 1 <= size <= 20:
            raise SimError(400, "BAD_REQUEST", "pageSize must be between 1 and 20.")
        offset = _decode_offset(call.arg("pageToken")) if call.arg("pageToken") else 0
        page = items[offset : offset + size]
        body = {
            "numberOfResults": len(items),
            "items": [self.listings.render(item, marketplaces, included) for item in page],
        }
        pagination = {}
        if offset + size < len(items):
            pagination["nextToken"] = _encode_token({"offset": offset + size})
        if offset:
            pagination["previousToken"] = _encode_token({"offset": max(0, offset - size)})
        if pagination:
            body["pagination"] = pagination
        return json_response(body)

    # ---------------------------------------------------------------- feeds
    @operation("POST", "/feeds/2021-06-30/documents", api="feeds_2021-06-30")
    def createFeedDocument(self, call):
        body = self._body(call)
        document_id = self.feeds.create_document(body.get("contentType") or "application/json")
        return json_response(
            {"feedDocumentId": document_id, "url": f"{call.base_url}/_documents/{document_id}"}, 201
        )

    @operation("POST", "/feeds/2021-06-30/feeds", api="feeds_2021-06-30")
    def createFeed(self, call):
        body = self._body(call)
        marketplaces = self._marketplaces(call, body.get("marketplaceIds") or [])
        if body.get("feedType") == "JSON_LISTINGS_FEED":
            # A second, feed-type bucket on top of createFeed's own one.
            throttle = self.limiter.acquire(call.account, LISTINGS_FEED_RATE_KEY)
            if throttle is not None:
                return self.throttled_response(call, throttle)
        feed_id = self.feeds.create_feed(
            call.account, body.get("feedType"), marketplaces, body.get("inputFeedDocumentId")
        )
        return json_response({"feedId": feed_id}, 202)

    @operation("GET", "/feeds/2021-06-30/feeds/<feedId>", api="feeds_2021-06-30")
    def getFeed(self, call):
        return json_response(self.feeds.get_feed(call.account, call.path_args["feedId"]))

    @operation("DELETE", "/feeds/2021-06-30/feeds/<feedId>", api="feeds_2021-06-30")
    def cancelFeed(self, call):
        self.feeds.cancel(call.account, call.path_args["feedId"])
        return empty_response(200)

    @operation("GET", "/feeds/2021-06-30/feeds", api="feeds_2021-06-30")
    def getFeeds(self, call):
        self.sync()
        token = call.arg("nextToken")
        if token:
            query = self._page_query(call, "nextToken")
        else:
            size = call.arg("pageSize", "10")
            query = {
                "types": call.arg_list("feedTypes"),
                "marketplaces": call.arg_list("marketplaceIds"),
                "statuses": call.arg_list("processingStatuses"),
                "since": self._time_arg(call, "createdSince") or self.clock.now() - 90 * 86400,
                "until": self._time_arg(call, "createdUntil") or self.clock.now(),
                "size": int(size) if size.isdigit() and 1 <= int(size) <= 100 else 0,
                "offset": 0,
            }
            if not query["types"]:
                raise SimError(400, "InvalidInput", "feedTypes is required without nextToken.")
            if not query["size"]:
                raise SimError(400, "InvalidInput", "pageSize must be between 1 and 100.")
        found = self.feeds.search(call.account, query)
        offset, size = query["offset"], query["size"]
        body = {"feeds": [self.feeds.render(feed) for feed in found[offset : offset + size]]}
        if offset + size < len(found):
            token = f"{self.rng.getrandbits(96):024x}"
            self._pages[token] = {**query, "offset": offset + size}
            body["nextToken"] = token
        return json_response(body)

    @operation("GET", "/feeds/2021-06-30/documents/<feedDocumentId>", api="feeds_2021-06-30")
    def getFeedDocument(self, call):
        self.sync()
        return json_response(
            self.feeds.document_info(call.path_args["feedDocumentId"], call.base_url)
        )

    # The pre-signed document URLs (S3 in production): no SP-API auth, no contract.
    @operation(
        "PUT",
        "/_documents/<documentId>",
        operation_id="uploadFeedDocument",
        auth=False,
        rate_key=None,
    )
    def upload_document(self, call):
        status, message = self.feeds.upload(
            call.path_args["documentId"], call.request.get_data(), call.request.content_type
        )
        return Response(message, status=status, content_type="text/plain")

    @operation(
        "GET",
        "/_documents/<documentId>",
        operation_id="downloadFeedDocument",
        auth=False,
        rate_key=None,
    )
    def download_document(self, call):
        status, data = self.feeds.download(call.path_args["documentId"])
        return Response(data, status=status, content_type="application/octet-stream")

    # ------------------------------------------------------------- finances
    @operation("GET", "/finances/v0/orders/<orderId>/financialEvents", api="financesV0")
    def listFinancialEventsByOrderId(self, call):
        self.sync()
        order = self.orders.orders.get(call.path_args["orderId"])
        # An unknown or unshipped order simply has no events yet (not a 404).
        events = shipment_events(order) if order else []
        return json_response(
            {"payload": {"FinancialEvents": {"ShipmentEventList": events, "RefundEventList": []}}}
        )
