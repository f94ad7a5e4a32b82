"""ORDER_CHANGE notification payloads (what SQS/EventBridge would deliver)."""

import json
import uuid
from functools import cache

import jsonschema

from ..core import SPECS_DIR, isoformat
from .orders_v0 import V0_STATUS

CHANGE_REASONS = {
    "OrderStatusChange": "Order status changed",
    "BuyerRequestedChange": "Buyer Requested Cancel",
    "DeliveryTipChange": "Delivery tip changed",
}


@cache
def order_change_validator():
    path = SPECS_DIR / "amazon" / "schemas" / "notifications" / "OrderChangeNotification.json"
    with path.open(encoding="utf-8") as handle:
        return jsonschema.Draft7Validator(json.load(handle))


def order_change(
    order, now, rng, change_type="OrderStatusChange", application_id="amzn1.sp.solution.simulator"
):
    """Build an ORDER_CHANGE envelope for ``order`` and check it against its schema."""
    programs = []
    if order["buyer"]["company"]:
        programs.append("Business")
    if order["prime"]:
        programs.append("Prime")
    shipped = sum(line["shipped"] for line in order["lines"])
    ordered = sum(line["quantity"] for line in order["lines"])
    summary = {
        "MarketplaceId": order["marketplace_id"],
        "OrderStatus": V0_STATUS[order["status"]],
        "PurchaseDate": isoformat(order["created"]),
        "DestinationPostalCode": order["address"]["postal_code"],
        "FulfillmentType": "AFN" if order["fulfilled_by"] == "AMAZON" else "MFN",
        "OrderType": "StandardOrder",
        "NumberOfItemsShipped": shipped,
        "NumberOfItemsUnshipped": ordered - shipped,
        "EarliestShipDate": isoformat(order["created"]),
        "LatestShipDate": isoformat(order["created"] + 2 * 86400),
        "OrderPrograms": programs,
        "OrderItems": [
            {
                "OrderItemId": line["id"],
                "SellerSKU": line["sku"],
                "SupplySourceId": "",
                "OrderItemStatus": "Shipped"
                if line["shipped"] >= line["quantity"]
                else "Unshipped",
                "Quantity": line["quantity"],
                "QuantityShipped": line["shipped"],
                "IsBuyerRequestedCancel": change_type == "BuyerRequestedChange",
            }
            for line in order["lines"]
        ],
    }
    envelope = {
        "NotificationVersion": "1.0",
        "NotificationType": "ORDER_CHANGE",
        "PayloadVersion": "1.0",
        "EventTime": isoformat(now),
        "Payload": {
            "OrderChangeNotification": {
                "NotificationLevel": "OrderLevel",
                "SellerId": order["seller_id"],
                "AmazonOrderId": order["id"],
                "OrderChangeType": change_type,
                "OrderChangeTrigger": {
                    "TimeOfOrderChange": isoformat(order["updated"]),
                    "ChangeReason": CHANGE_REASONS[change_type],
                },
                "Summary": summary,
            }
        },
        "NotificationMetadata": {
            "ApplicationId": application_id,
            "SubscriptionId": str(uuid.UUID(int=rng.getrandbits(128))),
            "PublishTime": isoformat(now),
            "NotificationId": str(uuid.UUID(int=rng.getrandbits(128))),
        },
    }
    order_change_validator().validate(envelope)
    return envelope
