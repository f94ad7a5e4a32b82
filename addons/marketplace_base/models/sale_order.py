import logging

import psycopg2

from odoo import api, fields, models
from odoo.fields import Command

_logger = logging.getLogger(__name__)

MARKETPLACE_STATUSES = [
    ("pending", "Pending"),
    ("to_ship", "To ship"),
    ("partially_shipped", "Partially shipped"),
    ("shipped", "Shipped"),
    ("cancelled", "Cancelled"),
]


class SaleOrder(models.Model):
    _inherit = "sale.order"

    marketplace_channel_id = fields.Many2one(
        "marketplace.channel",
        index="btree_not_null",
        copy=False,
        readonly=True,
    )
    marketplace_ref = fields.Char(
        string="Marketplace Order",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="The order's reference on the marketplace.",
    )
    marketplace_status = fields.Selection(MARKETPLACE_STATUSES, copy=False, readonly=True)
    marketplace_to_fix = fields.Boolean(string="To Fix", copy=False, index=True)
    marketplace_error = fields.Text(copy=False)
    marketplace_fee_ids = fields.One2many(
        "marketplace.order.fee", "sale_order_id", string="Marketplace Fees", copy=False
    )
    marketplace_fee_total = fields.Monetary(
        string="Marketplace Fees Total",
        compute="_compute_marketplace_fee_total",
        store=True,
        help="What the marketplace kept on this order (negative), in the order's currency.",
    )
    marketplace_net_amount = fields.Monetary(
        string="Net of Fees",
        compute="_compute_marketplace_fee_total",
        store=True,
        help="Untaxed amount plus marketplace fees: the revenue the channel leaves us.",
    )

    _marketplace_ref_unique = models.Constraint(
        "UNIQUE (marketplace_channel_id, marketplace_ref)",
        "This marketplace order was already imported for this channel.",
    )

    @api.depends("marketplace_fee_ids.amount", "amount_untaxed")
    def _compute_marketplace_fee_total(self):
        for order in self:
            total = sum(
                fee.currency_id._convert(
                    fee.amount, order.currency_id, order.company_id, order.date_order
                )
                for fee in order.marketplace_fee_ids
            )
            order.marketplace_fee_total = total
            order.marketplace_net_amount = order.amount_untaxed + total

    # === FEES === #

    def _marketplace_enqueue_fees(self):
        for order in self.filtered("marketplace_channel_id"):
            order.marketplace_channel_id._delayable(
                order, self.env._("Import the marketplace fees of %s", order.name)
            )._marketplace_import_fees()

    def _marketplace_import_fees(self):
        """Job: replace this order's fees by the marketplace's (idempotent)."""
        self.ensure_one()
        channel = self.marketplace_channel_id
        connector = channel._get_connector()
        with channel._rate_limited(connector, "fetch_fees"):
            fees = connector.fetch_fees(self.marketplace_ref)
        currencies = {
            c.name: c
            for c in self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "in", list({fee.currency for fee in fees}))])
        }
        self.marketplace_fee_ids.unlink()
        self.env["marketplace.order.fee"].create(
            [
                {
                    "sale_order_id": self.id,
                    "fee_type": fee.fee_type,
                    "amount": float(fee.amount),
                    "currency_id": (currencies.get(fee.currency) or self.currency_id).id,
                    "line_ref": fee.line_ref,
                }
                for fee in fees
            ]
        )
        return len(fees)

    @api.model
    def _cron_import_fees(self):
        """Enqueue the fee import of recently shipped marketplace orders that have none."""
        since = fields.Datetime.subtract(fields.Datetime.now(), days=30)
        orders = self.search(
            [
                ("marketplace_channel_id.state", "=", "connected"),
                ("marketplace_status", "in", ("partially_shipped", "shipped")),
                ("marketplace_fee_ids", "=", False),
                ("date_order", ">=", since),
            ]
        )
        orders._marketplace_enqueue_fees()

    # === IMPORT === #

    @api.model
    def _marketplace_import_orders(self, channel, remote_orders):
        """Import or update ``remote_orders`` (``records.Order``) for ``channel``.

        Each order is written in its own savepoint: a bad one is kept, flagged
        to fix with an activity, and the batch goes on.

        :return: (total, done, failed, message) for the sync log
        """
        refs = [o.marketplace_ref for o in remote_orders]
        existing = {
            o.marketplace_ref: o
            for o in self.search(
                [("marketplace_channel_id", "=", channel.id), ("marketplace_ref", "in", refs)]
            )
        }
        created, updated, to_fix = self._marketplace_import_loop(channel, remote_orders, existing)
        message = self.env._(
            "%(created)s order(s) imported, %(updated)s updated, %(to_fix)s to fix.",
            created=created,
            updated=updated,
            to_fix=to_fix,
        )
        return len(remote_orders), created + updated - to_fix, to_fix, message

    @api.model
    def _marketplace_import_loop(self, channel, remote_orders, existing):
        created = updated = to_fix = 0
        # One read of the listings for the whole page, not one per order.
        listings = self._marketplace_listings_by_sku(
            channel, {line.sku for remote in remote_orders for line in remote.lines}
        )
        for remote in remote_orders:
            order = existing.get(remote.marketplace_ref)
            if order:
                order._marketplace_update_from(remote)
                updated += 1
                continue
            try:
                with self.env.cr.savepoint():
                    order = self._marketplace_create_order(channel, remote, listings)
                    order._marketplace_process_new(remote)
            except psycopg2.IntegrityError:
                # Another job committed the same order meanwhile: nothing is lost.
                _logger.info("Order %s of %s already imported", remote.marketplace_ref, channel.id)
                continue
            except psycopg2.Error:
                raise  # database trouble is not bad data: let the job retry
            except Exception as exc:
                _logger.warning(
                    "Order %s of channel %s kept to fix: %s",
                    remote.marketplace_ref,
                    channel.id,
                    exc,
                )
                order = self._marketplace_create_fallback_order(
                    channel, remote, self.env._("Could not import this order: %s", exc)
                )
            created += 1
            if order.marketplace_to_fix:
                to_fix += 1
                order._marketplace_schedule_fix_activity()
        return created, updated, to_fix

    @api.model
    def _marketplace_create_order(self, channel, remote, listings=None):
        values = self._marketplace_prepare_order_values(channel, remote, listings)
        return self.create(values)

    @api.model
    def _marketplace_create_fallback_order(self, channel, remote, error):
        """Keep an order whose data could not be mapped, flagged with the reason."""
        partner = self.env["res.partner"].create(
            {
                "name": remote.buyer_name or self.env._("Buyer of %s", remote.marketplace_ref),
                "company_id": channel.company_id.id,
            }
        )
        # Only values that cannot be wrong: the payload itself may be the problem.
        return self.create(
            {
                "partner_id": partner.id,
                "company_id": channel.company_id.id,
                "marketplace_channel_id": channel.id,
                "marketplace_ref": remote.marketplace_ref,
                "client_order_ref": remote.marketplace_ref,
                "marketplace_to_fix": True,
                "marketplace_error": error,
            }
        )

    @api.model
    def _marketplace_prepare_header_values(self, channel, remote, partner, shipping):
        values = {
            "partner_id": partner.id,
            "partner_shipping_id": shipping.id,
            "partner_invoice_id": partner.id,
            "company_id": channel.company_id.id,
            "marketplace_channel_id": channel.id,
            "marketplace_ref": remote.marketplace_ref,
            "marketplace_status": remote.status,
            "client_order_ref": remote.marketplace_ref,
            "date_order": remote.created_at.replace(tzinfo=None),
            "origin": f"{channel.name}: {remote.marketplace_ref}",
        }
        optional = {
            "team_id": channel.team_id.id,
            "pricelist_id": channel.pricelist_id.id,
            "payment_term_id": channel.payment_term_id.id,
            "fiscal_position_id": channel.fiscal_position_id.id,
            "warehouse_id": channel.warehouse_id.id,
            "user_id": channel.user_id.id,
        }
        values.update({key: value for key, value in optional.items() if value})
        return values

    @api.model
    def _marketplace_prepare_order_values(self, channel, remote, listings=None):
        """Hook: the values of the sale order built from ``remote``."""
        Partner = self.env["res.partner"]
        partner = Partner._marketplace_find_or_create(channel, remote)
        shipping = partner._marketplace_child_address(remote.shipping_address, "delivery")
        invoice = partner._marketplace_child_address(remote.billing_address, "invoice")
        values = self._marketplace_prepare_header_values(channel, remote, partner, shipping)
        values["partner_invoice_id"] = invoice.id
        lines, problems = self._marketplace_prepare_line_values(channel, remote, listings)
        values["order_line"] = lines + self._marketplace_extra_lines(channel, remote)
        if problems:
            values["marketplace_to_fix"] = True
            values["marketplace_error"] = "\n".join(problems)
        return values

    @api.model
    def _marketplace_listings_by_sku(self, channel, skus):
        return {
            rec.channel_sku: rec
            for rec in self.env["marketplace.listing"].search(
                [("channel_id", "=", channel.id), ("channel_sku", "in", list(skus))]
            )
        }

    @api.model
    def _marketplace_prepare_line_values(self, channel, remote, listings=None):
        """Return ``(line commands, problems)``; an unknown SKU is a problem, not an error.

        :param listings: ``{sku: listing}`` already read for a whole page of orders
        """
        if listings is None:
            listings = self._marketplace_listings_by_sku(channel, {ln.sku for ln in remote.lines})
        commands, problems = [], []
        for line in remote.lines:
            listing = listings.get(line.sku)
            if not listing or not listing.product_id:
                problems.append(
                    self.env._(
                        "Unknown SKU %(sku)s (line %(line)s): link it to a product, "
                        "then reprocess the order.",
                        sku=line.sku,
                        line=line.line_ref,
                    )
                )
                commands.append(
                    Command.create(
                        {
                            "display_type": "line_note",
                            "name": self.env._(
                                "%(qty)s x %(sku)s %(title)s (unknown SKU)",
                                qty=line.quantity,
                                sku=line.sku,
                                title=line.title,
                            ),
                            "marketplace_line_ref": line.line_ref,
                        }
                    )
                )
                continue
            qty = line.quantity * listing.pack_qty
            taxes = self._marketplace_line_taxes(channel, listing.product_id)
            commands.append(
                Command.create(
                    {
                        "product_id": listing.product_id.id,
                        "product_uom_qty": qty,
                        "price_unit": float(line.price_total) / qty if qty else 0.0,
                        "marketplace_line_ref": line.line_ref,
                        "marketplace_pack_qty": listing.pack_qty,
                        "tax_ids": [Command.set(taxes.ids)],
                    }
                )
            )
        return commands, problems

    @api.model
    def _marketplace_line_taxes(self, channel, product):
        """Taxes of ``product`` on ``channel``, tax-included when its prices are."""
        taxes = product.taxes_id._filter_taxes_by_company(channel.company_id)
        if channel.fiscal_position_id:
            taxes = channel.fiscal_position_id.map_tax(taxes)
        if channel.price_include_tax:
            taxes = self.env["account.tax"].concat(
                *(self._marketplace_included_tax(tax) for tax in taxes)
            )
        return taxes

    @api.model
    def _marketplace_included_tax(self, tax):
        """Return ``tax`` in its price-included form (found, or created once)."""
        if tax.price_include or tax.amount_type != "percent":
            return tax
        Tax = self.env["account.tax"].sudo()
        included = Tax.search(
            [
                ("company_id", "=", tax.company_id.id),
                ("type_tax_use", "=", tax.type_tax_use),
                ("amount_type", "=", "percent"),
                ("amount", "=", tax.amount),
                ("price_include_override", "=", "tax_included"),
                ("tax_group_id", "=", tax.tax_group_id.id),
            ],
            limit=1,
        )
        return included or tax.sudo().copy(
            {"name": f"{tax.name} (incl.)", "price_include_override": "tax_included"}
        )

    @api.model
    def _marketplace_extra_lines(self, channel, remote):
        """Shipping, gift-wrap and order-level discount lines, when the channel has products."""
        commands = []
        for amount, product, sign in (
            (remote.shipping_total, channel.shipping_product_id, 1),
            (remote.gift_wrap_total, channel.gift_wrap_product_id, 1),
            (remote.discount_total, channel.discount_product_id, -1),
        ):
            if amount and product:
                commands.append(
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": 1,
                            "price_unit": sign * abs(float(amount)),
                            "tax_ids": [
                                Command.set(self._marketplace_line_taxes(channel, product).ids)
                            ],
                        }
                    )
                )
        return commands

    @api.model
    def _marketplace_pending_quantities(self, products):
        """Return ``{product_id: units}`` that marketplace orders need but have not reserved.

        Draft orders (to fix, or not auto-confirmed) reserve nothing yet, and
        confirmed ones may wait for stock: selling those units again would
        oversell. Two grouped queries for all products.
        """
        if not products:
            return {}
        pending = dict.fromkeys(products.ids, 0.0)
        for product, qty in (
            self.env["sale.order.line"]
            .sudo()
            ._read_group(
                [
                    ("product_id", "in", products.ids),
                    ("order_id.marketplace_channel_id", "!=", False),
                    ("order_id.state", "in", ("draft", "sent")),
                ],
                ["product_id"],
                ["product_uom_qty:sum"],
            )
        ):
            pending[product.id] += qty
        for product, demand, reserved in (
            self.env["stock.move"]
            .sudo()
            ._read_group(
                [
                    ("product_id", "in", products.ids),
                    ("sale_line_id.order_id.marketplace_channel_id", "!=", False),
                    ("state", "in", ("waiting", "confirmed", "partially_available")),
                ],
                ["product_id"],
                ["product_uom_qty:sum", "quantity:sum"],
            )
        ):
            pending[product.id] += max(demand - reserved, 0.0)
        return pending

    def _marketplace_process_new(self, remote):
        """Check a freshly built order, then confirm or deliver it as the channel says."""
        self.ensure_one()
        channel = self.marketplace_channel_id
        if not self.marketplace_to_fix:
            problem = self._marketplace_check_totals(remote)
            if problem:
                self.write({"marketplace_to_fix": True, "marketplace_error": problem})
        if self.marketplace_to_fix:
            return
        if remote.status == "cancelled":
            self._action_cancel()
        elif remote.fulfilled_by_marketplace:
            self._marketplace_deliver_from_marketplace()
        elif channel.auto_confirm_orders:
            self.action_confirm()

    def _marketplace_check_totals(self, remote):
        """Return why the order does not match the marketplace's, or ``""``."""
        if remote.currency and remote.currency != self.currency_id.name:
            return self.env._(
                "The marketplace sold in %(remote)s but the order is in %(ours)s: give the "
                "channel a pricelist in %(remote)s.",
                remote=remote.currency,
                ours=self.currency_id.name,
            )
        if self.currency_id.compare_amounts(self.amount_total, float(remote.total)):
            return self.env._(
                "The order total %(ours)s differs from the marketplace's %(remote)s: check the "
                "taxes of the products and the channel's tax setting.",
                ours=self.amount_total,
                remote=remote.total,
            )
        return ""

    def _marketplace_deliver_from_marketplace(self):
        """Record an order the marketplace shipped from its own warehouse (Amazon FBA).

        No picking from our warehouses: the order is confirmed without
        procurement and its goods leave the channel's marketplace location.
        """
        self.ensure_one()
        location = self.marketplace_channel_id.marketplace_location_id
        if not location:
            self.write(
                {
                    "marketplace_to_fix": True,
                    "marketplace_error": self.env._(
                        "This order was fulfilled by the marketplace: set the channel's "
                        "marketplace stock location, then reprocess it."
                    ),
                }
            )
            return
        self.with_context(skip_procurement=True).action_confirm()
        customer = self.env.ref("stock.stock_location_customers")
        moves = self.env["stock.move"].create(
            [
                {
                    "product_id": line.product_id.id,
                    "product_uom_qty": line.product_uom_qty,
                    "product_uom": line.product_uom_id.id,
                    "location_id": location.id,
                    "location_dest_id": customer.id,
                    "sale_line_id": line.id,
                    "origin": self.name,
                    "company_id": self.company_id.id,
                }
                for line in self.order_line.filtered(lambda rec: rec.product_id.is_storable)
            ]
        )
        moves._action_confirm()
        for move in moves:
            move.quantity = move.product_uom_qty
        moves.picked = True
        moves._action_done()

    # === STATUS === #

    def _marketplace_update_from(self, remote):
        """Apply a re-read order; a failure flags the order instead of failing the batch."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                self._marketplace_apply_status(remote)
        except psycopg2.Error:
            raise
        except Exception as exc:
            self.write(
                {
                    "marketplace_to_fix": True,
                    "marketplace_error": self.env._(
                        "Could not apply the marketplace update: %s", exc
                    ),
                }
            )
            self._marketplace_schedule_fix_activity()

    def _marketplace_apply_status(self, remote):
        """Follow the marketplace's status: cancel before shipping, flag after."""
        self.ensure_one()
        if remote.status == self.marketplace_status:
            return
        self.marketplace_status = remote.status
        if remote.status != "cancelled" or self.state == "cancel":
            return
        if any(p.state == "done" for p in self.picking_ids):
            self.write(
                {
                    "marketplace_to_fix": True,
                    "marketplace_error": self.env._(
                        "Cancelled on the marketplace after shipping: handle the return."
                    ),
                }
            )
            self._marketplace_schedule_fix_activity()
        else:
            self._action_cancel()

    def _marketplace_schedule_fix_activity(self):
        for order in self:
            order.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Marketplace order to fix"),
                note=order.marketplace_error,
                user_id=(order.marketplace_channel_id.user_id or self.env.user).id,
            )

    def action_marketplace_reprocess(self):
        """Rebuild flagged draft orders from the marketplace once their data is fixed.

        A flagged order already confirmed (e.g. cancelled on the marketplace
        after shipping) was handled by hand: reprocessing clears its flag.
        """
        todo = self.env.ref("mail.mail_activity_data_todo")
        for order in self.filtered("marketplace_to_fix"):
            channel = order.marketplace_channel_id
            if order.state in ("draft", "sent"):
                with channel._handle_connector_errors():
                    connector = channel._get_connector()
                    with channel._rate_limited(connector, "fetch_order"):
                        remote = connector.fetch_order(order.marketplace_ref)
                values = self._marketplace_prepare_order_values(channel, remote)
                if values.get("marketplace_to_fix"):
                    order.marketplace_error = values["marketplace_error"]
                    continue
                order.order_line.unlink()
                order.write({**values, "marketplace_to_fix": False, "marketplace_error": False})
                order._marketplace_process_new(remote)
                if order.marketplace_to_fix:
                    continue
            else:
                order.write({"marketplace_to_fix": False, "marketplace_error": False})
            order.activity_ids.filtered(lambda a: a.activity_type_id == todo).action_feedback(
                self.env._("Reprocessed")
            )
        return True
