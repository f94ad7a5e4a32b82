from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import MarketplaceCommon


@tagged("post_install", "-at_install")
class TestSyncLog(MarketplaceCommon):
    def test_retention_per_channel(self):
        """Test that old logs are deleted after their channel's retention, recent ones kept."""
        Log = self.env["marketplace.sync.log"]
        short = self.channel.copy({"name": "Short", "log_retention_days": 2})
        now = fields.Datetime.now()
        logs = {}
        for channel in (self.channel, short):
            for age in (1, 5, 40):
                log = Log._record(channel, "push_stock", "success", message=f"{age}d")
                log.date = now - timedelta(days=age)
                logs[channel.id, age] = log
        Log._gc_old_logs()
        kept = {key for key, log in logs.items() if log.exists()}
        self.assertEqual(kept, {(self.channel.id, 1), (self.channel.id, 5), (short.id, 1)})

    def test_last_runs_on_channel(self):
        """Test that the channel shows the latest run of each flow."""
        Log = self.env["marketplace.sync.log"]
        Log._record(self.channel, "import_orders", "failed")
        Log._record(self.channel, "import_orders", "success")
        Log._record(self.channel, "push_stock", "warning")
        self.channel.invalidate_recordset()
        self.assertEqual(self.channel.last_import_orders_state, "success")
        self.assertEqual(self.channel.last_push_stock_state, "warning")
        self.assertFalse(self.channel.last_push_prices_state)
