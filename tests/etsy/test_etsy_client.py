"""etsy_client against the in-process Etsy simulator (every call contract-validated)."""

import subprocess
import sys
from decimal import Decimal

import pytest
import requests
from etsy_client import (
    EtsyAuthError,
    EtsyClient,
    EtsyNotFound,
    EtsyRequestError,
    EtsyThrottled,
    EtsyTransientError,
    mapping,
    refresh_access_token,
)
from marketplace_core.records import RemoteListing
from marketplace_sim.core import LoopbackServer, requests_session
from marketplace_sim.core.transport import WSGIAdapter
from marketplace_sim.etsy import BASE_URLS, TOKEN_URL, EtsySimulator
from marketplace_sim.etsy.auth import ACCESS_TOKEN_TTL
from marketplace_sim.etsy.datagen import PROP_COLOR, PROP_SIZE

# openapi-core warns that it cannot check the oauth2 scheme; the simulator checks it.
pytestmark = pytest.mark.filterwarnings("ignore:Unsupported scheme type")

TIMEOUT = 10


@pytest.fixture
def sim():
    return EtsySimulator(seed=21, receipts_per_shop=1)


def paced_session(sim, pace=True):
    """In-process session; ``pace`` moves simulated time 0.1 s per answer (10 calls/s)."""
    session = requests_session(sim, *BASE_URLS)

    def advance(response, **kwargs):
        sim.clock.advance(0.1)  # a hook returning a value would replace the response

    if pace:
        session.hooks["response"].append(advance)
    return session


class TokenStore:
    """What the Odoo model does: keep the tokens, refresh when forced, store the new pair."""

    def __init__(self, sim, session, shop_index=0):
        creds = sim.control.credentials()
        self.keystring = creds["keystring"]
        self.shop_id = creds["shops"][shop_index]["shop_id"]
        self.tokens = sim.control.issue_tokens(self.shop_id)
        self.session = session
        self.calls = []

    def __call__(self, force):
        self.calls.append(force)
        if force:
            self.tokens = refresh_access_token(
                self.keystring, self.tokens["refresh_token"], session=self.session, timeout=TIMEOUT
            )
        return self.tokens["access_token"]


def make_client(sim, shop_index=0, pace=True, session=None, **overrides):
    session = session or paced_session(sim, pace)
    store = TokenStore(sim, session, shop_index)
    kwargs = {"session": session, "timeout": TIMEOUT, **overrides}
    client = EtsyClient(sim.control.credentials()["api_key"], store, store.shop_id, **kwargs)
    return client, store


def own_listings(sim, shop_id, variations=None):
    return [
        listing_id
        for listing_id, listing in sim.state.listings.items()
        if listing["shop_id"] == shop_id
        and (variations is None or listing["has_variations"] is variations)
    ]


def offerings_by_sku(inventory):
    return {p["sku"]: p["offerings"][0] for p in inventory["products"]}


def test_import_does_not_load_odoo():
    """etsy_client is pure: importing it never pulls in Odoo."""
    code = (
        "import sys, etsy_client, etsy_client.client, etsy_client.mapping; "
        "sys.exit(1 if any(m == 'odoo' or m.startswith('odoo.') for m in sys.modules) else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], check=False, env={"PYTHONPATH": ":".join(sys.path)}
    )
    assert result.returncode == 0


def test_repr_hides_credentials(sim):
    client, store = make_client(sim)
    text = repr(client)
    assert str(store.shop_id) in text
    assert sim.shared_secret not in text and sim.keystring not in text


def test_api_key_without_shared_secret_is_refused_before_any_call(sim):
    with pytest.raises(EtsyAuthError, match="keystring:shared_secret"):
        EtsyClient(sim.keystring, lambda force: "x", 1)


# ------------------------------------------------------------------ tokens
def test_refresh_grant_rotates_the_refresh_token(sim):
    """A new refresh token comes back; the one used is refused from then on."""
    session = paced_session(sim)
    store = TokenStore(sim, session)
    old = store.tokens
    new = refresh_access_token(store.keystring, old["refresh_token"], session=session)
    assert new["refresh_token"] != old["refresh_token"]
    assert new["access_token"] != old["access_token"]
    assert new["expires_in"] == ACCESS_TOKEN_TTL
    client = EtsyClient(
        sim.control.credentials()["api_key"],
        lambda force: new["access_token"],
        store.shop_id,
        session=session,
    )
    assert next(client.iter_shop_listings(limit=1))["shop_id"] == store.shop_id
    with pytest.raises(EtsyAuthError) as caught:
        refresh_access_token(store.keystring, old["refresh_token"], session=session)
    assert caught.value.status == 400
    assert caught.value.code == "invalid_grant"
    assert caught.value.details == "refresh_token is revoked"
    assert not caught.value.retryable
    # The rotated one still works (once).
    assert refresh_access_token(store.keystring, new["refresh_token"], session=session)


def test_refresh_with_unknown_client_is_an_auth_error(sim):
    session = paced_session(sim)
    tokens = sim.control.issue_tokens()
    with pytest.raises(EtsyAuthError) as caught:
        refresh_access_token("someone-else", tokens["refresh_token"], session=session)
    assert caught.value.status == 401 and caught.value.code == "invalid_client"
    assert not caught.value.retryable


def test_expired_access_token_is_replaced_once(sim):
    """401 'access token is expired' -> token_provider(True) once, same call again, success."""
    client, store = make_client(sim)
    listing_id = own_listings(sim, store.shop_id)[0]
    client.get_listing_inventory(listing_id)
    first_refresh = store.tokens["refresh_token"]
    sim.control.advance(ACCESS_TOKEN_TTL)
    inventory = client.get_listing_inventory(listing_id)
    assert inventory["products"]
    assert store.calls == [False, True]
    # The provider stored the rotated pair: the first refresh token is spent.
    assert store.tokens["refresh_token"] != first_refresh
    client.get_listing_inventory(listing_id)  # the new token is reused, no more refreshes
    assert store.calls == [False, True]


def test_revoked_tokens_are_a_final_auth_error(sim):
    """A password change revokes everything: the re-login fails with invalid_grant."""
    client, store = make_client(sim)
    listing_id = own_listings(sim, store.shop_id)[0]
    client.get_listing_inventory(listing_id)
    sim.control.revoke_tokens(store.shop_id)
    with pytest.raises(EtsyAuthError) as caught:
        client.get_listing_inventory(listing_id)
    assert caught.value.code == "invalid_grant" and not caught.value.retryable
    assert store.calls == [False, True]


def test_a_new_token_refused_again_is_not_retried_in_a_loop(sim):
    calls = []

    def provider(force):
        calls.append(force)
        return "71000001.not-a-token"

    client = EtsyClient(
        sim.control.credentials()["api_key"],
        provider,
        sim.control.credentials()["shops"][0]["shop_id"],
        session=paced_session(sim),
    )
    with pytest.raises(EtsyAuthError) as caught:
        list(client.iter_shop_listings())
    assert calls == [False, True]
    assert caught.value.status == 401 and caught.value.code == "invalid_token"
    assert caught.value.details == "access token is invalid"
    assert caught.value.retryable  # only the access token is at fault
    assert [c[2] for c in sim.calls].count("getListingsByShop") == 2


def test_wrong_shared_secret_is_an_auth_error(sim):
    session = paced_session(sim)
    store = TokenStore(sim, session)
    client = EtsyClient(
        f"{sim.keystring}:wrong", store, store.shop_id, session=session, timeout=TIMEOUT
    )
    with pytest.raises(EtsyAuthError) as caught:
        client.ping()
    assert caught.value.status == 403 and not caught.value.retryable
    assert "keystring:shared_secret" in caught.value.message
    assert store.calls == []  # ping needs no token


def test_listing_of_another_shop_is_forbidden(sim):
    client, store = make_client(sim)
    foreign = next(
        lid for lid, lst in sim.state.listings.items() if lst["shop_id"] != store.shop_id
    )
    with pytest.raises(EtsyAuthError) as caught:
        client.get_listing_inventory(foreign)
    assert caught.value.status == 403 and not caught.value.retryable
    assert store.calls == [False]  # a 403 is not a token problem: no re-login


# ------------------------------------------------------------------- calls
def test_ping(sim):
    client, store = make_client(sim)
    assert client.ping() == {"application_id": sim.application_id}
    assert store.calls == []


def test_shop_listings_pages_by_offset(sim):
    """Every active listing once, page after page, and no call after the last page."""
    client, store = make_client(sim)
    expected = own_listings(sim, store.shop_id)
    assert len(expected) == 6
    listings = list(client.iter_shop_listings(limit=4))
    assert sorted(listing["listing_id"] for listing in listings) == sorted(expected)
    assert {listing["state"] for listing in listings} == {"active"}
    exact = list(client.iter_shop_listings(limit=3))
    assert [row["listing_id"] for row in exact] == [row["listing_id"] for row in listings]
    # 2 pages of 4 + 2 pages of 3 (the second full page ends at count: no empty third call).
    assert [c[2] for c in sim.calls].count("getListingsByShop") == 4


def test_shop_listings_filter_state(sim):
    client, store = make_client(sim)
    listing_id = own_listings(sim, store.shop_id)[0]
    sim.state.update_listing(store.shop_id, listing_id, {"state": "inactive"})
    inactive = list(client.iter_shop_listings(state="inactive"))
    assert [row["listing_id"] for row in inactive] == [listing_id]
    assert listing_id not in {row["listing_id"] for row in client.iter_shop_listings()}


def test_shop_listings_with_inventory_map_to_remote_listings(sim):
    client, store = make_client(sim)
    rows = [
        row
        for listing in client.iter_shop_listings(includes=("Inventory",))
        for row in mapping.map_listing_products(listing)
    ]
    stored = {
        p["sku"]: (lid, p)
        for lid in own_listings(sim, store.shop_id)
        for p in sim.state.inventories[lid]["products"]
    }
    assert {row["sku"] for row in rows} == set(stored)
    for row in rows:
        listing_id, product = stored[row["sku"]]
        assert row["marketplace_ref"] == str(listing_id)
        assert row["quantity"] == product["offerings"][0]["quantity"]
        assert row["price"] * 100 == product["offerings"][0]["price"]["amount"]
        assert row["currency"] == "USD" and row["status"] == "active"
        assert RemoteListing(**row).sku == row["sku"]


def test_update_quantity_of_one_sku_keeps_the_other_variations(sim):
    client, store = make_client(sim)
    listing_id = own_listings(sim, store.shop_id, variations=True)[0]
    before = client.get_listing_inventory(listing_id)
    target = before["products"][1]["sku"]
    body, missing = mapping.inventory_update(before, quantities={target: 11})
    assert missing == []
    after = client.update_listing_inventory(listing_id, body)
    assert [p["sku"] for p in after["products"]] == [p["sku"] for p in before["products"]]
    assert [p["property_values"] for p in after["products"]] == [
        p["property_values"] for p in before["products"]
    ]
    old, new = offerings_by_sku(before), offerings_by_sku(after)
    assert new[target]["quantity"] == 11
    for sku in old:
        if sku != target:
            assert new[sku]["quantity"] == old[sku]["quantity"]
        assert new[sku]["price"] == old[sku]["price"]
        assert new[sku]["readiness_state_id"] == old[sku]["readiness_state_id"]
        assert new[sku]["is_enabled"] is old[sku]["is_enabled"]
    for field in ("quantity_on_property", "sku_on_property", "price_on_property"):
        assert after[field] == before[field]
    # What the simulator stored, and the listing total it derived from the offerings.
    stored = sim.state.inventories[listing_id]
    assert {p["sku"]: p["offerings"][0]["quantity"] for p in stored["products"]} == {
        sku: offering["quantity"] for sku, offering in new.items()
    }
    expected_total = sum(o["quantity"] for sku, o in old.items() if sku != target) + 11
    assert sim.state.listings[listing_id]["quantity"] == expected_total


def test_update_price_of_one_variation(sim):
    """With prices varying by property, one SKU's price changes and the others stay."""
    client, store = make_client(sim)
    listing_id = own_listings(sim, store.shop_id, variations=True)[0]
    inventory = client.get_listing_inventory(listing_id)
    body, _ = mapping.inventory_update(inventory)
    body["price_on_property"] = [PROP_COLOR, PROP_SIZE]
    before = client.update_listing_inventory(listing_id, body)
    target = before["products"][2]["sku"]
    body, missing = mapping.inventory_update(
        before, quantities={target: 4}, prices={target: Decimal("31.90")}
    )
    assert missing == []
    after = client.update_listing_inventory(listing_id, body)
    old, new = offerings_by_sku(before), offerings_by_sku(after)
    assert new[target]["price"] == {"amount": 3190, "divisor": 100, "currency_code": "USD"}
    assert new[target]["quantity"] == 4
    assert {sku: o["price"] for sku, o in new.items() if sku != target} == {
        sku: o["price"] for sku, o in old.items() if sku != target
    }
    assert after["price_on_property"] == [PROP_COLOR, PROP_SIZE]


def test_price_differing_along_an_undeclared_property_is_refused(sim):
    """Etsy refuses different prices without price_on_property; nothing changes."""
    client, store = make_client(sim)
    listing_id = own_listings(sim, store.shop_id, variations=True)[0]
    before = client.get_listing_inventory(listing_id)
    assert before["price_on_property"] == []
    sku = before["products"][0]["sku"]
    body, _ = mapping.inventory_update(before, prices={sku: Decimal("99.00")})
    with pytest.raises(EtsyRequestError) as caught:
        client.update_listing_inventory(listing_id, body)
    assert caught.value.status == 400 and "price_on_property" in caught.value.message
    assert not isinstance(caught.value, EtsyNotFound)
    assert client.get_listing_inventory(listing_id) == before


@pytest.mark.parametrize(
    ("shop_index", "price", "expected"),
    [
        (0, Decimal("12.345"), {"amount": 1235, "divisor": 100, "currency_code": "USD"}),
        (2, Decimal("1480"), {"amount": 1480, "divisor": 1, "currency_code": "JPY"}),
    ],
)
def test_update_price_of_a_single_product_listing(sim, shop_index, price, expected):
    """Prices are rounded to the currency's minor unit (JPY: whole yen)."""
    client, store = make_client(sim, shop_index=shop_index)
    listing_id = own_listings(sim, store.shop_id, variations=False)[0]
    inventory = client.get_listing_inventory(listing_id)
    sku = inventory["products"][0]["sku"]
    body, missing = mapping.inventory_update(inventory, quantities={sku: 7}, prices={sku: price})
    assert missing == []
    after = client.update_listing_inventory(listing_id, body)
    assert after["products"][0]["offerings"][0]["price"] == expected
    assert sim.state.listings[listing_id]["price"] == expected
    assert sim.state.listings[listing_id]["quantity"] == 7


def test_unknown_sku_is_reported_and_the_rest_is_sent(sim):
    client, store = make_client(sim)
    listing_id = own_listings(sim, store.shop_id, variations=True)[0]
    before = client.get_listing_inventory(listing_id)
    target = before["products"][0]["sku"]
    body, missing = mapping.inventory_update(before, quantities={"NOT-ON-ETSY": 3, target: 2})
    assert missing == ["NOT-ON-ETSY"]
    after = client.update_listing_inventory(listing_id, body)
    assert offerings_by_sku(after)[target]["quantity"] == 2
    assert "NOT-ON-ETSY" not in offerings_by_sku(after)


# ------------------------------------------------------------------ limits
def test_last_limits_count_down(sim):
    client, store = make_client(sim, pace=False)
    assert client.last_limits == dict.fromkeys(
        ("x-limit-per-second", "x-remaining-this-second", "x-limit-per-day", "x-remaining-today")
    )
    client.ping()
    assert client.last_limits == {
        "x-limit-per-second": 10,
        "x-remaining-this-second": 9,
        "x-limit-per-day": 10_000,
        "x-remaining-today": 9_999,
    }
    assert mapping.remaining(client.last_limits) == 9
    client.get_listing_inventory(own_listings(sim, store.shop_id)[0])
    assert client.last_limits["x-remaining-this-second"] == 8
    assert client.last_limits["x-remaining-today"] == 9_998


def test_throttling_raises_with_retry_after_and_limits(sim):
    sim = EtsySimulator(seed=21, receipts_per_shop=1, per_second=2)
    client, _store = make_client(sim, pace=False)
    client.ping()
    client.ping()
    with pytest.raises(EtsyThrottled) as caught:
        client.ping()
    assert caught.value.status == 429 and caught.value.retry_after == 1
    assert caught.value.message == "Too many requests"
    assert client.last_limits == {
        "x-limit-per-second": 2,
        "x-remaining-this-second": 0,
        "x-limit-per-day": 10_000,
        "x-remaining-today": 9_998,
    }
    assert mapping.remaining(client.last_limits) == 0
    sim.control.advance(caught.value.retry_after)
    assert client.ping()["application_id"] == sim.application_id


def test_daily_quota_exhausted_gives_the_wait_until_the_window_frees(sim):
    sim = EtsySimulator(seed=21, receipts_per_shop=1, per_day=2)
    client, _store = make_client(sim, pace=False)
    client.ping()
    sim.control.advance(600)
    client.ping()
    with pytest.raises(EtsyThrottled) as caught:
        client.ping()
    assert caught.value.retry_after == 86_400 - 600
    assert client.last_limits["x-remaining-today"] == 0


# ------------------------------------------------------------------ faults
@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_are_transient(sim, status):
    client, store = make_client(sim)
    sim.control.set_fault("error", operation="getListingInventory", status=status)
    with pytest.raises(EtsyTransientError) as caught:
        client.get_listing_inventory(own_listings(sim, store.shop_id)[0])
    assert caught.value.status == status


@pytest.mark.parametrize(
    ("kind", "options"),
    [("timeout", {}), ("timeout_after", {}), ("slow", {"delay": 30.0})],
)
def test_timeouts_are_transient(sim, kind, options):
    """No answer within the client's timeout (10 s here) -> EtsyTransientError."""
    client, _store = make_client(sim)
    sim.control.set_fault(kind, operation="getListingsByShop", **options)
    with pytest.raises(EtsyTransientError, match="in time"):
        list(client.iter_shop_listings())


def test_timeout_of_the_token_endpoint_is_transient(sim):
    session = paced_session(sim)
    tokens = sim.control.issue_tokens()
    sim.control.set_fault("timeout", operation="oauthToken")
    with pytest.raises(EtsyTransientError, match="in time"):
        refresh_access_token(sim.keystring, tokens["refresh_token"], session=session)


def test_truncated_answer_is_transient_not_empty(sim):
    """A cut JSON body must not read as 'no listings'."""
    client, _store = make_client(sim)
    sim.control.set_fault("malformed", operation="getListingsByShop")
    with pytest.raises(EtsyTransientError, match="unreadable"):
        list(client.iter_shop_listings())


class RefusingAdapter(requests.adapters.BaseAdapter):
    def send(self, request, **kwargs):
        raise requests.ConnectionError("connection refused", request=request)

    def close(self):
        pass


def test_connection_refused_is_transient(sim):
    session = requests.Session()
    session.mount("https://", RefusingAdapter())
    client, _store = make_client(sim, session=session)
    with pytest.raises(EtsyTransientError, match="reached"):
        client.ping()


def test_unknown_listing_is_not_found(sim):
    client, _store = make_client(sim)
    with pytest.raises(EtsyNotFound) as caught:
        client.get_listing_inventory(42)
    assert caught.value.status == 404
    assert caught.value.message == "Listing with id 42 not found"


def test_bad_request_is_a_request_error(sim):
    """limit above 100 breaks the contract: 400, not retryable, not 'not found'."""
    client, _store = make_client(sim)
    with pytest.raises(EtsyRequestError) as caught:
        list(client.iter_shop_listings(limit=101))
    assert caught.value.status == 400 and not isinstance(caught.value, EtsyNotFound)


class RecordingAdapter(WSGIAdapter):
    def __init__(self, app):
        super().__init__(app)
        self.seen = []

    def send(self, request, stream=False, timeout=None, **kwargs):
        self.seen.append((request.method, request.url.split("?")[0], timeout))
        return super().send(request, stream=stream, timeout=timeout, **kwargs)


def test_every_request_carries_the_timeout_and_the_headers(sim):
    adapter = RecordingAdapter(sim)
    session = requests.Session()
    for url in BASE_URLS:
        session.mount(url, adapter)
    client, store = make_client(sim, session=session, timeout=12.5)
    listing_id = own_listings(sim, store.shop_id)[0]
    sim.control.advance(ACCESS_TOKEN_TTL)  # the first call will need a re-login
    client.ping()
    client.get_listing_inventory(listing_id)
    assert [method for method, _url, _timeout in adapter.seen] == ["GET", "GET", "POST", "GET"]
    assert TOKEN_URL in [url for _method, url, _timeout in adapter.seen]
    assert {timeout for _method, url, timeout in adapter.seen if url != TOKEN_URL} == {12.5}
    assert {timeout for _method, url, timeout in adapter.seen if url == TOKEN_URL} == {TIMEOUT}


def test_over_loopback_http(sim):
    """Against the simulator's HTTP server: plain http:// endpoint, token URL on the same host."""
    creds = sim.control.credentials()
    tokens = sim.control.issue_tokens()
    shop_id = creds["shops"][0]["shop_id"]
    with LoopbackServer(sim) as server:
        fresh = refresh_access_token(
            creds["keystring"],
            tokens["refresh_token"],
            token_url=f"{server.url}/v3/public/oauth/token",
            timeout=TIMEOUT,
        )
        with EtsyClient(
            creds["api_key"],
            lambda force: fresh["access_token"],
            shop_id,
            endpoint=server.url,
            timeout=TIMEOUT,
        ) as client:
            assert client.ping()["application_id"] == sim.application_id
            listings = list(client.iter_shop_listings(limit=2))
    assert len(listings) == len(own_listings(sim, shop_id))
