"""Token buckets per (account, operation), with an optional daily quota."""

import math
import threading
from dataclasses import dataclass

DAY = 86400.0


@dataclass(frozen=True)
class RateLimit:
    """``rate`` tokens per second refill a bucket of ``burst`` tokens.

    ``daily`` caps the calls per simulated UTC day (eBay-style quotas); None = no cap.
    """

    rate: float
    burst: int
    daily: int | None = None


@dataclass(frozen=True)
class Throttle:
    """Result of a refused call: how long to wait and why."""

    wait: float
    limit: RateLimit
    reason: str  # "rate" or "daily"


class TokenBucket:
    def __init__(self, limit, now):
        self.limit = limit
        self.tokens = float(limit.burst)
        self.updated = now
        self.day = math.floor(now / DAY)
        self.used_today = 0

    def _refill(self, now):
        if now > self.updated:
            self.tokens = min(
                float(self.limit.burst), self.tokens + (now - self.updated) * self.limit.rate
            )
            self.updated = now
        day = math.floor(now / DAY)
        if day != self.day:
            self.day, self.used_today = day, 0

    def take(self, now):
        """Consume one token; return None on success, else the Throttle to report."""
        self._refill(now)
        if self.limit.daily is not None and self.used_today >= self.limit.daily:
            return Throttle((self.day + 1) * DAY - now, self.limit, "daily")
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            self.used_today += 1
            return None
        wait = (1.0 - self.tokens) / self.limit.rate if self.limit.rate > 0 else math.inf
        return Throttle(wait, self.limit, "rate")


class RateLimiter:
    """Holds one bucket per (account, operation); operations without a limit pass."""

    def __init__(self, clock, limits=None):
        self.clock = clock
        self.limits = dict(limits or {})
        self.enabled = True
        self._buckets = {}
        self._lock = threading.Lock()

    def configure(self, operation, limit):
        """Set or replace an operation's limit (drops its existing buckets)."""
        with self._lock:
            self.limits[operation] = limit
            self._buckets = {k: v for k, v in self._buckets.items() if k[1] != operation}

    def acquire(self, account, operation):
        """Take a token; None when allowed, else a Throttle (wait seconds, limit, reason)."""
        limit = self.limits.get(operation)
        if not self.enabled or limit is None:
            return None
        with self._lock:
            now = self.clock.now()
            bucket = self._buckets.get((account, operation))
            if bucket is None:
                bucket = self._buckets[(account, operation)] = TokenBucket(limit, now)
            return bucket.take(now)

    def reset(self):
        with self._lock:
            self._buckets.clear()
