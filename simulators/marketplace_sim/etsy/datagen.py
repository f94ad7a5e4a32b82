"""Seeded Etsy data: shops, listings with inventory, and receipts.

Everything is drawn from one ``random.Random(seed)`` so the same seed always yields the same
shops, listings and receipts (tests and benchmarks compare runs). Field names follow the
Etsy Open API v3 schemas (``ShopListing``, ``ListingInventoryProduct``, ``ShopReceipt``,
``ShopReceiptTransaction``, ``Money``) so the records can be returned as they are.

The receipts deliberately cover what a connector gets wrong: several transactions per receipt,
quantities above one, variations and personalisation, percentage coupons, shipping, US sales
tax next to VAT, gift wrap and messages, zero-decimal currencies (JPY), unicode buyer names,
missing optional address lines, SKUs the seller's catalogue does not know (or no SKU at all),
and every receipt status (paid, shipped, unpaid, canceled, refunded).
"""

import random
from dataclasses import dataclass

from ..core.datagen import COUNTRIES, ZERO_DECIMAL_CURRENCIES, DataGenerator
from ..core.datagen import money as round_money

# Etsy listing property ids (getPropertiesByTaxonomyId); 513/514 are the custom variation ids.
PROP_COLOR = 200
PROP_SIZE = 100
PROP_PERSONALIZATION = 54


@dataclass(frozen=True)
class ShopProfile:
    """One seeded shop; the seller's OAuth user owns exactly this shop.

    Receipts are always in the shop's currency, so "several currencies" means several shops.
    """

    shop_id: int
    user_id: int
    name: str
    currency: str
    country_iso: str
    tax_kind: str  # "sales_tax" (US, Etsy collects it) or "vat"
    tax_rate: float


DEFAULT_SHOPS = (
    ShopProfile(48_105_001, 71_000_001, "NordicKnitStudio", "USD", "US", "sales_tax", 0.0725),
    ShopProfile(48_105_002, 71_000_002, "AtelierDeLaLune", "EUR", "FR", "vat", 0.20),
    ShopProfile(48_105_003, 71_000_003, "KyotoWashiCraft", "JPY", "JP", "vat", 0.10),
    ShopProfile(48_105_004, 71_000_004, "BrightonPrints", "GBP", "GB", "vat", 0.20),
)

# Two processing profiles per shop: "ready to ship" and "made to order".
READINESS_STATES = (
    ("ready_to_ship", 1, 3, "1-3 business days"),
    ("made_to_order", 5, 10, "5-10 business days"),
)

PRODUCTS = (
    # title, base price in major units, variations?
    ("Hand-knitted merino wool scarf", 45.0, True),
    ("Ceramic coffee mug - speckled glaze", 28.0, True),
    ("Personalised leather keychain", 15.5, False),
    ("Washi paper notebook (A5)", 12.0, False),
    ("Botanical art print 30x40 cm", 22.0, True),
    ("Sterling silver stacking ring", 39.0, True),
    ("Beeswax candle set of 3", 18.0, False),
    ("Linen tote bag - natural", 24.0, False),
)
COLORS = ((1213, "Black"), (1214, "Blue"), (1219, "Red"), (1220, "Natural"))
SIZES = ((2001, "S"), (2002, "M"), (2003, "L"))

# Buyers abroad as well as at home: US sales tax only applies to US buyers.
BUYER_COUNTRIES = ("US", "US", "US", *sorted(COUNTRIES))
GIFT_MESSAGES = ("Happy birthday! 🎂", "Joyeux Noël, avec tout notre amour", "お誕生日おめでとう")
BUYER_MESSAGES = ("Please ship before Friday if possible.", "Couleur bleue SVP 💙", "")
PAYMENT_METHODS = ("cc", "paypal", "apple_pay", "google_pay", "klarna", "ideal")

# Receipt status mix: (status, is_paid, is_shipped); "completed" means paid and shipped.
STATUS_MIX = (
    ("paid", True, False),
    ("paid", True, False),
    ("paid", True, False),
    ("completed", True, True),
    ("completed", True, True),
    ("open", False, False),
    ("payment processing", False, False),
    ("canceled", False, False),
    ("fully refunded", True, False),
    ("partially refunded", True, True),
)


def divisor(currency):
    return 1 if currency in ZERO_DECIMAL_CURRENCIES else 100


def money(amount, currency):
    """Etsy Money object: integer ``amount`` over ``divisor`` (1 for zero-decimal currencies)."""
    return {"amount": int(amount), "divisor": divisor(currency), "currency_code": currency}


def to_minor(value, currency):
    """Major units (float, as Etsy's write calls take prices) to integer minor units."""
    return int(round_money(value, currency) * divisor(currency))


def _price_minor(rng, base, currency):
    # Shops price in their own currency; JPY prices are whole yen around 150x the USD price.
    if currency == "JPY":
        return int(round(base * 150, -1))
    return to_minor(base * rng.choice((0.9, 1.0, 1.1)), currency)


class EtsyDataGenerator:
    """Deterministic factory for catalogue and receipt records.

    ``ids`` is the owner's id allocator (``kind -> next int``); keeping ids outside the
    generator means receipts generated later (``add_receipts``) never collide with records
    created through the API.
    """

    def __init__(self, seed, ids):
        self.rng = random.Random(f"etsy-{seed}")
        self.people = DataGenerator(self.rng)  # core's unicode names and addresses
        self.ids = ids

    # -- catalogue -------------------------------------------------------------------------

    def readiness_states(self, shop):
        return [
            {
                "shop_id": shop.shop_id,
                "readiness_state_id": self.ids("readiness_state"),
                "readiness_state": state,
                "min_processing_days": low,
                "max_processing_days": high,
                "processing_days_display_label": label,
            }
            for state, low, high, label in READINESS_STATES
        ]

    def shipping_profiles(self, shop):
        return [
            {
                "shipping_profile_id": self.ids("shipping_profile"),
                "title": title,
                "user_id": shop.user_id,
                "origin_country_iso": shop.country_iso,
                "is_deleted": False,
                "shipping_profile_destinations": [],
                "shipping_profile_upgrades": [],
                "origin_postal_code": None,
                "profile_type": "manual",
                "domestic_handling_fee": 0,
                "international_handling_fee": 0,
            }
            for title in ("Standard", "Express")
        ]

    def listing(self, shop, now, readiness_id, shipping_profile_id, index):
        """A seeded active listing plus its inventory as an ``updateListingInventory`` body.

        The owner stores the inventory through the same code path as the PUT call, so seeded
        and API-written inventories cannot drift apart. Listing quantity and price are
        recomputed from the inventory by the owner.
        """
        rng = self.rng
        title, base, has_variations = PRODUCTS[index % len(PRODUCTS)]
        listing_id = self.ids("listing")
        sku_root = f"{shop.name[:4].upper()}-{index + 1:03d}"
        price = _price_minor(rng, base, shop.currency)
        if has_variations:
            variants = [
                [(PROP_COLOR, "Primary color", color), (PROP_SIZE, "Size", size)]
                for color in rng.sample(COLORS, 2)
                for size in rng.sample(SIZES, 2)
            ]
        else:
            variants = [[]]
        products = []
        for n, props in enumerate(variants):
            products.append(
                {
                    "sku": f"{sku_root}-{n + 1}" if props else sku_root,
                    "property_values": [
                        {
                            "property_id": pid,
                            "property_name": pname,
                            "scale_id": None,
                            "scale_name": None,
                            "value_ids": [value[0]],
                            "values": [value[1]],
                        }
                        for pid, pname, value in props
                    ],
                    "offerings": [
                        {
                            # Float in major units: the shape updateListingInventory takes.
                            "price": price / divisor(shop.currency),
                            "quantity": rng.randint(0, 25) if n else rng.randint(1, 25),
                            "is_enabled": True,
                            "readiness_state_id": readiness_id,
                        }
                    ],
                }
            )
        created = now - rng.randint(30, 400) * 86400
        listing = {
            "listing_id": listing_id,
            "user_id": shop.user_id,
            "shop_id": shop.shop_id,
            "title": title,
            "description": f"{title}. Made with care by {shop.name}.",
            "state": "active",
            "creation_timestamp": created,
            "created_timestamp": created,
            "ending_timestamp": created + 120 * 86400,
            "original_creation_timestamp": created,
            "last_modified_timestamp": created,
            "updated_timestamp": created,
            "state_timestamp": created,
            "quantity": 0,
            "shop_section_id": None,
            "featured_rank": -1,
            "url": f"https://www.etsy.com/listing/{listing_id}",
            "num_favorers": rng.randint(0, 500),
            "non_taxable": False,
            "is_taxable": True,
            "is_customizable": True,
            "is_personalizable": False,
            "personalization_is_required": False,
            "personalization_char_count_max": None,
            "personalization_instructions": None,
            "listing_type": "physical",
            "tags": ["handmade", "gift"],
            "materials": [],
            "shipping_profile_id": shipping_profile_id,
            "return_policy_id": None,
            "processing_min": None,
            "processing_max": None,
            "who_made": "i_did",
            "when_made": "made_to_order",
            "is_supply": False,
            "item_weight": None,
            "item_weight_unit": None,
            "item_length": None,
            "item_width": None,
            "item_height": None,
            "item_dimensions_unit": None,
            "is_private": False,
            "style": [],
            "file_data": "",
            "has_variations": has_variations,
            "should_auto_renew": False,
            "language": "en-US",
            "price": money(price, shop.currency),
            "taxonomy_id": 1,
            "readiness_state_id": readiness_id,
            "suggested_title": None,
        }
        inventory = {
            "products": products,
            "price_on_property": [],
            "quantity_on_property": [PROP_COLOR, PROP_SIZE] if has_variations else [],
            "sku_on_property": [PROP_COLOR, PROP_SIZE] if has_variations else [],
            "readiness_state_on_property": [],
        }
        return listing, inventory

    # -- receipts --------------------------------------------------------------------------

    def receipt(self, shop, now, catalogue, created=None):
        """One receipt for ``shop``.

        ``catalogue`` is a list of ``(listing, product)`` pairs the buyer can pick from, where
        ``product`` is a stored inventory product (its ``offerings[0].price`` is a Money).
        ``created`` pins the creation time (a new order arriving now); by default the receipt
        is up to 30 days old.
        """
        rng = self.rng
        cur = shop.currency
        status, is_paid, is_shipped = rng.choice(STATUS_MIX)
        address = self.people.address(rng.choice(BUYER_COUNTRIES), phone=False)
        name, country = address["name"], address["country"]
        if created is None:
            created = now - rng.randint(3600, 30 * 86400)
            updated = min(now, created + rng.choice((0, 0, 600, 86400, 3 * 86400)))
        else:
            updated = created
        receipt_id = self.ids("receipt")
        buyer_id = 90_000_000 + rng.randint(1, 999_999)
        transactions = []
        lines = rng.choice((1, 1, 2, 3, 4))
        for _ in range(lines):
            transactions.append(
                self._transaction(shop, created, receipt_id, buyer_id, rng.choice(catalogue))
            )
        total_price = sum(t["price"]["amount"] * t["quantity"] for t in transactions)
        total_shipping = sum(t["shipping_cost"]["amount"] for t in transactions)
        # Percentage shop coupon on a third of the receipts; free-shipping coupons are not
        # part of discount_amt (spec), so they simply zero the shipping.
        discount = 0
        coupon = rng.random()
        if coupon < 0.25:
            pct = rng.choice((10, 15, 20))
            discount = total_price * pct // 100
            for t in transactions:
                # Per-line coupon share, a float in major units as the spec describes.
                line = t["price"]["amount"] * t["quantity"]
                t["shop_coupon"] = round(line * pct / 100) / divisor(cur)
        elif coupon < 0.33:
            total_shipping = 0
            for t in transactions:
                t["shipping_cost"] = money(0, cur)
        subtotal = total_price - discount
        taxable = subtotal + total_shipping
        tax = vat = 0
        if shop.tax_kind == "sales_tax" and country == "US":
            tax = round(taxable * shop.tax_rate)
        elif shop.tax_kind == "vat":
            vat = round(taxable * shop.tax_rate)
        is_gift = rng.random() < 0.2
        gift_wrap = _price_minor(rng, 4.0, cur) if is_gift and rng.random() < 0.5 else 0
        grand = subtotal + total_shipping + tax + vat + gift_wrap
        address_lines = (
            name,
            address["line1"],
            address["line2"],
            f"{address['city']} {address['region'] or ''} {address['postal_code']}",
            country,
        )
        receipt = {
            "receipt_id": receipt_id,
            "receipt_type": 0,
            "seller_user_id": shop.user_id,
            "seller_email": f"{shop.name.lower()}@example.com",
            "buyer_user_id": buyer_id,
            # Etsy withholds the e-mail for many buyers.
            "buyer_email": self.people.email("example.net") if rng.random() < 0.6 else None,
            "name": name,
            "first_line": address["line1"],
            "second_line": address["line2"],  # None for many buyers
            "city": address["city"],
            "state": address["region"],
            "zip": address["postal_code"],
            "status": status,
            "formatted_address": "\n".join(
                " ".join(line.split()) for line in address_lines if line
            ),
            "country_iso": country,
            "payment_method": rng.choice(PAYMENT_METHODS),
            "payment_email": None,
            "message_from_seller": None,
            "message_from_buyer": rng.choice(BUYER_MESSAGES) or None,
            "message_from_payment": None,
            "is_paid": is_paid,
            "is_shipped": is_shipped,
            "create_timestamp": created,
            "created_timestamp": created,
            "update_timestamp": updated,
            "updated_timestamp": updated,
            "is_gift": is_gift,
            "gift_message": rng.choice(GIFT_MESSAGES) if is_gift else "",
            "gift_sender": name.split()[0] if is_gift else "",
            "grandtotal": money(grand, cur),
            "subtotal": money(subtotal, cur),
            "total_price": money(total_price, cur),
            "total_shipping_cost": money(total_shipping, cur),
            "total_tax_cost": money(tax, cur),
            "total_vat_cost": money(vat, cur),
            "discount_amt": money(discount, cur),
            "gift_wrap_price": money(gift_wrap, cur),
            "shipments": [],
            "transactions": transactions,
            "refunds": [],
        }
        if is_paid:
            for t in transactions:
                t["paid_timestamp"] = created + 60
        if is_shipped:
            self._ship(receipt, updated)
        if status.endswith("refunded"):
            refunded = grand if status == "fully refunded" else grand // 3
            receipt["refunds"].append(
                {
                    "amount": money(refunded, cur),
                    "created_timestamp": updated,
                    "reason": "Item damaged" if refunded != grand else "Order canceled by buyer",
                    "note_from_issuer": None,
                    "status": "COMPLETED",
                }
            )
        return receipt

    def _ship(self, receipt, when):
        rng = self.rng
        carrier = rng.choice(("USPS", "Royal Mail", "DHL", "Japan Post", "Colissimo"))
        receipt["shipments"].append(
            {
                "receipt_shipping_id": self.ids("shipment"),
                "shipment_notification_timestamp": when,
                "carrier_name": carrier,
                "tracking_code": f"TRK{rng.randint(10**9, 10**10 - 1)}",
            }
        )
        for t in receipt["transactions"]:
            t["shipped_timestamp"] = when

    def _transaction(self, shop, created, receipt_id, buyer_id, pick):
        rng = self.rng
        listing, product = pick
        cur = shop.currency
        unit = product["offerings"][0]["price"]["amount"]
        variations = [
            {
                "property_id": pv["property_id"],
                "value_id": pv["value_ids"][0],
                "formatted_name": pv["property_name"],
                "formatted_value": pv["values"][0],
            }
            for pv in product["property_values"]
        ]
        if rng.random() < 0.15:
            # Personalisation arrives as a variation without value_id.
            variations.append(
                {
                    "property_id": PROP_PERSONALIZATION,
                    "value_id": None,
                    "formatted_name": "Personalization",
                    "formatted_value": rng.choice(("Für Oma ❤", "J.D. 2026", "Léa")),
                }
            )
        sku = product["sku"]
        listing_id = listing["listing_id"]
        product_id = product.get("product_id")
        roll = rng.random()
        if roll < 0.07:
            # Listing edited or deleted since: the SKU matches nothing in the catalogue.
            sku = f"LEGACY-{rng.randint(1000, 9999)}"
            listing_id = self.ids("listing")
            product_id = None
        elif roll < 0.1:
            sku = None  # listing without SKU; must never match a product without reference
        shipping = _price_minor(rng, rng.choice((3.5, 4.9, 6.0)), cur)
        return {
            "transaction_id": self.ids("transaction"),
            "title": listing["title"],
            "description": listing["description"],
            "seller_user_id": shop.user_id,
            "buyer_user_id": buyer_id,
            "create_timestamp": created,
            "created_timestamp": created,
            "paid_timestamp": None,
            "shipped_timestamp": None,
            "quantity": rng.choice((1, 1, 1, 2, 3, 5)),
            "listing_image_id": None,
            "receipt_id": receipt_id,
            "is_digital": False,
            "file_data": "",
            "listing_id": listing_id,
            "transaction_type": "listing",
            "product_id": product_id,
            "sku": sku,
            "price": money(unit, cur),
            "shipping_cost": money(shipping, cur),
            "variations": variations,
            "product_data": [
                {k: pv[k] for k in ("property_id", "property_name", "value_ids", "values")}
                for pv in product["property_values"]
            ],
            "shipping_profile_id": listing["shipping_profile_id"],
            "min_processing_days": 1,
            "max_processing_days": 3,
            "shipping_method": None,
            "shipping_upgrade": None,
            "expected_ship_date": created + 3 * 86400,
            "buyer_coupon": 0.0,
            "shop_coupon": 0.0,
        }
