"""Orders v0 views (deprecated by Amazon for 27 Mar 2027, still what many connectors call).

Same internal orders as the 2026-01-01 views, in the old PascalCase shape. PII (full
shipping address, buyer name and e-mail) is only returned to a Restricted Data Token;
a plain access token sees city, region, postal code and country only.
"""

from ..core import isoformat, money
from .marketplaces import MARKETPLACES

V0_STATUS = {
    "PENDING_AVAILABILITY": "PendingAvailability",
    "PENDING": "Pending",
    "UNSHIPPED": "Unshipped",
    "PARTIALLY_SHIPPED": "PartiallyShipped",
    "SHIPPED": "Shipped",
    "CANCELLED": "Canceled",
    "UNFULFILLABLE": "Unfulfillable",
}
STATUS_FROM_V0 = {v0: status for status, v0 in V0_STATUS.items()}
CHANNEL = {"AMAZON": "AFN", "MERCHANT": "MFN"}
CHANNEL_FROM_V0 = {v0: by for by, v0 in CHANNEL.items()}
ADDRESS_STATUSES = {"UNSHIPPED", "PARTIALLY_SHIPPED", "SHIPPED"}


def _money(amount, currency):
    return {"CurrencyCode": currency, "Amount": str(money(amount, currency))}


def _address(order, with_pii):
    address = order["address"]
    out = {
        "City": address["city"],
        "StateOrRegion": address["region"],
        "PostalCode": address["postal_code"],
        "CountryCode": address["country"],
    }
    if with_pii:
        out.update(
            {
                "Name": address["name"],
                "AddressLine1": address["line1"],
                "AddressLine2": address["line2"],
                "Phone": address["phone"],
                "CompanyName": address.get("company"),
                "AddressType": "Commercial" if address.get("company") else "Residential",
            }
        )
    return {key: value for key, value in out.items() if value}


def _buyer(order, with_pii):
    buyer = order["buyer"]
    out = {"PurchaseOrderNumber": buyer["po_number"]}
    if with_pii:
        out.update(BuyerEmail=buyer["email"], BuyerName=buyer["name"])
    if buyer["company"]:
        out["BuyerTaxInfo"] = {"CompanyLegalName": buyer["company"]}
    return {key: value for key, value in out.items() if value}


def render_order(book, order, with_pii):
    marketplace = MARKETPLACES[order["marketplace_id"]]
    shipped = sum(line["shipped"] for line in order["lines"])
    ordered = sum(line["quantity"] for line in order["lines"])
    out = {
        "AmazonOrderId": order["id"],
        "PurchaseDate": isoformat(order["created"]),
        "LastUpdateDate": isoformat(order["updated"]),
        "OrderStatus": V0_STATUS[order["status"]],
        "FulfillmentChannel": CHANNEL[order["fulfilled_by"]],
        "SalesChannel": marketplace.name,
        "ShipServiceLevel": order["service_level"],
        "ShipmentServiceLevelCategory": order["service_level"],
        "NumberOfItemsShipped": shipped,
        "NumberOfItemsUnshipped": ordered - shipped,
        "PaymentMethod": "Other",
        "MarketplaceId": marketplace.id,
        "OrderType": "StandardOrder",
        "EarliestShipDate": isoformat(order["created"]),
        "LatestShipDate": isoformat(order["created"] + 2 * 86400),
        "IsBusinessOrder": bool(order["buyer"]["company"]),
        "IsPrime": order["prime"],
        "IsPremiumOrder": False,
        "IsGlobalExpressEnabled": False,
        "IsReplacementOrder": False,
        "IsSoldByAB": False,
        "IsISPU": False,
        "IsAccessPointOrder": False,
        "BuyerInfo": _buyer(order, with_pii),
    }
    if order["status"] != "PENDING":
        # Amazon leaves the total out until the payment is authorised.
        out["OrderTotal"] = _money(book.totals(order)["grand_total"], order["currency"])
    if order["status"] in ADDRESS_STATUSES:
        out["ShippingAddress"] = _address(order, with_pii)
    if order["buyer"]["company"]:
        out["BuyerInvoicePreference"] = "BUSINESS"
    return out


def render_items(order):
    currency = order["currency"]
    items = []
    for line in order["lines"]:
        item = {
            "ASIN": line["asin"],
            "SellerSKU": line["sku"],
            "OrderItemId": line["id"],
            "QuantityOrdered": line["quantity"],
            "QuantityShipped": line["shipped"],
            # ItemPrice is the line total (unit price x quantity), not a unit price.
            "ItemPrice": _money(line["unit_price"] * line["quantity"], currency),
            "ItemTax": _money(line["tax"], currency),
            "ShippingPrice": _money(line["shipping"], currency),
            "ShippingTax": _money(line["shipping_tax"], currency),
            "ShippingDiscount": _money(0, currency),
            "PromotionDiscount": _money(line["discount"], currency),
            "PromotionDiscountTax": _money(0, currency),
            "IsGift": "true" if line["gift_message"] else "false",
            "ConditionId": "New",
            "ConditionSubtypeId": "New",
        }
        if line["title"]:
            item["Title"] = line["title"]
        if line["promotion_ids"]:
            item["PromotionIds"] = list(line["promotion_ids"])
        if line["gift_message"]:
            item["BuyerInfo"] = {
                "GiftWrapPrice": _money(line["gift_wrap"], currency),
                "GiftWrapTax": _money(line["gift_wrap_tax"], currency),
                "GiftMessageText": line["gift_message"],
                "GiftWrapLevel": "Classic",
            }
        items.append(item)
    return items


def render_address(order, with_pii):
    out = {"AmazonOrderId": order["id"]}
    if order["status"] in ADDRESS_STATUSES:
        out["ShippingAddress"] = _address(order, with_pii)
    if order["buyer"]["company"]:
        out["BuyerCompanyName"] = order["buyer"]["company"]
    return out


def render_buyer(order, with_pii):
    return {"AmazonOrderId": order["id"], **_buyer(order, with_pii)}
