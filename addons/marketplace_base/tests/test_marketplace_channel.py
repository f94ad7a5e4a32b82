from unittest.mock import patch

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from ..marketplace_core.records import ConnectionStatus
from .common import FakeConnector, MarketplaceCommon


@tagged("post_install", "-at_install")
class TestMarketplaceChannel(MarketplaceCommon):
    def test_get_connector_without_addon_raises(self):
        """Test that a channel whose marketplace has no addon gives a clear error."""
        with self.assertRaisesRegex(UserError, "No connector is available"):
            self.channel._get_connector()

    def test_get_connector_dispatches(self):
        """Test that _get_connector builds the class of _get_connector_class with settings."""
        with self.fake_connector():
            connector = self.channel._get_connector()
        self.assertIsInstance(connector, FakeConnector)
        self.assertEqual(connector.settings["channel_id"], self.channel.id)
        self.assertEqual(repr(connector), "<FakeConnector>")

    def test_get_connector_rejects_foreign_class(self):
        """Test that a class that is not a MarketplaceConnector is refused."""
        with (
            patch.object(
                self.registry["marketplace.channel"], "_get_connector_class", lambda self: dict
            ),
            self.assertRaisesRegex(UserError, "not a marketplace connector"),
        ):
            self.channel._get_connector()

    def test_connection_states(self):
        """Test that Test Connection sets the state and keeps the error message."""
        channel = self.channel.copy({"name": "Copy"})
        self.assertEqual(channel.state, "draft")
        with self.fake_connector() as state:
            channel.action_test_connection()
            self.assertEqual(channel.state, "connected")
            state["connection"] = ConnectionStatus(False, "Invalid refresh token")
            action = channel.action_test_connection()
        self.assertEqual(channel.state, "error")
        self.assertEqual(channel.last_error, "Invalid refresh token")
        self.assertEqual(action["params"]["type"], "danger")

    def test_sync_buttons_need_connection(self):
        """Test that sync buttons refuse a channel that is not connected."""
        channel = self.channel.copy({"name": "Draft"})
        for action in (
            "action_import_orders",
            "action_push_stock",
            "action_push_prices",
            "action_import_listings",
        ):
            with self.assertRaisesRegex(UserError, "not connected"):
                getattr(channel, action)()

    def test_counters(self):
        """Test the dashboard counters by listing state and orders to fix."""
        self._create_listing(self.product_a, "A")
        self._create_listing(None, "UNKNOWN")
        self._create_listing(self.product_b, "B", state="error", needs_push=True)
        partner = self.env["res.partner"].create({"name": "Buyer"})
        self.env["sale.order"].create(
            [
                {
                    "partner_id": partner.id,
                    "marketplace_channel_id": self.channel.id,
                    "marketplace_ref": "1",
                    "marketplace_to_fix": True,
                },
                {
                    "partner_id": partner.id,
                    "marketplace_channel_id": self.channel.id,
                    "marketplace_ref": "2",
                },
            ]
        )
        self.channel.invalidate_recordset()
        self.assertRecordValues(
            self.channel,
            [
                {
                    "listing_count": 3,
                    "listing_active_count": 1,
                    "listing_unmatched_count": 1,
                    "listing_error_count": 1,
                    "listing_to_push_count": 1,
                    "order_count": 2,
                    "order_to_fix_count": 1,
                }
            ],
        )

    def test_warehouse_company_constraint(self):
        """Test that the order warehouse must belong to the channel's company."""
        other = self.env["res.company"].create({"name": "Other Co"})
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", other.id)], limit=1)
        with self.assertRaises(UserError):  # ValidationError is a UserError too
            self.channel.warehouse_id = warehouse

    def test_setup_wizard_creates_channel_and_rule(self):
        """Test that the set-up wizard creates the channel with its allocation rule."""
        wizard = self.env["marketplace.channel.setup.wizard"].create(
            {
                "name": "New shop",
                "channel_type": "none",
                "stock_model": "shared",
                "safety_buffer": 2,
                "warehouse_id": self.warehouse.id,
            }
        )
        action = wizard.action_create_channel()
        channel = self.env["marketplace.channel"].browse(action["res_id"])
        self.assertEqual(channel.name, "New shop")
        self.assertEqual(channel.stock_rule_ids.warehouse_ids, self.warehouse)
        self.assertEqual(channel.stock_rule_ids.safety_buffer, 2)
        with self.assertRaises(ValidationError):
            self.env["marketplace.channel.setup.wizard"].create(
                {
                    "name": "Dedicated",
                    "channel_type": "none",
                    "stock_model": "dedicated",
                }
            ).action_create_channel()

    def test_mask_secrets(self):
        """Test that credential values are masked in messages."""
        self.channel.name = "s3cr3t-value"
        with patch.object(
            self.registry["marketplace.channel"], "_get_secret_field_names", lambda self: ["name"]
        ):
            masked = self.channel._mask_secrets("refused token s3cr3t-value for seller")
        self.assertEqual(masked, "refused token ******** for seller")
