from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.marketplace_base.tests.common import MarketplaceCommon

from ..connector import EtsyConnector

SECRETS = ["etsy_keystring", "etsy_shared_secret", "etsy_refresh_token"]


@tagged("post_install", "-at_install")
class TestEtsyChannel(MarketplaceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.etsy_channel = cls.env["marketplace.channel"].create(
            {
                "name": "Etsy test",
                "channel_type": "etsy",
                **dict.fromkeys(SECRETS, "s3cret-etsy-value"),
            }
        )
        cls.user = new_test_user(
            cls.env, "etsy_user", groups="marketplace_base.group_marketplace_user"
        )
        cls.manager = new_test_user(
            cls.env, "etsy_manager", groups="marketplace_base.group_marketplace_manager"
        )

    def test_secrets_are_manager_only(self):
        """Test that users cannot read Etsy credentials and managers can."""
        self.assertTrue(
            set(SECRETS) <= set(self.env["marketplace.channel"]._get_secret_field_names())
        )
        for name in SECRETS:
            with self.assertRaises(AccessError):
                self.etsy_channel.with_user(self.user).read([name])
            value = self.etsy_channel.with_user(self.manager).read([name])[0][name]
            self.assertEqual(value, "s3cret-etsy-value")

    def test_secrets_not_copied_and_masked(self):
        """Test that a copied channel has no credentials and messages mask them."""
        copy = self.etsy_channel.copy()
        self.assertFalse(any(copy[name] for name in SECRETS))
        masked = self.etsy_channel._mask_secrets("refused s3cret-etsy-value")
        self.assertEqual(masked, "refused ********")

    def test_settings_carry_credentials(self):
        """Test that a user's connector gets the credentials the user cannot read."""
        with self.fake_connector():
            connector = self.etsy_channel.with_user(self.user)._get_connector()
        self.assertEqual(connector.settings[SECRETS[0]], "s3cret-etsy-value")

    def test_dispatches_to_its_connector(self):
        """Test that the channel builds the etsy connector with its settings."""
        connector = self.etsy_channel._get_connector()
        self.assertIsInstance(connector, EtsyConnector)
        self.assertEqual(connector.settings[SECRETS[0]], "s3cret-etsy-value")
        self.assertTrue(connector.rate_account().startswith("etsy:app-"))
        self.assertNotIn("s3cret", connector.rate_account())  # shown to users: no secret

    def test_job_channel(self):
        """Test that Etsy jobs run in their own queue_job channel."""
        self.assertEqual(self.etsy_channel._get_job_channel(), "root.marketplace.etsy")
        self.assertTrue(self.env.ref("marketplace_etsy.channel_marketplace_etsy"))
