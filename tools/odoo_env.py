"""Where Odoo 19, OCA queue_job and PostgreSQL are: shared by the test command and bench/.

Odoo 19 is found through ``odoo.release`` in this Python (``odoo`` is a
namespace package: queue_job's wheel adds a second ``odoo/`` folder), or in
the checkout named by ``ODOO_PATH``. PostgreSQL comes from the ``PG*``
variables, by default 127.0.0.1:5432 and the login of this process.
"""

import importlib.util
import os
import pwd
import subprocess
import sys

PYTHON = sys.executable


def find_odoo():
    """Return ``(odoo-bin command prefix, core addons paths)``, or None without Odoo 19."""
    source = os.environ.get("ODOO_PATH")
    if source:
        source = os.path.abspath(source)
        if not os.path.exists(os.path.join(source, "odoo-bin")):
            sys.exit(f"ODOO_PATH={source} has no odoo-bin")
    else:
        probe = subprocess.run(
            [
                PYTHON,
                "-c",
                "import odoo.release as r, os; print(r.version_info[0]); "
                "print(os.path.dirname(os.path.dirname(os.path.abspath(r.__file__))))",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode or probe.stdout.split()[0] != "19":
            return None
        source = probe.stdout.split()[1]
    paths = [
        p
        for p in (os.path.join(source, "addons"), os.path.join(source, "odoo", "addons"))
        if os.path.isdir(p)
    ]
    odoo_bin = os.path.join(source, "odoo-bin")
    cmd = [PYTHON, odoo_bin] if os.path.exists(odoo_bin) else [PYTHON, "-m", "odoo"]
    return cmd, paths


def find_queue_job(paths):
    """Return the folder that holds queue_job (site-packages' odoo/addons or a path)."""
    candidates = list(paths)
    spec = importlib.util.find_spec("odoo")
    if spec and spec.submodule_search_locations:
        candidates += [os.path.join(p, "addons") for p in spec.submodule_search_locations]
    candidates += os.environ.get("ODOO_ADDONS_PATH", "").split(os.pathsep)
    for folder in candidates:
        if folder and os.path.isfile(os.path.join(folder, "queue_job", "__manifest__.py")):
            return folder
    return None


def pg_params():
    """The PostgreSQL connection parameters (host, port, user, password)."""
    return {
        "host": os.environ.get("PGHOST", "127.0.0.1"),
        "port": os.environ.get("PGPORT", "5432"),
        # The login of this process, not $USER, which environments set freely.
        "user": os.environ.get("PGUSER") or pwd.getpwuid(os.getuid()).pw_name,
        "password": os.environ.get("PGPASSWORD", ""),
    }


def db_args():
    """odoo-bin's database options for :func:`pg_params`."""
    pg = pg_params()
    args = ["--db_host", pg["host"], "--db_port", pg["port"], "--db_user", pg["user"]]
    if pg["password"]:
        args += ["--db_password", pg["password"]]
    return args
