"""Injectable clock: simulated time that tests advance instead of sleeping."""

import threading
import time
from datetime import UTC, datetime

# A fixed start keeps generated timestamps identical between runs with the same seed.
DEFAULT_START = datetime(2026, 11, 2, 8, 0, 0, tzinfo=UTC).timestamp()


class SimClock:
    """Epoch-seconds clock.

    In the default (manual) mode time only moves through ``advance``/``sleep``, so
    token buckets, token expiry and feed processing are tested without real waiting.
    With ``realtime=True`` (server mode) wall-clock seconds elapse as well, and
    ``advance`` still jumps ahead on top of them.
    """

    def __init__(self, start=None, realtime=False):
        self._start = DEFAULT_START if start is None else float(start)
        self._offset = 0.0
        self.realtime = realtime
        self._origin = time.monotonic()
        self._lock = threading.Lock()

    def now(self):
        elapsed = time.monotonic() - self._origin if self.realtime else 0.0
        with self._lock:
            return self._start + self._offset + elapsed

    def utcnow(self):
        return datetime.fromtimestamp(self.now(), tz=UTC)

    def advance(self, seconds):
        if seconds < 0:
            raise ValueError("time cannot go backwards")
        with self._lock:
            self._offset += float(seconds)
        return self.now()

    def sleep(self, seconds):
        """Real sleep in realtime mode (a client must really wait), a jump otherwise."""
        if self.realtime:
            time.sleep(seconds)
        else:
            self.advance(seconds)


def isoformat(value):
    """ISO 8601 UTC with a ``Z`` suffix and no microseconds, as the marketplaces send it."""
    if isinstance(value, int | float):
        value = datetime.fromtimestamp(value, tz=UTC)
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_datetime(text):
    """Parse an ISO 8601 timestamp (``Z`` or offset) into an aware datetime, or None."""
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
