"""The Amazon control handle over HTTP (for other processes) and ORDER_CHANGE payloads."""

import jsonschema
import pytest
from amazon_support import make
from marketplace_sim.amazon import BASE_URL
from marketplace_sim.amazon.notifications import order_change_validator
from marketplace_sim.core import httpx_client


@pytest.fixture
def env():
    return make(seed=61)


def control(client, name, **kwargs):
    response = client.post(f"{BASE_URL}/_sim/{name}", json=kwargs)
    assert response.status_code == 200, response.text
    return response.json()["result"]


def test_control_api_creates_orders_and_reads_pushed_state(env):
    sim, _session = env
    client = httpx_client(sim)
    methods = client.get(f"{BASE_URL}/_sim").json()["methods"]
    assert {"create_order", "listing_quantity", "shipments", "advance", "set_fault"} <= set(methods)
    order = control(client, "create_order", pending=False, cancelled=False, partially_shipped=False)
    assert control(client, "order_status", order_id=order["orderId"]) == "UNSHIPPED"
    assert control(client, "listing_quantity", sku="NOTEBOOK-A5") == 10
    control(client, "set_listing", sku="NOTEBOOK-A5", quantity=2, price=11.5)
    assert control(client, "listing_price", sku="NOTEBOOK-A5") == 11.5
    untitled = client.post(f"{BASE_URL}/_sim/set_listing", json={"sku": "NEW", "quantity": 1})
    assert untitled.status_code == 400 and "item_name" in untitled.json()["error"]
    bad = client.post(f"{BASE_URL}/_sim/order_status", json={"order_id": "nope"})
    assert (bad.status_code, bad.json()["error"]) == (404, "NotFound")


def test_order_change_notification_matches_its_schema(env):
    sim, _session = env
    order = sim.control.create_order(b2b=True, cancelled=False, pending=False)
    envelope = sim.control.order_change_notification(order["orderId"])
    order_change_validator().validate(envelope)
    payload = envelope["Payload"]["OrderChangeNotification"]
    assert payload["AmazonOrderId"] == order["orderId"]
    assert payload["Summary"]["OrderStatus"] in ("Unshipped", "PartiallyShipped", "Shipped")
    assert "Business" in payload["Summary"]["OrderPrograms"]
    broken = {**envelope, "Payload": {}}
    with pytest.raises(jsonschema.ValidationError):
        order_change_validator().validate(broken)
