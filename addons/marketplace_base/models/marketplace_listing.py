import functools
import logging
import time
from decimal import Decimal

import psycopg2

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL

from ..exceptions import MarketplaceRateLimited
from ..marketplace_core.allocation import NO_RULE, available_to_sell
from ..marketplace_core.records import ListingPayload, PriceUpdate, StockUpdate
from ..tools import own_transaction

_logger = logging.getLogger(__name__)

#: Seconds a push job sends for before it hands the rest to a follow-up job: jobs
#: stay short (worker time limits) and hold their listings' row locks briefly (a
#: user's stock change marking one of them waits for the job's commit).
PUSH_TIME_BUDGET = 5


class MarketplaceListing(models.Model):
    """The binding of one product to one channel, under the channel's SKU.

    Listings imported from a marketplace with no product yet stay
    ``unmatched`` with their remote SKU and title until linked.
    """

    _name = "marketplace.listing"
    _description = "Marketplace Listing"
    _inherit = ["mail.thread"]
    _order = "channel_id, channel_sku"
    _rec_names_search = ["channel_sku", "name", "marketplace_ref"]
    _check_company_auto = True

    channel_id = fields.Many2one(
        "marketplace.channel", required=True, ondelete="cascade", index=True, tracking=True
    )
    channel_type = fields.Selection(related="channel_id.channel_type")
    company_id = fields.Many2one(related="channel_id.company_id", store=True, index=True)
    product_id = fields.Many2one(
        "product.product",
        index="btree_not_null",
        tracking=True,
        check_company=True,
        ondelete="restrict",
    )
    channel_sku = fields.Char(string="Channel SKU", required=True, tracking=True)
    name = fields.Char(string="Title", help="Title on the marketplace.")
    pack_qty = fields.Float(
        string="Pack Quantity",
        default=1.0,
        digits="Product Unit",
        help="Product units sold as one channel unit (a pack of 6 sells 6 units).",
    )
    marketplace_ref = fields.Char(
        string="Marketplace Reference", index="btree_not_null", help="ASIN, item id or listing id."
    )
    state = fields.Selection(
        [
            ("unmatched", "Unmatched"),
            ("draft", "Draft"),
            ("pending", "Pending"),
            ("active", "Active"),
            ("inactive", "Inactive"),
            ("error", "Error"),
        ],
        default="draft",
        required=True,
        index=True,
        tracking=True,
    )
    needs_push = fields.Boolean(
        string="Needs Stock Push",
        compute="_compute_needs_push",
        inverse="_inverse_needs_push",
        search="_search_needs_push",
        help="Stock changed since the last push.",
    )
    needs_price_push = fields.Boolean(
        compute="_compute_needs_push",
        inverse="_inverse_needs_price_push",
        search="_search_needs_price_push",
        help="Price may have changed since the last push.",
    )
    # Asked by a button, a reconcile or a refusal worth retrying; the changes
    # themselves are recorded as marketplace.listing.mark rows.
    push_requested = fields.Boolean(copy=False, index=True)
    price_push_requested = fields.Boolean(copy=False, index=True)
    last_pushed_qty = fields.Integer(readonly=True, copy=False)
    last_pushed_qty_date = fields.Datetime(readonly=True, copy=False)
    last_pushed_price = fields.Float(readonly=True, copy=False, digits="Product Price")
    last_pushed_price_date = fields.Datetime(readonly=True, copy=False)
    remote_qty = fields.Integer(readonly=True, copy=False, help="Quantity last read back.")
    push_submission_ref = fields.Char(
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The marketplace is still processing the last push (e.g. an Amazon feed).",
    )
    last_error = fields.Text(readonly=True, copy=False)

    _channel_sku_unique = models.Constraint(
        "UNIQUE (channel_id, channel_sku)", "A channel SKU can be used only once per channel."
    )
    _pack_qty_positive = models.Constraint(
        "CHECK (pack_qty > 0)", "The pack quantity must be positive."
    )

    @api.depends("push_requested", "price_push_requested")
    def _compute_needs_push(self):
        marked = set()
        if self.ids:
            self.env.cr.execute(
                "SELECT listing_id, kind FROM marketplace_listing_mark WHERE listing_id = ANY(%s)",
                [self.ids],
            )
            marked = set(self.env.cr.fetchall())
        for listing in self:
            listing.needs_push = listing.push_requested or (listing.id, "stock") in marked
            listing.needs_price_push = (
                listing.price_push_requested or (listing.id, "price") in marked
            )

    def _apply_requested(self, kind, field, requested):
        """Inverse of ``needs_push``/``needs_price_push``: True requests a push; False
        also drops the change marks this transaction sees (a mark made since by
        another transaction stays for the next push)."""
        for listing in self:
            listing[requested] = listing[field]
        cleared = self.filtered(lambda rec: not rec[field])
        if cleared.ids:
            self.env.cr.execute(
                "DELETE FROM marketplace_listing_mark WHERE listing_id = ANY(%s) AND kind = %s",
                [cleared.ids, kind],
            )

    def _inverse_needs_push(self):
        self._apply_requested("stock", "needs_push", "push_requested")

    def _inverse_needs_price_push(self):
        self._apply_requested("price", "needs_price_push", "price_push_requested")

    def _search_marked(self, kind, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        requested = "push_requested" if kind == "stock" else "price_push_requested"
        marked = Domain.OR(
            [
                Domain(requested, "=", True),
                Domain(
                    "id",
                    "in",
                    SQL("SELECT listing_id FROM marketplace_listing_mark WHERE kind = %s", kind),
                ),
            ]
        )
        return marked if (operator == "=") == value else ~marked

    def _search_needs_push(self, operator, value):
        return self._search_marked("stock", operator, value)

    def _search_needs_price_push(self, operator, value):
        return self._search_marked("price", operator, value)

    @api.depends("channel_sku", "channel_id.name")
    def _compute_display_name(self):
        for listing in self:
            listing.display_name = f"[{listing.channel_id.name}] {listing.channel_sku}"

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get("product_id") and "state" not in vals:
                vals["state"] = "unmatched"
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("product_id"):
            # Linking a product moves unmatched listings to draft, ready to publish.
            unmatched = self.filtered(lambda rec: rec.state == "unmatched")
            if unmatched and "state" not in vals:
                super(MarketplaceListing, unmatched).write({"state": "draft"})
        return super().write(vals)

    # === MATCHING === #

    def action_auto_match(self):
        """Link unmatched listings whose SKU is a product's reference or barcode."""
        unmatched = self.filtered(lambda rec: not rec.product_id)
        matched = unmatched._auto_match()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if matched else "warning",
                "message": self.env._(
                    "%(matched)s of %(total)s listing(s) matched to a product.",
                    matched=len(matched),
                    total=len(unmatched),
                ),
            },
        }

    def _auto_match(self):
        """Match by internal reference first, then barcode; one query for all.

        :return: the listings that were linked
        """
        skus = {sku for sku in self.mapped("channel_sku") if sku}
        if not skus:
            return self.browse()
        products = self.env["product.product"].search(
            Domain("default_code", "in", list(skus)) | Domain("barcode", "in", list(skus))
        )
        by_code, by_barcode = {}, {}
        for product in products:
            by_code.setdefault((product.default_code, product.company_id.id), product)
            by_barcode.setdefault((product.barcode, product.company_id.id), product)
        matched = self.browse()
        for listing in self:
            company = listing.company_id.id
            product = (
                by_code.get((listing.channel_sku, company))
                or by_code.get((listing.channel_sku, False))
                or by_barcode.get((listing.channel_sku, company))
                or by_barcode.get((listing.channel_sku, False))
            )
            if product:
                listing.product_id = product
                matched |= listing
        return matched

    def action_open_link_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": "marketplace.listing.link.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_listing_ids": self.ids},
        }

    def action_mark_to_push(self):
        self.write({"needs_push": True})

    def action_publish(self):
        """Create or update these listings' offers on their marketplaces (a job per channel)."""
        listings = self.filtered("product_id")
        for channel in listings.channel_id:
            channel._check_can_sync()
            channel_listings = listings.filtered(lambda rec, c=channel: rec.channel_id == c)
            channel_listings.write({"state": "pending"})
            channel._enqueue(
                "_publish_listings",
                self.env._("Publish listings on %(channel)s"),
                channel_listings.ids,
            )
        return True

    def _prepare_listing_payload(self, quantity, price):
        """Hook: what the marketplace receives to create or update this listing.

        Connector addons add their own attributes (guarded by channel type).
        """
        self.ensure_one()
        product = self.product_id
        currency = self.channel_id.currency_id or self.company_id.currency_id
        return ListingPayload(
            sku=self.channel_sku,
            title=self.name or product.with_context(display_default_code=False).display_name,
            description=product.description_sale or "",
            price=Decimal(str(price)),
            currency=currency.name,
            quantity=quantity,
            barcode=product.barcode or "",
            marketplace_ref=self.marketplace_ref or "",
        )

    def _publish(self, connector):
        """Send these listings with their current quantity and price.

        :return: (total, done, failed, message) for the sync log
        """
        ats = self._compute_available_to_sell()
        prices = self._get_channel_prices()
        payloads = [rec._prepare_listing_payload(ats[rec.id], prices[rec.id]) for rec in self]
        by_sku = {rec.channel_sku: rec for rec in self}
        now = fields.Datetime.now()
        done = failed = 0
        for result in connector.push_listings(payloads):
            listing = by_sku[result.sku]
            if result.ok:
                done += 1
                listing.write(
                    {
                        "state": "active",
                        "last_error": False,
                        "marketplace_ref": result.marketplace_ref or listing.marketplace_ref,
                        "last_pushed_qty": ats[listing.id],
                        "last_pushed_qty_date": now,
                        "last_pushed_price": prices[listing.id],
                        "last_pushed_price_date": now,
                        "needs_push": False,
                        "needs_price_push": False,
                    }
                )
            else:
                failed += 1
                listing.write({"state": "error", "last_error": result.message})
        message = self.env._(
            "%(done)s listing(s) published, %(failed)s refused.", done=done, failed=failed
        )
        return len(self), done, failed, message

    # === CHANGE EVENTS === #

    @api.model
    def _mark_products_to_push(self, product_ids, kind="stock", channel_ids=None):
        """Remember that these products' stock (or price) changed.

        Cheap on purpose: it only collects ids. At the end of the transaction
        (precommit) one UPDATE marks the listings and one coalescing job per
        channel is enqueued, however many quants a picking touched.
        """
        if not product_ids:
            return
        data = self.env.cr.precommit.data
        key = f"marketplace.to_push.{kind}"
        if key not in data:
            data[key] = {"products": set(), "channels": set()}
            env = self.env
            self.env.cr.precommit.add(lambda: env["marketplace.listing"]._flush_marked(kind))
        data[key]["products"].update(product_ids)
        if channel_ids:
            data[key]["channels"].update(channel_ids)

    @api.model
    def _flush_marked(self, kind):
        pending = self.env.cr.precommit.data.pop(f"marketplace.to_push.{kind}", None)
        if not pending or not pending["products"]:
            return
        self.flush_model(["product_id", "state", "channel_id"])
        # INSERT only: no lock on the listings, which push jobs may hold.
        query = SQL(
            """
            WITH marked AS (
                INSERT INTO marketplace_listing_mark (listing_id, kind)
                SELECT id, %s FROM marketplace_listing
                 WHERE product_id = ANY(%s) AND state IN ('active', 'pending')
                 %s
             RETURNING listing_id
            )
            SELECT DISTINCT l.channel_id
              FROM marked JOIN marketplace_listing l ON l.id = marked.listing_id
            """,
            kind,
            list(pending["products"]),
            SQL("AND channel_id = ANY(%s)", list(pending["channels"]))
            if pending["channels"]
            else SQL(),
        )
        self.env.cr.execute(query)
        channel_ids = {row[0] for row in self.env.cr.fetchall()}
        self.invalidate_model(["needs_push", "needs_price_push"])
        channels = self.env["marketplace.channel"].sudo().browse(channel_ids)
        channels = channels.filtered(lambda c: c.state == "connected")
        if kind == "stock":
            channels._enqueue("_push_stock", self.env._("Push stock of %(channel)s"))
            # The job request above may be absorbed by a job that starts before this
            # transaction commits and misses these marks: check again once committed.
            self.env.cr.postcommit.add(
                functools.partial(channels.browse()._requeue_left_to_push, channels.ids)
            )
        else:
            channels._enqueue("_push_prices", self.env._("Push prices of %(channel)s"))

    # === IMPORT / RECONCILE === #

    @api.model
    def _import_remote_listings(self, channel, remote_listings):
        """Create or update listings from the marketplace's view of them.

        :return: (total, created or updated, failed, message) for the sync log
        """
        remote = {r.sku: r for r in remote_listings if r.sku}
        existing = {
            rec.channel_sku: rec
            for rec in self.search(
                [("channel_id", "=", channel.id), ("channel_sku", "in", list(remote))]
            )
        }
        to_create = []
        for sku, item in remote.items():
            values = {"name": item.title, "marketplace_ref": item.marketplace_ref}
            if item.quantity is not None:
                values["remote_qty"] = item.quantity
            if sku in existing:
                existing[sku].write(values)
            else:
                to_create.append({**values, "channel_id": channel.id, "channel_sku": sku})
        created = self.create(to_create)
        created._auto_match()
        created.filtered("product_id").write({"state": "active"})
        message = self.env._(
            "%(new)s new listing(s), %(updated)s updated, %(unmatched)s without product.",
            new=len(created),
            updated=len(existing),
            unmatched=len(created.filtered(lambda rec: not rec.product_id)),
        )
        return len(remote), len(remote), 0, message

    @api.model
    def _reconcile_remote_listings(self, channel, remote_listings):
        """Mark listings whose marketplace quantity drifted from what we pushed."""
        remote = {r.sku: r for r in remote_listings if r.quantity is not None}
        listings = self.search(
            [
                ("channel_id", "=", channel.id),
                ("channel_sku", "in", list(remote)),
                ("state", "=", "active"),
            ]
        )
        drifted = listings.filtered(
            lambda rec: remote[rec.channel_sku].quantity != rec.last_pushed_qty
        )
        for listing in listings:
            listing.remote_qty = remote[listing.channel_sku].quantity
        drifted.write({"needs_push": True})
        if drifted:
            channel._enqueue("_push_stock", self.env._("Push stock of %(channel)s"))
        message = self.env._("%s listing(s) drifted and will be pushed again.", len(drifted))
        return len(listings), len(listings), 0, message

    # === AVAILABLE TO SELL === #

    def _compute_available_to_sell(self):
        """Return ``{listing_id: quantity to publish}`` for these listings.

        Set-based: per channel and allocation rule, one ``_read_group`` on the
        quants of the rule's locations for all its products.
        """
        result = dict.fromkeys(self.ids, 0)
        # Pending order quantities do not depend on the channel: one pass for all.
        pending = self.env["sale.order"]._marketplace_pending_quantities(self.product_id)
        # Group by channel in SQL: filtering 100k records per channel in Python
        # costs seconds.
        groups = self.sudo()._read_group(
            [("id", "in", self.ids), ("product_id", "!=", False)],
            ["channel_id"],
            ["id:array_agg"],
        )
        for channel, listing_ids in groups:
            listings = self.browse(listing_ids)
            for rule, rule_listings in channel.stock_rule_ids._dispatch_listings(listings):
                locations = (
                    rule._get_source_locations() if rule else channel._get_default_locations()
                )
                free = self.env["marketplace.stock.rule"]._get_free_quantities(
                    rule_listings.product_id, locations
                )
                numbers = rule._get_allocation_rule() if rule else NO_RULE
                for listing in rule_listings:
                    product_id = listing.product_id.id
                    result[listing.id] = available_to_sell(
                        free.get(product_id, 0.0),
                        pending.get(product_id, 0.0),
                        rule=numbers,
                        pack_qty=listing.pack_qty,
                    )
        return result

    # === PUSH === #

    def _claim(self, limit=None):
        """Lock up to ``limit`` of these listings, in their order, skipping the ones
        another transaction holds: concurrent push jobs never send the same listing.

        A listing another job pushed since this transaction's snapshot is skipped
        too (locking it would fail to serialize): first by reading the marks as
        committed now, then, for what changes meanwhile, one listing at a time.
        Skipped listings stay marked for the next job.

        :return: the listings locked, in the order of ``self``
        """
        if not self:
            return self
        self.flush_recordset(["push_requested"])  # the fresh read below is another cursor
        with own_transaction(self.env) as fresh:
            fresh.execute(
                """
                SELECT l.id FROM marketplace_listing l
                 WHERE l.id = ANY(%s)
                   AND (l.push_requested OR EXISTS (
                        SELECT 1 FROM marketplace_listing_mark m
                         WHERE m.listing_id = l.id AND m.kind = 'stock'))
                """,
                [self.ids],
            )
            still_marked = {row[0] for row in fresh.fetchall()}
        candidates = self.filtered(lambda rec: rec.id in still_marked)
        query = """
            SELECT l.id FROM marketplace_listing l
              JOIN unnest(%s::int[]) WITH ORDINALITY AS u(id, pos) ON u.id = l.id
             ORDER BY u.pos
             LIMIT %s
               FOR UPDATE OF l SKIP LOCKED
        """
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(query, [candidates.ids, limit])
                return self.browse([row[0] for row in self.env.cr.fetchall()])
        except psycopg2.errors.SerializationFailure:
            _logger.info("Listings pushed meanwhile by another job: claiming one at a time.")
        claimed = []
        for listing_id in candidates.ids:
            if limit and len(claimed) >= limit:
                break
            try:
                with self.env.cr.savepoint(flush=False):
                    self.env.cr.execute(query, [[listing_id], 1])
                    claimed.extend(row[0] for row in self.env.cr.fetchall())
            except psycopg2.errors.SerializationFailure:
                continue
        return self.browse(claimed)

    def _claim_siblings(self):
        """Keep only the claimed listings whose siblings (same marketplace reference:
        variations of one Etsy listing...) this transaction holds too.

        A marketplace that rewrites a listing as a whole (read, change, write)
        would lose a concurrent job's change to a sibling otherwise; what is
        dropped stays marked for the next job.
        """
        refs = list(set(self.filtered("marketplace_ref").mapped("marketplace_ref")))
        if not refs:
            return self
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        """
                        SELECT l.id FROM marketplace_listing l
                         WHERE l.channel_id = ANY(%s) AND l.marketplace_ref = ANY(%s)
                           FOR UPDATE OF l SKIP LOCKED
                        """,
                        self.channel_id.ids,
                        refs,
                    )
                )
                held = {row[0] for row in self.env.cr.fetchall()}
        except psycopg2.errors.SerializationFailure:
            held = set(self.ids)  # a sibling changed meanwhile: keep only what we hold
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT l.marketplace_ref FROM marketplace_listing l
                 WHERE l.channel_id = ANY(%s) AND l.marketplace_ref = ANY(%s)
                   AND l.id != ALL(%s)
                """,
                self.channel_id.ids,
                refs,
                list(held),
            )
        )
        busy = {row[0] for row in self.env.cr.fetchall()}
        return self.filtered(lambda rec: rec.marketplace_ref not in busy)

    def _push_in_batches(self, operation, updates, ok_values, error_values):
        """Send ``updates`` (one per listing of ``self``, most urgent first) in batches.

        Each batch first takes its tokens from the shared rate buckets. When they
        run out after some batches went, what was sent is kept and the rest stays
        marked for a continuation job at the computed time; when they run out at
        once, :class:`MarketplaceRateLimited` postpones the whole job.

        :param operation: ``(connector, method name)``: ``push_stock`` or ``push_prices``
        :param ok_values: ``listing -> values`` written when the marketplace accepts
        :param error_values: ``(listing, result) -> values`` written when it refuses
        :return: (pushed, failed, seconds to wait before sending the rest, or 0)
        """
        if not self:
            return 0, 0, 0
        by_sku = {rec.channel_sku: rec for rec in self}
        connector, method = operation
        send = getattr(connector, method)
        channel = self.channel_id
        channel.ensure_one()
        pushed = failed = 0
        wait = 0
        submissions = set()
        deadline = time.monotonic() + PUSH_TIME_BUDGET
        for start in range(0, len(updates), connector.batch_size):
            batch = updates[start : start + connector.batch_size]
            if start and time.monotonic() > deadline:
                wait = 0.1  # the time budget is spent: a follow-up job sends the rest now
                break
            try:
                with channel._rate_limited(connector, method, len(batch)):
                    results = send(batch)
            except MarketplaceRateLimited as exc:
                if not start:
                    raise
                wait = exc.seconds or 60
                break
            for result in results:
                listing = by_sku[result.sku]
                if result.ok:
                    listing.write(
                        {
                            **ok_values(listing),
                            "push_submission_ref": result.submission_ref or False,
                        }
                    )
                    if result.submission_ref:
                        submissions.add(result.submission_ref)
                    pushed += 1
                else:
                    listing.write(error_values(listing, result))
                    failed += 1
        for ref in submissions:
            channel._delayable(
                channel, self.env._("Check submission %s", ref), eta=connector.submission_delay
            )._check_submission(ref)
        return pushed, failed, wait

    def _push_message(self, what, pushed, skipped, failed, wait=0):
        message = self.env._(
            "%(what)s: %(pushed)s pushed, %(skipped)s unchanged, %(failed)s failed.",
            what=what,
            pushed=pushed,
            skipped=skipped,
            failed=failed,
        )
        if wait:
            message += " " + self.env._(
                "Quota used up: the rest goes in %s s, still marked.", round(wait)
            )
        return message

    def _push_stock(self, connector, limit=None, shard=0):
        """Push the ATS of the most urgent ``limit`` of these listings that no other
        job holds; send only what changed.

        :param shard: the job's number, for its follow-up job
        :return: (total, pushed, failed, message) for the sync log
        """
        ats = self._compute_available_to_sell()

        def urgency(rec):
            # When quota is short the oversell risks go first: a listing going to
            # 0, then other decreases, then increases.
            new, old = ats[rec.id], rec.last_pushed_qty
            if not new:
                return (0, 0)
            if rec.last_pushed_qty_date and new < old:
                return (1, new - old)
            return (2, new - old)

        mine = self.sorted(urgency)._claim(limit)
        if connector.push_concurrency > 1:
            mine = mine._claim_siblings()
        to_send = mine.filtered(
            lambda rec: ats[rec.id] != rec.last_pushed_qty or not rec.last_pushed_qty_date
        )
        # Unchanged values need no call: clear their mark now.
        (mine - to_send).write({"needs_push": False})
        updates = [
            StockUpdate(
                sku=rec.channel_sku, quantity=ats[rec.id], marketplace_ref=rec.marketplace_ref or ""
            )
            for rec in to_send
        ]
        now = fields.Datetime.now()
        pushed, failed, wait = to_send._push_in_batches(
            (connector, "push_stock"),
            updates,
            lambda rec: {
                "last_pushed_qty": ats[rec.id],
                "last_pushed_qty_date": now,
                "needs_push": False,
                "last_error": False,
                "state": "active" if rec.state == "pending" else rec.state,
            },
            # A retryable refusal keeps the mark so the next job sends it again.
            lambda rec, result: {
                "last_error": result.message,
                "needs_push": result.retryable,
                "state": rec.state if result.retryable else "error",
            },
        )
        if wait:
            # Shard 0 is the job the events enqueue: same arguments, so they coalesce.
            mine.channel_id._enqueue_continuation(
                "_push_stock", wait, **({"shard": shard} if shard else {})
            )
        skipped = len(mine) - len(to_send)
        message = self._push_message(self.env._("Stock"), pushed, skipped, failed, wait)
        return len(mine), pushed, failed, message

    def _get_channel_prices(self):
        """Return ``{listing_id: price}`` from each channel's pricelist."""
        prices = {}
        for channel in self.channel_id:
            listings = self.filtered(lambda rec, c=channel: rec.channel_id == c and rec.product_id)
            pricelist = channel.pricelist_id
            currency = channel.currency_id or channel.company_id.currency_id
            for listing in listings:
                product = listing.product_id
                unit = (
                    pricelist._get_product_price(product, listing.pack_qty)
                    if pricelist
                    else product.lst_price
                )
                prices[listing.id] = currency.round(unit * listing.pack_qty)
        return prices

    def _push_prices(self, connector, force=False):
        """Push the channel price of these listings; only the changed ones.

        :param force: push even the prices equal to the last pushed ones
        """
        prices = self._get_channel_prices()
        to_send = self.filtered(
            lambda rec: rec.id in prices and (force or prices[rec.id] != rec.last_pushed_price)
        )
        # When quota is short the biggest price drops go first.
        to_send = to_send.sorted(lambda rec: prices[rec.id] - rec.last_pushed_price)
        updates = [
            PriceUpdate(
                sku=rec.channel_sku,
                price=Decimal(str(prices[rec.id])),
                currency=(rec.channel_id.currency_id or rec.company_id.currency_id).name,
                marketplace_ref=rec.marketplace_ref or "",
            )
            for rec in to_send
        ]
        now = fields.Datetime.now()
        pushed, failed, wait = to_send._push_in_batches(
            (connector, "push_prices"),
            updates,
            lambda rec: {
                "last_pushed_price": prices[rec.id],
                "last_pushed_price_date": now,
                "needs_price_push": False,
                "last_error": False,
            },
            lambda rec, result: {"last_error": result.message},
        )
        (self - to_send).filtered("needs_price_push").write({"needs_price_push": False})
        if wait:
            self.channel_id._enqueue_continuation("_push_prices", wait)
        skipped = len(self) - len(to_send)
        message = self._push_message(self.env._("Prices"), pushed, skipped, failed, wait)
        return len(self), pushed, failed, message
