import threading
import time

from odoo import api, models

#: ``{(account, group): [tokens, refilled at]}``: this process's own buckets.
_LOCAL = {}
_LOCK = threading.Lock()
PARAM = "marketplace_bench.local_limiter"


class MarketplaceRateBucket(models.Model):
    """The baseline of ``bench/bench_quota.py``: the limiter most connectors ship,
    a token bucket in each process's memory. Active only while the system
    parameter ``marketplace_bench.local_limiter`` is set."""

    _inherit = "marketplace.rate.bucket"

    def _local(self):
        return self.env["ir.config_parameter"].sudo().get_param(PARAM)

    @api.model
    def _take(self, account_key, group_name, limits, count=1):
        if not self._local():
            return super()._take(account_key, group_name, limits, count)
        rate, burst, _daily = limits
        now = time.monotonic()
        with _LOCK:
            tokens, at = _LOCAL.get((account_key, group_name), (burst, now))
            tokens = min(burst, tokens + rate * (now - at))
            if tokens >= count:
                _LOCAL[account_key, group_name] = (tokens - count, now)
                return 0.0
            _LOCAL[account_key, group_name] = (tokens, now)
        return (count - tokens) / rate if rate else 3600.0

    @api.model
    def _throttled(self, account_key, group_name, retry_after=None):
        if not self._local():
            return super()._throttled(account_key, group_name, retry_after)
        with _LOCK:
            _LOCAL[account_key, group_name] = (0.0, time.monotonic() + (retry_after or 0))
        return None

    @api.model
    def _observe(self, account_key, group_name, observation):
        if not self._local():
            return super()._observe(account_key, group_name, observation)
        return None
