"""A thin client of the Etsy Open API v3 over ``requests``.

* One ``requests.Session``, injectable (tests reach the simulator in-process), and one
  timeout on every request.
* Every call sends ``x-api-key: <keystring>:<shared_secret>`` (Etsy refuses the keystring
  alone since February 2026) and, for shop data, ``Authorization: Bearer <access token>``.
* Access tokens come from the caller's ``token_provider(force)``. Refresh tokens rotate
  (Etsy revokes the one just used), so refreshing and storing them is the caller's job,
  serialised across processes; :func:`refresh_access_token` is the grant it calls.
* One mapping of HTTP answers to :mod:`.exceptions`. A cut JSON body is an error, never
  "no listings".
* ``last_limits`` keeps the four ``x-limit-*`` headers of the last answer.

No retry loop and no sleep: a refused access token is replaced once (a re-login, as a
browser session would do), everything else is the caller's (a queue job's) decision.
Results are plain dicts as Etsy sends them; :mod:`.mapping` reads and writes them.
"""

import logging
import math
from collections.abc import Iterator

import requests

from .exceptions import (
    EtsyAuthError,
    EtsyNotFound,
    EtsyRequestError,
    EtsyThrottled,
    EtsyTransientError,
)

_logger = logging.getLogger(__name__)

API_URL = "https://openapi.etsy.com"
API_PREFIX = "/v3/application"
TOKEN_URL = "https://api.etsy.com/v3/public/oauth/token"
DEFAULT_TIMEOUT = 30
MAX_PAGE_SIZE = 100  # getListingsByShop ``limit`` maximum
#: ``last_limits`` keys, each the header of the same name (rate-limits doc).
LIMIT_HEADERS = (
    "x-limit-per-second",
    "x-remaining-this-second",
    "x-limit-per-day",
    "x-remaining-today",
)
#: The ``error`` of a 401 whose Bearer token alone was refused (expired, unknown, missing).
INVALID_TOKEN = "invalid_token"


def _int_header(headers, name):
    try:
        return int((headers.get(name) or "").strip())
    except ValueError:
        return None


def parse_limits(headers):
    """``{header: int or None}`` of the four ``x-limit-*`` headers of an answer."""
    return {name: _int_header(headers, name) for name in LIMIT_HEADERS}


def _retry_after(headers):
    """Seconds from ``retry-after`` (Etsy sends whole seconds), rounded up; None if absent."""
    try:
        seconds = float((headers.get("retry-after") or "").strip())
    except ValueError:
        return None
    return max(0, math.ceil(seconds))


def _error_fields(response):
    """(error, error_description) of Etsy's error body, or the HTTP reason."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and body.get("error"):
        return str(body["error"]), str(body.get("error_description") or "")
    return response.reason or "", ""


def _send(session, method, url, timeout, where, **kwargs):
    """``session.request`` with the timeout; no answer becomes :class:`EtsyTransientError`."""
    _logger.debug("Etsy %s", where)
    try:
        return session.request(method, url, timeout=timeout, **kwargs)
    except requests.Timeout as exc:
        raise EtsyTransientError(f"Etsy did not answer in time: {where}") from exc
    except (
        requests.ConnectionError,
        requests.exceptions.ChunkedEncodingError,
        requests.exceptions.ContentDecodingError,
    ) as exc:
        raise EtsyTransientError(f"Etsy could not be reached: {where} ({exc})") from exc


def _raise_for_status(response, where, token_endpoint=False):
    """Raise the error class of a non-2xx answer."""
    status = response.status_code
    if status < 400:
        return
    error, description = _error_fields(response)
    message = error or f"Etsy refused {where}"
    # OAuth-style bodies carry a code in ``error``; plain API errors a sentence.
    info = {"status": status, "code": error if description else "", "details": description}
    if status == 429:
        raise EtsyThrottled(message, retry_after=_retry_after(response.headers), **info)
    if status >= 500 or status == 408:
        raise EtsyTransientError(message, **info)
    if token_endpoint:
        # invalid_grant (revoked/expired refresh token), invalid_client: log in again by hand.
        raise EtsyAuthError(message, **info)
    if status in (401, 403):
        raise EtsyAuthError(message, retryable=status == 401 and error == INVALID_TOKEN, **info)
    if status == 404:
        raise EtsyNotFound(message, **info)
    raise EtsyRequestError(message, **info)


def _json(response, where):
    """The decoded body of a 2xx answer (None when empty); a cut body is transient."""
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError as exc:
        raise EtsyTransientError(
            f"Etsy sent an unreadable answer: {where}", status=response.status_code
        ) from exc


def refresh_access_token(
    keystring, refresh_token, *, session=None, token_url=TOKEN_URL, timeout=DEFAULT_TIMEOUT
) -> dict:
    """The refresh grant: Etsy's JSON (``access_token``, ``refresh_token``, ``expires_in``…).

    The answer's ``refresh_token`` is a NEW one and the one sent is revoked: store it before
    anything else. A revoked or expired refresh token is a non-retryable
    :class:`EtsyAuthError` (the seller must connect the shop again).
    """
    if not (keystring and refresh_token):
        raise EtsyAuthError("The Etsy keystring and a refresh token are required.")
    form = {"grant_type": "refresh_token", "client_id": keystring, "refresh_token": refresh_token}
    where = "POST oauth/token (refresh_token)"
    own = session is None
    session = session or requests.Session()
    try:
        response = _send(session, "POST", token_url, timeout, where, data=form)
    finally:
        if own:
            session.close()
    _raise_for_status(response, where, token_endpoint=True)
    tokens = _json(response, where)
    if not isinstance(tokens, dict) or not tokens.get("access_token"):
        raise EtsyTransientError(f"Etsy sent no access token: {where}", status=response.status_code)
    return tokens


class EtsyClient:
    """One Etsy shop through the Open API v3.

    :param api_key: the ``x-api-key`` value, ``"<keystring>:<shared_secret>"``
    :param token_provider: ``token_provider(force: bool) -> str``, the Bearer access token;
        ``force=True`` asks for a new one (the last one was refused). It is called with
        ``False`` for the first call needing a token and at most once with ``True`` per call.
    :param shop_id: the shop the token's user owns
    :param endpoint: base URL instead of ``https://openapi.etsy.com`` (simulator, proxy)
    :param session: a ``requests.Session`` to use; otherwise one is created and owned
    :param timeout: seconds, applied to every request
    """

    def __init__(
        self,
        api_key,
        token_provider,
        shop_id,
        *,
        endpoint=None,
        session=None,
        timeout=DEFAULT_TIMEOUT,
    ):
        if not api_key or ":" not in api_key:
            raise EtsyAuthError("The Etsy API key must be 'keystring:shared_secret'.")
        self.shop_id = int(shop_id)
        self.endpoint = (endpoint or API_URL).rstrip("/")
        self.timeout = timeout
        self._api_key = api_key
        self._token_provider = token_provider
        self._token = None
        self._owns_session = session is None
        self.session = session or requests.Session()
        #: ``x-limit-*`` headers of the last answer (429s included), ints or None.
        self.last_limits = dict.fromkeys(LIMIT_HEADERS)

    def __repr__(self):
        # Credentials stay out of logs and tracebacks.
        return f"<EtsyClient shop {self.shop_id}>"

    def close(self):
        if self._owns_session:
            self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    # ------------------------------------------------------------ plumbing
    def _headers(self, bearer, force=False):
        headers = {"x-api-key": self._api_key, "Accept": "application/json"}
        if bearer:
            if force or not self._token:
                self._token = self._token_provider(force)
            headers["Authorization"] = f"Bearer {self._token}"
        return headers

    def _call(self, method, path, *, bearer=True, params=None, json=None, data=None):
        url = f"{self.endpoint}{API_PREFIX}{path}"
        where = f"{method} {path}"
        kwargs = {"params": params, "json": json, "data": data}
        response = _send(
            self.session, method, url, self.timeout, where, headers=self._headers(bearer), **kwargs
        )
        self.last_limits = parse_limits(response.headers)
        if bearer and response.status_code == 401 and _error_fields(response)[0] == INVALID_TOKEN:
            # The access token expired or was revoked: one new token, the same request once.
            headers = self._headers(bearer, force=True)
            response = _send(
                self.session, method, url, self.timeout, where, headers=headers, **kwargs
            )
            self.last_limits = parse_limits(response.headers)
        _raise_for_status(response, where)
        return _json(response, where)

    # --------------------------------------------------------------- calls
    def ping(self) -> dict:
        """``ping``: ``{application_id}``; checks the API key only (no token needed)."""
        return self._call("GET", "/openapi-ping", bearer=False)

    def iter_shop_listings(self, state="active", limit=MAX_PAGE_SIZE, includes=()) -> Iterator:
        """``getListingsByShop``: yield every listing in ``state``, ``limit`` per page.

        ``includes`` asks for associations, e.g. ``("Inventory",)`` for every listing's
        products in the same calls. Paging is by ``offset``; a listing changing state
        meanwhile may be skipped or seen twice, as with any offset paging.
        """
        offset = 0
        while True:
            params = {"state": state, "limit": limit, "offset": offset}
            if includes:
                params["includes"] = list(includes)
            page = self._call("GET", f"/shops/{self.shop_id}/listings", params=params) or {}
            results = page.get("results") or []
            yield from results
            offset += len(results)
            if len(results) < limit or offset >= (page.get("count") or 0):
                return

    def get_listing_inventory(self, listing_id, show_deleted=False, with_listing=False) -> dict:
        """``getListingInventory``: products, offerings (Money prices), ``*_on_property``;
        with ``with_listing`` the listing itself too (``includes=Listing``: its state)."""
        params = {}
        if show_deleted:
            params["show_deleted"] = "true"
        if with_listing:
            params["includes"] = "Listing"
        return self._call("GET", f"/listings/{int(listing_id)}/inventory", params=params or None)

    def update_listing(self, listing_id, **fields) -> dict:
        """``updateListing`` (form body): change only ``fields``, e.g. ``state="inactive"``."""
        path = f"/shops/{self.shop_id}/listings/{int(listing_id)}"
        return self._call("PATCH", path, data=fields)

    def update_listing_inventory(self, listing_id, body) -> dict:
        """``updateListingInventory``: replace the WHOLE inventory; the new one.

        Build ``body`` with :func:`.mapping.inventory_update`: products left out are deleted.
        """
        return self._call("PUT", f"/listings/{int(listing_id)}/inventory", json=body)
