"""A thin client of eBay's REST Sell APIs (Inventory), on ``requests``.

What it adds to bare HTTP, for a connector running inside job workers:

* the user access token from the refresh-token grant, cached per process and
  account until shortly before it expires (eBay refresh tokens do not rotate);
  when eBay refuses the bearer anyway (401 / 1001) the client logs in again
  once and repeats that one request once: a re-login, not a retry loop;
* one timeout on every request and an injectable ``requests.Session`` (tests
  reach the simulator in-process);
* an endpoint override (eBay's sandbox, our simulator over loopback, a proxy);
* one mapping of HTTP answers to :mod:`.exceptions`, so a truncated JSON body
  is an error too, never an empty result.

No retry loop and no sleep here: the caller (a queue job) decides when to retry.
Results are plain dicts as eBay sends them; :mod:`.mapping` reads and builds them.
"""

import base64
import email.utils
import hashlib
import json
import logging
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

import requests

from .exceptions import (
    EbayAuthError,
    EbayNotFound,
    EbayRequestError,
    EbayThrottled,
    EbayTransientError,
)

_logger = logging.getLogger(__name__)

ENDPOINT = "https://api.ebay.com"
SANDBOX_ENDPOINT = "https://api.sandbox.ebay.com"
TOKEN_PATH = "/identity/v1/oauth2/token"
INVENTORY_PATH = "/sell/inventory/v1"
DEFAULT_TIMEOUT = 30
SCOPE_BASE = "https://api.ebay.com/oauth/api_scope"
#: What the connector calls: stock/price and listings, orders, business policies.
#: They must be among the scopes the seller consented to (else ``invalid_scope``).
DEFAULT_SCOPES = (
    f"{SCOPE_BASE}/sell.inventory",
    f"{SCOPE_BASE}/sell.fulfillment",
    f"{SCOPE_BASE}/sell.account",
)
#: bulkUpdatePriceQuantity takes at most 25 requests per call.
MAX_BULK_REQUESTS = 25
#: eBay's user access tokens live 7200 s; renew this long before they expire.
TOKEN_EXPIRY_MARGIN = 300
# Content-Language of Inventory writes, per marketplace (the language of the field values).
CONTENT_LANGUAGES = {
    "EBAY_US": "en-US",
    "EBAY_MOTORS_US": "en-US",
    "EBAY_CA": "en-CA",
    "EBAY_GB": "en-GB",
    "EBAY_AU": "en-AU",
    "EBAY_IE": "en-IE",
    "EBAY_DE": "de-DE",
    "EBAY_AT": "de-AT",
    "EBAY_CH": "de-CH",
    "EBAY_FR": "fr-FR",
    "EBAY_IT": "it-IT",
    "EBAY_ES": "es-ES",
    "EBAY_NL": "nl-NL",
    "EBAY_BE": "nl-BE",
    "EBAY_PL": "pl-PL",
}
# errorIds of getOffers' 404 meaning "this SKU has no offer" rather than a wrong URL.
_NO_OFFER_IDS = (25713, 25710)
_THROTTLED_ID = 2001
_NOT_FOUND_ID = 25710
# Bad configuration, not a network problem: retrying cannot help.
_INVALID_URL_ERRORS = (
    requests.exceptions.InvalidURL,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
    requests.exceptions.URLRequired,
)

# {key: (access token, monotonic expiry)}; the key is a digest of the credentials.
_token_cache = {}
_token_lock = threading.Lock()


def clear_token_cache():
    """Forget every cached eBay access token of this process (tests, credential changes)."""
    with _token_lock:
        _token_cache.clear()


def _retry_after(headers):
    """Seconds from a ``Retry-After`` header (seconds or HTTP date), else None."""
    value = (headers.get("Retry-After") or "").strip()
    if not value:
        return None
    if value.isdigit():
        return int(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0, int((when - datetime.now(UTC)).total_seconds()))


def _error_text(error):
    message = str(error.get("message") or "")
    long_message = str(error.get("longMessage") or "")
    if long_message and long_message not in message:
        return f"{message} {long_message}".strip()
    return message


def _body(response):
    """The JSON body, or None when it is not JSON."""
    if not response.content:
        return None
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def _error_fields(response):
    """``(message, error_id, details, code, errors)`` of a Sell or OAuth error body."""
    body = _body(response)
    reason = response.reason or ""
    if isinstance(body, dict) and isinstance(body.get("errors"), list) and body["errors"]:
        errors = [error for error in body["errors"] if isinstance(error, dict)]
        first = errors[0] if errors else {}
        parts = []
        long_message = str(first.get("longMessage") or "")
        if long_message and long_message not in str(first.get("message") or ""):
            parts.append(long_message)
        parts.extend(
            f"{parameter.get('name')}={parameter.get('value')}"
            for parameter in first.get("parameters") or []
            if isinstance(parameter, dict)
        )
        parts.extend(f"{error.get('errorId')}: {_error_text(error)}" for error in errors[1:])
        try:
            error_id = int(first.get("errorId") or 0)
        except (TypeError, ValueError):
            error_id = 0
        message = str(first.get("message") or "") or reason
        return message, error_id, "; ".join(parts), "", errors
    if isinstance(body, dict) and "error" in body:  # the OAuth token endpoint
        code = str(body["error"])
        return str(body.get("error_description") or code), 0, "", code, []
    return reason, 0, "", "", []


class EbayClient:
    """One seller account on one eBay marketplace, through the Sell REST APIs.

    :param marketplace_id: ``EBAY_US``, ``EBAY_DE``...: the marketplace of
        getOffers and ``X-EBAY-C-MARKETPLACE-ID``
    :param endpoint: override of ``https://api.ebay.com`` (sandbox, simulator)
    :param session: a ``requests.Session`` to use (tests inject one reaching the
        simulator in-process); otherwise one is created and owned
    :param timeout: seconds, applied to every request
    :param scopes: OAuth scopes asked for with each token (empty: all consented)
    :param content_language: ``Content-Language`` of Inventory writes (default:
        the marketplace's language)
    """

    def __init__(
        self,
        client_id,
        client_secret,
        refresh_token,
        marketplace_id="EBAY_US",
        *,
        endpoint=None,
        session=None,
        timeout=DEFAULT_TIMEOUT,
        scopes=DEFAULT_SCOPES,
        content_language=None,
    ):
        if not (client_id and client_secret and refresh_token):
            raise EbayAuthError("The eBay client id, client secret and refresh token are required.")
        if not marketplace_id:
            raise EbayRequestError("An eBay marketplace id is required.")
        self.client_id = client_id
        self._client_secret = client_secret
        self._refresh_token = refresh_token
        self.marketplace_id = marketplace_id
        self.endpoint = (endpoint or ENDPOINT).rstrip("/")
        self.timeout = timeout
        self.scopes = tuple(scopes or ())
        self.content_language = content_language or CONTENT_LANGUAGES.get(marketplace_id, "en-US")
        self._owns_session = session is None
        self.session = session if session is not None else requests.Session()

    def __repr__(self):
        # Credentials stay out of logs and tracebacks.
        return f"<EbayClient {self.marketplace_id} {self.client_id}>"

    def close(self):
        if self._owns_session:
            self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    # ------------------------------------------------------------------ token
    def _cache_key(self):
        # Another host, app, secret or scope set must not reuse a token; only a
        # digest is kept, not the secrets themselves.
        parts = (
            self.endpoint,
            self.client_id,
            self._client_secret,
            self._refresh_token,
            " ".join(self.scopes),
        )
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()

    def forget_access_token(self, token=None):
        """Drop this account's cached access token (only if it is ``token``, when given)."""
        key = self._cache_key()
        with _token_lock:
            cached = _token_cache.get(key)
            if cached and (token is None or cached[0] == token):
                del _token_cache[key]

    def _access_token(self):
        key = self._cache_key()
        with _token_lock:
            cached = _token_cache.get(key)
        if cached and cached[1] > time.monotonic():
            return cached[0]
        token, expires_in = self._login()
        margin = min(TOKEN_EXPIRY_MARGIN, expires_in / 2)
        with _token_lock:
            _token_cache[key] = (token, time.monotonic() + expires_in - margin)
        return token

    def _login(self):
        """The refresh-token grant: ``(access token, expires_in)``."""
        basic = base64.b64encode(f"{self.client_id}:{self._client_secret}".encode()).decode()
        form = {"grant_type": "refresh_token", "refresh_token": self._refresh_token}
        if self.scopes:
            form["scope"] = " ".join(self.scopes)
        headers = {
            "Authorization": f"Basic {basic}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        }
        response = self._send("POST", self.endpoint + TOKEN_PATH, headers=headers, data=form)
        body = self._check(response, f"POST {TOKEN_PATH}", token_endpoint=True)
        token = (body or {}).get("access_token") if isinstance(body, dict) else None
        if not token:
            raise EbayTransientError(
                f"eBay sent no access token: POST {TOKEN_PATH}", status=response.status_code
            )
        try:
            expires_in = max(0, int(body.get("expires_in") or 7200))
        except (TypeError, ValueError):
            expires_in = 0
        return token, expires_in

    # -------------------------------------------------------------- transport
    def _send(self, method, url, **kwargs):
        where = f"{method} {urlsplit(url).path}"
        _logger.debug("eBay %s", where)
        try:
            return self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.exceptions.Timeout as exc:
            raise EbayTransientError(f"eBay did not answer in time: {where}") from exc
        except _INVALID_URL_ERRORS as exc:
            raise EbayRequestError(f"Invalid eBay endpoint for {where}: {exc}") from exc
        except requests.exceptions.RequestException as exc:
            raise EbayTransientError(f"eBay could not be reached: {where} ({exc})") from exc

    def _check(self, response, where, token_endpoint=False):
        """The decoded JSON body of a successful answer (None when empty), else raise."""
        status = response.status_code
        request_id = response.headers.get("X-EBAY-C-REQUEST-ID", "")
        if status < 400:
            body = _body(response)
            if response.content and body is None:
                # A cut answer must not read as "no items" or "no errors".
                raise EbayTransientError(
                    f"eBay sent an unreadable answer: {where}", status=status, request_id=request_id
                )
            return body
        message, error_id, details, code, errors = _error_fields(response)
        message = message or f"eBay refused {where}"
        info = {
            "status": status,
            "error_id": error_id,
            "details": details,
            "code": code,
            "errors": errors,
            "request_id": request_id,
        }
        if status == 429 or error_id == _THROTTLED_ID:
            raise EbayThrottled(message, retry_after=_retry_after(response.headers), **info)
        if status >= 500 or status == 408:
            raise EbayTransientError(message, **info)
        if token_endpoint or status == 403:
            # invalid_grant, invalid_client, invalid_scope; 403 / 1100: scope not granted.
            raise EbayAuthError(message, **info)
        if status == 401:
            # 1001 Invalid access token: the caller has dropped it, a new login may work.
            raise EbayAuthError(message, retryable=True, **info)
        if status == 404 or error_id == _NOT_FOUND_ID:
            raise EbayNotFound(message, **info)
        raise EbayRequestError(message, **info)

    def _request(self, method, path, *, params=None, body=None):
        """One Sell API call; the decoded JSON answer (None when empty).

        A 401 drops the cached token, logs in once and sends the request once more.
        """
        url = self.endpoint + path
        headers = {"Accept": "application/json", "X-EBAY-C-MARKETPLACE-ID": self.marketplace_id}
        kwargs = {"params": params}
        if body is not None:
            headers["Content-Type"] = "application/json"
            if path.startswith(INVENTORY_PATH):
                headers["Content-Language"] = self.content_language
            kwargs["data"] = json.dumps(body).encode("utf-8")
        token = self._access_token()
        response = self._send(
            method, url, headers={**headers, "Authorization": f"Bearer {token}"}, **kwargs
        )
        if response.status_code == 401:
            self.forget_access_token(token)
            token = self._access_token()
            response = self._send(
                method, url, headers={**headers, "Authorization": f"Bearer {token}"}, **kwargs
            )
            if response.status_code == 401:
                self.forget_access_token(token)
        return self._check(response, f"{method} {path}")

    def _pages(self, path, key, limit, params=None):
        """Yield the ``key`` entries of each page; ``offset`` is a page index (Inventory)."""
        page = 0
        while True:
            query = {**(params or {}), "limit": limit, "offset": page}
            body = self._request("GET", path, params=query) or {}
            entries = body.get(key) or []
            yield from entries
            if not body.get("next") or not entries:
                return
            page += 1

    # -------------------------------------------------------------- inventory
    def count_inventory_items(self) -> int:
        """``getInventoryItems?limit=1``: the seller's item count; the connection test."""
        body = self._request("GET", f"{INVENTORY_PATH}/inventory_item", params={"limit": 1})
        return int((body or {}).get("total") or 0)

    def iter_inventory_items(self, limit=100) -> Iterator[dict]:
        """``getInventoryItems``: yield every inventory item, page after page (limit 1-200)."""
        if not 1 <= limit <= 200:
            raise ValueError("getInventoryItems takes a limit from 1 to 200.")
        yield from self._pages(f"{INVENTORY_PATH}/inventory_item", "inventoryItems", limit)

    def get_inventory_item(self, sku) -> dict:
        """``getInventoryItem``: the item (unknown SKU -> :class:`EbayNotFound`)."""
        return self._request("GET", f"{INVENTORY_PATH}/inventory_item/{quote(sku, safe='')}")

    def get_offers(self, sku) -> list[dict]:
        """``getOffers`` of ``sku`` on the client's marketplace ([] when it has none)."""
        params = {"sku": sku, "marketplace_id": self.marketplace_id}
        try:
            return list(self._pages(f"{INVENTORY_PATH}/offer", "offers", 100, params))
        except EbayNotFound as exc:
            # eBay answers 404 / 25713 "This Offer is not available" for a SKU without offers.
            if exc.error_id in _NO_OFFER_IDS:
                return []
            raise

    def bulk_update_price_quantity(self, requests) -> list[dict]:
        """``bulkUpdatePriceQuantity``: the per-entry ``responses`` (HTTP 200 and 207).

        :param requests: at most 25 ``PriceQuantity`` items (see
            :func:`.mapping.stock_request`, :func:`.mapping.price_request`);
            more raise ValueError before anything is sent. Read the outcome per
            SKU with :func:`.mapping.bulk_results`.
        """
        entries = list(requests)
        if len(entries) > MAX_BULK_REQUESTS:
            raise ValueError(
                f"bulkUpdatePriceQuantity takes at most {MAX_BULK_REQUESTS} requests, "
                f"got {len(entries)}."
            )
        if not entries:
            return []
        path = f"{INVENTORY_PATH}/bulk_update_price_quantity"
        body = self._request("POST", path, body={"requests": entries})
        return list((body or {}).get("responses") or [])
