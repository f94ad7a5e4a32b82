"""Etsy simulator: seeding listings through the control handle and reading them back."""

import time

import pytest
import requests
from marketplace_sim.core import LoopbackServer
from marketplace_sim.etsy import EtsySimulator
from marketplace_sim.etsy.contract_calls import EtsyTestClient
from marketplace_sim.etsy.datagen import PROP_SIZE
from marketplace_sim.etsy.errors import EtsyError

# openapi-core warns that it cannot check the oauth2 scheme; the simulator checks it.
pytestmark = pytest.mark.filterwarnings("ignore:Unsupported scheme type")


@pytest.fixture
def sim():
    # Every answer is validated against the contract (strict: a violation raises).
    return EtsySimulator(seed=9, receipts_per_shop=1)


@pytest.fixture
def client(sim):
    return EtsyTestClient(sim)


def _ok(response):
    assert response.status_code == 200, response.text
    return response.json()


def _ready_ids(client):
    states = _ok(client.get(client.shop("/readiness-state-definitions")))
    return {state["readiness_state_id"] for state in states["results"]}


def test_seeded_listings_are_served_by_get_listings_by_shop_and_inventory(sim, client):
    seeded = sim.control.seed_listings(["MUG-1", "MUG-2"], quantity=4, price=12.5)
    assert set(seeded) == {"MUG-1", "MUG-2"}
    listings = _ok(client.get(client.shop("/listings"), {"limit": 100, "includes": "Inventory"}))[
        "results"
    ]
    rows = {row["listing_id"]: row for row in listings}
    row = rows[seeded["MUG-1"]]
    assert (row["state"], row["listing_type"], row["skus"]) == ("active", "physical", ["MUG-1"])
    assert row["quantity"] == 4 and row["has_variations"] is False
    assert row["price"] == {"amount": 1250, "divisor": 100, "currency_code": "USD"}
    assert row["inventory"]["products"][0]["sku"] == "MUG-1"

    inventory = _ok(client.get(f"/listings/{seeded['MUG-2']}/inventory"))
    [product] = inventory["products"]
    [offering] = product["offerings"]
    assert (product["sku"], product["property_values"]) == ("MUG-2", [])
    assert (offering["quantity"], offering["is_enabled"]) == (4, True)
    assert offering["readiness_state_id"] in _ready_ids(client)
    assert sim.control.listing_state(seeded["MUG-2"]) == "active"


def test_two_thousand_skus_seed_fast_and_page_through_the_api(sim, client):
    before = _ok(client.get(client.shop("/listings"), {"limit": 1}))["count"]
    skus = [f"BULK-{index:04d}" for index in range(2000)]
    start = time.perf_counter()
    seeded = sim.control.seed_listings(skus, quantity=2)
    assert time.perf_counter() - start < 5
    assert len(set(seeded.values())) == 2000

    found = {}
    offset = 0
    while True:
        page = _ok(client.get(client.shop("/listings"), {"limit": 100, "offset": offset}))
        for row in page["results"]:
            for sku in row["skus"]:
                found[sku] = row["listing_id"]
        offset += 100
        if offset >= page["count"]:
            break
    assert page["count"] == before + 2000
    assert {sku: found[sku] for sku in skus} == seeded


def test_listing_quantity_follows_update_listing_inventory(sim, client):
    seeded = sim.control.seed_listings(["MUG-1"], quantity=3, price=8)
    listing_id = seeded["MUG-1"]
    assert sim.control.listing_quantity("MUG-1") == 3
    inventory = _ok(client.get(f"/listings/{listing_id}/inventory"))
    offering = inventory["products"][0]["offerings"][0]
    body = {
        "products": [
            {
                "sku": "MUG-1",
                "property_values": [],
                "offerings": [
                    {
                        "price": 8.0,
                        "quantity": 11,
                        "is_enabled": True,
                        "readiness_state_id": offering["readiness_state_id"],
                    }
                ],
            }
        ]
    }
    _ok(client.request("PUT", f"/listings/{listing_id}/inventory", json=body))
    assert sim.control.listing_quantity("MUG-1") == 11
    assert sim.control.listing_quantity("NOPE") is None


def test_variation_listing(sim, client):
    listing_id = sim.control.seed_variation_listing(
        ["TEE-S", "TEE-M", "TEE-L"], [2, 0, 5], price=20
    )
    inventory = _ok(client.get(f"/listings/{listing_id}/inventory", {"includes": "Listing"}))
    assert inventory["quantity_on_property"] == [PROP_SIZE]
    assert inventory["sku_on_property"] == [PROP_SIZE]
    assert inventory["price_on_property"] == []
    products = inventory["products"]
    assert [p["sku"] for p in products] == ["TEE-S", "TEE-M", "TEE-L"]
    assert [p["property_values"][0]["values"] for p in products] == [["S"], ["M"], ["L"]]
    assert [p["offerings"][0]["quantity"] for p in products] == [2, 0, 5]
    assert {p["offerings"][0]["price"]["amount"] for p in products} == {2000}
    listing = inventory["listing"]
    assert (listing["state"], listing["quantity"], listing["has_variations"]) == (
        "active",
        7,
        True,
    )
    row = next(
        row
        for row in _ok(client.get(client.shop("/listings"), {"limit": 100}))["results"]
        if row["listing_id"] == listing_id
    )
    assert row["skus"] == ["TEE-S", "TEE-M", "TEE-L"]

    # A connector pushes new stock for one variation: it must resend every product.
    body = {
        key: inventory[key]
        for key in ("price_on_property", "quantity_on_property", "sku_on_property")
    }
    body["products"] = [
        {
            "sku": p["sku"],
            "property_values": p["property_values"],
            "offerings": [
                {
                    "price": 20.0,
                    "quantity": 9 if p["sku"] == "TEE-M" else p["offerings"][0]["quantity"],
                    "is_enabled": True,
                    "readiness_state_id": p["offerings"][0]["readiness_state_id"],
                }
            ],
        }
        for p in products
    ]
    _ok(client.request("PUT", f"/listings/{listing_id}/inventory", json=body))
    assert [sim.control.listing_quantity(s) for s in ("TEE-S", "TEE-M", "TEE-L")] == [2, 9, 5]


def test_seeding_another_shop_uses_its_currency_and_readiness_states(sim):
    shops = sim.control.credentials()["shops"]
    yen_shop = next(shop for shop in shops if shop["currency"] == "JPY")
    seeded = sim.control.seed_listings(
        ["WASHI-1"], quantity=1, price=1500, shop_id=yen_shop["shop_id"]
    )
    client = EtsyTestClient(sim, shop_index=shops.index(yen_shop))
    inventory = _ok(client.get(f"/listings/{seeded['WASHI-1']}/inventory"))
    offering = inventory["products"][0]["offerings"][0]
    assert offering["price"] == {"amount": 1500, "divisor": 1, "currency_code": "JPY"}
    assert offering["readiness_state_id"] in _ready_ids(client)
    # The default client (first shop) does not own it.
    assert EtsyTestClient(sim).get(f"/listings/{seeded['WASHI-1']}/inventory").status_code == 403


def test_invalid_seed_arguments_are_refused(sim):
    count = len(sim.state.listings)
    with pytest.raises(ValueError):
        sim.control.seed_listings(["A", "A"])
    with pytest.raises(ValueError):
        sim.control.seed_listings("A")
    with pytest.raises(EtsyError):
        sim.control.seed_listings(["A"], quantity=0)  # Etsy: at least one offering in stock
    with pytest.raises(EtsyError):
        sim.control.seed_listings(["A"], price=0.1)
    with pytest.raises(ValueError):
        sim.control.seed_variation_listing(["A", "B"], [1])
    with pytest.raises(EtsyError):
        sim.control.seed_variation_listing(["A", "B"], [0, 0])
    assert len(sim.state.listings) == count
    assert sim.control.seed_listings([]) == {}


def test_controls_over_http():
    sim = EtsySimulator(seed=4, receipts_per_shop=1)
    creds = sim.control.credentials()
    tokens = sim.control.issue_tokens()
    with LoopbackServer(sim) as server:

        def control(name, **kwargs):
            return requests.post(f"{server.url}/_sim/{name}", json=kwargs, timeout=10)

        methods = requests.get(f"{server.url}/_sim", timeout=10).json()["methods"]
        assert {"seed_listings", "seed_variation_listing", "listing_quantity"} <= set(methods)
        seeded = control("seed_listings", skus=["MUG-1", "MUG-2"], quantity=5, price=9.99)
        assert seeded.status_code == 200
        listing_ids = seeded.json()["result"]
        variation = control("seed_variation_listing", skus=["T-S", "T-M"], quantities=[1, 2])
        assert variation.status_code == 200
        assert control("listing_quantity", sku="T-M").json()["result"] == 2
        assert control("listing_quantity", sku="MUG-2").json()["result"] == 5
        state = control("listing_state", listing_id=listing_ids["MUG-1"])
        assert state.json()["result"] == "active"
        refused = control("seed_listings", skus=["MUG-3"], quantity=0)
        assert refused.status_code == 400

        response = requests.get(
            f"{server.url}/v3/application/listings/{listing_ids['MUG-1']}/inventory",
            headers={
                "x-api-key": creds["api_key"],
                "Authorization": f"Bearer {tokens['access_token']}",
            },
            timeout=10,
        )
    assert response.status_code == 200
    assert response.json()["products"][0]["sku"] == "MUG-1"
