"""eBay simulator: getOrders filter grammar and paging, getOrder, the seeded generator."""

from datetime import timedelta
from decimal import Decimal

import pytest
from marketplace_sim.ebay import EbaySimulator, OrderGenerator
from marketplace_sim.ebay.contract_calls import FULFILLMENT, INVENTORY, EbayTestClient
from marketplace_sim.ebay.filters import parse_timestamp
from marketplace_sim.ebay.timefmt import ebay_timestamp

ORDERS = f"{FULFILLMENT}/order"


@pytest.fixture
def sim():
    return EbaySimulator(seed=11, orders=30)


@pytest.fixture
def client(sim):
    return EbayTestClient(sim)


def _stamp(sim, days_ago):
    return ebay_timestamp(sim.now() - timedelta(days=days_ago))


def _all_orders(client, params):
    """Follow ``next`` links the way a connector pages through getOrders."""
    orders, url, query = [], ORDERS, params
    while url:
        page = client.get(url, params=query)
        assert page.status_code == 200, page.text
        body = page.json()
        orders.extend(body["orders"])
        url, query = body.get("next"), None
    return orders


def test_paging_follows_next_until_the_end(sim, client):
    """limit/offset paging: each page has href/limit/offset/total; ``next`` until done."""
    first = client.get(ORDERS, params={"limit": 12}).json()
    assert (first["total"], first["limit"], first["offset"], len(first["orders"])) == (
        30,
        12,
        0,
        12,
    )
    assert "offset=12" in first["next"] and "prev" not in first
    second = client.get(first["next"]).json()
    assert "offset=0" in second["prev"] and second["offset"] == 12
    orders = _all_orders(client, {"limit": 12})
    assert len(orders) == 30
    assert len({order["orderId"] for order in orders}) == 30
    stamps = [order["creationDate"] for order in orders]
    assert stamps == sorted(stamps, reverse=True)  # newest first


def test_creationdate_range_filter(sim, client):
    start, end = _stamp(sim, 20), _stamp(sim, 10)
    orders = _all_orders(client, {"filter": f"creationdate:[{start}..{end}]"})
    expected = {
        order["orderId"]
        for order in sim.fulfillment.orders.values()
        if start <= order["creationDate"] <= end
    }
    assert expected and {order["orderId"] for order in orders} == expected


def test_lastmodifieddate_and_status_filters(sim, client):
    """lastmodifieddate with an open end plus orderfulfillmentstatus:{NOT_STARTED|IN_PROGRESS}:
    a shipped order drops out of the result once its last line has shipped."""
    since = _stamp(sim, 5)
    query = {
        "filter": f"lastmodifieddate:[{since}..],orderfulfillmentstatus:{{NOT_STARTED|IN_PROGRESS}}"
    }
    before = {order["orderId"] for order in _all_orders(client, query)}
    expected = {
        order["orderId"]
        for order in sim.fulfillment.orders.values()
        if order["lastModifiedDate"] >= since
        and order["orderFulfillmentStatus"] in ("NOT_STARTED", "IN_PROGRESS")
    }
    assert before == expected
    order = next(
        o
        for o in sim.fulfillment.orders.values()
        if o["orderId"] in before and o["cancelStatus"]["cancelState"] != "CANCELED"
    )
    shipped = sim.fulfillment.shipped(order["orderId"])
    lines = [
        {
            "lineItemId": line["lineItemId"],
            "quantity": line["quantity"] - shipped.get(line["lineItemId"], 0),
        }
        for line in order["lineItems"]
        if line["quantity"] > shipped.get(line["lineItemId"], 0)
    ]
    answer = client.post(
        f"{ORDERS}/{order['orderId']}/shipping_fulfillment", json={"lineItems": lines}
    )
    assert answer.status_code == 201
    after = {order["orderId"] for order in _all_orders(client, query)}
    assert after == before - {order["orderId"]}
    fulfilled = _all_orders(client, {"filter": "orderfulfillmentstatus:{FULFILLED|IN_PROGRESS}"})
    assert order["orderId"] in {o["orderId"] for o in fulfilled}


def test_creationdate_wins_over_lastmodifieddate(sim, client):
    """Spec: with both date criteria only creationdate is applied."""
    start = _stamp(sim, 15)
    both = {"filter": f"creationdate:[{start}..],lastmodifieddate:[{_stamp(sim, 1)}..]"}
    only_creation = {"filter": f"creationdate:[{start}..]"}
    assert [o["orderId"] for o in _all_orders(client, both)] == [
        o["orderId"] for o in _all_orders(client, only_creation)
    ]


def test_default_window_is_90_days(sim, client):
    """Without a date filter only orders created in the last 90 days come back."""
    old = sim.control.generate_orders(count=1, days=1)[0]
    sim.fulfillment.orders[old]["creationDate"] = _stamp(sim, 120)
    ids = {order["orderId"] for order in _all_orders(client, {"limit": 200})}
    assert old not in ids and len(ids) == 30
    explicit = _all_orders(client, {"filter": f"creationdate:[{_stamp(sim, 200)}..]", "limit": 200})
    assert old in {order["orderId"] for order in explicit}


@pytest.mark.parametrize(
    ("params", "error_id"),
    [
        ({"filter": "createdate:[2026-10-01T00:00:00.000Z..]"}, 30700),
        ({"filter": "orderfulfillmentstatus:{NOT_STARTED|FULFILLED}"}, 30800),
        ({"filter": "creationdate:[2026-10-01..]"}, 30810),
        ({"filter": "creationdate:[..2026-10-01T00:00:00.000Z]"}, 30820),
        ({"filter": "creationdate:[2020-01-01T00:00:00.000Z..]"}, 30830),
        ({"filter": "creationdate:[2026-10-20T00:00:00.000Z..2026-10-01T00:00:00.000Z]"}, 30840),
        ({"filter": "creationdate:[2030-01-01T00:00:00.000Z..]"}, 30850),
        ({"limit": "201"}, 31100),
        ({"limit": "abc"}, 31100),
        ({"offset": "-1"}, 31000),
        ({"fieldGroups": "EVERYTHING"}, 32800),
        ({"orderIds": ",".join(f"01-00000-{i:05d}" for i in range(51))}, 30900),
    ],
)
def test_invalid_queries_use_the_documented_error_ids(client, params, error_id):
    response = client.get(ORDERS, params=params)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["errorId"], error["domain"], error["category"]) == (
        error_id,
        "API_FULFILLMENT",
        "REQUEST",
    )


def test_order_ids_override_filter_and_paging(sim, client):
    wanted = list(sim.fulfillment.orders)[:3]
    body = client.get(
        ORDERS, params={"orderIds": ",".join(wanted), "filter": "bogus:1", "limit": "1"}
    ).json()
    assert sorted(order["orderId"] for order in body["orders"]) == sorted(wanted)
    assert "next" not in body


def test_get_order_and_unknown_order(sim, client):
    order_id = next(iter(sim.fulfillment.orders))
    assert client.get(f"{ORDERS}/{order_id}").json()["orderId"] == order_id
    missing = client.get(f"{ORDERS}/99-99999-99999")
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["errorId"] == 32100


def _cr_order(sim):
    return next(o for o in sim.fulfillment.orders.values() if o.get("ebayCollectAndRemitTax"))


def test_collect_and_remit_tax_only_in_tax_breakdown_totals(sim, client):
    """Trap: eBay-collected tax is outside pricingSummary.total and line totals unless
    fieldGroups=TAX_BREAKDOWN; totalDueSeller and payments always include it."""
    order_id = _cr_order(sim)["orderId"]
    plain = client.get(f"{ORDERS}/{order_id}").json()
    full = client.get(f"{ORDERS}/{order_id}", params={"fieldGroups": "TAX_BREAKDOWN"}).json()
    remit = sum(
        Decimal(tax["amount"]["value"])
        for line in full["lineItems"]
        for tax in line.get("ebayCollectAndRemitTaxes", [])
    )
    assert remit > 0
    assert (
        Decimal(full["pricingSummary"]["total"]["value"])
        - Decimal(plain["pricingSummary"]["total"]["value"])
        == remit
    )
    assert plain["paymentSummary"] == full["paymentSummary"]
    assert all("taxType" not in tax for line in plain["lineItems"] for tax in line["taxes"])
    assert all("taxType" in tax for line in full["lineItems"] for tax in line["taxes"])


def test_get_orders_hides_cancel_requests_but_get_order_has_them(sim, client):
    """Spec note: getOrders always returns an empty cancelRequests array."""
    cancelled = next(
        o for o in sim.fulfillment.orders.values() if o["cancelStatus"]["cancelState"] == "CANCELED"
    )
    listed = client.get(ORDERS, params={"orderIds": cancelled["orderId"]}).json()["orders"][0]
    assert listed["cancelStatus"]["cancelState"] == "CANCELED"
    assert listed["cancelStatus"]["cancelRequests"] == []
    single = client.get(f"{ORDERS}/{cancelled['orderId']}").json()
    assert single["cancelStatus"]["cancelRequests"][0]["cancelRequestState"] == "COMPLETED"


def test_cancel_through_control_moves_last_modified_date(sim, client):
    order = next(
        o
        for o in sim.fulfillment.orders.values()
        if o["cancelStatus"]["cancelState"] == "NONE_REQUESTED"
    )
    sim.control.advance(3600)
    sim.control.cancel_order(order["orderId"])
    since = ebay_timestamp(sim.now() - timedelta(minutes=1))
    changed = _all_orders(client, {"filter": f"lastmodifieddate:[{since}..]"})
    assert [o["orderId"] for o in changed] == [order["orderId"]]
    assert changed[0]["orderPaymentStatus"] == "FULLY_REFUNDED"


def test_buyer_contact_removed_after_90_days(sim, client):
    order_id = next(iter(sim.fulfillment.orders))
    before = client.get(f"{ORDERS}/{order_id}").json()
    ship_to = before["fulfillmentStartInstructions"][0]["shippingStep"]["shipTo"]
    assert ship_to["fullName"] and ship_to["contactAddress"]["addressLine1"]
    sim.control.advance(91 * 86400)
    client.token()  # the old access token has long expired
    after = client.get(f"{ORDERS}/{order_id}").json()
    ship_to = after["fulfillmentStartInstructions"][0]["shippingStep"]["shipTo"]
    assert "fullName" not in ship_to and "addressLine1" not in ship_to["contactAddress"]
    assert ship_to["contactAddress"]["countryCode"]


# -- generator --------------------------------------------------------------------------


def _generate(seed, count=300):
    now = parse_timestamp("2026-11-02T08:00:00.000Z")
    return OrderGenerator(seed).orders(count, now - timedelta(days=30), now)


def test_generator_is_deterministic_by_seed():
    assert _generate(5, 40) == _generate(5, 40)
    assert _generate(5, 40) != _generate(6, 40)


def test_same_seed_gives_same_simulator_orders():
    first, second = EbaySimulator(seed=4), EbaySimulator(seed=4)
    assert first.fulfillment.orders == second.fulfillment.orders
    assert first.fulfillment.fulfillments == second.fulfillment.fulfillments


def test_generator_covers_the_cases_an_importer_must_handle():
    generated = _generate(1)
    orders = [order for order, _ in generated]
    lines = [line for order in orders for line in order["lineItems"]]
    currencies = {order["pricingSummary"]["total"]["currency"] for order in orders}
    assert {"USD", "GBP", "EUR", "PLN"} <= currencies
    assert any(len(order["lineItems"]) > 1 for order in orders)
    assert any(line["quantity"] > 1 for line in lines)
    assert any(order["cancelStatus"]["cancelState"] == "CANCELED" for order in orders)
    assert any(order["cancelStatus"]["cancelState"] == "IN_PROGRESS" for order in orders)
    assert any(fulfillments for _, fulfillments in generated)  # partially shipped
    assert any("priceDiscount" in order["pricingSummary"] for order in orders)
    assert any("deliveryDiscount" in order["pricingSummary"] for order in orders)
    assert any(order.get("ebayCollectAndRemitTax") for order in orders)
    assert any(tax["taxType"] == "VAT" for line in lines for tax in line["taxes"])
    b2b = [o for o in orders if "taxIdentifier" in o["buyer"]]
    assert b2b and all(o["buyer"]["taxIdentifier"]["taxIdentifierType"] == "VATIN" for o in b2b)
    assert any(not line.get("sku") for line in lines)  # listed on ebay.com, no SKU
    assert any(line.get("sku", "").startswith("UNLISTED-") for line in lines)
    assert any(
        any(ord(c) > 127 for c in o["buyer"]["buyerRegistrationAddress"]["fullName"])
        for o in orders
    )
    ship_tos = [o["fulfillmentStartInstructions"][0]["shippingStep"]["shipTo"] for o in orders]
    assert any("primaryPhone" not in contact for contact in ship_tos)
    assert any("addressLine2" not in contact["contactAddress"] for contact in ship_tos)
    assert any("convertedFromCurrency" in o["pricingSummary"]["total"] for o in orders)


def test_generated_events_are_never_in_the_future():
    """Payments, cancellations and shipments of fresh orders happen before "now"."""
    now = ebay_timestamp(parse_timestamp("2026-11-02T08:00:00.000Z"))
    for order, fulfillments in _generate(3, 200):
        assert order["creationDate"] <= order["lastModifiedDate"] <= now
        assert order["paymentSummary"]["payments"][0]["paymentDate"] <= now
        assert all(f["shippedDate"] <= now for f in fulfillments)
        assert order["cancelStatus"].get("cancelledDate", "") <= now


def test_generated_amounts_add_up():
    for order, _ in _generate(2, 100):
        pricing = order["pricingSummary"]

        def value(key, source=pricing):
            return Decimal(source[key]["value"]) if key in source else Decimal(0)

        remit = sum(
            (
                Decimal(t["amount"]["value"])
                for line in order["lineItems"]
                for t in line.get("ebayCollectAndRemitTaxes", [])
            ),
            Decimal(0),
        )
        expected = (
            value("priceSubtotal")
            + value("priceDiscount")
            + value("deliveryCost")
            + value("deliveryDiscount")
            + remit
        )
        assert value("total") == expected, order["orderId"]
        assert value("total") == sum(Decimal(line["total"]["value"]) for line in order["lineItems"])


def test_new_orders_sell_published_listings(sim, client):
    """Once listings are live, new orders sell them on their marketplace, in its currency,
    and each sale lowers the stock and raises the listing's sold quantity."""
    offer_id, listing_id = client.list_item("LIVE-SKU-1", quantity=500)
    new_ids = sim.control.generate_orders(count=5)
    orders = [sim.fulfillment.orders[order_id] for order_id in new_ids]
    lines = [line for order in orders for line in order["lineItems"]]
    sold = [line for line in lines if line.get("sku") == "LIVE-SKU-1"]
    assert sold and all(line["legacyItemId"] == listing_id for line in sold)
    assert {order["pricingSummary"]["total"]["currency"] for order in orders} == {"USD"}
    units = sum(line["quantity"] for line in sold)
    offer = client.get(f"{INVENTORY}/offer/{offer_id}").json()
    assert offer["listing"]["soldQuantity"] == units
    item = client.get(f"{INVENTORY}/inventory_item/LIVE-SKU-1").json()
    assert item["availability"]["shipToLocationAvailability"]["quantity"] == 500 - units
