"""Base WSGI application that every marketplace simulator subclasses.

A subclass declares its contracts (``contracts``), its operations (methods decorated
with ``@operation``), its rate limits (``rate_limits``) and overrides the hooks that
give errors the marketplace's own shape. The base class runs the same pipeline for
every call: route → fault → authenticate → rate limit → validate request → handler →
validate response → decorate.
"""

import itertools
import json
import logging
import random
import threading
import time
import uuid
from dataclasses import dataclass
from urllib.parse import quote

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from .clock import SimClock
from .contracts import COVERAGE, ContractViolation, describe_errors, is_routing_error
from .control import SimControl
from .errors import SimError
from .faults import FaultInjector, SimulatedTimeout, malform
from .ratelimit import RateLimiter

_logger = logging.getLogger(__name__)

CONTROL_PREFIX = "/_sim"
# Set by the in-process transports and the loopback server (see transport.py/server.py).
ENV_CLIENT_TIMEOUT = "marketplace_sim.client_timeout"
ENV_SERVER_MODE = "marketplace_sim.server"
ENV_PUBLIC_URL = "marketplace_sim.public_url"


@dataclass(frozen=True)
class Route:
    method: str
    rule: str
    operation_id: str
    api: str | None  # key in the app's ``contracts``; None = not validated (uploads, auth)
    auth: bool
    rate_key: str | None
    handler: str


def operation(method, rule, operation_id=None, api=None, auth=True, rate_key=...):
    """Declare a handler ``def handler(self, call) -> werkzeug Response``.

    ``rule`` uses werkzeug syntax (``/orders/<orderId>``). ``rate_key`` names the bucket
    in ``rate_limits`` (default: the operationId; None: never throttled).
    """

    def decorate(func):
        func._sim_route = {
            "method": method.upper(),
            "rule": rule,
            "operation_id": operation_id or func.__name__,
            "api": api,
            "auth": auth,
            "rate_key": rate_key,
        }
        return func

    return decorate


class Call:
    """One incoming request as seen by hooks and handlers."""

    def __init__(self, app, request, route, path_args):
        self.app, self.request, self.route, self.path_args = app, request, route, path_args
        self.account = None  # set by ``authenticate``
        self.parameters = None  # openapi-core's unmarshalled parameters when validated
        self.response_headers = {}  # extra headers a handler/hook wants on the answer
        self.rejected = False  # the request broke the contract
        self._json = ...

    @property
    def operation_id(self):
        return self.route.operation_id

    def arg(self, name, default=None):
        return self.request.args.get(name, default)

    def arg_list(self, name):
        """A comma-joined or repeated query parameter as a list (empty items dropped)."""
        values = []
        for raw in self.request.args.getlist(name):
            values.extend(item for item in raw.split(",") if item)
        return values

    @property
    def json(self):
        """The JSON body, or SimError 400 via the app's error hook if it is not JSON."""
        if self._json is ...:
            data = self.request.get_data()
            try:
                self._json = json.loads(data) if data else None
            except ValueError as exc:
                raise SimError(400, "InvalidInput", f"Body is not valid JSON: {exc}") from exc
        return self._json

    @property
    def base_url(self):
        """Where links we hand out (upload URLs...) reach this app.

        In-process: the host the client used. Behind the loopback server: the server's own
        address, since clients may send a wrong Host header (python-amazon-sp-api does
        for http:// endpoints).
        """
        public = self.request.environ.get(ENV_PUBLIC_URL)
        return public or self.request.host_url.rstrip("/")


def json_response(data, status=200, headers=None):
    return Response(
        json.dumps(data, ensure_ascii=False),
        status=status,
        headers=headers,
        content_type="application/json",
    )


def empty_response(status=204, headers=None):
    return Response(b"", status=status, headers=headers)


class SimApp:
    """Subclass per marketplace. Constructor arguments are shared by all of them:

    - ``seed``: seeds the data generator and fault RNG (same seed, same data).
    - ``clock``: a SimClock (default: manual simulated time).
    - ``validate``: check requests/responses against ``contracts``.
    - ``strict``: a response that breaks the contract raises ContractViolation
      (default True: a simulator bug must fail the test, not go unnoticed).
    """

    marketplace = "base"
    contracts = {}  # api name -> ContractSpec
    rate_limits = {}  # rate key -> RateLimit
    control_class = SimControl
    coverage = COVERAGE  # registry the validations are recorded in (tests may swap it)

    def __init__(self, seed=0, clock=None, validate=True, strict=True):
        self.seed = seed
        self.clock = clock or SimClock()
        self.rng = random.Random(f"{self.marketplace}-{seed}")
        self.validate = validate
        self.strict = strict
        self.faults = FaultInjector(seed)
        self.limiter = RateLimiter(self.clock, self.rate_limits)
        self.contract_failures = []  # non-strict mode: (operation, messages)
        self.calls = []  # (method, path, operationId, status) of each API call, for assertions
        self.call_times = []  # the clock's time of each of ``calls``, for rate measurements
        self.lock = threading.RLock()  # handlers mutate shared state; the server is threaded
        self._ids = itertools.count(1)
        self._routes = {}
        rules = []
        for name in dir(type(self)):
            spec = getattr(getattr(type(self), name), "_sim_route", None)
            if spec is None:
                continue
            rate_key = spec["operation_id"] if spec["rate_key"] is ... else spec["rate_key"]
            route = Route(**{**spec, "rate_key": rate_key}, handler=name)
            endpoint = f"{name}:{spec['method']}"
            self._routes[endpoint] = route
            rules.append(Rule(spec["rule"], endpoint=endpoint, methods=[spec["method"]]))
        self.url_map = Map(rules, strict_slashes=False, merge_slashes=False)
        self.control = self.control_class(self)

    # ----------------------------------------------------------------- hooks
    def error_response(self, call, status, code, message, details=None, headers=None):
        """The marketplace's error body. Override per marketplace."""
        body = {"error": code, "message": message}
        if details:
            body["details"] = details
        return json_response(body, status, headers)

    def authenticate(self, call):
        """Return an account key for rate limiting, or raise SimError. Override."""
        return "default"

    def throttled_response(self, call, throttle):
        """Answer for an empty bucket (``throttle.wait`` seconds until a token)."""
        return self.error_response(call, 429, "TooManyRequests", "Request was throttled.")

    def invalid_request_response(self, call, messages):
        """Answer for a request its contract rejects; ``messages`` are readable strings."""
        return self.error_response(call, 400, "InvalidInput", "; ".join(messages))

    def injected_error_response(self, call, status):
        """Answer for an injected 5xx fault."""
        return self.error_response(call, status, "InternalFailure", "Injected server error.")

    def not_found_response(self, request):
        return self.error_response(None, 404, "NotFound", f"No resource at {request.path}")

    def decorate_response(self, call, response):
        """Add headers present on every answer of an operation (request ids, limits)."""

    # ------------------------------------------------------------- helpers
    def rng_for(self, name):
        """An independent seeded RNG per concern: issuing a token or a request id must not
        change which orders the same seed generates."""
        return random.Random(f"{self.marketplace}-{self.seed}-{name}")

    def next_id(self, prefix=""):
        return f"{prefix}{next(self._ids)}"

    def request_id(self):
        return str(uuid.UUID(int=self.rng.getrandbits(128)))

    def url_for(self, call, path):
        return call.base_url + quote(path)

    # ------------------------------------------------------------- pipeline
    def __call__(self, environ, start_response):
        request = Request(environ)
        if request.path == CONTROL_PREFIX or request.path.startswith(CONTROL_PREFIX + "/"):
            response = self.control.handle_http(request)
        else:
            response = self.dispatch(request)
        return response(environ, start_response)

    def dispatch(self, request):
        adapter = self.url_map.bind_to_environ(request.environ)
        try:
            endpoint, path_args = adapter.match()
        except (NotFound, MethodNotAllowed):
            return self.not_found_response(request)
        route = self._routes[endpoint]
        call = Call(self, request, route, path_args)
        fault = self.faults.draw(route.operation_id)
        if fault is not None and fault.kind == "timeout":
            raise SimulatedTimeout(route.operation_id)
        response = self._answer(call, fault)
        skip_validation = False
        if fault is not None and fault.kind == "timeout_after":
            raise SimulatedTimeout(route.operation_id)
        if fault is not None and fault.kind == "slow":
            self._delay(call, fault.delay)
        if fault is not None and fault.kind == "malformed":
            response.set_data(malform(response.get_data()))
            skip_validation = True
        if route.api and self.validate and not skip_validation:
            self._check_response(call, response)
        self.decorate_response(call, response)
        for key, value in call.response_headers.items():
            response.headers[key] = value
        self.calls.append((request.method, request.path, route.operation_id, response.status_code))
        self.call_times.append(self.clock.now())
        return response

    def _answer(self, call, fault):
        try:
            if fault is not None and fault.kind == "error":
                return self.injected_error_response(call, fault.status)
            if call.route.auth:
                call.account = self.authenticate(call)
            if call.route.rate_key:
                throttle = self.limiter.acquire(call.account, call.route.rate_key)
                if throttle is not None:
                    return self.throttled_response(call, throttle)
            if call.route.api and self.validate:
                rejected = self._check_request(call)
                if rejected is not None:
                    return rejected
            with self.lock:
                return getattr(self, call.route.handler)(call)
        except SimError as error:
            return self.error_response(
                call, error.status, error.code, error.message, error.details, error.headers
            )

    def _check_request(self, call):
        spec = self.contracts[call.route.api]
        errors, parameters = spec.check_request(call.request)
        self.coverage.record(self.marketplace, spec.name, call.operation_id, "request", errors)
        if errors:
            call.rejected = True
            return self.invalid_request_response(call, describe_errors(errors))
        call.parameters = parameters
        return None

    def _check_response(self, call, response):
        spec = self.contracts[call.route.api]
        errors = spec.check_response(call.request, response)
        if call.rejected and all(is_routing_error(e) for e in errors):
            # The request itself matched no operation (reported to the client already):
            # there is no response schema to hold the answer to.
            return
        self.coverage.record(self.marketplace, spec.name, call.operation_id, "response", errors)
        if errors:
            messages = describe_errors(errors)
            self.contract_failures.append((call.operation_id, messages))
            if self.strict:
                raise ContractViolation(self.marketplace, call.operation_id, messages)
            _logger.warning("%s %s breaks the contract: %s", self.marketplace, call, messages)

    def _delay(self, call, seconds):
        """A slow answer: past the client's read timeout it becomes a lost answer."""
        if call.request.environ.get(ENV_SERVER_MODE):
            # Over a socket the client must really wait (and may time out by itself).
            time.sleep(seconds)
            if not self.clock.realtime:
                self.clock.advance(seconds)
            return
        client_timeout = call.request.environ.get(ENV_CLIENT_TIMEOUT)
        if client_timeout is not None and seconds >= client_timeout:
            self.clock.sleep(client_timeout)
            raise SimulatedTimeout(call.operation_id)
        self.clock.sleep(seconds)
