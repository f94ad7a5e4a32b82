"""Etsy simulator: per-second and rolling daily limits, their headers, and injected faults."""

import pytest
import requests
from marketplace_sim.etsy import EtsySimulator
from marketplace_sim.etsy.contract_calls import EtsyTestClient
from marketplace_sim.etsy.ratelimit import LIMIT_HEADERS

# openapi-core warns that it cannot check the oauth2 scheme; the simulator checks it.
pytestmark = pytest.mark.filterwarnings("ignore:Unsupported scheme type")


def ping(client):
    return client.get("/openapi-ping", bearer=False)


def test_every_answer_carries_the_limit_headers():
    client = EtsyTestClient(EtsySimulator(seed=1, receipts_per_shop=1), pace=False)
    first = ping(client)
    assert {h: first.headers[h] for h in LIMIT_HEADERS} == {
        "x-limit-per-second": "10",
        "x-remaining-this-second": "9",
        "x-limit-per-day": "10000",
        "x-remaining-today": "9999",
    }
    # Shop calls count against the same application budget.
    second = client.receipts(limit=1)
    assert second.headers["x-remaining-this-second"] == "8"
    assert second.headers["x-remaining-today"] == "9998"


def test_burst_over_ten_per_second_gets_429_and_recovers():
    sim = EtsySimulator(seed=1, receipts_per_shop=1)
    client = EtsyTestClient(sim, pace=False)
    statuses = [ping(client).status_code for _ in range(10)]
    assert statuses == [200] * 10
    throttled = ping(client)
    assert throttled.status_code == 429
    assert throttled.json() == {"error": "Too many requests"}
    assert throttled.headers["retry-after"] == "1"
    assert throttled.headers["x-remaining-this-second"] == "0"
    # A refused call does not use the daily budget.
    assert throttled.headers["x-remaining-today"] == "9990"
    sim.control.advance(0.05)
    assert ping(client).status_code == 429
    sim.control.advance(int(throttled.headers["retry-after"]))
    assert ping(client).status_code == 200


def test_daily_quota_is_a_rolling_window():
    sim = EtsySimulator(seed=1, receipts_per_shop=1, per_day=5)
    client = EtsyTestClient(sim, pace=False)
    for _ in range(5):
        assert ping(client).status_code == 200
        sim.control.advance(3600)
    # Five calls in the last 24 h: the sixth is refused until the first leaves the window.
    refused = ping(client)
    assert refused.status_code == 429
    assert refused.headers["x-remaining-today"] == "0"
    wait = int(refused.headers["retry-after"])
    assert wait == 86400 - 5 * 3600
    sim.control.advance(wait - 1)
    assert ping(client).status_code == 429
    sim.control.advance(1)
    allowed = ping(client)
    assert allowed.status_code == 200
    assert allowed.headers["x-remaining-today"] == "0"
    # An hour later the second call of the first day has expired as well.
    sim.control.advance(3600)
    assert ping(client).headers["x-remaining-today"] == "0"


def test_rate_limiting_can_be_switched_off_and_reset():
    sim = EtsySimulator(seed=1, receipts_per_shop=1, per_second=1)
    client = EtsyTestClient(sim, pace=False)
    assert ping(client).status_code == 200
    assert ping(client).status_code == 429
    sim.control.reset_rate_limits()
    assert ping(client).status_code == 200
    sim.control.set_rate_limiting(False)
    assert all(ping(client).status_code == 200 for _ in range(5))


def test_limits_count_per_application_not_per_token():
    sim = EtsySimulator(seed=1, receipts_per_shop=1, per_second=3)
    first, second = EtsyTestClient(sim, 0, pace=False), EtsyTestClient(sim, 1, pace=False)
    assert [first.receipts(limit=1).status_code for _ in range(2)] == [200, 200]
    assert second.receipts(limit=1).status_code == 200
    assert second.receipts(limit=1).status_code == 429


def test_injected_server_error_uses_etsy_error_shape():
    sim = EtsySimulator(seed=1, receipts_per_shop=1)
    client = EtsyTestClient(sim)
    sim.control.set_fault("error", operation="getShopReceipts", status=503, remaining=1)
    failed = client.receipts()
    assert failed.status_code == 503
    assert set(failed.json()) == {"error"}
    assert client.receipts().status_code == 200
    assert sim.faults.fired == [("getShopReceipts", "error")]


def test_injected_timeout_after_applies_the_shipment():
    sim = EtsySimulator(seed=1)
    client = EtsyTestClient(sim)
    receipt = client.receipts(was_paid="true", was_shipped="false").json()["results"][0]
    sim.control.set_fault("timeout_after", operation="createReceiptShipment", remaining=1)
    with pytest.raises(requests.exceptions.ReadTimeout):
        client.request(
            "POST",
            client.shop(f"/receipts/{receipt['receipt_id']}/tracking"),
            data={"tracking_code": "1Z1", "carrier_name": "UPS"},
        )
    # The answer was lost but the shipment exists: a retrying connector must check first.
    stored = client.get(client.shop(f"/receipts/{receipt['receipt_id']}")).json()
    assert stored["is_shipped"] is True
