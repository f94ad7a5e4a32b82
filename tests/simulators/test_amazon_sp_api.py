"""python-amazon-sp-api pointed at the simulator in-process (its httpx transport)."""

import io
import json
import types

import httpx
import pytest
from amazon_support import SELLER, settle, since
from marketplace_sim.amazon import (
    DE,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_REFRESH_TOKEN,
    AmazonSimulator,
)
from marketplace_sim.core import HttpxTransport, RateLimit
from sp_api.api import Feeds, ListingsItems, Orders, OrdersV20260101, Sellers
from sp_api.api.feeds import feeds_2021_06_30 as feeds_module
from sp_api.auth import AccessTokenClient
from sp_api.auth import access_token_client as token_module
from sp_api.auth.exceptions import AuthorizationError
from sp_api.base import (
    Marketplaces,
    SellingApiBadRequestException,
    SellingApiForbiddenException,
    SellingApiRequestThrottledException,
)
from sp_api.base._transport_httpx import HttpxTransport as SpApiTransport

CREDENTIALS = {"lwa_app_id": DEFAULT_CLIENT_ID, "lwa_client_secret": DEFAULT_CLIENT_SECRET}
REAL_HTTPX_CLIENT = httpx.Client


@pytest.fixture
def sim(monkeypatch):
    sim = AmazonSimulator(seed=51)
    # sp_api caches access tokens per refresh token for the whole process.
    token_module.cache.clear()

    def sim_client(*_args, **_kwargs):
        return REAL_HTTPX_CLIENT(transport=HttpxTransport(sim))

    # Feed documents are uploaded/downloaded with a bare ``httpx.Client()``.
    monkeypatch.setattr(feeds_module, "httpx", types.SimpleNamespace(Client=sim_client))
    return sim


def client(sim, cls, refresh_token=DEFAULT_REFRESH_TOKEN, **kwargs):
    """An sp_api client whose LWA and SP-API calls all reach ``sim``."""

    class SimTokenClient(AccessTokenClient):
        def __init__(self, *args, **kw):
            super().__init__(*args, **kw)
            self._transport = SpApiTransport(
                client=REAL_HTTPX_CLIENT(transport=HttpxTransport(sim))
            )

    api = cls(
        marketplace=Marketplaces.DE,
        refresh_token=refresh_token,
        credentials=CREDENTIALS,
        auth_token_client_class=SimTokenClient,
        **kwargs,
    )
    api._transport = SpApiTransport(client=REAL_HTTPX_CLIENT(transport=HttpxTransport(sim)))
    return api


def test_orders_2026_search_and_get(sim):
    ids = sim.control.create_orders(4, marketplace_id=DE, cancelled=False, pending=False)
    settle(sim)
    orders = client(sim, Orders, version="2026-01-01")
    assert isinstance(orders, OrdersV20260101)
    page = orders.search_orders(
        createdAfter=since(sim, 86400),
        maxResultsPerPage=3,
        includedData=["FULFILLMENT", "PROCEEDS"],
    )
    found = [order["orderId"] for order in page.payload["orders"]]
    assert page.next_token
    rest = orders.search_orders(paginationToken=page.next_token)
    found += [order["orderId"] for order in rest.payload["orders"]]
    assert sorted(found) == sorted(ids)
    assert page.rate_limit == "0.0056"
    one = orders.get_order(ids[0], includedData=["BUYER", "RECIPIENT"])
    assert one.payload["order"]["orderId"] == ids[0]
    assert one.payload["order"]["recipient"]["deliveryAddress"]["countryCode"] == "DE"


def test_confirm_shipment_with_v0_client(sim):
    order = sim.control.create_order(
        marketplace_id=DE,
        fulfilled_by="MERCHANT",
        lines=1,
        pending=False,
        cancelled=False,
        partially_shipped=False,
    )
    item = order["orderItems"][0]
    response = client(sim, Orders).confirm_shipment(
        order_id=order["orderId"],
        marketplaceId=DE,
        packageDetail={
            "packageReferenceId": "1",
            "carrierCode": "DHL",
            "trackingNumber": "JJD000390007",
            "shipDate": order["createdTime"],
            "orderItems": [
                {"orderItemId": item["orderItemId"], "quantity": item["quantityOrdered"]}
            ],
        },
    )
    assert response.errors is None
    assert sim.control.shipments(order["orderId"])[0]["trackingNumber"] == "JJD000390007"
    assert sim.control.order_status(order["orderId"]) == "SHIPPED"


def test_listings_patch_and_get(sim):
    listings = client(sim, ListingsItems)
    response = listings.patch_listings_item(
        SELLER,
        "MUG-CERAMIC-350",
        body={
            "productType": "PRODUCT",
            "patches": [
                {
                    "op": "replace",
                    "path": "/attributes/fulfillment_availability",
                    "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 3}],
                }
            ],
        },
        marketplaceIds=[DE],
    )
    assert response.payload["status"] == "ACCEPTED"
    assert sim.control.listing_quantity("MUG-CERAMIC-350") == 3
    item = listings.get_listings_item(
        SELLER, "MUG-CERAMIC-350", marketplaceIds=[DE], includedData=["fulfillmentAvailability"]
    )
    assert item.payload["fulfillmentAvailability"][0]["quantity"] == 3


def test_feed_round_trip(sim):
    feeds = client(sim, Feeds)
    document = {
        "header": {"sellerId": SELLER, "version": "2.0"},
        "messages": [
            {
                "messageId": 1,
                "sku": "LAMP-LED-DESK",
                "operationType": "PATCH",
                "productType": "PRODUCT",
                "patches": [
                    {
                        "op": "replace",
                        "path": "/attributes/fulfillment_availability",
                        "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 42}],
                    }
                ],
            }
        ],
    }
    created = feeds.create_feed_document(
        io.StringIO(json.dumps(document)), "application/json; charset=UTF-8"
    )
    feed = feeds.create_feed("JSON_LISTINGS_FEED", created.payload["feedDocumentId"])
    feed_id = feed.payload["feedId"]
    assert feeds.get_feed(feed_id).payload["processingStatus"] == "IN_QUEUE"
    sim.control.advance(90)
    done = feeds.get_feed(feed_id).payload
    assert done["processingStatus"] == "DONE"
    report = json.loads(feeds.get_feed_result_document(done["resultFeedDocumentId"]))
    assert report["summary"]["messagesAccepted"] == 1
    assert sim.control.listing_quantity("LAMP-LED-DESK") == 42


def test_throttling_raises_the_library_exception(sim):
    sim.limiter.configure("getOrder", RateLimit(0.5, 2))
    order_id = sim.control.create_order(cancelled=False)["orderId"]
    orders = client(sim, Orders, version="2026-01-01")
    orders.get_order(order_id)
    orders.get_order(order_id)
    with pytest.raises(SellingApiRequestThrottledException) as caught:
        orders.get_order(order_id)
    assert caught.value.code == 429
    assert caught.value.amzn_code == "QuotaExceeded"
    sim.control.advance(2)
    assert orders.get_order(order_id).payload["order"]["orderId"] == order_id


def test_errors_map_to_library_exceptions(sim):
    orders = client(sim, Orders, version="2026-01-01")
    with pytest.raises(SellingApiBadRequestException):
        orders.search_orders()  # neither createdAfter nor lastUpdatedAfter
    sellers = client(sim, Sellers)
    assert sellers.get_marketplace_participation().payload[0]["marketplace"]["id"]
    sim.control.advance(3600)  # the cached access token is now expired on the server
    with pytest.raises(SellingApiForbiddenException):
        sellers.get_marketplace_participation()
    token_module.cache.clear()
    with pytest.raises(AuthorizationError) as caught:
        client(sim, Sellers, refresh_token="Atzr|revoked").get_marketplace_participation()
    assert caught.value.error_code == "invalid_grant"


def test_orders_v0_default_client(sim):
    order_id = sim.control.create_order(marketplace_id=DE, pending=False, cancelled=False)[
        "orderId"
    ]
    settle(sim)
    orders = client(sim, Orders)  # python-amazon-sp-api's default Orders version is v0
    found = orders.get_orders(CreatedAfter=since(sim, 3600))
    assert [o["AmazonOrderId"] for o in found.payload["Orders"]] == [order_id]
    items = orders.get_order_items(order_id)
    assert items.payload["AmazonOrderId"] == order_id
    assert items.payload["OrderItems"][0]["IsGift"] in ("true", "false")
