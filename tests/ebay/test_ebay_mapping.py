"""ebay_client.mapping: bulk request items, bulk results and listings, checked against the
eBay Inventory contract and on payloads the eBay simulator serves."""

import dataclasses
import json
from decimal import Decimal

import pytest
from ebay_client import EbayClient, clear_token_cache, mapping
from marketplace_core import records
from marketplace_sim.core.transport import requests_session
from marketplace_sim.ebay import EbaySimulator
from marketplace_sim.ebay.contract_calls import HOST, EbayTestClient, inventory_item
from marketplace_sim.ebay.specs import spec_path

INVENTORY_SPEC = json.loads(spec_path("inventory").read_text())
SCHEMAS = INVENTORY_SPEC["components"]["schemas"]
LISTING_FIELDS = {field.name for field in dataclasses.fields(records.RemoteListing)}


def undeclared_fields(value, schema, path=""):
    """Every key of ``value`` its spec ``schema`` does not declare (the spec schemas do not
    forbid extra properties, so a validator alone would let a misspelt field through)."""
    while "$ref" in schema:
        schema = SCHEMAS[schema["$ref"].rsplit("/", 1)[1]]
    found = []
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for key, child in value.items():
            if key not in properties:
                found.append(f"{path}{key}")
            else:
                found += undeclared_fields(child, properties[key], f"{path}{key}.")
    elif isinstance(value, list):
        for child in value:
            found += undeclared_fields(child, schema.get("items", {}), path)
    return found


@pytest.fixture
def sim():
    clear_token_cache()
    yield EbaySimulator(seed=29, orders=0)
    clear_token_cache()


@pytest.fixture
def seller(sim):
    return EbayTestClient(sim)


@pytest.fixture
def client(sim):
    credentials = sim.control.credentials()
    return EbayClient(
        credentials["client_id"],
        credentials["client_secret"],
        credentials["refresh_token"],
        endpoint=HOST,
        session=requests_session(sim, HOST),
        timeout=10,
    )


# ------------------------------------------------------------ bulk writes
def test_stock_request_is_a_price_quantity_item():
    assert mapping.stock_request("MUG-1", 12) == {
        "sku": "MUG-1",
        "shipToLocationAvailability": {"quantity": 12},
    }
    assert mapping.stock_request("MUG-1", -3)["shipToLocationAvailability"]["quantity"] == 0


def test_price_request_sends_the_amount_as_a_decimal_string():
    """``Amount.value`` is a string in the spec; Decimal in, cents out, no float on the way."""
    assert mapping.price_request("MUG-1", "5000000001", Decimal("24.9"), "USD") == {
        "sku": "MUG-1",
        "offers": [{"offerId": "5000000001", "price": {"value": "24.90", "currency": "USD"}}],
    }
    assert mapping.amount(Decimal("10.005"), "EUR") == {"value": "10.01", "currency": "EUR"}
    assert mapping.amount(Decimal("1E+3"), "GBP")["value"] == "1000.00"  # never "1E+3"
    assert mapping.amount(Decimal("0.1") + Decimal("0.2"), "USD")["value"] == "0.30"


def test_combined_request_and_its_checks():
    item = mapping.price_quantity_request(
        "MUG-1", quantity=4, offer_id="5000000001", price=Decimal("9.99"), currency="EUR"
    )
    assert item == {
        "sku": "MUG-1",
        "shipToLocationAvailability": {"quantity": 4},
        "offers": [{"offerId": "5000000001", "price": {"value": "9.99", "currency": "EUR"}}],
    }
    with pytest.raises(ValueError, match="offer id"):
        mapping.price_quantity_request("MUG-1", price=Decimal("9.99"), currency="EUR")
    with pytest.raises(ValueError, match="Nothing to update"):
        mapping.price_quantity_request("MUG-1")


def test_request_items_use_only_spec_fields():
    items = [
        mapping.stock_request("MUG-1", 3),
        mapping.price_request("MUG-1", "5000000001", Decimal("19.99"), "USD"),
        mapping.price_quantity_request(
            "MUG-1", quantity=1, offer_id="5000000001", price=Decimal(5), currency="USD"
        ),
    ]
    body = {"requests": items}
    assert undeclared_fields(body, {"$ref": "#/components/schemas/BulkPriceQuantity"}) == []
    # The helper does catch a misspelt field.
    wrong = {"requests": [{"sku": "X", "shipToLocationAvailability": {"qty": 1}}]}
    assert undeclared_fields(wrong, {"$ref": "#/components/schemas/BulkPriceQuantity"}) == [
        "requests.shipToLocationAvailability.qty"
    ]


def test_price_and_stock_requests_reach_the_simulator(sim, seller, client):
    """Both kinds in one call are accepted by the contract and applied."""
    offer_id, _ = seller.list_item("MUG-1", quantity=5, price="19.99")
    seller.list_item("MUG-2", quantity=5)
    responses = client.bulk_update_price_quantity(
        [
            mapping.price_quantity_request(
                "MUG-1", quantity=8, offer_id=offer_id, price=Decimal("17.5"), currency="USD"
            ),
            mapping.stock_request("MUG-2", 0),
        ]
    )
    assert mapping.bulk_results(responses) == {"MUG-1": (True, ""), "MUG-2": (True, "")}
    offer = sim.inventory.offers[offer_id]
    assert offer["pricingSummary"]["price"] == {"value": "17.50", "currency": "USD"}
    stock = sim.inventory.items["MUG-2"]["item"]["availability"]["shipToLocationAvailability"]
    assert stock["quantity"] == 0


# ------------------------------------------------------------ bulk results
def test_bulk_results_per_sku():
    responses = [
        {"statusCode": 200, "sku": "A", "offerId": "1"},
        {"statusCode": 200, "sku": "B", "offerId": "2"},
        {
            "statusCode": 400,
            "sku": "B",
            "offerId": "3",
            "errors": [
                {
                    "errorId": 25709,
                    "domain": "API_INVENTORY",
                    "category": "REQUEST",
                    "message": "Invalid value for price.",
                    "longMessage": "price must be positive.",
                }
            ],
        },
        {
            "statusCode": 200,
            "sku": "C",
            "warnings": [{"errorId": 25401, "message": "Quantity is above the stock."}],
        },
        {"statusCode": 500, "sku": "D"},
    ]
    assert mapping.bulk_results(responses, ["A", "B", "C", "D", "E"]) == {
        "A": (True, ""),
        "B": (False, "25709: Invalid value for price. price must be positive."),
        "C": (True, "25401: Quantity is above the stock."),
        "D": (False, "eBay answered 500 for this entry."),
        "E": (False, mapping.NO_RESULT),
    }


def test_bulk_results_error_with_status_200_fails():
    responses = [{"statusCode": 200, "sku": "A", "errors": [{"errorId": 25001, "message": "x"}]}]
    assert mapping.bulk_results(responses) == {"A": (False, "25001: x")}


def test_bulk_results_of_the_revision_limit(sim, seller, client):
    """The simulator's 251st revision of a listing in a day: ok False with eBay's words."""
    offer_id, _ = seller.list_item("MUG-1")
    price = mapping.price_request("MUG-1", offer_id, Decimal("20"), "USD")
    for _ in range(10):
        client.bulk_update_price_quantity([price] * 25)
    responses = client.bulk_update_price_quantity([mapping.stock_request("MUG-1", 1)])
    ok, message = mapping.bulk_results(responses)["MUG-1"]
    assert not ok
    assert message == (
        "25002: Any User error. You have exceeded the limit of 250 revisions per listing per day."
    )


# ---------------------------------------------------------------- listings
def test_map_inventory_item_from_the_simulator(seller, client):
    """A listed item with an EAN, as getInventoryItems and getOffers serve it."""
    offer_id, listing_id = seller.list_item("MUG-1", quantity=7, price="19.99")
    body = inventory_item(quantity=7)
    body["product"]["ean"] = ["4006381333931"]
    body["product"]["upc"] = ["012345678905"]
    seller.put(f"{HOST}/sell/inventory/v1/inventory_item/MUG-1", json=body)
    (item,) = client.iter_inventory_items()
    values = mapping.map_inventory_item(item, client.get_offers("MUG-1"))
    assert values == {
        "sku": "MUG-1",
        "marketplace_ref": offer_id,
        "title": "Ceramic mug, 350 ml",
        "quantity": 7,
        "price": Decimal("19.99"),
        "currency": "USD",
        "status": "ACTIVE",
        "barcode": "4006381333931",
        "listing_id": listing_id,
        "offer_status": "PUBLISHED",
        "offer_format": "FIXED_PRICE",
    }
    assert LISTING_FIELDS <= set(values)
    listing = records.RemoteListing(**{key: values[key] for key in LISTING_FIELDS})
    assert listing.price == Decimal("19.99") and isinstance(listing.price, Decimal)


def test_map_inventory_item_without_offer():
    item = {
        "sku": "DRAFT",
        "product": {"title": "Draft", "upc": ["012345678905"]},
        "availability": {"shipToLocationAvailability": {"quantity": 2}},
    }
    values = mapping.map_inventory_item(item)
    assert (values["marketplace_ref"], values["price"], values["currency"]) == ("", None, "")
    assert (values["status"], values["quantity"], values["barcode"]) == ("", 2, "012345678905")


def test_map_inventory_item_quantity_falls_back_to_the_offer():
    offers = [{"offerId": "9", "status": "UNPUBLISHED", "availableQuantity": 3}]
    values = mapping.map_inventory_item({"sku": "X", "product": {}}, offers)
    assert (values["quantity"], values["status"], values["barcode"]) == (3, "UNPUBLISHED", "")
    assert mapping.map_inventory_item({"sku": "X"})["quantity"] is None


def test_main_offer_prefers_the_published_fixed_price_one():
    offers = [
        {"offerId": "1", "status": "UNPUBLISHED", "format": "FIXED_PRICE"},
        {"offerId": "2", "status": "PUBLISHED", "format": "AUCTION"},
        {
            "offerId": "3",
            "status": "PUBLISHED",
            "format": "FIXED_PRICE",
            "marketplaceId": "EBAY_US",
        },
        {
            "offerId": "4",
            "status": "PUBLISHED",
            "format": "FIXED_PRICE",
            "marketplaceId": "EBAY_DE",
        },
    ]
    assert mapping.main_offer(offers)["offerId"] == "3"
    assert mapping.main_offer(offers, "EBAY_DE")["offerId"] == "4"
    assert mapping.main_offer(offers[:2])["offerId"] == "2"
    assert mapping.main_offer(offers[:1])["offerId"] == "1"
    assert mapping.main_offer([]) == {}


def test_money_and_error_text():
    assert mapping.money({"value": "12.30", "currency": "GBP"}) == (Decimal("12.30"), "GBP")
    assert mapping.money(None) == (None, "")
    error = {"errorId": 25002, "message": "Any User error. X.", "longMessage": "X."}
    assert mapping.error_text(error) == "25002: Any User error. X."
    assert mapping.error_text({"message": "M", "longMessage": "L"}) == "M L"
