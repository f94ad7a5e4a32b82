from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    marketplace_line_ref = fields.Char(
        string="Marketplace Line Reference", copy=False, index="btree_not_null"
    )
    marketplace_pack_qty = fields.Float(
        default=1.0, copy=False, help="Product units in one unit sold on the marketplace."
    )
