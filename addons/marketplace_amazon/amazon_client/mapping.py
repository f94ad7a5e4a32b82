"""Pure functions between Amazon payloads and plain values.

Reading: Orders 2026-01-01 orders, Listings Items, JSON_LISTINGS_FEED processing
reports, listings submissions and Finances v0 events become plain dicts. Their
keys are the field names of ``marketplace_core.records`` (``Order``,
``OrderLine``, ``Address``, ``RemoteListing``, ``Fee``) so the Odoo-side
connector only picks the keys its dataclasses know; a few extra keys carry
Amazon details (marked "extra" below).

Writing: patches for stock (``fulfillment_availability``) and price
(``purchasable_offer``), the ``patchListingsItem`` body, the JSON_LISTINGS_FEED
document and the ``confirmShipment`` package.

Money is ``Decimal`` built from Amazon's strings (Orders: ``"24.50"``), or from
the shortest repr of the JSON number (Finances), never from float arithmetic.
"""

import re
from datetime import UTC, datetime
from decimal import Decimal

# Orders 2026-01-01 FulfillmentStatus -> our neutral status (checked 2026-11-23 against
# models/orders-api-model/orders_2026-01-01.json). UNFULFILLABLE orders will never
# ship (Amazon-fulfilled orders from outside Amazon): nothing is left to do, as cancelled.
ORDER_STATUS_MAPPING = {
    "PENDING_AVAILABILITY": "pending",
    "PENDING": "pending",
    "UNSHIPPED": "to_ship",
    "PARTIALLY_SHIPPED": "partially_shipped",
    "SHIPPED": "shipped",
    "CANCELLED": "cancelled",
    "UNFULFILLABLE": "cancelled",
}
#: Status of an order whose status is missing or unknown: nothing acts on it.
UNKNOWN_STATUS = "pending"
#: Marketplaces whose prices exclude sales tax, used only when the proceeds do
#: not tell (US, CA, MX, BR); everywhere else Amazon prices include VAT/GST.
TAX_EXCLUSIVE_MARKETPLACES = {"ATVPDKIKX0DER", "A2EUQ1WTGCTBG2", "A1AM78C64UM0Y8", "A2Q3Y263D00KWC"}
DEFAULT_PRODUCT_TYPE = "PRODUCT"
DEFAULT_FULFILLMENT_CHANNEL = "DEFAULT"  # the seller-fulfilled (MFN) quantity
ZERO = Decimal(0)
_STATE_CODE = re.compile(r"^[A-Z0-9]{1,3}$")


# ------------------------------------------------------------------ values
def money(value):
    """``(Decimal amount, currency)`` of an Orders/Listings ``Money`` (None -> 0)."""
    if not value:
        return ZERO, ""
    return Decimal(str(value.get("amount", "0"))), value.get("currencyCode", "")


def finance_amount(value):
    """``(Decimal, currency)`` of a Finances ``Currency``: a JSON number, read via its repr."""
    if not value:
        return ZERO, ""
    amount = value.get("CurrencyAmount", 0)
    return Decimal(repr(amount) if isinstance(amount, float) else str(amount)), value.get(
        "CurrencyCode", ""
    )


def parse_datetime(text):
    """Aware UTC datetime of an ISO 8601 string (``Z`` or offset), None if empty."""
    if not text:
        return None
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def order_status(fulfillment_status):
    return ORDER_STATUS_MAPPING.get(fulfillment_status or "", UNKNOWN_STATUS)


# ------------------------------------------------------------------ orders
def _breakdowns(proceeds):
    """``{type: Decimal}`` summed per breakdown type, plus ``TAX:<subtype>`` details."""
    totals, currency = {}, ""
    for entry in (proceeds or {}).get("breakdowns") or []:
        amount, currency = money(entry.get("subtotal"))
        kind = entry.get("type", "OTHER")
        totals[kind] = totals.get(kind, ZERO) + amount
        for detail in entry.get("detailedBreakdowns") or []:
            key = f"{kind}:{detail.get('subtype', 'OTHER')}"
            totals[key] = totals.get(key, ZERO) + money(detail.get("value"))[0]
    return totals, currency


def _tax_included(parts, proceeds_total, marketplace_id):
    """Whether the ITEM/SHIPPING/GIFT_WRAP amounts already include the TAX.

    Read from the proceeds: the total equals the parts without the tax when the
    tax is inside them (EU VAT), with it when it comes on top (US sales tax).
    """
    tax = parts.get("TAX", ZERO)
    if proceeds_total is not None and tax:
        net = sum((v for k, v in parts.items() if k != "TAX" and ":" not in k), ZERO)
        if proceeds_total == net:
            return True
        if proceeds_total == net + tax:
            return False
    return marketplace_id not in TAX_EXCLUSIVE_MARKETPLACES


def map_order_line(item):
    """An ``OrderItem`` as ``OrderLine`` values (amounts are line totals).

    ``price_total`` is unit price x quantity before discounts, tax included
    where the marketplace's prices include it; ``discount_total`` is positive.
    Without detailed tax breakdowns, the whole item TAX (its shipping and gift
    wrap share included) stays on ``tax_total``.
    Extra keys: shipping_total, shipping_tax, gift_wrap_total, gift_wrap_tax,
    other_total, proceeds_total, parts (amounts per breakdown type), currency,
    unit_price, quantity_shipped, gift_message, promotion_ids, cancel_reason.
    """
    product = item.get("product") or {}
    quantity = int(item.get("quantityOrdered") or 0)
    unit_price, currency = money((product.get("price") or {}).get("unitPrice"))
    proceeds = item.get("proceeds") or {}
    parts, proceeds_currency = _breakdowns(proceeds)
    price_total = parts.get("ITEM", unit_price * quantity)
    shipping_tax = parts.get("TAX:SHIPPING", ZERO)
    gift_wrap_tax = parts.get("TAX:GIFT_WRAP", ZERO)
    tax = parts.get("TAX", ZERO)
    if "TAX:ITEM" in parts:
        tax = parts["TAX:ITEM"]
    fulfillment = item.get("fulfillment") or {}
    gift = ((fulfillment.get("packing") or {}).get("giftOption")) or {}
    cancellation = (item.get("cancellation") or {}).get("cancellationRequest") or {}
    proceeds_total = money(proceeds["proceedsTotal"])[0] if proceeds.get("proceedsTotal") else None
    return {
        "line_ref": str(item.get("orderItemId", "")),
        "sku": product.get("sellerSku") or "",
        "quantity": quantity,
        "price_total": price_total,
        "tax_total": tax,
        "discount_total": abs(parts.get("DISCOUNT", ZERO)),
        "title": product.get("title") or "",
        "marketplace_product_ref": product.get("asin") or "",
        # extra
        "currency": currency or proceeds_currency,
        "unit_price": unit_price,
        "shipping_total": parts.get("SHIPPING", ZERO),
        "shipping_tax": shipping_tax,
        "gift_wrap_total": parts.get("GIFT_WRAP", ZERO),
        "gift_wrap_tax": gift_wrap_tax,
        "other_total": parts.get("COD_FEE", ZERO) + parts.get("OTHER", ZERO),
        "proceeds_total": proceeds_total,
        "parts": parts,
        "quantity_shipped": int(fulfillment.get("quantityFulfilled") or 0),
        "gift_message": gift.get("giftMessage") or "",
        "promotion_ids": tuple(
            entry["promotionId"]
            for entry in (item.get("promotion") or {}).get("breakdowns") or []
            if entry.get("promotionId")
        ),
        "cancel_reason": cancellation.get("cancelReason") or "",
    }


def map_address(address, email="", company="", vat=""):
    """A ``CustomerAddress`` as ``Address`` values (None when Amazon sent none)."""
    if not address:
        return None
    region = address.get("stateOrRegion") or ""
    lines = [address.get("addressLine2"), address.get("addressLine3")]
    return {
        "name": address.get("name") or "",
        "street": address.get("addressLine1") or "",
        "street2": ", ".join(line for line in lines if line),
        "city": address.get("city") or address.get("municipality") or "",
        "zip": address.get("postalCode") or "",
        # US/CA send the state code ("CA"), most EU marketplaces a name ("Bayern").
        "state_code": region if _STATE_CODE.match(region) else "",
        "state_name": region,
        "country_code": address.get("countryCode") or "",
        "phone": address.get("phone") or "",
        "email": email or "",
        "company": address.get("companyName") or company or "",
        "vat": vat or "",
    }


def _buyer_registration(order):
    """The buyer's tax registration (B2B VAT number), if any."""
    for registration in (order.get("tax") or {}).get("taxRegistrations") or []:
        if registration.get("entityType") not in ("MERCHANT", "MARKETPLACE") and registration.get(
            "taxRegistrationNumber"
        ):
            return registration
    return {}


def map_order(order):
    """An Orders 2026-01-01 ``Order`` as ``Order`` values (lines as a tuple of dicts).

    - status from ``fulfillment.fulfillmentStatus`` (needs includedData FULFILLMENT);
    - AFN (``fulfilledBy`` AMAZON) sets ``fulfilled_by_marketplace``;
    - B2B: ``programs`` AMAZON_BUSINESS or a buyer company; the buyer's VAT
      number goes on the billing address, built from the tax registration
      address or else the delivery address;
    - totals: ``total`` is Amazon's grand total; shipping, gift wrap and
      discounts are summed from the lines (discount positive).
    Extra keys: marketplace_id, fulfillment_channel (AFN/MFN), prices_include_tax,
    tax_total, purchase_order_ref, gift_messages, promotion_ids, packages.
    """
    lines = tuple(map_order_line(item) for item in order.get("orderItems") or [])
    fulfillment = order.get("fulfillment") or {}
    buyer = order.get("buyer") or {}
    channel = order.get("salesChannel") or {}
    marketplace_id = channel.get("marketplaceId") or ""
    proceeds = order.get("proceeds") or {}
    grand_total, currency = money(proceeds.get("grandTotal"))
    currency = currency or next((line["currency"] for line in lines if line["currency"]), "")

    def total(key):
        return sum((line[key] for line in lines), ZERO)

    included = [
        _tax_included(line["parts"], line["proceeds_total"], marketplace_id) for line in lines
    ]
    if included:
        prices_include_tax = included[0]
    else:
        prices_include_tax = marketplace_id not in TAX_EXCLUSIVE_MARKETPLACES
    if not proceeds.get("grandTotal"):
        # No PROCEEDS: rebuild the total from the lines.
        grand_total = sum(
            (
                line["price_total"]
                + line["shipping_total"]
                + line["gift_wrap_total"]
                + line["other_total"]
                - line["discount_total"]
                + (ZERO if prices_include_tax else line["tax_total"])
                for line in lines
            ),
            ZERO,
        )
    registration = _buyer_registration(order)
    company = buyer.get("buyerCompanyName") or registration.get("legalName") or ""
    is_business = "AMAZON_BUSINESS" in (order.get("programs") or []) or bool(company)
    email = buyer.get("buyerEmail") or ""
    delivery = (order.get("recipient") or {}).get("deliveryAddress")
    shipping_address = map_address(delivery, email=email)
    billing_address = None
    if is_business and registration:
        billing_address = map_address(
            registration.get("taxRegistrationAddress") or delivery or {"name": company},
            email=email,
            company=company,
            vat=registration["taxRegistrationNumber"],
        )
    raw_status = fulfillment.get("fulfillmentStatus") or ""
    fulfilled_by = fulfillment.get("fulfilledBy") or ""
    return {
        "marketplace_ref": order.get("orderId", ""),
        "status": order_status(raw_status),
        "created_at": parse_datetime(order.get("createdTime")),
        "updated_at": parse_datetime(order.get("lastUpdatedTime")),
        "currency": currency,
        "lines": lines,
        "total": grand_total,
        "buyer_ref": "",  # Amazon has no stable buyer id; the anonymised email is one
        "buyer_email": email,
        "buyer_name": buyer.get("buyerName") or (delivery or {}).get("name") or "",
        "billing_address": billing_address,
        "shipping_address": shipping_address,
        "shipping_total": total("shipping_total"),
        "shipping_tax": total("shipping_tax"),
        "gift_wrap_total": total("gift_wrap_total"),
        "discount_total": total("discount_total"),
        "fulfilled_by_marketplace": fulfilled_by == "AMAZON",
        "is_business": is_business,
        "raw_status": raw_status,
        # extra
        "marketplace_id": marketplace_id,
        "fulfillment_channel": {"AMAZON": "AFN", "MERCHANT": "MFN"}.get(fulfilled_by, ""),
        "prices_include_tax": prices_include_tax,
        "tax_total": total("tax_total") + total("shipping_tax") + total("gift_wrap_tax"),
        "purchase_order_ref": buyer.get("buyerPurchaseOrderNumber") or "",
        "gift_messages": tuple(line["gift_message"] for line in lines if line["gift_message"]),
        "promotion_ids": tuple(pid for line in lines for pid in line["promotion_ids"]),
        "packages": tuple(order.get("packages") or ()),
    }


# ---------------------------------------------------------------- listings
def map_listing(item, marketplace_id=None):
    """A Listings ``Item`` as ``RemoteListing`` values, for one marketplace.

    ``status`` is Amazon's wording, the summary's statuses joined ("BUYABLE,DISCOVERABLE").
    """
    summaries = item.get("summaries") or []
    summary = next(
        (s for s in summaries if marketplace_id in (None, s.get("marketplaceId"))),
        summaries[0] if summaries else {},
    )
    offers = [
        offer
        for offer in item.get("offers") or []
        if marketplace_id in (None, offer.get("marketplaceId"))
        and offer.get("offerType", "B2C") == "B2C"
    ]
    price, currency = money(offers[0].get("price")) if offers else (None, "")
    quantity = next(
        (
            entry.get("quantity")
            for entry in item.get("fulfillmentAvailability") or []
            if entry.get("fulfillmentChannelCode") == DEFAULT_FULFILLMENT_CHANNEL
        ),
        None,
    )
    return {
        "sku": item.get("sku", ""),
        "marketplace_ref": summary.get("asin") or "",
        "title": summary.get("itemName") or "",
        "quantity": quantity,
        "price": price,
        "currency": currency,
        "status": ",".join(summary.get("status") or []),
        "barcode": "",
        # extra
        "product_type": summary.get("productType") or "",
    }


def stock_patches(quantity, channel_code=DEFAULT_FULFILLMENT_CHANNEL):
    """Patches setting the seller-fulfilled quantity (never negative)."""
    return [
        {
            "op": "replace",
            "path": "/attributes/fulfillment_availability",
            "value": [
                {"fulfillment_channel_code": channel_code, "quantity": max(int(quantity), 0)}
            ],
        }
    ]


def price_patches(price, currency, marketplace_ids):
    """Patches setting the offer price (``our_price``) in each marketplace.

    ``value_with_tax`` is a JSON number: the Decimal goes out through float,
    exact for any price with a few decimals.
    """
    return [
        {
            "op": "replace",
            "path": "/attributes/purchasable_offer",
            "value": [
                {
                    "marketplace_id": marketplace_id,
                    "currency": currency,
                    "audience": "ALL",
                    "our_price": [{"schedule": [{"value_with_tax": float(price)}]}],
                }
                for marketplace_id in marketplace_ids
            ],
        }
    ]


def patch_body(patches, product_type=DEFAULT_PRODUCT_TYPE):
    """The ``patchListingsItem`` body (``PRODUCT`` is Amazon's generic product type)."""
    return {"productType": product_type, "patches": list(patches)}


def listings_feed(seller_id, entries, product_type=DEFAULT_PRODUCT_TYPE):
    """A JSON_LISTINGS_FEED document of PATCH messages, ``messageId`` 1..n.

    :param entries: ``(sku, patches)`` pairs, at most 25,000
    """
    return {
        "header": {"sellerId": seller_id, "version": "2.0"},
        "messages": [
            {
                "messageId": index,
                "sku": sku,
                "operationType": "PATCH",
                "productType": product_type,
                "patches": list(patches),
            }
            for index, (sku, patches) in enumerate(entries, start=1)
        ],
    }


def _issue_text(issues):
    return "; ".join(
        f"{issue.get('code', '')} {issue.get('message', '')}".strip() for issue in issues
    )


def submission_result(submission):
    """``(ok, message)`` of a listings submission (HTTP 200 even when INVALID)."""
    issues = submission.get("issues") or []
    errors = [issue for issue in issues if issue.get("severity") == "ERROR"]
    ok = submission.get("status") in ("ACCEPTED", "VALID") and not errors
    return ok, _issue_text(errors if errors else issues)


def feed_results(document, feed, report):
    """``{sku: (ok, message)}`` for every message of a finished feed.

    A FATAL or CANCELLED feed fails every SKU with the report's (or Amazon's)
    message; otherwise a SKU fails when its message has an ERROR issue.
    """
    skus = {message["messageId"]: message["sku"] for message in document["messages"]}
    status = (feed or {}).get("processingStatus", "DONE")
    issues = (report or {}).get("issues") or []
    if status != "DONE":
        text = _issue_text(issues) or f"Amazon feed {feed.get('feedId', '')} is {status}."
        return dict.fromkeys(skus.values(), (False, text))
    by_sku = {sku: [] for sku in skus.values()}
    for issue in issues:
        sku = skus.get(issue.get("messageId")) or issue.get("sku")
        if sku in by_sku:
            by_sku[sku].append(issue)
        elif "messageId" not in issue:  # a document-level problem concerns every SKU
            for found in by_sku.values():
                found.append(issue)
    results = {}
    for sku, found in by_sku.items():
        errors = [issue for issue in found if issue.get("severity") == "ERROR"]
        results[sku] = (not errors, _issue_text(errors or found))
    return results


# ---------------------------------------------------------------- shipping
def package_detail(
    package_reference_id,
    carrier_code,
    tracking_number,
    ship_date,
    items,
    carrier_name="",
    shipping_method="",
):
    """The ``packageDetail`` of ``confirmShipment``.

    :param items: ``(order_item_id, quantity)`` pairs
    :param ship_date: aware datetime (naive = UTC) or ISO string

    Amazon wants "Other" plus a carrier name for carriers outside its list.
    """
    if isinstance(ship_date, datetime):
        if ship_date.tzinfo is None:
            ship_date = ship_date.replace(tzinfo=UTC)
        ship_date = ship_date.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    detail = {
        "packageReferenceId": str(package_reference_id),
        "carrierCode": carrier_code or "Other",
        "trackingNumber": tracking_number,
        "shipDate": ship_date,
        "orderItems": [
            {"orderItemId": str(item_id), "quantity": int(quantity)} for item_id, quantity in items
        ],
    }
    if detail["carrierCode"] == "Other":
        detail["carrierName"] = carrier_name or carrier_code or "Other"
    elif carrier_name:
        detail["carrierName"] = carrier_name
    if shipping_method:
        detail["shippingMethod"] = shipping_method
    return detail


# ---------------------------------------------------------------- finances
def _fee_rows(order_ref, line_ref, fees):
    for fee in fees or []:
        amount, currency = finance_amount(fee.get("FeeAmount"))
        if amount:
            yield {
                "order_ref": order_ref,
                "fee_type": fee.get("FeeType", ""),
                "amount": amount,
                "currency": currency,
                "line_ref": line_ref,
            }


def map_fees(order_id, financial_events):
    """``Fee`` values (negative = cost) from ``FinancialEvents`` pages of one order.

    Shipment events give the fees charged; refund events the fees given back
    (``*FeeAdjustmentList``). Charges (principal, tax, shipping) are not fees.
    """
    rows = []
    for events in financial_events:
        for kind, item_list, fee_list in (
            ("ShipmentEventList", "ShipmentItemList", "ItemFeeList"),
            ("RefundEventList", "ShipmentItemAdjustmentList", "ItemFeeAdjustmentList"),
        ):
            for event in events.get(kind) or []:
                order_ref = event.get("AmazonOrderId") or order_id
                for key in ("ShipmentFeeList", "OrderFeeList", "ShipmentFeeAdjustmentList"):
                    rows.extend(_fee_rows(order_ref, "", event.get(key)))
                for item in event.get(item_list) or []:
                    line_ref = item.get("OrderItemId") or item.get("OrderAdjustmentItemId") or ""
                    rows.extend(_fee_rows(order_ref, str(line_ref), item.get(fee_list)))
    return rows
