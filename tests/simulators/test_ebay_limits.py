"""eBay simulator: daily call limits (429 / 2001), injected faults, policies, serving."""

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from marketplace_sim import load_simulator
from marketplace_sim.core import COVERAGE, LoopbackServer
from marketplace_sim.ebay import EbaySimulator
from marketplace_sim.ebay.app import DAILY_LIMITS
from marketplace_sim.ebay.contract_calls import (
    ACCOUNT,
    FULFILLMENT,
    INVENTORY,
    OPERATIONS,
    EbayTestClient,
    exercise,
)

DAY = 86400


@pytest.fixture
def sim():
    return EbaySimulator(seed=9, orders=3)


@pytest.fixture
def client(sim):
    return EbayTestClient(sim)


def _is_quota_error(response):
    error = response.json()["errors"][0]
    return response.status_code == 429 and (error["errorId"], error["domain"]) == (2001, "ACCESS")


def test_default_daily_limits_match_ebay():
    assert DAILY_LIMITS["inventory"].daily == 2_000_000
    assert DAILY_LIMITS["fulfillment"].daily == 100_000
    assert DAILY_LIMITS["account"].daily == 25_000
    assert DAILY_LIMITS["identity"].daily == 50_000


def test_api_daily_quota_gives_429_until_the_next_day(sim, client):
    """The per-app daily quota of an API: the call past it is 429 / 2001 in eBay's shape,
    other APIs still work, and the quota comes back after the day rolls over."""
    client.token()
    sim.control.set_daily_limit("fulfillment", 3)
    for _ in range(3):
        assert client.get(f"{FULFILLMENT}/order").status_code == 200
    refused = client.get(f"{FULFILLMENT}/order/01-00000-00000")
    assert _is_quota_error(refused)
    assert refused.json()["errors"][0]["message"].startswith("Too many requests")
    assert (
        client.get(f"{ACCOUNT}/return_policy", params={"marketplace_id": "EBAY_US"}).status_code
        == 200
    )
    sim.control.advance(DAY - sim.clock.now() % DAY)  # next UTC day
    client.token()
    assert client.get(f"{FULFILLMENT}/order").status_code == 200


def test_operation_daily_limit(sim, client):
    """A per-operation limit throttles only that operation."""
    client.token()
    sim.control.set_daily_limit("getOrders", 1)
    assert client.get(f"{FULFILLMENT}/order").status_code == 200
    assert _is_quota_error(client.get(f"{FULFILLMENT}/order"))
    order_id = next(iter(sim.fulfillment.orders))
    assert client.get(f"{FULFILLMENT}/order/{order_id}").status_code == 200
    sim.control.set_daily_limit("getOrders", None)
    assert client.get(f"{FULFILLMENT}/order").status_code == 200


def test_quota_is_per_application(sim, client):
    """Limits count per developer app (client_id): another app is not refused."""
    client.token()
    sim.control.set_daily_limit("inventory", 1)
    assert client.get(f"{INVENTORY}/inventory_item/NOPE").status_code == 404
    assert _is_quota_error(client.get(f"{INVENTORY}/inventory_item/NOPE"))
    sim.control.add_application("OtherApp-PRD-1", "other-secret")
    other = EbayTestClient(
        sim,
        refresh_token=sim.control.issue_refresh_token(client_id="OtherApp-PRD-1"),
        client_id="OtherApp-PRD-1",
        client_secret="other-secret",
    )
    assert other.get(f"{INVENTORY}/inventory_item/NOPE").status_code == 404


def test_token_endpoint_has_its_own_quota(sim, client):
    sim.control.set_daily_limit("identity", 2)
    assert client.token().status_code == 200
    assert client.token().status_code == 200
    assert client.token().status_code == 429


def test_injected_server_error_uses_the_api_system_error(sim, client):
    client.token()
    sim.control.set_fault("error", operation="getOrders", status=500, remaining=1)
    failed = client.get(f"{FULFILLMENT}/order")
    assert failed.status_code == 500
    error = failed.json()["errors"][0]
    assert (error["errorId"], error["domain"], error["category"]) == (
        30500,
        "API_FULFILLMENT",
        "APPLICATION",
    )
    assert client.get(f"{FULFILLMENT}/order").status_code == 200


def test_injected_timeout_after_applies_the_shipment(sim, client):
    """A lost answer after the shipment was stored: the retry sees the 409 conflict."""
    client.token()
    order = next(
        o
        for o in sim.fulfillment.orders.values()
        if o["orderFulfillmentStatus"] == "NOT_STARTED"
        and o["cancelStatus"]["cancelState"] == "NONE_REQUESTED"
    )
    body = {
        "lineItems": [{"lineItemId": order["lineItems"][0]["lineItemId"], "quantity": 1}],
        "trackingNumber": "1ZLOST",
        "shippingCarrierCode": "UPS",
    }
    url = f"{FULFILLMENT}/order/{order['orderId']}/shipping_fulfillment"
    sim.control.set_fault("timeout_after", operation="createShippingFulfillment", remaining=1)
    with pytest.raises(requests.exceptions.ReadTimeout):
        client.post(url, json=body)
    assert client.post(url, json=body).status_code == 409


def test_unknown_path_is_404_in_ebay_shape(client):
    client.token()
    response = client.get(f"{FULFILLMENT}/nothing_here")
    assert response.status_code == 404
    assert response.json()["errors"][0]["domain"] == "ACCESS"


def test_policies_by_marketplace(client):
    for marketplace, currency in (("EBAY_US", "USD"), ("EBAY_DE", "EUR")):
        body = client.get(
            f"{ACCOUNT}/fulfillment_policy", params={"marketplace_id": marketplace}
        ).json()
        assert body["total"] == 1
        policy = body["fulfillmentPolicies"][0]
        assert policy["marketplaceId"] == marketplace
        service = policy["shippingOptions"][0]["shippingServices"][0]
        assert service["shippingCost"]["currency"] == currency
    for path, key in (("payment_policy", "paymentPolicies"), ("return_policy", "returnPolicies")):
        body = client.get(f"{ACCOUNT}/{path}", params={"marketplace_id": "EBAY_GB"}).json()
        assert [p["marketplaceId"] for p in body[key]] == ["EBAY_GB"]


def test_policy_errors(client):
    unknown = client.get(f"{ACCOUNT}/payment_policy", params={"marketplace_id": "EBAY_XX"})
    assert unknown.status_code == 400
    assert (unknown.json()["errors"][0]["errorId"], unknown.json()["errors"][0]["domain"]) == (
        20403,
        "API_ACCOUNT",
    )
    missing = client.get(f"{ACCOUNT}/return_policy")  # marketplace_id is required by the spec
    assert missing.status_code == 400 and missing.json()["errors"][0]["errorId"] == 20401


def test_every_operation_validates_against_the_contract():
    """Request and response of each implemented operation pass openapi-core."""
    exercise(EbaySimulator(seed=2))
    validated = {op for (mkt, _api, op) in COVERAGE.validated() if mkt == "ebay"}
    assert OPERATIONS <= validated, OPERATIONS - validated
    ebay_failures = [f for f in COVERAGE.failures if f[0] == "ebay" and f[3] == "response"]
    assert ebay_failures == []


def test_registered_and_served_over_a_socket():
    """``marketplace_sim.SIMULATORS`` knows ebay; the loopback server answers real HTTP."""
    assert load_simulator("ebay") is EbaySimulator
    sim = EbaySimulator(seed=1, orders=2)
    with LoopbackServer(sim) as server:
        client = EbayTestClient(sim)
        client.session = requests.Session()
        token = client.session.post(
            server.url + "/identity/v1/oauth2/token",
            data={"grant_type": "refresh_token", "refresh_token": client.refresh_token},
            headers={"Authorization": client.basic()},
            timeout=10,
        )
        assert token.status_code == 200
        orders = client.session.get(
            server.url + "/sell/fulfillment/v1/order",
            headers={"Authorization": "Bearer " + token.json()["access_token"]},
            timeout=10,
        )
        assert orders.status_code == 200 and orders.json()["total"] == 2
        assert orders.json()["href"].startswith(server.url)
        control = client.session.post(server.url + "/_sim/credentials", json={}, timeout=10)
        assert control.json()["result"]["refresh_token"] == client.refresh_token


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_cli_serves_ebay():
    """``python -m marketplace_sim serve ebay --port N`` starts the simulator."""
    port = _free_port()
    simulators = Path(__file__).resolve().parents[2] / "simulators"
    command = [sys.executable, "-m", "marketplace_sim", "serve", "ebay", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--no-validate"],
        cwd=simulators,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = requests.get(f"http://127.0.0.1:{port}/_sim", timeout=2)
                break
            except requests.exceptions.ConnectionError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
        assert answer.json()["marketplace"] == "ebay"
        assert "generate_orders" in answer.json()["methods"]
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_package_does_not_import_odoo():
    simulators = Path(__file__).resolve().parents[2] / "simulators"
    code = "import sys, marketplace_sim.ebay; assert 'odoo' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], cwd=simulators, check=True)
