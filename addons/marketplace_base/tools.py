"""Small helpers shared by the suite's models (no model here)."""

from contextlib import contextmanager

from odoo.sql_db import Cursor


@contextmanager
def own_transaction(env):
    """A short READ COMMITTED transaction of its own, committed on exit.

    For what must outlive the caller's transaction (rate tokens spent, an OAuth
    token Etsy already rotated) and must see what other processes committed a
    moment ago: each statement reads the latest committed data, and a writer
    waiting on a lock sees the winner's row instead of failing to serialize.
    In tests the registry's cursor is a savepoint of the test transaction.
    """
    with env.registry.cursor() as cr:
        if isinstance(cr, Cursor):
            cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
        yield cr
