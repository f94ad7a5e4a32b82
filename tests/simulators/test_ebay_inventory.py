"""eBay simulator: inventory items, offers, publishing, bulk price/quantity, locations."""

import pytest
from marketplace_sim.ebay import EbaySimulator
from marketplace_sim.ebay.contract_calls import (
    INVENTORY,
    JSON_HEADERS,
    EbayTestClient,
    inventory_item,
    offer_body,
    warehouse,
)
from marketplace_sim.ebay.inventory import REVISIONS_PER_DAY

BULK = f"{INVENTORY}/bulk_update_price_quantity"


@pytest.fixture
def sim():
    return EbaySimulator(seed=5, orders=0)


@pytest.fixture
def client(sim):
    return EbayTestClient(sim)


def _error(response):
    return response.json()["errors"][0]


def test_inventory_item_put_is_a_full_replace(client):
    """201 on create, 204 on replace; fields left out of the replacement are gone."""
    url = f"{INVENTORY}/inventory_item/MUG-1"
    created = client.put(url, json=inventory_item(quantity=4))
    assert created.status_code == 201
    assert created.headers["Content-Language"] == "en-US"
    stored = client.get(url).json()
    assert stored["sku"] == "MUG-1" and stored["locale"] == "en-US"
    assert stored["product"]["aspects"] == {"Colour": ["Blue"], "Material": ["Ceramic"]}
    assert stored["availability"]["shipToLocationAvailability"]["quantity"] == 4

    replaced = client.put(
        url, json={"availability": {"shipToLocationAvailability": {"quantity": 9}}}
    )
    assert replaced.status_code == 204
    stored = client.get(url).json()
    assert "product" not in stored and "condition" not in stored
    assert stored["availability"]["shipToLocationAvailability"]["quantity"] == 9


def test_content_language_is_required(client):
    response = client.put(
        f"{INVENTORY}/inventory_item/MUG-1",
        json=inventory_item(),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    error = _error(response)
    assert (error["errorId"], error["domain"]) == (25709, "API_INVENTORY")
    assert {"name": "fieldName", "value": "Content-Language"} in error["parameters"]


def test_unknown_item_and_invalid_sku(client):
    missing = client.get(f"{INVENTORY}/inventory_item/NOPE")
    assert missing.status_code == 404 and _error(missing)["errorId"] == 25710
    too_long = client.put(f"{INVENTORY}/inventory_item/{'X' * 51}", json=inventory_item())
    assert too_long.status_code == 400 and _error(too_long)["errorId"] == 25707


def test_get_inventory_items_offset_is_a_page_index(client):
    for index in range(5):
        client.put(f"{INVENTORY}/inventory_item/SKU-{index}", json=inventory_item())
    second = client.get(f"{INVENTORY}/inventory_item", params={"limit": 2, "offset": 1}).json()
    assert [item["sku"] for item in second["inventoryItems"]] == ["SKU-2", "SKU-3"]
    assert second["total"] == 5 and "offset=2" in second["next"]


def test_listing_flow_publishes_and_get_offers_shows_listing(client, sim):
    offer_id, listing_id = client.list_item("MUG-1", quantity=3)
    assert listing_id.isdigit() and len(listing_id) == 12
    offers = client.get(f"{INVENTORY}/offer", params={"sku": "MUG-1"}).json()
    assert offers["total"] == 1
    offer = offers["offers"][0]
    assert (offer["offerId"], offer["status"]) == (offer_id, "PUBLISHED")
    assert offer["listing"]["listingId"] == listing_id
    again = client.post(f"{INVENTORY}/offer/{offer_id}/publish")
    assert again.json()["listingId"] == listing_id  # republishing revises the same listing


def test_create_offer_errors(client):
    policies = client.policies()
    unknown = client.post(
        f"{INVENTORY}/offer", json=offer_body("NOPE", policies), headers=JSON_HEADERS
    )
    assert unknown.status_code == 400 and _error(unknown)["errorId"] == 25702
    client.put(f"{INVENTORY}/inventory_item/MUG-1", json=inventory_item())
    missing = client.post(f"{INVENTORY}/offer", json={"sku": "MUG-1"}, headers=JSON_HEADERS)
    assert missing.status_code == 400 and _error(missing)["errorId"] == 25709
    first = client.post(
        f"{INVENTORY}/offer", json=offer_body("MUG-1", policies), headers=JSON_HEADERS
    )
    duplicate = client.post(
        f"{INVENTORY}/offer", json=offer_body("MUG-1", policies), headers=JSON_HEADERS
    )
    assert duplicate.status_code == 400
    error = _error(duplicate)
    assert error["errorId"] == 25002 and "Offer entity already exists" in error["message"]
    assert error["parameters"] == [{"name": "offerId", "value": first.json()["offerId"]}]


def test_publish_requires_complete_offer_and_valid_policies(client):
    client.post(f"{INVENTORY}/location/WH-1", json=warehouse())
    client.put(
        f"{INVENTORY}/inventory_item/BARE",
        json={"availability": {"shipToLocationAvailability": {"quantity": 1}}},
    )
    bare = client.post(
        f"{INVENTORY}/offer",
        json={"sku": "BARE", "marketplaceId": "EBAY_US", "format": "FIXED_PRICE"},
        headers=JSON_HEADERS,
    ).json()["offerId"]
    refused = client.post(f"{INVENTORY}/offer/{bare}/publish")
    assert refused.status_code == 400
    missing = {error["longMessage"] for error in refused.json()["errors"]}
    assert {
        "Product.Title is missing.",
        "Offer.CategoryId is missing.",
        "Offer.Price is missing.",
    } <= missing

    client.put(f"{INVENTORY}/inventory_item/MUG-1", json=inventory_item())
    gb_policies = client.policies("EBAY_GB")  # valid ids, wrong marketplace
    offer_id = client.post(
        f"{INVENTORY}/offer", json=offer_body("MUG-1", gb_policies), headers=JSON_HEADERS
    ).json()["offerId"]
    wrong = client.post(f"{INVENTORY}/offer/{offer_id}/publish")
    assert wrong.status_code == 400 and _error(wrong)["errorId"] == 25035
    unknown = client.post(f"{INVENTORY}/offer/1/publish")
    assert unknown.status_code == 404 and _error(unknown)["errorId"] == 25713


def test_update_offer_is_a_full_replace(client):
    offer_id, _listing = client.list_item("MUG-1")
    body = offer_body("MUG-1", client.policies(), price="25.00")
    editable = {
        key: value for key, value in body.items() if key not in ("sku", "marketplaceId", "format")
    }
    editable["availableQuantity"] = 2
    assert client.put(f"{INVENTORY}/offer/{offer_id}", json=editable).status_code == 204
    offer = client.get(f"{INVENTORY}/offer/{offer_id}").json()
    assert offer["pricingSummary"]["price"]["value"] == "25.00"
    assert (offer["sku"], offer["status"], offer["availableQuantity"]) == ("MUG-1", "PUBLISHED", 2)
    editable.pop("listingDescription")
    refused = client.put(f"{INVENTORY}/offer/{offer_id}", json=editable)
    assert refused.status_code == 400 and _error(refused)["errorId"] == 25002


def test_bulk_update_all_ok_is_200(client):
    offer_id, _ = client.list_item("MUG-1", quantity=5)
    body = {
        "requests": [
            {
                "sku": "MUG-1",
                "shipToLocationAvailability": {"quantity": 12},
                "offers": [
                    {
                        "offerId": offer_id,
                        "availableQuantity": 12,
                        "price": {"value": "21.50", "currency": "USD"},
                    }
                ],
            }
        ]
    }
    response = client.post(BULK, json=body)
    assert response.status_code == 200
    assert response.json()["responses"] == [
        {"statusCode": 200, "sku": "MUG-1", "offerId": offer_id}
    ]
    offer = client.get(f"{INVENTORY}/offer/{offer_id}").json()
    assert (offer["availableQuantity"], offer["pricingSummary"]["price"]["value"]) == (12, "21.50")
    item = client.get(f"{INVENTORY}/inventory_item/MUG-1").json()
    assert item["availability"]["shipToLocationAvailability"]["quantity"] == 12


def test_bulk_update_mixed_results_is_207_with_per_entry_errors(client):
    offer_id, _ = client.list_item("MUG-1")
    other_offer, _ = client.list_item("MUG-2")
    body = {
        "requests": [
            {"sku": "MUG-1", "offers": [{"offerId": offer_id, "availableQuantity": 3}]},
            {"sku": "GHOST", "shipToLocationAvailability": {"quantity": 1}},
            {"sku": "MUG-1", "offers": [{"offerId": "4999999999", "availableQuantity": 1}]},
            {"sku": "MUG-1", "offers": [{"offerId": other_offer, "availableQuantity": 1}]},
            {
                "sku": "MUG-2",
                "offers": [{"offerId": other_offer, "price": {"value": "-1", "currency": "USD"}}],
            },
        ]
    }
    response = client.post(BULK, json=body)
    assert response.status_code == 207
    results = response.json()["responses"]
    assert [(r["sku"], r["statusCode"]) for r in results] == [
        ("MUG-1", 200),
        ("GHOST", 404),
        ("MUG-1", 404),
        ("MUG-1", 400),
        ("MUG-2", 400),
    ]
    assert [r.get("errors", [{}])[0].get("errorId") for r in results] == [
        None,
        25702,
        25713,
        25709,
        25709,
    ]
    assert client.get(f"{INVENTORY}/offer/{offer_id}").json()["availableQuantity"] == 3
    assert "availableQuantity" not in client.get(f"{INVENTORY}/offer/{other_offer}").json()


@pytest.mark.parametrize("count", [0, 26])
def test_bulk_update_takes_1_to_25_requests(client, count):
    requests_ = [
        {"sku": f"S{i}", "shipToLocationAvailability": {"quantity": 1}} for i in range(count)
    ]
    response = client.post(BULK, json={"requests": requests_})
    assert response.status_code == 400
    error = _error(response)
    assert error["errorId"] == 25709
    assert {"name": "fieldName", "value": "requests"} in error["parameters"]


def test_bulk_update_accepts_25_requests(client):
    for index in range(25):
        client.put(f"{INVENTORY}/inventory_item/S{index}", json=inventory_item())
    requests_ = [{"sku": f"S{i}", "shipToLocationAvailability": {"quantity": i}} for i in range(25)]
    response = client.post(BULK, json={"requests": requests_})
    assert response.status_code == 200 and len(response.json()["responses"]) == 25


def test_250_revisions_per_listing_per_day(sim, client):
    """The 251st revision of a live listing in one day is refused; the next day works."""
    offer_id, _ = client.list_item("MUG-1")
    body = {
        "requests": [{"sku": "MUG-1", "offers": [{"offerId": offer_id, "availableQuantity": 1}]}]
    }
    for _ in range(REVISIONS_PER_DAY):
        assert client.post(BULK, json=body).status_code == 200
    refused = client.post(BULK, json=body)
    assert refused.status_code == 207
    entry = refused.json()["responses"][0]
    assert entry["statusCode"] == 400 and entry["errors"][0]["errorId"] == 25002
    update = offer_body("MUG-1", client.policies())
    editable = {
        key: value for key, value in update.items() if key not in ("sku", "marketplaceId", "format")
    }
    assert client.put(f"{INVENTORY}/offer/{offer_id}", json=editable).status_code == 400
    sim.control.advance(86400)
    client.token()
    assert client.post(BULK, json=body).status_code == 200


def test_unpublished_offers_are_not_revision_limited(client):
    client.put(f"{INVENTORY}/inventory_item/DRAFT", json=inventory_item())
    offer_id = client.post(
        f"{INVENTORY}/offer", json=offer_body("DRAFT", client.policies()), headers=JSON_HEADERS
    ).json()["offerId"]
    body = {
        "requests": [{"sku": "DRAFT", "offers": [{"offerId": offer_id, "availableQuantity": 1}]}]
    }
    for _ in range(REVISIONS_PER_DAY + 5):
        assert client.post(BULK, json=body).status_code == 200


def test_locations(client):
    url = f"{INVENTORY}/location/WH-1"
    assert client.post(url, json=warehouse()).status_code == 204
    stored = client.get(url).json()
    assert stored["merchantLocationKey"] == "WH-1" and stored["merchantLocationStatus"] == "ENABLED"
    duplicate = client.post(url, json=warehouse())
    assert duplicate.status_code == 409 and _error(duplicate)["errorId"] == 25803
    no_postal = client.post(
        f"{INVENTORY}/location/WH-2", json={"location": {"address": {"country": "US"}}}
    )
    assert no_postal.status_code == 400 and _error(no_postal)["errorId"] == 25801
    bad_key = client.post(f"{INVENTORY}/location/{'K' * 37}", json=warehouse())
    assert bad_key.status_code == 400 and _error(bad_key)["errorId"] == 25800
    missing = client.get(f"{INVENTORY}/location/NOPE")
    assert missing.status_code == 404 and _error(missing)["errorId"] == 25805


def test_get_offers_errors(client):
    no_sku = client.get(f"{INVENTORY}/offer")
    assert no_sku.status_code == 400 and _error(no_sku)["errorId"] == 25709
    none = client.get(f"{INVENTORY}/offer", params={"sku": "NOPE"})
    assert none.status_code == 404 and _error(none)["errorId"] == 25713
    bad_page = client.get(f"{INVENTORY}/offer", params={"sku": "NOPE", "limit": "0"})
    assert bad_page.status_code == 400 and _error(bad_page)["errorId"] == 25706


def test_withdraw_then_republish_gives_a_new_listing(client):
    offer_id, listing_id = client.list_item("MUG-1")
    withdrawn = client.post(f"{INVENTORY}/offer/{offer_id}/withdraw")
    assert withdrawn.json()["listingId"] == listing_id
    offer = client.get(f"{INVENTORY}/offer/{offer_id}").json()
    assert offer["status"] == "UNPUBLISHED" and "listing" not in offer
    again = client.post(f"{INVENTORY}/offer/{offer_id}/withdraw")
    assert again.status_code == 400 and _error(again)["errorId"] == 25002
    relisted = client.post(f"{INVENTORY}/offer/{offer_id}/publish").json()["listingId"]
    assert relisted != listing_id


def test_delete_item_removes_its_offers(client):
    offer_id, _ = client.list_item("MUG-1")
    assert client.delete(f"{INVENTORY}/inventory_item/MUG-1").status_code == 204
    assert client.get(f"{INVENTORY}/offer/{offer_id}").status_code == 404
    assert client.get(f"{INVENTORY}/inventory_item/MUG-1").status_code == 404
    missing = client.delete(f"{INVENTORY}/offer/{offer_id}")
    assert missing.status_code == 404 and _error(missing)["errorId"] == 25713


def test_item_group_publishes_one_multi_variation_listing(sim, client):
    """Every variant offer goes live under one listingId; sales carry the variation."""
    client.post(f"{INVENTORY}/location/WH-1", json=warehouse())
    published = client.list_group("MUG", {"Blue": "MUG-BLUE", "Red": "MUG-RED"})
    listing_id = published["listingId"]
    group = client.get(f"{INVENTORY}/inventory_item_group/MUG").json()
    assert group["inventoryItemGroupKey"] == "MUG" and group["variantSKUs"] == [
        "MUG-BLUE",
        "MUG-RED",
    ]
    for sku in ("MUG-BLUE", "MUG-RED"):
        offer = client.get(f"{INVENTORY}/offer", params={"sku": sku}).json()["offers"][0]
        assert offer["listing"]["listingId"] == listing_id
    order_ids = sim.control.generate_orders(count=8)
    lines = [line for oid in order_ids for line in sim.fulfillment.orders[oid]["lineItems"]]
    variants = [line for line in lines if line.get("sku") in ("MUG-BLUE", "MUG-RED")]
    assert variants and all(line["legacyItemId"] == listing_id for line in variants)
    by_sku = {line["sku"]: line for line in variants}
    for sku, line in by_sku.items():
        assert line["variationAspects"] == [{"name": "Colour", "value": sku.split("-")[1].title()}]
    assert len({line["legacyVariationId"] for line in by_sku.values()}) == len(by_sku)
    body = {"inventoryItemGroupKey": "MUG", "marketplaceId": "EBAY_US"}
    withdrawn = client.post(f"{INVENTORY}/offer/withdraw_by_inventory_item_group", json=body)
    assert withdrawn.status_code == 204
    offer = client.get(f"{INVENTORY}/offer", params={"sku": "MUG-RED"}).json()["offers"][0]
    assert offer["status"] == "UNPUBLISHED"


def test_item_group_errors(client):
    unknown_sku = client.put(f"{INVENTORY}/inventory_item_group/G1", json={"variantSKUs": ["NOPE"]})
    assert unknown_sku.status_code == 400 and _error(unknown_sku)["errorId"] == 25702
    missing = client.get(f"{INVENTORY}/inventory_item_group/G1")
    assert missing.status_code == 404 and _error(missing)["errorId"] == 25710
    body = {"inventoryItemGroupKey": "G1", "marketplaceId": "EBAY_US"}
    unknown = client.post(f"{INVENTORY}/offer/publish_by_inventory_item_group", json=body)
    assert unknown.status_code == 400 and _error(unknown)["errorId"] == 25016
    client.put(f"{INVENTORY}/inventory_item/LONE", json=inventory_item())
    client.put(f"{INVENTORY}/inventory_item_group/G1", json={"title": "t", "variantSKUs": ["LONE"]})
    no_offer = client.post(f"{INVENTORY}/offer/publish_by_inventory_item_group", json=body)
    assert no_offer.status_code == 400 and _error(no_offer)["errorId"] == 25002
