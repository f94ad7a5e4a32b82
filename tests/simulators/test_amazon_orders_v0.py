"""Orders v0 (deprecated, still used): getOrders/getOrder/items/address/buyerInfo and PII."""

from decimal import Decimal

import pytest
from amazon_support import error_codes, make, settle, since
from marketplace_sim.amazon import BASE_URL, DE, US

V0 = BASE_URL + "/orders/v0/orders"
RDT_URL = BASE_URL + "/tokens/2021-03-01/restrictedDataToken"


@pytest.fixture
def env():
    return make(seed=71)


def use_rdt(session):
    response = session.post(
        RDT_URL,
        json={"restrictedResources": [{"method": "GET", "path": "/orders/v0/orders"}]},
    )
    session.headers["x-amz-access-token"] = response.json()["restrictedDataToken"]


def test_get_orders_filters_pages_and_hides_pii_without_rdt(env):
    sim, session = env
    sim.control.create_orders(
        5,
        marketplace_id=DE,
        fulfilled_by="MERCHANT",
        pending=False,
        cancelled=False,
        partially_shipped=False,
    )
    sim.control.create_orders(2, marketplace_id=US, fulfilled_by="AMAZON", cancelled=False)
    settle(sim)
    params = {"MarketplaceIds": DE, "CreatedAfter": since(sim, 86400), "MaxResultsPerPage": 3}
    first = session.get(V0, params=params)
    assert first.status_code == 200, first.text
    payload = first.json()["payload"]
    assert len(payload["Orders"]) == 3 and payload["NextToken"]
    second = session.get(V0, params={"MarketplaceIds": DE, "NextToken": payload["NextToken"]})
    orders = payload["Orders"] + second.json()["payload"]["Orders"]
    assert len({o["AmazonOrderId"] for o in orders}) == 5
    order = orders[0]
    assert order["OrderStatus"] == "Unshipped" and order["FulfillmentChannel"] == "MFN"
    assert isinstance(order["OrderTotal"]["Amount"], str)
    assert set(order["ShippingAddress"]) <= {"City", "StateOrRegion", "PostalCode", "CountryCode"}
    assert "BuyerEmail" not in order["BuyerInfo"]
    afn = session.get(
        V0,
        params={
            "MarketplaceIds": f"{DE},{US}",
            "CreatedAfter": since(sim, 86400),
            "FulfillmentChannels": "AFN",
        },
    )
    assert {o["FulfillmentChannel"] for o in afn.json()["payload"]["Orders"]} == {"AFN"}


def test_restricted_data_token_reveals_address_and_buyer(env):
    sim, session = env
    order = sim.control.create_order(pending=False, cancelled=False, b2b=True, phone=True)
    settle(sim)
    use_rdt(session)
    full = session.get(f"{V0}/{order['orderId']}").json()["payload"]
    assert full["ShippingAddress"]["Name"] and full["ShippingAddress"]["AddressLine1"]
    assert full["IsBusinessOrder"] is True
    address = session.get(f"{V0}/{order['orderId']}/address").json()["payload"]
    assert address["ShippingAddress"]["Phone"]
    buyer = session.get(f"{V0}/{order['orderId']}/buyerInfo").json()["payload"]
    assert buyer["BuyerName"] and buyer["BuyerTaxInfo"]["CompanyLegalName"]


def test_order_items_use_line_totals_and_string_flags(env):
    sim, session = env
    order = sim.control.create_order(lines=1, gift=True, promotion=True, cancelled=False)
    response = session.get(f"{V0}/{order['orderId']}/orderItems")
    assert response.status_code == 200
    (item,) = response.json()["payload"]["OrderItems"]
    unit = Decimal(order["orderItems"][0]["product"]["price"]["unitPrice"]["amount"])
    assert Decimal(item["ItemPrice"]["Amount"]) == unit * item["QuantityOrdered"]
    assert item["IsGift"] == "true"
    assert Decimal(item["PromotionDiscount"]["Amount"]) > 0 and item["PromotionIds"]
    assert item["BuyerInfo"]["GiftMessageText"]


def test_pending_order_has_no_total_nor_address(env):
    sim, session = env
    order = sim.control.create_order(pending=True, cancelled=False)
    payload = session.get(f"{V0}/{order['orderId']}").json()["payload"]
    assert payload["OrderStatus"] == "Pending"
    assert "OrderTotal" not in payload and "ShippingAddress" not in payload


def test_v0_errors(env):
    _sim, session = env
    assert error_codes(session.get(V0, params={"CreatedAfter": "2026-10-01T00:00:00Z"})) == [
        "InvalidInput"  # MarketplaceIds is required by the contract
    ]
    both = session.get(V0, params={"MarketplaceIds": DE})
    assert both.status_code == 400
    assert session.get(f"{V0}/000-0000000-0000000/orderItems").status_code == 404
