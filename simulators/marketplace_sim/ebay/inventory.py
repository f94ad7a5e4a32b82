"""Sell Inventory state: inventory items, offers, listings, locations and revision limits.

Behaviour that connectors trip over, reproduced on purpose:
* ``createOrReplaceInventoryItem`` and ``updateOffer`` replace the whole record: a field left
  out is gone.
* ``getOffers``/``getInventoryItems`` take ``offset`` as a *page index*, not a record offset.
* Each live listing may be revised 250 times per day (revisions of the item, the offer or via
  ``bulkUpdatePriceQuantity``); past that the revision is refused until the next day.
* ``bulkUpdatePriceQuantity`` takes at most 25 requests and answers 207 when entries fail.
"""

import copy
import re
import zlib
from decimal import Decimal, InvalidOperation

from ..core.ratelimit import RateLimit
from .errors import EbayError, raise_spec, spec_error
from .orders import MARKETPLACES, CatalogEntry

SKU_PATTERN = re.compile(r"^[\w\-.:/ ]{1,50}$", re.UNICODE)
LOCATION_KEY_PATTERN = re.compile(r"^[A-Za-z0-9_\-]{1,36}$")
MAX_BULK_REQUESTS = 25
REVISIONS_PER_DAY = 250
REVISION_KEY = "listing_revision"
REVISION_LIMIT = RateLimit(rate=1e9, burst=10**9, daily=REVISIONS_PER_DAY)
# [unv] The spec names the limit but not its error: a 25002 user error carrying this text.
REVISION_LIMIT_TEXT = "You have exceeded the limit of 250 revisions per listing per day."
OFFER_FORMATS = ("FIXED_PRICE", "AUCTION")
# What seeded listings (control ``seed_listings``) are filed under.
SEED_LOCATION = "SIM-WH"
SEED_CATEGORY = "20625"
SEED_IMAGE = "https://i.ebayimg.com/images/g/sim/s-l1600.jpg"
LOCALES = {"EBAY_US": "en-US", "EBAY_GB": "en-GB", "EBAY_DE": "de-DE", "EBAY_FR": "fr-FR"}
LOCALES.update(EBAY_IT="it-IT", EBAY_ES="es-ES", EBAY_PL="pl-PL")


def _positive_decimal(amount):
    try:
        value = Decimal(str(amount.get("value")))
    except (InvalidOperation, AttributeError):
        return None
    return value if value > 0 and amount.get("currency") else None


class InventoryState:
    def __init__(self, app, policies):
        self.app = app
        self.policies = policies  # AccountState: publishOffer checks listingPolicies against it
        self.items = {}  # sku -> {"item": InventoryItem body, "locale": str}
        self.offers = {}  # offerId -> EbayOfferDetailsWithAll (without the derived parts)
        self.locations = {}  # merchantLocationKey -> InventoryLocationFull body
        self.groups = {}  # inventoryItemGroupKey -> {"group": InventoryItemGroup, "locale"}
        self._listings = 0  # listings ever created, for listing ids
        # Revisions are counted with core's limiter: one daily bucket per listingId.
        app.limiter.configure(REVISION_KEY, REVISION_LIMIT)

    # ------------------------------------------------------------------ helpers
    def check_sku(self, operation, sku):
        if not SKU_PATTERN.match(sku or ""):
            raise_spec(400, operation, 25707)

    def _item_or_404(self, operation, sku):
        entry = self.items.get(sku)
        if entry is None:
            raise_spec(404, operation, 25710)
        return entry

    def _offer_or_404(self, operation, offer_id):
        offer = self.offers.get(offer_id)
        if offer is None:
            raise_spec(404, operation, 25713, additionalInfo=f"offerId {offer_id}")
        return offer

    def _revise(self, offer):
        """Count one revision of a live listing; None if allowed, else the error dict."""
        if offer.get("status") != "PUBLISHED":
            return None
        listing_id = offer["listing"]["listingId"]
        if self.app.limiter.acquire(listing_id, REVISION_KEY) is None:
            return None
        return spec_error(
            "bulkUpdatePriceQuantity",
            25002,
            REVISION_LIMIT_TEXT,
            additionalInfo=REVISION_LIMIT_TEXT,
        )

    def _revise_or_raise(self, offers):
        for offer in offers:
            error = self._revise(offer)
            if error:
                raise EbayError(400, [error])

    def offers_for_sku(self, sku):
        return [offer for offer in self.offers.values() if offer["sku"] == sku]

    def listing_quantity(self, offer):
        """What the live listing shows: the offer's own quantity, else the item's stock."""
        if "availableQuantity" in offer:
            return offer["availableQuantity"]
        item = self.items.get(offer["sku"], {}).get("item", {})
        return item.get("availability", {}).get("shipToLocationAvailability", {}).get("quantity", 0)

    def catalog_entry(self, offer):
        """What the order generator sells for a live offer (variation data for groups)."""
        product = self.items.get(offer["sku"], {}).get("item", {}).get("product", {})
        price = _positive_decimal(offer.get("pricingSummary", {}).get("price") or {})
        entry = {
            "sku": offer["sku"],
            "title": product.get("title") or offer["sku"],
            "price": price or Decimal(1),
            "legacy_item_id": offer["listing"]["listingId"],
            "marketplace": offer["marketplaceId"],
        }
        group_key = self.group_of(offer["sku"])
        if group_key:
            group = self.groups[group_key]["group"]
            names = [spec["name"] for spec in group.get("variesBy", {}).get("specifications", [])]
            aspects = product.get("aspects") if isinstance(product.get("aspects"), dict) else {}
            entry["title"] = group.get("title") or entry["title"]
            # Stable per SKU, so every sale of one variation carries the same id.
            entry["variation_id"] = str(400000000000 + zlib.crc32(offer["sku"].encode()))
            entry["variation"] = tuple((n, (aspects.get(n) or [""])[0]) for n in names)
        return CatalogEntry(**entry)

    def record_sale(self, sku, listing_id, quantity):
        """A sale on a live listing: stock and the offer's quantity go down, sold count up."""
        for offer in self.offers_for_sku(sku):
            if offer.get("listing", {}).get("listingId") != listing_id:
                continue
            offer["listing"]["soldQuantity"] = offer["listing"].get("soldQuantity", 0) + quantity
            if "availableQuantity" in offer:
                offer["availableQuantity"] = max(0, offer["availableQuantity"] - quantity)
            stock = (
                self.items[sku]["item"].get("availability", {}).get("shipToLocationAvailability")
            )
            if stock is not None:
                stock["quantity"] = max(0, stock.get("quantity", 0) - quantity)

    # ------------------------------------------------------------ inventory items
    def put_item(self, sku, body, locale):
        """createOrReplaceInventoryItem: full replacement; returns True when created."""
        self.check_sku("createOrReplaceInventoryItem", sku)
        created = sku not in self.items
        if not created:
            self._revise_or_raise(self.offers_for_sku(sku))
        self.items[sku] = {"item": copy.deepcopy(body or {}), "locale": locale}
        return created

    def get_item(self, sku):
        entry = self._item_or_404("getInventoryItem", sku)
        return {**copy.deepcopy(entry["item"]), "sku": sku, "locale": entry["locale"]}

    def list_items(self, limit, page):
        skus = sorted(self.items)
        chunk = skus[page * limit : (page + 1) * limit]
        return [self.get_item(sku) for sku in chunk], len(skus)

    # ----------------------------------------------------------------- offers
    def create_offer(self, body):
        operation = "createOffer"
        for field in ("sku", "marketplaceId", "format"):
            if not body.get(field):
                raise_spec(
                    400, operation, 25709, fieldName=field, additionalInfo=f"{field} is required."
                )
        if body["format"] not in OFFER_FORMATS:
            raise_spec(400, operation, 25709, fieldName="format")
        if body["sku"] not in self.items:
            raise_spec(400, operation, 25702, skuValue=body["sku"])
        for offer in self.offers_for_sku(body["sku"]):
            if (offer["marketplaceId"], offer["format"]) == (body["marketplaceId"], body["format"]):
                # eBay answers with the existing offer's id so the client can recover it.
                error = spec_error(operation, 25002, additionalInfo="Offer entity already exists.")
                error["parameters"] = [{"name": "offerId", "value": offer["offerId"]}]
                raise EbayError(400, [error])
        return self._add_offer(copy.deepcopy(body))

    def _add_offer(self, body):
        """Store a new UNPUBLISHED offer (``body`` is kept, not copied); returns its id."""
        number = 5000000000 + len(self.offers) + 1
        while str(number) in self.offers:  # an offer was deleted: len() no longer unique
            number += 1
        offer_id = str(number)
        self.offers[offer_id] = {**body, "offerId": offer_id, "status": "UNPUBLISHED"}
        return offer_id

    def get_offer(self, offer_id):
        offer = copy.deepcopy(self._offer_or_404("getOffer", offer_id))
        if "listing" in offer:
            offer["listing"]["soldQuantity"] = offer["listing"].get("soldQuantity", 0)
        return offer

    def find_offers(self, sku, marketplace_id=None, offer_format=None):
        offers = [
            offer
            for offer in self.offers_for_sku(sku)
            if (not marketplace_id or offer["marketplaceId"] == marketplace_id)
            and (not offer_format or offer["format"] == offer_format)
        ]
        return [self.get_offer(offer["offerId"]) for offer in offers]

    def update_offer(self, offer_id, body):
        """updateOffer: full replacement of the editable part; keys and status stay."""
        offer = self._offer_or_404("updateOffer", offer_id)
        if offer["status"] == "PUBLISHED" and not body.get("listingDescription"):
            # Spec: for published offers listingDescription is required on update.
            raise_spec(
                400,
                "updateOffer",
                25002,
                additionalInfo="listingDescription is required to revise a published offer.",
            )
        self._revise_or_raise([offer])
        kept = {
            key: offer[key]
            for key in ("offerId", "sku", "marketplaceId", "format", "status", "listing")
            if key in offer
        }
        self.offers[offer_id] = {**copy.deepcopy(body), **kept}

    def _check_publishable(self, operation, offer, product):
        """Raise the errors publishing ``offer`` would meet; ``product`` gives title and
        description (the item's own, or the group's for a multiple-variation listing)."""
        item = self.items.get(offer["sku"], {}).get("item", {})
        price = _positive_decimal(offer.get("pricingSummary", {}).get("price") or {})
        required = (
            ("Product.Title", product.get("title")),
            ("Product.Description", product.get("description") or offer.get("listingDescription")),
            ("Item.Condition", item.get("condition")),
            ("Offer.CategoryId", offer.get("categoryId")),
            ("Offer.Price", price),
            ("Offer.MerchantLocationKey", offer.get("merchantLocationKey")),
        )
        missing = [name for name, present in required if not present]
        if missing:
            raise EbayError(
                400,
                [
                    spec_error(
                        operation, 25002, f"{name} is missing.", additionalInfo=f"No {name}."
                    )
                    for name in missing
                ],
            )
        location = offer["merchantLocationKey"]
        if location not in self.locations:
            raise_spec(400, operation, 25012, additionalInfo=f"Location {location} not found.")
        policies = offer.get("listingPolicies") or {}
        for kind in ("fulfillmentPolicyId", "paymentPolicyId", "returnPolicyId"):
            if not self.policies.exists(kind, policies.get(kind), offer["marketplaceId"]):
                raise_spec(400, operation, 25035)
        if self.listing_quantity(offer) <= 0:
            raise_spec(400, operation, 25002, additionalInfo="Quantity must be greater than 0.")

    def _go_live(self, offers):
        """Publish offers as one listing: a live one is revised, else a new listing starts
        (a withdrawn offer published again gets a new listing id)."""
        live = [offer for offer in offers if offer["status"] == "PUBLISHED"]
        if live:
            self._revise_or_raise(live[:1])
            listing_id = live[0]["listing"]["listingId"]
        else:
            self._listings += 1
            listing_id = str(110550000000 + self._listings)
        for offer in offers:
            if offer["status"] != "PUBLISHED":
                offer["status"] = "PUBLISHED"
                offer["listing"] = {
                    "listingId": listing_id,
                    "listingStatus": "ACTIVE",
                    "soldQuantity": 0,
                }
        return listing_id

    def publish_offer(self, offer_id):
        offer = self._offer_or_404("publishOffer", offer_id)
        product = self.items.get(offer["sku"], {}).get("item", {}).get("product", {})
        self._check_publishable("publishOffer", offer, product)
        return self._go_live([offer])

    # ---------------------------------------------------- groups (variations)
    def put_group(self, key, body, locale):
        """createOrReplaceInventoryItemGroup: full replace; returns True when created."""
        operation = "createOrReplaceInventoryItemGroup"
        for sku in body.get("variantSKUs") or []:
            if sku not in self.items:
                raise_spec(400, operation, 25702, skuValue=sku)
        created = key not in self.groups
        if not created:
            self._revise_or_raise(self.group_offers(key, live_only=True)[:1])
        self.groups[key] = {"group": copy.deepcopy(body), "locale": locale}
        return created

    def get_group(self, key):
        entry = self.groups.get(key)
        if entry is None:
            raise_spec(404, "getInventoryItemGroup", 25710)
        return {**copy.deepcopy(entry["group"]), "inventoryItemGroupKey": key}

    def group_offers(self, key, marketplace_id=None, live_only=False):
        skus = self.groups.get(key, {}).get("group", {}).get("variantSKUs") or []
        return [
            offer
            for sku in skus
            for offer in self.offers_for_sku(sku)
            if offer["format"] == "FIXED_PRICE"
            and (not marketplace_id or offer["marketplaceId"] == marketplace_id)
            and (not live_only or offer["status"] == "PUBLISHED")
        ]

    def group_of(self, sku):
        """The key of the group listing ``sku`` is a variation of, or None."""
        for key, entry in self.groups.items():
            if sku in (entry["group"].get("variantSKUs") or []):
                return key
        return None

    def publish_group(self, key, marketplace_id):
        """publishOfferByInventoryItemGroup: every variant offer becomes one listing."""
        operation = "publishOfferByInventoryItemGroup"
        if key not in self.groups:
            raise_spec(400, operation, 25016, fieldName="inventoryItemGroupKey")
        group = self.groups[key]["group"]
        # Variants without an offer are left out of the listing (spec), not an error.
        offers = self.group_offers(key, marketplace_id)
        if not offers:
            raise_spec(400, operation, 25002, additionalInfo="No offer to publish in the group.")
        for offer in offers:
            self._check_publishable(operation, offer, group)
        shared = {(o.get("categoryId"), str(o.get("listingPolicies"))) for o in offers}
        if len(shared) > 1:
            raise_spec(
                400,
                operation,
                25002,
                additionalInfo="All offers of a group need the same category and policies.",
            )
        return self._go_live(offers)

    def withdraw_group(self, key, marketplace_id):
        if key not in self.groups:
            raise_spec(
                400, "withdrawOfferByInventoryItemGroup", 25016, fieldName="inventoryItemGroupKey"
            )
        for offer in self.group_offers(key, marketplace_id, live_only=True):
            offer["status"] = "UNPUBLISHED"
            offer.pop("listing")

    def withdraw_offer(self, offer_id):
        """withdrawOffer: end the listing, keep the offer (UNPUBLISHED); returns listingId."""
        offer = self._offer_or_404("withdrawOffer", offer_id)
        if offer["status"] != "PUBLISHED":
            raise_spec(400, "withdrawOffer", 25002, additionalInfo="The offer is not published.")
        offer["status"] = "UNPUBLISHED"
        listing = offer.pop("listing")
        return listing["listingId"]

    def delete_offer(self, offer_id):
        """deleteOffer: the offer is gone and its live listing, if any, ends."""
        self._offer_or_404("deleteOffer", offer_id)
        del self.offers[offer_id]

    def delete_item(self, sku):
        """deleteInventoryItem: the item, its offers and their listings go."""
        self._item_or_404("deleteInventoryItem", sku)
        for offer in self.offers_for_sku(sku):
            del self.offers[offer["offerId"]]
        del self.items[sku]

    # ----------------------------------------------------------- bulk update
    def bulk_update(self, requests_):
        """bulkUpdatePriceQuantity; returns (responses, all_ok)."""
        operation = "bulkUpdatePriceQuantity"
        if not requests_ or len(requests_) > MAX_BULK_REQUESTS:
            raise_spec(
                400,
                operation,
                25709,
                fieldName="requests",
                additionalInfo=f"Between 1 and {MAX_BULK_REQUESTS} requests are allowed per call.",
            )
        responses = []
        for entry in requests_:
            responses.extend(self._bulk_entry(operation, entry))
        return responses, all(r["statusCode"] == 200 for r in responses)

    def _bulk_entry(self, operation, entry):
        sku = entry.get("sku")
        offers = entry.get("offers") or []
        if sku not in self.items:
            # [unv] per-entry statusCode 404 for unknown SKUs/offers, 400 for invalid values.
            error = spec_error(operation, 25702, skuValue=sku)
            targets = [o.get("offerId") for o in offers] or [None]
            return [_entry(404, sku, offer_id, [error]) for offer_id in targets]
        results = []
        availability = entry.get("shipToLocationAvailability")
        if availability is not None:
            error = self._revise_all(self.offers_for_sku(sku))
            if error:
                results.append(_entry(400, sku, None, [error]))
            else:
                item = self.items[sku]["item"]
                stock = item.setdefault("availability", {}).setdefault(
                    "shipToLocationAvailability", {}
                )
                stock["quantity"] = availability.get("quantity", 0)
                if not offers:
                    results.append(_entry(200, sku, None))
        seen = set()
        for change in offers:
            offer_id = change.get("offerId")
            offer = self.offers.get(offer_id)
            if offer is None:
                results.append(
                    _entry(
                        404,
                        sku,
                        offer_id,
                        [spec_error(operation, 25713, additionalInfo=f"offerId {offer_id}")],
                    )
                )
                continue
            if offer_id in seen or offer["sku"] != sku:
                reason = (
                    "duplicate offerId"
                    if offer_id in seen
                    else f"offer belongs to SKU {offer['sku']}"
                )
                results.append(
                    _entry(
                        400,
                        sku,
                        offer_id,
                        [spec_error(operation, 25709, fieldName="offerId", additionalInfo=reason)],
                    )
                )
                continue
            seen.add(offer_id)
            invalid = self._invalid_change(operation, change)
            if invalid:
                results.append(_entry(400, sku, offer_id, [invalid]))
                continue
            error = self._revise(offer)
            if error:
                results.append(_entry(400, sku, offer_id, [error]))
                continue
            if "availableQuantity" in change:
                offer["availableQuantity"] = change["availableQuantity"]
            if "price" in change:
                offer.setdefault("pricingSummary", {})["price"] = copy.deepcopy(change["price"])
            results.append(_entry(200, sku, offer_id))
        return results

    def _revise_all(self, offers):
        for offer in offers:
            error = self._revise(offer)
            if error:
                return error
        return None

    @staticmethod
    def _invalid_change(operation, change):
        if "price" in change and _positive_decimal(change["price"]) is None:
            return spec_error(
                operation, 25709, fieldName="price", additionalInfo="price must be positive."
            )
        if change.get("availableQuantity", 0) < 0:
            return spec_error(
                operation,
                25709,
                fieldName="availableQuantity",
                additionalInfo="quantity must not be negative.",
            )
        return None

    # ---------------------------------------------------------------- seeding
    def seed_listings(
        self,
        skus,
        quantity=0,
        price=10.0,
        currency="USD",
        marketplace_id="EBAY_US",
        title_prefix="Item ",
        location_key=SEED_LOCATION,
    ):
        """Control call: what createOrReplaceInventoryItem + createOffer + publishOffer leave
        behind for each SKU, without HTTP, quotas or revision counting.

        An existing item is replaced; an existing FIXED_PRICE offer of the SKU on the
        marketplace keeps its id (and listing id if live) and takes the new values.
        Returns ``{sku: {"offer_id", "listing_id"}}``.
        """
        if isinstance(skus, str) or not all(isinstance(sku, str) for sku in skus):
            raise ValueError("skus must be a list of strings")
        invalid = [sku for sku in skus if not SKU_PATTERN.match(sku)]
        if invalid:
            raise ValueError(f"invalid SKUs (1-50 word characters, -._:/ or space): {invalid[:5]}")
        if len(set(skus)) != len(skus):
            raise ValueError("skus contains duplicates")
        if marketplace_id not in MARKETPLACES:
            raise ValueError(f"unknown marketplace_id {marketplace_id!r}")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
            raise ValueError("quantity must be an integer >= 0")
        try:
            value = _positive_decimal({"value": price, "currency": currency})
            value = value and str(value.quantize(Decimal("0.01")))
        except InvalidOperation:  # NaN, Infinity
            value = None
        if not value or isinstance(price, bool):
            raise ValueError("price must be a positive number and currency set")
        if location_key not in self.locations:
            self.create_location(location_key, _seed_warehouse())
        policies = self.policies.default_ids(marketplace_id)
        locale = LOCALES.get(marketplace_id, "en-US")
        # One pass over the offers instead of offers_for_sku() per SKU (O(n^2) otherwise).
        existing = {
            offer["sku"]: offer
            for offer in self.offers.values()
            if offer["marketplaceId"] == marketplace_id and offer["format"] == "FIXED_PRICE"
        }
        seeded = {}
        for sku in skus:
            title = f"{title_prefix}{sku}"[:80]
            self.items[sku] = {
                "item": {
                    "product": {"title": title, "description": title, "imageUrls": [SEED_IMAGE]},
                    "condition": "NEW",
                    "availability": {"shipToLocationAvailability": {"quantity": quantity}},
                },
                "locale": locale,
            }
            body = {
                "sku": sku,
                "marketplaceId": marketplace_id,
                "format": "FIXED_PRICE",
                "categoryId": SEED_CATEGORY,
                "listingDescription": title,
                "listingDuration": "GTC",
                "listingPolicies": dict(policies),
                "pricingSummary": {"price": {"value": value, "currency": currency}},
                "merchantLocationKey": location_key,
            }
            offer = existing.get(sku)
            if offer is None:
                offer = self.offers[self._add_offer(body)]
            else:
                kept = {key: offer[key] for key in ("offerId", "status", "listing") if key in offer}
                offer.clear()
                offer.update(body, **kept)
            if offer["status"] != "PUBLISHED":
                self._go_live([offer])
            seeded[sku] = {
                "offer_id": offer["offerId"],
                "listing_id": offer["listing"]["listingId"],
            }
        return seeded

    # -------------------------------------------------------------- locations
    def create_location(self, key, body):
        operation = "createInventoryLocation"
        if not LOCATION_KEY_PATTERN.match(key):
            raise_spec(400, operation, 25800, fieldName="merchantLocationKey")
        if key in self.locations:
            raise_spec(409, operation, 25803, fieldName="merchantLocationKey")
        address = (body.get("location") or {}).get("address") or {}
        # Warehouse rule: country plus postalCode, or country plus city and stateOrProvince.
        if not address.get("country"):
            raise_spec(400, operation, 25801, fieldName="country")
        if not address.get("postalCode") and not (
            address.get("city") and address.get("stateOrProvince")
        ):
            raise_spec(400, operation, 25801, fieldName="postalCode")
        self.locations[key] = {
            **copy.deepcopy(body),
            "merchantLocationStatus": body.get("merchantLocationStatus", "ENABLED"),
        }

    def get_location(self, key):
        location = self.locations.get(key)
        if location is None:
            raise_spec(404, "getInventoryLocation", 25805)
        return {**copy.deepcopy(location), "merchantLocationKey": key}


def _seed_warehouse():
    return {
        "location": {"address": {"postalCode": "95125", "country": "US", "city": "San Jose"}},
        "locationTypes": ["WAREHOUSE"],
        "name": "Simulator warehouse",
        "merchantLocationStatus": "ENABLED",
    }


def _entry(status, sku, offer_id, errors=None):
    entry = {"statusCode": status, "sku": sku}
    if offer_id is not None:
        entry["offerId"] = offer_id
    if errors:
        entry["errors"] = errors
    return entry
