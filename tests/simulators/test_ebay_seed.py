"""eBay simulator: seeding listings through the control handle and reading them back."""

import time

import pytest
import requests
from marketplace_sim.core import COVERAGE, LoopbackServer
from marketplace_sim.ebay import EbaySimulator
from marketplace_sim.ebay.contract_calls import INVENTORY, EbayTestClient

BULK = f"{INVENTORY}/bulk_update_price_quantity"


@pytest.fixture
def sim():
    return EbaySimulator(seed=11, orders=0)


@pytest.fixture
def client(sim):
    return EbayTestClient(sim)


def _ok(response):
    assert response.status_code == 200, response.text
    return response.json()


def _no_contract_failures():
    assert [f for f in COVERAGE.failures if f[0] == "ebay" and f[3] == "response"] == []


def test_seeded_listings_are_served_by_get_inventory_items_and_get_offers(sim, client):
    seeded = sim.control.seed_listings(["MUG-1", "MUG-2", "MUG-3"], quantity=4, price=12.5)
    assert set(seeded) == {"MUG-1", "MUG-2", "MUG-3"}
    assert len({ids["listing_id"] for ids in seeded.values()}) == 3

    items = _ok(client.get(f"{INVENTORY}/inventory_item", params={"limit": 2}))
    assert items["total"] == 3 and "offset=1" in items["next"]
    item = items["inventoryItems"][0]
    assert (item["sku"], item["locale"], item["condition"]) == ("MUG-1", "en-US", "NEW")
    assert item["product"]["title"] == "Item MUG-1"
    assert item["availability"]["shipToLocationAvailability"]["quantity"] == 4

    offers = _ok(client.get(f"{INVENTORY}/offer", params={"sku": "MUG-2"}))
    assert offers["total"] == 1
    offer = offers["offers"][0]
    assert offer["offerId"] == seeded["MUG-2"]["offer_id"]
    assert (offer["status"], offer["format"], offer["marketplaceId"]) == (
        "PUBLISHED",
        "FIXED_PRICE",
        "EBAY_US",
    )
    assert offer["listing"] == {
        "listingId": seeded["MUG-2"]["listing_id"],
        "listingStatus": "ACTIVE",
        "soldQuantity": 0,
    }
    assert offer["pricingSummary"]["price"] == {"value": "12.50", "currency": "USD"}
    assert offer["listingPolicies"] == client.policies()
    _ok(client.get(f"{INVENTORY}/offer/{offer['offerId']}"))
    _ok(client.get(f"{INVENTORY}/location/{offer['merchantLocationKey']}"))
    _no_contract_failures()


def test_seeded_offer_is_complete_enough_to_publish_again(sim, client):
    """Republishing through the API passes every publish check and keeps the listing id."""
    seeded = sim.control.seed_listings(["MUG-1"], quantity=2)["MUG-1"]
    answer = _ok(client.post(f"{INVENTORY}/offer/{seeded['offer_id']}/publish"))
    assert answer["listingId"] == seeded["listing_id"]


def test_two_thousand_skus_seed_fast_and_page_through_the_api(sim, client):
    skus = [f"BULK-{index:04d}" for index in range(2000)]
    start = time.perf_counter()
    seeded = sim.control.seed_listings(skus, quantity=1, price="7.5")
    assert time.perf_counter() - start < 5
    assert len(seeded) == 2000
    assert len({ids["offer_id"] for ids in seeded.values()}) == 2000

    last = _ok(client.get(f"{INVENTORY}/inventory_item", params={"limit": 200, "offset": 9}))
    assert last["total"] == 2000 and "next" not in last
    assert [item["sku"] for item in last["inventoryItems"]] == skus[1800:]
    offer = _ok(client.get(f"{INVENTORY}/offer", params={"sku": "BULK-1999"}))["offers"][0]
    assert offer["listing"]["listingId"] == seeded["BULK-1999"]["listing_id"]
    assert sim.control.offer_price("BULK-1999") == "7.50"
    _no_contract_failures()


def test_listing_quantity_and_offer_price_follow_bulk_update(sim, client):
    seeded = sim.control.seed_listings(["MUG-1", "MUG-2"], quantity=3)
    assert sim.control.listing_quantity("MUG-1") == 3
    assert sim.control.offer_price("MUG-1") == "10.00"
    body = {
        "requests": [
            {
                "sku": "MUG-1",
                "shipToLocationAvailability": {"quantity": 9},
                "offers": [
                    {
                        "offerId": seeded["MUG-1"]["offer_id"],
                        "price": {"value": "14.99", "currency": "USD"},
                    }
                ],
            },
            {"sku": "MUG-2", "shipToLocationAvailability": {"quantity": 0}},
        ]
    }
    responses = _ok(client.post(BULK, json=body))["responses"]
    assert {r["statusCode"] for r in responses} == {200}
    assert sim.control.listing_quantity("MUG-1") == 9
    assert sim.control.listing_quantity("MUG-2") == 0
    assert sim.control.offer_price("MUG-1") == "14.99"
    assert sim.control.listing_quantity("NOPE") is None
    assert sim.control.offer_price("MUG-1", marketplace_id="EBAY_GB") is None


def test_reseeding_keeps_ids_and_other_marketplaces_get_their_own_offer(sim, client):
    first = sim.control.seed_listings(["MUG-1"], quantity=1)
    again = sim.control.seed_listings(["MUG-1"], quantity=6, price=20)
    assert again == first
    assert (sim.control.listing_quantity("MUG-1"), sim.control.offer_price("MUG-1")) == (6, "20.00")
    german = sim.control.seed_listings(
        ["MUG-1"], quantity=6, currency="EUR", marketplace_id="EBAY_DE"
    )
    assert german["MUG-1"]["offer_id"] != first["MUG-1"]["offer_id"]
    offers = _ok(client.get(f"{INVENTORY}/offer", params={"sku": "MUG-1"}))["offers"]
    assert {(o["marketplaceId"], o["pricingSummary"]["price"]["currency"]) for o in offers} == {
        ("EBAY_US", "USD"),
        ("EBAY_DE", "EUR"),
    }
    assert offers[1]["listingPolicies"] == client.policies("EBAY_DE")


def test_generated_orders_sell_seeded_listings(sim):
    seeded = sim.control.seed_listings(["MUG-1", "MUG-2"], quantity=50)
    lines = [
        line
        for order_id in sim.control.generate_orders(count=5)
        for line in sim.control.order(order_id)["lineItems"]
        if line.get("sku") in seeded  # some orders sell SKUs listed outside the connector
    ]
    assert lines
    assert all(line["legacyItemId"] == seeded[line["sku"]]["listing_id"] for line in lines)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"skus": ["X" * 51]},
        {"skus": "MUG-1"},
        {"skus": ["A", "A"]},
        {"skus": ["A"], "price": 0},
        {"skus": ["A"], "quantity": -1},
        {"skus": ["A"], "marketplace_id": "EBAY_XX"},
    ],
)
def test_invalid_seed_arguments_are_refused(sim, kwargs):
    with pytest.raises(ValueError):
        sim.control.seed_listings(**kwargs)
    assert sim.inventory.items == {}


def test_controls_over_http():
    sim = EbaySimulator(seed=3, orders=0)
    with LoopbackServer(sim) as server:

        def control(name, **kwargs):
            return requests.post(f"{server.url}/_sim/{name}", json=kwargs, timeout=10)

        methods = requests.get(f"{server.url}/_sim", timeout=10).json()["methods"]
        assert {"seed_listings", "listing_quantity", "offer_price"} <= set(methods)
        seeded = control("seed_listings", skus=["MUG-1", "MUG-2"], quantity=5, price=9.99)
        assert seeded.status_code == 200
        assert set(seeded.json()["result"]) == {"MUG-1", "MUG-2"}
        assert control("listing_quantity", sku="MUG-2").json()["result"] == 5
        assert control("offer_price", sku="MUG-2").json()["result"] == "9.99"
        refused = control("seed_listings", skus=["bad sku!"])
        assert refused.status_code == 400 and "invalid SKUs" in refused.json()["error"]

        # A connector using the credentials over the socket sees the seeded offers.
        client = EbayTestClient(sim)
        client.session = requests.Session()
        token = client.session.post(
            server.url + "/identity/v1/oauth2/token",
            data={"grant_type": "refresh_token", "refresh_token": client.refresh_token},
            headers={"Authorization": client.basic()},
            timeout=10,
        ).json()["access_token"]
        offers = client.session.get(
            server.url + "/sell/inventory/v1/offer",
            params={"sku": "MUG-1"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
    assert offers.status_code == 200
    assert (
        offers.json()["offers"][0]["listing"]["listingId"]
        == (seeded.json()["result"]["MUG-1"]["listing_id"])
    )
