from odoo import api, models


class StockQuant(models.Model):
    _inherit = "stock.quant"

    # Every stock change (move done, reservation made or released, inventory
    # adjustment) goes through quant create/write; the marking itself is
    # deferred to the end of the transaction, once for all touched products.

    @api.model_create_multi
    def create(self, vals_list):
        quants = super().create(vals_list)
        self.env["marketplace.listing"]._mark_products_to_push(quants.product_id.ids)
        return quants

    def write(self, vals):
        res = super().write(vals)
        if "quantity" in vals or "reserved_quantity" in vals:
            self.env["marketplace.listing"]._mark_products_to_push(self.product_id.ids)
        return res
