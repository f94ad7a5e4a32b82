"""In-memory Etsy shop data and the business rules of the simulated operations.

Pure data and rules: no HTTP here. Methods take already-unmarshalled parameters, return
JSON-ready dicts (deep copies, so an in-process client cannot mutate the store) and raise
``EtsyError`` with Etsy's messages.
"""

import copy
import itertools
import threading

from .datagen import DEFAULT_SHOPS, PROP_SIZE, EtsyDataGenerator, money, to_minor
from .errors import EtsyError, not_found

# Where each id sequence starts: realistic magnitudes, and distinct so a receipt id can
# never be mistaken for a listing id in a connector test.
ID_BASES = {
    "listing": 1_600_000_001,
    "product": 12_000_000_001,
    "offering": 13_000_000_001,
    "receipt": 3_500_000_001,
    "transaction": 4_100_000_001,
    "shipment": 1_000_000_001,
    "readiness_state": 1_300_001,
    "shipping_profile": 200_000_001,
}

SORT_KEYS = {
    "created": "create_timestamp",
    "updated": "update_timestamp",
    "receipt_id": "receipt_id",
}
# getListingsByShop's sort_on values; "score" only means something for keyword searches,
# which this operation has not, so it sorts like "created".
LISTING_SORT_KEYS = {
    "created": lambda listing: listing["created_timestamp"],
    "updated": lambda listing: listing["updated_timestamp"],
    "price": lambda listing: listing["price"]["amount"],
    "score": lambda listing: listing["created_timestamp"],
}
DESCENDING = {"desc", "descending", "down"}
ON_PROPERTY_FIELDS = (
    ("price_on_property", "price"),
    ("quantity_on_property", "quantity"),
    ("sku_on_property", "sku"),
    ("readiness_state_on_property", "readiness_state_id"),
)
MIN_PRICE, MAX_PRICE = 0.2, 50_000.0
MAX_QUANTITY = 999
# Size values of seeded variation listings (value ids 2001... as datagen's SIZES).
SEED_SIZES = ("S", "M", "L", "XL", "XXL", "3XL")

# Carriers Etsy suggests per origin country (getShippingCarriers); others get the global list.
CARRIERS = {
    "US": ("USPS", "UPS", "FedEx", "DHL Express"),
    "GB": ("Royal Mail", "DPD", "Evri", "DHL Express"),
    "FR": ("Colissimo", "Chronopost", "DHL Express"),
    "JP": ("Japan Post", "Yamato Transport", "Sagawa Express"),
}
GLOBAL_CARRIERS = ("DHL Express", "FedEx", "UPS")
CARRIER_IDS = {
    name: 1001 + index
    for index, name in enumerate(sorted({n for names in CARRIERS.values() for n in names}))
}


# Fields updateListing copies as sent (price and quantity live in the inventory).
UPDATABLE_FIELDS = (
    "title",
    "description",
    "materials",
    "should_auto_renew",
    "shipping_profile_id",
    "return_policy_id",
    "shop_section_id",
    "item_weight",
    "item_length",
    "item_width",
    "item_height",
    "item_weight_unit",
    "item_dimensions_unit",
    "is_taxable",
    "taxonomy_id",
    "tags",
    "who_made",
    "when_made",
    "featured_rank",
    "is_personalizable",
    "personalization_is_required",
    "personalization_char_count_max",
    "personalization_instructions",
    "is_supply",
)


class EtsyState:
    """Shops, listings, inventories and receipts of one simulated Etsy application."""

    def __init__(
        self, clock, seed=0, shops=DEFAULT_SHOPS, listings_per_shop=6, receipts_per_shop=30
    ):
        self.clock = clock
        self.seed = seed
        self._counters = {kind: itertools.count(base) for kind, base in ID_BASES.items()}
        self._lock = threading.RLock()
        self.gen = EtsyDataGenerator(seed, self.next_id)
        self.shops = {shop.shop_id: shop for shop in shops}
        self.readiness = {}  # shop_id -> [ShopProcessingProfile]
        self.shipping_profiles = {}  # shop_id -> [ShopShippingProfile]
        self.listings = {}  # listing_id -> ShopListing
        self.inventories = {}  # listing_id -> stored ListingInventory (+ deleted products)
        self.receipts = {}  # receipt_id -> ShopReceipt
        self.receipt_shop = {}  # receipt_id -> shop_id
        self.delivered = set()  # receipt ids the carrier reported delivered
        now = int(clock.now())
        for shop in self.shops.values():
            self._seed_shop(shop, now, listings_per_shop, receipts_per_shop)

    def next_id(self, kind):
        return next(self._counters[kind])

    def _seed_shop(self, shop, now, listings, receipts):
        self.readiness[shop.shop_id] = self.gen.readiness_states(shop)
        self.shipping_profiles[shop.shop_id] = self.gen.shipping_profiles(shop)
        ready_id = self.readiness[shop.shop_id][0]["readiness_state_id"]
        profile_id = self.shipping_profiles[shop.shop_id][0]["shipping_profile_id"]
        for index in range(listings):
            listing, inventory = self.gen.listing(shop, now, ready_id, profile_id, index)
            self.listings[listing["listing_id"]] = listing
            self._store_inventory(listing, inventory, now)
        self.add_receipts(shop.shop_id, receipts, now=now, seeding=True)

    # -- lookups -------------------------------------------------------------------------------

    def shop(self, shop_id):
        shop = self.shops.get(shop_id)
        if shop is None:
            raise not_found("Shop", shop_id)
        return shop

    def shop_of_user(self, user_id):
        return next((s for s in self.shops.values() if s.user_id == user_id), None)

    def _listing(self, listing_id, shop_id=None):
        listing = self.listings.get(listing_id)
        if listing is None or (shop_id is not None and listing["shop_id"] != shop_id):
            raise not_found("Listing", listing_id)
        return listing

    def _receipt(self, shop_id, receipt_id):
        self.shop(shop_id)
        if self.receipt_shop.get(receipt_id) != shop_id:
            raise not_found("Receipt", receipt_id)
        return self.receipts[receipt_id]

    def listing_shop_id(self, listing_id):
        return self._listing(listing_id)["shop_id"]

    # -- receipts ------------------------------------------------------------------------------

    def add_receipts(self, shop_id, count, now=None, seeding=False):
        """Generate ``count`` receipts (control API: "new orders arrive").

        Seeded receipts are spread over the last 30 days; later ones are created now, so
        an incremental import with ``min_last_modified`` must pick exactly them up.
        """
        with self._lock:
            shop = self.shop(shop_id)
            now = int(self.clock.now()) if now is None else now
            catalogue = [
                (listing, product)
                for listing in self.listings.values()
                if listing["shop_id"] == shop_id
                for product in self.inventories[listing["listing_id"]]["products"]
            ]
            created = []
            for _ in range(count):
                receipt = self.gen.receipt(shop, now, catalogue, created=None if seeding else now)
                self.receipts[receipt["receipt_id"]] = receipt
                self.receipt_shop[receipt["receipt_id"]] = shop_id
                created.append(receipt["receipt_id"])
            return created

    def touch_receipt(self, receipt_id, **changes):
        """Control API: change a receipt as Etsy would (e.g. status) and bump its timestamp."""
        with self._lock:
            receipt = self.receipts[receipt_id]
            receipt.update(changes)
            self._bump(receipt)
            return copy.deepcopy(receipt)

    def _bump(self, receipt):
        now = int(self.clock.now())
        receipt["update_timestamp"] = receipt["updated_timestamp"] = now
        return now

    def find_receipts(self, shop_id, params):
        """getShopReceipts: filters, sort and paging; ``count`` is the number of matches."""
        self.shop(shop_id)
        checks = [
            ("min_created", lambda r, v: r["create_timestamp"] >= v),
            ("max_created", lambda r, v: r["create_timestamp"] <= v),
            ("min_last_modified", lambda r, v: r["update_timestamp"] >= v),
            ("max_last_modified", lambda r, v: r["update_timestamp"] <= v),
            ("was_paid", lambda r, v: r["is_paid"] is v),
            ("was_shipped", lambda r, v: r["is_shipped"] is v),
            ("was_delivered", lambda r, v: (r["receipt_id"] in self.delivered) is v),
            ("was_canceled", lambda r, v: (r["status"] == "canceled") is v),
        ]
        active = [(check, params[name]) for name, check in checks if params.get(name) is not None]
        with self._lock:
            matches = [
                r
                for rid, r in self.receipts.items()
                if self.receipt_shop[rid] == shop_id and all(c(r, v) for c, v in active)
            ]
            key = SORT_KEYS[params.get("sort_on") or "created"]
            descending = (params.get("sort_order") or "desc") in DESCENDING
            # receipt_id breaks ties so pages never overlap when timestamps are equal.
            matches.sort(key=lambda r: (r[key], r["receipt_id"]), reverse=descending)
            offset, limit = params.get("offset") or 0, params.get("limit") or 25
            page = matches[offset : offset + limit]
            return {"count": len(matches), "results": copy.deepcopy(page)}

    def get_receipt(self, shop_id, receipt_id):
        with self._lock:
            return copy.deepcopy(self._receipt(shop_id, receipt_id))

    def receipt_transactions(self, shop_id, receipt_id):
        with self._lock:
            transactions = self._receipt(shop_id, receipt_id)["transactions"]
            return {"count": len(transactions), "results": copy.deepcopy(transactions)}

    def create_shipment(self, shop_id, receipt_id, form):
        """createReceiptShipment: store tracking, mark the receipt shipped."""
        tracking, carrier = form.get("tracking_code"), form.get("carrier_name")
        if bool(tracking) != bool(carrier):
            raise EtsyError(400, "tracking_code and carrier_name must be provided together")
        with self._lock:
            receipt = self._receipt(shop_id, receipt_id)
            if receipt["status"] == "canceled":
                raise EtsyError(409, "Cannot submit tracking for a canceled receipt")
            if not receipt["is_paid"]:
                raise EtsyError(409, "Cannot submit tracking for an unpaid receipt")
            now = self._bump(receipt)
            receipt["shipments"].append(
                {
                    "receipt_shipping_id": self.next_id("shipment"),
                    "shipment_notification_timestamp": now,
                    "carrier_name": carrier or "",
                    "tracking_code": tracking or "",
                }
            )
            receipt["is_shipped"] = True
            if receipt["status"] == "paid":
                receipt["status"] = "completed"
            for transaction in receipt["transactions"]:
                transaction["shipped_timestamp"] = transaction["shipped_timestamp"] or now
            return copy.deepcopy(receipt)

    # -- listings and inventory ----------------------------------------------------------------

    def _check_readiness(self, shop_id, readiness_id, listing_type):
        if readiness_id is None:
            if listing_type == "download":
                return
            raise EtsyError(400, "A readiness_state_id is required for physical listings.")
        known = {r["readiness_state_id"] for r in self.readiness[shop_id]}
        if readiness_id not in known:
            raise EtsyError(400, f"readiness_state_id {readiness_id} does not exist in this shop")

    def _check_offering(self, offering):
        if not MIN_PRICE <= offering["price"] <= MAX_PRICE:
            raise EtsyError(
                400, f"Offering price must be between {MIN_PRICE:.2f} and {MAX_PRICE:.2f}"
            )
        if not 0 <= offering["quantity"] <= MAX_QUANTITY:
            raise EtsyError(400, f"Offering quantity must be between 0 and {MAX_QUANTITY}")

    def _validate_inventory(self, listing, body):
        products = body["products"]
        if not products:
            raise EtsyError(400, "products must contain at least one product")
        used_props = set()
        combos = set()
        for product in products:
            if len(product["offerings"]) != 1:
                raise EtsyError(400, "Each product must have exactly one offering")
            offering = product["offerings"][0]
            self._check_offering(offering)
            self._check_readiness(
                listing["shop_id"], offering.get("readiness_state_id"), listing["listing_type"]
            )
            props = tuple(
                (pv["property_id"], tuple(pv["value_ids"]))
                for pv in product.get("property_values") or []
            )
            if props in combos:
                raise EtsyError(400, "Products must have unique property value combinations")
            combos.add(props)
            used_props.update(p for p, _ in props)
        if not any(p["offerings"][0]["quantity"] > 0 for p in products):
            raise EtsyError(400, "At least one offering must have a quantity greater than 0")
        for field, attribute in ON_PROPERTY_FIELDS:
            declared = set(body.get(field) or [])
            if not declared <= used_props:
                raise EtsyError(400, f"{field} refers to properties the products do not have")
            if declared:
                continue
            # A value may differ between products only along a declared property.
            seen = {
                (p.get("sku") or "") if attribute == "sku" else p["offerings"][0].get(attribute)
                for p in products
            }
            if len(seen) > 1:
                raise EtsyError(
                    400, f"All products must have the same {attribute} when {field} is empty"
                )

    def _store_inventory(self, listing, body, now):
        """Replace the whole inventory: every product and offering gets a NEW id, as on Etsy,
        so a connector must match products by SKU/properties, never by a cached product_id.
        Products left out of the body are deleted (kept only for ``show_deleted``)."""
        currency = self.shops[listing["shop_id"]].currency
        old = self.inventories.get(listing["listing_id"])
        deleted = []
        if old:
            for product in old["products"]:
                gone = copy.deepcopy(product)
                gone["is_deleted"] = True
                for offering in gone["offerings"]:
                    offering["is_deleted"] = True
                deleted.append(gone)
            deleted.extend(old["deleted"])
        products = [
            {
                "product_id": self.next_id("product"),
                "sku": product.get("sku") or "",
                "is_deleted": False,
                "offerings": [
                    {
                        "offering_id": self.next_id("offering"),
                        "quantity": offering["quantity"],
                        "is_enabled": offering["is_enabled"],
                        "is_deleted": False,
                        "price": money(to_minor(offering["price"], currency), currency),
                        "readiness_state_id": offering.get("readiness_state_id"),
                    }
                    for offering in product["offerings"]
                ],
                "property_values": [
                    {
                        "property_id": pv["property_id"],
                        "property_name": pv.get("property_name"),
                        "scale_id": pv.get("scale_id"),
                        "scale_name": pv.get("scale_name"),
                        "value_ids": list(pv["value_ids"]),
                        "values": list(pv["values"]),
                    }
                    for pv in product.get("property_values") or []
                ],
            }
            for product in body["products"]
        ]
        self.inventories[listing["listing_id"]] = {
            "products": products,
            "deleted": deleted,
            **{field: list(body.get(field) or []) for field, _ in ON_PROPERTY_FIELDS},
        }
        # The listing's quantity is the sum of enabled offerings, its price the lowest one.
        enabled = [o for p in products for o in p["offerings"] if o["is_enabled"]]
        listing["quantity"] = sum(o["quantity"] for o in enabled)
        if enabled:
            cheapest = min(enabled, key=lambda o: o["price"]["amount"])
            listing["price"] = copy.deepcopy(cheapest["price"])
        listing["has_variations"] = any(p["property_values"] for p in products)
        listing["last_modified_timestamp"] = listing["updated_timestamp"] = now

    def _inventory_payload(self, listing_id, show_deleted=False):
        stored = self.inventories[listing_id]
        products = stored["products"] + (stored["deleted"] if show_deleted else [])
        return {
            "products": copy.deepcopy(products),
            **{field: list(stored[field]) for field, _ in ON_PROPERTY_FIELDS},
        }

    def get_inventory(self, listing_id, show_deleted=False, include_listing=False):
        with self._lock:
            listing = self._listing(listing_id)
            payload = self._inventory_payload(listing_id, show_deleted)
            if include_listing:
                payload["listing"] = copy.deepcopy(listing)
            return payload

    def update_inventory(self, listing_id, body):
        """updateListingInventory: validate everything first, then replace atomically."""
        with self._lock:
            listing = self._listing(listing_id)
            self._validate_inventory(listing, body)
            self._store_inventory(listing, body, int(self.clock.now()))
            return self._inventory_payload(listing_id)

    def find_listings(self, shop_id, params):
        """getListingsByShop: one ``state`` (default active), sort and paging; ``count`` is the
        number of matches. ``skus`` lists the products' SKUs (the caller owns the shop), and
        ``includes=Inventory`` attaches the inventory; other associations are not simulated."""
        self.shop(shop_id)
        state = params.get("state") or "active"
        with self._lock:
            matches = [
                listing
                for listing in self.listings.values()
                if listing["shop_id"] == shop_id and listing["state"] == state
            ]
            key = LISTING_SORT_KEYS[params.get("sort_on") or "created"]
            descending = (params.get("sort_order") or "desc") in DESCENDING
            # listing_id breaks ties so pages never overlap when the sort key is equal.
            matches.sort(
                key=lambda listing: (key(listing), listing["listing_id"]), reverse=descending
            )
            offset, limit = params.get("offset") or 0, params.get("limit") or 25
            results = []
            for listing in matches[offset : offset + limit]:
                row = copy.deepcopy(listing)
                products = self.inventories[listing["listing_id"]]["products"]
                # Without sku_on_property every product carries the same SKU: listed once.
                row["skus"] = list(dict.fromkeys(p["sku"] for p in products if p["sku"]))
                if "Inventory" in (params.get("includes") or []):
                    row["inventory"] = self._inventory_payload(listing["listing_id"])
                results.append(row)
            return {"count": len(matches), "results": results}

    def _new_listing(self, shop, form, listing_type, now):
        """A new listing record (state ``draft``) from createDraftListing's typed form."""
        listing_id = self.next_id("listing")
        return {
            "listing_id": listing_id,
            "user_id": shop.user_id,
            "shop_id": shop.shop_id,
            "title": form["title"],
            "description": form["description"],
            "state": "draft",
            "creation_timestamp": now,
            "created_timestamp": now,
            "ending_timestamp": now + 120 * 86400,
            "original_creation_timestamp": now,
            "last_modified_timestamp": now,
            "updated_timestamp": now,
            "state_timestamp": now,
            "quantity": form["quantity"],
            "shop_section_id": form.get("shop_section_id"),
            "featured_rank": -1,
            "url": f"https://www.etsy.com/listing/{listing_id}",
            "num_favorers": 0,
            "non_taxable": not form.get("is_taxable", True),
            "is_taxable": form.get("is_taxable", True),
            "is_customizable": form.get("is_customizable", True),
            "is_personalizable": form.get("is_personalizable", False),
            "personalization_is_required": form.get("personalization_is_required", False),
            "personalization_char_count_max": form.get("personalization_char_count_max"),
            "personalization_instructions": form.get("personalization_instructions"),
            "listing_type": listing_type,
            "tags": list(form.get("tags") or []),
            "materials": list(form.get("materials") or []),
            "shipping_profile_id": form.get("shipping_profile_id"),
            "return_policy_id": form.get("return_policy_id"),
            "processing_min": form.get("processing_min"),
            "processing_max": form.get("processing_max"),
            "who_made": form["who_made"],
            "when_made": form["when_made"],
            "is_supply": form.get("is_supply", False),
            "item_weight": form.get("item_weight"),
            "item_weight_unit": form.get("item_weight_unit"),
            "item_length": form.get("item_length"),
            "item_width": form.get("item_width"),
            "item_height": form.get("item_height"),
            "item_dimensions_unit": form.get("item_dimensions_unit"),
            "is_private": False,
            "style": list(form.get("styles") or []),
            "file_data": "",
            "has_variations": False,
            "should_auto_renew": form.get("should_auto_renew", False),
            "language": "en-US",
            "price": money(to_minor(form["price"], shop.currency), shop.currency),
            "taxonomy_id": form["taxonomy_id"],
            "readiness_state_id": form.get("readiness_state_id"),
            "suggested_title": None,
        }

    def create_draft_listing(self, shop_id, form):
        with self._lock:
            shop = self.shop(shop_id)
            listing_type = form.get("type") or "physical"
            if form["quantity"] < 1:
                raise EtsyError(400, "quantity must be a positive non-zero integer")
            if form["price"] <= 0:
                raise EtsyError(400, "price must be a positive non-zero number")
            if listing_type != "download":
                profiles = {p["shipping_profile_id"] for p in self.shipping_profiles[shop_id]}
                if form.get("shipping_profile_id") is None:
                    raise EtsyError(400, "A shipping_profile_id is required for physical listings.")
                if form["shipping_profile_id"] not in profiles:
                    raise EtsyError(
                        400, f"shipping_profile_id {form['shipping_profile_id']} does not exist"
                    )
            self._check_readiness(shop_id, form.get("readiness_state_id"), listing_type)
            now = int(self.clock.now())
            listing = self._new_listing(shop, form, listing_type, now)
            listing_id = listing["listing_id"]
            self.listings[listing_id] = listing
            # A draft starts with one product carrying the listing's price and quantity.
            self._store_inventory(
                listing,
                {
                    "products": [
                        {
                            "sku": "",
                            "property_values": [],
                            "offerings": [
                                {
                                    "price": form["price"],
                                    "quantity": form["quantity"],
                                    "is_enabled": True,
                                    "readiness_state_id": form.get("readiness_state_id"),
                                }
                            ],
                        }
                    ]
                },
                now,
            )
            return copy.deepcopy(listing)

    # -- seeding (control calls) ---------------------------------------------------------------

    def seed_listings(self, shop_id, skus, quantity=1, price=10.0):
        """Control call: one active physical listing per SKU, one product carrying the SKU
        and one enabled offering; the records createDraftListing, updateListingInventory
        and updateListing (``state=active``) would leave. Returns ``{sku: listing_id}``."""
        _check_skus(skus)
        if not skus:
            return {}
        with self._lock:
            shop = self.shop(shop_id)
            bodies = [
                {"products": [self._seed_product(shop_id, sku, quantity, price)]} for sku in skus
            ]
            self._validate_inventory({"shop_id": shop_id, "listing_type": "physical"}, bodies[0])
            now = int(self.clock.now())
            return {
                sku: self._seed_listing(shop, body, f"Item {sku}", now)
                for sku, body in zip(skus, bodies, strict=True)
            }

    def seed_variation_listing(self, shop_id, skus, quantities, price=10.0):
        """Control call: one active listing with one product per SKU, varying by size
        (S, M, L, ... then "Size 7"...); quantity and SKU on the property, one price.
        Returns the listing id."""
        _check_skus(skus)
        if not skus:
            raise ValueError("a variation listing needs at least one SKU")
        if isinstance(quantities, int | str) or len(quantities) != len(skus):
            raise ValueError("quantities must be a list as long as skus")
        with self._lock:
            shop = self.shop(shop_id)
            products = []
            for index, (sku, quantity) in enumerate(zip(skus, quantities, strict=True)):
                product = self._seed_product(shop_id, sku, quantity, price)
                name = SEED_SIZES[index] if index < len(SEED_SIZES) else f"Size {index + 1}"
                product["property_values"] = [
                    {
                        "property_id": PROP_SIZE,
                        "property_name": "Size",
                        "scale_id": None,
                        "scale_name": None,
                        "value_ids": [2001 + index],
                        "values": [name],
                    }
                ]
                products.append(product)
            body = {
                "products": products,
                "price_on_property": [],
                "quantity_on_property": [PROP_SIZE],
                "sku_on_property": [PROP_SIZE],
                "readiness_state_on_property": [],
            }
            self._validate_inventory({"shop_id": shop_id, "listing_type": "physical"}, body)
            return self._seed_listing(shop, body, f"Item {skus[0]}", int(self.clock.now()))

    def _seed_product(self, shop_id, sku, quantity, price):
        """An updateListingInventory product: the shop's first readiness state."""
        if isinstance(quantity, bool) or not isinstance(quantity, int):
            raise ValueError(f"quantity must be an integer, not {quantity!r}")
        if isinstance(price, bool) or not isinstance(price, int | float):
            raise ValueError(f"price must be a number, not {price!r}")
        ready_id = self.readiness[shop_id][0]["readiness_state_id"]
        offering = {
            "price": float(price),
            "quantity": quantity,
            "is_enabled": True,
            "readiness_state_id": ready_id,
        }
        return {"sku": sku, "property_values": [], "offerings": [offering]}

    def _seed_listing(self, shop, inventory, title, now):
        """Store an active listing with an already validated inventory; returns its id."""
        offering = inventory["products"][0]["offerings"][0]
        form = {
            "title": title,
            "description": f"{title}, seeded by the simulator.",
            "quantity": offering["quantity"],
            "price": offering["price"],
            "who_made": "i_did",
            "when_made": "made_to_order",
            "taxonomy_id": 1,
            "shipping_profile_id": self.shipping_profiles[shop.shop_id][0]["shipping_profile_id"],
            "readiness_state_id": offering["readiness_state_id"],
        }
        listing = self._new_listing(shop, form, "physical", now)
        listing["state"] = "active"
        self.listings[listing["listing_id"]] = listing
        self._store_inventory(listing, inventory, now)
        return listing["listing_id"]

    def product_quantity(self, sku):
        """Quantity of the first live product carrying ``sku`` (listing order), or None."""
        with self._lock:
            for listing_id in self.listings:
                for product in self.inventories[listing_id]["products"]:
                    if product["sku"] == sku:
                        return product["offerings"][0]["quantity"]
            return None

    def update_listing(self, shop_id, listing_id, form):
        """updateListing (PATCH): only the fields sent change; ``state`` publishes."""
        with self._lock:
            self.shop(shop_id)
            listing = self._listing(listing_id, shop_id)
            state = form.get("state")
            if state == "active" and listing["quantity"] < 1:
                raise EtsyError(400, "Cannot activate a listing with a quantity of 0")
            if state == "active" and listing["listing_type"] != "download":
                if not listing["shipping_profile_id"]:
                    raise EtsyError(400, "A shipping_profile_id is required for physical listings.")
            now = int(self.clock.now())
            for field in UPDATABLE_FIELDS:
                if field in form:
                    listing[field] = form[field]
            # The PATCH accepts "" for the units and null for the rank; the listing then
            # reads back null units and the "not featured" rank -1.
            for unit in ("item_weight_unit", "item_dimensions_unit"):
                listing[unit] = listing[unit] or None
            if listing["featured_rank"] is None:
                listing["featured_rank"] = -1
            if form.get("type"):
                listing["listing_type"] = form["type"]
            if "styles" in form:
                listing["style"] = list(form["styles"] or [])
            if "is_taxable" in form:
                listing["non_taxable"] = not form["is_taxable"]
            if state and state != listing["state"]:
                listing["state"] = state
                listing["state_timestamp"] = now
            listing["last_modified_timestamp"] = listing["updated_timestamp"] = now
            return copy.deepcopy(listing)

    # -- reference data ------------------------------------------------------------------------

    def readiness_definitions(self, shop_id, limit=25, offset=0):
        with self._lock:
            self.shop(shop_id)
            rows = self.readiness[shop_id]
            return {"count": len(rows), "results": copy.deepcopy(rows[offset : offset + limit])}

    def shop_shipping_profiles(self, shop_id):
        with self._lock:
            self.shop(shop_id)
            rows = self.shipping_profiles[shop_id]
            return {"count": len(rows), "results": copy.deepcopy(rows)}

    @staticmethod
    def shipping_carriers(origin_country_iso):
        names = CARRIERS.get(origin_country_iso.upper(), GLOBAL_CARRIERS)
        results = [
            {
                "shipping_carrier_id": CARRIER_IDS[name],
                "name": name,
                "domestic_classes": [
                    {"mail_class_key": f"{name.lower().replace(' ', '_')}_std", "name": "Standard"}
                ],
                "international_classes": [],
            }
            for name in names
        ]
        return {"count": len(results), "results": results}


def _check_skus(skus):
    if isinstance(skus, str) or not all(isinstance(sku, str) and sku for sku in skus):
        raise ValueError("skus must be a list of non-empty strings")
    if len(set(skus)) != len(skus):
        raise ValueError("skus contains duplicates")
