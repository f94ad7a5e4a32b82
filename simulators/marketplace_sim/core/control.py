"""Control handle of a simulator: the test's side door into its state.

In-process tests call the methods directly (``sim.control.advance(60)``). Another
process uses the same methods over HTTP: ``GET /_sim`` lists them and
``POST /_sim/<method>`` with a JSON object of keyword arguments calls one and answers
``{"result": ...}``. Marketplace simulators subclass SimControl and mark their own
methods with ``@exposed``. These routes are never validated against any contract.
"""

import inspect
import json

from werkzeug.wrappers import Response

from .contracts import COVERAGE
from .errors import SimError


def exposed(func):
    """Make a control method callable over ``POST /_sim/<name>``.

    Its arguments and return value must be JSON-compatible.
    """
    func._sim_exposed = True
    return func


def _json(data, status=200):
    return Response(json.dumps(data, default=str), status=status, content_type="application/json")


class SimControl:
    def __init__(self, app):
        self.app = app

    # ----------------------------------------------------------- time
    @exposed
    def now(self):
        """Simulated time, epoch seconds."""
        return self.app.clock.now()

    @exposed
    def advance(self, seconds):
        """Move simulated time forward (token refill, expiry, async processing)."""
        now = self.app.clock.advance(seconds)
        self.on_time_advanced()
        return now

    def on_time_advanced(self):
        """Hook: run work that was waiting for time to pass (e.g. feed processing)."""

    # --------------------------------------------------------- faults
    @exposed
    def set_fault(self, kind, rate=1.0, operation=None, **options):
        """Inject a fault (see FaultRule) for one operationId or, if None, every call."""
        self.app.faults.set(kind, rate, operation, **options)

    @exposed
    def clear_faults(self, operation=None, kind=None, everything=True):
        if everything and operation is None and kind is None:
            self.app.faults.clear()
        else:
            self.app.faults.clear(operation, kind)

    # ---------------------------------------------------- rate limits
    @exposed
    def set_rate_limiting(self, enabled):
        self.app.limiter.enabled = bool(enabled)

    @exposed
    def reset_rate_limits(self):
        """Refill every bucket."""
        self.app.limiter.reset()

    # ------------------------------------------------------- inspect
    @exposed
    def calls(self):
        """API calls received so far: [method, path, operationId, status]."""
        return [list(call) for call in self.app.calls]

    @exposed
    def call_times(self, since=0):
        """The clock's time (epoch seconds) of each API call from index ``since``."""
        return list(self.app.call_times[since:])

    @exposed
    def coverage(self):
        return COVERAGE.report()

    # ----------------------------------------------------------- HTTP
    def exposed_methods(self):
        return {
            name: getattr(self, name)
            for name in dir(type(self))
            if getattr(getattr(type(self), name), "_sim_exposed", False)
        }

    def handle_http(self, request):
        methods = self.exposed_methods()
        name = request.path.rstrip("/").rpartition("/")[2]
        if request.method == "GET" and name in ("_sim", ""):
            return _json(
                {
                    "marketplace": self.app.marketplace,
                    "methods": {
                        key: str(inspect.signature(method)) for key, method in methods.items()
                    },
                }
            )
        if request.method != "POST" or name not in methods:
            return _json({"error": f"unknown control call {request.method} {request.path}"}, 404)
        try:
            kwargs = json.loads(request.get_data() or b"{}")
        except ValueError as exc:
            return _json({"error": f"body is not JSON: {exc}"}, 400)
        try:
            with self.app.lock:
                result = methods[name](**kwargs)
        except SimError as exc:
            return _json({"error": exc.code, "message": exc.message}, exc.status)
        except (TypeError, ValueError, KeyError, LookupError) as exc:
            return _json({"error": f"{type(exc).__name__}: {exc}"}, 400)
        return _json({"result": result})
