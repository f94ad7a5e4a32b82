"""One valid call per implemented Etsy operation, for the shared contract-coverage test.

``EtsyTestClient`` is the minimal raw-HTTP client the simulator's own tests use too: it
sends what a real connector sends (x-api-key, Bearer token, form or JSON bodies) through
core's in-process ``requests`` transport.
"""

from ..core.transport import requests_session
from .app import BASE_URLS, TOKEN_URL, EtsySimulator

API_ROOT = "https://openapi.etsy.com/v3/application"


class EtsyTestClient:
    def __init__(self, sim, shop_index=0, scopes=None, pace=True):
        self.sim = sim
        # A well-behaved connector stays under 10 calls per second: ``pace`` moves simulated
        # time 0.1 s after each call so functional tests never trip the rate limit.
        self.pace = pace
        self.session = requests_session(sim, *BASE_URLS)
        creds = sim.control.credentials()
        self.api_key = creds["api_key"]
        self.keystring = creds["keystring"]
        self.shop_id = creds["shops"][shop_index]["shop_id"]
        self.tokens = sim.control.issue_tokens(self.shop_id, scopes)

    def headers(self, bearer=True, api_key=...):
        headers = {"x-api-key": self.api_key if api_key is ... else api_key}
        if headers["x-api-key"] is None:
            del headers["x-api-key"]
        if bearer:
            headers["Authorization"] = f"Bearer {self.tokens['access_token']}"
        return headers

    def request(self, method, path, bearer=True, headers=None, **kwargs):
        merged = {**self.headers(bearer), **(headers or {})}
        response = self.session.request(
            method, API_ROOT + path, headers=merged, timeout=10, **kwargs
        )
        if self.pace:
            self.sim.clock.advance(0.1)
        return response

    def get(self, path, params=None, **kwargs):
        return self.request("GET", path, params=params, **kwargs)

    def refresh(self, refresh_token=None):
        """Refresh grant; on success the rotated tokens replace the stored ones."""
        form = {
            "grant_type": "refresh_token",
            "client_id": self.keystring,
            "refresh_token": refresh_token or self.tokens["refresh_token"],
        }
        response = self.session.post(TOKEN_URL, data=form, timeout=10)
        if response.status_code == 200:
            self.tokens = response.json()
        return response

    def shop(self, suffix=""):
        return f"/shops/{self.shop_id}{suffix}"

    def receipts(self, bearer=True, headers=None, **params):
        """getShopReceipts with ``params`` as the query string."""
        return self.get(self.shop("/receipts"), params=params, bearer=bearer, headers=headers)


def _expect(response, status):
    assert response.status_code == status, (response.status_code, response.text)
    return response.json()


def exercise():
    """Call every implemented operation once with a valid request; assert the statuses.

    Each request and answer is validated by core against the Etsy OpenAPI document.
    """
    sim = EtsySimulator(seed=7)
    client = EtsyTestClient(sim)
    assert client.refresh().status_code == 200
    _expect(client.get("/openapi-ping", bearer=False), 200)
    _expect(client.get("/shipping-carriers", {"origin_country_iso": "US"}, bearer=False), 200)
    readiness = _expect(client.get(client.shop("/readiness-state-definitions")), 200)
    ready_id = readiness["results"][0]["readiness_state_id"]
    profiles = _expect(client.get(client.shop("/shipping-profiles")), 200)
    paid = _expect(client.receipts(was_paid="true", was_shipped="false", limit=5), 200)
    receipt_id = paid["results"][0]["receipt_id"]
    _expect(client.get(client.shop(f"/receipts/{receipt_id}")), 200)
    _expect(client.get(client.shop(f"/receipts/{receipt_id}/transactions")), 200)
    _expect(
        client.request(
            "POST",
            client.shop(f"/receipts/{receipt_id}/tracking"),
            data={"tracking_code": "1Z999AA10123456784", "carrier_name": "UPS"},
        ),
        200,
    )
    listing = _expect(
        client.request(
            "POST",
            client.shop("/listings"),
            data={
                "quantity": 3,
                "title": "Contract test mug",
                "description": "A mug.",
                "price": "12.50",
                "who_made": "i_did",
                "when_made": "made_to_order",
                "taxonomy_id": 1,
                "shipping_profile_id": profiles["results"][0]["shipping_profile_id"],
                "readiness_state_id": ready_id,
            },
        ),
        201,
    )
    listings = _expect(
        client.get(
            client.shop("/listings"), {"state": "draft", "limit": 5, "includes": "Inventory"}
        ),
        200,
    )
    assert listing["listing_id"] in {row["listing_id"] for row in listings["results"]}
    inventory_path = f"/listings/{listing['listing_id']}/inventory"
    _expect(client.get(inventory_path), 200)
    body = {
        "products": [
            {
                "sku": "MUG-1",
                "property_values": [],
                "offerings": [
                    {
                        "price": 13.0,
                        "quantity": 4,
                        "is_enabled": True,
                        "readiness_state_id": ready_id,
                    }
                ],
            }
        ]
    }
    _expect(client.request("PUT", inventory_path, json=body), 200)
    _expect(
        client.request(
            "PATCH", client.shop(f"/listings/{listing['listing_id']}"), data={"state": "active"}
        ),
        200,
    )
    return sim


OPERATIONS = (
    "ping",
    "getShippingCarriers",
    "getShopReadinessStateDefinitions",
    "getShopShippingProfiles",
    "getShopReceipts",
    "getShopReceipt",
    "getShopReceiptTransactionsByReceipt",
    "createReceiptShipment",
    "createDraftListing",
    "getListingsByShop",
    "getListingInventory",
    "updateListingInventory",
    "updateListing",
)
