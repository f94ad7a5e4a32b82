"""The eBay connector end to end on real Odoo, against the Sell APIs simulator over loopback.

The simulator validates every request and answer against eBay's published
OpenAPI contracts and enforces the daily call quotas per application.
"""

from odoo.tests import tagged

from odoo.addons.marketplace_base.tests.common import MarketplaceCommon
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs

from ..ebay_client import clear_token_cache


@tagged("post_install", "-at_install")
class TestEbayFlows(MarketplaceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        _ebay, cls.sim, url = cls._serve_simulator("ebay", "EbaySimulator", seed=3, orders=0)
        creds = cls.sim.control.credentials()
        usd = cls.env.ref("base.USD")
        cls.pricelist = cls.env["product.pricelist"].create(
            {"name": "eBay US", "currency_id": usd.id}
        )
        cls.channel = cls.env["marketplace.channel"].create(
            {
                "name": "eBay US",
                "channel_type": "ebay",
                "ebay_marketplace_id": "EBAY_US",
                "ebay_endpoint": url,
                "ebay_client_id": creds["client_id"],
                "ebay_client_secret": creds["client_secret"],
                "ebay_refresh_token": creds["refresh_token"],
                "warehouse_id": cls.warehouse.id,
                "pricelist_id": cls.pricelist.id,
            }
        )
        cls.refs = cls.sim.control.seed_listings(["MUG-1", "PLATE-1"], quantity=1, price=10.0)

    def setUp(self):
        super().setUp()
        clear_token_cache()  # each test logs in on its own
        self.addCleanup(clear_token_cache)

    def _connect_and_bind(self):
        self.channel.action_test_connection()
        self.assertEqual(self.channel.state, "connected", self.channel.last_error)
        self.channel._import_listings()
        return self.channel.listing_ids.filtered(lambda rec: rec.product_id)

    def test_connection_and_listing_import(self):
        """Test that inventory items bind to products by SKU with their offer id."""
        listings = self._connect_and_bind()
        by_sku = {rec.channel_sku: rec for rec in listings}
        self.assertEqual(by_sku["MUG-1"].product_id, self.product_a)
        self.assertEqual(by_sku["MUG-1"].marketplace_ref, self.refs["MUG-1"]["offer_id"])
        self.assertEqual(by_sku["PLATE-1"].product_id, self.product_b)

    def test_stock_push_in_bulk_calls_of_25(self):
        """Test that 30 changed listings go in 2 bulkUpdatePriceQuantity calls."""
        skus = [f"BULK-{i:02d}" for i in range(30)]
        self.sim.control.seed_listings(skus, quantity=0, price=5.0)
        for i, sku in enumerate(skus):
            self._set_stock(self._create_product(sku, sku), i + 1)
        self._connect_and_bind()
        bulk = self.channel.listing_ids.filtered(lambda rec: rec.channel_sku.startswith("BULK-"))
        self.assertEqual(len(bulk), 30)
        bulk.action_mark_to_push()
        calls_before = len(self.sim.calls)
        with trap_jobs() as trap:
            self.channel._push_stock()
            # Two bulk calls' worth: a second job takes its share, in parallel.
            trap.assert_jobs_count(1, only=self.channel._push_stock)
            trap.perform_enqueued_jobs()
        ops = [call[2] for call in self.sim.calls[calls_before:]]
        self.assertEqual(ops.count("bulkUpdatePriceQuantity"), 2)
        self.assertEqual(
            [self.sim.control.listing_quantity(sku) for sku in skus], list(range(1, 31))
        )
        self.assertFalse(bulk.filtered("needs_push"))

    def test_price_push_sets_the_offer_price(self):
        """Test that a pricelist price reaches the listing's offer."""
        self._connect_and_bind()
        self.env["product.pricelist.item"].create(
            {
                "pricelist_id": self.pricelist.id,
                "applied_on": "0_product_variant",
                "product_id": self.product_a.id,
                "compute_price": "fixed",
                "fixed_price": 17.5,
            }
        )
        self.env.cr.flush()  # the change events are collected at flush
        self.channel._push_prices()
        self.assertEqual(self.sim.control.offer_price("MUG-1"), "17.50")

    def test_daily_quota_used_up_postpones(self):
        """Test that eBay's daily-quota 429 postpones the push without failing it."""
        listings = self._connect_and_bind()
        self._set_stock(self.product_a, 3)
        listings.action_mark_to_push()
        self.sim.control.set_daily_limit("inventory", 0)
        try:
            self.channel._push_stock()
        except RetryableJobError as exc:
            self.assertTrue(exc.ignore_retry)
        else:
            self.fail("a push over the daily quota must be postponed")
        finally:
            self.sim.control.set_daily_limit("inventory", 2_000_000)
            self.sim.control.reset_rate_limits()
        self.assertTrue(listings.filtered(lambda rec: rec.channel_sku == "MUG-1").needs_push)
