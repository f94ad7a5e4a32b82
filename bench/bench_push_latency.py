#!/usr/bin/env python3
"""Benchmark: stock push latency and batching, Odoo + queue_job runner + Amazon simulator.

Usage: ``python3 bench/bench_push_latency.py [--skus 100] [--changes 50] [--burst 1000]
[--keep] [--template mp_tmpl]``

Makes a throwaway database ``bench_push_<pid>`` with marketplace_base and
marketplace_amazon, starts the Amazon SP-API simulator (``python -m marketplace_sim
serve amazon``, real-time clock) and an Odoo server on that database with the
queue_job runner live (``--load=base,web,queue_job``, ``[queue_job] channels =
root:2,root.marketplace.amazon:1``), and points a connected Amazon channel with
``--skus`` listings at the simulator. Then, from this process (Odoo as a library,
a commit after each change, as a user's save):

- latency: ``--changes`` times, applies an inventory quantity on one product, commits
  and polls the simulator until it holds the new quantity (goal p95 ≤ 2 s);
- burst: ``--burst`` inventory applications over all SKUs in one transaction, waits
  until the simulator holds every final quantity and counts the stock API calls it
  received against the minimum the connector's batching allows.

Every process and the database are removed at the end, also on errors. A
measurement: exits 0 when a goal is missed, non-zero on errors or wrong results.
"""

import argparse
import collections
import logging
import math
import os
import statistics
import sys
import tempfile
import time

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
    tail,
    verdict,
)
from live import (
    BenchError,
    JobWatch,
    OdooServer,
    Simulator,
    apply_inventory,
    log,
    simulator_module,
    wait_for,
)

GOAL_P95 = 2.0
JOB_CHANNELS = "root:2,root.marketplace.amazon:1"
# Operations that publish stock: one PATCH per SKU, or one feed in three calls.
FEED_CALLS = ("createFeedDocument", "uploadFeedDocument", "createFeed")
STOCK_CALLS = ("patchListingsItem", *FEED_CALLS)
# The simulator processes a feed 30 s (queue) + 60 s (processing) after createFeed.
FEED_DELAY = 95
SKU_PREFIX = "BENCH-PUSH-"


# === DATA AND STOCK CHANGES === #


def setup_channel(env, sim, n_skus):
    """A connected Amazon channel on the simulator with ``n_skus`` active listings."""
    amazon = simulator_module("amazon")
    warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
    eur = env.ref("base.EUR")
    eur.active = True
    pricelist = env["product.pricelist"].create({"name": "Bench Amazon.de", "currency_id": eur.id})
    channel = env["marketplace.channel"].create(
        {
            "name": "Bench Amazon DE",
            "channel_type": "amazon",
            "amazon_endpoint": sim.url,
            "amazon_seller_id": amazon.DEFAULT_SELLER_ID,
            "amazon_marketplace_ids": amazon.DE,
            "amazon_lwa_client_id": amazon.DEFAULT_CLIENT_ID,
            "amazon_lwa_client_secret": amazon.DEFAULT_CLIENT_SECRET,
            "amazon_refresh_token": amazon.DEFAULT_REFRESH_TOKEN,
            "warehouse_id": warehouse.id,
            "pricelist_id": pricelist.id,
        }
    )
    channel.action_test_connection()
    if channel.state != "connected":
        raise BenchError(f"the channel could not connect: {channel.last_error}")
    skus = [f"{SKU_PREFIX}{i:04d}" for i in range(n_skus)]
    products = create_listed_products(env, channel, skus, "Bench push", 10.0)
    for sku in skus:
        sim.control("set_listing", sku=sku, title=sku, price=10.0, quantity=0, currency="EUR")
    return channel, products, skus, warehouse.lot_stock_id


def wait_pushed(sim, jobs, expected, timeout=120):
    """Wait for the jobs, finish the simulator's feeds, then for ``expected``.

    :param expected: ``{sku: quantity}`` the simulator must end up holding
    :return: (seconds until the jobs were done, number of feeds submitted)
    """
    start = time.perf_counter()
    wait_for(jobs.idle, timeout, "the push jobs", interval=0.02)
    jobs_done = time.perf_counter() - start
    feeds = sum(1 for call in sim.control("calls") if call[2] == "createFeed")
    if feeds:
        sim.control("advance", seconds=FEED_DELAY)

    def holds_all():
        return all(sim.control("listing_quantity", sku=s) == q for s, q in expected.items())

    wait_for(holds_all, timeout, "the simulator to hold the pushed quantities", interval=0.1)
    return jobs_done, feeds


def measure_latency(env, sim, products, skus, location, n_changes):
    """One product per change; seconds from commit until the simulator holds it."""
    latencies = []
    for index in range(n_changes):
        product, sku = products[index % len(products)], skus[index % len(skus)]
        qty = 20 + index  # never a quantity the listing had before
        apply_inventory(env, location, [(product, qty)])
        start = time.perf_counter()
        env.cr.commit()
        wait_for(
            lambda s=sku, q=qty: sim.control("listing_quantity", sku=s) == q,
            60,
            f"{sku} = {qty} on the simulator",
            interval=0.005,
        )
        latencies.append(time.perf_counter() - start)
    return latencies


def measure_burst(env, sim, jobs, products, skus, location, n_changes):
    """``n_changes`` inventory applications over all products, one transaction."""
    rounds = math.ceil(n_changes / len(products))
    calls_before = len(sim.control("calls"))
    jobs_before = jobs.count()
    planned_before = collections.Counter(jobs.planned())
    final = {}
    done = 0
    start = time.perf_counter()
    for round_ in range(rounds):
        batch = []
        for product, sku in zip(products, skus, strict=True):
            if done == n_changes:
                break
            qty = 100 + 10 * round_ + done % 7
            batch.append((product, qty))
            final[sku] = qty
            done += 1
        apply_inventory(env, location, batch)
    changes_s = time.perf_counter() - start
    start = time.perf_counter()
    env.cr.commit()
    commit_s = time.perf_counter() - start
    jobs_s, _feeds = wait_pushed(sim, jobs, final)
    jobs_s += commit_s
    calls = sim.control("calls")[calls_before:]
    return {
        "changes": done,
        "skus": len(final),
        "changes_s": changes_s,
        "commit_s": commit_s,
        "jobs_s": jobs_s,
        "jobs": jobs.count() - jobs_before,
        "planned": collections.Counter(jobs.planned()) - planned_before,
        "calls": collections.Counter(call[2] for call in calls),
        "throttled": sum(1 for call in calls if call[3] == 429),
    }


def percentile(values, pct):
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(math.ceil(pct / 100 * len(ordered)) - 1, 0)]


def report(latencies, retried, burst, batch_size, patch_limit):
    p50 = statistics.median(latencies)
    p95 = percentile(latencies, 95)
    skus = burst["skus"]
    batches = math.ceil(skus / batch_size)
    # Per batch: one PATCH per SKU up to the PATCH limit, else one feed in three calls.
    per_batch = [min(batch_size, skus - i * batch_size) for i in range(batches)]
    minimum = sum(n if n <= patch_limit else len(FEED_CALLS) for n in per_batch)
    stock_calls = sum(burst["calls"][op] for op in STOCK_CALLS)
    breakdown = ", ".join(f"{op} {n}" for op, n in sorted(burst["calls"].items()))
    rows = [
        ("latency: stock changes (one product each)", f"{len(latencies)}", ""),
        ("latency p50 (s)", f"{p50:.3f}", ""),
        ("latency p95 (s)", f"{p95:.3f}", ""),
        ("latency max (s)", f"{max(latencies):.3f}", ""),
        ("latency: job runs postponed (retryable error)", f"{retried}", ""),
        (f"goal: p95 ≤ {GOAL_P95:g} s", f"{p95:.3f}", verdict(p95 <= GOAL_P95)),
        ("burst: stock changes in one transaction", f"{burst['changes']}", ""),
        ("burst: SKUs changed", f"{skus}", ""),
        ("burst: time to apply the changes (s)", f"{burst['changes_s']:.1f}", ""),
        ("burst: commit (s)", f"{burst['commit_s']:.2f}", ""),
        ("burst: commit → push jobs done (s)", f"{burst['jobs_s']:.2f}", ""),
        ("burst: jobs created (run or planned)", f"{burst['jobs']}", ""),
        (f"burst: minimum batches ⌈{skus}/{batch_size}⌉", f"{batches}", ""),
        ("burst: minimum stock API calls", f"{minimum}", ""),
        ("burst: stock API calls received", f"{stock_calls}", ""),
        ("burst: throttled answers (429)", f"{burst['throttled']}", ""),
        (
            "goal: stock calls = minimum",
            f"{stock_calls}/{minimum}",
            verdict(stock_calls <= minimum),
        ),
    ]
    print_table("Stock push to the Amazon simulator through the queue_job runner:", rows)
    print(f"  (burst API calls by operation: {breakdown})")
    if burst["planned"]:
        planned = ", ".join(f"{name} {n}" for name, n in sorted(burst["planned"].items()))
        print(f"  (jobs planned for later, not waited for: {planned})")
    print(
        f"  (feeds: the simulator's {FEED_DELAY - 5} s processing delay is skipped with"
        " /_sim/advance, so it is not in the times)"
    )


def run(dbname, args, workdir):
    from odoo.addons.marketplace_amazon.connector import (  # noqa: PLC0415
        PATCH_LIMIT,
        AmazonConnector,
    )

    sim = Simulator("amazon", workdir)
    server = OdooServer(dbname, workdir, JOB_CHANNELS)
    jobs = None
    try:
        sim.start()
        log(f"simulator on {sim.url}")
        with open_env(dbname, {"tracking_disable": True}) as env:
            channel, products, skus, location = setup_channel(env, sim, args.skus)
            env.cr.commit()
            server.start()
            log(f"Odoo server with the job runner on port {server.port} ({JOB_CHANNELS})")
            jobs = JobWatch(dbname)

            # Warm-up, also waits for the runner (it starts after 5 s): every SKU at 10.
            start = time.perf_counter()
            apply_inventory(env, location, [(p, 10) for p in products])
            env.cr.commit()
            wait_pushed(sim, jobs, dict.fromkeys(skus, 10), timeout=180)
            log(f"warm-up: {len(skus)} SKUs at 10 in {time.perf_counter() - start:.1f}s")

            log(f"latency: {args.changes} single-product changes")
            retried = jobs.retried()
            latencies = measure_latency(env, sim, products, skus, location, args.changes)
            wait_for(jobs.idle, 60, "the last push jobs")
            retried = jobs.retried() - retried
            log(f"burst: {args.burst} changes over {len(products)} SKUs in one transaction")
            burst = measure_burst(env, sim, jobs, products, skus, location, args.burst)
            wrong = channel.listing_ids.filtered(lambda rec: rec.state != "active")
            if wrong:
                first = wrong[0]
                raise BenchError(f"{len(wrong)} listings {first.state}: {first.last_error}")
        report(latencies, retried, burst, AmazonConnector.batch_size, PATCH_LIMIT)
    except BenchError:
        print(f"--- Odoo log (end) ---\n{tail(server.log_path)}", file=sys.stderr)
        raise
    finally:
        if jobs:
            jobs.close()
        server.stop()
        sim.stop()
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=100, help="listings on the channel")
    parser.add_argument("--changes", type=int, default=50, help="latency measurements")
    parser.add_argument("--burst", type=int, default=1000, help="stock changes in the burst")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument(
        "--template",
        default=DEFAULT_TEMPLATE,
        help="initialised database to copy if it exists (default %(default)s; '' for none)",
    )
    args = parser.parse_args()
    if args.skus < 1 or args.changes < 1 or args.burst < 1:
        parser.error("--skus, --changes and --burst must be positive")

    exit_on_sigterm()
    configure()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    dbname = f"bench_push_{os.getpid()}"
    start = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="bench_push_") as workdir:
            how = create_db(
                dbname, ["marketplace_base", "marketplace_amazon"], template=args.template
            )
            log(f"database {dbname} ({how}) ready in {time.perf_counter() - start:.0f}s")
            try:
                return run(dbname, args, workdir)
            except BenchError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 1
    finally:
        if args.keep:
            log(f"kept database {dbname} (drop: dropdb {dbname})")
        else:
            drop_db(dbname)
            log(f"dropped {dbname}")


if __name__ == "__main__":
    sys.exit(main())
