"""Live runs for the benchmarks: simulators and an Odoo server with its job runner.

Used by the benchmarks that measure the whole chain (stock change → queue_job
runner → job → marketplace simulator over loopback): one place starts, watches
and stops those processes. Import after ``common.configure()``.
"""

import os
import subprocess
import sys
import time

from common import (
    PYTHON,
    ROOT,
    addons_paths,
    db_args,
    free_port,
    odoo_bin_cmd,
    pg_params,
    stop_process,
    tail,
)

SIMULATORS = os.path.join(ROOT, "simulators")


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


class BenchError(Exception):
    """Something went wrong: exit non-zero with this message."""


def wait_for(predicate, timeout, what, interval=0.01):
    """Poll ``predicate`` until it returns a true value; return it, or raise."""
    deadline = time.perf_counter() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.perf_counter() > deadline:
            raise BenchError(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(interval)


def simulator_module(name):
    """Import ``marketplace_sim.<name>`` (on the project path only)."""
    if SIMULATORS not in sys.path:
        sys.path.insert(0, SIMULATORS)
    import importlib  # noqa: PLC0415

    return importlib.import_module(f"marketplace_sim.{name}")


class Simulator:
    """One marketplace simulator in a subprocess (real-time clock), driven through
    its control API (``/_sim/<method>``)."""

    def __init__(self, name, workdir):
        import requests  # noqa: PLC0415 - Odoo's dependency, after configure()

        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = os.path.join(workdir, f"simulator-{name}.log")
        self.session = requests.Session()
        self.proc = None

    def start(self):
        with open(self.log_path, "w", encoding="utf-8") as out:
            self.proc = subprocess.Popen(
                [PYTHON, "-m", "marketplace_sim", "serve", self.name, "--port", str(self.port)],
                cwd=SIMULATORS,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_for(self._up, 60, f"the {self.name} simulator to listen", interval=0.2)

    def _up(self):
        if self.proc.poll() is not None:
            raise BenchError(f"the {self.name} simulator exited:\n{tail(self.log_path)}")
        try:
            return self.session.get(f"{self.url}/_sim", timeout=2).ok
        except OSError:
            return False

    def control(self, method, **kwargs):
        response = self.session.post(f"{self.url}/_sim/{method}", json=kwargs, timeout=60)
        if not response.ok:
            raise BenchError(
                f"{self.name} simulator control {method}: {response.status_code} {response.text}"
            )
        return response.json()["result"]

    def stop(self):
        self.session.close()
        stop_process(self.proc)


class OdooServer:
    """An Odoo server on ``dbname`` with the queue_job runner live.

    :param channels: queue_job's ``channels`` setting (capacities)
    :param workers: 0 for the threaded server, N for N worker processes (prefork)
    :param extra_addons: folders added to the addons path
    """

    def __init__(self, dbname, workdir, channels, workers=0, extra_addons=()):
        self.dbname = dbname
        self.port = free_port()
        self.channels = channels
        self.workers = workers
        self.extra_addons = list(extra_addons)
        self.log_path = os.path.join(workdir, f"odoo-{workers}w-{time.strftime('%H%M%S')}.log")
        self.conf_path = os.path.join(workdir, "odoo.conf")
        self.proc = None

    def start(self):
        import requests  # noqa: PLC0415

        with open(self.conf_path, "w", encoding="utf-8") as conf:
            conf.write(
                "[options]\n\n[queue_job]\n"
                f"channels = {self.channels}\nscheme = http\nhost = 127.0.0.1\n"
                f"port = {self.port}\n"
            )
        env = {k: v for k, v in os.environ.items() if not k.startswith("ODOO_QUEUE_JOB_")}
        cmd = [
            *odoo_bin_cmd(),
            "-c",
            self.conf_path,
            "-d",
            self.dbname,
            "--db-filter",
            f"^{self.dbname}$",
            *db_args(),
            "--addons-path",
            ",".join([*addons_paths(), *self.extra_addons]),
            "--http-interface",
            "127.0.0.1",
            "--http-port",
            str(self.port),
            "--workers",
            str(self.workers),
            # No crons: the reconcile and push crons would send API calls of their own.
            "--max-cron-threads",
            "0",
            "--load",
            "base,web,queue_job",
            "--log-level",
            "info",
            "--logfile",
            self.log_path,
        ]
        if self.workers:
            # Jobs run in the HTTP workers: let the longest one finish.
            cmd += ["--limit-time-real", "300", "--limit-time-cpu", "300"]
        self.proc = subprocess.Popen(cmd, env=env)
        url = f"http://127.0.0.1:{self.port}/web/health"

        def up():
            if self.proc.poll() is not None:
                raise BenchError(f"the Odoo server exited:\n{tail(self.log_path)}")
            try:
                return requests.get(url, timeout=2).ok
            except OSError:
                return False

        wait_for(up, 120, "the Odoo server to answer", interval=0.3)

    def stop(self):
        stop_process(self.proc)


class JobWatch:
    """Reads queue_job states on its own autocommit connection (fresh snapshots)."""

    def __init__(self, dbname):
        import psycopg2  # noqa: PLC0415

        pg = pg_params()
        self.conn = psycopg2.connect(
            dbname=dbname,
            host=pg["host"],
            port=pg["port"],
            user=pg["user"],
            password=pg["password"] or None,
        )
        self.conn.autocommit = True

    def query(self, sql, params=None):
        with self.conn.cursor() as cr:
            cr.execute(sql, params)
            return cr.fetchall()

    def states(self):
        return dict(self.query("SELECT state, count(*) FROM queue_job GROUP BY state"))

    def count(self):
        return sum(self.states().values())

    def idle(self):
        """True when no job is due or running (jobs planned later, such as the
        follow-up checks of asynchronous submissions, do not count); raises when
        one failed."""
        failed = self.query("SELECT name, exc_info FROM queue_job WHERE state = 'failed' LIMIT 1")
        if failed:
            raise BenchError(f"job {failed[0][0]} failed:\n{failed[0][1]}")
        busy = self.query(
            """SELECT count(*) FROM queue_job
                WHERE state IN ('enqueued', 'started')
                   OR (state = 'pending' AND (eta IS NULL OR eta <= now() AT TIME ZONE 'UTC'))
            """
        )
        return not busy[0][0]

    def retried(self):
        """Job runs postponed by a retryable error (e.g. a rate limit).

        queue_job counts every run in ``retry``, the first one included.
        """
        return self.query("SELECT coalesce(sum(greatest(retry - 1, 0)), 0) FROM queue_job")[0][0]

    def planned(self):
        """Jobs planned for later: {method name: count}."""
        return dict(
            self.query(
                """SELECT method_name, count(*) FROM queue_job
                    WHERE state = 'pending' AND eta > now() AT TIME ZONE 'UTC'
                    GROUP BY method_name"""
            )
        )

    def close(self):
        self.conn.close()


def apply_inventory(env, location, quantities):
    """Set on-hand quantities the way a user does: count, then "Apply".

    :param quantities: ``[(product, quantity)]``
    """
    quants = (
        env["stock.quant"]
        .with_context(inventory_mode=True)
        .create(
            [
                {"product_id": p.id, "location_id": location.id, "inventory_quantity": qty}
                for p, qty in quantities
            ]
        )
    )
    quants.action_apply_inventory()
