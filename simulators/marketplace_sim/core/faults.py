"""Seeded fault injection: 5xx, timeouts, malformed bodies, slow responses."""

import random
import threading
from dataclasses import dataclass

FAULT_KINDS = ("error", "timeout", "timeout_after", "malformed", "slow")


class SimulatedTimeout(Exception):
    """The simulated server never answers.

    In-process transports turn it into the client library's read-timeout exception;
    the loopback server drops the connection instead.
    """


@dataclass
class FaultRule:
    """``kind`` is one of FAULT_KINDS.

    - error: answer ``status`` (default 503) with the marketplace's error body.
    - timeout: no answer and the call is NOT applied.
    - timeout_after: the call IS applied but the answer is lost (tests idempotency).
    - malformed: the handler runs, the body is cut in half (invalid JSON).
    - slow: the answer is delayed by ``delay`` seconds (simulated unless realtime).
    """

    kind: str
    rate: float = 1.0
    status: int = 503
    delay: float = 5.0
    remaining: int | None = None  # None = unlimited; else fire this many times then stop


class FaultInjector:
    """Rules per operation (``None`` key = every operation), drawn with a seeded RNG."""

    def __init__(self, seed=0):
        self.rng = random.Random(f"faults-{seed}")
        self._rules = {}
        self._lock = threading.Lock()
        self.fired = []  # (operation, kind) in firing order, for assertions

    def set(self, kind, rate=1.0, operation=None, **options):
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {FAULT_KINDS}")
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        with self._lock:
            rules = self._rules.setdefault(operation, [])
            rules[:] = [r for r in rules if r.kind != kind]
            rules.append(FaultRule(kind, rate, **options))

    def clear(self, operation=..., kind=None):
        """Clear all rules, one operation's rules (None = global) or one kind."""
        with self._lock:
            keys = list(self._rules) if operation is ... else [operation]
            for key in keys:
                if kind is None:
                    self._rules.pop(key, None)
                else:
                    self._rules[key] = [r for r in self._rules.get(key, []) if r.kind != kind]

    def draw(self, operation):
        """Return the FaultRule that fires for this call, or None.

        Operation-specific rules are checked before global ones; one fault per call.
        """
        with self._lock:
            for rule in [*self._rules.get(operation, []), *self._rules.get(None, [])]:
                if rule.remaining == 0:
                    continue
                if rule.rate >= 1.0 or self.rng.random() < rule.rate:
                    if rule.remaining is not None:
                        rule.remaining -= 1
                    self.fired.append((operation, rule.kind))
                    return rule
        return None


def malform(body):
    """Truncate a body so it is no longer valid JSON (a proxy cut the answer)."""
    return body[: max(1, len(body) // 2)] if body else b"{"
