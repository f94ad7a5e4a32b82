import threading
import time

from odoo import SUPERUSER_ID, api
from odoo.orm.environments import Transaction
from odoo.tests import TransactionCase, tagged
from odoo.tests.common import release_test_lock
from odoo.tools import mute_logger

from odoo.addons.queue_job.exception import RetryableJobError

from ..exceptions import MarketplaceRateLimited
from .common import FakeConnector, MarketplaceCommon, make_order


@tagged("post_install", "-at_install")
class TestConcurrentImport(TransactionCase):
    """Two jobs importing the same order at once, in separate transactions."""

    def _env(self, cr):
        # Give the cursor its transaction up front: Environment() would otherwise
        # look the registry up by name, under a lock the test runner holds.
        if cr.transaction is None:
            cr.transaction = Transaction(self.registry)
        return api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})

    def setUp(self):
        super().setUp()
        # Committed fixtures: the two import transactions must both see them.
        with self.registry.cursor() as cr:
            env = self._env(cr)
            product = env["product.product"].create(
                {"name": "Race mug", "default_code": "RACE-1", "type": "consu"}
            )
            self.channel_id = (
                env["marketplace.channel"]
                .create(
                    {
                        "name": "Race channel",
                        "state": "connected",
                        "auto_confirm_orders": False,
                    }
                )
                .id
            )
            env["marketplace.listing"].create(
                {
                    "channel_id": self.channel_id,
                    "channel_sku": "RACE",
                    "product_id": product.id,
                }
            )
            self.product_id = product.id
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            orders = env["sale.order"].search([("marketplace_channel_id", "=", self.channel_id)])
            partners = orders.partner_id | orders.partner_shipping_id
            orders.unlink()
            env["marketplace.channel"].browse(self.channel_id).unlink()
            env["product.product"].browse(self.product_id).unlink()
            partners.unlink()

    def test_two_concurrent_imports_create_one_order(self):
        """Test that two transactions importing the same order leave exactly one."""
        remote = make_order("RACE-ORDER", [("RACE", 1, "10.00")], email="race@example.com")
        barrier = threading.Barrier(2, timeout=30)
        results, errors = [], []

        def worker():
            try:
                with self.registry.cursor() as cr:
                    env = self._env(cr)
                    channel = env["marketplace.channel"].browse(self.channel_id)
                    barrier.wait()
                    results.append(env["sale.order"]._marketplace_import_orders(channel, [remote]))
            except Exception as exc:
                errors.append(exc)

        threads = [threading.Thread(target=worker) for _i in range(2)]
        # The test framework holds the registry lock; other threads need it. The
        # loser's unique violation is expected (and handled): keep it out of the log.
        with release_test_lock(), mute_logger("odoo.sql_db"):
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
        self.assertFalse(errors)
        self.assertEqual(len(results), 2)
        with self.registry.cursor() as cr:
            count = self._env(cr)["sale.order"].search_count(
                [("marketplace_channel_id", "=", self.channel_id)]
            )
        self.assertEqual(count, 1)


@tagged("post_install", "-at_install")
class TestRetry(MarketplaceCommon):
    def test_rate_limited_push_is_postponed_not_failed(self):
        """Test that a throttled push raises a retryable error with the marketplace's delay."""
        listing = self._create_listing(self.product_a, "A", needs_push=True)
        self._set_stock(self.product_a, 3)

        def throttled(connector, updates):
            raise MarketplaceRateLimited("QuotaExceeded", seconds=42)

        with self.fake_connector():
            original = FakeConnector.push_stock
            FakeConnector.push_stock = throttled
            try:
                with self.assertRaises(RetryableJobError) as caught:
                    self.channel._push_stock()
            finally:
                FakeConnector.push_stock = original
        self.assertEqual(caught.exception.seconds, 42)
        self.assertTrue(caught.exception.ignore_retry)
        self.assertTrue(listing.needs_push)


@tagged("post_install", "-at_install")
class TestConcurrentPushClaims(TransactionCase):
    """Push jobs of one channel running at once, in separate transactions."""

    _env = TestConcurrentImport._env

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = self._env(cr)
            channel = env["marketplace.channel"].create({"name": "Claim channel"})
            self.channel_id = channel.id
            product = env["product.product"].create({"name": "Claimed mug", "type": "consu"})
            self.product_id = product.id
            self.sold_id = (
                env["marketplace.listing"]
                .create(
                    {
                        "channel_id": channel.id,
                        "channel_sku": "CLAIM-SOLD",
                        "product_id": product.id,
                        "state": "active",
                    }
                )
                .id
            )
            self.listing_ids = (
                env["marketplace.listing"]
                .create(
                    [
                        {"channel_id": channel.id, "channel_sku": f"CLAIM-{i}", "needs_push": True}
                        for i in range(10)
                    ]
                )
                .ids
            )
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            env["marketplace.channel"].browse(self.channel_id).unlink()
            env["product.product"].browse(self.product_id).unlink()
            cr.execute("DELETE FROM marketplace_listing_mark WHERE listing_id = %s", [self.sold_id])

    def test_two_jobs_claim_disjoint_listings(self):
        """Test that two transactions claiming the same listings never share one."""
        claimed, errors = {}, []
        claimed_both = threading.Barrier(2, timeout=30)

        def worker(name, limit):
            try:
                with self.registry.cursor() as cr:
                    listings = self._env(cr)["marketplace.listing"].browse(self.listing_ids)
                    mine = listings._claim(limit)
                    claimed[name] = mine.ids
                    claimed_both.wait()  # hold the locks until both have claimed
            except Exception as exc:
                errors.append(exc)

        first = threading.Thread(target=worker, args=("first", 6))
        second = threading.Thread(target=worker, args=("second", 6))
        with release_test_lock():
            first.start()
            # The first holds its six rows before the second asks.
            for _i in range(300):
                if "first" in claimed:
                    break
                time.sleep(0.01)
            second.start()
            first.join(60)
            second.join(60)
        self.assertFalse(errors)
        self.assertEqual(claimed["first"], self.listing_ids[:6])  # the most urgent first
        self.assertEqual(claimed["second"], self.listing_ids[6:])  # the rest, none twice

    def test_stock_change_never_waits_for_a_push_job(self):
        """Test that a stock change marks a listing a push job holds without waiting
        (it used to update the listing's row: blocked, then failed to serialize)."""
        holding, release = threading.Event(), threading.Event()
        errors = []

        def push_job():
            try:
                with self.registry.cursor() as cr:
                    # What a push job does to the listings it sends: lock, then write.
                    cr.execute(
                        "SELECT id FROM marketplace_listing WHERE id = %s FOR UPDATE",
                        [self.sold_id],
                    )
                    cr.execute(
                        "UPDATE marketplace_listing SET write_date = now() WHERE id = %s",
                        [self.sold_id],
                    )
                    holding.set()
                    release.wait(30)  # holds the row until the stock change is done
            except Exception as exc:
                errors.append(exc)
                holding.set()

        job = threading.Thread(target=push_job)
        with release_test_lock():
            job.start()
            holding.wait(30)
            try:
                with self.registry.cursor() as cr:  # commits on exit, precommit included
                    cr.execute("SET LOCAL lock_timeout = '2s'")  # a wait fails the test
                    self._env(cr)["marketplace.listing"]._mark_products_to_push([self.product_id])
                with self.registry.cursor() as cr:
                    listing = self._env(cr)["marketplace.listing"].browse(self.sold_id)
                    marked = listing.needs_push
            finally:
                release.set()
                job.join(60)
        self.assertFalse(errors)
        self.assertTrue(marked)

    def test_listing_pushed_since_the_snapshot_is_skipped(self):
        """Test that a job whose snapshot predates another job's push skips that
        listing instead of failing to serialize (and pushing a stale value)."""
        snapshot_taken, pushed = threading.Event(), threading.Event()
        claimed, errors = [], []
        first, rest = self.listing_ids[0], self.listing_ids[1:3]

        def late_job():
            try:
                with self.registry.cursor() as cr:
                    listings = self._env(cr)["marketplace.listing"].browse([first, *rest])
                    self.assertTrue(all(listings.mapped("needs_push")))  # the snapshot
                    snapshot_taken.set()
                    pushed.wait(30)
                    claimed.extend(listings._claim().ids)
            except Exception as exc:
                errors.append(exc)
                snapshot_taken.set()

        job = threading.Thread(target=late_job)
        with release_test_lock():
            job.start()
            snapshot_taken.wait(30)
            with self.registry.cursor() as cr:  # another job pushes the first listing
                listing = self._env(cr)["marketplace.listing"].browse(first)
                self.assertEqual(listing._claim(), listing)
                listing.needs_push = False
            pushed.set()
            job.join(60)
        self.assertFalse(errors)
        self.assertEqual(claimed, rest)
