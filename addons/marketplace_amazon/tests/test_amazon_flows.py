"""The Amazon connector end to end on real Odoo, against the SP-API simulator over loopback.

The simulator (``simulators/`` at the project root) validates every request and
response against Amazon's published models, so these flows prove the real
contract, not our own assumptions.
"""

from odoo.fields import Command
from odoo.tests import tagged

from odoo.addons.marketplace_base.tests.common import MarketplaceCommon
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs


@tagged("post_install", "-at_install")
class TestAmazonFlows(MarketplaceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        amazon, cls.sim, url = cls._serve_simulator("amazon", "AmazonSimulator", seed=7)
        eur = cls.env.ref("base.EUR")
        eur.active = True
        cls.pricelist = cls.env["product.pricelist"].create(
            {"name": "Amazon.de", "currency_id": eur.id}
        )
        cls.channel = cls.env["marketplace.channel"].create(
            {
                "name": "Amazon DE",
                "channel_type": "amazon",
                "amazon_endpoint": url,
                "amazon_seller_id": amazon.DEFAULT_SELLER_ID,
                "amazon_marketplace_ids": amazon.DE,
                "amazon_lwa_client_id": amazon.DEFAULT_CLIENT_ID,
                "amazon_lwa_client_secret": amazon.DEFAULT_CLIENT_SECRET,
                "amazon_refresh_token": amazon.DEFAULT_REFRESH_TOKEN,
                "warehouse_id": cls.warehouse.id,
                "pricelist_id": cls.pricelist.id,
                "price_include_tax": True,
            }
        )
        cls.mug = cls._create_product("Mug 350", "MUG-CERAMIC-350", price=14.9)
        cls.lamp = cls._create_product("Desk lamp", "LAMP-LED-DESK", price=39.99)
        cls._set_stock(cls.mug, 30)
        cls._set_stock(cls.lamp, 30)

    def setUp(self):
        super().setUp()
        # One simulator for the class, with a clock that only moves on demand: let its
        # token buckets refill between tests, so no test inherits another's throttling.
        self.sim.control.advance(10)

    def _connect_and_bind(self):
        self.channel.action_test_connection()
        self.assertEqual(self.channel.state, "connected", self.channel.last_error)
        for sku, title in (("MUG-CERAMIC-350", "Mug"), ("LAMP-LED-DESK", "Lamp")):
            self.sim.control.set_listing(sku, title=title, price=10.0, quantity=1, currency="EUR")
        self.channel._import_listings()
        return self.channel.listing_ids.filtered(lambda rec: rec.product_id)

    def test_connection_and_listing_import(self):
        """Test the connection test and that Amazon listings bind to products by SKU."""
        listings = self._connect_and_bind()
        self.assertEqual(
            sorted(listings.mapped("channel_sku")), ["LAMP-LED-DESK", "MUG-CERAMIC-350"]
        )
        self.assertTrue(all(listings.mapped("marketplace_ref")))  # the ASIN
        self.assertEqual(set(listings.mapped("state")), {"active"})

    def test_wrong_credentials_set_error_state(self):
        """Test that a revoked refresh token puts the channel in error with Amazon's message."""
        self.sim.control.revoke_refresh_token(self.channel.sudo().amazon_refresh_token)
        self.channel.action_test_connection()
        self.assertEqual(self.channel.state, "error")
        self.assertTrue(self.channel.last_error)
        self.assertNotIn(self.channel.sudo().amazon_lwa_client_secret, self.channel.last_error)

    def test_stock_push_after_picking(self):
        """Test that a stock change reaches Amazon's fulfillment_availability."""
        listings = self._connect_and_bind()
        self._set_stock(self.mug, 5)  # 35 in stock now
        self.env.cr.flush()
        self.assertTrue(
            listings.filtered(lambda rec: rec.channel_sku == "MUG-CERAMIC-350").needs_push
        )
        self.channel._push_stock()
        self.assertEqual(self.sim.control.listing_quantity("MUG-CERAMIC-350"), 35)
        self.assertEqual(self.sim.control.listing_quantity("LAMP-LED-DESK"), 30)

    def test_stock_burst_goes_through_a_feed(self):
        """Test that more than a handful of SKUs go in one feed whose report is checked later."""
        self._connect_and_bind()
        products = [self._create_product(f"Bulk {i}", f"BULK-{i}") for i in range(7)]
        for i, product in enumerate(products):
            self.sim.control.set_listing(f"BULK-{i}", title=f"Bulk {i}", quantity=0, price=5.0)
            self._set_stock(product, i + 1)
        self.channel._import_listings()
        bulk = self.channel.listing_ids.filtered(lambda rec: rec.channel_sku.startswith("BULK-"))
        self.assertEqual(len(bulk), 7)
        bulk.action_mark_to_push()  # as a stock change would
        self.channel._push_stock()
        refs = set(bulk.mapped("push_submission_ref"))
        self.assertEqual(len(refs), 1)  # one feed for the whole burst
        self.sim.control.advance(200)  # Amazon processes the feed
        self.channel._check_submission(refs.pop())
        self.assertFalse(any(bulk.mapped("push_submission_ref")))
        self.assertEqual(set(bulk.mapped("state")), {"active"})
        self.assertEqual(self.sim.control.listing_quantity("BULK-6"), 7)

    def test_publish_new_listing(self):
        """Test that a draft listing is created on Amazon with its title, price and quantity."""
        self.channel.action_test_connection()
        product = self._create_product("Linen apron", "APRON-1", price=29.0)
        product.barcode = "4006381333962"
        self._set_stock(product, 9)
        listing = self._create_listing(product, "APRON-1", channel=self.channel, state="draft")
        with trap_jobs() as trap:
            listing.action_publish()
            trap.assert_enqueued_job(self.channel._publish_listings, args=(listing.ids,))
        self.assertEqual(listing.state, "pending")
        self.channel._publish_listings(listing.ids)
        self.assertEqual(listing.state, "active", listing.last_error)
        attributes = self.sim.control.listing("APRON-1")
        self.assertEqual(attributes["item_name"][0]["value"], "Linen apron")
        self.assertEqual(self.sim.control.listing_quantity("APRON-1"), 9)
        self.assertEqual(float(self.sim.control.listing_price("APRON-1")), 29.0)
        self.assertEqual(
            attributes["externally_assigned_product_identifier"][0]["value"], "4006381333962"
        )

    def test_throttled_push_is_postponed(self):
        """Test that Amazon's 429 postpones the job with a wait, without spending a retry."""
        self._connect_and_bind()
        products = [self._create_product(f"Hot {i}", f"HOT-{i}") for i in range(3)]
        for i, product in enumerate(products):
            self.sim.control.set_listing(f"HOT-{i}", title=f"Hot {i}", quantity=0, price=5.0)
            self._set_stock(product, 3)
        self.channel._import_listings()
        listings = self.channel.listing_ids.filtered(lambda rec: rec.product_id)
        # Five listings, one patchListingsItem each (burst 5, 5/s): the
        # simulator's clock stands still, so the second round is throttled.
        listings.action_mark_to_push()
        self.channel._push_stock()
        listings.write({"last_pushed_qty": -1, "needs_push": True})
        with self.assertRaises(RetryableJobError) as caught:
            self.channel._push_stock()
        self.assertTrue(caught.exception.ignore_retry)
        self.assertGreater(caught.exception.seconds, 0)

    def test_rate_limit_header_corrects_the_bucket(self):
        """Test that x-amzn-RateLimit-Limit replaces the rate we assumed for this seller."""
        self._connect_and_bind()
        Bucket = self.env["marketplace.rate.bucket"]
        Bucket._take("amazon:" + self.channel.amazon_seller_id, "listings_patch", (1.0, 5, 0), 0)
        bucket = Bucket.search(
            [
                ("account_key", "=", "amazon:" + self.channel.amazon_seller_id),
                ("group_name", "=", "listings_patch"),
            ]
        )
        bucket.rate = 1.0  # as if we had assumed a lower rate for this seller
        self.env.flush_all()
        self._set_stock(self.mug, 1)
        self.env.cr.flush()
        self.channel._push_stock()
        bucket.invalidate_recordset()
        self.assertEqual(bucket.rate, 5.0)  # what the simulator announces, as Amazon does

    def test_price_push_after_pricelist_change(self):
        """Test that a pricelist rule change reaches Amazon's purchasable_offer."""
        self._connect_and_bind()
        self.env["product.pricelist.item"].create(
            {
                "pricelist_id": self.pricelist.id,
                "applied_on": "0_product_variant",
                "product_id": self.mug.id,
                "compute_price": "fixed",
                "fixed_price": 12.5,
            }
        )
        self.env.cr.flush()
        self.channel._push_prices()
        self.assertEqual(float(self.sim.control.listing_price("MUG-CERAMIC-350")), 12.5)

    def test_order_import_and_shipment(self):
        """Test MFN, AFN, cancelled and unknown-SKU orders, then a shipment confirmation."""
        self._connect_and_bind()
        self.channel.marketplace_location_id = self.env["stock.location"].create(
            {"name": "FBA DE", "usage": "internal"}
        )
        control = self.sim.control
        common = {
            "marketplace_id": self.channel.amazon_marketplace_ids,
            "pending": False,
            "unknown_sku": False,
            "cancelled": False,
            "partially_shipped": False,
            "b2b": False,
        }
        mfn = control.create_order(
            skus=["MUG-CERAMIC-350", "LAMP-LED-DESK"], fulfilled_by="MERCHANT", **common
        )["orderId"]
        afn = control.create_order(skus=["MUG-CERAMIC-350"], fulfilled_by="AMAZON", **common)[
            "orderId"
        ]
        cancelled = control.create_order(
            skus=["LAMP-LED-DESK"], fulfilled_by="MERCHANT", **{**common, "cancelled": True}
        )["orderId"]
        unknown = control.create_order(
            lines=1, fulfilled_by="MERCHANT", **{**common, "unknown_sku": True}
        )["orderId"]
        # Searches never see the last two minutes; afterwards the simulator's clock
        # is ahead of ours, so our shipping dates are in its past.
        control.advance(600)
        self.channel.orders_watermark = False
        self.channel._import_orders()
        orders = {o.marketplace_ref: o for o in self.channel.sale_order_ids}
        self.assertEqual(set(orders), {mfn, afn, cancelled, unknown})
        self.assertFalse(orders[mfn].marketplace_to_fix, orders[mfn].marketplace_error)
        self.assertEqual(orders[mfn].state, "sale")
        self.assertEqual(orders[mfn].currency_id.name, "EUR")
        self.assertFalse(orders[afn].picking_ids)
        self.assertEqual(orders[afn].state, "sale")
        self.assertEqual(orders[cancelled].state, "cancel")
        self.assertTrue(orders[unknown].marketplace_to_fix)
        self.assertIn("Unknown SKU", orders[unknown].marketplace_error)
        # Ship the MFN order: Amazon receives the tracking and the items.
        picking = orders[mfn].picking_ids
        carrier = self.env["delivery.carrier"].create(
            {
                "name": "DHL Paket",
                "product_id": self.channel.shipping_product_id.id,
            }
        )
        self.channel.carrier_mapping_ids = [
            Command.create({"carrier_id": carrier.id, "marketplace_carrier_code": "DHL"})
        ]
        picking.carrier_id = carrier
        picking.carrier_tracking_ref = "00340434161094042557"
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        picking._action_done()
        picking._marketplace_push_shipment()
        self.assertEqual(
            picking.marketplace_shipment_state, "pushed", picking.marketplace_shipment_error
        )
        packages = control.shipments(mfn)
        self.assertEqual(packages[0]["trackingNumber"], "00340434161094042557")
        self.assertEqual(control.order_status(mfn), "SHIPPED")
        # Amazon booked its fees with the shipment: they land on the order.
        self.assertTrue(orders[mfn]._marketplace_import_fees())
        commission = orders[mfn].marketplace_fee_ids.filtered(
            lambda fee: fee.fee_type == "Commission"
        )
        self.assertTrue(commission)
        self.assertLess(orders[mfn].marketplace_fee_total, 0)
