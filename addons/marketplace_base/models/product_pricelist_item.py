from odoo import api, models


class ProductPricelistItem(models.Model):
    _inherit = "product.pricelist.item"

    @api.model_create_multi
    def create(self, vals_list):
        items = super().create(vals_list)
        items._marketplace_mark_prices()
        return items

    def write(self, vals):
        self._marketplace_mark_prices()  # the products the rule covered before...
        res = super().write(vals)
        self._marketplace_mark_prices()  # ...and after
        return res

    def unlink(self):
        self._marketplace_mark_prices()
        return super().unlink()

    def _marketplace_mark_prices(self):
        """Mark the listings of channels selling with these rules' pricelists."""
        channels = (
            self.env["marketplace.channel"]
            .sudo()
            .search([("pricelist_id", "in", self.pricelist_id.ids)])
        )
        if not channels:
            return
        listings = (
            self.env["marketplace.listing"]
            .sudo()
            .search([("channel_id", "in", channels.ids), ("product_id", "!=", False)])
        )
        # Pricelist rules can target products, templates, categories or all:
        # marking every listing of those channels is simple and the job sends
        # only prices that really changed.
        self.env["marketplace.listing"]._mark_products_to_push(
            listings.product_id.ids, kind="price", channel_ids=channels.ids
        )
