"""Listings Items 2021-08-01: put/patch/get/delete/search and submission issues."""

import pytest
from amazon_support import LISTINGS, SELLER, error_codes, make
from marketplace_sim.amazon import DE, US

NEW_ITEM = {
    "productType": "HOME",
    "requirements": "LISTING",
    "attributes": {
        "item_name": [{"value": "Teekanne „Sakura“ 1 l", "language_tag": "de_DE"}],
        "condition_type": [{"value": "new_new"}],
        "purchasable_offer": [
            {"currency": "EUR", "our_price": [{"schedule": [{"value_with_tax": 29.9}]}]}
        ],
        "fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": 4}],
    },
}

ATTRS = NEW_ITEM["attributes"]
NEGATIVE_STOCK = {"fulfillment_channel_code": "DEFAULT", "quantity": -1}


@pytest.fixture
def env():
    return make(seed=21)


def put(session, sku, body, **params):
    return session.put(f"{LISTINGS}/{sku}", params={"marketplaceIds": DE, **params}, json=body)


def patch(session, sku, patches, product_type="HOME", **params):
    return session.patch(
        f"{LISTINGS}/{sku}",
        params={"marketplaceIds": DE, **params},
        json={"productType": product_type, "patches": patches},
    )


def stock(quantity):
    return {
        "op": "replace",
        "path": "/attributes/fulfillment_availability",
        "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": quantity}],
    }


def test_put_then_get_with_every_included_data(env):
    sim, session = env
    response = put(session, "TEA-POT%2F1", NEW_ITEM)  # an encoded slash inside the SKU is legal
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ACCEPTED" and body["sku"] == "TEA-POT/1" and body["issues"] == []
    assert sim.control.listing_quantity("TEA-POT/1") == 4
    included = "summaries,attributes,issues,offers,fulfillmentAvailability,productTypes"
    got = session.get(
        f"{LISTINGS}/TEA-POT%2F1", params={"marketplaceIds": DE, "includedData": included}
    )
    assert got.status_code == 200, got.text
    item = got.json()
    summary = item["summaries"][0]
    assert summary["itemName"].startswith("Teekanne")
    assert summary["status"] == ["BUYABLE", "DISCOVERABLE"]
    assert item["offers"][0]["price"] == {"currencyCode": "EUR", "amount": "29.9"}
    assert item["fulfillmentAvailability"] == [{"fulfillmentChannelCode": "DEFAULT", "quantity": 4}]
    assert item["productTypes"] == [{"marketplaceId": DE, "productType": "HOME"}]


def test_patch_pushes_quantity_and_price(env):
    sim, session = env
    put(session, "TEA", NEW_ITEM)
    price = {
        "op": "replace",
        "path": "/attributes/purchasable_offer",
        "value": [{"currency": "EUR", "our_price": [{"schedule": [{"value_with_tax": 24.5}]}]}],
    }
    response = patch(session, "TEA", [stock(0), price])
    assert response.status_code == 200
    assert response.json()["status"] == "ACCEPTED"
    assert sim.control.listing_quantity("TEA") == 0
    assert sim.control.listing_price("TEA") == 24.5
    summary = session.get(f"{LISTINGS}/TEA", params={"marketplaceIds": DE}).json()["summaries"][0]
    assert summary["status"] == ["DISCOVERABLE"]  # no stock, not buyable


def test_patch_merge_and_delete(env):
    sim, session = env
    put(session, "TEA", NEW_ITEM)
    merge = {
        "op": "merge",
        "path": "/attributes/fulfillment_availability",
        "value": [{"lead_time_to_ship_max_days": 3}],
    }
    assert patch(session, "TEA", [merge]).json()["status"] == "ACCEPTED"
    assert sim.control.listing("TEA")["fulfillment_availability"] == [
        {"fulfillment_channel_code": "DEFAULT", "quantity": 4, "lead_time_to_ship_max_days": 3}
    ]
    delete = {"op": "delete", "path": "/attributes/purchasable_offer"}
    assert patch(session, "TEA", [delete]).json()["status"] == "ACCEPTED"
    assert sim.control.listing_price("TEA") is None


@pytest.mark.parametrize(
    ("attributes", "code", "attribute"),
    [
        ({"condition_type": [{"value": "new_new"}]}, "90220", "item_name"),
        ({"item_name": [{"value": "x"}]}, "90220", "condition_type"),
        (
            {**ATTRS, "fulfillment_availability": [NEGATIVE_STOCK]},
            "99010",
            "fulfillment_availability",
        ),
        ({**ATTRS, "item_name": "not a list"}, "99010", "item_name"),
        ({**ATTRS, "condition_type": [{"value": "mint"}]}, "99010", "condition_type"),
    ],
)
def test_invalid_put_is_http_200_with_issues_and_stores_nothing(env, attributes, code, attribute):
    sim, session = env
    response = put(session, "BAD", {"productType": "HOME", "attributes": attributes})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "INVALID"
    issue = body["issues"][0]
    assert (issue["code"], issue["severity"], issue["attributeNames"]) == (
        code,
        "ERROR",
        [attribute],
    )
    assert sim.control.listing("BAD") is None


def test_invalid_patch_keeps_the_previous_state(env):
    sim, session = env
    put(session, "TEA", NEW_ITEM)
    response = patch(session, "TEA", [stock(-5)])
    assert response.json()["status"] == "INVALID"
    bad_path = patch(session, "TEA", [{"op": "replace", "path": "/price", "value": [{}]}])
    assert bad_path.json()["status"] == "INVALID"
    assert sim.control.listing_quantity("TEA") == 4


def test_patch_of_unknown_sku_is_invalid_not_404(env):
    _sim, session = env
    response = patch(session, "NOPE", [stock(1)])
    assert response.status_code == 200
    assert response.json()["status"] == "INVALID"


def test_validation_preview_stores_nothing(env):
    sim, session = env
    response = put(
        session, "PREVIEW", NEW_ITEM, mode="VALIDATION_PREVIEW", includedData="identifiers,issues"
    )
    body = response.json()
    assert body["status"] == "VALID"
    assert body["identifiers"][0]["marketplaceId"] == DE
    assert sim.control.listing("PREVIEW") is None


def test_get_unknown_sku_is_404_and_delete_removes(env):
    sim, session = env
    missing = session.get(f"{LISTINGS}/NOPE", params={"marketplaceIds": DE})
    assert missing.status_code == 404
    assert error_codes(missing) == ["NOT_FOUND"]
    put(session, "TEA", NEW_ITEM)
    deleted = session.delete(f"{LISTINGS}/TEA", params={"marketplaceIds": DE})
    assert deleted.json()["status"] == "ACCEPTED"
    assert sim.control.listing("TEA") is None


def test_search_listings_pages_and_filters(env):
    _sim, session = env
    for index in range(5):
        put(session, f"BULK-{index}", NEW_ITEM)
    first = session.get(
        LISTINGS, params={"marketplaceIds": DE, "pageSize": 4, "sortBy": "sku", "sortOrder": "ASC"}
    )
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["numberOfResults"] == 11  # 6 catalogue listings + 5 new
    assert len(body["items"]) == 4
    second = session.get(
        LISTINGS,
        params={
            "marketplaceIds": DE,
            "pageSize": 4,
            "sortBy": "sku",
            "sortOrder": "ASC",
            "pageToken": body["pagination"]["nextToken"],
        },
    )
    assert second.json()["items"][0]["sku"] > body["items"][-1]["sku"]
    by_sku = session.get(
        LISTINGS,
        params={"marketplaceIds": DE, "identifiers": "BULK-1,BULK-2", "identifiersType": "SKU"},
    )
    assert sorted(i["sku"] for i in by_sku.json()["items"]) == ["BULK-1", "BULK-2"]


def test_bad_requests_use_the_listings_error_code(env):
    _sim, session = env
    no_marketplace = session.put(f"{LISTINGS}/X", json=NEW_ITEM)
    assert no_marketplace.status_code == 400
    assert error_codes(no_marketplace) == ["BAD_REQUEST"]
    no_patches = session.patch(
        f"{LISTINGS}/X", params={"marketplaceIds": DE}, json={"productType": "HOME"}
    )
    assert no_patches.status_code == 400
    unknown_marketplace = put(session, "X", NEW_ITEM, marketplaceIds="A0NOTAMARKET")
    assert unknown_marketplace.status_code == 400


def test_other_sellers_listings_are_forbidden(env):
    _sim, session = env
    response = session.get(
        LISTINGS.replace(SELLER, "A9OTHERSELLER") + "/TEA", params={"marketplaceIds": US}
    )
    assert response.status_code == 403
    assert error_codes(response) == ["Unauthorized"]
