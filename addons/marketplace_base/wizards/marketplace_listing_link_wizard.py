from odoo import fields, models
from odoo.exceptions import ValidationError


class MarketplaceListingLinkWizard(models.TransientModel):
    """Link the selected listings to one product, or match them automatically."""

    _name = "marketplace.listing.link.wizard"
    _description = "Link Marketplace Listings"

    listing_ids = fields.Many2many("marketplace.listing", required=True)
    mode = fields.Selection(
        [("auto", "Match by internal reference or barcode"), ("product", "Link to one product")],
        default="auto",
        required=True,
    )
    product_id = fields.Many2one("product.product")
    pack_qty = fields.Float(string="Pack Quantity", default=1.0, digits="Product Unit")

    def action_link(self):
        self.ensure_one()
        if self.mode == "auto":
            return self.listing_ids.action_auto_match()
        if not self.product_id:
            raise ValidationError(self.env._("Choose the product to link."))
        self.listing_ids.write({"product_id": self.product_id.id, "pack_qty": self.pack_qty})
        return {"type": "ir.actions.act_window_close"}
