from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import MarketplaceCommon


@tagged("post_install", "-at_install")
class TestSecurity(MarketplaceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(
            cls.env, "mp_user", groups="marketplace_base.group_marketplace_user"
        )
        cls.manager = new_test_user(
            cls.env, "mp_manager", groups="marketplace_base.group_marketplace_manager"
        )
        cls.other_company = cls.env["res.company"].create({"name": "Other Shop Co"})
        cls.other_channel = cls.env["marketplace.channel"].create(
            {"name": "Other company channel", "company_id": cls.other_company.id}
        )

    def test_user_reads_but_cannot_configure(self):
        """Test that a marketplace user reads channels but cannot change or create them."""
        channel = self.channel.with_user(self.user)
        self.assertEqual(channel.name, "Test Market")
        with self.assertRaises(AccessError):
            channel.write({"name": "Renamed"})
        with self.assertRaises(AccessError):
            self.env["marketplace.channel"].with_user(self.user).create({"name": "New"})

    def test_manager_configures(self):
        """Test that a manager creates channels and allocation rules."""
        channel = self.env["marketplace.channel"].with_user(self.manager).create({"name": "Mine"})
        self.env["marketplace.stock.rule"].with_user(self.manager).create(
            {"name": "Rule", "channel_id": channel.id}
        )
        self.assertEqual(channel.stock_rule_ids.name, "Rule")

    def test_secret_fields_manager_only(self):
        """Test that every credential field is restricted to managers and not copied."""
        Channel = self.env["marketplace.channel"]
        for name in Channel._get_secret_field_names():
            field = Channel._fields[name]
            self.assertFalse(field.copy, f"{name} must not be copied")
            with self.assertRaises(AccessError):
                self.channel.with_user(self.user).read([name])
            self.channel.with_user(self.manager).read([name])

    def test_company_isolation(self):
        """Test that users see only the channels and listings of their companies."""
        self._create_listing(self.product_a, "A")
        listing_other = self.env["marketplace.listing"].create(
            {"channel_id": self.other_channel.id, "channel_sku": "X"}
        )
        Channel = self.env["marketplace.channel"].with_user(self.user)
        self.assertIn(self.channel, Channel.search([]))
        self.assertNotIn(self.other_channel, Channel.search([]))
        with self.assertRaises(AccessError):
            listing_other.with_user(self.user).read(["channel_sku"])
        self.user.company_ids |= self.other_company
        visible = Channel.with_context(
            allowed_company_ids=[self.company.id, self.other_company.id]
        ).search([])
        self.assertIn(self.other_channel, visible)

    def test_job_reads_credentials_as_superuser(self):
        """Test that a user-triggered job can build the connector without reading secrets."""
        with self.fake_connector():
            connector = self.channel.with_user(self.user)._get_connector()
        self.assertEqual(connector.settings["channel_id"], self.channel.id)
