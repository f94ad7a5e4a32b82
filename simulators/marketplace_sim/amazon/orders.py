"""Amazon orders: seeded generator, lifecycle, shipment confirmation, 2026-01-01 view.

Orders are stored in a neutral internal form (Decimal money, epoch times) and rendered
per API on demand. Money conventions (see marketplaces.py): ``unit_price`` is what the
buyer pays per unit (VAT included in EU/UK, sales tax excluded in the US); ``tax`` is
the line's tax, inside the price where ``tax_included``, on top of it otherwise.
"""

from decimal import Decimal

from ..core import DataGenerator, SimError, isoformat, money, parse_datetime
from .marketplaces import MARKETPLACES

# Catalogue of the simulated seller: sku, asin, title, EUR price.
CATALOG = [
    ("MUG-CERAMIC-350", "B0SIMMUG01", "Keramikbecher „Morgenröte“ 350 ml", Decimal("14.90")),
    ("TSHIRT-ORG-M", "B0SIMTEE02", "Organic T-shirt (M) \u2013 forêt print", Decimal("24.50")),
    ("LAMP-LED-DESK", "B0SIMLAMP3", "LED desk lamp, dimmable", Decimal("39.99")),
    ("SCARF-MERINO", "B0SIMSCRF4", "Merino scarf — hand-knitted, 180 cm", Decimal("45.00")),
    ("NOTEBOOK-A5", "B0SIMNOTE5", "Washi notebook A5 和紙", Decimal("12.00")),
    ("CANDLE-SET-3", "B0SIMCNDL6", "Beeswax candle set (3 pcs)", Decimal("18.00")),
]  # fmt: skip

PENDING_DELAY = 30 * 60  # a PENDING order becomes UNSHIPPED (payment authorised) after this
AFN_SHIP_DELAY = 4 * 3600  # Amazon ships FBA orders by itself after this
SHIPPING_PRICE = Decimal("4.99")
GIFT_WRAP_PRICE = Decimal("3.99")
# Orders with these statuses carry a delivery address (PII); PENDING ones do not.
ADDRESS_STATUSES = {"UNSHIPPED", "PARTIALLY_SHIPPED", "SHIPPED"}
INCLUDED_DATA = {
    "BUYER", "RECIPIENT", "PROCEEDS", "EXPENSE", "PROMOTION", "CANCELLATION",
    "FULFILLMENT", "PACKAGES", "TAX", "PAYMENT", "FULFILLMENT_ORDERS",
}  # fmt: skip


def _tax_part(gross, rate, included, currency):
    if included:
        return money(gross * rate / (1 + rate), currency)
    return money(gross * rate, currency)


def _money(amount, currency):
    return {"amount": str(money(amount, currency)), "currencyCode": currency}


class OrderBook:
    """All orders of the simulated sellers, keyed by order id."""

    def __init__(self, clock, rng, seller_id):
        self.clock = clock
        self.rng = rng
        self.data = DataGenerator(rng)
        self.seller_id = seller_id
        self.orders = {}
        self.catalog = list(CATALOG)
        self.marketplace_ids = list(MARKETPLACES)

    # ------------------------------------------------------------ generation
    def _order_id(self):
        while True:
            order_id = f"{self.rng.randint(111, 999)}-{self.data.digits(7)}-{self.data.digits(7)}"
            if order_id not in self.orders:
                return order_id

    def _line(self, index, marketplace, flags, unknown):
        if unknown:
            sku, asin = f"UNLISTED-{self.data.digits(5)}", f"B0UNK{self.data.digits(5)}"
            title, base = "Artikel ohne Angebot (unknown SKU)", Decimal("9.99")
        else:
            sku, asin, title, base = self.rng.choice(self.catalog)
        currency = marketplace.currency
        quantity = self.rng.choice([1, 1, 1, 2, 3, 5])
        unit = money(base * marketplace.fx, currency)
        gross = unit * quantity
        line = {
            "id": f"{self.data.digits(14)}",
            "sku": sku,
            "asin": asin,
            "title": title if not flags.get("no_title") else None,
            "quantity": quantity,
            "shipped": 0,
            "unit_price": unit,
            "tax": _tax_part(gross, marketplace.tax_rate, marketplace.tax_included, currency),
            "shipping": Decimal(0),
            "shipping_tax": Decimal(0),
            "gift_wrap": Decimal(0),
            "gift_wrap_tax": Decimal(0),
            "gift_message": None,
            "discount": Decimal(0),
            "promotion_ids": [],
        }
        if index == 0 and flags["shipping"]:
            line["shipping"] = money(SHIPPING_PRICE * marketplace.fx, currency)
        if flags["gift"]:
            line["gift_wrap"] = money(GIFT_WRAP_PRICE * marketplace.fx, currency)
            line["gift_message"] = "Alles Gute zum Geburtstag! 🎂"
        if flags["promotion"]:
            line["discount"] = money(gross * Decimal("0.10"), currency)
            line["promotion_ids"] = [f"PROMO-{self.data.digits(6)}"]
        rate, included = marketplace.tax_rate, marketplace.tax_included
        line["shipping_tax"] = _tax_part(line["shipping"], rate, included, currency)
        line["gift_wrap_tax"] = _tax_part(line["gift_wrap"], rate, included, currency)
        return line

    def generate(self, created=None, **overrides):
        """Create one random order; ``overrides`` force any flag or field.

        Flags: marketplace_id, fulfilled_by (MERCHANT/AMAZON), status, pending, lines
        (count), b2b, gift, promotion, shipping, unknown_sku, no_title, cancelled,
        partially_shipped, address_line2, phone, skus (SKUs to sell, one line each).
        """
        created = self.clock.now() if created is None else created
        marketplace = MARKETPLACES[
            overrides.get("marketplace_id") or self.rng.choice(self.marketplace_ids)
        ]
        chance = self.data.chance
        flags = {
            "b2b": chance(0.15),
            "gift": chance(0.1),
            "promotion": chance(0.2),
            "shipping": chance(0.6),
            "unknown_sku": chance(0.08),
            "cancelled": chance(0.08),
            "partially_shipped": chance(0.1),
            "pending": chance(0.1),
            "no_title": chance(0.05),
        }
        flags.update({k: v for k, v in overrides.items() if k in flags})
        fulfilled_by = overrides.get("fulfilled_by") or ("AMAZON" if chance(0.3) else "MERCHANT")
        skus = overrides.get("skus")
        count = len(skus) if skus else overrides.get("lines") or self.rng.choice([1, 1, 2, 3, 4])
        lines = [
            self._line(i, marketplace, flags, unknown=flags["unknown_sku"] and i == count - 1)
            for i in range(count)
        ]
        if skus:
            by_sku = {entry[0]: entry for entry in self.catalog}
            for line, sku in zip(lines, skus, strict=True):
                entry = by_sku.get(sku, (sku, f"B0UNK{self.data.digits(5)}", sku, Decimal("9.99")))
                line["sku"], line["asin"], line["title"] = entry[0], entry[1], entry[2]
        country = marketplace.country
        address = self.data.address(
            country, line2=overrides.get("address_line2"), phone=overrides.get("phone")
        )
        buyer_name = address["name"] if chance(0.8) else self.data.person_name()
        order = {
            "id": self._order_id(),
            "seller_id": self.seller_id,
            "marketplace_id": marketplace.id,
            "currency": marketplace.currency,
            "created": created,
            "updated": created,
            "status": "PENDING" if flags["pending"] else "UNSHIPPED",
            "fulfilled_by": fulfilled_by,
            "service_level": self.rng.choice(["Standard", "Standard", "Expedited"]),
            "prime": fulfilled_by == "AMAZON" or chance(0.2),
            "buyer": {
                "name": buyer_name,
                "email": f"{self.data.digits(12)}@marketplace.amazon.{country.lower()}"
                if chance(0.9)
                else None,
                "company": None,
                "po_number": None,
            },
            "address": address,
            "vat": None,
            "lines": lines,
            "packages": [],
            "cancel_reason": None,
        }
        if flags["b2b"]:
            company = self.data.company()
            order["buyer"]["company"] = company
            order["buyer"]["po_number"] = f"PO-{self.data.digits(6)}"
            order["vat"] = self.data.vat_number(country)
            order["address"]["company"] = company
        if "status" in overrides:
            order["status"] = overrides["status"]
        self.orders[order["id"]] = order
        if flags["cancelled"]:
            self.cancel(order["id"], "BuyerCanceled", when=self._later(created, 600))
        elif (
            order["status"] != "PENDING"
            and flags["partially_shipped"]
            and fulfilled_by == "MERCHANT"
        ):
            # One package with part of the first line (all of it if it has a single unit).
            first = lines[0]
            shipped_at = self._later(created, 3600)
            self.ship(
                order,
                {
                    "packageReferenceId": "1",
                    "carrierCode": "DHL",
                    "trackingNumber": self.data.digits(12),
                    "shipDate": isoformat(shipped_at),
                    "orderItems": [
                        {"orderItemId": first["id"], "quantity": max(1, first["quantity"] - 1)}
                    ],
                },
                posted=shipped_at,
            )
        return order

    def _later(self, created, delay):
        """When a generated event happened: ``delay`` after creation, never in the future."""
        return created + min(delay, max(0, self.clock.now() - created))

    def generate_many(self, count, start=None, spacing=600, **overrides):
        """``count`` orders, ``spacing`` seconds apart, ending ``spacing`` s before now."""
        start = start if start is not None else self.clock.now() - count * spacing
        return [self.generate(start + i * spacing, **overrides) for i in range(count)]

    # -------------------------------------------------------------- lifecycle
    def touch(self, order, when=None):
        # lastUpdatedTime must grow strictly: importers page on it.
        when = self.clock.now() if when is None else when
        order["updated"] = max(when, order["updated"] + 1)

    def cancel(self, order_id, reason="BuyerCanceled", when=None):
        order = self.get(order_id)
        if order["status"] in ("SHIPPED", "PARTIALLY_SHIPPED"):
            raise SimError(400, "InvalidInput", "A shipped order cannot be cancelled.")
        order["status"] = "CANCELLED"
        order["cancel_reason"] = reason
        self.touch(order, when)
        return order

    def evolve(self):
        """Advance every order whose next step is due (called when time moves)."""
        now = self.clock.now()
        changed = []
        for order in self.orders.values():
            if order["status"] == "PENDING" and now - order["created"] >= PENDING_DELAY:
                order["status"] = "UNSHIPPED"
                self.touch(order, order["created"] + PENDING_DELAY)
                changed.append(order)
            if (
                order["status"] == "UNSHIPPED"
                and order["fulfilled_by"] == "AMAZON"
                and now - order["created"] >= AFN_SHIP_DELAY
            ):
                self.ship(
                    order,
                    {
                        "packageReferenceId": f"AFN-{len(order['packages']) + 1}",
                        "carrierCode": "AMZN",
                        "trackingNumber": f"TBA{self.data.digits(12)}",
                        "shipDate": isoformat(order["created"] + AFN_SHIP_DELAY),
                        "orderItems": [
                            {"orderItemId": line["id"], "quantity": line["quantity"]}
                            for line in order["lines"]
                        ],
                    },
                    posted=order["created"] + AFN_SHIP_DELAY,
                )
                changed.append(order)
        return changed

    def get(self, order_id):
        order = self.orders.get(order_id)
        if order is None:
            raise SimError(404, "NotFound", f"Order {order_id} was not found.")
        return order

    # ------------------------------------------------------------- shipments
    def confirm_shipment(self, order_id, body):
        """Apply a v0 ``confirmShipment`` body after Amazon's business checks."""
        order = self.get(order_id)
        package = body["packageDetail"]
        if body["marketplaceId"] != order["marketplace_id"]:
            raise SimError(400, "InvalidInput", "marketplaceId does not match the order.")
        if order["fulfilled_by"] != "MERCHANT":
            raise SimError(
                400, "InvalidInput", "Shipments can only be confirmed for seller-fulfilled orders."
            )
        if order["status"] not in ("UNSHIPPED", "PARTIALLY_SHIPPED"):
            raise SimError(
                400,
                "InvalidInput",
                f"Cannot confirm shipment of an order in status {order['status']}.",
            )
        if package["carrierCode"] == "Other" and not package.get("carrierName"):
            raise SimError(
                400, "InvalidInput", "carrierName is required when carrierCode is Other."
            )
        ship_date = parse_datetime(package["shipDate"])
        if ship_date is None or ship_date.timestamp() > self.clock.now() + 60:
            raise SimError(400, "InvalidInput", "shipDate must be a past ISO 8601 date-time.")
        if ship_date.timestamp() < order["created"] - 60:
            raise SimError(400, "InvalidInput", "shipDate is before the purchase date.")
        if any(p["packageReferenceId"] == package["packageReferenceId"] for p in order["packages"]):
            raise SimError(
                400, "InvalidInput", "packageReferenceId was already used for this order."
            )
        lines = {line["id"]: line for line in order["lines"]}
        for item in package["orderItems"]:
            line = lines.get(item["orderItemId"])
            if line is None:
                raise SimError(400, "InvalidInput", f"Unknown orderItemId {item['orderItemId']}.")
            if item.get("quantity", 0) < 1 or line["shipped"] + item["quantity"] > line["quantity"]:
                raise SimError(
                    400, "InvalidInput", f"Invalid quantity for orderItemId {item['orderItemId']}."
                )
        self.ship(order, package, posted=self.clock.now())

    def ship(self, order, package, posted):
        lines = {line["id"]: line for line in order["lines"]}
        stored = {
            "packageReferenceId": str(package["packageReferenceId"]),
            "carrierCode": package["carrierCode"],
            "carrierName": package.get("carrierName"),
            "shippingMethod": package.get("shippingMethod"),
            "trackingNumber": package["trackingNumber"],
            "shipDate": package["shipDate"],
            "posted": posted,
            "items": [
                {"orderItemId": item["orderItemId"], "quantity": item["quantity"]}
                for item in package["orderItems"]
            ],
        }
        for item in stored["items"]:
            lines[item["orderItemId"]]["shipped"] += item["quantity"]
        order["packages"].append(stored)
        fully = all(line["shipped"] >= line["quantity"] for line in order["lines"])
        order["status"] = "SHIPPED" if fully else "PARTIALLY_SHIPPED"
        self.touch(order, posted)

    # ---------------------------------------------------------------- search
    def search(self, query):
        """Orders matching a query built by the simulator from either Orders API."""
        field = query["field"]
        found = [
            order
            for order in self.orders.values()
            if query["after"] <= order[field] <= query["before"]
            and (not query["statuses"] or order["status"] in query["statuses"])
            and (not query["fulfilled_by"] or order["fulfilled_by"] in query["fulfilled_by"])
            and (not query["marketplaces"] or order["marketplace_id"] in query["marketplaces"])
            and (not query.get("order_ids") or order["id"] in query["order_ids"])
        ]
        found.sort(key=lambda order: (order[field], order["id"]))
        return found

    # ---------------------------------------------------------------- render
    def render(self, order, included):
        """The Orders 2026-01-01 ``Order`` object with the requested ``includedData``."""
        currency = order["currency"]
        marketplace = MARKETPLACES[order["marketplace_id"]]
        programs = []
        if order["prime"]:
            programs.append("PRIME")
        if order["buyer"]["company"]:
            programs.append("AMAZON_BUSINESS")
        out = {
            "orderId": order["id"],
            "createdTime": isoformat(order["created"]),
            "lastUpdatedTime": isoformat(order["updated"]),
            "salesChannel": {
                "channelName": "AMAZON",
                "marketplaceId": marketplace.id,
                "marketplaceName": marketplace.name,
            },
            "orderItems": [self._render_item(order, line, included) for line in order["lines"]],
        }
        if programs:
            out["programs"] = programs
        if "BUYER" in included:
            buyer = order["buyer"]
            out["buyer"] = {
                key: value
                for key, value in (
                    ("buyerName", buyer["name"]),
                    ("buyerEmail", buyer["email"]),
                    ("buyerCompanyName", buyer["company"]),
                    ("buyerPurchaseOrderNumber", buyer["po_number"]),
                )
                if value
            }
        if "RECIPIENT" in included and order["status"] in ADDRESS_STATUSES:
            address = order["address"]
            delivery = {
                "name": address["name"],
                "addressLine1": address["line1"],
                "addressLine2": address["line2"],
                "city": address["city"],
                "stateOrRegion": address["region"],
                "postalCode": address["postal_code"],
                "countryCode": address["country"],
                "phone": address["phone"],
                "companyName": address.get("company"),
                "addressType": "COMMERCIAL" if address.get("company") else "RESIDENTIAL",
            }
            # Missing optional fields are absent, never null.
            out["recipient"] = {"deliveryAddress": {k: v for k, v in delivery.items() if v}}
        if "PROCEEDS" in included:
            totals = self.totals(order)
            breakdowns = [
                {"type": kind, "subtotal": _money(totals[key], currency)}
                for kind, key in (
                    ("ITEM", "items"),
                    ("SHIPPING", "shipping"),
                    ("GIFT_WRAP", "gift_wrap"),
                    ("TAX", "tax"),
                    ("DISCOUNT", "discount"),
                )
                if totals[key]
            ]
            out["proceeds"] = {
                "grandTotal": _money(totals["grand_total"], currency),
                "breakdowns": breakdowns,
            }
        if "FULFILLMENT" in included:
            out["fulfillment"] = {
                "fulfillmentStatus": order["status"],
                "fulfilledBy": order["fulfilled_by"],
                "fulfillmentServiceLevel": order["service_level"],
                "shipByWindow": {
                    "earliestDateTime": isoformat(order["created"]),
                    "latestDateTime": isoformat(order["created"] + 2 * 86400),
                },
            }
        if "PACKAGES" in included and order["packages"]:
            out["packages"] = [
                {
                    "packageReferenceId": package["packageReferenceId"],
                    "createdTime": isoformat(package["posted"]),
                    "packageStatus": {"status": "SHIPPED"},
                    "carrier": package["carrierName"] or package["carrierCode"],
                    "shipTime": package["shipDate"],
                    "trackingNumber": package["trackingNumber"],
                    **(
                        {"shippingService": package["shippingMethod"]}
                        if package["shippingMethod"]
                        else {}
                    ),
                    "packageItems": [
                        {"orderItemId": item["orderItemId"], "quantity": item["quantity"]}
                        for item in package["items"]
                    ],
                }
                for package in order["packages"]
            ]
        if "TAX" in included and order["vat"]:
            out["tax"] = {
                "taxRegistrations": [
                    {
                        "entityType": "BUSINESS",
                        "legalName": order["buyer"]["company"],
                        "taxRegistrationType": "VAT",
                        "taxRegistrationNumber": order["vat"],
                    }
                ]
            }
        return out

    def _render_item(self, order, line, included):
        currency = order["currency"]
        product = {
            "asin": line["asin"],
            "sellerSku": line["sku"],
            "condition": {"conditionType": "New", "conditionSubtype": "New"},
            "price": {"unitPrice": _money(line["unit_price"], currency)},
        }
        if line["title"]:
            product["title"] = line["title"]
        item = {"orderItemId": line["id"], "quantityOrdered": line["quantity"], "product": product}
        if "PROCEEDS" in included:
            parts = [
                ("ITEM", line["unit_price"] * line["quantity"]),
                ("SHIPPING", line["shipping"]),
                ("GIFT_WRAP", line["gift_wrap"]),
                ("TAX", line["tax"] + line["shipping_tax"] + line["gift_wrap_tax"]),
                ("DISCOUNT", -line["discount"]),
            ]
            item["proceeds"] = {
                "proceedsTotal": _money(self.line_total(order, line), currency),
                "breakdowns": [
                    {"type": kind, "subtotal": _money(amount, currency)}
                    for kind, amount in parts
                    if amount
                ],
            }
        if "PROMOTION" in included and line["promotion_ids"]:
            item["promotion"] = {
                "breakdowns": [{"promotionId": pid} for pid in line["promotion_ids"]]
            }
        if "CANCELLATION" in included and order["status"] == "CANCELLED":
            item["cancellation"] = {
                "cancellationRequest": {
                    "requester": "BUYER",
                    "cancelReason": order["cancel_reason"],
                }
            }
        if "FULFILLMENT" in included:
            fulfillment = {
                "quantityFulfilled": line["shipped"],
                "quantityUnfulfilled": line["quantity"] - line["shipped"],
            }
            if line["gift_message"]:
                fulfillment["packing"] = {
                    "giftOption": {"giftMessage": line["gift_message"], "giftWrapLevel": "Classic"}
                }
            item["fulfillment"] = fulfillment
        return item

    # ---------------------------------------------------------------- totals
    @staticmethod
    def line_total(order, line):
        marketplace = MARKETPLACES[order["marketplace_id"]]
        total = (
            line["unit_price"] * line["quantity"]
            + line["shipping"]
            + line["gift_wrap"]
            - line["discount"]
        )
        if not marketplace.tax_included:
            total += line["tax"] + line["shipping_tax"] + line["gift_wrap_tax"]
        return total

    def totals(self, order):
        lines = order["lines"]
        return {
            "items": sum((line["unit_price"] * line["quantity"] for line in lines), Decimal(0)),
            "shipping": sum((line["shipping"] for line in lines), Decimal(0)),
            "gift_wrap": sum((line["gift_wrap"] for line in lines), Decimal(0)),
            "tax": sum(
                (line["tax"] + line["shipping_tax"] + line["gift_wrap_tax"] for line in lines),
                Decimal(0),
            ),
            "discount": -sum((line["discount"] for line in lines), Decimal(0)),
            "grand_total": sum((self.line_total(order, line) for line in lines), Decimal(0)),
        }
