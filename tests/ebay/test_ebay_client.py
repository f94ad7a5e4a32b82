"""ebay_client against the in-process eBay simulator (every call contract-validated)."""

import json
import subprocess
import sys
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from ebay_client import (
    DEFAULT_SCOPES,
    EbayAuthError,
    EbayClient,
    EbayError,
    EbayNotFound,
    EbayRequestError,
    EbayThrottled,
    EbayTransientError,
    clear_token_cache,
    mapping,
)
from marketplace_sim.core import LoopbackServer
from marketplace_sim.core.transport import WSGIAdapter, requests_session
from marketplace_sim.ebay import EbaySimulator
from marketplace_sim.ebay.auth import ACCESS_TOKEN_TTL, BASE_SCOPE, INVALID_GRANT
from marketplace_sim.ebay.contract_calls import HOST, EbayTestClient
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

INVENTORY = "/sell/inventory/v1"


@pytest.fixture
def sim():
    # Access tokens are cached for the whole process.
    clear_token_cache()
    yield EbaySimulator(seed=13, orders=0)
    clear_token_cache()


@pytest.fixture
def seller(sim):
    """The simulator's raw client: sets up items and offers the way Seller Hub would."""
    return EbayTestClient(sim)


def make_client(sim, **overrides):
    """An EbayClient whose calls reach ``sim`` in-process."""
    credentials = sim.control.credentials()
    kwargs = {
        "client_id": credentials["client_id"],
        "client_secret": credentials["client_secret"],
        "refresh_token": credentials["refresh_token"],
        "endpoint": HOST,
        "session": requests_session(sim, HOST),
        "timeout": 10,
    }
    kwargs.update(overrides)
    return EbayClient(**kwargs)


def operations(sim, since=0):
    """``(operationId, status)`` of the calls the simulator received from index ``since``."""
    return [(op, status) for _method, _path, op, status in sim.calls[since:]]


def item_quantity(sim, sku):
    item = sim.inventory.items[sku]["item"]
    return item["availability"]["shipToLocationAvailability"]["quantity"]


class RecordingAdapter(WSGIAdapter):
    """The simulator's in-process adapter, keeping each request and its timeout."""

    def __init__(self, app):
        super().__init__(app)
        self.sent = []

    def send(self, request, stream=False, timeout=None, **kwargs):
        self.sent.append((request, timeout))
        return super().send(request, stream=stream, timeout=timeout, **kwargs)


def recording_session(sim):
    adapter = RecordingAdapter(sim)
    session = requests.Session()
    session.mount(HOST, adapter)
    return session, adapter


class FakeAdapter(BaseAdapter):
    """Answers every request with ``handler(request)``: a requests.Response or an exception."""

    def __init__(self, handler):
        super().__init__()
        self.handler = handler
        self.sent = []

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        self.sent.append((request, timeout))
        return self.handler(request)

    def close(self):
        pass


def fake_response(request, status, body=None, headers=None, content=None):
    response = requests.Response()
    response.status_code = status
    response.reason = "Reason"
    response.headers = CaseInsensitiveDict(headers or {})
    if content is None:
        content = b"" if body is None else json.dumps(body).encode()
    response._content = content
    response.url = request.url
    response.request = request
    return response


def fake_ebay(handler):
    """A session whose token calls succeed and whose API calls ``handler`` answers."""

    def dispatch(request):
        if urlsplit(request.url).path == "/identity/v1/oauth2/token":
            return fake_response(
                request, 200, {"access_token": f"v^1.1#t{len(adapter.sent)}", "expires_in": 7200}
            )
        return handler(request)

    adapter = FakeAdapter(dispatch)
    session = requests.Session()
    session.mount("https://", adapter)
    return session, adapter


def fake_client(sim, handler, **overrides):
    session, adapter = fake_ebay(handler)
    return make_client(sim, session=session, **overrides), adapter


# ---------------------------------------------------------------- package
def test_import_does_not_load_odoo():
    """ebay_client is pure: importing it never pulls in Odoo."""
    code = (
        "import sys, ebay_client, ebay_client.client, ebay_client.mapping; "
        "sys.exit(1 if any(m == 'odoo' or m.startswith('odoo.') for m in sys.modules) else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], check=False, env={"PYTHONPATH": ":".join(sys.path)}
    )
    assert result.returncode == 0


def test_missing_credentials_are_an_auth_error(sim):
    with pytest.raises(EbayAuthError):
        make_client(sim, refresh_token="")


def test_repr_hides_the_secrets(sim):
    credentials = sim.control.credentials()
    text = repr(make_client(sim))
    assert credentials["client_secret"] not in text
    assert credentials["refresh_token"] not in text
    assert "EBAY_US" in text


# ------------------------------------------------------------------ token
def test_token_obtained_once_and_reused(sim, seller):
    """One refresh grant serves every call of every client of the same account."""
    seller.list_item("MUG-1")
    start = len(sim.calls)
    client = make_client(sim)
    assert client.count_inventory_items() == 1
    assert [offer["sku"] for offer in client.get_offers("MUG-1")] == ["MUG-1"]
    assert make_client(sim).count_inventory_items() == 1  # a second client, same account
    assert operations(sim, start) == [
        ("getToken", 200),
        ("getInventoryItems", 200),
        ("getOffers", 200),
        ("getInventoryItems", 200),
    ]


def test_token_request_is_the_refresh_grant(sim):
    """Basic client_id:client_secret, form grant_type/refresh_token/scope, on the token path."""
    session, adapter = recording_session(sim)
    make_client(sim, session=session).count_inventory_items()
    token_request = adapter.sent[0][0]
    assert urlsplit(token_request.url).path == "/identity/v1/oauth2/token"
    assert token_request.headers["Authorization"].startswith("Basic ")
    assert token_request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    form = parse_qs(token_request.body)
    credentials = sim.control.credentials()
    assert form == {
        "grant_type": ["refresh_token"],
        "refresh_token": [credentials["refresh_token"]],
        "scope": [" ".join(DEFAULT_SCOPES)],
    }


def test_other_account_gets_its_own_token(sim):
    """Another refresh token (another seller) must not reuse the cached token."""
    other = sim.control.issue_refresh_token()
    start = len(sim.calls)
    make_client(sim).count_inventory_items()
    make_client(sim, refresh_token=other).count_inventory_items()
    assert [op for op, _ in operations(sim, start)].count("getToken") == 2


def test_scope_beyond_the_consent_is_an_auth_error(sim):
    """A seller who consented to sell.inventory only: the default scopes are refused by
    the token endpoint; asking for what was granted works."""
    inventory_only = [BASE_SCOPE, f"{BASE_SCOPE}/sell.inventory"]
    refresh = sim.control.issue_refresh_token(scopes=inventory_only)
    with pytest.raises(EbayAuthError) as caught:
        make_client(sim, refresh_token=refresh).count_inventory_items()
    assert caught.value.code == "invalid_scope" and not caught.value.retryable
    client = make_client(sim, refresh_token=refresh, scopes=(f"{BASE_SCOPE}/sell.inventory",))
    assert client.count_inventory_items() == 0


def test_missing_scope_is_a_non_retryable_auth_error(sim):
    """403 / 1100: the token lacks the operation's scope; logging in again will not help."""
    refresh = sim.control.issue_refresh_token(scopes=[f"{BASE_SCOPE}/sell.fulfillment"])
    client = make_client(sim, refresh_token=refresh, scopes=())
    with pytest.raises(EbayAuthError) as caught:
        client.count_inventory_items()
    assert (caught.value.status, caught.value.error_id) == (403, 1100)
    assert not caught.value.retryable
    assert [op for op, _ in operations(sim)].count("getToken") == 1


def test_expired_access_token_logs_in_once_and_repeats_the_call(sim, seller):
    """After 7200 s eBay refuses the cached bearer (401 / 1001): one new login, the same
    request once more, and the caller sees only the answer."""
    seller.list_item("MUG-1", quantity=4)
    client = make_client(sim)
    assert client.count_inventory_items() == 1
    sim.control.advance(ACCESS_TOKEN_TTL)
    start = len(sim.calls)
    assert [item["sku"] for item in client.iter_inventory_items()] == ["MUG-1"]
    assert operations(sim, start) == [
        ("getInventoryItems", 401),
        ("getToken", 200),
        ("getInventoryItems", 200),
    ]
    start = len(sim.calls)
    client.count_inventory_items()  # the new token was cached
    assert operations(sim, start) == [("getInventoryItems", 200)]


def test_refused_fresh_token_is_a_retryable_auth_error(sim):
    """If the new token is refused too, no loop: a retryable error and no cached token."""
    refused = {"errors": [{"errorId": 1001, "domain": "OAuth", "message": "Invalid access token"}]}
    client, adapter = fake_client(sim, lambda request: fake_response(request, 401, refused))
    with pytest.raises(EbayAuthError) as caught:
        client.count_inventory_items()
    assert caught.value.retryable and caught.value.error_id == 1001
    paths = [urlsplit(request.url).path for request, _ in adapter.sent]
    assert paths == [
        "/identity/v1/oauth2/token",
        f"{INVENTORY}/inventory_item",
        "/identity/v1/oauth2/token",
        f"{INVENTORY}/inventory_item",
    ]
    bearers = {r.headers["Authorization"] for r, _ in adapter.sent if "inventory" in r.url}
    assert len(bearers) == 2  # the repeat used the new token
    with pytest.raises(EbayAuthError):
        client.count_inventory_items()
    assert urlsplit(adapter.sent[4][0].url).path == "/identity/v1/oauth2/token"


def test_revoked_refresh_token_is_a_non_retryable_auth_error(sim):
    credentials = sim.control.credentials()
    sim.control.revoke_token(credentials["refresh_token"])
    with pytest.raises(EbayAuthError) as caught:
        make_client(sim).count_inventory_items()
    error = caught.value
    assert (error.status, error.code, error.retryable) == (400, "invalid_grant", False)
    assert error.message == INVALID_GRANT
    assert str(error) == f"[400] invalid_grant: {INVALID_GRANT}"


def test_revoked_consent_with_a_cached_token(sim):
    """The seller withdrew consent: the cached bearer is refused, the re-login is refused,
    and that last refusal (not retryable) is what the caller gets."""
    session, adapter = recording_session(sim)
    client = make_client(sim, session=session)
    client.count_inventory_items()
    bearer = adapter.sent[-1][0].headers["Authorization"].removeprefix("Bearer ")
    sim.control.revoke_token(bearer)
    sim.control.revoke_token(sim.control.credentials()["refresh_token"])
    start = len(sim.calls)
    with pytest.raises(EbayAuthError) as caught:
        client.count_inventory_items()
    assert caught.value.code == "invalid_grant" and not caught.value.retryable
    assert operations(sim, start) == [("getInventoryItems", 401), ("getToken", 400)]


def test_wrong_client_secret_is_an_auth_error(sim):
    """Even with a valid token cached for the right secret, a wrong one logs in and fails."""
    make_client(sim).count_inventory_items()
    with pytest.raises(EbayAuthError) as caught:
        make_client(sim, client_secret="wrong").count_inventory_items()
    assert (caught.value.status, caught.value.code) == (401, "invalid_client")
    assert not caught.value.retryable


# --------------------------------------------------------------- inventory
def test_inventory_paging_uses_page_indexes(sim, seller):
    """``offset`` is a page index: 5 items by 2 are pages 0, 1 and 2, each SKU once."""
    skus = [f"SKU-{index}" for index in range(5)]
    for sku in skus:
        seller.list_item(sku)
    session, adapter = recording_session(sim)
    client = make_client(sim, session=session)
    assert [item["sku"] for item in client.iter_inventory_items(limit=2)] == skus
    queries = [
        parse_qs(urlsplit(request.url).query)
        for request, _ in adapter.sent
        if urlsplit(request.url).path == f"{INVENTORY}/inventory_item"
    ]
    assert queries == [{"limit": ["2"], "offset": [str(page)]} for page in range(3)]


def test_inventory_paging_stops_on_an_exact_last_page(sim, seller):
    for sku in ("A-1", "A-2", "A-3", "A-4"):
        seller.list_item(sku)
    start = len(sim.calls)
    client = make_client(sim)
    assert len(list(client.iter_inventory_items(limit=2))) == 4
    assert [op for op, _ in operations(sim, start)].count("getInventoryItems") == 2


def test_inventory_limit_out_of_range_is_refused_before_any_call(sim):
    with pytest.raises(ValueError):
        list(make_client(sim).iter_inventory_items(limit=201))
    assert sim.calls == []


def test_get_offers_of_the_client_marketplace(sim, seller):
    us_offer, us_listing = seller.list_item("MUG-US")
    seller.list_item("MUG-DE", marketplace="EBAY_DE")
    session, adapter = recording_session(sim)
    client = make_client(sim, session=session)
    offers = client.get_offers("MUG-US")
    assert [(o["offerId"], o["status"], o["listing"]["listingId"]) for o in offers] == [
        (us_offer, "PUBLISHED", us_listing)
    ]
    assert offers[0]["pricingSummary"]["price"] == {"value": "19.99", "currency": "USD"}
    query = parse_qs(urlsplit(adapter.sent[-1][0].url).query)
    assert query["sku"] == ["MUG-US"] and query["marketplace_id"] == ["EBAY_US"]
    # Offered on EBAY_DE only, or not offered at all: eBay's 404 / 25713 is "no offer".
    assert client.get_offers("MUG-DE") == []
    assert client.get_offers("NO-SUCH-SKU") == []
    german = make_client(sim, marketplace_id="EBAY_DE")
    assert [o["pricingSummary"]["price"]["currency"] for o in german.get_offers("MUG-DE")] == [
        "EUR"
    ]


def test_get_inventory_item_and_unknown_sku(sim, seller):
    seller.list_item("MUG-1", quantity=3)
    client = make_client(sim)
    item = client.get_inventory_item("MUG-1")
    assert item["availability"]["shipToLocationAvailability"]["quantity"] == 3
    with pytest.raises(EbayNotFound) as caught:
        client.get_inventory_item("NO-SUCH-SKU")
    assert (caught.value.status, caught.value.error_id) == (404, 25710)
    assert isinstance(caught.value, EbayRequestError)
    assert str(caught.value).startswith("[404] 25710: We didn't find the resource")


# ------------------------------------------------------------ bulk update
def test_bulk_stock_update_of_25_skus(sim, seller):
    skus = [f"BULK-{index:02d}" for index in range(25)]
    for sku in skus:
        seller.list_item(sku, quantity=5)
    client = make_client(sim)
    start = len(sim.calls)
    requests_ = [mapping.stock_request(sku, 10 + i) for i, sku in enumerate(skus)]
    responses = client.bulk_update_price_quantity(requests_)
    assert operations(sim, start) == [("getToken", 200), ("bulkUpdatePriceQuantity", 200)]
    assert mapping.bulk_results(responses, skus) == dict.fromkeys(skus, (True, ""))
    assert [item_quantity(sim, sku) for sku in skus] == list(range(10, 35))
    # What the connector reads back for reconciliation.
    listed = {
        item["sku"]: mapping.map_inventory_item(item) for item in client.iter_inventory_items()
    }
    assert listed["BULK-24"]["quantity"] == 34


def test_price_update_through_offers(sim, seller):
    """The offerId read with the listing (``marketplace_ref``) carries the new price."""
    seller.list_item("MUG-1", price="19.99")
    client = make_client(sim)
    item = client.get_inventory_item("MUG-1")
    listing = mapping.map_inventory_item(item, client.get_offers("MUG-1"))
    assert listing["price"] == Decimal("19.99")
    request = mapping.price_request("MUG-1", listing["marketplace_ref"], Decimal("24.9"), "USD")
    results = mapping.bulk_results(client.bulk_update_price_quantity([request]))
    assert results == {"MUG-1": (True, "")}
    offer = sim.inventory.offers[listing["marketplace_ref"]]
    assert offer["pricingSummary"]["price"] == {"value": "24.90", "currency": "USD"}
    again = mapping.map_inventory_item(item, client.get_offers("MUG-1"))
    assert (again["price"], again["currency"]) == (Decimal("24.90"), "USD")


def test_26_requests_are_refused_before_any_call(sim):
    client = make_client(sim)
    requests_ = [mapping.stock_request(f"S{index}", 1) for index in range(26)]
    with pytest.raises(ValueError, match="at most 25"):
        client.bulk_update_price_quantity(requests_)
    assert sim.calls == []  # not even a login
    assert client.bulk_update_price_quantity([]) == []
    assert sim.calls == []


def test_partial_failure_is_mapped_per_sku(sim, seller):
    """A 207: an unknown SKU and a listing past its 250 revisions of the day fail, each with
    eBay's message; the other SKU of the same call is updated."""
    offer_id, _ = seller.list_item("TIRED", quantity=5)
    seller.list_item("FRESH", quantity=5)
    client = make_client(sim)
    price = mapping.price_request("TIRED", offer_id, Decimal("20"), "USD")
    for _ in range(10):  # 10 calls x 25 entries = the 250 revisions of the day
        responses = client.bulk_update_price_quantity([price] * 25)
        assert all(ok for ok, _ in mapping.bulk_results(responses).values())
    responses = client.bulk_update_price_quantity(
        [price, mapping.stock_request("FRESH", 7), mapping.stock_request("GHOST", 1)]
    )
    assert sim.calls[-1][2:] == ("bulkUpdatePriceQuantity", 207)
    results = mapping.bulk_results(responses, ["TIRED", "FRESH", "GHOST"])
    assert results["FRESH"] == (True, "")
    ok, message = results["TIRED"]
    assert not ok and message.startswith("25002: ") and "250 revisions per listing" in message
    ok, message = results["GHOST"]
    assert not ok and message.startswith("25702: ")
    assert item_quantity(sim, "FRESH") == 7


def test_invalid_request_item_is_a_request_error(sim, seller):
    """A body the contract rejects: eBay's 400 / 25709, not retryable, not 'not found'."""
    seller.list_item("MUG-1")
    bad = {"sku": "MUG-1", "shipToLocationAvailability": {"quantity": "many"}}
    with pytest.raises(EbayRequestError) as caught:
        make_client(sim).bulk_update_price_quantity([bad])
    assert (caught.value.status, caught.value.error_id) == (400, 25709)
    assert not isinstance(caught.value, EbayNotFound)
    assert "fieldName=" in caught.value.details


# ------------------------------------------------------------------ limits
def test_daily_quota_is_throttling(sim, seller):
    """429 / 2001 once the day's calls are used: EbayThrottled without Retry-After."""
    seller.list_item("MUG-1")
    sim.control.set_daily_limit("bulkUpdatePriceQuantity", 1)
    client = make_client(sim)
    client.bulk_update_price_quantity([mapping.stock_request("MUG-1", 2)])
    with pytest.raises(EbayThrottled) as caught:
        client.bulk_update_price_quantity([mapping.stock_request("MUG-1", 3)])
    error = caught.value
    assert (error.status, error.error_id, error.retry_after) == (429, 2001, None)
    assert error.message.startswith("Too many requests")
    assert item_quantity(sim, "MUG-1") == 2
    assert client.count_inventory_items() == 1  # other operations still answer


def test_api_daily_quota_is_throttling(sim):
    sim.control.set_daily_limit("inventory", 1)
    client = make_client(sim)
    client.count_inventory_items()
    with pytest.raises(EbayThrottled):
        client.count_inventory_items()


@pytest.mark.parametrize(
    ("headers", "expected"),
    [({"Retry-After": "7"}, 7), ({"Retry-After": "Thu, 01 Jan 2015 00:00:00 GMT"}, 0), ({}, None)],
)
def test_retry_after_header(sim, headers, expected):
    quota = {"errors": [{"errorId": 2001, "domain": "ACCESS", "message": "Too many requests."}]}
    client, _ = fake_client(sim, lambda request: fake_response(request, 429, quota, headers))
    with pytest.raises(EbayThrottled) as caught:
        client.count_inventory_items()
    assert caught.value.retry_after == expected


def test_token_endpoint_quota_is_throttling(sim):
    sim.control.set_daily_limit("identity", 0)
    with pytest.raises(EbayThrottled) as caught:
        make_client(sim).count_inventory_items()
    assert caught.value.status == 429


# ------------------------------------------------------------------ faults
@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_are_transient(sim, status):
    sim.control.set_fault("error", operation="getInventoryItems", status=status)
    with pytest.raises(EbayTransientError) as caught:
        make_client(sim).count_inventory_items()
    assert (caught.value.status, caught.value.error_id) == (status, 25001)


@pytest.mark.parametrize(
    ("kind", "options"),
    [("timeout", {}), ("timeout_after", {}), ("slow", {"delay": 30.0})],
)
def test_timeouts_are_transient(sim, seller, kind, options):
    """No answer within the client's timeout (10 s here) -> EbayTransientError, once."""
    seller.list_item("MUG-1")
    sim.control.set_fault(kind, operation="bulkUpdatePriceQuantity", **options)
    start = len(sim.calls)
    with pytest.raises(EbayTransientError, match="in time"):
        make_client(sim).bulk_update_price_quantity([mapping.stock_request("MUG-1", 1)])
    assert sim.faults.fired == [("bulkUpdatePriceQuantity", kind)]  # never sent again
    assert [op for op, _ in operations(sim, start)] == ["getToken"]


def test_token_endpoint_outage_is_transient(sim):
    sim.control.set_fault("error", operation="getToken", status=503)
    with pytest.raises(EbayTransientError) as caught:
        make_client(sim).count_inventory_items()
    assert caught.value.status == 503


def test_truncated_answer_is_transient_not_empty(sim, seller):
    """A cut JSON body must not read as 'no items'."""
    seller.list_item("MUG-1")
    sim.control.set_fault("malformed", operation="getInventoryItems")
    with pytest.raises(EbayTransientError, match="unreadable"):
        list(make_client(sim).iter_inventory_items())


def test_connection_refused_is_transient(sim):
    def refuse(request):
        raise requests.exceptions.ConnectionError("connection refused", request=request)

    client, _ = fake_client(sim, refuse)
    with pytest.raises(EbayTransientError, match="reached"):
        client.count_inventory_items()


def test_error_without_json_body(sim):
    """A gateway page instead of eBay's error JSON still maps by status."""
    client, _ = fake_client(
        sim, lambda request: fake_response(request, 502, content=b"<html>Bad gateway</html>")
    )
    with pytest.raises(EbayTransientError) as caught:
        client.count_inventory_items()
    assert caught.value.status == 502 and caught.value.error_id == 0


def test_every_error_is_an_ebay_error():
    for cls in (EbayAuthError, EbayThrottled, EbayRequestError, EbayNotFound, EbayTransientError):
        assert issubclass(cls, EbayError)


# ---------------------------------------------------------------- headers
def test_every_request_carries_the_timeout_and_ebay_headers(sim, seller):
    """Token and API calls pass the client's timeout; API calls name the marketplace;
    Inventory writes say their Content-Language."""
    seller.list_item("MUG-1", marketplace="EBAY_DE")
    session, adapter = recording_session(sim)
    client = make_client(sim, session=session, marketplace_id="EBAY_DE", timeout=12.5)
    client.count_inventory_items()
    client.get_offers("MUG-1")
    client.bulk_update_price_quantity([mapping.stock_request("MUG-1", 4)])
    assert {timeout for _, timeout in adapter.sent} == {12.5}
    api = [request for request, _ in adapter.sent if "/sell/" in request.url]
    assert len(api) == 3
    for request in api:
        assert request.headers["X-EBAY-C-MARKETPLACE-ID"] == "EBAY_DE"
        assert request.headers["Accept"] == "application/json"
        assert request.headers["Authorization"].startswith("Bearer v^1.1#")
    write = api[-1]
    assert write.headers["Content-Language"] == "de-DE"
    assert write.headers["Content-Type"] == "application/json"
    assert "Content-Language" not in api[0].headers
    assert json.loads(write.body) == {
        "requests": [{"sku": "MUG-1", "shipToLocationAvailability": {"quantity": 4}}]
    }


def test_over_loopback_http(sim, seller):
    """The endpoint override: plain http:// on 127.0.0.1, token endpoint on the same host."""
    seller.list_item("MUG-1", quantity=2)
    with (
        LoopbackServer(sim) as server,
        make_client(sim, endpoint=server.url + "/", session=None) as client,
    ):
        assert client.endpoint == server.url
        assert client.count_inventory_items() == 1
        responses = client.bulk_update_price_quantity([mapping.stock_request("MUG-1", 6)])
    assert mapping.bulk_results(responses) == {"MUG-1": (True, "")}
    assert item_quantity(sim, "MUG-1") == 6
