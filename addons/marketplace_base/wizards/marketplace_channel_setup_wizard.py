from odoo import api, fields, models
from odoo.exceptions import ValidationError


class MarketplaceChannelSetupWizard(models.TransientModel):
    """First-time set-up of a channel: marketplace, company, stock and prices."""

    _name = "marketplace.channel.setup.wizard"
    _description = "Marketplace Channel Set-up"

    name = fields.Char(required=True)
    channel_type = fields.Selection(
        selection=lambda self: self.env["marketplace.channel"]._fields["channel_type"].selection,
        string="Marketplace",
        required=True,
        default=lambda self: self._default_channel_type(),
    )
    environment = fields.Selection(
        [("sandbox", "Sandbox"), ("production", "Production")], default="sandbox", required=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        string="Ships From",
        domain="[('company_id', '=', company_id)]",
        default=lambda self: self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        ),
    )
    pricelist_id = fields.Many2one(
        "product.pricelist", domain="[('company_id', 'in', [company_id, False])]"
    )
    stock_model = fields.Selection(
        [
            ("shared", "Shared pool: the warehouse stock feeds every channel"),
            ("dedicated", "Dedicated: a location reserved to this channel"),
            ("none", "I will configure allocation rules myself"),
        ],
        default="shared",
        required=True,
    )
    dedicated_location_id = fields.Many2one(
        "stock.location", domain="[('usage', '=', 'internal'), ('company_id', '=', company_id)]"
    )
    safety_buffer = fields.Float(digits="Product Unit")
    auto_confirm_orders = fields.Boolean(default=True)

    def _default_channel_type(self):
        # Preselect the marketplace when a single connector addon is installed.
        selection = self.env["marketplace.channel"]._fields["channel_type"].selection
        types = [key for key, _label in selection if key != "none"]
        return types[0] if len(types) == 1 else "none"

    @api.onchange("company_id")
    def _onchange_company_id(self):
        self.warehouse_id = self.env["stock.warehouse"].search(
            [("company_id", "=", self.company_id.id)], limit=1
        )

    def _prepare_channel_values(self):
        return {
            "name": self.name,
            "channel_type": self.channel_type,
            "environment": self.environment,
            "company_id": self.company_id.id,
            "warehouse_id": self.warehouse_id.id,
            "pricelist_id": self.pricelist_id.id,
            "auto_confirm_orders": self.auto_confirm_orders,
        }

    def _prepare_rule_values(self, channel):
        if self.stock_model == "none":
            return None
        values = {
            "name": self.env._("Default allocation"),
            "channel_id": channel.id,
            "safety_buffer": self.safety_buffer,
        }
        if self.stock_model == "dedicated":
            if not self.dedicated_location_id:
                raise ValidationError(self.env._("Choose the location dedicated to the channel."))
            values["location_ids"] = [fields.Command.set(self.dedicated_location_id.ids)]
        elif self.warehouse_id:
            values["warehouse_ids"] = [fields.Command.set(self.warehouse_id.ids)]
        return values

    def action_create_channel(self):
        self.ensure_one()
        channel = self.env["marketplace.channel"].create(self._prepare_channel_values())
        rule_values = self._prepare_rule_values(channel)
        if rule_values:
            self.env["marketplace.stock.rule"].create(rule_values)
        return {
            "type": "ir.actions.act_window",
            "res_model": "marketplace.channel",
            "res_id": channel.id,
            "view_mode": "form",
            "target": "current",
        }
