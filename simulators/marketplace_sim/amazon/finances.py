"""Finances v0: one ShipmentEvent per shipped package, amounts as JSON numbers."""

from decimal import Decimal

from ..core import isoformat, money
from .marketplaces import MARKETPLACES

COMMISSION_RATE = Decimal("0.15")
FBA_FEE_PER_UNIT = Decimal("3.10")


def _currency(amount, currency):
    # Finances v0 money is a JSON number (BigDecimal), unlike the Orders APIs' strings.
    return {"CurrencyCode": currency, "CurrencyAmount": float(money(amount, currency))}


def _share(amount, part, whole):
    return amount * part / whole if whole else Decimal(0)


def shipment_events(order):
    """ShipmentEventList for an order: charges per shipped unit, fees negative."""
    currency = order["currency"]
    marketplace = MARKETPLACES[order["marketplace_id"]]
    lines = {line["id"]: line for line in order["lines"]}
    charged_once = set()  # shipping/gift wrap are charged with the first package of a line
    events = []
    for package in order["packages"]:
        items = []
        for entry in package["items"]:
            line = lines[entry["orderItemId"]]
            qty = entry["quantity"]
            principal = line["unit_price"] * qty
            charges = [
                ("Principal", principal),
                ("Tax", _share(line["tax"], qty, line["quantity"])),
            ]
            if line["id"] not in charged_once:
                charged_once.add(line["id"])
                charges += [
                    ("ShippingCharge", line["shipping"]),
                    ("ShippingTax", line["shipping_tax"]),
                    ("GiftWrap", line["gift_wrap"]),
                    ("GiftWrapTax", line["gift_wrap_tax"]),
                ]
            fees = [("Commission", -principal * COMMISSION_RATE)]
            if order["fulfilled_by"] == "AMAZON":
                fees.append(("FBAPerUnitFulfillmentFee", -FBA_FEE_PER_UNIT * marketplace.fx * qty))
            item = {
                "SellerSKU": line["sku"],
                "OrderItemId": line["id"],
                "QuantityShipped": qty,
                "ItemChargeList": [
                    {"ChargeType": kind, "ChargeAmount": _currency(amount, currency)}
                    for kind, amount in charges
                    if amount
                ],
                "ItemFeeList": [
                    {"FeeType": kind, "FeeAmount": _currency(amount, currency)}
                    for kind, amount in fees
                ],
            }
            if line["discount"]:
                discount = _share(line["discount"], qty, line["quantity"])
                item["PromotionList"] = [
                    {
                        "PromotionType": "PromotionMetaDataDefinitionValue",
                        "PromotionId": promotion_id,
                        "PromotionAmount": _currency(-discount, currency),
                    }
                    for promotion_id in line["promotion_ids"]
                ]
            items.append(item)
        events.append(
            {
                "AmazonOrderId": order["id"],
                "MarketplaceName": marketplace.name,
                "PostedDate": isoformat(package["posted"]),
                "ShipmentItemList": items,
            }
        )
    return events
