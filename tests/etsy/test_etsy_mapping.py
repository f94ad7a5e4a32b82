"""etsy_client.mapping: Etsy payloads to plain values and the full-replacement inventory body."""

import copy
import dataclasses
import json
from decimal import Decimal

import pytest
from etsy_client import mapping
from jsonschema import ValidationError
from marketplace_core.records import RemoteListing
from marketplace_sim.etsy.specs import SPEC_PATH
from openapi_schema_validator import OAS30Validator

INVENTORY_PATH = "/v3/application/listings/{listing_id}/inventory"
COLOR, SIZE = 200, 100
READY = 1_300_001


def usd(amount):
    return {"amount": amount, "divisor": 100, "currency_code": "USD"}


def offering(offering_id, quantity, price, enabled=True, deleted=False, ready=READY):
    return {
        "offering_id": offering_id,
        "quantity": quantity,
        "is_enabled": enabled,
        "is_deleted": deleted,
        "price": price,
        "readiness_state_id": ready,
    }


def prop(property_id, name, value_id, value, scale_id=None, scale_name=None):
    return {
        "property_id": property_id,
        "property_name": name,
        "scale_id": scale_id,
        "scale_name": scale_name,
        "value_ids": [value_id],
        "values": [value],
    }


@pytest.fixture
def inventory():
    """A getListingInventory answer (show_deleted, includes=Listing) of a 2x2 mug listing."""
    return {
        "products": [
            {
                "product_id": 12_000_000_001,
                "sku": "MUG-RED-S",
                "is_deleted": False,
                "offerings": [
                    offering(13_000_000_001, 3, usd(2800)),
                    offering(13_000_000_009, 9, usd(2500), deleted=True),
                ],
                "property_values": [
                    prop(COLOR, "Primary color", 1, "Red"),
                    prop(SIZE, "Size", 5, "S", scale_id=19, scale_name="US/Canada"),
                ],
            },
            {
                "product_id": 12_000_000_002,
                "sku": "MUG-RED-L",
                "is_deleted": False,
                "offerings": [offering(13_000_000_002, 4, usd(2800), enabled=False)],
                "property_values": [
                    prop(COLOR, None, 1, "Red"),
                    prop(SIZE, "Size", 6, "L", scale_id=19, scale_name="US/Canada"),
                ],
            },
            {
                "product_id": 12_000_000_003,
                "sku": "",
                "is_deleted": False,
                "offerings": [offering(13_000_000_003, 2, usd(2800))],
                "property_values": [
                    prop(COLOR, "Primary color", 2, "Blue"),
                    prop(SIZE, "Size", 5, "S", scale_id=19, scale_name="US/Canada"),
                ],
            },
            {
                "product_id": 12_000_000_000,
                "sku": "MUG-OLD",
                "is_deleted": True,
                "offerings": [offering(13_000_000_000, 5, usd(2600), deleted=True)],
                "property_values": [],
            },
        ],
        "price_on_property": [],
        "quantity_on_property": [COLOR, SIZE],
        "sku_on_property": [COLOR, SIZE],
        "readiness_state_on_property": [],
        "listing": {"listing_id": 1_600_000_001, "state": "active"},
    }


@pytest.fixture
def listing():
    return {
        "listing_id": 1_600_000_001,
        "title": "Ceramic coffee mug - speckled glaze",
        "state": "active",
        "quantity": 5,
        "price": usd(2800),
        "skus": ["MUG-RED-S", "MUG-RED-L"],
    }


# ------------------------------------------------------------------ values
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (usd(1890), (Decimal("18.90"), "USD")),
        (usd(2000), (Decimal("20.00"), "USD")),
        ({"amount": 1480, "divisor": 1, "currency_code": "JPY"}, (Decimal("1480"), "JPY")),
        ({"amount": 12345, "divisor": 1000, "currency_code": "KWD"}, (Decimal("12.345"), "KWD")),
        (None, (None, "")),
    ],
)
def test_money(value, expected):
    amount, currency = mapping.money(value)
    assert (amount, currency) == expected
    if amount is not None:
        assert str(amount) == str(expected[0])  # the minor unit's places are kept


def test_remaining_is_the_smaller_budget():
    limits = {"x-remaining-this-second": 4, "x-remaining-today": 2, "x-limit-per-day": 10}
    assert mapping.remaining(limits) == 2
    assert mapping.remaining({"x-remaining-this-second": 7, "x-remaining-today": None}) == 7
    assert mapping.remaining(dict.fromkeys(("x-remaining-this-second",))) is None


# ---------------------------------------------------------------- writing
def test_unchanged_inventory_becomes_the_request_body(inventory):
    """Read-only fields go, Money becomes a number, deleted products/offerings stay deleted."""
    body, missing = mapping.inventory_update(inventory)
    assert missing == []
    assert body == {
        "products": [
            {
                "sku": "MUG-RED-S",
                "property_values": [
                    {
                        "property_id": COLOR,
                        "property_name": "Primary color",
                        "value_ids": [1],
                        "values": ["Red"],
                    },
                    {
                        "property_id": SIZE,
                        "property_name": "Size",
                        "scale_id": 19,
                        "value_ids": [5],
                        "values": ["S"],
                    },
                ],
                "offerings": [
                    {"price": 28.0, "quantity": 3, "is_enabled": True, "readiness_state_id": READY}
                ],
            },
            {
                "sku": "MUG-RED-L",
                "property_values": [
                    {"property_id": COLOR, "value_ids": [1], "values": ["Red"]},
                    {
                        "property_id": SIZE,
                        "property_name": "Size",
                        "scale_id": 19,
                        "value_ids": [6],
                        "values": ["L"],
                    },
                ],
                "offerings": [
                    {"price": 28.0, "quantity": 4, "is_enabled": False, "readiness_state_id": READY}
                ],
            },
            {
                "sku": "",
                "property_values": [
                    {
                        "property_id": COLOR,
                        "property_name": "Primary color",
                        "value_ids": [2],
                        "values": ["Blue"],
                    },
                    {
                        "property_id": SIZE,
                        "property_name": "Size",
                        "scale_id": 19,
                        "value_ids": [5],
                        "values": ["S"],
                    },
                ],
                "offerings": [
                    {"price": 28.0, "quantity": 2, "is_enabled": True, "readiness_state_id": READY}
                ],
            },
        ],
        "price_on_property": [],
        "quantity_on_property": [COLOR, SIZE],
        "sku_on_property": [COLOR, SIZE],
        "readiness_state_on_property": [],
    }


def _closed(schema):
    """The schema with ``additionalProperties: false`` on every object: no field may be extra."""
    schema = copy.deepcopy(schema)
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node:
                node["additionalProperties"] = False
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return schema


def test_body_has_only_fields_of_the_request_schema(inventory):
    """Validated against updateListingInventory's request schema, closed to extra fields."""
    document = json.loads(SPEC_PATH.read_text())
    operation = document["paths"][INVENTORY_PATH]["put"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert "$ref" not in json.dumps(schema)
    validator = OAS30Validator(_closed(schema))
    body, _ = mapping.inventory_update(
        inventory, quantities={"MUG-RED-S": 8}, prices={"MUG-RED-L": Decimal("30")}
    )
    validator.validate(json.loads(json.dumps(body)))
    # The check itself bites: what the answer carries is refused in a request.
    with pytest.raises(ValidationError, match="product_id"):
        validator.validate({"products": [{"product_id": 1, "offerings": []}]})
    with pytest.raises(ValidationError, match="amount"):
        validator.validate({"products": [{"offerings": [{**offering(1, 1, usd(100))}]}]})


def test_quantities_and_prices_change_only_the_given_skus(inventory):
    body, missing = mapping.inventory_update(
        inventory,
        quantities={"MUG-RED-L": 12},
        prices={"MUG-RED-S": Decimal("31.90")},
    )
    assert missing == []
    offerings = {p["sku"]: p["offerings"][0] for p in body["products"]}
    assert offerings["MUG-RED-S"] == {
        "price": 31.9,
        "quantity": 3,
        "is_enabled": True,
        "readiness_state_id": READY,
    }
    assert offerings["MUG-RED-L"] == {
        "price": 28.0,
        "quantity": 12,
        "is_enabled": False,  # is_enabled is the seller's choice, kept as it is
        "readiness_state_id": READY,
    }
    assert offerings[""]["quantity"] == 2 and offerings[""]["price"] == 28.0
    unchanged, _ = mapping.inventory_update(inventory)
    assert [p["property_values"] for p in body["products"]] == [
        p["property_values"] for p in unchanged["products"]
    ]


@pytest.mark.parametrize(
    ("price", "divisor", "sent", "stored"),
    [
        (Decimal("12.345"), 100, 12.35, 1235),
        (Decimal("12.344"), 100, 12.34, 1234),
        (Decimal("19.99"), 100, 19.99, 1999),
        (Decimal("1480.4"), 1, 1480.0, 1480),
        ("7", 100, 7.0, 700),
    ],
)
def test_prices_are_rounded_to_the_minor_unit(price, divisor, sent, stored):
    currency = "JPY" if divisor == 1 else "EUR"
    money = {"amount": 100, "divisor": divisor, "currency_code": currency}
    inventory = {
        "products": [{"sku": "ONE", "offerings": [offering(1, 1, money)], "property_values": []}]
    }
    body, _ = mapping.inventory_update(inventory, prices={"ONE": price})
    number = body["products"][0]["offerings"][0]["price"]
    assert isinstance(number, float) and number == sent
    # Etsy stores round(price * divisor) minor units: the float must land on the intended one.
    assert round(number * divisor) == stored


def test_unknown_empty_and_deleted_skus_are_missing(inventory):
    body, missing = mapping.inventory_update(
        inventory, quantities={"NOPE": 1, "": 5, "MUG-OLD": 2}, prices={"ALSO-NOPE": Decimal(1)}
    )
    assert missing == ["", "ALSO-NOPE", "MUG-OLD", "NOPE"]
    unchanged, _ = mapping.inventory_update(inventory)
    assert body == unchanged  # the product without a SKU was not touched


def test_the_inventory_read_is_not_modified(inventory):
    before = copy.deepcopy(inventory)
    mapping.inventory_update(inventory, quantities={"MUG-RED-S": 0}, prices={"MUG-RED-S": 1})
    assert inventory == before


def test_negative_quantity_is_refused(inventory):
    with pytest.raises(ValueError, match="MUG-RED-S"):
        mapping.inventory_update(inventory, quantities={"MUG-RED-S": -1})


def test_a_sku_shared_by_several_products_is_set_on_each(inventory):
    for product in inventory["products"]:
        product["sku"] = "MUG"
    inventory["sku_on_property"] = []
    body, missing = mapping.inventory_update(inventory, quantities={"MUG": 6})
    assert missing == []
    assert [p["offerings"][0]["quantity"] for p in body["products"]] == [6, 6, 6]


def test_missing_on_property_arrays_are_not_invented():
    inventory = {
        "products": [{"sku": "A", "offerings": [offering(1, 1, usd(500))]}],
        "readiness_state_on_property": None,
    }
    body, _ = mapping.inventory_update(inventory)
    assert set(body) == {"products"}
    assert body["products"][0]["property_values"] == []


# ---------------------------------------------------------------- reading
def test_listing_products_from_the_inventory(listing, inventory):
    rows = mapping.map_listing_products(listing, inventory)
    common = {
        "marketplace_ref": "1600000001",
        "title": "Ceramic coffee mug - speckled glaze",
        "currency": "USD",
        "status": "active",
    }
    assert rows == [
        {"sku": "MUG-RED-S", **common, "quantity": 3, "price": Decimal("28.00")},
        # A disabled offering has nothing for sale.
        {"sku": "MUG-RED-L", **common, "quantity": 0, "price": Decimal("28.00")},
    ]
    fields = {f.name for f in dataclasses.fields(RemoteListing)}
    assert set(rows[0]) <= fields
    assert RemoteListing(**rows[0]).price == Decimal("28.00")


def test_listing_products_use_the_inventory_association(listing, inventory):
    listing["inventory"] = inventory
    assert [r["sku"] for r in mapping.map_listing_products(listing)] == ["MUG-RED-S", "MUG-RED-L"]


@pytest.mark.parametrize(("quantity_on_property", "expected"), [([], 3), ([COLOR], 9)])
def test_shared_sku_quantity_common_or_summed(listing, quantity_on_property, expected):
    """Quantities not varying by property are one value per product; otherwise they add up."""
    quantities = [3, 3, 3] if not quantity_on_property else [2, 3, 4]
    inventory = {
        "products": [
            {
                "sku": "MUG",
                "offerings": [offering(n, qty, usd(2800 + 100 * n))],
                "property_values": [prop(COLOR, "Primary color", n + 1, f"C{n}")],
            }
            for n, qty in enumerate(quantities)
        ],
        "quantity_on_property": quantity_on_property,
    }
    [row] = mapping.map_listing_products(listing, inventory)
    assert row["quantity"] == expected
    assert row["price"] == Decimal("28.00")  # the lowest


def test_listing_products_without_inventory(listing):
    rows = mapping.map_listing_products(listing)
    # Several SKUs and no inventory: quantity and price per SKU are unknown.
    assert [(r["sku"], r["quantity"], r["price"]) for r in rows] == [
        ("MUG-RED-S", None, None),
        ("MUG-RED-L", None, None),
    ]
    listing["skus"] = ["SPOON", "", "SPOON"]
    [row] = mapping.map_listing_products(listing)
    assert (row["sku"], row["quantity"], row["price"]) == ("SPOON", 5, Decimal("28.00"))
    listing["skus"] = []
    assert mapping.map_listing_products(listing) == []
