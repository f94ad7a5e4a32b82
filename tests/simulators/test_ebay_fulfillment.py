"""eBay simulator: createShippingFulfillment / getShippingFulfillments and status progression."""

import pytest
from marketplace_sim.ebay import EbaySimulator
from marketplace_sim.ebay.contract_calls import FULFILLMENT, EbayTestClient

ORDERS = f"{FULFILLMENT}/order"


@pytest.fixture
def sim():
    sim = EbaySimulator(seed=21, orders=40)
    return sim


@pytest.fixture
def client(sim):
    return EbayTestClient(sim)


def _open_order(sim, min_quantity=1, lines=1):
    """An untouched, uncancelled order with enough lines/units for the test."""
    for order in sim.fulfillment.orders.values():
        if (
            order["orderFulfillmentStatus"] == "NOT_STARTED"
            and order["cancelStatus"]["cancelState"] == "NONE_REQUESTED"
            and len(order["lineItems"]) >= lines
            and order["lineItems"][0]["quantity"] >= min_quantity
        ):
            return order
    raise AssertionError("seed has no such order")


def _ship(client, order_id, lines, tracking=None, carrier=None, **extra):
    body = {"lineItems": lines, **extra}
    if tracking:
        body["trackingNumber"] = tracking
    if carrier:
        body["shippingCarrierCode"] = carrier
    return client.post(f"{ORDERS}/{order_id}/shipping_fulfillment", json=body)


def test_partial_shipment_then_rest_fulfils_the_order(sim, client):
    """Shipping 1 of N units leaves line and order IN_PROGRESS; the rest makes them FULFILLED."""
    order = _open_order(sim, min_quantity=2)
    order_id, line = order["orderId"], order["lineItems"][0]
    first = _ship(
        client, order_id, [{"lineItemId": line["lineItemId"], "quantity": 1}], "1Z0001", "UPS"
    )
    assert first.status_code == 201
    assert first.headers["Location"].endswith(f"/order/{order_id}/shipping_fulfillment/1Z0001")
    current = client.get(f"{ORDERS}/{order_id}").json()
    assert current["orderFulfillmentStatus"] == "IN_PROGRESS"
    assert current["lineItems"][0]["lineItemFulfillmentStatus"] == "IN_PROGRESS"
    assert current["fulfillmentHrefs"] == [first.headers["Location"]]
    assert current["lastModifiedDate"] > order["creationDate"]

    rest = [{"lineItemId": line["lineItemId"], "quantity": line["quantity"] - 1}]
    rest += [
        {"lineItemId": other["lineItemId"], "quantity": other["quantity"]}
        for other in current["lineItems"][1:]
    ]
    assert _ship(client, order_id, rest, "1Z0002", "UPS").status_code == 201
    current = client.get(f"{ORDERS}/{order_id}").json()
    assert current["orderFulfillmentStatus"] == "FULFILLED"
    assert {line["lineItemFulfillmentStatus"] for line in current["lineItems"]} == {"FULFILLED"}

    listed = client.get(f"{ORDERS}/{order_id}/shipping_fulfillment").json()
    assert listed["total"] == 2
    assert [f["fulfillmentId"] for f in listed["fulfillments"]] == ["1Z0001", "1Z0002"]
    assert listed["fulfillments"][0]["shipmentTrackingNumber"] == "1Z0001"
    assert listed["fulfillments"][0]["lineItems"] == [
        {"lineItemId": line["lineItemId"], "quantity": 1}
    ]
    single = client.get(first.headers["Location"])
    assert single.status_code == 200 and single.json()["shippingCarrierCode"] == "UPS"


def test_shipping_one_of_two_lines_is_in_progress(sim, client):
    order = _open_order(sim, lines=2)
    first = order["lineItems"][0]
    _ship(
        client,
        order["orderId"],
        [{"lineItemId": first["lineItemId"], "quantity": first["quantity"]}],
        "T1",
        "DHL",
    )
    current = client.get(f"{ORDERS}/{order['orderId']}").json()
    assert current["orderFulfillmentStatus"] == "IN_PROGRESS"
    assert [line["lineItemFulfillmentStatus"] for line in current["lineItems"][:2]] == [
        "FULFILLED",
        "NOT_STARTED",
    ]


def test_fulfillment_without_tracking_gets_an_arbitrary_id(sim, client):
    """Spec: without tracking the fulfillment id is an arbitrary number such as 999;
    quantity defaults to 1 and shippedDate to now."""
    order = _open_order(sim)
    response = _ship(
        client, order["orderId"], [{"lineItemId": order["lineItems"][0]["lineItemId"]}]
    )
    assert response.status_code == 201
    assert response.headers["Location"].endswith("/shipping_fulfillment/999")
    fulfillment = client.get(f"{ORDERS}/{order['orderId']}/shipping_fulfillment").json()[
        "fulfillments"
    ][0]
    assert fulfillment["lineItems"][0]["quantity"] == 1
    assert "shipmentTrackingNumber" not in fulfillment


def test_generated_partial_shipment_is_visible(sim, client):
    order_id = next(
        oid for oid, fulfillments in sim.fulfillment.fulfillments.items() if fulfillments
    )
    listed = client.get(f"{ORDERS}/{order_id}/shipping_fulfillment").json()
    assert listed["total"] == 1
    order = client.get(f"{ORDERS}/{order_id}").json()
    assert order["orderFulfillmentStatus"] in ("IN_PROGRESS", "FULFILLED")
    assert order["fulfillmentHrefs"]


@pytest.mark.parametrize(
    ("case", "status", "error_id"),
    [
        ("unknown_line", 400, 32200),
        ("duplicate_line", 400, 32210),
        ("too_many_units", 400, 32600),
        ("zero_units", 400, 32600),
        ("tracking_without_carrier", 400, 32300),
        ("future_date", 400, 32500),
        ("bad_date", 400, 32500),
        ("no_lines", 400, 32600),
        ("unknown_order", 400, 32100),
    ],
)
def test_invalid_shipments_are_rejected(sim, client, case, status, error_id):
    order = _open_order(sim)
    order_id, line = order["orderId"], order["lineItems"][0]
    line_id, quantity = line["lineItemId"], line["quantity"]
    lines = [{"lineItemId": line_id, "quantity": 1}]
    extra = {}
    if case == "unknown_line":
        lines = [{"lineItemId": "10000000000001", "quantity": 1}]
    elif case == "duplicate_line":
        lines = lines * 2
    elif case == "too_many_units":
        lines = [{"lineItemId": line_id, "quantity": quantity + 1}]
    elif case == "zero_units":
        lines = [{"lineItemId": line_id, "quantity": 0}]
    elif case == "future_date":
        extra["shippedDate"] = "2030-01-01T00:00:00.000Z"
    elif case == "bad_date":
        extra["shippedDate"] = "yesterday"
    elif case == "no_lines":
        lines = []
    elif case == "unknown_order":
        order_id = "00-00000-00000"
    tracking = "1Z999" if case == "tracking_without_carrier" else None
    response = _ship(client, order_id, lines, tracking, **extra)
    assert response.status_code == status
    error = response.json()["errors"][0]
    assert (error["errorId"], error["domain"]) == (error_id, "API_FULFILLMENT")
    assert client.get(f"{ORDERS}/{order['orderId']}/shipping_fulfillment").json()["total"] == 0


def test_same_tracking_number_twice_is_a_conflict(sim, client):
    order = _open_order(sim, min_quantity=2)
    line = [{"lineItemId": order["lineItems"][0]["lineItemId"], "quantity": 1}]
    assert _ship(client, order["orderId"], line, "1ZSAME", "UPS").status_code == 201
    again = _ship(client, order["orderId"], line, "1ZSAME", "UPS")
    assert again.status_code == 409
    assert again.json()["errors"][0]["errorId"] == 34500


def test_cancelled_order_cannot_ship(sim, client):
    order = next(
        o for o in sim.fulfillment.orders.values() if o["cancelStatus"]["cancelState"] == "CANCELED"
    )
    response = _ship(
        client,
        order["orderId"],
        [{"lineItemId": order["lineItems"][0]["lineItemId"]}],
        "1Z1",
        "UPS",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["errorId"] == 32600


def test_body_against_the_contract_is_rejected_in_ebay_shape(client, sim):
    """A request the OpenAPI file rejects (quantity as text) never reaches the handler."""
    order = _open_order(sim)
    response = client.post(
        f"{ORDERS}/{order['orderId']}/shipping_fulfillment",
        json={
            "lineItems": [{"lineItemId": order["lineItems"][0]["lineItemId"], "quantity": "two"}]
        },
    )
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["errorId"], error["domain"], error["category"]) == (
        32600,
        "API_FULFILLMENT",
        "REQUEST",
    )
    assert "quantity" in error["longMessage"]
