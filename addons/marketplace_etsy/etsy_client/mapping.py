"""Pure functions between Etsy Open API v3 payloads and plain values.

Reading: ``ShopListing`` (+ ``ListingInventory``) becomes one dict per SKU whose keys are
the fields of ``marketplace_core.records.RemoteListing``.

Writing: ``updateListingInventory`` replaces the WHOLE inventory, so a stock or price push
starts from the ``getListingInventory`` answer and sends every product back, read-only
fields dropped and Money turned into the float the request schema takes.

Money is ``Decimal`` (``amount / divisor``, JPY has divisor 1), never float arithmetic;
floats appear only in the request body, where the contract wants ``type: number``.
"""

from decimal import ROUND_HALF_UP, Decimal

#: The ``*_on_property`` arrays, copied as they are (they must agree with the values sent).
ON_PROPERTY_FIELDS = (
    "price_on_property",
    "quantity_on_property",
    "sku_on_property",
    "readiness_state_on_property",
)
#: ``property_values`` fields of the request schema (``scale_name`` is read-only).
PROPERTY_VALUE_FIELDS = ("property_id", "property_name", "scale_id", "value_ids", "values")


# ------------------------------------------------------------------ values
def _places(divisor):
    """Decimal places of a power-of-ten divisor (100 -> 2, 1 -> 0), else None."""
    text = str(divisor)
    return len(text) - 1 if text == "1" + "0" * (len(text) - 1) else None


def money(value):
    """``(Decimal, currency)`` of an Etsy ``Money`` (``None`` -> ``(None, "")``).

    ``{"amount": 1890, "divisor": 100}`` -> ``Decimal("18.90")``; JPY (divisor 1) stays whole.
    """
    if not value:
        return None, ""
    amount, divisor = Decimal(int(value.get("amount") or 0)), int(value.get("divisor") or 1)
    currency = value.get("currency_code") or ""
    places = _places(divisor)
    result = amount / divisor
    if places is not None:
        result = result.quantize(Decimal(1).scaleb(-places))
    return result, currency


def _price_number(price, divisor):
    """The float ``updateListingInventory`` takes, rounded to the currency's minor unit."""
    price = Decimal(str(price))
    places = _places(divisor)
    if places is not None:
        price = price.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return float(price)


def remaining(last_limits):
    """Calls left before Etsy throttles: the smaller of this second's and today's, or None."""
    values = [
        last_limits.get(name)
        for name in ("x-remaining-this-second", "x-remaining-today")
        if last_limits and last_limits.get(name) is not None
    ]
    return min(values) if values else None


# ---------------------------------------------------------------- writing
def _property_value(value):
    """A ``property_values`` entry of the request (non-null fields of its schema only)."""
    return {
        name: list(value[name]) if name in ("value_ids", "values") else value[name]
        for name in PROPERTY_VALUE_FIELDS
        if value.get(name) is not None
    }


def _offering(offering, quantity=None, price=None):
    """An offering of the request: ``price`` as a number, no ids, no ``is_deleted``."""
    amount, _currency = money(offering.get("price"))
    if amount is None and price is None:
        raise ValueError(f"Offering {offering.get('offering_id')} has no price to send back")
    divisor = int((offering.get("price") or {}).get("divisor") or 1)
    return {
        "price": _price_number(amount if price is None else price, divisor),
        "quantity": int(offering.get("quantity") or 0) if quantity is None else quantity,
        "is_enabled": bool(offering.get("is_enabled", True)),
        "readiness_state_id": offering.get("readiness_state_id"),
    }


def inventory_update(inventory, quantities=None, prices=None):
    """``(body, missing_skus)``: the ``updateListingInventory`` body for ``inventory``.

    :param inventory: a ``getListingInventory`` answer (deleted products, if it was read
        with ``show_deleted``, stay deleted)
    :param quantities: ``{sku: int}`` new quantities
    :param prices: ``{sku: Decimal}`` new prices, rounded to the currency's minor unit
    :return: the body, keeping every other product, property value, ``is_enabled``,
        ``readiness_state_id`` and the ``*_on_property`` arrays as they are; and the sorted
        given SKUs that no product carries (an empty SKU never matches).

    A SKU shared by several products (no ``sku_on_property``) gets the value on each.
    Etsy refuses (400) prices or quantities that differ between products along a
    property missing from ``price_on_property`` / ``quantity_on_property``, and an
    inventory whose offerings are all at quantity 0.
    """
    quantities = {sku: int(qty) for sku, qty in (quantities or {}).items()}
    prices = {sku: Decimal(str(price)) for sku, price in (prices or {}).items()}
    negative = sorted(sku for sku, qty in quantities.items() if qty < 0)
    if negative:
        raise ValueError(f"Negative quantities for SKUs {negative}")
    found = set()
    products = []
    for product in inventory.get("products") or []:
        if product.get("is_deleted"):
            continue
        sku = product.get("sku") or ""
        quantity, price = (quantities.get(sku), prices.get(sku)) if sku else (None, None)
        if quantity is not None or price is not None:
            found.add(sku)
        products.append(
            {
                "sku": sku,
                "property_values": [
                    _property_value(v) for v in product.get("property_values") or []
                ],
                "offerings": [
                    _offering(offering, quantity, price)
                    for offering in product.get("offerings") or []
                    if not offering.get("is_deleted")
                ],
            }
        )
    body = {"products": products}
    for field in ON_PROPERTY_FIELDS:
        if inventory.get(field) is not None:
            body[field] = list(inventory[field])
    missing = sorted({*quantities, *prices} - found)
    return body, missing


# ---------------------------------------------------------------- reading
def _product_values(products):
    """``{sku: {"quantities": [per product], "prices": [...], "currency"}}`` of live products
    that have a SKU."""
    values = {}
    for product in products:
        sku = product.get("sku") or ""
        if not sku or product.get("is_deleted"):
            continue
        offerings = [o for o in product.get("offerings") or [] if not o.get("is_deleted")]
        entry = values.setdefault(sku, {"quantities": [], "prices": [], "currency": ""})
        # A disabled offering is not for sale: none of its units can be bought.
        entry["quantities"].append(
            sum(int(o.get("quantity") or 0) for o in offerings if o.get("is_enabled", True))
        )
        for offering in offerings:
            price, currency = money(offering.get("price"))
            if price is not None:
                entry["prices"].append(price)
                entry["currency"] = entry["currency"] or currency
    return values


def map_listing_products(listing, inventory=None):
    """One ``RemoteListing``-shaped dict per SKU of a ``ShopListing``.

    ``inventory`` (or the listing's ``inventory`` association, ``includes=Inventory``) gives
    each SKU its quantity and price. Without it, a listing with one SKU takes the listing's
    quantity and price, and several SKUs get ``None`` for both (unknown per SKU). Products
    without a SKU are left out: they can never be matched.

    A SKU on several products (no ``sku_on_property``) reports their common quantity when
    quantities do not vary by property, else their sum; its price is the lowest.
    """
    listing_price, listing_currency = money(listing.get("price"))
    common = {
        "marketplace_ref": str(listing["listing_id"]),
        "title": listing.get("title") or "",
        "status": listing.get("state") or "",
    }
    inventory = inventory if inventory is not None else listing.get("inventory")
    if inventory and inventory.get("products"):
        varies = bool(inventory.get("quantity_on_property"))
        rows = []
        for sku, entry in _product_values(inventory["products"]).items():
            quantities, prices = entry["quantities"], entry["prices"]
            rows.append(
                {
                    "sku": sku,
                    **common,
                    "quantity": sum(quantities) if varies else max(quantities),
                    "price": min(prices) if prices else None,
                    "currency": entry["currency"] or listing_currency,
                }
            )
        return rows
    skus = list(dict.fromkeys(s for s in listing.get("skus") or [] if s))
    single = len(skus) == 1
    return [
        {
            "sku": sku,
            **common,
            "quantity": listing.get("quantity") if single else None,
            "price": listing_price if single else None,
            "currency": listing_currency,
        }
        for sku in skus
    ]
