"""Listings state shared by the Listings Items API and JSON_LISTINGS_FEED.

The real rules come from per-product-type JSON Schemas that are not in our specs, so the
simulator checks what connectors get wrong most: required attributes per
``requirements`` set, the shape of every attribute (a list of objects), quantities in
``fulfillment_availability`` and prices in ``purchasable_offer``. Problems come back as
``INVALID`` plus issues with HTTP 200, as Amazon does.
"""

import copy
import hashlib
from dataclasses import dataclass, field

from ..core import isoformat
from .marketplaces import MARKETPLACES

REQUIRED = {
    "LISTING": ("item_name", "condition_type"),
    "LISTING_PRODUCT_ONLY": ("item_name",),
    "LISTING_OFFER_ONLY": ("condition_type",),
}
CONDITION_TYPES = {
    "new_new", "new_open_box", "new_oem", "refurbished_refurbished", "used_like_new",
    "used_very_good", "used_good", "used_acceptable", "collectible_like_new",
    "collectible_very_good", "collectible_good", "collectible_acceptable", "club_club",
}  # fmt: skip
PATCH_PREFIX = "/attributes/"


def _issue(code, message, severity="ERROR", attribute=None, category="INVALID_ATTRIBUTE"):
    issue = {"code": code, "message": message, "severity": severity, "categories": [category]}
    if attribute:
        issue["attributeNames"] = [attribute]
    return issue


def missing(attribute):
    message = f"'{attribute}' is required but not supplied."
    return _issue("90220", message, attribute=attribute, category="MISSING_ATTRIBUTE")


@dataclass
class Submission:
    sku: str
    status: str  # ACCEPTED, INVALID or VALID (preview)
    issues: list = field(default_factory=list)
    asin: str | None = None


def _number(value):
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_attributes(attributes):
    """Issues for malformed attribute values (shape, quantities, prices)."""
    issues = []
    for name, values in attributes.items():
        if not isinstance(values, list) or not all(isinstance(v, dict) for v in values):
            issues.append(_issue("99010", f"'{name}' must be an array of objects.", attribute=name))
            continue
        if name == "fulfillment_availability":
            for entry in values:
                quantity = entry.get("quantity")
                if not entry.get("fulfillment_channel_code"):
                    issues.append(missing(f"{name}.fulfillment_channel_code"))
                if quantity is not None and (
                    not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 0
                ):
                    issues.append(
                        _issue(
                            "99010", f"'{name}.quantity' must be an integer >= 0.", attribute=name
                        )
                    )
        elif name == "purchasable_offer":
            for entry in values:
                for price in entry.get("our_price", []):
                    for schedule in price.get("schedule", []):
                        amount = schedule.get("value_with_tax")
                        if not _number(amount) or amount < 0:
                            issues.append(
                                _issue(
                                    "99010",
                                    f"'{name}...value_with_tax' must be a number >= 0.",
                                    attribute=name,
                                )
                            )
        elif name == "condition_type":
            for entry in values:
                if entry.get("value") not in CONDITION_TYPES:
                    issues.append(
                        _issue(
                            "99010",
                            f"Unknown condition_type {entry.get('value')!r}.",
                            attribute=name,
                        )
                    )
        elif name == "item_name":
            for entry in values:
                if not isinstance(entry.get("value"), str) or not entry["value"].strip():
                    issues.append(
                        _issue("99010", "'item_name' must have a non-empty value.", attribute=name)
                    )
    return issues


def apply_patches(attributes, patches):
    """Apply JSON-patch-like operations to ``/attributes/<name>``; return issues."""
    issues = []
    for patch in patches:
        path, op, value = patch.get("path", ""), patch.get("op"), patch.get("value")
        name = path[len(PATCH_PREFIX) :] if path.startswith(PATCH_PREFIX) else ""
        if not name or "/" in name:
            issues.append(
                _issue("4000001", f"Unsupported patch path {path!r}: use /attributes/<name>.")
            )
            continue
        if op in ("add", "replace"):
            if value is None:
                issues.append(_issue("4000001", f"'{op}' on {path} needs a value.", attribute=name))
                continue
            attributes[name] = copy.deepcopy(value)
        elif op == "merge":
            current = attributes.setdefault(name, [])
            for index, entry in enumerate(value or []):
                if index < len(current) and isinstance(current[index], dict):
                    current[index] = {**current[index], **entry}
                else:
                    current.append(copy.deepcopy(entry))
        elif op == "delete":
            if not value:
                attributes.pop(name, None)
            else:
                # Remove the entries matching every key given in each value object.
                attributes[name] = [
                    entry
                    for entry in attributes.get(name, [])
                    if not any(all(entry.get(k) == v for k, v in spec.items()) for spec in value)
                ]
                if not attributes[name]:
                    del attributes[name]
    return issues


class ListingStore:
    """Listings per (seller, sku)."""

    def __init__(self, clock, rng):
        self.clock = clock
        self.rng = rng
        self.items = {}
        self.known_asins = {}  # sku -> asin of catalogue products the seller can offer

    def _asin(self, sku):
        if sku in self.known_asins:
            return self.known_asins[sku]
        return "B0" + hashlib.sha1(sku.encode()).hexdigest()[:8].upper()

    def submission_id(self):
        return f"{self.rng.getrandbits(128):032x}"

    def get(self, seller, sku):
        return self.items.get((seller, sku))

    def _store(self, seller, sku, product_type, attributes, marketplaces):
        now = self.clock.now()
        item = self.items.get((seller, sku))
        if item is None:
            item = self.items[(seller, sku)] = {
                "sku": sku,
                "created": now,
                "asin": self._asin(sku),
                "marketplace_ids": [],
                "issues": [],
            }
        item.update(product_type=product_type, attributes=attributes, updated=now)
        for marketplace in marketplaces:
            if marketplace not in item["marketplace_ids"]:
                item["marketplace_ids"].append(marketplace)
        return item

    def _result(
        self, seller, sku, product_type, attributes, requirements, marketplaces, preview, issues
    ):
        for name in REQUIRED.get(requirements, ()):
            if name not in attributes:
                issues.append(missing(name))
        issues.extend(check_attributes(attributes))
        if any(issue["severity"] == "ERROR" for issue in issues):
            return Submission(sku, "INVALID", issues)
        if preview:
            return Submission(sku, "VALID", issues, asin=self._asin(sku))
        item = self._store(seller, sku, product_type, attributes, marketplaces)
        item["issues"] = [i for i in issues if i["severity"] != "ERROR"]
        return Submission(sku, "ACCEPTED", issues, asin=item["asin"])

    def put(self, seller, sku, product_type, attributes, requirements, marketplaces, preview=False):
        """Full replace (putListingsItem, feed UPDATE)."""
        attributes = copy.deepcopy(attributes or {})
        requirements = requirements or "LISTING"
        return self._result(
            seller, sku, product_type, attributes, requirements, marketplaces, preview, []
        )

    def partial_update(self, seller, sku, product_type, attributes, marketplaces):
        """Feed PARTIAL_UPDATE: replace only the given top-level attributes."""
        item = self.get(seller, sku)
        merged = copy.deepcopy(item["attributes"]) if item else {}
        merged.update(copy.deepcopy(attributes))
        requirements = None if item else "LISTING"
        return self._result(
            seller, sku, product_type, merged, requirements, marketplaces, False, []
        )

    def patch(self, seller, sku, product_type, patches, marketplaces, preview=False):
        item = self.get(seller, sku)
        if item is None:
            # The API only knows the SKU is missing once it tries to apply the patch.
            issue = _issue(
                "4000004",
                f"SKU '{sku}' does not exist for this seller; create it with putListingsItem.",
                category="INVALID_ATTRIBUTE",
            )
            return Submission(sku, "INVALID", [issue])
        issues = []
        if product_type != item["product_type"]:
            issues.append(
                _issue(
                    "4000002",
                    f"productType {product_type!r} is not the listing's {item['product_type']!r}.",
                    severity="WARNING",
                )
            )
        attributes = copy.deepcopy(item["attributes"])
        issues.extend(apply_patches(attributes, patches))
        return self._result(
            seller, sku, item["product_type"], attributes, None, marketplaces, preview, issues
        )

    def delete(self, seller, sku):
        if self.items.pop((seller, sku), None) is None:
            return Submission(
                sku, "INVALID", [_issue("4000004", f"SKU '{sku}' does not exist for this seller.")]
            )
        return Submission(sku, "ACCEPTED", [])

    # ------------------------------------------------------------ read views
    @staticmethod
    def quantity(item, channel="DEFAULT"):
        for entry in item["attributes"].get("fulfillment_availability", []):
            if entry.get("fulfillment_channel_code") == channel:
                return entry.get("quantity")
        return None

    @staticmethod
    def offers(item):
        """[(marketplace_id or None, currency or None, amount)] from purchasable_offer."""
        out = []
        for entry in item["attributes"].get("purchasable_offer", []):
            for price in entry.get("our_price", []):
                for schedule in price.get("schedule", []):
                    if "value_with_tax" in schedule:
                        out.append(
                            (
                                entry.get("marketplace_id"),
                                entry.get("currency"),
                                schedule["value_with_tax"],
                            )
                        )
        return out

    def render(self, item, marketplace_ids, included):
        """The Listings Items ``Item`` object with the requested ``includedData``."""
        marketplace_ids = marketplace_ids or item["marketplace_ids"]
        out = {"sku": item["sku"]}
        quantity = self.quantity(item)
        offers = self.offers(item)
        if "summaries" in included:
            names = item["attributes"].get("item_name", [])
            condition = next(iter(item["attributes"].get("condition_type", [])), {}).get("value")
            status = ["DISCOVERABLE"]
            if offers and quantity:
                status.insert(0, "BUYABLE")
            summaries = []
            for marketplace_id in marketplace_ids:
                summary = {
                    "marketplaceId": marketplace_id,
                    "asin": item["asin"],
                    "productType": item["product_type"],
                    "status": status,
                    "createdDate": isoformat(item["created"]),
                    "lastUpdatedDate": isoformat(item["updated"]),
                }
                if names:
                    summary["itemName"] = names[0].get("value")
                if condition in CONDITION_TYPES:
                    summary["conditionType"] = condition
                summaries.append(summary)
            out["summaries"] = summaries
        if "attributes" in included:
            out["attributes"] = copy.deepcopy(item["attributes"])
        if "issues" in included:
            out["issues"] = copy.deepcopy(item["issues"])
        if "offers" in included:
            out["offers"] = [
                {
                    "marketplaceId": offer_marketplace or marketplace_id,
                    "offerType": "B2C",
                    "price": {
                        "currencyCode": currency
                        or MARKETPLACES.get(marketplace_id, MARKETPLACES["ATVPDKIKX0DER"]).currency,
                        "amount": str(amount),
                    },
                }
                for marketplace_id in marketplace_ids
                for offer_marketplace, currency, amount in offers
                if offer_marketplace in (None, marketplace_id)
            ]
        if "fulfillmentAvailability" in included:
            out["fulfillmentAvailability"] = [
                {
                    "fulfillmentChannelCode": entry["fulfillment_channel_code"],
                    "quantity": entry.get("quantity", 0),
                }
                for entry in item["attributes"].get("fulfillment_availability", [])
                if entry.get("fulfillment_channel_code")
            ]
        if "productTypes" in included:
            out["productTypes"] = [
                {"marketplaceId": marketplace_id, "productType": item["product_type"]}
                for marketplace_id in marketplace_ids
            ]
        return out
