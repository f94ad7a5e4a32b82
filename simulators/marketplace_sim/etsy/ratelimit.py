"""Etsy's per-application limits: queries per second plus a ROLLING 24 h daily quota.

Core's RateLimiter counts daily quotas per calendar day and does not report what is left,
but Etsy's daily window rolls and every answer tells the client how many calls remain, so
this module reuses core's TokenBucket for the per-second part only.
"""

import collections
import math
import threading

from ..core.ratelimit import DAY, RateLimit, TokenBucket

LIMIT_HEADERS = (
    "x-limit-per-second",
    "x-remaining-this-second",
    "x-limit-per-day",
    "x-remaining-today",
)


class EtsyQuota:
    """Counters per API keystring (Etsy counts per application, across all endpoints)."""

    def __init__(self, clock, per_second=10, per_day=10_000):
        self.clock = clock
        self.per_second = per_second
        self.per_day = per_day
        self._buckets = {}
        self._windows = collections.defaultdict(collections.deque)  # call times, oldest first
        self._lock = threading.Lock()

    def reset(self):
        with self._lock:
            self._buckets.clear()
            self._windows.clear()

    def take(self, key):
        """Count one call. Return ``(retry_after or None, headers)``; retry_after in seconds."""
        with self._lock:
            now = self.clock.now()
            window = self._windows[key]
            while window and window[0] <= now - DAY:
                window.popleft()
            bucket = self._buckets.get(key)
            if bucket is None:
                limit = RateLimit(rate=self.per_second, burst=self.per_second)
                bucket = self._buckets[key] = TokenBucket(limit, now)
            retry_after = None
            if len(window) >= self.per_day:
                retry_after = window[0] + DAY - now
            else:
                throttle = bucket.take(now)
                if throttle is None:
                    window.append(now)
                else:
                    retry_after = throttle.wait
            headers = {
                "x-limit-per-second": str(self.per_second),
                "x-remaining-this-second": str(max(0, math.floor(bucket.tokens))),
                "x-limit-per-day": str(self.per_day),
                "x-remaining-today": str(max(0, self.per_day - len(window))),
            }
            if retry_after is not None:
                # Whole seconds, rounded up: retrying after the advertised delay must work.
                retry_after = max(1, math.ceil(retry_after))
            return retry_after, headers
