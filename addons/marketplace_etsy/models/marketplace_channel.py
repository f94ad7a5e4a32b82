from odoo import fields, models

from odoo.addons.marketplace_base.models.marketplace_channel import MANAGER_GROUP

from ..connector import EtsyConnector


class MarketplaceChannel(models.Model):
    _inherit = "marketplace.channel"

    channel_type = fields.Selection(selection_add=[("etsy", "Etsy")], ondelete={"etsy": "cascade"})
    etsy_shop_id = fields.Char(string="Shop ID")
    etsy_endpoint = fields.Char(
        string="Etsy API Endpoint",
        help="Leave empty for Etsy's own endpoint; set the simulator URL to test.",
    )
    etsy_keystring = fields.Char(string="Keystring", copy=False, groups=MANAGER_GROUP)
    etsy_shared_secret = fields.Char(string="Shared Secret", copy=False, groups=MANAGER_GROUP)
    etsy_refresh_token = fields.Char(
        copy=False,
        groups=MANAGER_GROUP,
        help="Etsy rotates it at each refresh: it is updated automatically.",
    )

    def _get_connector_class(self):
        """Override of `marketplace_base` to return the Etsy connector."""
        if self.channel_type != "etsy":
            return super()._get_connector_class()
        return EtsyConnector

    def _get_connector_settings(self):
        """Override of `marketplace_base` to add the Etsy settings."""
        settings = super()._get_connector_settings()
        if self.channel_type != "etsy":
            return settings
        settings = {
            **settings,
            "etsy_shop_id": self.etsy_shop_id,
            "etsy_endpoint": self.etsy_endpoint,
            "etsy_keystring": self.etsy_keystring,
            "etsy_shared_secret": self.etsy_shared_secret,
            "etsy_refresh_token": self.etsy_refresh_token,
        }
        settings["etsy_token_provider"] = self._etsy_token_provider(settings)
        return settings

    def _etsy_token_provider(self, settings):
        """The Etsy client's ``token_provider``: tokens shared by every process."""
        channel_id = self.id
        Token = self.env["marketplace.etsy.token"].sudo()
        last = {"token": None}

        def provide(force):
            last["token"] = Token._get_access_token(
                channel_id, settings, refused=last["token"] if force else None
            )
            return last["token"]

        return provide
