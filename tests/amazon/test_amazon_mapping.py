"""amazon_client.mapping on orders, listings, feeds and fees served by the Amazon simulator."""

import dataclasses
import json
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import jsonschema
import pytest
from amazon_client import AmazonClient, clear_token_cache, mapping
from marketplace_core import records
from marketplace_sim.amazon import (
    BASE_URL,
    DE,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_REFRESH_TOKEN,
    DEFAULT_SELLER_ID,
    LWA_URL,
    UK,
    US,
    AmazonSimulator,
)
from marketplace_sim.core import SPECS_DIR, HttpxTransport

FEED_SCHEMAS = SPECS_DIR / "amazon" / "schemas" / "feeds"
CENT = Decimal("0.01")


@pytest.fixture
def sim():
    clear_token_cache()
    yield AmazonSimulator(seed=23)
    clear_token_cache()


@pytest.fixture
def client(sim):
    return AmazonClient(
        client_id=DEFAULT_CLIENT_ID,
        client_secret=DEFAULT_CLIENT_SECRET,
        refresh_token=DEFAULT_REFRESH_TOKEN,
        seller_id=DEFAULT_SELLER_ID,
        marketplace_ids=[DE, UK, US],
        endpoint=BASE_URL,
        lwa_url=LWA_URL + "/auth/o2/token",
        http_client=httpx.Client(transport=HttpxTransport(sim)),
        timeout=10,
    )


@pytest.fixture
def order(sim, client):
    """Create an order in the simulator, read it through getOrder and map it."""

    def make(**flags):
        flags = {"marketplace_id": DE, "pending": False, "cancelled": False, **flags}
        order_id = sim.control.create_order(**flags)["orderId"]
        return mapping.map_order(client.get_order(order_id))

    return make


def rebuilt_total(values):
    """The grand total from the mapped parts, by the marketplace's tax convention."""
    lines = values["lines"]
    total = (
        sum((line["price_total"] for line in lines), Decimal(0))
        + values["shipping_total"]
        + values["gift_wrap_total"]
        - values["discount_total"]
    )
    return total if values["prices_include_tax"] else total + values["tax_total"]


def test_mfn_b2b_order_with_promotion_gift_wrap_and_shipping(order):
    values = order(
        fulfilled_by="MERCHANT", lines=3, b2b=True, gift=True, promotion=True, shipping=True,
        partially_shipped=False, unknown_sku=False,
    )  # fmt: skip
    assert values["status"] == "to_ship" and values["raw_status"] == "UNSHIPPED"
    assert values["fulfillment_channel"] == "MFN" and not values["fulfilled_by_marketplace"]
    assert values["currency"] == "EUR" and values["prices_include_tax"]
    assert len(values["lines"]) == 3
    for line in values["lines"]:
        assert line["price_total"] == line["unit_price"] * line["quantity"]
        # 10 % promotion on each line, positive, and its promotion id kept.
        assert line["discount_total"] == (line["price_total"] / 10).quantize(CENT)
        assert line["promotion_ids"] and line["gift_message"]
        assert line["gift_wrap_total"] == Decimal("3.99")
        assert line["tax_total"] > 0 and line["sku"] and line["marketplace_product_ref"]
    # Shipping is charged once, on the first line.
    assert values["shipping_total"] == Decimal("4.99")
    assert values["gift_wrap_total"] == Decimal("11.97")
    assert values["discount_total"] == sum(line["discount_total"] for line in values["lines"])
    assert values["total"] == rebuilt_total(values)
    # B2B: company and VAT number on the billing address; the PO number kept.
    assert values["is_business"]
    billing = values["billing_address"]
    assert billing["vat"].startswith("DE") and billing["company"]
    assert billing["street"] == values["shipping_address"]["street"]
    assert values["purchase_order_ref"].startswith("PO-")
    assert values["shipping_address"]["country_code"] == "DE"
    assert values["buyer_email"].endswith("@marketplace.amazon.de")


def test_us_prices_exclude_sales_tax(order):
    values = order(marketplace_id=US, lines=2, shipping=True, b2b=False, promotion=False)
    assert values["currency"] == "USD" and not values["prices_include_tax"]
    assert values["tax_total"] > 0
    assert values["total"] == rebuilt_total(values)
    address = values["shipping_address"]
    assert address["state_code"] == address["state_name"]  # "CA", "NY"…
    assert values["billing_address"] is None and not values["is_business"]


def test_afn_order_ships_by_itself(sim, client, order):
    values = order(fulfilled_by="AMAZON", lines=2)
    assert values["fulfilled_by_marketplace"] and values["fulfillment_channel"] == "AFN"
    assert values["status"] == "to_ship"
    sim.control.advance(4 * 3600)
    client.forget_access_token()  # simulated hours went by: the cached token expired
    shipped = mapping.map_order(client.get_order(values["marketplace_ref"]))
    assert shipped["status"] == "shipped"
    assert shipped["updated_at"] > values["updated_at"]
    assert all(line["quantity_shipped"] == line["quantity"] for line in shipped["lines"])


def test_partially_shipped_order(order):
    values = order(fulfilled_by="MERCHANT", lines=2, partially_shipped=True)
    assert values["status"] == "partially_shipped"
    assert values["packages"][0]["packageItems"]


def test_cancelled_order(order):
    values = order(cancelled=True)
    assert values["status"] == "cancelled" and values["raw_status"] == "CANCELLED"
    assert {line["cancel_reason"] for line in values["lines"]} == {"BuyerCanceled"}


def test_pending_order_has_no_address_yet(order):
    values = order(pending=True)
    assert values["status"] == "pending"
    assert values["shipping_address"] is None
    assert values["total"] == rebuilt_total(values)


def test_unknown_sku_and_missing_title_are_kept(order):
    values = order(lines=2, unknown_sku=True, no_title=True)
    unknown = values["lines"][-1]
    assert unknown["sku"].startswith("UNLISTED-") and unknown["marketplace_product_ref"]
    assert {line["title"] for line in values["lines"]} == {""}


@pytest.mark.parametrize("seed", range(3))
def test_totals_add_up_on_random_orders(seed):
    """Over many random orders (every flag mixed), parts add up to Amazon's total exactly."""
    sim = AmazonSimulator(seed=seed, initial_orders=40)
    clear_token_cache()
    client = AmazonClient(
        client_id=DEFAULT_CLIENT_ID,
        client_secret=DEFAULT_CLIENT_SECRET,
        refresh_token=DEFAULT_REFRESH_TOKEN,
        seller_id=DEFAULT_SELLER_ID,
        marketplace_ids=list(sim.marketplace_ids),
        endpoint=BASE_URL,
        lwa_url=LWA_URL + "/auth/o2/token",
        http_client=httpx.Client(transport=HttpxTransport(sim)),
    )
    mapped = [
        mapping.map_order(order)
        for page in client.search_orders(created_after="2026-01-01T00:00:00Z")
        for order in page.orders
    ]
    assert len(mapped) == 40
    for values in mapped:
        assert isinstance(values["total"], Decimal)
        assert values["total"] == rebuilt_total(values), values["marketplace_ref"]
        assert values["status"] in {
            "pending",
            "to_ship",
            "partially_shipped",
            "shipped",
            "cancelled",
        }


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("PENDING_AVAILABILITY", "pending"),
        ("PENDING", "pending"),
        ("UNSHIPPED", "to_ship"),
        ("PARTIALLY_SHIPPED", "partially_shipped"),
        ("SHIPPED", "shipped"),
        ("CANCELLED", "cancelled"),
        ("UNFULFILLABLE", "cancelled"),
        ("SOMETHING_NEW", "pending"),
        (None, "pending"),
    ],
)
def test_status_mapping(raw, status):
    assert mapping.order_status(raw) == status


def _money(amount, currency="EUR"):
    return {"amount": amount, "currencyCode": currency}


def test_detailed_tax_breakdown_splits_shipping_tax():
    """With TAX detailedBreakdowns, shipping and gift wrap tax leave the line's tax."""
    item = {
        "orderItemId": "1",
        "quantityOrdered": 2,
        "product": {"sellerSku": "A", "price": {"unitPrice": _money("10.00")}},
        "proceeds": {
            "proceedsTotal": _money("24.99"),
            "breakdowns": [
                {"type": "ITEM", "subtotal": _money("20.00")},
                {"type": "SHIPPING", "subtotal": _money("4.99")},
                {
                    "type": "TAX",
                    "subtotal": _money("3.99"),
                    "detailedBreakdowns": [
                        {"subtype": "ITEM", "value": _money("3.19")},
                        {"subtype": "SHIPPING", "value": _money("0.80")},
                    ],
                },
            ],
        },
    }
    values = mapping.map_order(
        {"orderId": "1", "salesChannel": {"marketplaceId": DE}, "orderItems": [item]}
    )
    line = values["lines"][0]
    assert line["tax_total"] == Decimal("3.19")
    assert values["shipping_tax"] == Decimal("0.80")
    assert values["tax_total"] == Decimal("3.99")
    # No grand total sent: rebuilt from the lines, tax inside (EU).
    assert values["total"] == Decimal("24.99") and values["prices_include_tax"]


@pytest.mark.parametrize(
    ("marketplace_id", "proceeds_total", "included"),
    [
        ("A1VC38T7YXB528", "12.00", False),  # tax on top, wherever the proceeds say so
        (US, "10.00", True),  # tax inside, even on a marketplace usually without
    ],
)
def test_tax_convention_is_read_from_the_proceeds(marketplace_id, proceeds_total, included):
    item = {
        "orderItemId": "1",
        "quantityOrdered": 1,
        "product": {"sellerSku": "A", "price": {"unitPrice": _money("10.00")}},
        "proceeds": {
            "proceedsTotal": _money(proceeds_total),
            "breakdowns": [
                {"type": "ITEM", "subtotal": _money("10.00")},
                {"type": "TAX", "subtotal": _money("2.00")},
            ],
        },
    }
    order = {"orderId": "3", "salesChannel": {"marketplaceId": marketplace_id}}
    values = mapping.map_order({**order, "orderItems": [item]})
    assert values["prices_include_tax"] is included
    assert values["total"] == Decimal(proceeds_total)


def test_order_without_proceeds_uses_unit_prices():
    item = {
        "orderItemId": "9",
        "quantityOrdered": 3,
        "product": {"sellerSku": "B", "price": {"unitPrice": _money("1.10", "USD")}},
    }
    values = mapping.map_order(
        {"orderId": "2", "salesChannel": {"marketplaceId": US}, "orderItems": [item]}
    )
    assert values["lines"][0]["price_total"] == Decimal("3.30")
    assert values["total"] == Decimal("3.30") and values["currency"] == "USD"
    assert not values["prices_include_tax"]
    assert values["status"] == "pending"  # no FULFILLMENT data: nothing acts on it


def test_mapped_values_build_the_core_records(order):
    """Every field of the core records is provided (the connector drops only extras)."""

    def build(cls, values):
        names = {f.name for f in dataclasses.fields(cls)}
        assert names <= set(values), names - set(values)
        return cls(**{k: v for k, v in values.items() if k in names})

    values = order(b2b=True, lines=2)
    built = build(
        records.Order,
        {
            **values,
            "lines": tuple(build(records.OrderLine, line) for line in values["lines"]),
            "billing_address": build(records.Address, values["billing_address"]),
            "shipping_address": build(records.Address, values["shipping_address"]),
        },
    )
    assert built.created_at.tzinfo is not None and built.created_at.utcoffset().seconds == 0
    assert built.total == values["total"]


def test_parse_datetime():
    assert mapping.parse_datetime("2026-11-02T08:00:00Z") == datetime(2026, 11, 2, 8, tzinfo=UTC)
    assert mapping.parse_datetime("2026-11-02T10:00:00+02:00") == datetime(
        2026, 11, 2, 8, tzinfo=UTC
    )
    assert mapping.parse_datetime("") is None


# ---------------------------------------------------------------- listings
def test_map_listing_from_get_listings_item(client):
    item = client.get_listings_item("MUG-CERAMIC-350", marketplace_ids=[DE])
    values = mapping.map_listing(item, DE)
    assert values["sku"] == "MUG-CERAMIC-350"
    assert values["marketplace_ref"] == "B0SIMMUG01"
    assert values["title"].startswith("Keramikbecher")
    assert values["quantity"] == 10
    assert values["price"] == Decimal("14.90") and isinstance(values["price"], Decimal)
    assert values["currency"] == "EUR"
    assert values["status"] == "BUYABLE,DISCOVERABLE"
    assert {f.name for f in dataclasses.fields(records.RemoteListing)} <= set(values)


def test_stock_and_price_patches():
    assert mapping.stock_patches(-3)[0]["value"] == [
        {"fulfillment_channel_code": "DEFAULT", "quantity": 0}
    ]
    patch = mapping.price_patches(Decimal("19.99"), "EUR", [DE, "A13V1IB3VIYZZH"])[0]
    assert patch["path"] == "/attributes/purchasable_offer"
    assert [offer["marketplace_id"] for offer in patch["value"]] == [DE, "A13V1IB3VIYZZH"]
    assert patch["value"][0]["our_price"] == [{"schedule": [{"value_with_tax": 19.99}]}]
    assert mapping.patch_body([patch]) == {"productType": "PRODUCT", "patches": [patch]}


def test_listings_feed_validates_against_amazon_schemas():
    entries = [(f"SKU-{i}", mapping.stock_patches(i)) for i in range(3)]
    entries.append(("PRICE-1", mapping.price_patches(Decimal("5.5"), "EUR", [DE])))
    document = mapping.listings_feed(DEFAULT_SELLER_ID, entries)
    schema = json.loads((FEED_SCHEMAS / "listings-feed-schema-v2.json").read_text())
    message_schema = json.loads((FEED_SCHEMAS / "listings-feed-message-schema-v2.json").read_text())
    jsonschema.Draft7Validator(schema).validate(document)
    for message in document["messages"]:
        jsonschema.Draft7Validator(message_schema).validate(message)
    assert [m["messageId"] for m in document["messages"]] == [1, 2, 3, 4]


def test_feed_results():
    document = mapping.listings_feed("S", [("A", []), ("B", []), ("C", [])])
    report = {
        "issues": [
            {"messageId": 2, "sku": "B", "code": "90220", "severity": "ERROR", "message": "bad"},
            {"messageId": 3, "sku": "C", "code": "1", "severity": "WARNING", "message": "meh"},
        ]
    }
    done = {"feedId": "1", "processingStatus": "DONE"}
    assert mapping.feed_results(document, done, report) == {
        "A": (True, ""),
        "B": (False, "90220 bad"),
        "C": (True, "1 meh"),
    }
    fatal = {"issues": [{"code": "100001", "severity": "ERROR", "message": "Fatal: x"}]}
    results = mapping.feed_results(document, {"processingStatus": "FATAL"}, fatal)
    assert set(results.values()) == {(False, "100001 Fatal: x")}
    cancelled = mapping.feed_results(
        document, {"feedId": "7", "processingStatus": "CANCELLED"}, None
    )
    assert cancelled["A"] == (False, "Amazon feed 7 is CANCELLED.")


def test_submission_result():
    warning = {"code": "4000002", "severity": "WARNING", "message": "productType differs"}
    assert mapping.submission_result({"status": "ACCEPTED", "issues": [warning]}) == (
        True,
        "4000002 productType differs",
    )
    error = {"code": "90220", "severity": "ERROR", "message": "'item_name' is required"}
    assert mapping.submission_result({"status": "INVALID", "issues": [warning, error]}) == (
        False,
        "90220 'item_name' is required",
    )


# ---------------------------------------------------------------- shipping
def test_package_detail():
    detail = mapping.package_detail(
        "1", "", "TRK1", datetime(2026, 11, 2, 9, 30), [("111", 2)], carrier_name="Colissimo"
    )
    assert detail == {
        "packageReferenceId": "1",
        "carrierCode": "Other",
        "carrierName": "Colissimo",
        "trackingNumber": "TRK1",
        "shipDate": "2026-11-02T09:30:00Z",  # naive means UTC
        "orderItems": [{"orderItemId": "111", "quantity": 2}],
    }
    dhl = mapping.package_detail("2", "DHL", "T", "2026-11-02T09:30:00Z", [], shipping_method="Std")
    assert "carrierName" not in dhl and dhl["shippingMethod"] == "Std"


# ---------------------------------------------------------------- finances
def test_fees_from_financial_events(sim, client):
    order = sim.control.create_order(
        marketplace_id=DE, fulfilled_by="AMAZON", lines=1, pending=False, cancelled=False
    )
    sim.control.advance(4 * 3600)
    client.forget_access_token()  # simulated hours went by: the cached token expired
    line = order["orderItems"][0]
    fees = mapping.map_fees(order["orderId"], client.iter_financial_events(order["orderId"]))
    by_type = {fee["fee_type"]: fee for fee in fees}
    principal = Decimal(line["product"]["price"]["unitPrice"]["amount"]) * line["quantityOrdered"]
    assert by_type["Commission"]["amount"] == (-principal * Decimal("0.15")).quantize(CENT)
    assert (
        by_type["FBAPerUnitFulfillmentFee"]["amount"] == Decimal("-3.10") * line["quantityOrdered"]
    )
    assert {fee["line_ref"] for fee in fees} == {line["orderItemId"]}
    assert {f.name for f in dataclasses.fields(records.Fee)} <= set(fees[0])


def test_fees_include_refund_adjustments():
    events = {
        "RefundEventList": [
            {
                "AmazonOrderId": "1",
                "ShipmentItemAdjustmentList": [
                    {
                        "OrderAdjustmentItemId": "77",
                        "ItemFeeAdjustmentList": [
                            {
                                "FeeType": "Commission",
                                "FeeAmount": {"CurrencyCode": "EUR", "CurrencyAmount": 2.24},
                            }
                        ],
                    }
                ],
            }
        ]
    }
    assert mapping.map_fees("1", [events]) == [
        {
            "order_ref": "1",
            "fee_type": "Commission",
            "amount": Decimal("2.24"),
            "currency": "EUR",
            "line_ref": "77",
        }
    ]
