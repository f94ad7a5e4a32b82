"""Pure functions between eBay Inventory payloads and plain values.

Writing: ``bulkUpdatePriceQuantity`` request items (``PriceQuantity`` of
sell_inventory_v1_oas3.json): the item's total ship-to-home quantity
(``shipToLocationAvailability.quantity``) and offer prices
(``offers[{offerId, price{value, currency}}]``, ``value`` a decimal string as
eBay's ``Amount`` wants it).

Reading: the per-SKU outcome of a bulk update, and an inventory item with its
offers as ``RemoteListing`` values (the keys of ``marketplace_core.records``,
so the Odoo-side connector only picks the keys its dataclass knows; extra keys
carry eBay details).

Money is ``Decimal``, built from eBay's strings, never through float.
"""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
PUBLISHED = "PUBLISHED"
FIXED_PRICE = "FIXED_PRICE"
NO_RESULT = "eBay returned no result for this SKU."


# ------------------------------------------------------------------ values
def amount(price, currency):
    """An eBay ``Amount``: ``{"value": "12.30", "currency": "USD"}`` (value rounded to cents)."""
    value = Decimal(str(price)).quantize(CENT, rounding=ROUND_HALF_UP)
    return {"value": f"{value:f}", "currency": currency}


def money(value):
    """``(Decimal, currency)`` of an eBay ``Amount``; ``(None, "")`` when absent."""
    if not value or value.get("value") in (None, ""):
        return None, ""
    return Decimal(str(value["value"])), value.get("currency") or ""


def error_text(error):
    """``"25002: Any User error. …"``: errorId, message and a longMessage that adds to it."""
    message = str(error.get("message") or "")
    long_message = str(error.get("longMessage") or "")
    if long_message and long_message not in message:
        message = f"{message} {long_message}".strip()
    error_id = error.get("errorId")
    return f"{error_id}: {message}" if error_id else message


# ------------------------------------------------------------ bulk writes
def price_quantity_request(sku, *, quantity=None, offer_id=None, price=None, currency=None):
    """One ``PriceQuantity`` item: the item's stock and/or one offer's price.

    :param quantity: the total ship-to-home quantity (never negative)
    :param offer_id: the offer whose ``price`` (Decimal) in ``currency`` is set
    """
    item = {"sku": sku}
    if quantity is not None:
        item["shipToLocationAvailability"] = {"quantity": max(int(quantity), 0)}
    if price is not None:
        if not offer_id or not currency:
            raise ValueError(f"A price for SKU {sku} needs the offer id and the currency.")
        item["offers"] = [{"offerId": offer_id, "price": amount(price, currency)}]
    if len(item) == 1:
        raise ValueError(f"Nothing to update for SKU {sku}: give a quantity or a price.")
    return item


def stock_request(sku, quantity):
    """The item's total ship-to-home quantity; eBay spreads it over its published offers."""
    return price_quantity_request(sku, quantity=quantity)


def price_request(sku, offer_id, price, currency):
    """The price of one offer (``offer_id``: ``marketplace_ref`` of :func:`map_inventory_item`)."""
    return price_quantity_request(sku, offer_id=offer_id, price=price, currency=currency)


def bulk_results(responses, skus=()):
    """``{sku: (ok, message)}`` of a bulkUpdatePriceQuantity answer (HTTP 200 or 207).

    eBay answers one entry per offer (or per SKU when only the stock changed);
    a SKU is ok when every entry of it has ``statusCode`` 200 and no ``errors``.
    The message is eBay's errors (e.g. the 250 revisions per listing per day
    refusal), else its warnings. ``skus``: the SKUs sent, so one eBay left out
    fails instead of disappearing.
    """
    failed, errors, warnings = {}, {}, {}
    for entry in responses or ():
        sku = entry.get("sku") or ""
        try:
            status = int(entry.get("statusCode") or 0)
        except (TypeError, ValueError):
            status = 0
        entry_errors = [error_text(error) for error in entry.get("errors") or []]
        entry_failed = not 200 <= status < 300 or bool(entry_errors)
        if entry_failed and not entry_errors:
            entry_errors = [f"eBay answered {status or 'no status'} for this entry."]
        failed[sku] = failed.get(sku, False) or entry_failed
        errors.setdefault(sku, []).extend(entry_errors)
        warnings.setdefault(sku, []).extend(error_text(w) for w in entry.get("warnings") or [])
    results = {}
    for sku, sku_failed in failed.items():
        texts = errors[sku] if sku_failed else warnings[sku]
        results[sku] = (not sku_failed, "; ".join(dict.fromkeys(text for text in texts if text)))
    for sku in skus:
        results.setdefault(sku, (False, NO_RESULT))
    return results


# ---------------------------------------------------------------- listings
def main_offer(offers, marketplace_id=None):
    """The offer a listing stands for: a published one before an unpublished one,
    fixed price before auction, else eBay's order; ``{}`` without offers."""
    candidates = [
        offer
        for offer in offers or ()
        if not marketplace_id or offer.get("marketplaceId") == marketplace_id
    ]
    candidates.sort(
        key=lambda offer: (offer.get("status") != PUBLISHED, offer.get("format") != FIXED_PRICE)
    )
    return candidates[0] if candidates else {}


def map_inventory_item(item, offers=(), marketplace_id=None):
    """An inventory item (getInventoryItem(s)) and its offers (getOffers) as ``RemoteListing``.

    - ``marketplace_ref`` is the ``offerId`` of :func:`main_offer`: price updates need it;
    - ``quantity`` is the item's ship-to-home quantity (what :func:`stock_request`
      sets and sales lower), else the offer's ``availableQuantity``, else None;
    - ``price``/``currency`` come from the offer's ``pricingSummary.price``;
    - ``status`` is the live listing's ``listingStatus`` (ACTIVE, OUT_OF_STOCK,
      ENDED...), else the offer's status (UNPUBLISHED), else "" (no offer);
    - ``barcode`` is the first EAN, else the first UPC.
    Extra keys: listing_id, offer_status, offer_format.
    """
    product = item.get("product") or {}
    offer = main_offer(offers, marketplace_id)
    stock = (item.get("availability") or {}).get("shipToLocationAvailability") or {}
    quantity = stock.get("quantity")
    if quantity is None:
        quantity = offer.get("availableQuantity")
    price, currency = money((offer.get("pricingSummary") or {}).get("price"))
    listing = offer.get("listing") or {}
    barcodes = [*(product.get("ean") or []), *(product.get("upc") or [])]
    return {
        "sku": item.get("sku") or offer.get("sku") or "",
        "marketplace_ref": offer.get("offerId") or "",
        "title": product.get("title") or "",
        "quantity": int(quantity) if quantity is not None else None,
        "price": price,
        "currency": currency,
        "status": listing.get("listingStatus") or offer.get("status") or "",
        "barcode": next((code for code in barcodes if code), ""),
        # extra
        "listing_id": listing.get("listingId") or "",
        "offer_status": offer.get("status") or "",
        "offer_format": offer.get("format") or "",
    }
