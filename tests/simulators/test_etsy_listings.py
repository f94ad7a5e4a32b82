"""Etsy simulator: draft listings, publishing and the full-replacement inventory PUT."""

import pytest
from marketplace_sim.etsy import EtsySimulator
from marketplace_sim.etsy.contract_calls import EtsyTestClient
from marketplace_sim.etsy.datagen import PROP_COLOR, PROP_SIZE

# openapi-core warns that it cannot check the oauth2 scheme; the simulator checks it.
pytestmark = pytest.mark.filterwarnings("ignore:Unsupported scheme type")


@pytest.fixture
def sim():
    return EtsySimulator(seed=5, receipts_per_shop=2)


@pytest.fixture
def client(sim):
    return EtsyTestClient(sim)


@pytest.fixture
def ready_id(client):
    states = client.get(client.shop("/readiness-state-definitions")).json()
    assert {s["readiness_state"] for s in states["results"]} == {"ready_to_ship", "made_to_order"}
    return states["results"][0]["readiness_state_id"]


@pytest.fixture
def profile_id(client):
    profiles = client.get(client.shop("/shipping-profiles")).json()
    return profiles["results"][0]["shipping_profile_id"]


@pytest.fixture
def variation_listing(client, sim):
    return next(
        listing_id
        for listing_id, listing in sim.state.listings.items()
        if listing["shop_id"] == client.shop_id and listing["has_variations"]
    )


def draft_form(profile_id, ready_id, **overrides):
    form = {
        "quantity": 5,
        "title": "Handmade oak spoon",
        "description": "Carved from a single piece of oak.",
        "price": "18.90",
        "who_made": "i_did",
        "when_made": "made_to_order",
        "taxonomy_id": 1633,
        "shipping_profile_id": profile_id,
        "readiness_state_id": ready_id,
        "tags": "wood,kitchen",
    }
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


def put_inventory(client, listing_id, body):
    return client.request("PUT", f"/listings/{listing_id}/inventory", json=body)


def offering(price, quantity, ready_id, enabled=True):
    return {
        "price": price,
        "quantity": quantity,
        "is_enabled": enabled,
        "readiness_state_id": ready_id,
    }


def test_create_draft_listing_from_a_form(client, profile_id, ready_id):
    response = client.request(
        "POST", client.shop("/listings"), data=draft_form(profile_id, ready_id)
    )
    assert response.status_code == 201
    listing = response.json()
    assert listing["state"] == "draft"
    assert listing["quantity"] == 5
    assert listing["price"] == {"amount": 1890, "divisor": 100, "currency_code": "USD"}
    assert listing["tags"] == ["wood", "kitchen"]
    inventory = client.get(f"/listings/{listing['listing_id']}/inventory").json()
    assert len(inventory["products"]) == 1
    assert inventory["products"][0]["offerings"][0]["readiness_state_id"] == ready_id


def test_draft_listing_without_readiness_state_is_refused(client, profile_id):
    form = draft_form(profile_id, None)
    response = client.request("POST", client.shop("/listings"), data=form)
    assert response.status_code == 400
    assert response.json() == {"error": "A readiness_state_id is required for physical listings."}


@pytest.mark.parametrize("missing", ["title", "price", "who_made", "taxonomy_id"])
def test_draft_listing_missing_required_field_is_refused(client, profile_id, ready_id, missing):
    form = draft_form(profile_id, ready_id, **{missing: None})
    response = client.request("POST", client.shop("/listings"), data=form)
    assert response.status_code == 400
    assert set(response.json()) == {"error"}


def test_draft_listing_with_bad_enum_is_refused(client, profile_id, ready_id):
    form = draft_form(profile_id, ready_id, when_made="yesterday")
    response = client.request("POST", client.shop("/listings"), data=form)
    assert response.status_code == 400


def test_publish_draft_with_update_listing(client, profile_id, ready_id):
    listing = client.request(
        "POST", client.shop("/listings"), data=draft_form(profile_id, ready_id)
    ).json()
    path = client.shop(f"/listings/{listing['listing_id']}")
    response = client.request("PATCH", path, data={"state": "active", "title": "Oak spoon"})
    assert response.status_code == 200
    assert response.json()["state"] == "active"
    assert response.json()["title"] == "Oak spoon"
    bad = client.request("PATCH", path, data={"state": "draft"})
    assert bad.status_code == 400
    cleared = client.request("PATCH", path, data={"item_weight_unit": ""})
    assert cleared.status_code == 200
    assert cleared.json()["item_weight_unit"] is None


def test_listing_of_another_shop_cannot_be_updated(client, sim):
    foreign = next(
        lid for lid, lst in sim.state.listings.items() if lst["shop_id"] != client.shop_id
    )
    response = client.request(
        "PATCH", client.shop(f"/listings/{foreign}"), data={"state": "inactive"}
    )
    assert response.status_code == 404
    assert client.get(f"/listings/{foreign}/inventory").status_code == 403


def test_inventory_read_has_money_prices_and_on_property_arrays(client, variation_listing):
    response = client.get(f"/listings/{variation_listing}/inventory", {"includes": "Listing"})
    assert response.status_code == 200
    inventory = response.json()
    assert len(inventory["products"]) == 4
    assert inventory["quantity_on_property"] == [PROP_COLOR, PROP_SIZE]
    price = inventory["products"][0]["offerings"][0]["price"]
    assert set(price) == {"amount", "divisor", "currency_code"}
    assert inventory["listing"]["listing_id"] == variation_listing


def test_inventory_put_replaces_the_whole_products_array(client, variation_listing, ready_id):
    before = client.get(f"/listings/{variation_listing}/inventory").json()
    kept = before["products"][:2]
    body = {
        "products": [
            {
                "sku": product["sku"],
                "property_values": product["property_values"],
                "offerings": [offering(21.5, 7 + n, ready_id)],
            }
            for n, product in enumerate(kept)
        ],
        "quantity_on_property": before["quantity_on_property"],
        "sku_on_property": before["sku_on_property"],
    }
    response = put_inventory(client, variation_listing, body)
    assert response.status_code == 200
    after = client.get(f"/listings/{variation_listing}/inventory").json()
    assert [p["sku"] for p in after["products"]] == [p["sku"] for p in kept]
    assert [p["offerings"][0]["quantity"] for p in after["products"]] == [7, 8]
    assert after["products"][0]["offerings"][0]["price"]["amount"] == 2150
    # Etsy hands out new product ids on every write: match products by SKU, not by id.
    assert not {p["product_id"] for p in after["products"]} & {
        p["product_id"] for p in before["products"]
    }
    deleted = client.get(f"/listings/{variation_listing}/inventory", {"show_deleted": "true"})
    flags = [p["is_deleted"] for p in deleted.json()["products"]]
    assert flags.count(False) == 2
    assert flags.count(True) == 4
    listing = client.get(f"/listings/{variation_listing}/inventory", {"includes": "Listing"})
    assert listing.json()["listing"]["quantity"] == 15


def test_inventory_put_requires_readiness_state_on_offerings(client, variation_listing):
    without_key = {
        "products": [
            {"sku": "X-1", "offerings": [{"price": 10.0, "quantity": 1, "is_enabled": True}]}
        ]
    }
    response = put_inventory(client, variation_listing, without_key)
    assert response.status_code == 400
    assert set(response.json()) == {"error"}
    null_state = {"products": [{"sku": "X-1", "offerings": [offering(10.0, 1, None)]}]}
    response = put_inventory(client, variation_listing, null_state)
    assert response.status_code == 400
    assert response.json() == {"error": "A readiness_state_id is required for physical listings."}


@pytest.mark.parametrize(
    ("products", "message"),
    [
        ([], "at least one product"),
        ([{"sku": "A", "offerings": [offering(0.05, 1, "READY")]}], "price"),
        ([{"sku": "A", "offerings": [offering(5.0, 0, "READY")]}], "quantity greater than 0"),
        (
            [
                {"sku": "A", "offerings": [offering(5.0, 1, "READY")]},
                {"sku": "A", "offerings": [offering(6.0, 1, "READY")]},
            ],
            "unique property value combinations",
        ),
    ],
)
def test_inventory_put_validation_errors(client, variation_listing, ready_id, products, message):
    for product in products:
        for item in product["offerings"]:
            item["readiness_state_id"] = ready_id
    before = client.get(f"/listings/{variation_listing}/inventory").json()
    response = put_inventory(client, variation_listing, {"products": products})
    assert response.status_code == 400
    assert message in response.json()["error"]
    # A refused PUT changes nothing.
    assert client.get(f"/listings/{variation_listing}/inventory").json() == before


def test_prices_may_only_differ_along_price_on_property(client, variation_listing, ready_id):
    before = client.get(f"/listings/{variation_listing}/inventory").json()
    products = [
        {
            "sku": p["sku"],
            "property_values": p["property_values"],
            "offerings": [offering(10.0 + n, 3, ready_id)],
        }
        for n, p in enumerate(before["products"])
    ]
    body = {"products": products, "sku_on_property": [PROP_COLOR, PROP_SIZE]}
    response = put_inventory(client, variation_listing, body)
    assert response.status_code == 400
    assert "price_on_property" in response.json()["error"]
    body["price_on_property"] = [PROP_COLOR, PROP_SIZE]
    assert put_inventory(client, variation_listing, body).status_code == 200
    body["price_on_property"] = [999]
    response = put_inventory(client, variation_listing, body)
    assert response.status_code == 400


def test_unknown_listing_inventory_is_not_found(client):
    response = client.get("/listings/42/inventory")
    assert response.status_code == 404
    assert set(response.json()) == {"error"}


def test_listings_by_shop_pages_filters_state_and_lists_skus(client, sim, profile_id, ready_id):
    own = {lid for lid, lst in sim.state.listings.items() if lst["shop_id"] == client.shop_id}
    first = client.get(client.shop("/listings"), {"limit": 4}).json()
    second = client.get(client.shop("/listings"), {"limit": 4, "offset": 4}).json()
    assert first["count"] == second["count"] == len(own) == 6
    assert [len(first["results"]), len(second["results"])] == [4, 2]
    pages = [row["listing_id"] for row in first["results"] + second["results"]]
    assert sorted(pages) == sorted(own)
    # Default order: newest first.
    created = [row["created_timestamp"] for row in first["results"] + second["results"]]
    assert created == sorted(created, reverse=True)
    row = first["results"][0]
    stored = sim.state.inventories[row["listing_id"]]["products"]
    assert row["skus"] == [p["sku"] for p in stored]
    assert "inventory" not in row
    draft = client.request(
        "POST", client.shop("/listings"), data=draft_form(profile_id, ready_id)
    ).json()
    active = client.get(client.shop("/listings"), {"limit": 100}).json()
    assert draft["listing_id"] not in {r["listing_id"] for r in active["results"]}
    drafts = client.get(
        client.shop("/listings"), {"state": "draft", "includes": "Inventory"}
    ).json()
    assert [r["listing_id"] for r in drafts["results"]] == [draft["listing_id"]]
    assert drafts["count"] == 1
    assert drafts["results"][0]["skus"] == []  # the draft's only product has no SKU
    assert len(drafts["results"][0]["inventory"]["products"]) == 1


def test_listings_by_shop_refuses_bad_paging_and_foreign_shops(client, sim):
    assert client.get(client.shop("/listings"), {"limit": 101}).status_code == 400
    assert client.get(client.shop("/listings"), {"state": "sold"}).status_code == 400
    foreign = next(s for s in sim.state.shops if s != client.shop_id)
    response = client.get(f"/shops/{foreign}/listings")
    assert response.status_code == 403
    assert set(response.json()) == {"error"}
