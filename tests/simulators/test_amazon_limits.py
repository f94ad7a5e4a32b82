"""Published rate limits, 429 shape, recovery, and injected faults."""

import pytest
import requests
from amazon_support import ORDERS, error_codes, make, settle, since
from marketplace_sim.amazon import BASE_URL, published_rate_limits
from marketplace_sim.core import RateLimit

PARTICIPATIONS = BASE_URL + "/sellers/v1/marketplaceParticipations"
SHIP_URL = BASE_URL + "/orders/v0/orders/{}/shipmentConfirmation"


@pytest.fixture
def env():
    return make(seed=41)


def test_rates_come_from_the_api_models():
    limits = published_rate_limits()
    assert limits["searchOrders"] == RateLimit(0.0056, 20)
    assert limits["getOrder"] == RateLimit(0.5, 30)
    assert limits["confirmShipment"] == RateLimit(2, 10)
    assert limits["patchListingsItem"] == RateLimit(5, 5)
    assert limits["createFeed"] == RateLimit(0.0083, 15)
    assert limits["getMarketplaceParticipations"] == RateLimit(0.016, 15)


def test_burst_then_429_quota_exceeded_then_recovery(env):
    sim, session = env
    statuses = [session.get(PARTICIPATIONS).status_code for _ in range(16)]
    assert statuses == [200] * 15 + [429]
    throttled = session.get(PARTICIPATIONS)
    assert error_codes(throttled) == ["QuotaExceeded"]
    assert throttled.headers["x-amzn-RateLimit-Limit"] == "0.016"
    sim.control.advance(1 / 0.016 - 1)  # not quite one token yet
    assert session.get(PARTICIPATIONS).status_code == 429
    sim.control.advance(1)
    ok = session.get(PARTICIPATIONS)
    assert ok.status_code == 200
    assert ok.headers["x-amzn-RateLimit-Limit"] == "0.016"
    assert ok.headers["x-amzn-RequestId"]


def test_buckets_are_per_operation(env):
    sim, session = env
    sim.limiter.configure("searchOrders", RateLimit(0.0056, 1))
    settle(sim)
    assert session.get(ORDERS, params={"createdAfter": since(sim, 600)}).status_code == 200
    assert session.get(ORDERS, params={"createdAfter": since(sim, 600)}).status_code == 429
    assert session.get(PARTICIPATIONS).status_code == 200


def test_injected_server_error_uses_amazon_shape(env):
    sim, session = env
    sim.control.set_fault(
        "error", operation="getMarketplaceParticipations", status=503, remaining=1
    )
    failed = session.get(PARTICIPATIONS)
    assert failed.status_code == 503
    assert error_codes(failed) == ["ServiceUnavailable"]
    assert session.get(PARTICIPATIONS).status_code == 200  # the fault fired once only


def test_timeout_before_processing_leaves_state_untouched(env):
    sim, session = env
    order = sim.control.create_order(
        fulfilled_by="MERCHANT", lines=1, pending=False, cancelled=False, partially_shipped=False
    )
    body = {
        "marketplaceId": order["salesChannel"]["marketplaceId"],
        "packageDetail": {
            "packageReferenceId": "1",
            "carrierCode": "UPS",
            "trackingNumber": "1Z999",
            "shipDate": order["createdTime"],
            "orderItems": [
                {
                    "orderItemId": order["orderItems"][0]["orderItemId"],
                    "quantity": order["orderItems"][0]["quantityOrdered"],
                }
            ],
        },
    }
    sim.control.set_fault("timeout", operation="confirmShipment", remaining=1)
    with pytest.raises(requests.exceptions.ReadTimeout):
        session.post(SHIP_URL.format(order["orderId"]), json=body, timeout=10)
    assert sim.control.shipments(order["orderId"]) == []
    # The answer of an applied call is lost: a blind retry is then refused.
    sim.control.set_fault("timeout_after", operation="confirmShipment", remaining=1)
    with pytest.raises(requests.exceptions.ReadTimeout):
        session.post(SHIP_URL.format(order["orderId"]), json=body, timeout=10)
    assert len(sim.control.shipments(order["orderId"])) == 1
    assert session.post(SHIP_URL.format(order["orderId"]), json=body).status_code == 400


def test_malformed_and_slow_answers(env):
    sim, session = env
    sim.control.set_fault("malformed", operation="getMarketplaceParticipations", remaining=1)
    broken = session.get(PARTICIPATIONS)
    assert broken.status_code == 200
    with pytest.raises(requests.exceptions.JSONDecodeError):
        broken.json()
    sim.control.set_fault("slow", operation="getMarketplaceParticipations", delay=5, remaining=2)
    before = sim.clock.now()
    assert session.get(PARTICIPATIONS, timeout=30).status_code == 200
    assert sim.clock.now() - before == 5  # simulated delay, no real sleep
    with pytest.raises(requests.exceptions.ReadTimeout):
        session.get(PARTICIPATIONS, timeout=2)  # slower than the client waits


def test_fault_rate_is_seeded():
    def pattern(seed):
        sim, session = make(seed=seed)
        sim.control.set_fault("error", rate=0.5, status=500)
        sim.limiter.enabled = False
        return [session.get(PARTICIPATIONS).status_code for _ in range(20)]

    first = pattern(7)
    assert first == pattern(7)
    assert 500 in first and 200 in first
    assert first != pattern(8)
