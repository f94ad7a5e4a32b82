import dataclasses

from odoo import models


class MarketplaceListing(models.Model):
    _inherit = "marketplace.listing"

    def _prepare_listing_payload(self, quantity, price):
        """Override of `marketplace_base` to add the Amazon attributes of the offer."""
        payload = super()._prepare_listing_payload(quantity, price)
        if self.channel_type != "amazon":
            return payload
        channel = self.channel_id
        marketplace_ids = [
            m.strip() for m in (channel.amazon_marketplace_ids or "").split(",") if m.strip()
        ]
        language = (self.env.lang or "en_US").replace("-", "_")
        attributes = {
            "product_type": channel.amazon_product_type or "PRODUCT",
            "requirements": "LISTING",
            "item_name": [
                {"value": payload.title, "language_tag": language, "marketplace_id": m}
                for m in marketplace_ids
            ],
            "condition_type": [{"value": "new_new"}],
            "fulfillment_availability": [
                {"fulfillment_channel_code": "DEFAULT", "quantity": max(payload.quantity, 0)}
            ],
            "purchasable_offer": [
                {
                    "marketplace_id": m,
                    "currency": payload.currency,
                    "audience": "ALL",
                    "our_price": [{"schedule": [{"value_with_tax": float(payload.price)}]}],
                }
                for m in marketplace_ids
            ],
        }
        if payload.description:
            attributes["product_description"] = [
                {"value": payload.description, "language_tag": language}
            ]
        if payload.barcode:
            attributes["externally_assigned_product_identifier"] = [
                {"type": "ean", "value": payload.barcode}
            ]
        return dataclasses.replace(payload, attributes={**payload.attributes, **attributes})
