import threading
from datetime import datetime, time
from unittest.mock import patch

from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import UserError
from odoo.orm.environments import Transaction
from odoo.tests import TransactionCase, tagged
from odoo.tests.common import release_test_lock

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs

from ..exceptions import MarketplaceRateLimited
from ..marketplace_core.connector import MarketplaceConnector
from ..marketplace_core.records import ConnectionStatus, PushResult, RateObservation
from .common import FakeConnector, MarketplaceCommon


@tagged("post_install", "-at_install")
class TestSharedBucket(TransactionCase):
    """The bucket is shared by separate transactions (workers, hosts)."""

    KEY = "test:shared-bucket"

    def _env(self, cr):
        if cr.transaction is None:
            cr.transaction = Transaction(self.registry)
        return api.Environment(cr, SUPERUSER_ID, {})

    def tearDown(self):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM marketplace_rate_bucket WHERE account_key = %s", [self.KEY])
        super().tearDown()

    def test_concurrent_takers_never_exceed_the_bucket(self):
        """Test that two transactions drawing from one bucket take exactly its size."""
        taken, barrier = [], threading.Barrier(2, timeout=30)

        def worker():
            with self.registry.cursor() as cr:
                Bucket = self._env(cr)["marketplace.rate.bucket"]
                barrier.wait()
                for _i in range(30):
                    # rate 0: nothing refills during the test, burst 10
                    if not Bucket._take(self.KEY, "calls", (0.0, 10, 0)):
                        taken.append(1)

        threads = [threading.Thread(target=worker) for _i in range(2)]
        with release_test_lock():
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
        self.assertEqual(len(taken), 10)
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT calls, postponed FROM marketplace_rate_bucket WHERE account_key = %s",
                [self.KEY],
            )
            self.assertEqual(cr.fetchone(), (10, 50))

    def test_daily_quota_waits_for_tomorrow(self):
        """Test that a spent daily quota refuses with a wait until the next UTC day."""
        Bucket = self.env["marketplace.rate.bucket"]
        self.assertFalse(Bucket._take(self.KEY, "daily", (100.0, 100, 3), 3))
        wait = Bucket._take(self.KEY, "daily", (100.0, 100, 3), 1)
        self.assertGreater(wait, 0)
        self.assertLessEqual(wait, 86401)


@tagged("post_install", "-at_install")
class TestQuotaAwarePush(MarketplaceCommon):
    """Pushes take tokens first; short quota sends the urgent first and keeps the rest."""

    def setUp(self):
        super().setUp()
        limits = patch.multiple(
            FakeConnector,
            rate_limits={"push": (0.0, 2, 0)},  # two calls, no refill
            rate_account=lambda self: "fake:account-1",
            rate_cost=lambda self, operation, count=1: (
                {"push": 1} if operation == "push_stock" else {}
            ),
        )
        limits.start()
        self.addCleanup(limits.stop)

    def _listings(self):
        listings = self.env["marketplace.listing"]
        for i, qty in enumerate((5, 0, 3, 8, 1)):
            product = self._create_product(f"Q{i}", f"Q{i}")
            if qty:
                self._set_stock(product, qty)
            listings |= self._create_listing(
                product,
                f"Q{i}",
                needs_push=True,
                last_pushed_qty=4,
                last_pushed_qty_date="2026-11-01",
            )
        return listings

    def test_short_quota_sends_urgent_first_and_keeps_the_rest(self):
        """Test that going-to-0 and decreases go first, the rest stays marked for later."""
        listings = self._listings()
        with self.fake_connector() as state, trap_jobs() as trap:
            log = self.channel._push_stock()
            trap.assert_jobs_count(1, only=self.channel._push_stock)
            job = trap.enqueued_jobs[0]
            self.assertGreater(job.eta, job.date_created)
        batches = [payload for name, payload in state["calls"] if name == "push_stock"]
        # Two batches of two (the quota), most urgent first: to 0, then 4 -> 1, 4 -> 3.
        self.assertEqual(batches, [["Q1", "Q4"], ["Q2", "Q0"]])
        waiting = listings.filtered("needs_push")
        self.assertEqual(waiting.mapped("channel_sku"), ["Q3"])  # the increase waits, kept
        self.assertIn("Quota used up", log.message)

    def test_empty_bucket_postpones_the_job(self):
        """Test that a job finding no token is postponed, not failed, and sends nothing."""
        self._listings()
        Bucket = self.env["marketplace.rate.bucket"]
        Bucket._take("fake:account-1", "push", (0.0, 2, 0), 2)  # spend it all
        with self.fake_connector() as state, self.assertRaises(RetryableJobError) as caught:
            self.channel._push_stock()
        self.assertTrue(caught.exception.ignore_retry)
        self.assertFalse([c for c in state["calls"] if c[0] == "push_stock"])

    def test_marketplace_429_drains_the_bucket(self):
        """Test that a 429 with Retry-After empties the bucket for that long."""
        self._listings()

        def push_stock(connector, updates):
            raise MarketplaceRateLimited("QuotaExceeded", seconds=30)

        with self.fake_connector(), patch.object(FakeConnector, "push_stock", push_stock):
            # Not assertRaises: its savepoint would undo the bucket's own transaction,
            # which is a savepoint too in tests.
            try:
                self.channel._push_stock()
            except RetryableJobError as exc:
                self.assertEqual(exc.seconds, 30)
            else:
                self.fail("a throttled push must be postponed")
        bucket = self.env["marketplace.rate.bucket"].search(
            [("account_key", "=", "fake:account-1")]
        )
        self.assertEqual(bucket.throttled, 1)
        # One of two tokens was taken for the call; the 429 emptied the rest.
        self.assertEqual(bucket.tokens, 0)
        self.assertEqual(bucket.calls, 1)

    def test_quota_running_out_raises_an_activity(self):
        """Test the telemetry and the warning when a daily quota will not last the day."""
        Bucket = self.env["marketplace.rate.bucket"]
        Bucket._take("fake:account-1", "push", (10.0, 10, 100), 1)
        bucket = Bucket.search([("account_key", "=", "fake:account-1")])
        bucket.write({"day_count": 90, "day": fields.Date.today()})
        ten_am = datetime.combine(fields.Date.today(), time(10, 0))
        with self.fake_connector(), patch.object(fields.Datetime, "now", return_value=ten_am):
            self.channel.invalidate_recordset()
            self.assertEqual(self.channel.rate_bucket_ids, bucket)
            self.assertEqual(bucket.quota_left, 10)
            self.assertAlmostEqual(bucket.exhaustion_hours, 10 / 9, places=2)  # 9 calls/h
            self.env["marketplace.channel"]._cron_check_quotas()
        activity = self.channel.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertIn("push", activity.summary)

    def test_marketplace_rate_header_corrects_the_bucket(self):
        """Test that the rate the marketplace announces replaces the published one."""
        self._listings()
        with (
            self.fake_connector(),
            patch.object(FakeConnector, "observed_limits", lambda self: RateObservation(rate=7.5)),
        ):
            self.channel._push_stock()
        bucket = self.env["marketplace.rate.bucket"].search(
            [("account_key", "=", "fake:account-1")]
        )
        self.assertEqual(bucket.rate, 7.5)

    def test_remaining_calls_the_marketplace_announces_correct_the_bucket(self):
        """Test that Etsy-style remaining-this-second/today headers cap our counts."""
        self._listings()
        said = RateObservation(remaining=0, daily_quota=50, remaining_today=20)
        with (
            self.fake_connector(),
            patch.object(FakeConnector, "rate_limits", {"push": (0.0, 10, 100)}),
            patch.object(FakeConnector, "observed_limits", lambda self: said),
        ):
            self.channel._push_stock()
        bucket = self.env["marketplace.rate.bucket"].search(
            [("account_key", "=", "fake:account-1")]
        )
        # Our count said 9 tokens were left after the first batch; the marketplace said
        # none, so the next batches wait.
        self.assertEqual(bucket.tokens, 0)
        self.assertEqual(bucket.daily_quota, 50)
        # Other tools spent the same quota: 30 used today, not our 1.
        self.assertEqual(bucket.day_count, 30)
        self.assertEqual(bucket.quota_left, 20)


@tagged("post_install", "-at_install")
class TestParallelPush(MarketplaceCommon):
    """A connector allowing several push jobs gets its listings spread over them."""

    def test_first_job_starts_the_others_and_each_listing_goes_once(self):
        """Test the fan-out: shares of the marked listings, each SKU sent exactly once."""
        for i in range(5):
            product = self._create_product(f"P{i}", f"P{i}")
            self._set_stock(product, i + 1)
            self._create_listing(product, f"P{i}", needs_push=True)
        with (
            self.fake_connector() as state,
            patch.object(FakeConnector, "push_concurrency", 3),
            trap_jobs() as trap,
        ):
            self.channel._push_stock()
            trap.assert_jobs_count(2, only=self.channel._push_stock)
            self.assertEqual(sorted(job.kwargs["shard"] for job in trap.enqueued_jobs), [1, 2])
            first = [sku for name, skus in state["calls"] if name == "push_stock" for sku in skus]
            self.assertEqual(len(first), 2)  # its share: ceil(5 / 3)
            trap.perform_enqueued_jobs()
        sent = [sku for name, skus in state["calls"] if name == "push_stock" for sku in skus]
        self.assertEqual(sorted(sent), ["P0", "P1", "P2", "P3", "P4"])
        self.assertEqual(state["stock"], {f"P{i}": i + 1 for i in range(5)})
        self.assertFalse(self.channel.listing_ids.filtered("needs_push"))

    def test_marks_left_after_a_job_get_a_new_job(self):
        """Test that a push job's commit enqueues another job only while marked
        listings are left (a change its snapshot could not see)."""
        listing = self._create_listing(self._create_product("Late", "LATE"), "LATE")
        Channel = self.env["marketplace.channel"]
        with trap_jobs() as trap:
            Channel._requeue_left_to_push(self.channel.id)
            trap.assert_jobs_count(0)  # nothing marked: no job
            # A change whose own job request was absorbed by the job that just ran.
            self.env.cr.execute(
                "INSERT INTO marketplace_listing_mark (listing_id, kind) VALUES (%s, 'stock')",
                [listing.id],
            )
            listing.invalidate_recordset()
            self.assertTrue(listing.needs_push)
            Channel._requeue_left_to_push(self.channel.id)
            trap.assert_jobs_count(1, only=self.channel._push_stock)


class PushOnlyConnector(MarketplaceConnector):
    """A connector that only publishes stock and prices (no orders, no listing import)."""

    def test_connection(self):
        return ConnectionStatus(True)

    def push_stock(self, updates):
        return [PushResult(update.sku, True) for update in updates]

    push_prices = push_stock


@tagged("post_install", "-at_install")
class TestConnectorSupport(MarketplaceCommon):
    """Flows a connector does not implement are skipped by crons, refused by buttons."""

    def test_unsupported_flows_are_skipped_and_refused(self):
        """Test that order import and reconcile are not enqueued, and the button explains."""
        Channel = self.env["marketplace.channel"]
        with patch.object(
            self.registry["marketplace.channel"],
            "_get_connector_class",
            lambda self: PushOnlyConnector,
        ):
            self.assertTrue(self.channel._supports("push_stock"))
            self.assertFalse(self.channel._supports("fetch_orders"))
            with trap_jobs() as trap:
                Channel._cron_import_orders()
                Channel._cron_reconcile()
                Channel._cron_push_stock()
                trap.assert_jobs_count(0, only=self.channel._import_orders)
                trap.assert_jobs_count(0, only=self.channel._reconcile)
                trap.assert_jobs_count(1, only=self.channel._push_stock)
            with self.assertRaisesRegex(UserError, "Order import is not available"):
                self.channel.action_import_orders()
        with self.fake_connector(), trap_jobs() as trap:
            Channel._cron_import_orders()
            trap.assert_jobs_count(1, only=self.channel._import_orders)
