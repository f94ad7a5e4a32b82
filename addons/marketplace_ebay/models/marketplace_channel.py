from odoo import fields, models

from odoo.addons.marketplace_base.models.marketplace_channel import MANAGER_GROUP

from ..connector import EbayConnector


class MarketplaceChannel(models.Model):
    _inherit = "marketplace.channel"

    channel_type = fields.Selection(selection_add=[("ebay", "eBay")], ondelete={"ebay": "cascade"})
    ebay_marketplace_id = fields.Char(
        string="eBay Marketplace",
        default="EBAY_FR",
        help="e.g. EBAY_US, EBAY_GB, EBAY_DE, EBAY_FR.",
    )
    ebay_endpoint = fields.Char(
        string="eBay API Endpoint",
        help="Leave empty for eBay's own endpoint; set the simulator URL to test.",
    )
    ebay_client_id = fields.Char(string="App ID (Client ID)", copy=False, groups=MANAGER_GROUP)
    ebay_client_secret = fields.Char(
        string="Cert ID (Client Secret)", copy=False, groups=MANAGER_GROUP
    )
    ebay_refresh_token = fields.Char(string="User Refresh Token", copy=False, groups=MANAGER_GROUP)

    def _get_connector_class(self):
        """Override of `marketplace_base` to return the eBay connector."""
        if self.channel_type != "ebay":
            return super()._get_connector_class()
        return EbayConnector

    def _get_connector_settings(self):
        """Override of `marketplace_base` to add the eBay settings."""
        settings = super()._get_connector_settings()
        if self.channel_type != "ebay":
            return settings
        return {
            **settings,
            "ebay_marketplace_id": self.ebay_marketplace_id,
            "ebay_endpoint": self.ebay_endpoint,
            "ebay_client_id": self.ebay_client_id,
            "ebay_client_secret": self.ebay_client_secret,
            "ebay_refresh_token": self.ebay_refresh_token,
        }
