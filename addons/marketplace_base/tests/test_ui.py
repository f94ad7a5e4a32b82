from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestUi(HttpCase):
    """Browser tours of the main screens (Chromium)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.channel = env["marketplace.channel"].create(
            {"name": "Tour Market", "state": "connected"}
        )
        product = env["product.product"].create(
            {"name": "Tour Mug", "default_code": "TOUR-MUG", "type": "consu", "is_storable": True}
        )
        env["marketplace.listing"].create(
            [
                {"channel_id": cls.channel.id, "channel_sku": "TOUR-MUG"},
                {
                    "channel_id": cls.channel.id,
                    "channel_sku": "TOUR-OTHER",
                    "product_id": product.id,
                },
            ]
        )

    def test_channel_dashboard_tour(self):
        """Test the channel dashboard: counters, open a channel, open its listings."""
        self.start_tour(
            "/odoo/action-marketplace_base.marketplace_channel_action",
            "marketplace_channel_dashboard_tour",
            login="admin",
        )

    def test_setup_wizard_tour(self):
        """Test the set-up wizard creating a channel from the dashboard."""
        self.start_tour(
            "/odoo/action-marketplace_base.marketplace_channel_action",
            "marketplace_setup_wizard_tour",
            login="admin",
        )
        channel = self.env["marketplace.channel"].search([("name", "=", "Wizard Shop")])
        self.assertEqual(len(channel), 1)
        self.assertEqual(len(channel.stock_rule_ids), 1)

    def test_listings_tour(self):
        """Test the listings screen: filter unmatched and auto-match them."""
        self.start_tour(
            "/odoo/action-marketplace_base.marketplace_listing_action",
            "marketplace_listings_tour",
            login="admin",
        )
        listing = self.env["marketplace.listing"].search([("channel_sku", "=", "TOUR-MUG")])
        self.assertEqual(listing.product_id.default_code, "TOUR-MUG")
