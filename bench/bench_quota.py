#!/usr/bin/env python3
"""Benchmark: quota-aware pushes with several job workers, shared vs per-process limits.

Usage: ``python3 bench/bench_quota.py [--skus 2000] [--changes 10000] [--workers 2,4]
[--latency 0.1] [--marketplaces amazon,ebay,etsy] [--keep] [--template mp_tmpl]``

One throwaway database ``bench_quota_<pid>`` holds a channel per marketplace (one
account each) and ``--skus`` products listed on all of them. For each worker count
and each limiter, fresh simulators (published limits enforced, real-time clock,
``--latency`` seconds added to every answer as a network would) and an Odoo server
with the queue_job runner and N worker processes (``--workers N``, channel
capacity N) are started; then ``--changes`` stock changes (every SKU changed
``changes / skus`` times, in commits of ``--commit`` changes, as users and pickings
make them) must reach the three marketplaces.

The limiters compared:

- ``shared``: the suite's, token buckets in PostgreSQL shared by every process;
- ``per-process``: the baseline most connectors ship, a token bucket in each
  process's memory (``bench/addons/marketplace_bench_local_limiter``).

Printed per marketplace and run: the achieved rate of the operation that binds it
as a % of the allowed rate (allowed calls = burst + rate x time from the first
commit to the last stock call; goal ≥ 90 %; "not bound" when the work needed no
more calls than the burst, or for eBay, which publishes no per-second rate),
the % of stock calls throttled (429; goal ≤ 1 %), jobs failed (goal 0), stock API
calls against the minimum (every change known at once), and the time until the
marketplace held every final quantity. Exits 0 when a goal is missed (a
measurement), non-zero on errors or wrong results.
"""

import argparse
import collections
import contextlib
import logging
import math
import os
import sys
import tempfile
import time

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import (
    DEFAULT_TEMPLATE,
    ROOT,
    configure,
    create_db,
    create_listed_products,
    drop_db,
    exit_on_sigterm,
    open_env,
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

BENCH_ADDONS = os.path.join(ROOT, "bench", "addons")
LIMITERS = ("shared", "per-process")
LOCAL_LIMITER_PARAM = "marketplace_bench.local_limiter"
BASE_QTY = 20
SKU_PREFIX = "QB-"
GOAL_RATE, GOAL_THROTTLED = 90.0, 1.0

# Per marketplace: the simulator operations that publish stock, the binding
# operations and their published limit (rate/s, burst; None: no per-second limit).
STOCK_OPS = {
    "amazon": {"patchListingsItem", "createFeedDocument", "uploadFeedDocument", "createFeed"},
    "ebay": {"bulkUpdatePriceQuantity"},
    "etsy": {"getListingInventory", "updateListingInventory", "updateListing"},
}
BINDING = {
    "amazon": ({"createFeed"}, (5 / 300, 5), "JSON_LISTINGS_FEED: 5 per 5 min"),
    "ebay": ({"bulkUpdatePriceQuantity"}, None, "daily quota only"),
    "etsy": (STOCK_OPS["etsy"], (10.0, 10), "10 calls/s per application"),
}
AMAZON_FEED_DELAY = 95  # the simulator processes a feed 30 s + 60 s after createFeed


def minimum_calls(name, skus):
    """Stock calls if every change were known at once."""
    if name == "amazon":
        return 3 * math.ceil(skus / 10000)  # one JSON_LISTINGS_FEED: document, upload, feed
    if name == "ebay":
        return math.ceil(skus / 25)  # bulkUpdatePriceQuantity, 25 SKUs a call
    return 2 * skus  # Etsy: read and write each listing's whole inventory


# === SETUP === #


def setup_data(env, skus):
    """Three channels (one account each) and ``skus`` products listed on all of them."""
    warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
    channels = {}
    for name in BINDING:
        channels[name] = env["marketplace.channel"].create(
            {
                "name": f"Bench {name}",
                "channel_type": name,
                "warehouse_id": warehouse.id,
                "amazon_marketplace_ids": "A1PA6795UKMFR9",
                "ebay_marketplace_id": "EBAY_US",
            }
        )
    codes = [f"{SKU_PREFIX}{i:05d}" for i in range(skus)]
    products = create_listed_products(env, channels["amazon"], codes, "Quota bench", 10.0)
    for name in ("ebay", "etsy"):
        env["marketplace.listing"].create(
            [
                {"channel_id": channels[name].id, "product_id": p.id, "channel_sku": code}
                for p, code in zip(products, codes, strict=True)
            ]
        )
    env["marketplace.listing"].search([]).write({"state": "active"})
    apply_inventory(env, warehouse.lot_stock_id, [(p, BASE_QTY) for p in products])
    return channels, products, codes, warehouse.lot_stock_id


def start_simulators(names, workdir, codes, latency):
    """Fresh simulators holding every SKU at ``BASE_QTY``; {name: (sim, refs)}."""
    sims = {}
    for name in names:
        sim = Simulator(name, workdir)
        sim.start()
        refs = {}
        if name == "amazon":
            for code in codes:
                sim.control("set_listing", sku=code, title=code, price=10.0, quantity=BASE_QTY)
        elif name == "ebay":
            seeded = sim.control("seed_listings", skus=codes, quantity=BASE_QTY, price=10.0)
            refs = {sku: values["offer_id"] for sku, values in seeded.items()}
        else:
            seeded = sim.control("seed_listings", skus=codes, quantity=BASE_QTY, price=10.0)
            refs = {sku: str(listing_id) for sku, listing_id in seeded.items()}
        if latency:
            sim.control("set_fault", kind="slow", delay=latency)
        sims[name] = (sim, refs)
    return sims


def connect_channels(env, channels, sims):
    """Point the channels at this run's simulators, in sync with them, nothing pending."""
    amazon = simulator_module("amazon")
    for name, (sim, refs) in sims.items():
        channel = channels[name]
        values = {"state": "connected"}
        if name == "amazon":
            values.update(
                amazon_endpoint=sim.url,
                amazon_seller_id=amazon.DEFAULT_SELLER_ID,
                amazon_lwa_client_id=amazon.DEFAULT_CLIENT_ID,
                amazon_lwa_client_secret=amazon.DEFAULT_CLIENT_SECRET,
                amazon_refresh_token=amazon.DEFAULT_REFRESH_TOKEN,
            )
        elif name == "ebay":
            creds = sim.control("credentials")
            values.update(
                ebay_endpoint=sim.url,
                ebay_client_id=creds["client_id"],
                ebay_client_secret=creds["client_secret"],
                ebay_refresh_token=creds["refresh_token"],
            )
        else:
            creds = sim.control("credentials")
            shop_id = creds["shops"][0]["shop_id"]
            tokens = sim.control("issue_tokens", shop_id=shop_id)
            keystring, _sep, secret = creds["api_key"].partition(":")
            values.update(
                etsy_endpoint=sim.url,
                etsy_shop_id=str(shop_id),
                etsy_keystring=keystring,
                etsy_shared_secret=secret,
                etsy_refresh_token=tokens["refresh_token"],
            )
        channel.write(values)
        # Where the marketplace has one: the Etsy listing id, the eBay offer id.
        for listing in channel.listing_ids:
            listing.marketplace_ref = refs.get(listing.channel_sku) or False
    listings = env["marketplace.listing"].search(
        [("channel_id", "in", [c.id for c in channels.values()])]
    )
    listings.write(
        {
            "needs_push": False,
            "last_pushed_qty": BASE_QTY,
            "last_pushed_qty_date": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
            "last_error": False,
            "state": "active",
        }
    )
    env.cr.execute("DELETE FROM queue_job")
    env.cr.execute("DELETE FROM marketplace_rate_bucket")
    env.cr.execute("DELETE FROM marketplace_etsy_token")


# === ONE RUN === #


def commit_changes(env, location, changes, stats):
    """Apply and commit ``changes`` as a user's request would, retried like Odoo
    retries a request whose transaction met a concurrent update (a push job
    writing the same listings)."""
    for _attempt in range(10):
        try:
            apply_inventory(env, location, changes)
            env.cr.commit()
            return
        except psycopg2.errors.SerializationFailure:
            env.cr.rollback()
            stats["retried"] += 1
    raise BenchError("a stock change failed 10 times on concurrent updates")


def stream_changes(env, location, products, n_changes, per_commit):
    """Apply ``n_changes`` stock changes over the products, committing every
    ``per_commit``; return (final {product id: qty}, commit times, commits retried)."""
    rounds = math.ceil(n_changes / len(products))
    final, commits, pending, done = {}, [], [], 0
    stats = {"retried": 0}
    for round_ in range(1, rounds + 1):
        for index, product in enumerate(products):
            if done == n_changes:
                break
            qty = BASE_QTY + 3 * round_ + index % 3 + 1  # never 0, never the previous value
            pending.append((product, qty))
            final[product.id] = qty
            done += 1
            if len(pending) == per_commit:
                commit_changes(env, location, pending, stats)
                commits.append(time.time())
                pending = []
    if pending:
        commit_changes(env, location, pending, stats)
        commits.append(time.time())
    return final, commits, stats["retried"]


def pushed_all(watch, channel_id, expected):
    """True when every listing of the channel holds its final quantity as pushed."""
    rows = watch.query(
        """SELECT product_id, last_pushed_qty,
                  push_requested OR EXISTS (SELECT 1 FROM marketplace_listing_mark m
                                             WHERE m.listing_id = l.id AND m.kind = 'stock'),
                  state
             FROM marketplace_listing l
            WHERE channel_id = %s""",
        [channel_id],
    )
    errors = [row for row in rows if row[3] == "error"]
    if errors:
        raise BenchError(f"{len(errors)} listings of channel {channel_id} in error")
    return all(not row[2] and row[1] == expected.get(row[0], BASE_QTY) for row in rows)


def run_once(dbname, workdir, args, workers, limiter, codes):
    names = args.marketplaces
    sims = start_simulators(names, workdir, codes, args.latency)
    server = None
    watch = None
    try:
        with open_env(dbname, {"tracking_disable": True}) as env:
            channels = {c.channel_type: c for c in env["marketplace.channel"].search([])}
            products = env["product.product"].search(
                [("default_code", "=like", f"{SKU_PREFIX}%")], order="default_code"
            )
            location = channels["amazon"].warehouse_id.lot_stock_id
            # Back to the base quantity with no channel connected (no job), then in sync.
            for channel in channels.values():
                channel.state = "draft"
            env.cr.commit()
            apply_inventory(env, location, [(p, BASE_QTY) for p in products])
            env.cr.commit()
            connect_channels(env, {n: channels[n] for n in names}, sims)
            env["ir.config_parameter"].set_param(
                LOCAL_LIMITER_PARAM, "1" if limiter == "per-process" else ""
            )
            env.cr.commit()
            capacities = ",".join(
                [f"root:{workers}", *(f"root.marketplace.{n}:{workers}" for n in names)]
            )
            server = OdooServer(
                dbname, workdir, capacities, workers=workers, extra_addons=[BENCH_ADDONS]
            )
            server.start()
            watch = JobWatch(dbname)
            time.sleep(8)  # the job runner starts 5 s after the server
            calls_before = {n: len(sims[n][0].control("calls")) for n in names}
            start = time.time()
            final, commits, commits_retried = stream_changes(
                env, location, products, args.changes, args.commit
            )
            log(
                f"  {args.changes} changes in {len(commits)} commits, "
                f"{commits[-1] - start:.1f}s ({commits_retried} retried on concurrent updates)"
            )
            done_at = {}
            deadline = time.time() + args.timeout
            while len(done_at) < len(names):
                for name in names:
                    if name not in done_at and pushed_all(watch, channels[name].id, final):
                        done_at[name] = time.time()
                        log(f"  {name}: every final quantity pushed, +{done_at[name] - start:.0f}s")
                if time.time() > deadline:
                    missing = sorted(set(names) - set(done_at))
                    raise BenchError(f"timed out waiting for {', '.join(missing)}")
                time.sleep(0.5)
            wait_for(watch.idle, 120, "the last jobs")
            failed = watch.query("SELECT count(*) FROM queue_job WHERE state = 'failed'")[0][0]
            results = {}
            for name in names:
                sim = sims[name][0]
                if name == "amazon":
                    sim.control("advance", seconds=AMAZON_FEED_DELAY)
                calls = sim.control("calls")[calls_before[name] :]
                times = sim.control("call_times", since=calls_before[name])
                wait_for(
                    lambda s=sim, n=name: not wrong_quantities(s, codes, products, final),
                    120,
                    f"{name} to hold every final quantity",
                    interval=1,
                )
                results[name] = measure(
                    name, calls, times, commits[0], done_at[name] - start, len(codes)
                )
            retried = watch.retried()
        return results, failed, retried, commits_retried
    except BenchError:
        if server:
            print(f"--- Odoo log (end) ---\n{tail(server.log_path)}", file=sys.stderr)
        raise
    finally:
        if watch:
            watch.close()
        if server:
            server.stop()
        for sim, _refs in sims.values():
            sim.stop()


def wrong_quantities(sim, codes, products, final):
    """SKUs whose quantity on the marketplace (read back from the simulator) is not
    the final one: [(sku, held, expected)]."""
    wrong = []
    for code, product in zip(codes, products, strict=True):
        held = sim.control("listing_quantity", sku=code)
        if held != final.get(product.id, BASE_QTY):
            wrong.append((code, held, final.get(product.id, BASE_QTY)))
    return wrong


def measure(name, calls, times, first_commit, seconds, skus):
    """Figures of one marketplace from the simulator's calls and their times."""
    ops = STOCK_OPS[name]
    stock = [(call, at) for call, at in zip(calls, times, strict=True) if call[2] in ops]
    throttled = sum(1 for call, _at in stock if call[3] == 429)
    binding_ops, limit, _label = BINDING[name]
    binding = [at for call, at in stock if call[2] in binding_ops and call[3] != 429]
    rate_pct = None
    # Only a marketplace whose work needed more calls than its burst is bound by the
    # rate; below that, fewer calls than allowed is the batching doing its job.
    if limit and len(binding) > limit[1]:
        rate, burst = limit
        window = max(binding[-1] - first_commit, 1e-6)
        rate_pct = 100.0 * len(binding) / (burst + rate * window)
    return {
        "calls": len(stock),
        "by_op": collections.Counter(call[2] for call, _at in stock),
        "throttled": throttled,
        "throttled_pct": 100.0 * throttled / len(stock) if stock else 0.0,
        "rate_pct": rate_pct,
        "minimum": minimum_calls(name, skus),
        "seconds": seconds,
    }


# === REPORT === #


def report(table, args):
    print(
        f"\nQuota-aware pushes: {args.changes} stock changes on {args.skus} SKUs, one account "
        f"per marketplace, {args.latency:g} s added to every answer\n"
    )
    header = (
        f"  {'marketplace':<11} {'workers':>7} {'limiter':<12} {'rate % allowed':>14} "
        f"{'throttled %':>11} {'failed jobs':>11} {'calls/min':>13} {'time (s)':>8}"
    )
    print(header)
    missed = []
    for (workers, limiter), (results, failed, _retried, _commits) in sorted(table.items()):
        for name, res in results.items():
            rate = f"{res['rate_pct']:.0f}" if res["rate_pct"] is not None else "not bound"
            print(
                f"  {name:<11} {workers:>7} {limiter:<12} {rate:>14} "
                f"{res['throttled_pct']:>11.1f} {failed:>11} "
                f"{res['calls']:>6}/{res['minimum']:<6} {res['seconds']:>8.0f}"
            )
            if limiter == "shared":
                ok_rate = res["rate_pct"] is None or res["rate_pct"] >= GOAL_RATE
                ok = ok_rate and res["throttled_pct"] <= GOAL_THROTTLED and not failed
                if not ok:
                    missed.append(f"{name} with {workers} workers")
    print("\n  Binding limits: " + "; ".join(f"{n} {BINDING[n][2]}" for n in args.marketplaces))
    for (workers, limiter), (results, _failed, _retried, commits) in sorted(table.items()):
        ops = "; ".join(
            f"{name}: " + ", ".join(f"{op} {n}" for op, n in sorted(res["by_op"].items()))
            for name, res in results.items()
        )
        print(
            f"  ({workers} workers, {limiter}: {ops}; "
            f"stock commits retried on concurrent updates {commits})"
        )
    print(
        f"\n  goals (shared limiter): rate ≥ {GOAL_RATE:g} % of allowed, throttled ≤ "
        f"{GOAL_THROTTLED:g} %, 0 failed jobs: {verdict(not missed)}"
        + (f" (missed: {', '.join(missed)})" if missed else "")
    )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"  (load average {load} on {os.cpu_count()} CPUs)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=2000)
    parser.add_argument("--changes", type=int, default=10000)
    parser.add_argument("--commit", type=int, default=250, help="changes per commit")
    parser.add_argument("--workers", default="2,4", help="job worker counts to run")
    parser.add_argument("--limiters", default=",".join(LIMITERS))
    parser.add_argument("--latency", type=float, default=0.1, help="seconds added per answer")
    parser.add_argument("--marketplaces", default="amazon,ebay,etsy")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per run")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--logs", help="folder to keep the Odoo and simulator logs in")
    parser.add_argument("--template", default=DEFAULT_TEMPLATE)
    args = parser.parse_args()
    args.marketplaces = [n for n in args.marketplaces.split(",") if n]
    workers = [int(n) for n in args.workers.split(",") if n]
    limiters = [n for n in args.limiters.split(",") if n]
    if set(args.marketplaces) - set(BINDING) or set(limiters) - set(LIMITERS):
        parser.error("unknown marketplace or limiter")
    if args.skus < 1 or args.changes < 1 or not workers:
        parser.error("--skus, --changes and --workers must be positive")

    exit_on_sigterm()
    configure(extra_addons=[BENCH_ADDONS])
    logging.getLogger("httpx").setLevel(logging.WARNING)
    dbname = f"bench_quota_{os.getpid()}"
    start = time.perf_counter()
    modules = [
        "marketplace_amazon",
        "marketplace_ebay",
        "marketplace_etsy",
        "marketplace_bench_local_limiter",
    ]
    try:
        with (
            contextlib.nullcontext(args.logs)
            if args.logs
            else tempfile.TemporaryDirectory(prefix="bench_quota_")
        ) as workdir:
            how = create_db(dbname, modules, template=args.template, extra_addons=[BENCH_ADDONS])
            with open_env(dbname, {"tracking_disable": True}) as env:
                _channels, _products, codes, _location = setup_data(env, args.skus)
                env.cr.commit()
            log(f"database {dbname} ({how}) ready in {time.perf_counter() - start:.0f}s")
            table = {}
            try:
                for count in workers:
                    for limiter in limiters:
                        log(f"run: {count} job workers, {limiter} limiter")
                        table[count, limiter] = run_once(
                            dbname, workdir, args, count, limiter, codes
                        )
            except BenchError as exc:
                print(f"error: {exc}", file=sys.stderr)
                if table:
                    report(table, args)
                return 1
            report(table, args)
            return 0
    finally:
        if args.keep:
            log(f"kept database {dbname} (drop: dropdb {dbname})")
        else:
            drop_db(dbname)
            log(f"dropped {dbname}")


if __name__ == "__main__":
    sys.exit(main())
