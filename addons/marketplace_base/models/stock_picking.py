from collections import defaultdict

from odoo import fields, models

from ..exceptions import MarketplaceError
from ..marketplace_core.records import Shipment, ShipmentLine


class StockPicking(models.Model):
    _inherit = "stock.picking"

    marketplace_channel_id = fields.Many2one(
        related="sale_id.marketplace_channel_id", string="Marketplace Channel"
    )
    marketplace_shipment_state = fields.Selection(
        [("to_push", "To send"), ("pushed", "Sent"), ("failed", "Failed")],
        string="Marketplace Shipment",
        copy=False,
        readonly=True,
        tracking=True,
    )
    marketplace_shipment_error = fields.Text(copy=False, readonly=True)

    def _action_done(self):
        res = super()._action_done()
        self._marketplace_enqueue_shipments()
        return res

    def _marketplace_enqueue_shipments(self):
        """Queue the tracking push of done deliveries of marketplace orders."""
        pickings = self.filtered(
            lambda p: (
                p.state == "done"
                and p.picking_type_code == "outgoing"
                and p.sale_id.marketplace_channel_id
            )
        )
        for picking in pickings:
            picking.marketplace_shipment_state = "to_push"
            channel = picking.sale_id.marketplace_channel_id
            channel._delayable(
                picking, self.env._("Send shipment %s to the marketplace", picking.name)
            )._marketplace_push_shipment()

    def action_marketplace_retry_shipment(self):
        self.filtered(
            lambda p: p.marketplace_shipment_state == "failed"
        )._marketplace_enqueue_shipments()

    def _marketplace_prepare_shipment(self):
        """Build the ``records.Shipment`` of this delivery, in channel units per line."""
        self.ensure_one()
        order = self.sale_id
        code, name, method = self.env["marketplace.carrier.mapping"]._get_carrier(
            order.marketplace_channel_id, self.carrier_id
        )
        quantities = defaultdict(float)
        for move in self.move_ids.filtered(lambda m: m.state == "done"):
            line = move.sale_line_id
            if line.marketplace_line_ref:
                quantities[line] += move.quantity / (line.marketplace_pack_qty or 1.0)
        return Shipment(
            order_ref=order.marketplace_ref,
            carrier_code=code,
            carrier_name=name,
            shipping_method=method,
            tracking_ref=self.carrier_tracking_ref or "",
            shipped_at=self.date_done,
            lines=tuple(
                ShipmentLine(line_ref=line.marketplace_line_ref, quantity=round(qty))
                for line, qty in quantities.items()
                if round(qty)
            ),
        )

    def _marketplace_push_shipment(self):
        """Job: confirm this delivery (tracking, lines) on the marketplace.

        Retryable errors postpone the job; a refusal is kept on the delivery
        with a retry button and an activity, so nothing is lost silently.
        """
        self.ensure_one()
        if self.marketplace_shipment_state == "pushed":
            return True  # idempotent: a repeated job sends nothing twice
        channel = self.sale_id.marketplace_channel_id
        shipment = self._marketplace_prepare_shipment()
        try:
            connector = channel._get_connector()
            with channel._rate_limited(connector, "push_shipment"):
                result = connector.push_shipment(shipment)
            ok, message = result.ok, result.message
        except MarketplaceError as exc:
            ok, message = False, channel._mask_secrets(exc)
        if ok:
            self.write(
                {"marketplace_shipment_state": "pushed", "marketplace_shipment_error": False}
            )
            # The marketplace books its fees once the goods left.
            self.sale_id._marketplace_enqueue_fees()
            return True
        self.write({"marketplace_shipment_state": "failed", "marketplace_shipment_error": message})
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=self.env._("Marketplace refused the shipment"),
            note=message,
            user_id=(channel.user_id or self.env.user).id,
        )
        return False
