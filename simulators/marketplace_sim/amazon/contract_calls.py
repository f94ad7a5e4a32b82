"""One valid call per implemented SP-API operation, for the contract-coverage test.

``exercise()`` drives a fresh simulator through requests' in-process adapter; every
request and response passes openapi-core validation on the way (strict mode), so a
returned list means each operation was proven against its contract.
"""

import json

from ..core import isoformat, requests_session
from .lwa import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_REFRESH_TOKEN
from .marketplaces import DE
from .simulator import BASE_URL, LWA_URL, AmazonSimulator


def _expect(response, status):
    if response.status_code != status:
        raise AssertionError(
            f"{response.request.method} {response.url}: {response.status_code} {response.text}"
        )
    return response


def exercise(seed=0):
    """Return the operationIds called successfully."""
    sim = AmazonSimulator(seed=seed)
    session = requests_session(sim, BASE_URL, LWA_URL)
    token = _expect(
        session.post(
            LWA_URL + "/auth/o2/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": DEFAULT_REFRESH_TOKEN,
                "client_id": DEFAULT_CLIENT_ID,
                "client_secret": DEFAULT_CLIENT_SECRET,
            },
        ),
        200,
    ).json()
    session.headers["x-amz-access-token"] = token["access_token"]
    seller, called = sim.seller_id, []

    def call(operation_id, method, path, status=200, **kwargs):
        _expect(session.request(method, BASE_URL + path, **kwargs), status)
        called.append(operation_id)

    order = sim.control.create_order(
        marketplace_id=DE,
        fulfilled_by="MERCHANT",
        lines=1,
        pending=False,
        cancelled=False,
        partially_shipped=False,
    )
    sim.control.advance(121)
    item = order["orderItems"][0]
    call("getMarketplaceParticipations", "GET", "/sellers/v1/marketplaceParticipations")
    call(
        "createRestrictedDataToken",
        "POST",
        "/tokens/2021-03-01/restrictedDataToken",
        json={"restrictedResources": [{"method": "GET", "path": "/orders/2026-01-01/orders"}]},
    )
    call(
        "searchOrders",
        "GET",
        "/orders/2026-01-01/orders",
        params={"createdAfter": isoformat(sim.clock.now() - 3600), "includedData": "FULFILLMENT"},
    )
    call("getOrder", "GET", f"/orders/2026-01-01/orders/{order['orderId']}")
    v0 = f"/orders/v0/orders/{order['orderId']}"
    hour_ago = isoformat(sim.clock.now() - 3600)
    call(
        "getOrders",
        "GET",
        "/orders/v0/orders",
        params={"MarketplaceIds": DE, "CreatedAfter": hour_ago},
    )
    call("ordersV0.getOrder", "GET", v0)
    call("getOrderItems", "GET", f"{v0}/orderItems")
    call("getOrderAddress", "GET", f"{v0}/address")
    call("getOrderBuyerInfo", "GET", f"{v0}/buyerInfo")
    call(
        "confirmShipment",
        "POST",
        f"/orders/v0/orders/{order['orderId']}/shipmentConfirmation",
        status=204,
        json={
            "marketplaceId": DE,
            "packageDetail": {
                "packageReferenceId": "1",
                "carrierCode": "DHL",
                "trackingNumber": "00340434161234567890",
                "shipDate": order["createdTime"],
                "orderItems": [
                    {"orderItemId": item["orderItemId"], "quantity": item["quantityOrdered"]}
                ],
            },
        },
    )
    call(
        "listFinancialEventsByOrderId",
        "GET",
        f"/finances/v0/orders/{order['orderId']}/financialEvents",
    )
    listing = f"/listings/2021-08-01/items/{seller}/CONTRACT-SKU"
    attributes = {
        "item_name": [{"value": "Contract test item"}],
        "condition_type": [{"value": "new_new"}],
        "fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": 1}],
    }
    market = {"marketplaceIds": DE}
    call(
        "putListingsItem",
        "PUT",
        listing,
        params=market,
        json={"productType": "PRODUCT", "attributes": attributes},
    )
    patches = [
        {
            "op": "replace",
            "path": "/attributes/fulfillment_availability",
            "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 5}],
        }
    ]
    call(
        "patchListingsItem",
        "PATCH",
        listing,
        params=market,
        json={"productType": "PRODUCT", "patches": patches},
    )
    call("getListingsItem", "GET", listing, params={**market, "includedData": "summaries,offers"})
    call("searchListingsItems", "GET", f"/listings/2021-08-01/items/{seller}", params=market)
    call("deleteListingsItem", "DELETE", listing, params=market)
    document = _expect(
        session.post(
            BASE_URL + "/feeds/2021-06-30/documents", json={"contentType": "application/json"}
        ),
        201,
    ).json()
    called.append("createFeedDocument")
    feed_body = {
        "header": {"sellerId": seller, "version": "2.0"},
        "messages": [
            {
                "messageId": 1,
                "sku": "MUG-CERAMIC-350",
                "operationType": "PATCH",
                "productType": "PRODUCT",
                "patches": patches,
            }
        ],
    }
    _expect(session.put(document["url"], data=json.dumps(feed_body)), 200)
    feed = _expect(
        session.post(
            BASE_URL + "/feeds/2021-06-30/feeds",
            json={
                "feedType": "JSON_LISTINGS_FEED",
                "marketplaceIds": [DE],
                "inputFeedDocumentId": document["feedDocumentId"],
            },
        ),
        202,
    ).json()
    called.append("createFeed")
    sim.control.advance(90)
    result = _expect(session.get(f"{BASE_URL}/feeds/2021-06-30/feeds/{feed['feedId']}"), 200).json()
    called.append("getFeed")
    call("getFeedDocument", "GET", f"/feeds/2021-06-30/documents/{result['resultFeedDocumentId']}")
    call("getFeeds", "GET", "/feeds/2021-06-30/feeds", params={"feedTypes": "JSON_LISTINGS_FEED"})
    queued = _expect(
        session.post(
            BASE_URL + "/feeds/2021-06-30/feeds",
            json={
                "feedType": "JSON_LISTINGS_FEED",
                "marketplaceIds": [DE],
                "inputFeedDocumentId": document["feedDocumentId"],
            },
        ),
        202,
    ).json()
    call("cancelFeed", "DELETE", f"/feeds/2021-06-30/feeds/{queued['feedId']}")
    return called
