#!/usr/bin/env python3
"""Run every test suite of the project: lint, Odoo-free pytest, Odoo addons.

Usage: ``python3 tools/run_tests.py [--skip-lint] [--skip-odoo] [--keep-db]``

Odoo is used when ``import odoo`` gives 19.0, or when ``ODOO_PATH`` points at an
Odoo 19 source checkout. The Odoo suite installs every addon under ``addons/``
with OCA queue_job into a fresh database and runs all their tests; it needs a
PostgreSQL role other than ``postgres`` (``PGHOST``/``PGPORT``/``PGUSER``, default
127.0.0.1:5432 and the current user). Each suite ends with one line
``<suite>: N passed, M failed``; a suite that runs no test fails.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

from odoo_env import PYTHON, db_args, find_odoo, find_queue_job, pg_params

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADDONS = os.path.join(ROOT, "addons")


def banner(text):
    print(f"\n=== {text} ===", flush=True)


def run(cmd, **kwargs):
    print("$ " + " ".join(cmd), flush=True)
    return subprocess.run(cmd, cwd=ROOT, check=False, **kwargs)


def our_addons():
    return sorted(
        name
        for name in os.listdir(ADDONS)
        if os.path.isfile(os.path.join(ADDONS, name, "__manifest__.py"))
    )


# === LINT === #


def suite_lint():
    banner("lint: ruff and pylint-odoo")
    checks = {
        "ruff check": [PYTHON, "-m", "ruff", "check", "."],
        "ruff format": [PYTHON, "-m", "ruff", "format", "--check", "."],
        "pylint-odoo": [
            PYTHON,
            "-m",
            "pylint",
            "--rcfile",
            os.path.join(ROOT, ".pylintrc"),
            *[os.path.join("addons", name) for name in our_addons()],
        ],
    }
    passed = failed = 0
    for name, cmd in checks.items():
        if run(cmd).returncode == 0:
            passed += 1
        else:
            print(f"FAILED: {name}")
            failed += 1
    return passed, failed


# === PYTEST === #


def suite_pytest():
    banner("pytest: Odoo-free suites (pure clients, simulators, contracts)")
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "junit.xml")
        proc = run([PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}"])
        if not os.path.exists(report):
            print(f"pytest produced no report (exit {proc.returncode})")
            return 0, 1
        root = ET.parse(report).getroot()
        suites = [root] if root.tag == "testsuite" else list(root)
        total = sum(int(s.get("tests", 0)) for s in suites)
        bad = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
        skipped = sum(int(s.get("skipped", 0)) for s in suites)
    if skipped:
        print(f"pytest skipped {skipped} test(s): a skipped test is not a pass")
    return total - bad - skipped, bad + skipped + (0 if proc.returncode in (0, 1) else 1)


# === ODOO === #


TEST_START = re.compile(r" odoo\.addons\.(\w+)\.tests[\w.]*: Starting (\S+) \.\.\.")
TEST_BAD = re.compile(r" ERROR \S+ odoo\.addons\.(\w+)\.tests[\w.]*: (?:ERROR|FAIL): (\S+)")
TEST_SKIP = re.compile(r" odoo\.addons\.(\w+)\.tests[\w.]*: skipped (\S+)")
RESULT = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests")


def suite_odoo(keep_db=False):
    banner("odoo: every addon installed on a fresh Odoo 19 database, all their tests")
    found = find_odoo()
    if not found:
        print(
            "!!!!! ODOO 19 NOT AVAILABLE: the Odoo suites are NOT run "
            "(install Odoo 19 or set ODOO_PATH) !!!!!",
            flush=True,
        )
        return None
    odoo_cmd, core_paths = found
    queue_job = find_queue_job(core_paths)
    if not queue_job:
        print("OCA queue_job not found: pip install --no-deps odoo-addon-queue-job openupgradelib")
        return 0, 1
    addons = our_addons()
    db = f"mp_test_{os.getpid()}"
    pg = pg_params()
    with tempfile.TemporaryDirectory() as data_dir:
        log_path = os.path.join(data_dir, "odoo.log")
        cmd = [
            *odoo_cmd,
            "-d",
            db,
            *db_args(),
            "--addons-path",
            ",".join([*core_paths, queue_job, ADDONS]),
            "--data-dir",
            data_dir,
            "-i",
            ",".join(addons),
            "--test-enable",
            "--test-tags",
            ",".join(f"/{a}" for a in addons),
            "--stop-after-init",
            "--without-demo",
            "all",
            "--http-interface",
            "127.0.0.1",
            "--http-port",
            os.environ.get("ODOO_TEST_PORT", "18169"),
            "--workers",
            "0",
            "--max-cron-threads",
            "0",
            "--log-level",
            "info",
            "--logfile",
            log_path,
        ]
        start = time.monotonic()
        try:
            proc = run(cmd)
        finally:
            if not keep_db:
                subprocess.run(
                    [
                        "dropdb",
                        "--if-exists",
                        "-h",
                        pg["host"],
                        "-p",
                        pg["port"],
                        "-U",
                        pg["user"],
                        db,
                    ],
                    check=False,
                )
        with open(log_path, encoding="utf-8", errors="replace") as log:
            text = log.read()
        elapsed = time.monotonic() - start
        print(f"Odoo ran {elapsed:.0f}s (exit {proc.returncode}); log: {len(text)} bytes")
    started, bad, skipped = {}, {}, {}
    for regex, store in ((TEST_START, started), (TEST_BAD, bad), (TEST_SKIP, skipped)):
        for module, test in regex.findall(text):
            store.setdefault(module, set()).add(test)
    for line in text.splitlines():
        if " ERROR " in line or " CRITICAL " in line or "FAIL:" in line:
            print(line[:400])
    passed_total = failed_total = 0
    for addon in addons:
        ran = len(started.get(addon, ()))
        failed = len(bad.get(addon, ())) + len(skipped.get(addon, ()))
        if not ran:
            print(f"{addon}: ran 0 tests, which is a failure")
            failed += 1
        print(f"odoo/{addon}: {max(ran - failed, 0)} passed, {failed} failed")
        passed_total += max(ran - failed, 0)
        failed_total += failed
    summary = RESULT.findall(text)
    if proc.returncode and not failed_total:
        print(f"Odoo exited with {proc.returncode}: counted as a failure")
        failed_total += 1
    if summary:
        failed, errors, total = summary[-1]
        print(f"odoo test report: {failed} failed, {errors} error(s) of {total} tests")
    return passed_total, failed_total


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-lint", action="store_true")
    parser.add_argument("--skip-odoo", action="store_true")
    parser.add_argument("--keep-db", action="store_true", help="keep the Odoo test database")
    args = parser.parse_args()
    results = {}
    suites = {"pytest": suite_pytest, "odoo": lambda: suite_odoo(args.keep_db)}
    if not args.skip_lint:
        suites = {"lint": suite_lint, **suites}
    if args.skip_odoo:
        del suites["odoo"]
    for name, suite in suites.items():
        result = suite()
        if result is not None:  # None: the suite could not run here, said loudly
            results[name] = result
            print(f"{name}: {result[0]} passed, {result[1]} failed", flush=True)
    banner("summary")
    ok = True
    for name, (passed, failed) in results.items():
        print(f"{name}: {passed} passed, {failed} failed")
        ok = ok and not failed and passed > 0
    total_passed = sum(p for p, _f in results.values())
    total_failed = sum(f for _p, f in results.values())
    print(f"total: {total_passed} passed, {total_failed} failed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
