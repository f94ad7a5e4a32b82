"""amazon_client against the in-process Amazon simulator (every call contract-validated)."""

import json
import subprocess
import sys
from decimal import Decimal

import httpx
import pytest
from amazon_client import (
    AmazonAuthError,
    AmazonClient,
    AmazonNotFound,
    AmazonRequestError,
    AmazonThrottled,
    AmazonTransientError,
    clear_token_cache,
    mapping,
)
from marketplace_sim.amazon import (
    BASE_URL,
    DE,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_REFRESH_TOKEN,
    DEFAULT_SELLER_ID,
    LWA_URL,
    US,
    AmazonSimulator,
)
from marketplace_sim.core import HttpxTransport, LoopbackServer, RateLimit, isoformat

TOKEN_URL = LWA_URL + "/auth/o2/token"


@pytest.fixture
def sim():
    # python-amazon-sp-api caches access tokens for the whole process.
    clear_token_cache()
    yield AmazonSimulator(seed=11)
    clear_token_cache()


def make_client(sim, **overrides):
    """An AmazonClient whose LWA and SP-API calls reach ``sim`` in-process."""
    kwargs = {
        "client_id": DEFAULT_CLIENT_ID,
        "client_secret": DEFAULT_CLIENT_SECRET,
        "refresh_token": DEFAULT_REFRESH_TOKEN,
        "seller_id": DEFAULT_SELLER_ID,
        "marketplace_ids": [DE],
        "endpoint": BASE_URL,
        "lwa_url": TOKEN_URL,
        "http_client": httpx.Client(transport=HttpxTransport(sim)),
        "timeout": 10,
    }
    kwargs.update(overrides)
    return AmazonClient(**kwargs)


def settle(sim):
    """Move past the 2 minutes searchOrders hides."""
    sim.control.advance(121)


def since(sim, seconds):
    return isoformat(sim.clock.now() - seconds)


def test_import_does_not_load_odoo():
    """amazon_client is pure: importing it never pulls in Odoo."""
    code = (
        "import sys, amazon_client, amazon_client.client, amazon_client.mapping; "
        "sys.exit(1 if any(m == 'odoo' or m.startswith('odoo.') for m in sys.modules) else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], check=False, env={"PYTHONPATH": ":".join(sys.path)}
    )
    assert result.returncode == 0


def test_repr_hides_credentials(sim):
    """Secrets never reach logs through repr()."""
    client = make_client(sim)
    assert DEFAULT_CLIENT_SECRET not in repr(client)
    assert DEFAULT_REFRESH_TOKEN not in repr(client)


def test_marketplace_participations(sim):
    """The connection test call returns the seller's marketplaces."""
    participations = make_client(sim).get_marketplace_participations()
    assert DE in {p["marketplace"]["id"] for p in participations}


def test_search_orders_pages_through_every_order(sim):
    """The generator follows nextToken and yields every order once, with the bound."""
    ids = sim.control.create_orders(5, marketplace_id=DE, cancelled=False, pending=False)
    sim.control.create_orders(2, marketplace_id=US, cancelled=False)  # other marketplace
    settle(sim)
    pages = list(make_client(sim).search_orders(last_updated_after=since(sim, 86400), page_size=2))
    assert [len(page.orders) for page in pages] == [2, 2, 1]
    assert [bool(page.next_token) for page in pages] == [True, True, False]
    assert sorted(o["orderId"] for page in pages for o in page.orders) == sorted(ids)
    assert pages[-1].last_updated_before == isoformat(sim.clock.now() - 120)
    # The datasets the mapping needs were asked for.
    order = pages[0].orders[0]
    assert {"fulfillment", "proceeds", "buyer", "recipient"} <= set(order)


def test_search_orders_filters_fulfilment_channel(sim):
    afn = sim.control.create_order(marketplace_id=DE, fulfilled_by="AMAZON", cancelled=False)
    sim.control.create_order(marketplace_id=DE, fulfilled_by="MERCHANT", cancelled=False)
    settle(sim)
    client = make_client(sim)
    pages = client.search_orders(created_after=since(sim, 3600), fulfilled_by=["AMAZON"])
    assert [o["orderId"] for page in pages for o in page.orders] == [afn["orderId"]]


def test_get_order_and_unknown_order(sim):
    order_id = sim.control.create_order(marketplace_id=DE, pending=False)["orderId"]
    client = make_client(sim)
    assert client.get_order(order_id)["orderId"] == order_id
    with pytest.raises(AmazonNotFound) as caught:
        client.get_order("999-0000000-0000000")
    assert caught.value.status == 404
    assert isinstance(caught.value, AmazonRequestError)


def test_confirm_shipment(sim):
    """A seller-fulfilled order is confirmed shipped; a second full confirmation is refused."""
    order = sim.control.create_order(
        marketplace_id=DE, fulfilled_by="MERCHANT", lines=2, pending=False, cancelled=False,
        partially_shipped=False,
    )  # fmt: skip
    items = [(i["orderItemId"], i["quantityOrdered"]) for i in order["orderItems"]]
    detail = mapping.package_detail("1", "DHL", "JJD000390007", sim.clock.utcnow(), items)
    client = make_client(sim)
    client.confirm_shipment(order["orderId"], detail)
    assert sim.control.order_status(order["orderId"]) == "SHIPPED"
    assert sim.control.shipments(order["orderId"])[0]["trackingNumber"] == "JJD000390007"
    again = mapping.package_detail("2", "DHL", "JJD000390008", sim.clock.utcnow(), items)
    with pytest.raises(AmazonRequestError) as caught:
        client.confirm_shipment(order["orderId"], again)
    assert caught.value.status == 400


def test_listings_patch_get_put_and_search(sim):
    client = make_client(sim)
    submission = client.patch_listings_item("MUG-CERAMIC-350", "PRODUCT", mapping.stock_patches(3))
    assert mapping.submission_result(submission) == (True, "")
    assert sim.control.listing_quantity("MUG-CERAMIC-350") == 3
    prices = mapping.price_patches(Decimal("15.49"), "EUR", [DE])
    assert mapping.submission_result(
        client.patch_listings_item("MUG-CERAMIC-350", "PRODUCT", prices)
    )[0]
    assert sim.control.listing_price("MUG-CERAMIC-350") == 15.49
    item = client.get_listings_item("MUG-CERAMIC-350")
    assert item["fulfillmentAvailability"][0]["quantity"] == 3

    attributes = {
        "item_name": [{"value": "Teekanne „Nordlicht“ 1 l", "language_tag": "de_DE"}],
        "condition_type": [{"value": "new_new"}],
    }
    created = client.put_listings_item("TEAPOT-1L", "PRODUCT", attributes)
    assert created["status"] == "ACCEPTED"
    invalid = client.put_listings_item(
        "TEAPOT-2L", "PRODUCT", {"item_name": attributes["item_name"]}
    )
    ok, message = mapping.submission_result(invalid)
    assert not ok and "condition_type" in message

    skus = [item["sku"] for item in client.search_listings_items(page_size=2)]
    assert len(skus) == len(set(skus)) == 7  # 6 catalogue SKUs + the new one, over 4 pages
    assert "TEAPOT-1L" in skus
    with pytest.raises(AmazonNotFound):
        client.get_listings_item("NO-SUCH-SKU")


def test_patch_unknown_sku_is_an_invalid_submission(sim):
    """Amazon answers 200 + INVALID for a missing SKU: a per-SKU failure, not an exception."""
    submission = make_client(sim).patch_listings_item(
        "NO-SUCH-SKU", "PRODUCT", mapping.stock_patches(1)
    )
    ok, message = mapping.submission_result(submission)
    assert not ok and "does not exist" in message


@pytest.mark.parametrize("compressed", [False, True])
def test_listings_feed_in_separate_steps(sim, compressed):
    """Upload, create, poll and read the report as separate calls (separate jobs)."""
    sim.control.set_report_compression(compressed)
    client = make_client(sim)
    document = mapping.listings_feed(
        DEFAULT_SELLER_ID,
        [
            ("LAMP-LED-DESK", mapping.stock_patches(42)),
            ("NOTEBOOK-A5", mapping.price_patches(Decimal("11.90"), "EUR", [DE])),
            ("NO-SUCH-SKU", mapping.stock_patches(1)),
        ],
    )
    document_id = client.upload_listings_feed(document)
    feed_id = client.create_feed(document_id)
    assert client.get_feed(feed_id)["processingStatus"] == "IN_QUEUE"
    sim.control.advance(90)
    feed = client.get_feed(feed_id)
    assert feed["processingStatus"] == "DONE"
    report = client.get_feed_report(feed["resultFeedDocumentId"])
    assert report["summary"]["messagesAccepted"] == 2
    results = mapping.feed_results(document, feed, report)
    assert results["LAMP-LED-DESK"] == (True, "")
    assert results["NOTEBOOK-A5"] == (True, "")
    assert results["NO-SUCH-SKU"][0] is False
    assert sim.control.listing_quantity("LAMP-LED-DESK") == 42
    assert sim.control.listing_price("NOTEBOOK-A5") == 11.9


def test_feed_document_keeps_unicode(sim):
    """The feed body is UTF-8 (the library's own upload would encode it as Latin-1)."""
    client = make_client(sim)
    title = [{"value": "Keramikbecher „Morgenröte“ 和紙", "language_tag": "de_DE"}]
    patches = [{"op": "replace", "path": "/attributes/item_name", "value": title}]
    feed_id = client.submit_listings_feed(
        mapping.listings_feed(DEFAULT_SELLER_ID, [("MUG-CERAMIC-350", patches)])
    )
    sim.control.advance(90)
    assert client.get_feed(feed_id)["processingStatus"] == "DONE"
    assert sim.control.listing("MUG-CERAMIC-350")["item_name"] == title


def test_financial_events_by_order(sim):
    order = sim.control.create_order(
        marketplace_id=DE, fulfilled_by="AMAZON", lines=1, pending=False, cancelled=False
    )
    client = make_client(sim)
    assert mapping.map_fees(order["orderId"], client.iter_financial_events(order["orderId"])) == []
    sim.control.advance(4 * 3600)  # Amazon ships FBA orders by itself
    client.forget_access_token()  # simulated hours went by: the cached token expired
    pages = list(client.iter_financial_events(order["orderId"]))
    assert len(pages) == 1 and pages[0]["ShipmentEventList"]
    fees = mapping.map_fees(order["orderId"], pages)
    assert {fee["fee_type"] for fee in fees} == {"Commission", "FBAPerUnitFulfillmentFee"}
    assert all(fee["amount"] < 0 and fee["currency"] == "EUR" for fee in fees)


# ------------------------------------------------------------------ errors
def test_throttling_raises_with_seconds(sim):
    """429 QuotaExceeded -> AmazonThrottled; seconds from the rate header (1 / 0.5 rps)."""
    sim.limiter.configure("getOrder", RateLimit(0.5, 2))
    order_id = sim.control.create_order(marketplace_id=DE)["orderId"]
    client = make_client(sim)
    client.get_order(order_id)
    client.get_order(order_id)
    with pytest.raises(AmazonThrottled) as caught:
        client.get_order(order_id)
    assert caught.value.status == 429
    assert caught.value.code == "QuotaExceeded"
    assert caught.value.retry_after == 2
    sim.control.advance(2)
    assert client.get_order(order_id)["orderId"] == order_id


def test_throttling_of_search_orders_uses_its_own_rate(sim):
    client = make_client(sim)
    for _ in range(20):  # the burst of searchOrders
        list(client.search_orders(created_after=since(sim, 3600)))
    with pytest.raises(AmazonThrottled) as caught:
        list(client.search_orders(created_after=since(sim, 3600)))
    assert caught.value.retry_after == 179  # ceil(1 / 0.0056)


def fake_amazon(handler):
    """An httpx client whose LWA calls succeed and whose SP-API calls ``handler`` answers."""

    def dispatch(request):
        if request.url.path == "/auth/o2/token":
            return httpx.Response(200, json={"access_token": "Atza|x", "expires_in": 3600})
        return handler(request)

    return httpx.Client(transport=httpx.MockTransport(dispatch))


@pytest.mark.parametrize(
    ("headers", "expected"),
    [({"Retry-After": "7"}, 7), ({"x-amzn-RateLimit-Limit": "0.0167"}, 60), ({}, None)],
)
def test_throttling_without_error_body(sim, headers, expected):
    """A bare 429 (which the library returns as a normal response) is still throttling."""
    http = fake_amazon(lambda request: httpx.Response(429, headers=headers))
    with pytest.raises(AmazonThrottled) as caught:
        make_client(sim, http_client=http).get_order("123-1234567-1234567")
    assert caught.value.retry_after == expected


def test_expired_access_token_is_a_retryable_auth_error(sim):
    """403 'expired' -> AmazonAuthError(retryable); the token is dropped, the next call works."""
    client = make_client(sim)
    client.get_marketplace_participations()
    sim.control.advance(3600)
    with pytest.raises(AmazonAuthError) as caught:
        client.get_marketplace_participations()
    assert caught.value.status == 403 and caught.value.retryable
    assert "expired" in str(caught.value)
    assert client.get_marketplace_participations()


def test_revoked_refresh_token_is_an_auth_error(sim):
    client = make_client(sim)
    client.get_marketplace_participations()
    sim.control.revoke_refresh_token(DEFAULT_REFRESH_TOKEN)
    with pytest.raises(AmazonAuthError) as caught:
        client.get_marketplace_participations()
    assert caught.value.status == 403 and not caught.value.retryable
    with pytest.raises(AmazonAuthError) as caught:  # logging in again is refused too
        client.get_marketplace_participations()
    assert caught.value.code == "invalid_grant" and not caught.value.retryable


def test_wrong_client_secret_is_an_auth_error(sim):
    """Even with a valid token cached for the right secret, a wrong one logs in and fails."""
    make_client(sim).get_marketplace_participations()
    with pytest.raises(AmazonAuthError) as caught:
        make_client(sim, client_secret="wrong").get_marketplace_participations()
    assert caught.value.status == 401 and caught.value.code == "invalid_client"


def test_missing_credentials_are_an_auth_error(sim):
    with pytest.raises(AmazonAuthError):
        make_client(sim, refresh_token="")


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_are_transient(sim, status):
    sim.control.set_fault("error", operation="getOrder", status=status)
    with pytest.raises(AmazonTransientError) as caught:
        make_client(sim).get_order("123-1234567-1234567")
    assert caught.value.status == status


@pytest.mark.parametrize(
    ("kind", "options"),
    [("timeout", {}), ("timeout_after", {}), ("slow", {"delay": 30.0})],
)
def test_timeouts_are_transient(sim, kind, options):
    """No answer within the client's timeout (10 s here) -> AmazonTransientError."""
    sim.control.set_fault(kind, operation="searchOrders", **options)
    with pytest.raises(AmazonTransientError, match="in time"):
        list(make_client(sim).search_orders(created_after=since(sim, 3600)))


def test_truncated_answer_is_transient_not_empty(sim):
    """A cut JSON body must not read as 'no orders'."""
    sim.control.create_order(marketplace_id=DE)
    settle(sim)
    sim.control.set_fault("malformed", operation="searchOrders")
    with pytest.raises(AmazonTransientError, match="unreadable"):
        list(make_client(sim).search_orders(created_after=since(sim, 3600)))


def test_connection_refused_is_transient(sim):
    def refuse(request):
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(AmazonTransientError, match="reached"):
        make_client(sim, http_client=fake_amazon(refuse)).get_order("123-1234567-1234567")


def test_bad_request_is_a_request_error(sim):
    """Both date filters at once: Amazon's 400 InvalidInput, not retryable."""
    with pytest.raises(AmazonRequestError) as caught:
        list(
            make_client(sim).search_orders(
                created_after=since(sim, 3600), last_updated_after=since(sim, 3600)
            )
        )
    assert caught.value.status == 400 and caught.value.code == "InvalidInput"
    assert not isinstance(caught.value, AmazonNotFound)


def test_every_request_carries_the_timeout(sim):
    """SP-API, LWA and document calls all pass the client's timeout."""
    seen = []

    def record(request):
        seen.append((request.url.path, request.extensions["timeout"]["read"]))
        if request.url.path == "/auth/o2/token":
            return httpx.Response(200, json={"access_token": "Atza|x", "expires_in": 3600})
        if request.url.path.endswith("/documents"):
            return httpx.Response(
                201, json={"feedDocumentId": "d1", "url": "https://s3.example/d1"}
            )
        return httpx.Response(200, content=b"")

    client = make_client(
        sim, http_client=httpx.Client(transport=httpx.MockTransport(record)), timeout=12.5
    )
    client.upload_listings_feed({"header": {}, "messages": []})
    assert {path for path, _ in seen} == {"/auth/o2/token", "/feeds/2021-06-30/documents", "/d1"}
    assert {timeout for _, timeout in seen} == {12.5}


def test_host_header_follows_an_http_endpoint(sim):
    """The library derives Host from ``endpoint[8:]``, wrong for http://: it is dropped."""
    hosts = []

    def record(request):
        hosts.append(request.headers["host"])
        return httpx.Response(200, json={"payload": []})

    http = fake_amazon(record)
    client = make_client(sim, endpoint="http://127.0.0.1:8080", http_client=http)
    client.get_marketplace_participations()
    assert hosts == ["127.0.0.1:8080"]


def test_over_loopback_http(sim):
    """Against the simulator's HTTP server: plain http:// endpoint, LWA on the same host."""
    with LoopbackServer(sim) as server:
        client = AmazonClient(
            client_id=DEFAULT_CLIENT_ID,
            client_secret=DEFAULT_CLIENT_SECRET,
            refresh_token=DEFAULT_REFRESH_TOKEN,
            seller_id=DEFAULT_SELLER_ID,
            marketplace_ids=[DE],
            endpoint=server.url,
            lwa_url=server.url + "/auth/o2/token",
            timeout=10,
        )
        with client:
            assert client.get_marketplace_participations()
            document = mapping.listings_feed(
                DEFAULT_SELLER_ID, [("CANDLE-SET-3", mapping.stock_patches(8))]
            )
            feed_id = client.submit_listings_feed(document)
            sim.control.advance(90)
            feed = client.get_feed(feed_id)
            report = client.get_feed_report(feed["resultFeedDocumentId"])
    assert mapping.feed_results(document, feed, report) == {"CANDLE-SET-3": (True, "")}
    assert sim.control.listing_quantity("CANDLE-SET-3") == 8
    assert json.loads(json.dumps(report))["header"]["feedId"] == feed_id
