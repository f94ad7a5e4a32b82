#!/usr/bin/env python3
"""Benchmark: available-to-sell of many listings, set-based vs per product.

Usage: ``python3 bench/bench_ats.py [--listings 100000] [--channels 3] [--sample 2000]
[--repeat 3] [--keep] [--db NAME] [--profile]``

Prepares a throwaway database ``bench_ats_<pid>`` with marketplace_base (a copy of
``mp_tmpl`` when it exists, else a fresh one), loads products, quants spread over
several locations (with reservations), listings and allocation rules for the
three stock set-ups (dedicated location, shared warehouse, consolidated
warehouses), then times ``marketplace.listing._compute_available_to_sell()`` on
every listing against the per-product ORM way (``free_qty`` with a ``location``
context, then the same rule arithmetic) on a sample, extrapolated linearly.
A measurement: exits 0 when a goal is missed, non-zero on errors or when the two
ways disagree on a quantity.
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import (
    DEFAULT_TEMPLATE,
    best_of,
    clone_rows,
    configure,
    create_db,
    drop_db,
    open_env,
)

GOAL_SECONDS = 5.0
GOAL_RATIO = 50.0
STOCK_MODELS = ("dedicated", "shared", "consolidated")


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# === DATA === #


def load_data(env, n_listings, n_channels):
    """Create the stock set-up, products, quants, listings and rules.

    Small records go through the ORM; the bulk (products, quants, listings) is
    copied in SQL from one prototype made by the ORM, so stored computed fields
    and defaults are those the ORM would give.
    """
    cr = env.cr
    company = env.company
    warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
    shop = env["stock.warehouse"].create({"name": "Bench Shop", "code": "BSHOP"})
    Location = env["stock.location"]
    shelf = Location.create(
        {"name": "Bench Shelf", "usage": "internal", "location_id": warehouse.lot_stock_id.id}
    )

    Category = env["product.category"]
    bench_categ = Category.create({"name": "Bench"})
    consolidated = Category.create({"name": "Consolidated", "parent_id": bench_categ.id})
    sub = Category.create({"name": "Sub", "parent_id": consolidated.id})
    other = Category.create({"name": "Other", "parent_id": bench_categ.id})

    # Channels and allocation rules, one stock set-up per channel in turn.
    channels = env["marketplace.channel"]
    for index in range(n_channels):
        model = STOCK_MODELS[index % 3]
        channel = channels.create(
            {"name": f"Bench {index + 1} ({model})", "warehouse_id": warehouse.id}
        )
        channels |= channel
        rule = {"name": f"Bench {model}", "channel_id": channel.id}
        if model == "dedicated":
            dedicated = Location.create(
                {
                    "name": f"Bench Channel {index + 1}",
                    "usage": "internal",
                    "location_id": warehouse.view_location_id.id,
                }
            )
            rule["location_ids"] = [(6, 0, dedicated.ids)]
        elif model == "shared":
            rule.update(
                warehouse_ids=[(6, 0, warehouse.ids)],
                safety_buffer=2.0,
                share_percent=80.0,
                max_qty=50.0,
            )
        else:
            # Consolidated warehouse + shop for two categories (child_of);
            # products of "Other" fall back to the channel's default stock.
            rule.update(
                warehouse_ids=[(6, 0, (warehouse | shop).ids)],
                categ_ids=[(6, 0, consolidated.ids)],
                min_qty=3.0,
            )
        env["marketplace.stock.rule"].create(rule)

    # Products: one prototype by the ORM, the others copied from it.
    n_products = -(-n_listings // n_channels)
    proto = env["product.product"].create(
        {
            "name": "Bench product 0",
            "type": "consu",
            "is_storable": True,
            "categ_id": consolidated.id,
            "default_code": "BENCH-0",
        }
    )
    env.flush_all()
    categ_sql = "(ARRAY[%(c0)s, %(c1)s, %(c2)s])[g.n %% 3 + 1]"
    params = {"c0": consolidated.id, "c1": sub.id, "c2": other.id}
    tmpl_ids = clone_rows(
        cr,
        "product_template",
        proto.product_tmpl_id.id,
        n_products - 1,
        {
            "name": "jsonb_build_object('en_US', 'Bench product ' || g.n)",
            "default_code": "'BENCH-' || g.n",
            "categ_id": categ_sql,
        },
        params,
    )
    product_ids = [
        proto.id,
        *clone_rows(
            cr,
            "product_product",
            proto.id,
            n_products - 1,
            {
                "product_tmpl_id": "(%(tmpl)s::int[])[g.n]",
                "default_code": "'BENCH-' || g.n",
            },
            {"tmpl": tmpl_ids},
        ),
    ]

    # Quants: shared stock (+ a child shelf), the dedicated locations, the shop.
    dedicated_ids = channels.stock_rule_ids.location_ids.filtered(
        lambda loc: loc.name.startswith("Bench C")
    ).ids
    spread = [
        # (location, which products, quantity, reserved) as SQL on p.n (1-based)
        (warehouse.lot_stock_id.id, "TRUE", "(p.n * 37) %% 120", "(p.n %% 9)"),
        (shelf.id, "p.n %% 4 = 0", "(p.n * 13) %% 30", "0"),
        *((loc, "TRUE", "(p.n * 11) %% 25 + 1", "(p.n %% 3)") for loc in dedicated_ids),
        (shop.lot_stock_id.id, "p.n %% 3 <> 0", "(p.n * 7) %% 15", "0"),
    ]
    for location_id, where, qty, reserved in spread:
        cr.execute(
            f"""INSERT INTO stock_quant (product_id, company_id, location_id, quantity,
                    reserved_quantity, in_date, inventory_quantity_set,
                    create_uid, write_uid, create_date, write_date)
                SELECT p.id, %(company)s, %(location)s, {qty},
                       -- some reservations: every 5th product
                       CASE WHEN p.n %% 5 = 0 THEN LEAST({qty}, {reserved}) ELSE 0 END,
                       now() at time zone 'UTC', FALSE, 1, 1,
                       now() at time zone 'UTC', now() at time zone 'UTC'
                FROM unnest(%(products)s::int[]) WITH ORDINALITY AS p(id, n)
                WHERE {where}""",
            {"company": company.id, "location": location_id, "products": product_ids},
        )

    # Listings: one prototype per channel by the ORM, copied for the other products.
    Listing = env["marketplace.listing"]
    for index, channel in enumerate(channels):
        count = n_listings // n_channels + (1 if index < n_listings % n_channels else 0)
        if not count:
            continue
        proto_listing = Listing.create(
            {
                "channel_id": channel.id,
                "product_id": product_ids[0],
                "channel_sku": "BENCH-0",
                "state": "active",
            }
        )
        env.flush_all()
        clone_rows(
            cr,
            "marketplace_listing",
            proto_listing.id,
            count - 1,
            {
                "product_id": "(%(products)s::int[])[g.n + 1]",
                "channel_sku": "'BENCH-' || g.n",
                # A pack of 6 on every 10th listing.
                "pack_qty": "CASE WHEN g.n %% 10 = 0 THEN 6 ELSE 1 END",
            },
            {"products": product_ids},
        )
    cr.execute("ANALYZE")
    env.invalidate_all()
    return channels


# === THE TWO WAYS === #


def per_product_ats(env, listing_ids):
    """The per-product ORM way: for each listing, the first rule that takes its
    product (``filtered_domain``), then ``free_qty`` of that one product in the
    rule's source locations and the same rule arithmetic.

    Each product is browsed on its own, so the ORM cannot prefetch ``free_qty``
    for the other products: one computation (three queries) per listing, plus
    the pending order quantities when the addon has them (two queries).
    """
    from odoo.addons.marketplace_base.marketplace_core.allocation import (  # noqa: PLC0415
        NO_RULE,
        available_to_sell,
    )

    Product = env["product.product"]
    # Units of marketplace orders not reserved yet, when the addon subtracts them.
    pending_of = getattr(env["sale.order"], "_marketplace_pending_quantities", None)
    result = {}
    for listing in env["marketplace.listing"].browse(listing_ids):
        if not listing.product_id:
            result[listing.id] = 0
            continue
        product = Product.browse(listing.product_id.id)
        channel = listing.channel_id
        rule = next(
            (
                rule
                for rule in channel.stock_rule_ids.filtered("active").sorted(
                    lambda r: (r.sequence, r.id)
                )
                if product.filtered_domain(rule._get_product_filter())
            ),
            None,
        )
        locations = rule._get_source_locations() if rule else channel._get_default_locations()
        free = product.with_context(location=locations.ids).free_qty
        numbers = rule._get_allocation_rule() if rule else NO_RULE
        pending = pending_of(product).get(product.id, 0.0) if pending_of else 0.0
        result[listing.id] = available_to_sell(
            free, pending, rule=numbers, pack_qty=listing.pack_qty
        )
    return result


def profile(env, listings):
    env.invalidate_all()
    profiler = cProfile.Profile()
    queries_before = env.cr.sql_log_count
    profiler.enable()
    listings._compute_available_to_sell()
    profiler.disable()
    print(f"\n--- cProfile of one run ({env.cr.sql_log_count - queries_before} queries) ---")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
    print(out.getvalue())


# === MAIN === #


def run(env, args):
    listings = env["marketplace.listing"].search([])
    listing_ids = listings.ids
    n = len(listing_ids)
    log(f"{n} listings on {len(listings.channel_id)} channels; timing ours (best of {args.repeat})")

    ours_s, ours = best_of(
        lambda: env["marketplace.listing"].browse(listing_ids)._compute_available_to_sell(),
        repeat=args.repeat,
        before=env.invalidate_all,
    )
    log(f"ours: {ours_s:.2f}s")

    step = max(n // args.sample, 1)
    sample = listing_ids[::step][: args.sample]
    log(f"timing the per-product ORM way on {len(sample)} listings (every {step}th)")
    env.invalidate_all()
    start = time.perf_counter()
    baseline = per_product_ats(env, sample)
    base_s = time.perf_counter() - start
    per_listing_ms = base_s / len(sample) * 1000
    base_total = per_listing_ms / 1000 * n
    log(f"per-product: {base_s:.2f}s for {len(sample)} listings")

    mismatches = [(lid, ours[lid], baseline[lid]) for lid in sample if ours[lid] != baseline[lid]]
    if mismatches:
        print(f"\n{len(mismatches)} MISMATCH(ES) on {len(sample)} sampled listings:")
        print("  listing  channel  product  ours  per-product")
        for lid, mine, theirs in mismatches[:30]:
            rec = env["marketplace.listing"].browse(lid)
            print(f"  {lid:7}  {rec.channel_id.id:7}  {rec.product_id.id:7}  {mine:4}  {theirs:11}")
    published = sum(1 for lid in sample if baseline[lid])
    ratio = base_total / ours_s if ours_s else float("inf")

    print(
        f"\nAvailable to sell, {n} listings "
        f"(per-product way timed on {len(sample)} listings, extrapolated linearly to {n}):\n"
    )
    rows = [
        ("listings", f"{n}", ""),
        (f"ours, set-based (s, best of {args.repeat})", f"{ours_s:.2f}", ""),
        ("per-product, per listing (ms)", f"{per_listing_ms:.2f}", ""),
        (f"per-product, extrapolated to {n} (s)", f"{base_total:.1f}", ""),
        ("ratio (x)", f"{ratio:.0f}", ""),
        (
            f"goal: ours ≤ {GOAL_SECONDS:g} s",
            f"{ours_s:.2f}",
            "PASS" if ours_s <= GOAL_SECONDS else "FAIL",
        ),
        (
            f"goal: ratio ≥ {GOAL_RATIO:g}x",
            f"{ratio:.0f}",
            "PASS" if ratio >= GOAL_RATIO else "FAIL",
        ),
        (
            "same quantities on the sample",
            f"{len(sample) - len(mismatches)}/{len(sample)}",
            "PASS" if not mismatches else "FAIL",
        ),
    ]
    width = max(len(r[0]) for r in rows)
    for label, value, verdict in rows:
        print(f"  {label:<{width}}  {value:>10}  {verdict}".rstrip())
    print(f"  ({published} of the {len(sample)} sampled listings publish a quantity > 0)")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"  (load average {load} on {os.cpu_count()} CPUs: timings vary with other work)")

    if args.profile:
        profile(env, env["marketplace.listing"].browse(listing_ids))
    return 1 if mismatches else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--channels", type=int, default=3)
    parser.add_argument("--sample", type=int, default=2000, help="listings timed the slow way")
    parser.add_argument("--repeat", type=int, default=3, help="runs of ours (best kept)")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--db", help="use this prepared database (from --keep); never dropped")
    parser.add_argument("--profile", action="store_true", help="cProfile one run of ours")
    parser.add_argument(
        "--template",
        default=DEFAULT_TEMPLATE,
        help="initialised database to copy if it exists (default %(default)s; '' for none)",
    )
    args = parser.parse_args()
    if args.listings < args.channels or args.channels < 1:
        parser.error("need at least one listing per channel")

    configure()
    if args.db:
        with open_env(args.db) as env:
            return run(env, args)

    dbname = f"bench_ats_{os.getpid()}"
    start = time.perf_counter()
    try:
        how = create_db(dbname, ["marketplace_base"], template=args.template)
        log(f"database {dbname} ({how}) ready in {time.perf_counter() - start:.0f}s")
        start = time.perf_counter()
        with open_env(dbname) as env:
            load_data(env, args.listings, args.channels)
            env.cr.commit()
            log(f"data loaded in {time.perf_counter() - start:.0f}s")
            return run(env, args)
    finally:
        if args.keep:
            log(f"kept database {dbname} (reuse: --db {dbname}; drop: dropdb {dbname})")
        else:
            drop_db(dbname)
            log(f"dropped {dbname}")


if __name__ == "__main__":
    sys.exit(main())
