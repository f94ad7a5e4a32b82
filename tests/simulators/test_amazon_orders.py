"""Orders 2026-01-01 search/get, order lifecycle, v0 confirmShipment and Finances."""

import json
from decimal import Decimal

import pytest
from amazon_support import ORDERS, error_codes, login, make, settle, since
from marketplace_sim.amazon import BASE_URL, DE, MARKETPLACES, US
from marketplace_sim.core import isoformat

ALL = "BUYER,RECIPIENT,PROCEEDS,FULFILLMENT,PACKAGES,PROMOTION,CANCELLATION,TAX"
SHIP_URL = BASE_URL + "/orders/v0/orders/{}/shipmentConfirmation"
FINANCES_URL = BASE_URL + "/finances/v0/orders/{}/financialEvents"


@pytest.fixture
def env():
    return make(seed=11)


def search(session, **params):
    response = session.get(ORDERS, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def package(order, quantities, ref="P1", **overrides):
    body = {
        "marketplaceId": order["salesChannel"]["marketplaceId"],
        "packageDetail": {
            "packageReferenceId": ref,
            "carrierCode": "DHL",
            "shippingMethod": "Paket",
            "trackingNumber": f"00340434{ref}",
            "shipDate": overrides.pop("shipDate", order["createdTime"]),
            "orderItems": [
                {"orderItemId": item["orderItemId"], "quantity": qty}
                for item, qty in zip(order["orderItems"], quantities, strict=False)
                if qty
            ],
        },
    }
    body["packageDetail"].update(overrides)
    return body


def test_search_renders_only_the_requested_included_data(env):
    sim, session = env
    sim.control.create_orders(3, status="UNSHIPPED", pending=False, cancelled=False)
    settle(sim)
    bare = search(session, createdAfter=since(sim, 86400))
    assert len(bare["orders"]) == 3
    for order in bare["orders"]:
        assert {"orderId", "createdTime", "lastUpdatedTime", "salesChannel", "orderItems"} <= set(
            order
        )
        # A bare search gives no status, amounts nor PII (contract trap in the docs).
        assert not {"fulfillment", "proceeds", "buyer", "recipient"} & set(order)
    full = search(session, createdAfter=since(sim, 86400), includedData=ALL)
    for order in full["orders"]:
        assert order["fulfillment"]["fulfillmentStatus"] == "UNSHIPPED"
        assert order["recipient"]["deliveryAddress"]["countryCode"]
        assert Decimal(order["proceeds"]["grandTotal"]["amount"]) > 0
        assert isinstance(order["proceeds"]["grandTotal"]["amount"], str)
    assert "lastUpdatedBefore" not in full and "createdBefore" in full


def test_search_pages_with_opaque_token_and_filters(env):
    sim, session = env
    sim.control.create_orders(7, fulfilled_by="MERCHANT", marketplace_id=DE, cancelled=False)
    sim.control.create_orders(2, fulfilled_by="AMAZON", marketplace_id=US, cancelled=False)
    settle(sim)
    seen, token, pages = [], None, 0
    while True:
        first_page = {
            "lastUpdatedAfter": since(sim, 86400),
            "maxResultsPerPage": 3,
            "fulfilledBy": "MERCHANT",
        }
        params = {"paginationToken": token} if token else first_page
        body = search(session, **params)
        seen += [order["orderId"] for order in body["orders"]]
        pages += 1
        token = body.get("pagination", {}).get("nextToken")
        if not token:
            break
    assert pages == 3 and len(seen) == len(set(seen)) == 7
    only_us = search(session, createdAfter=since(sim, 86400), marketplaceIds=US)
    assert {o["salesChannel"]["marketplaceId"] for o in only_us["orders"]} == {US}
    cancelled = search(session, createdAfter=since(sim, 86400), fulfillmentStatuses="CANCELLED")
    assert cancelled["orders"] == []


@pytest.mark.parametrize(
    "params",
    [
        {},  # neither createdAfter nor lastUpdatedAfter
        {"createdAfter": "2026-10-01T00:00:00Z", "lastUpdatedAfter": "2026-10-01T00:00:00Z"},
        {"createdAfter": "2026-10-01T00:00:00Z", "createdBefore": "2026-11-02T07:59:00Z"},
        {"lastUpdatedAfter": "2026-10-01T00:00:00Z", "createdBefore": "2026-10-02T00:00:00Z"},
        {"createdAfter": "2026-10-01T00:00:00Z", "maxResultsPerPage": 101},
        {"createdAfter": "yesterday"},
        {"createdAfter": "2026-10-01T00:00:00Z", "includedData": "EVERYTHING"},
        {"createdAfter": "2026-10-01T00:00:00Z", "fulfilledBy": "SOMEONE"},
        {"paginationToken": "forged"},
    ],
)
def test_invalid_searches_are_400_invalid_input(env, params):
    _sim, session = env
    response = session.get(ORDERS, params=params)
    assert response.status_code == 400
    assert error_codes(response) == ["InvalidInput"]


def test_get_order_and_unknown_order(env):
    sim, session = env
    created = sim.control.create_order(b2b=True, marketplace_id=DE, pending=False, cancelled=False)
    response = session.get(f"{ORDERS}/{created['orderId']}", params={"includedData": "BUYER,TAX"})
    assert response.status_code == 200
    order = response.json()["order"]
    assert "AMAZON_BUSINESS" in order["programs"]
    assert order["buyer"]["buyerCompanyName"]
    registration = order["tax"]["taxRegistrations"][0]
    assert registration["taxRegistrationNumber"].startswith("DE")
    missing = session.get(f"{ORDERS}/999-0000000-0000000")
    assert missing.status_code == 404
    assert error_codes(missing) == ["NotFound"]


def test_pending_order_gets_address_and_new_update_time_after_payment(env):
    sim, session = env
    order = sim.control.create_order(pending=True, cancelled=False, fulfilled_by="MERCHANT")
    assert order["fulfillment"]["fulfillmentStatus"] == "PENDING"
    assert "recipient" not in order
    sim.control.advance(1800)
    body = session.get(
        f"{ORDERS}/{order['orderId']}", params={"includedData": "RECIPIENT,FULFILLMENT"}
    )
    later = body.json()["order"]
    assert later["fulfillment"]["fulfillmentStatus"] == "UNSHIPPED"
    assert later["recipient"]["deliveryAddress"]["postalCode"]
    assert later["lastUpdatedTime"] > order["lastUpdatedTime"]


def test_afn_orders_ship_by_themselves(env):
    sim, _session = env
    order = sim.control.create_order(fulfilled_by="AMAZON", pending=False, cancelled=False)
    sim.control.advance(4 * 3600)
    assert sim.control.order_status(order["orderId"]) == "SHIPPED"
    assert sim.control.shipments(order["orderId"])[0]["carrierCode"] == "AMZN"


def test_partial_then_full_shipment_confirmation(env):
    sim, session = env
    order = sim.control.create_order(
        fulfilled_by="MERCHANT", lines=2, pending=False, cancelled=False, partially_shipped=False
    )
    quantities = [item["quantityOrdered"] for item in order["orderItems"]]
    response = session.post(
        SHIP_URL.format(order["orderId"]), json=package(order, [quantities[0], 0])
    )
    assert response.status_code == 204, response.text
    assert response.content == b""
    assert sim.control.order_status(order["orderId"]) == "PARTIALLY_SHIPPED"
    response = session.post(
        SHIP_URL.format(order["orderId"]), json=package(order, [0, quantities[1]], ref="P2")
    )
    assert response.status_code == 204, response.text
    assert sim.control.order_status(order["orderId"]) == "SHIPPED"
    shipments = sim.control.shipments(order["orderId"])
    assert [s["trackingNumber"] for s in shipments] == ["00340434P1", "00340434P2"]
    assert shipments[1]["items"] == [
        {"orderItemId": order["orderItems"][1]["orderItemId"], "quantity": quantities[1]}
    ]
    view = session.get(
        f"{ORDERS}/{order['orderId']}", params={"includedData": "PACKAGES,FULFILLMENT"}
    )
    rendered = view.json()["order"]
    assert len(rendered["packages"]) == 2
    assert all(item["fulfillment"]["quantityUnfulfilled"] == 0 for item in rendered["orderItems"])
    # Shipping again is refused: nothing is left to ship.
    again = session.post(SHIP_URL.format(order["orderId"]), json=package(order, [1, 0], ref="P3"))
    assert again.status_code == 400


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"shipDate": "2027-01-01T00:00:00Z"}, "InvalidInput"),  # in the future
        ({"shipDate": "2020-01-01T00:00:00Z"}, "InvalidInput"),  # before the purchase
        ({"carrierCode": "Other"}, "InvalidInput"),  # carrierName missing
        ({"quantity": 99}, "InvalidInput"),  # more than ordered
        ({"marketplaceId": "A1F83G8C2ARO7P"}, "InvalidInput"),  # not the order's marketplace
        ({"drop": "trackingNumber"}, "InvalidInput"),  # contract: required field
    ],
)
def test_confirm_shipment_rejections(env, change, code):
    sim, session = env
    order = sim.control.create_order(
        fulfilled_by="MERCHANT",
        marketplace_id=DE,
        pending=False,
        cancelled=False,
        partially_shipped=False,
    )
    body = package(order, [item["quantityOrdered"] for item in order["orderItems"]])
    detail = body["packageDetail"]
    if "quantity" in change:
        detail["orderItems"][0]["quantity"] = change["quantity"]
    elif "marketplaceId" in change:
        body["marketplaceId"] = change["marketplaceId"]
    elif "drop" in change:
        del detail[change["drop"]]
    else:
        detail.update(change)
    response = session.post(SHIP_URL.format(order["orderId"]), json=body)
    assert response.status_code == 400
    assert error_codes(response) == [code]
    assert sim.control.shipments(order["orderId"]) == []


def test_confirm_shipment_refuses_afn_and_cancelled_orders(env):
    sim, session = env
    afn = sim.control.create_order(fulfilled_by="AMAZON", pending=False, cancelled=False)
    cancelled = sim.control.create_order(fulfilled_by="MERCHANT", cancelled=True)
    for order in (afn, cancelled):
        body = package(order, [1])
        assert session.post(SHIP_URL.format(order["orderId"]), json=body).status_code == 400


def test_finances_list_one_event_per_package_with_numeric_amounts(env):
    sim, session = env
    order = sim.control.create_order(
        fulfilled_by="MERCHANT",
        lines=1,
        pending=False,
        cancelled=False,
        partially_shipped=False,
        promotion=True,
        shipping=True,
        marketplace_id=DE,
    )
    empty = session.get(FINANCES_URL.format(order["orderId"]))
    assert empty.status_code == 200
    assert empty.json()["payload"]["FinancialEvents"]["ShipmentEventList"] == []
    qty = order["orderItems"][0]["quantityOrdered"]
    assert (
        session.post(SHIP_URL.format(order["orderId"]), json=package(order, [qty])).status_code
        == 204
    )
    events = session.get(FINANCES_URL.format(order["orderId"])).json()["payload"]["FinancialEvents"]
    (event,) = events["ShipmentEventList"]
    (item,) = event["ShipmentItemList"]
    charges = {c["ChargeType"]: c["ChargeAmount"]["CurrencyAmount"] for c in item["ItemChargeList"]}
    unit = Decimal(order["orderItems"][0]["product"]["price"]["unitPrice"]["amount"])
    assert charges["Principal"] == float(unit * qty)
    assert "ShippingCharge" in charges
    assert all(fee["FeeAmount"]["CurrencyAmount"] < 0 for fee in item["ItemFeeList"])
    assert item["PromotionList"][0]["PromotionAmount"]["CurrencyAmount"] < 0


def test_same_seed_same_orders_different_seed_different_orders():
    def orders(seed, logins=1):
        sim, session = make(seed=seed)
        for _ in range(logins - 1):
            login(session)  # other traffic must not shift the generated data
        session.get(f"{ORDERS}/none")
        ids = sim.control.create_orders(5)
        return json.dumps([sim.control.order(i) for i in ids], sort_keys=True)

    assert orders(5) == orders(5, logins=3)
    assert orders(5) != orders(6)


def test_generator_covers_the_cases_importers_get_wrong():
    sim, _session = make(seed=2)
    orders = [sim.control.order(i) for i in sim.control.create_orders(300)]
    by_status = {o["fulfillment"]["fulfillmentStatus"] for o in orders}
    assert {"PENDING", "UNSHIPPED", "PARTIALLY_SHIPPED", "CANCELLED"} <= by_status
    assert {o["fulfillment"]["fulfilledBy"] for o in orders} == {"MERCHANT", "AMAZON"}
    currencies = {o["proceeds"]["grandTotal"]["currencyCode"] for o in orders}
    assert {"USD", "EUR", "GBP"} <= currencies
    assert any("AMAZON_BUSINESS" in o.get("programs", []) and "tax" in o for o in orders)
    items = [i for o in orders for i in o["orderItems"]]
    assert any(i["quantityOrdered"] > 1 for i in items)
    assert any(len(o["orderItems"]) > 1 for o in orders)
    assert any("promotion" in i for i in items)
    assert any("packing" in i.get("fulfillment", {}) for i in items)  # gift message
    assert any(i["product"]["sellerSku"].startswith("UNLISTED-") for i in items)
    assert any("title" not in i["product"] for i in items)
    breakdown_types = {b["type"] for o in orders for b in o["proceeds"]["breakdowns"]}
    assert {"ITEM", "SHIPPING", "GIFT_WRAP", "TAX", "DISCOUNT"} <= breakdown_types
    addresses = [o["recipient"]["deliveryAddress"] for o in orders if "recipient" in o]
    assert any("addressLine2" in a for a in addresses) and any(
        "addressLine2" not in a for a in addresses
    )
    assert any("phone" not in a for a in addresses)
    assert any(not a["name"].isascii() for a in addresses)


def test_grand_total_follows_the_marketplace_tax_convention(env):
    sim, _session = env
    for marketplace_id in (US, DE):
        order = sim.control.create_order(
            marketplace_id=marketplace_id,
            lines=1,
            gift=False,
            promotion=False,
            shipping=False,
            cancelled=False,
        )
        parts = {
            b["type"]: Decimal(b["subtotal"]["amount"]) for b in order["proceeds"]["breakdowns"]
        }
        total = Decimal(order["proceeds"]["grandTotal"]["amount"])
        if MARKETPLACES[marketplace_id].tax_included:
            assert total == parts["ITEM"]  # VAT is inside the price
        else:
            assert total == parts["ITEM"] + parts["TAX"]  # US sales tax comes on top


def test_search_hides_the_last_two_minutes(env):
    sim, session = env
    sim.control.create_order(cancelled=False)
    body = search(session, createdAfter=since(sim, 3600))
    assert body["orders"] == []
    assert body["createdBefore"] == isoformat(sim.clock.now() - 120)
    settle(sim)
    assert len(search(session, createdAfter=since(sim, 3600))["orders"]) == 1


def test_initial_orders_are_spread_over_the_last_three_days():
    sim, session = make(seed=12, initial_orders=30)
    body = search(session, createdAfter=since(sim, 4 * 86400), includedData="FULFILLMENT")
    orders = body["orders"]
    assert len(orders) == 30
    created = sorted(order["createdTime"] for order in orders)
    assert created[0] >= since(sim, 3 * 86400) and created[-1] <= since(sim, 120)
    # History already happened: old AFN orders were shipped by Amazon, payments cleared.
    statuses = {o["fulfillment"]["fulfillmentStatus"] for o in orders}
    assert "SHIPPED" in statuses
    assert all(
        o["fulfillment"]["fulfillmentStatus"] != "PENDING"
        for o in orders
        if o["createdTime"] < since(sim, 1800)
    )


def test_an_order_cancelled_at_creation_is_visible_to_update_searches(env):
    sim, session = env
    order = sim.control.create_order(cancelled=True)
    settle(sim)
    body = search(session, lastUpdatedAfter=since(sim, 3600), includedData="CANCELLATION")
    (found,) = body["orders"]
    assert found["orderId"] == order["orderId"]
    assert found["orderItems"][0]["cancellation"]["cancellationRequest"]["requester"] == "BUYER"
