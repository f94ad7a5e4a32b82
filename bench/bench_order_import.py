#!/usr/bin/env python3
"""Benchmark: marketplace order import vs plain ORM sale orders.

Usage: ``python3 bench/bench_order_import.py [--orders 1000] [--buyers 600] [--products 50]
[--profile] [--keep] [--template mp_tmpl]``

Makes a throwaway database ``bench_orders_<pid>`` with marketplace_base, a connected
channel whose connector is an in-memory fake returning ``--orders`` two-line
``marketplace_core.records.Order`` objects (``--buyers`` distinct buyers, so some
repeat; every SKU bound to a listing), and times in the same run:

- ours: ``channel._import_orders()`` (find or create the buyer and its delivery
  address, build, check and confirm each order in its own savepoint, sync log), then
  the commit (which marks the listings to push and enqueues the push job);
- baseline: the same orders made directly through the ORM, partners created
  beforehand (untimed): ``sale.order.create`` with the two lines, then
  ``action_confirm()``, one order at a time, then the commit.

Goal: ours ≤ 1.25x the baseline time. ``--profile`` (automatic when the goal fails) imports
another batch under cProfile and prints the top 15 functions by cumulative time.
A measurement: exits 0 when a goal is missed, non-zero on errors or when an order
was not imported and confirmed.
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from unittest.mock import patch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import (
    DEFAULT_TEMPLATE,
    configure,
    create_db,
    create_listed_products,
    drop_db,
    exit_on_sigterm,
    open_env,
    print_table,
    verdict,
)

GOAL_RATIO = 1.25
WARMUP_ORDERS = 20


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# === THE FAKE MARKETPLACE === #


def fake_connector_class():
    """A connector answering ``fetch_orders`` from memory (``FakeConnector.orders``)."""
    from odoo.addons.marketplace_base.marketplace_core.connector import (  # noqa: PLC0415
        MarketplaceConnector,
    )
    from odoo.addons.marketplace_base.marketplace_core.records import (  # noqa: PLC0415
        ConnectionStatus,
        OrderPage,
    )

    class FakeConnector(MarketplaceConnector):
        orders = ()

        def test_connection(self):
            return ConnectionStatus(True, "ok")

        def fetch_orders(self, updated_since):
            orders = tuple(self.orders)
            return OrderPage(orders=orders, watermark=max(o.updated_at for o in orders))

        def _unused(self, *args, **kwargs):
            raise NotImplementedError("not used by this benchmark")

        fetch_listings = push_listings = push_stock = push_prices = _unused
        fetch_order = push_shipment = cancel_order = fetch_fees = _unused

    return FakeConnector


def make_orders(prefix, count, skus, n_buyers, currency, domain="example.com"):
    """``count`` two-line orders; buyer ``i % n_buyers`` (repeat buyers share an address)."""
    from odoo.addons.marketplace_base.marketplace_core.records import (  # noqa: PLC0415
        Address,
        Order,
        OrderLine,
    )

    when = datetime.now(UTC) - timedelta(hours=1)
    orders = []
    for index in range(count):
        buyer = index % n_buyers
        email = f"buyer{buyer}@{domain}"
        name = f"Bench Buyer {buyer}"
        address = Address(
            name=name,
            street=f"{buyer} Rue de la Paix",
            city="Paris",
            zip="75002",
            country_code="FR",
            email=email,
        )
        ref = f"{prefix}-{index:05d}"
        lines = tuple(
            OrderLine(
                line_ref=f"{ref}-{n}",
                sku=skus[(2 * index + n) % len(skus)],
                quantity=qty,
                price_total=Decimal("9.99") * qty,
            )
            for n, qty in ((0, 1 + index % 3), (1, 1))
        )
        orders.append(
            Order(
                marketplace_ref=ref,
                status="to_ship",
                created_at=when,
                updated_at=when,
                currency=currency,
                lines=lines,
                total=sum((line.price_total for line in lines), Decimal(0)),
                buyer_email=email,
                buyer_name=name,
                shipping_address=address,
                billing_address=address,
            )
        )
    return orders


# === DATA === #


def load_data(env, n_products):
    """A connected channel, storable products in stock, one listing each."""
    warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
    channel = env["marketplace.channel"].create(
        {"name": "Bench Orders", "warehouse_id": warehouse.id, "state": "connected"}
    )
    skus = [f"BENCH-ORD-{i:03d}" for i in range(n_products)]
    products = create_listed_products(env, channel, skus, "Bench order product", 9.99)
    for product in products:
        env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, 1_000_000)
    return channel, dict(zip(skus, products, strict=True))


# === THE TWO WAYS === #


def import_ours(env, channel, connector_class, orders):
    """Import ``orders`` through the channel's job method, then commit."""
    connector_class.orders = orders
    with patch.object(
        env.registry["marketplace.channel"], "_get_connector_class", lambda self: connector_class
    ):
        channel.orders_watermark = False
        channel._import_orders()
    env.cr.commit()


def make_partners(env, orders):
    """The baseline's customers, one per buyer email, made beforehand."""
    emails = sorted({o.buyer_email for o in orders})
    country = env.ref("base.fr")
    partners = env["res.partner"].create(
        [
            {
                "name": f"Baseline {email}",
                "email": email,
                "street": "Rue de la Paix",
                "city": "Paris",
                "zip": "75002",
                "country_id": country.id,
            }
            for email in emails
        ]
    )
    env.cr.commit()
    return dict(zip(emails, partners, strict=True))


def create_baseline(env, orders, partners, products):
    """The same orders through ``sale.order.create`` + ``action_confirm``, then commit."""
    from odoo.fields import Command  # noqa: PLC0415

    SaleOrder = env["sale.order"]
    for remote in orders:
        order = SaleOrder.create(
            {
                "partner_id": partners[remote.buyer_email].id,
                "client_order_ref": f"BASE {remote.marketplace_ref}",
                "order_line": [
                    Command.create(
                        {
                            "product_id": products[line.sku].id,
                            "product_uom_qty": line.quantity,
                            "price_unit": float(line.price_total) / line.quantity,
                        }
                    )
                    for line in remote.lines
                ],
            }
        )
        order.action_confirm()
    env.cr.commit()


def timed(env, func, *args):
    """Run ``func(*args)``: (seconds, queries)."""
    queries = env.cr.sql_log_count
    start = time.perf_counter()
    func(*args)
    return time.perf_counter() - start, env.cr.sql_log_count - queries


def check_imported(env, channel, orders):
    """Return the problems of the imported orders (missing, to fix, not confirmed)."""
    refs = [o.marketplace_ref for o in orders]
    imported = env["sale.order"].search(
        [("marketplace_channel_id", "=", channel.id), ("marketplace_ref", "in", refs)]
    )
    problems = []
    if len(imported) != len(refs):
        problems.append(f"{len(refs) - len(imported)} of {len(refs)} orders not imported")
    to_fix = imported.filtered("marketplace_to_fix")
    if to_fix:
        problems.append(f"{len(to_fix)} orders to fix, e.g.: {to_fix[0].marketplace_error}")
    unconfirmed = imported.filtered(lambda o: o.state != "sale")
    if unconfirmed:
        problems.append(f"{len(unconfirmed)} orders not confirmed")
    good = len(imported - to_fix - unconfirmed)
    return good, problems


def profile(env, channel, connector_class, orders):
    """cProfile of one more import (new buyers, so partners are created again)."""
    env.invalidate_all()
    profiler = cProfile.Profile()
    queries = env.cr.sql_log_count
    start = time.perf_counter()
    profiler.enable()
    import_ours(env, channel, connector_class, orders)
    profiler.disable()
    elapsed = time.perf_counter() - start
    print(
        f"\n--- cProfile of ours on {len(orders)} more orders ({elapsed:.1f}s under the "
        f"profiler, {env.cr.sql_log_count - queries} queries), top 15 by cumulative time ---"
    )
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(15)
    # action_confirm dominates the top and costs the same in the baseline: the
    # addon's own functions show what ours adds.
    print(out.getvalue())
    print("--- the same profile, marketplace_base functions only (top 15) ---")
    out = io.StringIO()
    stats.stream = out
    stats.print_stats("marketplace_base", 15)
    print(out.getvalue())


# === MAIN === #


def run(env, args):
    quiet = env(context=dict(env.context, tracking_disable=True))
    channel, products = load_data(quiet, args.products)
    channel = channel.with_env(env)
    env.cr.commit()
    skus = list(products)
    currency = env.company.currency_id.name
    connector_class = fake_connector_class()
    orders = make_orders("BENCH", args.orders, skus, args.buyers, currency)
    start = time.perf_counter()
    partners = make_partners(env, orders)
    partners_s = time.perf_counter() - start
    log(f"{len(skus)} products with listings, {len(partners)} buyers; warming up")

    # Warm-up (caches, first-call costs) with other buyers and orders, untimed.
    warm = make_orders("WARM", WARMUP_ORDERS, skus, WARMUP_ORDERS, currency, "warm.example")
    import_ours(env, channel, connector_class, warm)
    create_baseline(env, warm, make_partners(env, warm), products)
    _good, problems = check_imported(env, channel, warm)
    if problems:
        print("wrong result (warm-up): " + "; ".join(problems), file=sys.stderr)
        return 1

    log(f"ours: importing {len(orders)} orders")
    env.invalidate_all()
    ours_s, ours_q = timed(env, import_ours, env, channel, connector_class, orders)
    log(f"ours: {ours_s:.1f}s; baseline: creating and confirming {len(orders)} orders")
    env.invalidate_all()
    base_s, base_q = timed(env, create_baseline, env, orders, partners, products)
    log(f"baseline: {base_s:.1f}s")

    good, problems = check_imported(env, channel, orders)
    n = len(orders)
    ratio = ours_s / base_s
    rows = [
        ("orders (2 product lines each)", f"{n}", ""),
        ("distinct buyers", f"{len({o.buyer_email for o in orders})}", ""),
        ("ours: _import_orders + commit (s)", f"{ours_s:.2f}", ""),
        ("ours: orders/s", f"{n / ours_s:.1f}", ""),
        ("ours: queries per order", f"{ours_q / n:.0f}", ""),
        ("baseline: create + action_confirm + commit (s)", f"{base_s:.2f}", ""),
        ("baseline: orders/s", f"{n / base_s:.1f}", ""),
        ("baseline: queries per order", f"{base_q / n:.0f}", ""),
        (f"baseline: its {len(partners)} partners (s)", f"{partners_s:.2f}", "(untimed)"),
        (f"goal: ours/baseline ≤ {GOAL_RATIO:g}x", f"{ratio:.2f}", verdict(ratio <= GOAL_RATIO)),
        ("ours: imported and confirmed", f"{good}/{n}", verdict(good == n)),
    ]
    print_table(f"Order import, {n} orders, same database and run:", rows)
    if problems:
        print("wrong result: " + "; ".join(problems), file=sys.stderr)
        return 1
    if args.profile or ratio > GOAL_RATIO:
        more = make_orders("PROF", args.orders, skus, args.buyers, currency, "prof.example")
        profile(env, channel, connector_class, more)
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--buyers", type=int, default=600, help="distinct buyers (≤ orders)")
    parser.add_argument("--products", type=int, default=50, help="products, one listing each")
    parser.add_argument("--profile", action="store_true", help="cProfile ours even on PASS")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument(
        "--template",
        default=DEFAULT_TEMPLATE,
        help="initialised database to copy if it exists (default %(default)s; '' for none)",
    )
    args = parser.parse_args()
    if args.orders < 1 or not 1 <= args.buyers or args.products < 2:
        parser.error("need orders ≥ 1, buyers ≥ 1 and products ≥ 2")

    exit_on_sigterm()
    configure()
    dbname = f"bench_orders_{os.getpid()}"
    start = time.perf_counter()
    try:
        how = create_db(dbname, ["marketplace_base"], template=args.template)
        log(f"database {dbname} ({how}) ready in {time.perf_counter() - start:.0f}s")
        with open_env(dbname) as env:
            return run(env, args)
    finally:
        if args.keep:
            log(f"kept database {dbname} (drop: dropdb {dbname})")
        else:
            drop_db(dbname)
            log(f"dropped {dbname}")


if __name__ == "__main__":
    sys.exit(main())
