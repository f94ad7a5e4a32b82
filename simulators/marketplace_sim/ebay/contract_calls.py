"""One valid call per implemented eBay operation, for the shared contract-coverage test.

``EbayTestClient`` is the small raw-HTTP client the simulator's own tests use as well: it
does what a connector does (Basic-auth refresh grant, then Bearer calls with JSON bodies
and ``Content-Language``) through core's in-process ``requests`` transport.
"""

import base64

from ..core.transport import requests_session
from .app import TOKEN_PATH, EbaySimulator
from .specs import HOST

TOKEN_URL = HOST + TOKEN_PATH
INVENTORY = HOST + "/sell/inventory/v1"
FULFILLMENT = HOST + "/sell/fulfillment/v1"
ACCOUNT = HOST + "/sell/account/v1"
NOTIFICATION = HOST + "/commerce/notification/v1"
JSON_HEADERS = {"Content-Language": "en-US", "Content-Type": "application/json"}
# Every operationId :func:`exercise` proves against the contract.
OPERATIONS = frozenset(
    {
        "getOrders",
        "getOrder",
        "createShippingFulfillment",
        "getShippingFulfillments",
        "getShippingFulfillment",
        "createOrReplaceInventoryItem",
        "getInventoryItem",
        "getInventoryItems",
        "createOffer",
        "updateOffer",
        "getOffers",
        "getOffer",
        "publishOffer",
        "bulkUpdatePriceQuantity",
        "createInventoryLocation",
        "getInventoryLocation",
        "getFulfillmentPolicies",
        "getPaymentPolicies",
        "getReturnPolicies",
        "getPublicKey",
        "withdrawOffer",
        "deleteOffer",
        "deleteInventoryItem",
        "createOrReplaceInventoryItemGroup",
        "getInventoryItemGroup",
        "publishOfferByInventoryItemGroup",
        "withdrawOfferByInventoryItemGroup",
    }
)


class EbayTestClient:
    def __init__(self, sim, refresh_token=None, client_id=None, client_secret=None):
        self.sim = sim
        self.session = requests_session(sim, HOST)
        credentials = sim.control.credentials()
        self.client_id = client_id or credentials["client_id"]
        self.client_secret = client_secret or credentials["client_secret"]
        self.refresh_token = refresh_token or credentials["refresh_token"]
        self.access_token = None

    def basic(self, client_id=None, secret=None):
        raw = f"{client_id or self.client_id}:{secret or self.client_secret}"
        return "Basic " + base64.b64encode(raw.encode()).decode()

    def token(self, grant_type="refresh_token", refresh_token=None, scope=None, auth=None):
        """POST the token endpoint; keeps the access token on success."""
        form = {"grant_type": grant_type}
        if grant_type == "refresh_token":
            form["refresh_token"] = refresh_token or self.refresh_token
        if scope:
            form["scope"] = scope
        response = self.session.post(
            TOKEN_URL, data=form, headers={"Authorization": auth or self.basic()}, timeout=10
        )
        if response.status_code == 200:
            self.access_token = response.json()["access_token"]
        return response

    def request(self, method, url, headers=None, **kwargs):
        if self.access_token is None:
            self.token()
        merged = {"Authorization": f"Bearer {self.access_token}", **(headers or {})}
        return self.session.request(method, url, headers=merged, timeout=10, **kwargs)

    def get(self, url, **kwargs):
        return self.request("GET", url, **kwargs)

    def post(self, url, json=None, **kwargs):
        return self.request("POST", url, json=json, **kwargs)

    def delete(self, url, **kwargs):
        return self.request("DELETE", url, **kwargs)

    def put(self, url, json=None, headers=JSON_HEADERS, **kwargs):
        return self.request("PUT", url, json=json, headers=headers, **kwargs)

    # -- listing creation, the sequence a connector runs ------------------------------------

    def policies(self, marketplace="EBAY_US"):
        ids = {}
        for kind, path, key in (
            ("fulfillmentPolicyId", "fulfillment_policy", "fulfillmentPolicies"),
            ("paymentPolicyId", "payment_policy", "paymentPolicies"),
            ("returnPolicyId", "return_policy", "returnPolicies"),
        ):
            answer = self.get(f"{ACCOUNT}/{path}", params={"marketplace_id": marketplace})
            ids[kind] = answer.json()[key][0][kind]
        return ids

    def list_item(self, sku, quantity=5, price="19.99", location="WH-1", marketplace="EBAY_US"):
        """Location (once), inventory item, offer, publish; returns (offerId, listingId)."""
        if location not in self.sim.inventory.locations:
            self.post(f"{INVENTORY}/location/{location}", json=warehouse())
        self.put(f"{INVENTORY}/inventory_item/{sku}", json=inventory_item(quantity))
        offer = offer_body(sku, self.policies(marketplace), price, location, marketplace)
        offer_id = self.post(f"{INVENTORY}/offer", json=offer, headers=JSON_HEADERS).json()[
            "offerId"
        ]
        listing = self.post(f"{INVENTORY}/offer/{offer_id}/publish").json()["listingId"]
        return offer_id, listing

    def list_group(self, key, variants, marketplace="EBAY_US"):
        """A multiple-variation listing: one item and offer per colour, the group, publish.

        ``variants`` maps a colour to its SKU; returns the publish answer."""
        policies = self.policies(marketplace)
        for colour, sku in variants.items():
            item = inventory_item(title=f"Ceramic mug, {colour}")
            item["product"]["aspects"] = {"Colour": [colour], "Material": ["Ceramic"]}
            self.put(f"{INVENTORY}/inventory_item/{sku}", json=item)
            offer = offer_body(sku, policies, marketplace=marketplace)
            self.post(f"{INVENTORY}/offer", json=offer, headers=JSON_HEADERS)
        group = {
            "title": "Ceramic mug, 350 ml",
            "description": "Hand-glazed ceramic mug in several colours.",
            "aspects": {"Material": ["Ceramic"]},
            "imageUrls": ["https://i.ebayimg.com/images/g/mug/s-l1600.jpg"],
            "variantSKUs": list(variants.values()),
            "variesBy": {"specifications": [{"name": "Colour", "values": list(variants)}]},
        }
        self.put(f"{INVENTORY}/inventory_item_group/{key}", json=group)
        body = {"inventoryItemGroupKey": key, "marketplaceId": marketplace}
        return self.post(f"{INVENTORY}/offer/publish_by_inventory_item_group", json=body).json()


def warehouse():
    return {
        "location": {"address": {"postalCode": "95125", "country": "US", "city": "San Jose"}},
        "locationTypes": ["WAREHOUSE"],
        "name": "Main warehouse",
        "merchantLocationStatus": "ENABLED",
    }


def inventory_item(quantity=5, title="Ceramic mug, 350 ml"):
    return {
        "product": {
            "title": title,
            "description": "Hand-glazed ceramic mug.",
            "aspects": {"Colour": ["Blue"], "Material": ["Ceramic"]},
            "imageUrls": ["https://i.ebayimg.com/images/g/mug/s-l1600.jpg"],
            "brand": "Atelier",
            "mpn": "MUG-350",
        },
        "condition": "NEW",
        "availability": {"shipToLocationAvailability": {"quantity": quantity}},
    }


def offer_body(sku, policies, price="19.99", location="WH-1", marketplace="EBAY_US"):
    currency = {"EBAY_US": "USD", "EBAY_GB": "GBP"}.get(marketplace, "EUR")
    return {
        "sku": sku,
        "marketplaceId": marketplace,
        "format": "FIXED_PRICE",
        "categoryId": "20625",
        "listingDescription": "Hand-glazed ceramic mug.",
        "listingDuration": "GTC",
        "listingPolicies": policies,
        "pricingSummary": {"price": {"value": price, "currency": currency}},
        "merchantLocationKey": location,
    }


def _expect(response, status):
    assert response.status_code == status, (response.status_code, response.text)
    return response


def exercise(sim=None):
    """Perform one valid call per implemented operation and check each status."""
    sim = sim or EbaySimulator(seed=7)
    client = EbayTestClient(sim)
    _expect(client.token(), 200)
    _expect(client.token("client_credentials"), 200)
    key_id = sim.control.public_key_id()
    _expect(client.get(f"{NOTIFICATION}/public_key/{key_id}"), 200)
    _expect(client.token(), 200)

    _expect(client.post(f"{INVENTORY}/location/WH-1", json=warehouse()), 204)
    _expect(client.get(f"{INVENTORY}/location/WH-1"), 200)
    _expect(client.put(f"{INVENTORY}/inventory_item/MUG-1", json=inventory_item()), 201)
    _expect(client.get(f"{INVENTORY}/inventory_item/MUG-1"), 200)
    _expect(client.get(f"{INVENTORY}/inventory_item", params={"limit": 10}), 200)
    policies = client.policies()  # getFulfillmentPolicies, getPaymentPolicies, getReturnPolicies
    offer = offer_body("MUG-1", policies)
    created = _expect(client.post(f"{INVENTORY}/offer", json=offer, headers=JSON_HEADERS), 201)
    offer_id = created.json()["offerId"]
    editable = {k: v for k, v in offer.items() if k not in ("sku", "marketplaceId", "format")}
    _expect(client.put(f"{INVENTORY}/offer/{offer_id}", json=editable), 204)
    _expect(client.post(f"{INVENTORY}/offer/{offer_id}/publish"), 200)
    _expect(client.get(f"{INVENTORY}/offer", params={"sku": "MUG-1"}), 200)
    _expect(client.get(f"{INVENTORY}/offer/{offer_id}"), 200)
    bulk = {
        "requests": [
            {
                "sku": "MUG-1",
                "shipToLocationAvailability": {"quantity": 7},
                "offers": [{"offerId": offer_id, "availableQuantity": 7}],
            }
        ]
    }
    _expect(client.post(f"{INVENTORY}/bulk_update_price_quantity", json=bulk), 200)

    _expect(client.post(f"{INVENTORY}/offer/{offer_id}/withdraw"), 200)
    _expect(client.delete(f"{INVENTORY}/offer/{offer_id}"), 204)
    _expect(client.delete(f"{INVENTORY}/inventory_item/MUG-1"), 204)

    group = client.list_group("MUG", {"Blue": "MUG-BLUE", "Red": "MUG-RED"})
    _expect(client.get(f"{INVENTORY}/inventory_item_group/MUG"), 200)
    body = {"inventoryItemGroupKey": "MUG", "marketplaceId": "EBAY_US"}
    _expect(client.post(f"{INVENTORY}/offer/withdraw_by_inventory_item_group", json=body), 204)
    assert group["listingId"]

    orders = _expect(client.get(f"{FULFILLMENT}/order", params={"limit": 5}), 200).json()
    order = next(
        o
        for o in orders["orders"]
        if o["orderFulfillmentStatus"] == "NOT_STARTED"
        and o["cancelStatus"]["cancelState"] == "NONE_REQUESTED"
    )
    order_id = order["orderId"]
    _expect(client.get(f"{FULFILLMENT}/order/{order_id}"), 200)
    line = order["lineItems"][0]
    shipment = {
        "lineItems": [{"lineItemId": line["lineItemId"], "quantity": line["quantity"]}],
        "shippingCarrierCode": "USPS",
        "trackingNumber": "9400111899223344556677",
    }
    url = f"{FULFILLMENT}/order/{order_id}/shipping_fulfillment"
    _expect(client.post(url, json=shipment), 201)
    _expect(client.get(url), 200)
    _expect(client.get(f"{url}/9400111899223344556677"), 200)
    return sim
