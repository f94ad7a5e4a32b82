from odoo import fields, models


class MarketplaceOrderFee(models.Model):
    """A fee or charge the marketplace booked for an order (commission, FBA fee...).

    Amounts are as the marketplace books them: negative for what it keeps.
    They feed the per-channel margin.
    """

    _name = "marketplace.order.fee"
    _description = "Marketplace Order Fee"
    _order = "sale_order_id, id"

    sale_order_id = fields.Many2one("sale.order", required=True, ondelete="cascade", index=True)
    channel_id = fields.Many2one(related="sale_order_id.marketplace_channel_id", store=True)
    company_id = fields.Many2one(related="sale_order_id.company_id", store=True)
    fee_type = fields.Char(required=True)
    amount = fields.Monetary(currency_field="currency_id")
    currency_id = fields.Many2one("res.currency", required=True)
    line_ref = fields.Char(string="Marketplace Line Reference")
