"""Seeded eBay order generator (Sell Fulfillment ``Order`` objects, field names as in the spec).

The same seed, catalogue and start time always give the same orders.  The mix covers what an
importer must survive: several lines and quantities, buyer cancellations, partial shipments,
promotions and shipping discounts, seller-collected tax and eBay "collect and remit" tax,
several marketplaces/currencies, B2B buyers with a VAT id, unicode names, missing optional
fields, line items without a SKU and SKUs the seller never listed.

Orders are stored in their ``fieldGroups=TAX_BREAKDOWN`` form; :func:`render_order` derives
the default form (collect-and-remit tax left out of the totals).
"""

import copy
import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from ..core.datagen import DataGenerator, money
from .timefmt import ebay_timestamp

# marketplace -> (currency, country, eBay collect-and-remit tax, seller-collected tax);
# taxes as (TaxTypeEnum value, rate).  Countries are those core's DataGenerator knows.
MARKETPLACES = {
    "EBAY_US": ("USD", "US", ("STATE_SALES_TAX", Decimal("0.0725")), None),
    "EBAY_GB": ("GBP", "GB", ("VAT", Decimal("0.20")), None),
    "EBAY_DE": ("EUR", "DE", None, ("VAT", Decimal("0.19"))),
    "EBAY_FR": ("EUR", "FR", None, ("VAT", Decimal("0.20"))),
    "EBAY_IT": ("EUR", "IT", None, ("VAT", Decimal("0.22"))),
    "EBAY_ES": ("EUR", "ES", None, ("VAT", Decimal("0.21"))),
    "EBAY_PL": ("PLN", "PL", None, ("VAT", Decimal("0.23"))),
}
MARKETPLACE_WEIGHTS = {
    "EBAY_US": 5,
    "EBAY_GB": 2,
    "EBAY_DE": 2,
    "EBAY_FR": 1,
    "EBAY_IT": 1,
    "EBAY_ES": 1,
    "EBAY_PL": 1,
}
CARRIERS = {
    "US": "USPS",
    "GB": "ROYAL_MAIL",
    "DE": "DHL",
    "FR": "COLISSIMO",
    "IT": "POSTE_ITALIANE",
    "ES": "CORREOS",
    "PL": "INPOST",
}
# Catalogue used when the simulator has no published listings to sell from.
DEFAULT_CATALOG = [
    ("MUG-CERAMIC-01", "Ceramic mug \u2013 350 ml, hand-glazed", "12.90"),
    ("TSHIRT-ORG-M", "Organic cotton T-shirt (M) — “Forêt” print", "24.50"),
    ("LAMP-DESK-LED", "LED desk lamp, dimmable", "39.99"),
    ("BOOK-ETE-2024", "Livre de l'été 2024", "18.00"),
    ("CABLE-USBC-2M", "USB-C cable 2 m braided", "7.49"),
    ("KNIFE-SET-5", "Kitchen knife set, 5 pieces", "89.00"),
]


@dataclass(frozen=True)
class CatalogEntry:
    sku: str | None
    title: str
    price: Decimal
    legacy_item_id: str | None = None
    marketplace: str | None = None  # None: sold on every marketplace
    variation_id: str | None = None  # set for a variation of a multiple-variation listing
    variation: tuple = ()  # ((aspect name, value), ...) of that variation


def amount(value, currency):
    """eBay ``Amount``: the value as a string rounded to the currency's minor unit."""
    return {"value": str(money(value, currency)), "currency": currency}


def amount_of(value):
    return Decimal(value["value"]) if value else Decimal(0)


class OrderGenerator:
    """Draws orders from its own seeded RNG (independent of the simulator's other draws).

    ``catalog`` is a list of CatalogEntry (typically the simulator's published listings).
    ``seller_id`` is the eBay username of the seller every order belongs to.
    """

    def __init__(self, seed=0, catalog=None, seller_id="sim_seller"):
        self.rng = random.Random(f"ebay-orders-{seed}")
        self.data = DataGenerator(self.rng)
        self.seller_id = seller_id
        self.catalog = list(catalog) if catalog else self._default_catalog()
        self._sequence = 0
        self._now = None

    def _default_catalog(self):
        data = DataGenerator(random.Random("ebay-catalog"))
        return [
            CatalogEntry(sku, title, Decimal(price), "11" + data.digits(10))
            for sku, title, price in DEFAULT_CATALOG
        ]

    def _id(self, length):
        # eBay numeric ids never start with 0.
        return str(self.rng.randint(1, 9)) + self.data.digits(length - 1)

    # -- people and places ---------------------------------------------------------------

    def _contact(self, country, company=None, name=None):
        """An ``ExtendedContact``; phone, e-mail and address line 2 are sometimes absent."""
        place = self.data.address(country)
        address = {
            "addressLine1": place["line1"],
            "city": place["city"],
            "stateOrProvince": place["region"],
            "postalCode": place["postal_code"],
            "countryCode": country,
        }
        if place["line2"]:
            address["addressLine2"] = place["line2"]
        contact = {"fullName": name or place["name"], "contactAddress": address}
        if place["phone"]:
            contact["primaryPhone"] = {"phoneNumber": place["phone"]}
        if self.data.chance(0.85):
            contact["email"] = self.data.email("members.ebay.com")
        if company:
            contact["companyName"] = company
        return contact

    # -- lines -----------------------------------------------------------------------------

    def _pick_item(self, marketplace, unknown_sku):
        # A listing only sells on its own marketplace; catalogue entries without one sell anywhere.
        entries = [e for e in self.catalog if e.marketplace in (None, marketplace)]
        entry = self.rng.choice(entries or self.catalog)
        if unknown_sku:
            # A listing the seller made outside this integration: SKU unknown to the catalogue.
            return CatalogEntry(
                self.data.sku("UNLISTED"), "Vintage item listed on ebay.com", entry.price
            )
        return entry

    def _taxes(self, line, net, marketplace, b2b):
        """Append seller-collected and eBay-collected taxes; return the remitted amount."""
        currency, _country, remit, seller_tax = MARKETPLACES[marketplace]
        if seller_tax:
            # Seller-collected VAT is inside the price: part of the seller's revenue.
            tax_type, rate = seller_tax
            tax = money(net * rate / (1 + rate), currency)
            line["taxes"].append({"amount": amount(tax, currency), "taxType": tax_type})
        if not remit or b2b:
            return Decimal(0)
        tax_type, rate = remit
        remit_tax = money(net * rate, currency)
        collected = {
            "taxType": tax_type,
            "amount": amount(remit_tax, currency),
            "collectionMethod": "NET",
        }
        if tax_type == "VAT":
            collected["ebayReference"] = {"name": "IOSS", "value": "IM2760000742"}
        line["ebayCollectAndRemitTaxes"] = [collected]
        line["taxes"].append({"amount": amount(remit_tax, currency), "taxType": tax_type})
        return remit_tax

    def _line(self, marketplace, ship_by, flags):
        currency = MARKETPLACES[marketplace][0]
        entry = self._pick_item(marketplace, flags["unknown_sku"])
        quantity = self.rng.choice([1, 1, 1, 2, 3, 5])
        cost = entry.price * quantity
        line = {
            "lineItemId": self._id(14),
            # A SKU-less line is a listing created on ebay.com: not one of the seller's offers.
            "legacyItemId": (not flags["no_sku"] and entry.legacy_item_id) or self._id(12),
            "title": entry.title,
            "quantity": quantity,
            "soldFormat": "FIXED_PRICE",
            "listingMarketplaceId": marketplace,
            "purchaseMarketplaceId": marketplace,
            "lineItemCost": amount(cost, currency),
            "lineItemFulfillmentStatus": "NOT_STARTED",
            "lineItemFulfillmentInstructions": {
                "guaranteedDelivery": False,
                "shipByDate": ebay_timestamp(ship_by),
            },
            "properties": {"buyerProtection": True, "soldViaAdCampaign": self.data.chance(0.1)},
            "taxes": [],
        }
        # Listings created on ebay.com have no SKU at all: only legacyItemId identifies them.
        if entry.sku is not None and not flags["no_sku"]:
            line["sku"] = entry.sku
        if entry.variation_id:
            line["legacyVariationId"] = entry.variation_id
            line["variationAspects"] = [{"name": n, "value": v} for n, v in entry.variation]
        elif entry.marketplace is None and self.data.chance(0.2):
            # Built-in catalogue: now and then a variation of some multi-variation listing.
            line["legacyVariationId"] = self._id(12)
            colour = self.rng.choice(["Rot", "Bleu", "Black"])
            line["variationAspects"] = [{"name": "Colour", "value": colour}]
        discount = Decimal(0)
        if flags["promotion"]:
            discount = money(cost * Decimal("0.10"), currency)
            line["appliedPromotions"] = [
                {
                    "promotionId": self._id(10),
                    "description": "10% off \u2013 Winter sale",
                    "discountAmount": amount(discount, currency),
                }
            ]
            line["discountedLineItemCost"] = amount(cost - discount, currency)
        shipping = Decimal(self.rng.choice(["0", "0", "3.99", "4.95", "6.50"]))
        ship_discount = shipping if flags["free_shipping_promo"] else Decimal(0)
        line["deliveryCost"] = {"shippingCost": amount(shipping, currency)}
        if ship_discount:
            line["deliveryCost"]["discountAmount"] = amount(ship_discount, currency)
        net = cost - discount + shipping - ship_discount
        remit_tax = self._taxes(line, net, marketplace, flags["b2b"])
        line["total"] = amount(net + remit_tax, currency)
        parts = {
            "cost": cost,
            "discount": discount,
            "shipping": shipping,
            "ship_discount": ship_discount,
            "remit": remit_tax,
            "total": net + remit_tax,
        }
        return line, parts

    # -- orders ----------------------------------------------------------------------------

    def _flags(self):
        chance = self.data.chance
        return {
            "cancel": chance(0.1),
            "cancel_requested": chance(0.05),
            "partial": chance(0.15),
            "b2b": chance(0.15),
            "promotion": chance(0.2),
            "free_shipping_promo": chance(0.1),
            "unknown_sku": chance(0.05),
            "no_sku": chance(0.05),
            "notes": chance(0.2),
            "converted": chance(0.1),
        }

    def _buyer(self, country, b2b):
        company = self.data.company() if b2b else None
        registration = self._contact(country, company)
        buyer = {
            "username": f"{self.rng.choice(['buyer', 'shopper', 'collector'])}_{self._id(4)}",
            "taxAddress": {
                key: registration["contactAddress"][key]
                for key in ("city", "stateOrProvince", "postalCode", "countryCode")
            },
            "buyerRegistrationAddress": registration,
        }
        vat = self.data.vat_number(country) if b2b else None
        if vat:
            buyer["taxIdentifier"] = {
                "taxpayerId": vat,
                "taxIdentifierType": "VATIN",
                "issuingCountry": country,
            }
        return buyer

    def _event(self, created, **delta):
        """When something happened after the sale: never later than the generator's "now"."""
        moment = created + timedelta(**delta)
        return min(moment, self._now) if self._now else moment

    def order(self, created, now=None):
        """One order created at ``created`` (aware datetime); returns (order, fulfillments).

        ``now`` caps the times of later events (payment, cancellation, shipment)."""
        self._now = max(now, created) if now else None
        self._sequence += 1
        # Draw the marketplace among those the catalogue is listed on (None: anywhere).
        listed = {entry.marketplace for entry in self.catalog}
        candidates = [m for m in MARKETPLACE_WEIGHTS if None in listed or m in listed]
        candidates = candidates or list(MARKETPLACE_WEIGHTS)
        marketplace = self.rng.choices(
            candidates, weights=[MARKETPLACE_WEIGHTS[m] for m in candidates]
        )[0]
        currency, country, _remit, _seller_tax = MARKETPLACES[marketplace]
        flags = self._flags()
        ship_by = created + timedelta(days=self.rng.randint(1, 3))
        lines, parts = [], []
        for index in range(self.rng.choice([1, 1, 1, 2, 2, 3])):
            # Only the first line carries the odd SKU cases, so every order has a usable line.
            line_flags = {**flags, "unknown_sku": flags["unknown_sku"] and index == 0}
            line_flags["no_sku"] = flags["no_sku"] and index == 0
            line, part = self._line(marketplace, ship_by, line_flags)
            lines.append(line)
            parts.append(part)

        def total_of(key):
            return sum((part[key] for part in parts), Decimal(0))

        total, remit = total_of("total"), total_of("remit")
        pricing = {
            "priceSubtotal": amount(total_of("cost"), currency),
            "deliveryCost": amount(total_of("shipping"), currency),
            "total": amount(total, currency),
        }
        if total_of("discount"):
            pricing["priceDiscount"] = amount(-total_of("discount"), currency)  # negative
        if total_of("ship_discount"):
            pricing["deliveryDiscount"] = amount(-total_of("ship_discount"), currency)
        tax = sum((amount_of(t["amount"]) for line in lines for t in line["taxes"]), Decimal(0))
        if tax:
            pricing["tax"] = amount(tax, currency)
        buyer = self._buyer(country, flags["b2b"])
        registration = buyer["buyerRegistrationAddress"]
        # Usually shipped to the buyer, sometimes to someone else (a gift, a colleague).
        recipient = registration["fullName"] if self.data.chance(0.8) else None
        ship_to = self._contact(country, registration.get("companyName"), recipient)
        fee_basis = total - remit
        carrier = CARRIERS[country]
        order = {
            "orderId": f"{self._id(2)}-{self._id(5)}-{self._id(5)}",  # e.g. 01-03955-36441
            "creationDate": ebay_timestamp(created),
            "lastModifiedDate": ebay_timestamp(
                self._event(created, minutes=self.rng.randint(1, 30))
            ),
            "orderFulfillmentStatus": "NOT_STARTED",
            "orderPaymentStatus": "PAID",
            "sellerId": self.seller_id,
            "buyer": buyer,
            "pricingSummary": pricing,
            "cancelStatus": {"cancelState": "NONE_REQUESTED", "cancelRequests": []},
            "paymentSummary": {
                "payments": [
                    {
                        "paymentMethod": "EBAY",
                        "paymentReferenceId": self._id(16),
                        "paymentDate": ebay_timestamp(self._event(created, seconds=42)),
                        "amount": amount(total, currency),
                        "paymentStatus": "PAID",
                    }
                ],
                "refunds": [],
                # The spec counts collect-and-remit tax in totalDueSeller.
                "totalDueSeller": amount(total, currency),
            },
            "fulfillmentStartInstructions": [
                {
                    "fulfillmentInstructionsType": "SHIP_TO",
                    "ebaySupportedFulfillment": False,
                    "minEstimatedDeliveryDate": ebay_timestamp(created + timedelta(days=3)),
                    "maxEstimatedDeliveryDate": ebay_timestamp(created + timedelta(days=8)),
                    "shippingStep": {
                        "shippingCarrierCode": carrier,
                        "shippingServiceCode": f"{carrier}_STANDARD",
                        "shipTo": ship_to,
                    },
                }
            ],
            "fulfillmentHrefs": [],
            "lineItems": lines,
            "totalFeeBasisAmount": amount(fee_basis, currency),
            "totalMarketplaceFee": amount(
                fee_basis * Decimal("0.1325") + Decimal("0.30"), currency
            ),
        }
        if remit:
            order["ebayCollectAndRemitTax"] = True
        if self.data.chance(0.7):
            order["salesRecordReference"] = str(1000 + self._sequence)
        if flags["notes"]:
            order["buyerCheckoutNotes"] = "Bitte nicht klingeln — laisser chez le voisin 🙂"
        if flags["converted"] and currency != "USD":
            _convert(order["pricingSummary"])
        fulfillments = []
        if flags["cancel"]:
            self._cancel(order, created)
        elif flags["cancel_requested"]:
            order["cancelStatus"] = {
                "cancelState": "IN_PROGRESS",
                "cancelRequests": [self._cancel_request(created, "REQUESTED")],
            }
        elif flags["partial"]:
            fulfillments = self._partial(order, created)
        return order, fulfillments

    def _cancel_request(self, created, state):
        request = {
            "cancelRequestId": self._id(10),
            "cancelInitiator": "BUYER",
            "cancelReason": "BUYER_ASKED_CANCEL",
            "cancelRequestState": state,
            "cancelRequestedDate": ebay_timestamp(self._event(created, hours=2)),
        }
        if state == "COMPLETED":
            request["cancelCompletedDate"] = ebay_timestamp(self._event(created, hours=5))
        return request

    def _cancel(self, order, created):
        currency = order["pricingSummary"]["total"]["currency"]
        cancelled = ebay_timestamp(self._event(created, hours=5))
        order["cancelStatus"] = {
            "cancelState": "CANCELED",
            "cancelledDate": cancelled,
            "cancelRequests": [self._cancel_request(created, "COMPLETED")],
        }
        order["orderPaymentStatus"] = "FULLY_REFUNDED"
        order["paymentSummary"]["refunds"] = [
            {
                "refundId": self._id(10),
                "refundDate": cancelled,
                "amount": copy.deepcopy(order["paymentSummary"]["payments"][0]["amount"]),
                "refundStatus": "REFUNDED",
            }
        ]
        order["paymentSummary"]["totalDueSeller"] = amount(0, currency)
        order["lastModifiedDate"] = cancelled

    def _partial(self, order, created):
        """Ship part of the first line already (all but one unit, or the whole of it)."""
        line = order["lineItems"][0]
        shipped = max(1, line["quantity"] - 1)
        shipped_at = self._event(created, days=1)
        # With a tracking number, eBay uses it as the fulfillment id (spec, trackingNumber).
        tracking = f"1Z{self._id(16)}"
        order["lastModifiedDate"] = ebay_timestamp(shipped_at)
        carrier = order["fulfillmentStartInstructions"][0]["shippingStep"]["shippingCarrierCode"]
        return [
            {
                "fulfillmentId": tracking,
                "shipmentTrackingNumber": tracking,
                "shippingCarrierCode": carrier,
                "shippedDate": ebay_timestamp(shipped_at),
                "lineItems": [{"lineItemId": line["lineItemId"], "quantity": shipped}],
            }
        ]

    def orders(self, count, start, end):
        """``count`` orders created between two aware datetimes, oldest first."""
        span = (end - start).total_seconds()
        stamps = sorted(start + timedelta(seconds=self.rng.uniform(0, span)) for _ in range(count))
        return [self.order(created, end) for created in stamps]


def _convert(pricing):
    """The buyer paid in USD: amounts stay in the seller's currency, USD in convertedFrom*."""
    for value in _walk_amounts(pricing):
        value["convertedFromCurrency"] = "USD"
        value["convertedFromValue"] = str(money(Decimal(value["value"]) * Decimal("1.085"), "USD"))


def _walk_amounts(node):
    if isinstance(node, dict):
        if "value" in node and "currency" in node:
            yield node
        else:
            for value in node.values():
                yield from _walk_amounts(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk_amounts(value)


def render_order(order, tax_breakdown=False, list_view=False, redact_pii=False):
    """The order as the API returns it.

    Without TAX_BREAKDOWN, collect-and-remit tax is taken out of the line and order totals and
    ``taxes[].taxType`` is hidden (spec field notes).  getOrders always returns an empty
    ``cancelRequests`` (spec note on getOrders).  Buyer contact data is removed from orders
    older than 90 days.
    """
    order = copy.deepcopy(order)
    if not tax_breakdown:
        removed = Decimal(0)
        for line in order.get("lineItems", []):
            remit = sum(amount_of(t["amount"]) for t in line.get("ebayCollectAndRemitTaxes", []))
            if remit:
                line["total"]["value"] = str(amount_of(line["total"]) - remit)
                removed += remit
            for tax in line.get("taxes", []):
                tax.pop("taxType", None)
        if removed:
            total = order["pricingSummary"]["total"]
            total["value"] = str(amount_of(total) - removed)
        order["pricingSummary"].pop("fee", None)
    if list_view:
        order["cancelStatus"]["cancelRequests"] = []
    if redact_pii:
        for contact in _contacts(order):
            for key in ("fullName", "email", "primaryPhone", "companyName"):
                contact.pop(key, None)
            address = contact.get("contactAddress", {})
            for key in ("addressLine1", "addressLine2"):
                address.pop(key, None)
    return order


def _contacts(order):
    registration = order.get("buyer", {}).get("buyerRegistrationAddress")
    if registration:
        yield registration
    for instruction in order.get("fulfillmentStartInstructions", []):
        ship_to = instruction.get("shippingStep", {}).get("shipTo")
        if ship_to:
            yield ship_to
