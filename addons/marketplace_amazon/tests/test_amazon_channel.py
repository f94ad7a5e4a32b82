from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.marketplace_base.tests.common import MarketplaceCommon

SECRETS = ["amazon_lwa_client_id", "amazon_lwa_client_secret", "amazon_refresh_token"]


@tagged("post_install", "-at_install")
class TestAmazonChannel(MarketplaceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.amazon_channel = cls.env["marketplace.channel"].create(
            {
                "name": "Amazon test",
                "channel_type": "amazon",
                **dict.fromkeys(SECRETS, "s3cret-amazon-value"),
            }
        )
        cls.user = new_test_user(
            cls.env, "amazon_user", groups="marketplace_base.group_marketplace_user"
        )
        cls.manager = new_test_user(
            cls.env, "amazon_manager", groups="marketplace_base.group_marketplace_manager"
        )

    def test_secrets_are_manager_only(self):
        """Test that users cannot read Amazon credentials and managers can."""
        self.assertTrue(
            set(SECRETS) <= set(self.env["marketplace.channel"]._get_secret_field_names())
        )
        for name in SECRETS:
            with self.assertRaises(AccessError):
                self.amazon_channel.with_user(self.user).read([name])
            value = self.amazon_channel.with_user(self.manager).read([name])[0][name]
            self.assertEqual(value, "s3cret-amazon-value")

    def test_secrets_not_copied_and_masked(self):
        """Test that a copied channel has no credentials and messages mask them."""
        copy = self.amazon_channel.copy()
        self.assertFalse(any(copy[name] for name in SECRETS))
        masked = self.amazon_channel._mask_secrets("refused s3cret-amazon-value")
        self.assertEqual(masked, "refused ********")

    def test_settings_carry_credentials(self):
        """Test that a user's connector gets the credentials the user cannot read."""
        with self.fake_connector():
            connector = self.amazon_channel.with_user(self.user)._get_connector()
        self.assertEqual(connector.settings[SECRETS[0]], "s3cret-amazon-value")

    def test_dispatch_to_amazon_connector(self):
        """Test that an Amazon channel dispatches to the Amazon connector, others do not."""
        from ..connector import AmazonConnector  # noqa: PLC0415

        self.assertIsInstance(self.amazon_channel._get_connector(), AmazonConnector)
        with self.assertRaisesRegex(UserError, "No connector"):
            self.channel._get_connector()

    def test_job_channel(self):
        """Test that Amazon jobs run in their own queue_job channel."""
        self.assertEqual(self.amazon_channel._get_job_channel(), "root.marketplace.amazon")
        self.assertTrue(self.env.ref("marketplace_amazon.channel_marketplace_amazon"))
