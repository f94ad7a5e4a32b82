"""Shared simulator core: contracts, rate limits, faults, WSGI base, transports."""

from .app import (
    Call,
    Route,
    SimApp,
    SimError,
    empty_response,
    json_response,
    operation,
)
from .clock import SimClock, isoformat, parse_datetime
from .contracts import (
    COVERAGE,
    SPECS_DIR,
    ContractCoverage,
    ContractSpec,
    ContractViolation,
    describe_errors,
    drop_null_defaults,
)
from .control import SimControl, exposed
from .datagen import COUNTRIES, DataGenerator, money
from .faults import FaultInjector, FaultRule, SimulatedTimeout
from .ratelimit import RateLimit, RateLimiter, Throttle, TokenBucket
from .server import LoopbackServer
from .transport import HttpxTransport, WSGIAdapter, httpx_client, requests_session
