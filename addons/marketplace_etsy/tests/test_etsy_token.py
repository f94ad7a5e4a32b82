import threading
import time
from unittest.mock import patch

from odoo import SUPERUSER_ID, api
from odoo.orm.environments import Transaction
from odoo.tests import TransactionCase, tagged
from odoo.tests.common import release_test_lock

REFRESH = "odoo.addons.marketplace_etsy.models.marketplace_etsy_token.refresh_access_token"


@tagged("post_install", "-at_install")
class TestConcurrentTokenRefresh(TransactionCase):
    """Two workers needing an Etsy token at once, in separate transactions."""

    def _env(self, cr):
        if cr.transaction is None:
            cr.transaction = Transaction(self.registry)
        return api.Environment(cr, SUPERUSER_ID, {})

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            channel = self._env(cr)["marketplace.channel"].create(
                {"name": "Etsy race", "channel_type": "etsy", "etsy_keystring": "race-key"}
            )
            self.channel_id = channel.id
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            self._env(cr)["marketplace.channel"].browse(self.channel_id).unlink()

    def test_one_refresh_for_two_workers(self):
        """Test that the second worker waits and takes the first one's token instead of
        refreshing again with the refresh token Etsy just revoked."""
        settings = {"etsy_keystring": "race-key", "etsy_refresh_token": "seed-1"}
        used, tokens, errors = [], [], []
        refreshing = threading.Event()

        def refresh(keystring, refresh_token, **kwargs):
            used.append(refresh_token)
            refreshing.set()
            time.sleep(0.5)  # the other worker asks meanwhile
            n = len(used)
            return {"access_token": f"A{n}", "refresh_token": f"R{n}", "expires_in": 3600}

        def worker():
            try:
                with self.registry.cursor() as cr:
                    Token = self._env(cr)["marketplace.etsy.token"]
                    tokens.append(Token._get_access_token(self.channel_id, settings))
            except Exception as exc:
                errors.append(exc)

        first, second = threading.Thread(target=worker), threading.Thread(target=worker)
        with release_test_lock(), patch(REFRESH, refresh):
            first.start()
            refreshing.wait(30)
            second.start()
            first.join(60)
            second.join(60)
        self.assertFalse(errors)
        self.assertEqual(used, ["seed-1"])  # one refresh, with the token entered
        self.assertEqual(tokens, ["A1", "A1"])
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT refresh_token FROM marketplace_etsy_token WHERE channel_id = %s",
                [self.channel_id],
            )
            self.assertEqual(cr.fetchone()[0], "R1")  # kept for the next refresh
