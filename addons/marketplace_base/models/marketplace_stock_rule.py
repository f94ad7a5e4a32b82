from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools.safe_eval import safe_eval

from ..marketplace_core.allocation import AllocationRule


class MarketplaceStockRule(models.Model):
    """How much of which stock a channel may sell (allocation rule).

    The rules of a channel are tried by sequence; a listing follows the first
    rule whose product filter matches it. Its source locations model the three
    stock set-ups: a dedicated location per channel, one shared pool, or
    several warehouses/shops consolidated.
    """

    _name = "marketplace.stock.rule"
    _description = "Marketplace Allocation Rule"
    _order = "channel_id, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    channel_id = fields.Many2one(
        "marketplace.channel", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="channel_id.company_id", store=True, index=True)
    warehouse_ids = fields.Many2many(
        "stock.warehouse",
        string="Source Warehouses",
        check_company=True,
        help="The stock locations of these warehouses feed the channel.",
    )
    location_ids = fields.Many2many(
        "stock.location",
        string="Source Locations",
        check_company=True,
        domain="[('usage', '=', 'internal')]",
        help="Internal locations (and their children) that feed the channel.",
    )
    safety_buffer = fields.Float(
        digits="Product Unit", help="Units kept back from the channel, per product."
    )
    share_percent = fields.Float(
        string="Share (%)", default=100.0, help="Part of the remaining stock offered."
    )
    max_qty = fields.Float(
        string="Maximum", digits="Product Unit", help="Never publish more (0: no maximum)."
    )
    min_qty = fields.Float(
        string="Minimum",
        digits="Product Unit",
        help="Below this quantity the channel shows 0, to avoid overselling the last units.",
    )
    categ_ids = fields.Many2many(
        "product.category", string="Product Categories", help="Empty: all categories."
    )
    product_domain = fields.Char(
        default="[]", help="Optional extra filter on products. Empty: all products."
    )

    _share_range = models.Constraint(
        "CHECK (share_percent >= 0 AND share_percent <= 100)",
        "The share must be between 0 and 100%.",
    )
    _quantities_positive = models.Constraint(
        "CHECK (safety_buffer >= 0 AND max_qty >= 0 AND min_qty >= 0)",
        "Buffer, minimum and maximum cannot be negative.",
    )

    def _get_allocation_rule(self):
        self.ensure_one()
        return AllocationRule(
            safety_buffer=self.safety_buffer,
            share_percent=self.share_percent,
            maximum=self.max_qty,
            minimum=self.min_qty,
        )

    def _get_source_locations(self):
        self.ensure_one()
        locations = self.location_ids | self.warehouse_ids.lot_stock_id
        return locations or self.channel_id._get_default_locations()

    def _get_product_filter(self):
        self.ensure_one()
        domain = Domain(safe_eval(self.product_domain or "[]"))
        if self.categ_ids:
            domain &= Domain("categ_id", "child_of", self.categ_ids.ids)
        return domain

    def _dispatch_listings(self, listings):
        """Split ``listings`` by the first active rule (by sequence) that takes them.

        :return: list of ``(rule, listings)``; the rule is empty for listings no
            rule takes (they use the channel's default locations, no allocation)
        """
        remaining = listings
        groups = []
        for rule in self.filtered("active").sorted(lambda r: (r.sequence, r.id)):
            if not remaining:
                break
            domain = rule._get_product_filter()
            if domain.is_true():
                taken = remaining
            else:
                # A set of ids: ``record in recordset`` scans a tuple, too slow at 100k.
                product_ids = set(
                    self.env["product.product"]
                    .search(domain & Domain("id", "in", remaining.product_id.ids))
                    .ids
                )
                taken = remaining.filtered(lambda rec, p=product_ids: rec.product_id.id in p)
            if taken:
                groups.append((rule, taken))
                remaining -= taken
        if remaining:
            groups.append((self.browse(), remaining))
        return groups

    @api.model
    def _get_free_quantities(self, products, locations):
        """Return ``{product_id: on hand - reserved}`` in ``locations`` and children."""
        if not products or not locations:
            return {}
        groups = (
            self.env["stock.quant"]
            .sudo()
            ._read_group(
                [
                    ("product_id", "in", products.ids),
                    ("location_id", "child_of", locations.ids),
                ],
                ["product_id"],
                ["quantity:sum", "reserved_quantity:sum"],
            )
        )
        return {product.id: qty - reserved for product, qty, reserved in groups}
