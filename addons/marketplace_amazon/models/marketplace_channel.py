from odoo import fields, models

from odoo.addons.marketplace_base.models.marketplace_channel import MANAGER_GROUP

from ..connector import AmazonConnector


class MarketplaceChannel(models.Model):
    _inherit = "marketplace.channel"

    channel_type = fields.Selection(
        selection_add=[("amazon", "Amazon")], ondelete={"amazon": "cascade"}
    )
    amazon_region = fields.Selection(
        [("na", "North America"), ("eu", "Europe"), ("fe", "Far East")],
        string="Region",
        default="eu",
    )
    amazon_seller_id = fields.Char(string="Seller ID", help="Merchant token of the seller account.")
    amazon_marketplace_ids = fields.Char(
        string="Marketplace IDs", help="Comma-separated, e.g. A13V1IB3VIYZZH for Amazon.fr."
    )
    amazon_product_type = fields.Char(
        string="Default Product Type",
        default="PRODUCT",
        help="Amazon product type of the listings this channel creates (e.g. HOME, SHIRT).",
    )
    amazon_endpoint = fields.Char(
        string="API Endpoint",
        help="Leave empty for Amazon's own endpoint of the region; set the simulator URL to test.",
    )
    amazon_lwa_client_id = fields.Char(string="LWA Client ID", copy=False, groups=MANAGER_GROUP)
    amazon_lwa_client_secret = fields.Char(
        string="LWA Client Secret", copy=False, groups=MANAGER_GROUP
    )
    amazon_refresh_token = fields.Char(string="Refresh Token", copy=False, groups=MANAGER_GROUP)

    def _get_connector_class(self):
        """Override of `marketplace_base` to return the Amazon connector."""
        if self.channel_type != "amazon":
            return super()._get_connector_class()
        return AmazonConnector

    def _get_connector_settings(self):
        """Override of `marketplace_base` to add the Amazon settings."""
        settings = super()._get_connector_settings()
        if self.channel_type != "amazon":
            return settings
        return {
            **settings,
            "amazon_region": self.amazon_region,
            "amazon_seller_id": self.amazon_seller_id,
            "amazon_marketplace_ids": self.amazon_marketplace_ids,
            "amazon_endpoint": self.amazon_endpoint,
            "amazon_lwa_client_id": self.amazon_lwa_client_id,
            "amazon_lwa_client_secret": self.amazon_lwa_client_secret,
            "amazon_refresh_token": self.amazon_refresh_token,
        }
