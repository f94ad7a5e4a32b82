from datetime import timedelta

from odoo import api, fields, models


class MarketplaceSyncLog(models.Model):
    """One run of one sync flow of a channel: what it did and how it ended."""

    _name = "marketplace.sync.log"
    _description = "Marketplace Sync Log"
    _order = "id desc"
    _rec_name = "flow"

    channel_id = fields.Many2one(
        "marketplace.channel", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(related="channel_id.company_id", store=True, index=True)
    flow = fields.Selection(
        [
            ("import_listings", "Import listings"),
            ("push_listings", "Publish listings"),
            ("push_stock", "Push stock"),
            ("push_prices", "Push prices"),
            ("import_orders", "Import orders"),
            ("push_shipments", "Push shipments"),
            ("reconcile", "Reconcile"),
        ],
        required=True,
        readonly=True,
    )
    state = fields.Selection(
        [("success", "Success"), ("warning", "Partial"), ("failed", "Failed")],
        required=True,
        readonly=True,
    )
    date = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True, index=True)
    count_total = fields.Integer(string="Records", readonly=True)
    count_done = fields.Integer(string="Done", readonly=True)
    count_failed = fields.Integer(string="Failed", readonly=True)
    duration = fields.Float(string="Duration (s)", readonly=True, digits=(16, 3))
    message = fields.Text(readonly=True)

    @api.model
    def _record(self, channel, flow, state, total=0, done=0, failed=0, duration=0.0, message=""):
        """Write one log line; secrets of the channel are masked in the message."""
        return self.sudo().create(
            {
                "channel_id": channel.id,
                "flow": flow,
                "state": state,
                "count_total": total,
                "count_done": done,
                "count_failed": failed,
                "duration": duration,
                "message": channel._mask_secrets(message),
            }
        )

    @api.model
    def _record_durably(self, channel, flow, state, **values):
        """Write a log line in its own transaction, so that the rollback of a
        failing job does not erase the trace of its failure."""
        with self.env.registry.cursor() as cr:
            env = self.env(cr=cr)
            return env[self._name]._record(channel.with_env(env), flow, state, **values).id

    @api.model
    def _get_last_runs(self, channel_ids):
        """Return ``{(channel_id, flow): {'date', 'state'}}`` of the latest runs."""
        if not channel_ids:
            return {}
        self.env.cr.execute(
            """
            SELECT DISTINCT ON (channel_id, flow) channel_id, flow, date, state
              FROM marketplace_sync_log
             WHERE channel_id = ANY(%s)
             ORDER BY channel_id, flow, id DESC
            """,
            [list(channel_ids)],
        )
        return {
            (channel_id, flow): {"date": date, "state": state}
            for channel_id, flow, date, state in self.env.cr.fetchall()
        }

    @api.autovacuum
    def _gc_old_logs(self):
        """Delete logs older than their channel's retention."""
        channels = self.env["marketplace.channel"].with_context(active_test=False).search([])
        for retention in set(channels.mapped("log_retention_days")):
            limit = fields.Datetime.now() - timedelta(days=retention)
            self.sudo().search(
                [
                    (
                        "channel_id",
                        "in",
                        channels.filtered(lambda c, r=retention: c.log_retention_days == r).ids,
                    ),
                    ("date", "<", limit),
                ]
            ).unlink()
