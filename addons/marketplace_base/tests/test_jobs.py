from unittest.mock import patch

from odoo.tests import tagged

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs

from ..exceptions import MarketplaceAuthError
from ..marketplace_core.records import PushResult, RemoteListing
from .common import FakeConnector, MarketplaceCommon


@tagged("post_install", "-at_install")
class TestJobs(MarketplaceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.draft_channel = cls.channel.copy({"name": "Not connected"})

    def _pending_jobs(self, method):
        return self.env["queue.job"].search(
            [
                ("model_name", "=", "marketplace.channel"),
                ("method_name", "=", method),
                ("state", "=", "pending"),
            ]
        )

    def test_crons_enqueue_one_job_per_connected_channel(self):
        """Test that each cron enqueues one job per connected channel, on its job channel."""
        Channel = self.env["marketplace.channel"]
        for cron, method, kwargs in (
            ("_cron_import_orders", "_import_orders", {}),
            ("_cron_push_stock", "_push_stock", {}),
            ("_cron_push_prices", "_push_prices", {"scan_all": True}),
            ("_cron_reconcile", "_reconcile", {}),
        ):
            with trap_jobs() as trap:
                getattr(Channel, cron)()
                trap.assert_jobs_count(1)  # the draft channel is skipped
                trap.assert_enqueued_job(
                    getattr(self.channel, method),
                    kwargs=kwargs,
                    properties={"channel": "root.marketplace.none"},
                )

    def test_cron_identity_key_coalesces(self):
        """Test that running a cron twice and a button leave one pending job per channel."""
        Channel = self.env["marketplace.channel"]
        Channel._cron_push_stock()
        Channel._cron_push_stock()
        self.channel.action_push_stock()
        jobs = self._pending_jobs("_push_stock")
        self.assertEqual(len(jobs), 1)
        self.assertEqual(jobs.channel, "root.marketplace.none")
        self.assertEqual(jobs.records, self.channel)

    def test_button_enqueues_with_trap(self):
        """Test that the Import Orders button enqueues the job, not run it."""
        with trap_jobs() as trap:
            self.channel.action_import_orders()
            trap.assert_jobs_count(1, only=self.channel._import_orders)
            trap.assert_enqueued_job(
                self.channel._import_orders, properties={"channel": "root.marketplace.none"}
            )

    def test_push_stock_only_changed_in_batches(self):
        """Test that the push sends only changed quantities, in connector batches."""
        listings = [
            self._create_listing(self._create_product(f"P{i}", f"P{i}"), f"S{i}", needs_push=True)
            for i in range(5)
        ]
        for i, listing in enumerate(listings):
            self._set_stock(listing.product_id, i + 1)
        listings[0].write({"last_pushed_qty": 1, "last_pushed_qty_date": "2026-01-01"})
        with self.fake_connector() as state:
            log = self.channel._push_stock()
        self.assertEqual(state["stock"], {"S1": 2, "S2": 3, "S3": 4, "S4": 5})
        batches = [payload for name, payload in state["calls"] if name == "push_stock"]
        self.assertEqual(batches, [["S1", "S2"], ["S3", "S4"]])  # batch_size 2
        self.assertFalse(any(rec.needs_push for rec in listings))
        self.assertEqual(listings[4].last_pushed_qty, 5)
        self.assertRecordValues(
            log, [{"flow": "push_stock", "state": "success", "count_total": 5, "count_done": 4}]
        )
        # Nothing changed: a second run makes no call.
        for listing in listings:
            listing.needs_push = True
        with self.fake_connector() as state:
            state["calls"].clear()
            self.channel._push_stock()
        self.assertFalse([c for c in state["calls"] if c[0] == "push_stock"])

    def test_push_stock_records_errors(self):
        """Test per-listing errors: permanent ones flag the listing, retryable keep the mark."""
        bad = self._create_listing(self.product_a, "BAD", needs_push=True)
        later = self._create_listing(self.product_b, "LATER", needs_push=True)
        with self.fake_connector() as state:
            state["refuse"] = {"BAD": ("Invalid SKU", False), "LATER": ("Busy", True)}
            log = self.channel._push_stock()
        self.assertRecordValues(
            bad, [{"state": "error", "last_error": "Invalid SKU", "needs_push": False}]
        )
        self.assertRecordValues(
            later, [{"state": "active", "last_error": "Busy", "needs_push": True}]
        )
        self.assertEqual(log.state, "failed")

    def test_push_prices_uses_pricelist(self):
        """Test that prices come from the channel's pricelist and only changes are pushed."""
        pricelist = self.env["product.pricelist"].create(
            {
                "name": "Market",
                "currency_id": self.company.currency_id.id,
                "item_ids": [
                    (
                        0,
                        0,
                        {
                            "compute_price": "percentage",
                            "percent_price": 10,
                            "applied_on": "3_global",
                        },
                    )
                ],
            }
        )
        self.channel.pricelist_id = pricelist
        self._create_listing(self.product_a, "A")
        self._create_listing(self.product_b, "B", pack_qty=2, last_pushed_price=18.0)
        with self.fake_connector() as state:
            self.channel._push_prices()  # nothing marked: no call
            self.assertFalse(state["calls"])
            self.channel._push_prices(scan_all=True)  # the cron compares every listing
        self.assertEqual({k: float(v) for k, v in state["prices"].items()}, {"A": 9.0})

    def test_reconcile_marks_drift(self):
        """Test that reconcile marks listings whose remote quantity drifted."""
        ok = self._create_listing(self.product_a, "A", last_pushed_qty=4)
        drift = self._create_listing(self.product_b, "B", last_pushed_qty=4)
        with self.fake_connector() as state, trap_jobs() as trap:
            state["listings"] = [
                RemoteListing(sku="A", quantity=4),
                RemoteListing(sku="B", quantity=9),
            ]
            self.channel._reconcile()
            trap.assert_jobs_count(1, only=self.channel._push_stock)
        self.assertFalse(ok.needs_push)
        self.assertTrue(drift.needs_push)
        self.assertEqual(drift.remote_qty, 9)

    def test_flow_failure_is_logged(self):
        """Test that a non-retryable connector error fails the job and is logged durably."""
        with (
            self.fake_connector(),
            patch.object(
                FakeConnector, "fetch_listings", side_effect=MarketplaceAuthError("token revoked")
            ),
        ):
            # Not self.assertRaises: it would roll back to a savepoint, and the
            # point is that the log survives the job's own rollback.
            try:
                self.channel._import_listings()
            except MarketplaceAuthError as exc:
                self.assertEqual(str(exc), "token revoked")
            else:
                self.fail("the job must fail")
        log = self.env["marketplace.sync.log"].search([("channel_id", "=", self.channel.id)])
        self.assertRecordValues(
            log, [{"flow": "import_listings", "state": "failed", "message": "token revoked"}]
        )


@tagged("post_install", "-at_install")
class TestSubmissions(MarketplaceCommon):
    """Pushes the marketplace processes later (Amazon feeds): checked by a follow-up job."""

    def test_submission_checked_later(self):
        """Test that an accepted submission is checked later and its refusals flag listings."""
        good = self._create_listing(self.product_a, "GOOD", needs_push=True)
        bad = self._create_listing(self.product_b, "BAD", needs_push=True)
        self._set_stock(self.product_a, 4)
        self._set_stock(self.product_b, 6)
        with self.fake_connector() as state, trap_jobs() as trap:
            state["submit"] = "FEED-1"
            self.channel._push_stock()
            trap.assert_enqueued_job(self.channel._check_submission, args=("FEED-1",))
        self.assertEqual((good | bad).mapped("push_submission_ref"), ["FEED-1", "FEED-1"])
        with self.fake_connector(), self.assertRaises(RetryableJobError):
            self.channel._check_submission("FEED-1")  # still processing: postponed
        with self.fake_connector() as state:
            state["verdicts"]["FEED-1"] = [
                PushResult("GOOD", True),
                PushResult("BAD", False, "8560: SKU does not match any ASIN"),
            ]
            self.channel._check_submission("FEED-1")
            self.assertEqual(state["calls"][-1], ("check_submission", ("FEED-1", ["BAD", "GOOD"])))
        self.assertRecordValues(good, [{"push_submission_ref": False, "state": "active"}])
        self.assertRecordValues(
            bad,
            [
                {
                    "push_submission_ref": False,
                    "state": "error",
                    "last_error": "8560: SKU does not match any ASIN",
                    "last_pushed_qty_date": False,
                }
            ],
        )


@tagged("post_install", "-at_install")
class TestFailedJobs(MarketplaceCommon):
    def test_failed_jobs_counted_and_listed_per_channel(self):
        """Test that the channel counts and lists its failed jobs, deliveries' included."""
        other = self.channel.copy({"name": "Other", "state": "connected"})
        partner = self.env["res.partner"].create({"name": "Buyer"})
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "marketplace_channel_id": self.channel.id,
                "marketplace_ref": "F-1",
            }
        )
        for delayable in (
            self.channel.with_delay()._push_stock,
            other.with_delay()._push_stock,
            order.with_delay()._marketplace_import_fees,
        ):
            job = delayable()
            job.set_failed(exc_info="boom")
            job.store()
        self.channel.with_delay()._import_orders()  # pending: not counted
        (self.channel | other).invalidate_recordset()
        self.assertEqual(self.channel.job_failed_count, 2)
        self.assertEqual(other.job_failed_count, 1)
        action = self.channel.action_view_failed_jobs()
        jobs = self.env["queue.job"].search(action["domain"])
        self.assertEqual(
            sorted(jobs.mapped("method_name")), ["_marketplace_import_fees", "_push_stock"]
        )
