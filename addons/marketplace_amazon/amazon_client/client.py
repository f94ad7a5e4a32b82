"""A thin client of the Amazon Selling Partner API over python-amazon-sp-api.

The library supplies the endpoints, the LWA token exchange and its token
cache. This module adds what it lacks for a connector running inside job
workers:

* one ``httpx.Client`` with a timeout for every call, injectable in tests
  (the library's feed upload/download open their own client without one);
* an endpoint override (Amazon's sandbox, our simulator, a proxy);
* one mapping of HTTP answers to :mod:`.exceptions`, at the transport, so a
  429 or 5xx without an ``errors`` body (which the library returns as a normal
  response) and a truncated JSON body are errors too;
* the feed steps split apart, so each can run in its own job.

No retry loop and no sleep here: the caller (a queue job) decides when to retry.
Results are plain dicts as Amazon sends them; :mod:`.mapping` reads them.
"""

import gzip
import json
import logging
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC
from urllib.parse import urlsplit

import httpx
from sp_api.api.feeds.feeds_2021_06_30 import FeedsV20210630
from sp_api.api.finances.finances_v0 import FinancesV0
from sp_api.api.listings_items.listings_items_2021_08_01 import ListingsItemsV20210801
from sp_api.api.orders.orders_2026_01_01 import OrdersV20260101
from sp_api.api.orders.orders_v0 import OrdersV0
from sp_api.api.sellers.sellers import Sellers
from sp_api.auth import AccessTokenClient
from sp_api.auth import access_token_client as token_cache_module
from sp_api.auth._core import build_cache_key
from sp_api.auth.exceptions import AuthorizationError
from sp_api.base import Marketplaces, fill_query_params, sp_endpoint

from .exceptions import (
    AmazonAuthError,
    AmazonNotFound,
    AmazonRequestError,
    AmazonThrottled,
    AmazonTransientError,
)

_logger = logging.getLogger(__name__)

ENDPOINTS = {
    "na": "https://sellingpartnerapi-na.amazon.com",
    "eu": "https://sellingpartnerapi-eu.amazon.com",
    "fe": "https://sellingpartnerapi-fe.amazon.com",
}
SANDBOX_ENDPOINTS = {
    region: url.replace("https://", "https://sandbox.") for region, url in ENDPOINTS.items()
}
LWA_URL = "https://api.amazon.com/auth/o2/token"
DEFAULT_TIMEOUT = 30.0
# The marketplace the library is built with only sets its default marketplace id,
# which we always override; any member of the right region will do.
_LIBRARY_MARKETPLACE = {"na": Marketplaces.US, "eu": Marketplaces.DE, "fe": Marketplaces.JP}
#: Orders 2026-01-01 datasets the mapping reads (BUYER/RECIPIENT need the PII roles).
ORDER_INCLUDED_DATA = (
    "BUYER",
    "RECIPIENT",
    "PROCEEDS",
    "PROMOTION",
    "CANCELLATION",
    "FULFILLMENT",
    "PACKAGES",
    "TAX",
)
LISTING_INCLUDED_DATA = ("summaries", "offers", "fulfillmentAvailability")
FEED_CONTENT_TYPE = "application/json; charset=UTF-8"
JSON_LISTINGS_FEED = "JSON_LISTINGS_FEED"
FEED_DONE_STATUSES = ("DONE", "FATAL", "CANCELLED")


def clear_token_cache():
    """Forget every cached LWA access token of this process (tests, credential changes)."""
    token_cache_module.cache.clear()


def _isoformat(value):
    """ISO 8601 in UTC as Amazon wants it; naive datetimes are taken as UTC."""
    if value is None or isinstance(value, str):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _csv(values):
    # Amazon documents comma-delimited lists; the library would repeat the key instead.
    return ",".join(values) if values else None


def _retry_after(headers):
    """Seconds to wait after a 429, from ``Retry-After`` or else the operation's rate."""
    value = (headers.get("retry-after") or "").strip()
    if value.isdigit():
        return int(value)
    try:
        rate = float(headers.get("x-amzn-ratelimit-limit") or "")
    except ValueError:
        return None
    # One request every 1/rate seconds refills the token bucket by one.
    return math.ceil(1 / rate) if rate > 0 else None


def _error_fields(response):
    """(code, message, details) of an SP-API ``errors`` body or an OAuth error body."""
    try:
        body = response.json()
    except ValueError:
        return "", response.reason_phrase or "", ""
    if isinstance(body, dict) and isinstance(body.get("errors"), list) and body["errors"]:
        error = body["errors"][0] if isinstance(body["errors"][0], dict) else {}
        return error.get("code", ""), error.get("message", ""), error.get("details", "")
    if isinstance(body, dict) and "error" in body:  # LWA answers OAuth-style
        return str(body["error"]), str(body.get("error_description", "")), ""
    return "", response.reason_phrase or "", ""


class _Transport:
    """The transport python-amazon-sp-api calls; turns every failure into our errors.

    ``kind`` tells how to read an error: ``api`` (SP-API), ``lwa`` (token
    endpoint: any 4xx is a credentials problem) or ``document`` (pre-signed
    feed document URLs: no SP-API headers, S3-style errors).
    """

    #: ``x-amzn-RateLimit-Limit`` of the last successful answer, if Amazon sent one.
    last_rate_limit = None

    def __init__(self, http, timeout, kind, on_access_denied=None):
        self.http = http
        self.timeout = timeout
        self.kind = kind
        self.on_access_denied = on_access_denied

    def request(self, method, url, *, params=None, data=None, content=None, headers=None):
        # The library sets Host to ``endpoint[8:]``, wrong for http:// endpoints:
        # httpx derives the right one from the URL.
        headers = {k: v for k, v in (headers or {}).items() if k.lower() != "host"}
        where = f"{method} {urlsplit(url).path}"
        _logger.debug("Amazon %s", where)
        try:
            response = self.http.request(
                method,
                url,
                params=params,
                data=data,
                content=content,
                headers=headers,
                timeout=self.timeout,
            )
        except httpx.TimeoutException as exc:
            raise AmazonTransientError(f"Amazon did not answer in time: {where}") from exc
        except httpx.TransportError as exc:
            raise AmazonTransientError(f"Amazon could not be reached: {where} ({exc})") from exc
        self._check(response, where)
        try:
            # The rate Amazon applies to this operation for this seller, when it says so.
            self.last_rate_limit = float(response.headers.get("x-amzn-ratelimit-limit") or "")
        except ValueError:
            self.last_rate_limit = None
        return response

    def _check(self, response, where):
        status = response.status_code
        request_id = response.headers.get("x-amzn-requestid", "")
        if status < 400:
            if self.kind != "document" and response.content:
                try:
                    json.loads(response.content)
                except ValueError as exc:
                    # A cut answer must not read as "no orders" or "no errors".
                    raise AmazonTransientError(
                        f"Amazon sent an unreadable answer: {where}",
                        status=status,
                        request_id=request_id,
                    ) from exc
            return
        code, message, details = _error_fields(response)
        message = message or f"Amazon refused {where}"
        info = {"status": status, "code": code, "details": details, "request_id": request_id}
        if status == 429:
            raise AmazonThrottled(message, retry_after=_retry_after(response.headers), **info)
        if status >= 500 or status == 408:
            raise AmazonTransientError(message, **info)
        if self.kind == "lwa":
            raise AmazonAuthError(message, **info)
        if self.kind == "api" and status in (401, 403):
            if self.on_access_denied:
                # The cached access token may be the cause: log in again next time.
                self.on_access_denied()
            expired = "expired" in f"{message} {details}".lower()
            raise AmazonAuthError(message, retryable=expired, **info)
        if status == 404:
            raise AmazonNotFound(message, **info)
        raise AmazonRequestError(message, **info)

    def close(self):
        """The http client belongs to :class:`AmazonClient`, which closes it."""


class _Feeds(FeedsV20210630):
    """The library's getFeedDocument also downloads, with its own http client."""

    @sp_endpoint("/feeds/2021-06-30/documents/{}", method="GET")
    def get_feed_document_info(self, feed_document_id, **kwargs):
        return self._request(
            fill_query_params(kwargs.pop("path"), feed_document_id),
            params=kwargs,
            add_marketplace=False,
        )


@dataclass(frozen=True)
class OrdersPage:
    """One page of ``searchOrders``; ``*_before`` is the bound Amazon applied."""

    orders: list
    next_token: str | None = None
    last_updated_before: str | None = None
    created_before: str | None = None


class AmazonClient:
    """One seller account on one region of the Selling Partner API.

    :param marketplace_ids: the marketplaces sold on (the first one is the
        default of single-marketplace calls)
    :param endpoint: override of the region's SP-API host (sandbox, simulator)
    :param lwa_url: the LWA token URL (a simulator serves it too)
    :param http_client: an ``httpx.Client`` to use (tests inject one reaching the
        simulator in-process); otherwise one is created and owned
    :param timeout: seconds, applied to every request
    """

    def __init__(
        self,
        *,
        client_id,
        client_secret,
        refresh_token,
        seller_id,
        marketplace_ids,
        region="eu",
        endpoint=None,
        sandbox=False,
        lwa_url=LWA_URL,
        http_client=None,
        timeout=DEFAULT_TIMEOUT,
    ):
        if region not in ENDPOINTS:
            raise ValueError(f"Unknown Amazon region {region!r}; expected one of {list(ENDPOINTS)}")
        if not (client_id and client_secret and refresh_token):
            raise AmazonAuthError(
                "The LWA client id, client secret and refresh token are required."
            )
        if not marketplace_ids:
            raise AmazonRequestError("At least one Amazon marketplace id is required.")
        self.seller_id = seller_id
        self.marketplace_ids = list(marketplace_ids)
        self.region = region
        self.endpoint = (endpoint or (SANDBOX_ENDPOINTS if sandbox else ENDPOINTS)[region]).rstrip(
            "/"
        )
        self.lwa_url = lwa_url
        self.timeout = timeout
        self._credentials = {"lwa_app_id": client_id, "lwa_client_secret": client_secret}
        self._refresh_token = refresh_token
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client(timeout=timeout)
        self._api_transport = _Transport(
            self._http, timeout, "api", on_access_denied=self.forget_access_token
        )
        self._lwa_transport = _Transport(self._http, timeout, "lwa")
        self._document_transport = _Transport(self._http, timeout, "document")
        self._apis = {}

    def __repr__(self):
        # Credentials stay out of logs and tracebacks.
        return f"<AmazonClient {self.region} {self.seller_id}>"

    def close(self):
        if self._owns_http:
            self._http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    # ------------------------------------------------------------ plumbing
    def _cache_key(self):
        # The library keys its process-wide token cache by refresh token only;
        # another LWA host, app or secret must not reuse a token (the key is an md5).
        credentials = self._credentials
        flavor = f"{self.lwa_url}|{credentials['lwa_app_id']}|{credentials['lwa_client_secret']}|"
        return build_cache_key(self._refresh_token, flavor)

    @property
    def last_rate_limit(self):
        """The rate (requests/s) Amazon said applies to the last API call, or None."""
        return self._api_transport.last_rate_limit

    def forget_access_token(self):
        """Drop this account's cached access token (it expired or was refused)."""
        token_cache_module.cache.pop(self._cache_key(), None)

    def _token_client_class(self):
        parts = urlsplit(self.lwa_url)
        transport, cache_key = self._lwa_transport, self._cache_key()

        class TokenClient(AccessTokenClient):
            scheme = f"{parts.scheme}://"
            host = parts.netloc
            path = parts.path

            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self._transport.close()
                self._transport = transport

            def _get_cache_key(self, token_flavor=""):
                return cache_key if not token_flavor else f"{cache_key}|{token_flavor}"

        return TokenClient

    def _api(self, cls):
        api = self._apis.get(cls)
        if api is None:
            api = cls(
                marketplace=_LIBRARY_MARKETPLACE[self.region],
                refresh_token=self._refresh_token,
                credentials=self._credentials,
                auth_token_client_class=self._token_client_class(),
                timeout=self.timeout,
            )
            api._transport.close()
            api._transport = self._api_transport
            api.endpoint = self.endpoint
            api.marketplace_id = self.marketplace_ids[0]
            self._apis[cls] = api
        return api

    def _call(self, function, *args, **kwargs):
        """Call a library method; LWA failures become :class:`AmazonAuthError`."""
        try:
            return function(*args, **kwargs)
        except AuthorizationError as exc:  # raised by the library from an LWA answer
            raise AmazonAuthError(
                exc.message or "Login with Amazon refused the credentials.",
                status=exc.status_code or 0,
                code=exc.error_code or "",
            ) from exc

    def _seller(self):
        if not self.seller_id:
            raise AmazonRequestError("The Amazon seller id is required for listings.")
        return self.seller_id

    # -------------------------------------------------------------- sellers
    def get_marketplace_participations(self):
        """``getMarketplaceParticipations``: the cheap authenticated call of a connection test."""
        return self._call(self._api(Sellers).get_marketplace_participation).payload

    # --------------------------------------------------------------- orders
    def search_orders(
        self,
        *,
        last_updated_after=None,
        created_after=None,
        last_updated_before=None,
        created_before=None,
        fulfillment_statuses=(),
        fulfilled_by=(),
        marketplace_ids=None,
        included_data=ORDER_INCLUDED_DATA,
        page_size=100,
        pagination_token=None,
    ) -> Iterator[OrdersPage]:
        """``searchOrders`` (Orders 2026-01-01): yield one :class:`OrdersPage` per call.

        Give exactly one of ``last_updated_after`` / ``created_after`` (datetime
        or ISO string). Amazon wants the same filters again with each
        ``paginationToken``, so they are repeated.
        """
        api = self._api(OrdersV20260101)
        params = {
            "lastUpdatedAfter": _isoformat(last_updated_after),
            "createdAfter": _isoformat(created_after),
            "lastUpdatedBefore": _isoformat(last_updated_before),
            "createdBefore": _isoformat(created_before),
            "fulfillmentStatuses": _csv(fulfillment_statuses),
            "fulfilledBy": _csv(fulfilled_by),
            "marketplaceIds": _csv(marketplace_ids or self.marketplace_ids),
            "includedData": _csv(included_data),
            "maxResultsPerPage": page_size,
        }
        params = {key: value for key, value in params.items() if value is not None}
        token = pagination_token
        while True:
            query = {**params, "paginationToken": token} if token else params
            response = self._call(api.search_orders, **query)
            # ApiResponse keeps ``pagination`` out of the payload; next_token reads it.
            body, token = response.payload, response.next_token
            yield OrdersPage(
                orders=body.get("orders") or [],
                next_token=token,
                last_updated_before=body.get("lastUpdatedBefore"),
                created_before=body.get("createdBefore"),
            )
            if not token:
                return

    def get_order(self, order_id, included_data=ORDER_INCLUDED_DATA):
        """``getOrder`` (Orders 2026-01-01): the order object."""
        api = self._api(OrdersV20260101)
        kwargs = {"includedData": _csv(included_data)} if included_data else {}
        return self._call(api.get_order, order_id, **kwargs).payload["order"]

    def confirm_shipment(self, order_id, package_detail, marketplace_id=None):
        """``confirmShipment`` (Orders v0, the only shipment call): 204 on success."""
        api = self._api(OrdersV0)
        self._call(
            api.confirm_shipment,
            order_id,
            marketplaceId=marketplace_id or self.marketplace_ids[0],
            packageDetail=package_detail,
        )

    # ------------------------------------------------------------- listings
    def _listing_params(self, included_data=None, preview=False, marketplace_ids=None):
        params = {"marketplaceIds": _csv(marketplace_ids or self.marketplace_ids)}
        if included_data:
            params["includedData"] = _csv(included_data)
        if preview:
            params["mode"] = "VALIDATION_PREVIEW"
        return params

    def get_listings_item(self, sku, included_data=LISTING_INCLUDED_DATA, marketplace_ids=None):
        """``getListingsItem``: the item (404 → :class:`AmazonNotFound`)."""
        api = self._api(ListingsItemsV20210801)
        params = self._listing_params(included_data, marketplace_ids=marketplace_ids)
        return self._call(api.get_listings_item, self._seller(), sku, **params).payload

    def search_listings_items(
        self, included_data=LISTING_INCLUDED_DATA, page_size=20, skus=None
    ) -> Iterator[dict]:
        """``searchListingsItems``: yield every item of the seller, page after page."""
        api = self._api(ListingsItemsV20210801)
        params = self._listing_params(included_data)
        params["pageSize"] = page_size
        if skus:
            params.update(identifiers=_csv(skus), identifiersType="SKU")
        token = None
        while True:
            query = {**params, "pageToken": token} if token else params
            response = self._call(api.search_listings_items, self._seller(), **query)
            yield from response.payload.get("items") or []
            token = response.next_token
            if not token:
                return

    def put_listings_item(
        self, sku, product_type, attributes, requirements=None, preview=False, marketplace_id=None
    ) -> dict:
        """``putListingsItem`` (full replace): the submission (``status``, ``issues``).

        Amazon takes one marketplace here (default: the first one). An INVALID
        submission comes back with HTTP 200: read ``status``.
        """
        api = self._api(ListingsItemsV20210801)
        body = {"productType": product_type, "attributes": attributes}
        if requirements:
            body["requirements"] = requirements
        marketplace_ids = [marketplace_id or self.marketplace_ids[0]]
        params = self._listing_params(preview=preview, marketplace_ids=marketplace_ids)
        return self._call(api.put_listings_item, self._seller(), sku, body=body, **params).payload

    def patch_listings_item(self, sku, product_type, patches, preview=False) -> dict:
        """``patchListingsItem``: the submission (``status``, ``issues``), HTTP 200 when INVALID."""
        api = self._api(ListingsItemsV20210801)
        body = {"productType": product_type, "patches": list(patches)}
        params = self._listing_params(preview=preview)
        return self._call(api.patch_listings_item, self._seller(), sku, body=body, **params).payload

    # ---------------------------------------------------------------- feeds
    def create_feed_document(self, content_type=FEED_CONTENT_TYPE) -> dict:
        """``createFeedDocument``: ``{feedDocumentId, url}`` (the URL lives 5 minutes)."""
        api = self._api(_Feeds)
        return self._call(api.create_feed_document, None, content_type).payload

    def upload_feed_document(self, url, data: bytes, content_type=FEED_CONTENT_TYPE):
        """PUT the document on its pre-signed URL (no SP-API token goes there)."""
        self._document_transport.request(
            "PUT", url, content=data, headers={"Content-Type": content_type}
        )

    def upload_listings_feed(self, document: dict) -> str:
        """Steps 1-2 of a JSON_LISTINGS_FEED: create the document, upload it; its id."""
        created = self.create_feed_document()
        data = json.dumps(document, ensure_ascii=False).encode("utf-8")
        self.upload_feed_document(created["url"], data)
        return created["feedDocumentId"]

    def create_feed(self, feed_document_id, feed_type=JSON_LISTINGS_FEED, marketplace_ids=None):
        """``createFeed``: the feed id (processing is asynchronous)."""
        api = self._api(_Feeds)
        payload = self._call(
            api.create_feed,
            feed_type,
            feed_document_id,
            marketplaceIds=list(marketplace_ids or self.marketplace_ids),
        ).payload
        return payload["feedId"]

    def submit_listings_feed(self, document: dict) -> str:
        """Upload a JSON_LISTINGS_FEED document and create the feed; the feed id."""
        return self.create_feed(self.upload_listings_feed(document))

    def get_feed(self, feed_id) -> dict:
        """``getFeed``: ``processingStatus`` and, once done, ``resultFeedDocumentId``."""
        return self._call(self._api(_Feeds).get_feed, feed_id).payload

    def get_feed_document(self, feed_document_id) -> dict:
        """``getFeedDocument``: ``{url, compressionAlgorithm?}`` of a (result) document."""
        api = self._api(_Feeds)
        return self._call(api.get_feed_document_info, feed_document_id).payload

    def download_feed_document(self, document_info: dict) -> bytes:
        """The document's bytes, gunzipped when Amazon says GZIP."""
        response = self._document_transport.request("GET", document_info["url"])
        data = response.content
        if document_info.get("compressionAlgorithm") == "GZIP":
            try:
                data = gzip.decompress(data)
            except OSError as exc:
                raise AmazonTransientError("The feed document is not valid GZIP.") from exc
        return data

    def get_feed_report(self, result_feed_document_id) -> dict:
        """Steps 4-5: fetch and parse the JSON processing report of a finished feed."""
        data = self.download_feed_document(self.get_feed_document(result_feed_document_id))
        try:
            return json.loads(data.decode("utf-8"))
        except ValueError as exc:
            raise AmazonTransientError("The feed processing report is not valid JSON.") from exc

    # ------------------------------------------------------------- finances
    def iter_financial_events(self, order_id, page_size=100) -> Iterable[dict]:
        """``listFinancialEventsByOrderId``: yield the ``FinancialEvents`` of each page."""
        api = self._api(FinancesV0)
        token = None
        while True:
            query = {"MaxResultsPerPage": page_size}
            if token:
                query["NextToken"] = token
            response = self._call(api.get_financial_events_for_order, order_id, **query)
            yield response.payload.get("FinancialEvents") or {}
            token = response.next_token
            if not token:
                return
