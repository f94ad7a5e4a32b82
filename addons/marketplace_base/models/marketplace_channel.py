import functools
import logging
import math
import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import UTC, timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.queue_job.job import identity_exact

from ..exceptions import MarketplaceError, MarketplaceRateLimited, MarketplaceRetryableError
from ..marketplace_core.connector import MarketplaceConnector
from ..tools import own_transaction

_logger = logging.getLogger(__name__)

MANAGER_GROUP = "marketplace_base.group_marketplace_manager"

# Models whose jobs work for a channel, and the path from their records to it.
JOB_CHANNEL_PATHS = {
    "marketplace.channel": None,
    "sale.order": "marketplace_channel_id",
    "stock.picking": "sale_id.marketplace_channel_id",
}

# Flows whose last run is shown on the channel; keys are marketplace.sync.log flows.
DASHBOARD_FLOWS = ("import_orders", "push_stock", "push_prices", "import_listings")


class MarketplaceChannel(models.Model):
    """A selling channel: one account of one marketplace (or one shop).

    Connector addons add their ``channel_type`` with ``selection_add`` and
    override ``_get_connector_class`` behind a type guard, as the ``payment``
    providers do; ``_get_connector`` is the single dispatch point.
    """

    _name = "marketplace.channel"
    _description = "Marketplace Channel"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "sequence, name, id"

    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    color = fields.Integer()
    channel_type = fields.Selection(
        selection=[("none", "No marketplace")],
        string="Marketplace",
        required=True,
        default="none",
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="pricelist_id.currency_id", string="Currency")
    state = fields.Selection(
        [("draft", "Not connected"), ("connected", "Connected"), ("error", "Error")],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
    )
    last_error = fields.Text(readonly=True, copy=False)
    environment = fields.Selection(
        [("sandbox", "Sandbox"), ("production", "Production")],
        default="sandbox",
        required=True,
        tracking=True,
        help="Sandbox talks to the marketplace's test endpoint (or our simulator).",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        tracking=True,
        help="Receives the activities raised by this channel (orders to fix, failures).",
    )
    team_id = fields.Many2one("crm.team", string="Sales Team", check_company=True)
    pricelist_id = fields.Many2one(
        "product.pricelist",
        check_company=True,
        help="Prices published on the channel and applied to imported orders.",
    )
    payment_term_id = fields.Many2one("account.payment.term", check_company=True)
    fiscal_position_id = fields.Many2one("account.fiscal.position", check_company=True)
    price_include_tax = fields.Boolean(
        string="Prices Include Taxes",
        default=True,
        help="Marketplace prices and order amounts include taxes (usual for B2C in Europe).",
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        string="Order Warehouse",
        check_company=True,
        help="Warehouse that ships the orders imported from this channel.",
    )
    auto_confirm_orders = fields.Boolean(
        default=True, help="Confirm imported orders at once (reserves stock, creates deliveries)."
    )
    orders_watermark = fields.Datetime(
        string="Orders Imported Until",
        copy=False,
        help="Orders changed after this time are fetched at the next import.",
    )
    orders_lookback_minutes = fields.Integer(
        string="Lookback (minutes)",
        default=30,
        help="Each import also re-reads this much before the watermark, to catch orders "
        "the marketplace published late. Imports are idempotent.",
    )
    shipping_product_id = fields.Many2one(
        "product.product",
        default=lambda self: self.env.ref(
            "marketplace_base.product_marketplace_shipping", raise_if_not_found=False
        ),
        help="Product of the shipping line of imported orders.",
    )
    discount_product_id = fields.Many2one(
        "product.product",
        default=lambda self: self.env.ref(
            "marketplace_base.product_marketplace_discount", raise_if_not_found=False
        ),
        help="Product of the discount line of imported orders.",
    )
    gift_wrap_product_id = fields.Many2one(
        "product.product",
        default=lambda self: self.env.ref(
            "marketplace_base.product_marketplace_gift_wrap", raise_if_not_found=False
        ),
        help="Product of the gift-wrap line of imported orders.",
    )
    marketplace_location_id = fields.Many2one(
        "stock.location",
        string="Marketplace Stock Location",
        check_company=True,
        domain="[('usage', '=', 'internal')]",
        help="Where the goods the marketplace stores and ships itself (e.g. Amazon FBA) are "
        "kept. Orders fulfilled by the marketplace are delivered from here, with no picking "
        "in our warehouses. Keep it outside the warehouses that feed other channels.",
    )
    carrier_mapping_ids = fields.One2many(
        "marketplace.carrier.mapping", "channel_id", string="Carriers"
    )
    log_retention_days = fields.Integer(default=30, help="Sync logs older than this are deleted.")

    rate_account = fields.Char(
        compute="_compute_rate_buckets", help="The account the marketplace counts our calls on."
    )
    rate_bucket_ids = fields.Many2many(
        "marketplace.rate.bucket", compute="_compute_rate_buckets", string="Quotas"
    )
    listing_ids = fields.One2many("marketplace.listing", "channel_id")
    stock_rule_ids = fields.One2many(
        "marketplace.stock.rule", "channel_id", string="Allocation Rules"
    )
    sync_log_ids = fields.One2many("marketplace.sync.log", "channel_id")
    sale_order_ids = fields.One2many("sale.order", "marketplace_channel_id")

    listing_count = fields.Integer(compute="_compute_listing_counts")
    listing_active_count = fields.Integer(compute="_compute_listing_counts")
    listing_error_count = fields.Integer(compute="_compute_listing_counts")
    listing_unmatched_count = fields.Integer(compute="_compute_listing_counts")
    listing_to_push_count = fields.Integer(compute="_compute_listing_counts")
    order_count = fields.Integer(compute="_compute_order_counts")
    order_to_fix_count = fields.Integer(compute="_compute_order_counts")
    job_failed_count = fields.Integer(compute="_compute_job_failed_count")

    last_import_orders_date = fields.Datetime(compute="_compute_last_runs")
    last_import_orders_state = fields.Selection(
        selection="_selection_log_state", compute="_compute_last_runs"
    )
    last_push_stock_date = fields.Datetime(compute="_compute_last_runs")
    last_push_stock_state = fields.Selection(
        selection="_selection_log_state", compute="_compute_last_runs"
    )
    last_push_prices_date = fields.Datetime(compute="_compute_last_runs")
    last_push_prices_state = fields.Selection(
        selection="_selection_log_state", compute="_compute_last_runs"
    )
    last_import_listings_date = fields.Datetime(compute="_compute_last_runs")
    last_import_listings_state = fields.Selection(
        selection="_selection_log_state", compute="_compute_last_runs"
    )

    _lookback_positive = models.Constraint(
        "CHECK (orders_lookback_minutes >= 0)", "The lookback window cannot be negative."
    )
    _retention_positive = models.Constraint(
        "CHECK (log_retention_days > 0)", "Log retention must be at least one day."
    )

    # === COMPUTES === #

    def _selection_log_state(self):
        return self.env["marketplace.sync.log"]._fields["state"].selection

    def _compute_listing_counts(self):
        counts = {
            (channel.id, state): count
            for channel, state, count in self.env["marketplace.listing"]._read_group(
                [("channel_id", "in", self.ids)], ["channel_id", "state"], ["__count"]
            )
        }
        to_push = dict(
            self.env["marketplace.listing"]._read_group(
                [("channel_id", "in", self.ids), ("needs_push", "=", True)],
                ["channel_id"],
                ["__count"],
            )
        )
        for channel in self:
            per_state = {s: c for (cid, s), c in counts.items() if cid == channel.id}
            channel.listing_count = sum(per_state.values())
            channel.listing_active_count = per_state.get("active", 0)
            channel.listing_error_count = per_state.get("error", 0)
            channel.listing_unmatched_count = per_state.get("unmatched", 0)
            channel.listing_to_push_count = to_push.get(channel, 0)

    def _compute_order_counts(self):
        counts = {
            (channel.id, to_fix): count
            for channel, to_fix, count in self.env["sale.order"]._read_group(
                [("marketplace_channel_id", "in", self.ids)],
                ["marketplace_channel_id", "marketplace_to_fix"],
                ["__count"],
            )
        }
        for channel in self:
            channel.order_to_fix_count = counts.get((channel.id, True), 0)
            channel.order_count = channel.order_to_fix_count + counts.get((channel.id, False), 0)

    def _get_failed_jobs(self):
        """Return ``{channel id: queue.job}``: the failed jobs working for these channels.

        Jobs run on channels, deliveries (shipments) and orders (fees); the path
        from each job's records to its channel is in ``JOB_CHANNEL_PATHS``.
        """
        Job = self.env["queue.job"].sudo()
        jobs = Job.search([("state", "=", "failed"), ("model_name", "in", list(JOB_CHANNEL_PATHS))])
        failed = defaultdict(lambda: Job)
        for job in jobs:
            records = job.records.exists()
            path = JOB_CHANNEL_PATHS[job.model_name]
            for channel in records.mapped(path) if path else records:
                if channel.id in self.ids:
                    failed[channel.id] |= job
        return failed

    def _compute_job_failed_count(self):
        failed = self._get_failed_jobs()
        for channel in self:
            channel.job_failed_count = len(failed[channel._origin.id or channel.id])

    def _compute_last_runs(self):
        last = self.env["marketplace.sync.log"]._get_last_runs(self.ids)
        for channel in self:
            for flow in DASHBOARD_FLOWS:
                log = last.get((channel.id, flow))
                channel[f"last_{flow}_date"] = log and log["date"]
                channel[f"last_{flow}_state"] = log and log["state"]

    def _compute_rate_buckets(self):
        Bucket = self.env["marketplace.rate.bucket"]
        for channel in self:
            try:
                account = channel._get_connector().rate_account()
            except UserError:  # no connector for this marketplace
                account = ""
            channel.rate_account = account
            channel.rate_bucket_ids = (
                Bucket.search([("account_key", "=", account)]) if account else Bucket
            )

    @api.model
    def _cron_check_quotas(self):
        """Warn the channel's responsible when a daily quota will run out today."""
        hours_left = 24 - fields.Datetime.now().hour
        for channel in self._get_syncable_channels():
            short = channel.rate_bucket_ids.filtered(
                lambda b: b.daily_quota and 0 < b.exhaustion_hours < hours_left
            )
            for bucket in short:
                channel.activity_schedule(
                    "mail.mail_activity_data_warning",
                    summary=self.env._("Daily quota of %s runs out today", bucket.group_name),
                    note=self.env._(
                        "At today's pace the %(group)s quota of %(account)s lasts %(hours)s "
                        "more hours: pushes will wait until tomorrow. Ask the marketplace for "
                        "more, or raise the quota here once granted.",
                        group=bucket.group_name,
                        account=bucket.account_key,
                        hours=round(bucket.exhaustion_hours, 1),
                    ),
                    user_id=(channel.user_id or self.env.user).id,
                )

    # === CONSTRAINTS === #

    @api.constrains("warehouse_id", "company_id")
    def _check_warehouse_company(self):
        for channel in self:
            if channel.warehouse_id and channel.warehouse_id.company_id != channel.company_id:
                raise ValidationError(
                    self.env._("The order warehouse must belong to the channel's company.")
                )

    # === CONNECTOR DISPATCH === #

    def _get_connector_class(self):
        """Return the :class:`MarketplaceConnector` subclass of this channel.

        Connector addons override this and return their class when
        ``self.channel_type`` is theirs, else ``super()``.
        """
        self.ensure_one()
        return None

    def _get_connector_settings(self):
        """Return the values a connector is built with (credentials included).

        Connector addons extend the dict with their own fields. The dict is
        read as superuser so that a user's job can use credentials that only
        managers may read; it must never be logged or stored in job arguments.
        """
        self.ensure_one()
        return {
            "channel_id": self.id,
            "environment": self.environment,
            "currency": self.currency_id.name or self.company_id.currency_id.name,
        }

    def _get_connector(self):
        """Build the connector of this channel: the single dispatch point."""
        self.ensure_one()
        connector_class = self._get_connector_class()
        if not connector_class:
            raise UserError(
                self.env._(
                    "No connector is available for channel %(channel)s (%(marketplace)s): "
                    "install the marketplace's addon, or choose the marketplace of the channel.",
                    channel=self.display_name,
                    marketplace=dict(
                        self._fields["channel_type"]._description_selection(self.env)
                    ).get(self.channel_type),
                )
            )
        if not issubclass(connector_class, MarketplaceConnector):
            raise UserError(self.env._("%s is not a marketplace connector.", connector_class))
        return connector_class(self.sudo()._get_connector_settings(), logger=_logger)

    @api.model
    def _get_secret_field_names(self):
        """Names of the fields only managers may read; never logged nor copied."""
        return [
            name
            for name, field in self._fields.items()
            if field.groups and MANAGER_GROUP in field.groups.split(",")
        ]

    def _mask_secrets(self, text):
        """Return ``text`` with every credential value of these channels masked."""
        if not text:
            return text
        text = str(text)
        names = self._get_secret_field_names()
        for channel in self.sudo():
            for name in names:
                value = channel[name]
                if isinstance(value, str) and len(value) >= 4:
                    text = text.replace(value, "********")
        return text

    @contextmanager
    def _handle_connector_errors(self):
        """Turn connector failures into a clear ``UserError`` for buttons."""
        try:
            yield
        except MarketplaceRetryableError as exc:
            raise UserError(
                self.env._(
                    "%(channel)s is busy or rate-limited, try again in a moment: %(error)s",
                    channel=self.display_name,
                    error=self._mask_secrets(exc),
                )
            ) from exc
        except (MarketplaceError, OSError) as exc:
            raise UserError(
                self.env._(
                    "%(channel)s: %(error)s",
                    channel=self.display_name,
                    error=self._mask_secrets(exc),
                )
            ) from exc

    # === RATE LIMITS === #

    @contextmanager
    def _rate_limited(self, connector, operation, count=1):
        """Take the tokens ``operation`` needs from the shared buckets, then call.

        No tokens: :class:`MarketplaceRateLimited` with the computed wait, so the
        job is postponed, never failed nor slept. A 429 from the marketplace
        empties the bucket: its word beats our count.
        """
        account = connector.rate_account()
        costs = connector.rate_cost(operation, count) if account else {}
        Bucket = self.env["marketplace.rate.bucket"].sudo()
        for group, tokens in costs.items():
            wait = Bucket._take(account, group, connector.rate_limits[group], tokens)
            if wait:
                raise MarketplaceRateLimited(
                    self.env._(
                        "%(group)s quota of %(account)s used up: retry in %(wait)s s.",
                        group=group,
                        account=account,
                        wait=round(wait),
                    ),
                    seconds=max(int(wait) + 1, 1),
                )
        try:
            yield
        except MarketplaceRateLimited as exc:
            for group in costs:
                Bucket._throttled(account, group, exc.seconds)
            raise
        observed = connector.observed_limits() if costs else None
        if observed and len(costs) == 1:
            # The marketplace's own word on this account's limits beats the published ones.
            Bucket._observe(account, next(iter(costs)), observed)

    # === JOB CHANNELS === #

    def _get_job_channel(self):
        """Each marketplace runs in its own queue_job channel, capped in config."""
        self.ensure_one()
        return f"root.marketplace.{self.channel_type}"

    def _delayable(self, record, description, eta=None):
        """``record.with_delay`` on this channel's job channel, coalescing repeats.

        Every job of the suite goes through here: the marketplace's job channel
        caps its concurrency, and ``identity_exact`` lets a pending identical job
        absorb a new one.
        """
        self.ensure_one()
        return record.with_delay(
            channel=self._get_job_channel(),
            identity_key=identity_exact,
            description=description,
            eta=eta,
        )

    def _enqueue(self, method, description, *args, **kwargs):
        """Enqueue ``method`` once per channel (``%(channel)s`` in ``description``)."""
        return [
            getattr(channel._delayable(channel, description % {"channel": channel.name}), method)(
                *args, **kwargs
            )
            for channel in self
        ]

    def _enqueue_continuation(self, method, wait, **kwargs):
        """Run ``method`` again in ``wait`` seconds (at once below half a second), for
        what the quota or the job's time budget held back."""
        self.ensure_one()
        description = self.env._(
            "Continue: %(method)s of %(channel)s", method=method, channel=self.name
        )
        eta = int(wait) + 1 if wait >= 0.5 else None
        return getattr(self._delayable(self, description, eta=eta), method)(**kwargs)

    # === ACTIONS === #

    def action_test_connection(self):
        self.ensure_one()
        connector = self._get_connector()
        try:
            status = connector.test_connection()
        except MarketplaceError as exc:
            self._set_connection_state(False, str(exc))
        else:
            self._set_connection_state(status.ok, status.message)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if self.state == "connected" else "danger",
                "title": self.env._("Connection test"),
                "message": self.env._("Connected.")
                if self.state == "connected"
                else self.last_error,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _set_connection_state(self, ok, message=""):
        message = self._mask_secrets(message)
        if ok:
            self.write({"state": "connected", "last_error": False})
        else:
            self.write({"state": "error", "last_error": message})
            self.message_post(body=self.env._("Connection failed: %s", message))

    def _check_can_sync(self):
        for channel in self:
            if channel.state != "connected":
                raise UserError(
                    self.env._(
                        "Channel %s is not connected: test its connection first.",
                        channel.display_name,
                    )
                )

    def _notify_enqueued(self, what):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "message": self.env._(
                    "%(what)s queued for %(count)s channel(s).", what=what, count=len(self)
                ),
            },
        }

    def _supports(self, method):
        """Whether this channel's connector implements ``method``.

        Without a connector the answer is yes: the job then fails with the
        message that says which addon to install.
        """
        self.ensure_one()
        try:
            return self._get_connector().supports(method)
        except UserError:
            return True

    def _check_supports(self, method, what):
        for channel in self:
            if not channel._supports(method):
                raise UserError(
                    self.env._(
                        "%(what)s is not available for %(channel)s: its connector does not "
                        "support it yet.",
                        what=what,
                        channel=channel.display_name,
                    )
                )

    def action_import_listings(self):
        self._check_can_sync()
        self._check_supports("fetch_listings", self.env._("Listing import"))
        self._enqueue("_import_listings", self.env._("Import listings of %(channel)s"))
        return self._notify_enqueued(self.env._("Listing import"))

    def action_push_stock(self):
        self._check_can_sync()
        self.listing_ids.filtered(lambda rec: rec.state in ("active", "pending")).write(
            {"needs_push": True}
        )
        self._enqueue("_push_stock", self.env._("Push stock of %(channel)s"))
        return self._notify_enqueued(self.env._("Stock push"))

    def action_push_prices(self):
        self._check_can_sync()
        self._enqueue("_push_prices", self.env._("Push prices of %(channel)s"), force=True)
        return self._notify_enqueued(self.env._("Price push"))

    def action_import_orders(self):
        self._check_can_sync()
        self._check_supports("fetch_orders", self.env._("Order import"))
        self._enqueue("_import_orders", self.env._("Import orders of %(channel)s"))
        return self._notify_enqueued(self.env._("Order import"))

    def _action_open(self, model, domain, name, context=None):
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "list,form",
            "domain": domain,
            "context": dict(context or {}),
        }

    def action_view_listings(self):
        self.ensure_one()
        context = {"default_channel_id": self.id}
        state = self.env.context.get("marketplace_listing_state")
        if state:
            context[f"search_default_state_{state}"] = 1
        return self._action_open(
            "marketplace.listing",
            [("channel_id", "=", self.id)],
            self.env._("Listings"),
            context,
        )

    def action_view_orders(self):
        self.ensure_one()
        context = {}
        if self.env.context.get("marketplace_to_fix"):
            context["search_default_marketplace_to_fix"] = 1
        return self._action_open(
            "sale.order",
            [("marketplace_channel_id", "=", self.id)],
            self.env._("Marketplace Orders"),
            context,
        )

    def action_view_logs(self):
        self.ensure_one()
        return self._action_open(
            "marketplace.sync.log", [("channel_id", "=", self.id)], self.env._("Sync Logs")
        )

    def action_view_failed_jobs(self):
        self.ensure_one()
        return self._action_open(
            "queue.job",
            [("id", "in", self._get_failed_jobs()[self.id].ids)],
            self.env._("Failed Jobs"),
        )

    # === CRONS: only enqueue === #

    @api.model
    def _get_syncable_channels(self):
        # A channel without connector can never be connected: the state is enough.
        return self.search([("state", "=", "connected")])

    @api.model
    def _cron_import_orders(self):
        channels = self._get_syncable_channels().filtered(lambda c: c._supports("fetch_orders"))
        channels._enqueue("_import_orders", self.env._("Import orders of %(channel)s"))

    @api.model
    def _cron_push_stock(self):
        channels = self._get_syncable_channels()
        channels._enqueue("_push_stock", self.env._("Push stock of %(channel)s"))

    @api.model
    def _cron_push_prices(self):
        channels = self._get_syncable_channels()
        channels._enqueue("_push_prices", self.env._("Push prices of %(channel)s"), scan_all=True)

    @api.model
    def _cron_reconcile(self):
        channels = self._get_syncable_channels().filtered(lambda c: c._supports("fetch_listings"))
        channels._enqueue("_reconcile", self.env._("Reconcile %(channel)s"))

    # === JOBS === #

    def _run_flow(self, flow, func):
        """Run one sync flow of one channel and record it in the sync log.

        ``func`` returns ``(total, done, failed, message)``. Retryable errors
        propagate so that queue_job postpones the job; other marketplace errors
        are logged on the channel and re-raised to fail the job visibly.
        """
        self.ensure_one()
        Log = self.env["marketplace.sync.log"]
        start = time.monotonic()
        try:
            total, done, failed, message = func()
        except MarketplaceError as exc:
            Log._record_durably(
                self,
                flow,
                "failed",
                duration=time.monotonic() - start,
                message=self._mask_secrets(exc),
            )
            raise
        state = "failed" if failed and not done else "warning" if failed else "success"
        return Log._record(
            self,
            flow,
            state,
            total=total,
            done=done,
            failed=failed,
            duration=time.monotonic() - start,
            message=message,
        )

    def _import_listings(self):
        """Job: read the channel's listings and bind or update them."""
        self.ensure_one()
        return self._run_flow(
            "import_listings",
            lambda: self.env["marketplace.listing"]._import_remote_listings(
                self, self._fetch_remote_listings()
            ),
        )

    def _fetch_remote_listings(self):
        """Every listing of the account, read within the rate limits."""
        connector = self._get_connector()
        with self._rate_limited(connector, "fetch_listings"):
            return list(connector.fetch_listings())

    def _push_stock(self, shard=0):
        """Job: publish the quantity of the listings marked as needing a push.

        When the connector lets several push jobs run at once
        (``push_concurrency``) and enough listings wait, the first job starts the
        others; each claims its share of the most urgent listings that no other
        job holds, and all of them draw on the account's shared rate buckets.

        :param shard: 0 for the job the events enqueue, 1.. for the jobs it starts
        """
        self.ensure_one()
        connector = self._get_connector()
        listings = self.env["marketplace.listing"].search(
            [
                ("channel_id", "=", self.id),
                ("needs_push", "=", True),
                ("state", "in", ("active", "pending")),
            ]
        )
        batches = math.ceil(len(listings) / connector.batch_size)
        jobs = max(min(connector.push_concurrency, batches), 1)
        if not shard:
            for other in range(1, jobs):
                self._delayable(
                    self,
                    self.env._(
                        "Push stock of %(channel)s (%(job)s/%(jobs)s)",
                        channel=self.name,
                        job=other + 1,
                        jobs=jobs,
                    ),
                )._push_stock(shard=other)
        share = math.ceil(len(listings) / jobs)
        self.env.cr.postcommit.add(functools.partial(self._requeue_left_to_push, self.id))
        return self._run_flow(
            "push_stock", lambda: listings._push_stock(connector, limit=share, shard=shard)
        )

    @api.model
    def _requeue_left_to_push(self, channel_ids):
        """After a commit that marked listings or pushed some: enqueue a push job for
        each channel with marked listings that no job holds.

        Both sides run it, so no change waits for the next event or cron: a push
        job sees the marks of its snapshot, and a change's own job request may have
        been absorbed by a job that started before the change committed.
        """
        if isinstance(channel_ids, int):
            channel_ids = [channel_ids]
        # READ COMMITTED: the marks and locks as they are now, no serialization failure.
        with own_transaction(self.env) as cr:
            env = self.env(cr=cr)
            channels = env["marketplace.channel"].browse(channel_ids).exists()
            for channel in channels.filtered(lambda c: c.state == "connected"):
                cr.execute(
                    """
                    SELECT l.id FROM marketplace_listing_mark m
                      JOIN marketplace_listing l ON l.id = m.listing_id
                     WHERE m.kind = 'stock' AND l.channel_id = %(channel)s
                       AND l.state IN ('active', 'pending')
                     UNION ALL
                    SELECT l.id FROM marketplace_listing l
                     WHERE l.push_requested AND l.channel_id = %(channel)s
                       AND l.state IN ('active', 'pending')
                    """,
                    {"channel": channel.id},
                )
                marked = [row[0] for row in cr.fetchall()]
                if not marked:
                    continue
                cr.execute(
                    """SELECT id FROM marketplace_listing WHERE id = ANY(%s)
                        LIMIT 1 FOR UPDATE SKIP LOCKED""",
                    [marked],
                )
                if cr.fetchone():
                    channel._enqueue("_push_stock", env._("Push stock of %(channel)s"))

    def _push_prices(self, force=False, scan_all=False):
        """Job: publish prices that differ from the last pushed ones.

        :param force: push every price, even unchanged ones (button)
        :param scan_all: compare every listing, not only the marked ones (cron:
            catches changes no hook saw, such as a pricelist rule's dates)
        """
        self.ensure_one()
        listings = self.listing_ids.filtered(
            lambda rec: (
                rec.state in ("active", "pending") and (force or scan_all or rec.needs_price_push)
            )
        )
        connector = self._get_connector()
        return self._run_flow("push_prices", lambda: listings._push_prices(connector, force=force))

    def _publish_listings(self, listing_ids):
        """Job: create or update listings on the marketplace."""
        self.ensure_one()
        listings = self.listing_ids.filtered(lambda rec: rec.id in listing_ids and rec.product_id)
        connector = self._get_connector()

        def run():
            with self._rate_limited(connector, "push_listings", len(listings)):
                return listings._publish(connector)

        return self._run_flow("push_listings", run)

    def _check_submission(self, submission_ref):
        """Job: apply the marketplace's final verdict on an asynchronous push.

        Postponed while the marketplace is still processing. A refused value
        flags its listing and forgets the pushed value, so the next push sends
        it again once fixed.
        """
        self.ensure_one()
        listings = self.listing_ids.filtered(lambda rec: rec.push_submission_ref == submission_ref)
        if not listings:
            return 0
        connector = self._get_connector()
        with self._rate_limited(connector, "check_submission"):
            results = connector.check_submission(submission_ref, listings.mapped("channel_sku"))
        if results is None:
            raise MarketplaceRetryableError(
                self.env._("Submission %s is still being processed.", submission_ref),
                seconds=connector.submission_delay,
                ignore_retry=True,
            )
        by_sku = {rec.channel_sku: rec for rec in listings}
        failed = 0
        for result in results:
            listing = by_sku.get(result.sku)
            if not listing:
                continue
            if result.ok:
                listing.write({"push_submission_ref": False, "last_error": False})
            else:
                failed += 1
                listing.write(
                    {
                        "push_submission_ref": False,
                        "state": "error",
                        "last_error": result.message,
                        "last_pushed_qty_date": False,
                        "last_pushed_price_date": False,
                    }
                )
        self.env["marketplace.sync.log"]._record(
            self,
            "push_stock",
            "warning" if failed else "success",
            total=len(results),
            done=len(results) - failed,
            failed=failed,
            message=self.env._(
                "Submission %(ref)s processed: %(failed)s refused.",
                ref=submission_ref,
                failed=failed,
            ),
        )
        return failed

    def _reconcile(self):
        """Job: read marketplace quantities back and mark drifting listings."""
        self.ensure_one()
        return self._run_flow(
            "reconcile",
            lambda: self.env["marketplace.listing"]._reconcile_remote_listings(
                self, self._fetch_remote_listings()
            ),
        )

    def _import_orders(self):
        """Job: fetch orders changed since the watermark and import them.

        The watermark only moves after the orders are written in this same
        transaction, so a crash re-reads them; the lookback window catches
        orders the marketplace published late. Imports are idempotent.
        """
        self.ensure_one()
        connector = self._get_connector()
        since = (self.orders_watermark or fields.Datetime.now() - timedelta(days=7)) - timedelta(
            minutes=self.orders_lookback_minutes
        )
        # Odoo stores naive UTC; connectors receive aware UTC datetimes.
        since = since.replace(tzinfo=UTC)

        def run():
            with self._rate_limited(connector, "fetch_orders"):
                page = connector.fetch_orders(since)
            result = self.env["sale.order"]._marketplace_import_orders(self, page.orders)
            if page.watermark:
                reached = page.watermark.astimezone(UTC).replace(tzinfo=None)
                if not self.orders_watermark or reached > self.orders_watermark:
                    self.orders_watermark = reached
            return result

        return self._run_flow("import_orders", run)

    def _get_default_locations(self):
        """Stock the channel sells when no allocation rule takes a product."""
        self.ensure_one()
        warehouse = self.warehouse_id or self.env["stock.warehouse"].search(
            [("company_id", "=", self.company_id.id)], limit=1
        )
        return warehouse.lot_stock_id
