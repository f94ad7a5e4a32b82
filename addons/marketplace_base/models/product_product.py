from odoo import fields, models


class ProductProduct(models.Model):
    _inherit = "product.product"

    marketplace_listing_ids = fields.One2many(
        "marketplace.listing", "product_id", string="Marketplace Listings"
    )
    marketplace_listing_count = fields.Integer(compute="_compute_marketplace_listing_count")

    def _compute_marketplace_listing_count(self):
        counts = dict(
            self.env["marketplace.listing"]._read_group(
                [("product_id", "in", self.ids)], ["product_id"], ["__count"]
            )
        )
        for product in self:
            product.marketplace_listing_count = counts.get(product, 0)

    def action_view_marketplace_listings(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Marketplace Listings"),
            "res_model": "marketplace.listing",
            "view_mode": "list,form",
            "domain": [("product_id", "=", self.id)],
            "context": {"default_product_id": self.id},
        }
