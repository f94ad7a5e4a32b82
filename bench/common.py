"""Shared helpers for the benchmarks: a throwaway Odoo 19 database, an env as a library.

Usage from a benchmark script (run as ``python3 bench/<script>.py``)::

    from common import configure, create_db, drop_db, open_env

    configure()
    create_db("bench_x_123", ["marketplace_base"])
    try:
        with open_env("bench_x_123") as env:
            ...
    finally:
        drop_db("bench_x_123")

Odoo 19 must be importable or in ``ODOO_PATH`` (found by ``tools/odoo_env.py``, as
for the test command) and OCA queue_job installed (site-packages'
``odoo/addons`` or a folder in ``ODOO_ADDONS_PATH``). PostgreSQL is reached with
``PGHOST``/``PGPORT``/``PGUSER``/``PGPASSWORD`` (default 127.0.0.1:5432 and the
current login; not ``postgres``, which Odoo refuses).
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADDONS = os.path.join(ROOT, "addons")
# Where Odoo, queue_job and PostgreSQL are: the test command's own module.
sys.path.insert(0, os.path.join(ROOT, "tools"))
from odoo_env import PYTHON, db_args, find_odoo, find_queue_job, pg_params  # noqa: E402, F401 - PYTHON is re-exported

# An initialised database to copy (``createdb -T``) instead of initialising
# base, stock, sale... from scratch (~1 minute). Ignored when it does not exist.
DEFAULT_TEMPLATE = os.environ.get("BENCH_TEMPLATE_DB", "mp_tmpl")

_configured = False


# === ODOO AND POSTGRESQL LOCATIONS === #


def _odoo():
    found = find_odoo()
    if not found:
        sys.exit("Odoo 19 is not importable (nor in ODOO_PATH): install it for this Python")
    return found


def addons_paths():
    """Return the addons path: Odoo's core addons, queue_job's folder, ours."""
    core_paths = _odoo()[1]
    queue_job = find_queue_job(core_paths)
    if not queue_job:
        sys.exit("OCA queue_job not found: pip install --no-deps odoo-addon-queue-job")
    return [*core_paths, queue_job, ADDONS]


def odoo_bin_cmd():
    return _odoo()[0]


def configure(extra_addons=()):
    """Configure Odoo in this process (addons path, database server); once.

    :param extra_addons: folders added to the addons path (benchmark-only addons)
    """
    global _configured
    if _configured:
        return
    from odoo.tools import config  # noqa: PLC0415

    config.parse_config(
        [
            *db_args(),
            "--addons-path",
            ",".join([*addons_paths(), *extra_addons]),
            "--log-level",
            "warn",
            "--http-interface",
            "127.0.0.1",
        ],
        setup_logging=True,
    )
    _configured = True


def filestore(dbname):
    configure()
    from odoo.tools import config  # noqa: PLC0415

    return config.filestore(dbname)


# === DATABASES === #


def _pg_env():
    env = dict(os.environ)
    pg = pg_params()
    env.update(PGHOST=pg["host"], PGPORT=pg["port"], PGUSER=pg["user"])
    if pg["password"]:
        env["PGPASSWORD"] = pg["password"]
    return env


def psql_value(sql, dbname="postgres"):
    """Return the first column of the first row of ``sql`` (psql), or ''."""
    proc = subprocess.run(
        ["psql", "-X", "-At", "-d", dbname, "-c", sql],
        env=_pg_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout.strip().split("\n")[0]


def db_exists(dbname):
    return psql_value(f"SELECT 1 FROM pg_database WHERE datname = '{dbname}'") == "1"


def drop_db(dbname):
    """Drop the database and its filestore (quietly when absent)."""
    if _configured:
        # Release this process's registry and pooled connections first.
        from odoo import sql_db  # noqa: PLC0415
        from odoo.modules.registry import Registry  # noqa: PLC0415

        Registry.delete(dbname)
        sql_db.close_db(dbname)
    subprocess.run(["dropdb", "--if-exists", "--force", dbname], env=_pg_env(), check=False)
    shutil.rmtree(filestore(dbname), ignore_errors=True)


def create_db(dbname, modules, template=DEFAULT_TEMPLATE, quiet=True, extra_addons=()):
    """Create ``dbname`` with ``modules`` installed (no demo data).

    Copies ``template`` (database and filestore) when it exists, which skips
    initialising base and the core apps; otherwise odoo-bin creates and
    initialises the database from scratch. Exits with the end of Odoo's log
    on failure.

    :param extra_addons: folders added to the addons path (benchmark-only addons)
    :return: a short description of how the database was made
    """
    configure()
    if db_exists(dbname):
        sys.exit(f"database {dbname} already exists")
    how = "fresh database"
    if template and db_exists(template):
        subprocess.run(["createdb", "-T", template, dbname], env=_pg_env(), check=True)
        if os.path.isdir(filestore(template)):
            shutil.copytree(filestore(template), filestore(dbname))
        how = f"copy of {template}"
    with tempfile.TemporaryDirectory() as tmp:
        log_path = os.path.join(tmp, "odoo.log")
        cmd = [
            *odoo_bin_cmd(),
            "-d",
            dbname,
            *db_args(),
            "--addons-path",
            ",".join([*addons_paths(), *extra_addons]),
            "-i",
            ",".join(modules),
            "--stop-after-init",
            "--no-http",
            "--workers",
            "0",
            "--max-cron-threads",
            "0",
            "--log-level",
            "warn",
        ]
        if quiet:
            cmd += ["--logfile", log_path]
        proc = subprocess.run(cmd, env=_pg_env(), check=False)
        if proc.returncode:
            if quiet and os.path.exists(log_path):
                with open(log_path, encoding="utf-8", errors="replace") as log:
                    print("".join(log.readlines()[-40:]), file=sys.stderr)
            drop_db(dbname)
            sys.exit(f"odoo-bin -i {','.join(modules)} failed (exit {proc.returncode})")
    return how


@contextlib.contextmanager
def open_env(dbname, context=None):
    """Yield a superuser ``Environment`` on ``dbname``; commits nothing itself.

    The cursor is rolled back at the end: call ``env.cr.commit()`` to keep data.
    """
    configure()
    from odoo import api  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    registry = Registry(dbname)
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, dict(context or {}))
        try:
            yield env
        finally:
            cr.rollback()


# === FAST DATA LOADING === #


def clone_rows(cr, table, proto_id, count, overrides, params=None):
    """Insert ``count`` copies of row ``proto_id`` of ``table`` in one statement.

    Every column but ``id`` is copied from the prototype (so stored computed
    fields and defaults have the values the ORM gave it), except those in
    ``overrides``: ``{column: SQL expression}``, where ``g.n`` is the copy number
    (1..count) and ``%(name)s`` refers to ``params``. Caches are not touched: call
    ``env.invalidate_all()`` afterwards.

    :return: the new ids, in copy order
    """
    cr.execute(
        """SELECT column_name FROM information_schema.columns
           WHERE table_schema = current_schema() AND table_name = %s AND column_name != 'id'
           ORDER BY ordinal_position""",
        [table],
    )
    columns = [row[0] for row in cr.fetchall()]
    unknown = set(overrides) - set(columns)
    if unknown:
        raise ValueError(f"{table} has no column {', '.join(sorted(unknown))}")
    select = ", ".join(overrides.get(col, f'src."{col}"') for col in columns)
    names = ", ".join(f'"{col}"' for col in columns)
    cr.execute(
        f"""INSERT INTO "{table}" ({names})
            SELECT {select} FROM "{table}" src, generate_series(1, %(_count)s) AS g(n)
            WHERE src.id = %(_proto)s ORDER BY g.n
            RETURNING id""",
        {**(params or {}), "_count": count, "_proto": proto_id},
    )
    return [row[0] for row in cr.fetchall()]


def best_of(func, repeat=3, before=None):
    """Run ``func`` ``repeat`` times; return (best seconds, last result).

    ``before`` runs untimed before each run (e.g. ``env.invalidate_all``).
    """
    best, result = None, None
    for _i in range(repeat):
        if before:
            before()
        start = time.perf_counter()
        result = func()
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best, result


# === PROCESSES AND OUTPUT === #


def free_port():
    """Return a TCP port of 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_process(proc, timeout=15):
    """Stop a subprocess started by the benchmark: SIGTERM, then SIGKILL."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)


def exit_on_sigterm():
    """Turn SIGTERM into SystemExit so that ``finally`` blocks clean up."""
    signal.signal(signal.SIGTERM, lambda _sig, _frame: sys.exit(143))


def tail(path, lines=40):
    """Return the last ``lines`` lines of a log file ('' when absent)."""
    if not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8", errors="replace") as log:
        return "".join(log.readlines()[-lines:])


def verdict(ok):
    return "PASS" if ok else "FAIL"


def print_table(title, rows):
    """Print ``rows`` of (label, value, verdict) aligned, then the load average."""
    print(f"\n{title}\n")
    width = max(len(row[0]) for row in rows)
    for label, value, mark in rows:
        print(f"  {label:<{width}}  {value:>10}  {mark}".rstrip())
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"  (load average {load} on {os.cpu_count()} CPUs: timings vary with other work)")


def create_listed_products(env, channel, skus, name, price):
    """Storable products with one active listing each on ``channel`` (SKU = reference)."""
    products = env["product.product"].create(
        [
            {
                "name": f"{name} {sku}",
                "default_code": sku,
                "type": "consu",
                "is_storable": True,
                "list_price": price,
            }
            for sku in skus
        ]
    )
    env["marketplace.listing"].create(
        [
            {"channel_id": channel.id, "product_id": p.id, "channel_sku": sku, "state": "active"}
            for p, sku in zip(products, skus, strict=True)
        ]
    )
    return products
