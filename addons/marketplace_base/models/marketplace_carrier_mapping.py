from odoo import api, fields, models


class MarketplaceCarrierMapping(models.Model):
    """How a channel names an Odoo carrier when it confirms a shipment."""

    _name = "marketplace.carrier.mapping"
    _description = "Marketplace Carrier Mapping"
    _order = "channel_id, carrier_id"

    channel_id = fields.Many2one("marketplace.channel", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="channel_id.company_id", store=True)
    carrier_id = fields.Many2one("delivery.carrier", required=True, ondelete="cascade")
    marketplace_carrier_code = fields.Char(
        required=True, help="The carrier code the marketplace expects (e.g. UPS, DHL, Colissimo)."
    )
    marketplace_carrier_name = fields.Char(
        help="Free-text name, for carriers the code calls Other."
    )
    shipping_method = fields.Char(help="Service level sent with the tracking, when asked.")

    _carrier_unique = models.Constraint(
        "UNIQUE (channel_id, carrier_id)", "A carrier is mapped once per channel."
    )

    @api.model
    def _get_carrier(self, channel, carrier):
        """Return ``(code, name, method)`` for ``carrier`` on ``channel``."""
        mapping = self.search(
            [("channel_id", "=", channel.id), ("carrier_id", "=", carrier.id)], limit=1
        )
        if mapping:
            return (
                mapping.marketplace_carrier_code,
                mapping.marketplace_carrier_name or mapping.marketplace_carrier_code,
                mapping.shipping_method or "",
            )
        # Unmapped: the carrier's own name is the best guess marketplaces accept.
        name = carrier.name or ""
        return name, name, ""
