"""The Etsy connector end to end on real Odoo, against the Open API v3 simulator over loopback.

The simulator validates every request and answer against Etsy's published
OpenAPI file, enforces 10 calls/s and 10,000 a day per application, and rotates
refresh tokens as Etsy does.
"""

from unittest.mock import patch

from odoo.tests import tagged

from odoo.addons.marketplace_base.tests.common import MarketplaceCommon
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs

from ..connector import EtsyConnector


@tagged("post_install", "-at_install")
class TestEtsyFlows(MarketplaceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        _etsy, cls.sim, url = cls._serve_simulator("etsy", "EtsySimulator", seed=5)
        creds = cls.sim.control.credentials()
        cls.shop_id = shop_id = creds["shops"][0]["shop_id"]
        keystring, _sep, secret = creds["api_key"].partition(":")
        cls.channel = cls.env["marketplace.channel"].create(
            {
                "name": "Etsy shop",
                "channel_type": "etsy",
                "etsy_endpoint": url,
                "etsy_shop_id": str(shop_id),
                "etsy_keystring": keystring,
                "etsy_shared_secret": secret,
                "etsy_refresh_token": cls.sim.control.issue_tokens(shop_id)["refresh_token"],
                "warehouse_id": cls.warehouse.id,
            }
        )
        cls.refs = cls.sim.control.seed_listings(["MUG-1", "PLATE-1"], quantity=1, price=12.0)

    def setUp(self):
        super().setUp()
        # The class shares one simulator whose clock moves only on demand: refill its
        # per-second bucket so that no test inherits another's throttling.
        self.sim.control.advance(2)
        # Etsy revokes a refresh token once used, and each test's rotated one is rolled
        # back with the test: every test starts from a new consent.
        self.channel.etsy_refresh_token = self.sim.control.issue_tokens(self.shop_id)[
            "refresh_token"
        ]

    def _connect_and_bind(self):
        self.channel.action_test_connection()
        self.assertEqual(self.channel.state, "connected", self.channel.last_error)
        self.channel._import_listings()
        self._next_second()
        return self.channel.listing_ids.filtered(lambda rec: rec.product_id)

    def _next_second(self):
        """Let a second pass for Etsy (the simulator's clock moves on demand) and for
        our bucket, which Etsy's x-remaining-this-second emptied meanwhile."""
        self.sim.control.advance(2)
        self._bucket().write({"tokens": 10})
        self.env.flush_all()  # the bucket is taken by SQL

    def _push_stock(self):
        """Run the push job and the jobs it starts (one per listing share)."""
        with trap_jobs() as trap:
            self.channel._push_stock()
            trap.perform_enqueued_jobs()

    def _bucket(self):
        bucket = self.env["marketplace.rate.bucket"].search(
            [("account_key", "=", self.channel._get_connector().rate_account())]
        )
        bucket.invalidate_recordset()  # written by SQL
        return bucket

    def test_connection_and_listing_import(self):
        """Test that the connection works and Etsy listings bind to products by SKU."""
        listings = self._connect_and_bind()
        by_sku = {rec.channel_sku: rec for rec in listings}
        self.assertEqual(by_sku["MUG-1"].product_id, self.product_a)
        self.assertEqual(by_sku["MUG-1"].marketplace_ref, str(self.refs["MUG-1"]))
        self.assertEqual(by_sku["PLATE-1"].product_id, self.product_b)

    def test_stock_push_and_the_headers_correct_the_bucket(self):
        """Test that stock reaches Etsy in 2 calls per listing and Etsy's headers
        (x-limit-per-day, x-remaining-today) become the bucket's figures."""
        listings = self._connect_and_bind()
        self._set_stock(self.product_a, 9)
        self._set_stock(self.product_b, 4)
        listings.action_mark_to_push()
        calls_before = len(self.sim.calls)
        self._push_stock()
        self.assertEqual(
            self.sim.control.listing_quantity("MUG-1"), 9, listings.mapped("last_error")
        )
        self.assertEqual(self.sim.control.listing_quantity("PLATE-1"), 4)
        ops = [call[2] for call in self.sim.calls[calls_before:]]
        self.assertEqual(sorted(ops), ["getListingInventory"] * 2 + ["updateListingInventory"] * 2)
        bucket = self._bucket()
        self.assertEqual(bucket.daily_quota, 10000)
        # Etsy counts every API call of the application (other tests' and the import's
        # included; the token endpoint is not counted): so do we now.
        api_calls = [call for call in self.sim.calls if call[2] != "oauthToken"]
        self.assertEqual(bucket.day_count, len(api_calls))

    def test_variation_keeps_the_other_variations(self):
        """Test that pushing one variation's stock leaves its siblings as they were."""
        listing_id = self.sim.control.seed_variation_listing(["TEE-S", "TEE-M"], [5, 7])
        tee_s = self._create_product("Tee S", "TEE-S")
        self._connect_and_bind()
        self._set_stock(tee_s, 3)
        listing = self.channel.listing_ids.filtered(lambda rec: rec.channel_sku == "TEE-S")
        self.assertEqual(listing.marketplace_ref, str(listing_id))
        listing.action_mark_to_push()
        self._push_stock()
        self.assertEqual(self.sim.control.listing_quantity("TEE-S"), 3)
        self.assertEqual(self.sim.control.listing_quantity("TEE-M"), 7)

    def test_out_of_stock_deactivates_and_restock_reactivates(self):
        """Test that 0 deactivates the listing (Etsy refuses an inventory at 0) and
        stock coming back reactivates it with the new quantity."""
        listings = self._connect_and_bind()
        mug = listings.filtered(lambda rec: rec.channel_sku == "MUG-1")
        mug.action_mark_to_push()  # no stock: 0
        self._push_stock()
        self.assertEqual(self.sim.control.listing_state(self.refs["MUG-1"]), "inactive")
        self.assertEqual(mug.state, "active")  # still sold here: only out of stock
        self.assertEqual(mug.last_pushed_qty, 0)
        self._next_second()
        self._set_stock(self.product_a, 6)
        mug.action_mark_to_push()
        self._push_stock()
        self.assertEqual(self.sim.control.listing_state(self.refs["MUG-1"]), "active")
        self.assertEqual(self.sim.control.listing_quantity("MUG-1"), 6)

    def test_rotated_refresh_token_is_kept_for_the_next_login(self):
        """Test that after Etsy rotates the refresh token (revoking the one entered),
        an expired access token is renewed with the rotated one."""
        listings = self._connect_and_bind()
        token = self.env["marketplace.etsy.token"].search([("channel_id", "=", self.channel.id)])
        self.assertTrue(token.access_token)
        self.assertNotEqual(token.refresh_token, self.channel.sudo().etsy_refresh_token)
        first_access = token.access_token
        self.sim.control.advance(3700)  # the access token (1 h) expires
        self._set_stock(self.product_a, 2)
        listings.filtered(lambda rec: rec.channel_sku == "MUG-1").action_mark_to_push()
        self._push_stock()
        self.assertEqual(
            self.sim.control.listing_quantity("MUG-1"), 2, listings.mapped("last_error")
        )
        token.invalidate_recordset()
        self.assertNotEqual(token.access_token, first_access)

    def test_throttled_push_is_postponed(self):
        """Test that Etsy's 429 postpones the job (no failure) and drains the bucket."""
        listings = self._connect_and_bind()
        self._set_stock(self.product_a, 8)
        listings.action_mark_to_push()
        self.sim.control.set_fault("error", status=429, operation="getListingInventory")
        try:
            self.channel._push_stock()
        except RetryableJobError as exc:
            self.assertTrue(exc.ignore_retry)
        else:
            self.fail("a throttled push must be postponed")
        finally:
            self.sim.control.clear_faults()
        self.assertEqual(self._bucket().throttled, 1)
        self.assertTrue(listings.filtered(lambda rec: rec.channel_sku == "MUG-1").needs_push)

    def test_no_call_left_this_second_sends_the_rest_later(self):
        """Test that when Etsy says no call is left this second (other tools share the
        application), the listings not sent yet wait, marked, for a follow-up job."""
        listings = self._connect_and_bind()
        self._set_stock(self.product_a, 9)
        self._set_stock(self.product_b, 4)
        listings.action_mark_to_push()
        client = self.channel._get_connector().client
        for _i in range(8):  # another tool of the application spends 8 of the 10 calls
            client.ping()
        with (
            patch.object(EtsyConnector, "push_concurrency", 1),  # one job: no share
            trap_jobs() as trap,
        ):
            self.channel._push_stock()
            trap.assert_jobs_count(1, only=self.channel._push_stock)
            job = trap.enqueued_jobs[0]
            self.assertGreater(job.eta, job.date_created)  # when Etsy has calls again
        self.assertEqual(len(listings.filtered("needs_push")), 1)  # one sent, one waits
        self.assertLess(self._bucket().tokens, 1)  # as Etsy said (plus the refill since)
