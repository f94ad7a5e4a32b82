from odoo import models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    def write(self, vals):
        res = super().write(vals)
        if "list_price" in vals:
            self.env["marketplace.listing"]._mark_products_to_push(
                self.product_variant_ids.ids, kind="price"
            )
        return res
