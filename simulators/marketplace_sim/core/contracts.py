"""Contract validation of simulator traffic against the marketplaces' OpenAPI files.

Every request a simulator accepts and every response it returns goes through
openapi-core. Results land in the process-wide ``COVERAGE`` registry so a contract
test can list which operations were proven, and by which test.
"""

import copy
import json
import os
import threading
import warnings
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

from jsonschema_path import SchemaPath
from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_core.exceptions import OpenAPIError
from openapi_core.templating.paths.exceptions import PathError


# The specs live outside the repo in this workspace; SIM_SPECS_DIR moves them elsewhere.
def _default_specs_dir():
    """The official contracts: ``$SIM_SPECS_DIR``, else ``shared/specs`` beside the checkout."""
    if os.environ.get("SIM_SPECS_DIR"):
        return Path(os.environ["SIM_SPECS_DIR"])
    checkout = Path(__file__).resolve().parents[3]
    return checkout.parent / "shared" / "specs"


SPECS_DIR = _default_specs_dir()


class ContractViolation(AssertionError):
    """The simulator produced a response its own contract rejects (a simulator bug).

    An AssertionError so that it fails the test that triggered it.
    """

    def __init__(self, marketplace, operation, errors):
        self.marketplace, self.operation, self.errors = marketplace, operation, errors
        super().__init__(f"{marketplace} {operation}: response breaks the contract: {errors}")


def is_routing_error(error):
    """True when the request matched no path/operation of the contract at all."""
    return isinstance(error, PathError)


def describe_errors(errors):
    """Flatten openapi-core's nested exceptions into readable one-line strings."""
    lines = []
    for error in errors:
        nested = getattr(error, "schema_errors", None) or getattr(
            error.__cause__, "schema_errors", None
        )
        if nested:
            for sub in nested:
                where = "/".join(str(p) for p in sub.absolute_path) or "<root>"
                lines.append(f"{type(error).__name__}: {where}: {sub.message}")
        elif error.__cause__ is not None:
            lines.append(f"{error}: {error.__cause__}")
        else:
            lines.append(str(error))
    return lines


def drop_null_defaults(node):
    """Remove ``default: null`` on non-nullable schemas (Etsy quirk, see specs README).

    openapi-core otherwise rejects requests that simply leave those parameters out.
    Returns a modified deep copy.
    """
    node = copy.deepcopy(node)
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if "default" in item and item["default"] is None and not item.get("nullable"):
                del item["default"]
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return node


class _ProductionRequest(WerkzeugOpenAPIRequest):
    """A werkzeug request presented as if it was sent to the production host."""

    def __init__(self, request, host_url):
        super().__init__(request)
        self._host_url = host_url

    @property
    def host_url(self):
        return self._host_url

    @property
    def path(self):
        # The still-encoded path: an SKU such as "A/B" arrives as "A%2FB" and must stay
        # one path segment for the contract's path templates.
        raw = self.request.environ.get("RAW_URI") or self.request.environ.get("REQUEST_URI")
        if raw:
            return raw.split("?", 1)[0]
        return super().path


class ContractSpec:
    """One OpenAPI 3 document, loaded lazily and shared by every simulator instance.

    ``name`` identifies the API inside a marketplace (e.g. ``orders_2026-01-01``), since
    the same operationId can exist in two files (Amazon ``getOrder``).
    ``validate_spec=False`` skips openapi-core's check of the document itself (Etsy).
    ``preprocess`` rewrites the loaded dict before use (e.g. ``drop_null_defaults``).
    ``server_url`` is the production base the requests are validated against; by default
    the scheme and host of the document's first server.
    """

    _cache = {}
    _cache_lock = threading.Lock()

    def __init__(
        self, marketplace, name, path, validate_spec=True, preprocess=None, server_url=None
    ):
        self.marketplace = marketplace
        self.name = name
        self.path = Path(path) if not isinstance(path, dict) else None
        self._document = path if isinstance(path, dict) else None
        self.validate_spec = validate_spec
        self.preprocess = preprocess
        self._server_url = server_url
        self._lock = threading.Lock()

    @property
    def document(self):
        if self._document is None:
            with self.path.open(encoding="utf-8") as handle:
                document = json.load(handle)
            self._document = self.preprocess(document) if self.preprocess else document
        return self._document

    @property
    def server_url(self):
        if self._server_url is None:
            url = self.document.get("servers", [{"url": "/"}])[0]["url"]
            parts = urlsplit(url)
            self._server_url = f"{parts.scheme}://{parts.netloc}/"
        return self._server_url

    @property
    def openapi(self):
        # Building the OpenAPI object parses (and by default validates) a large document:
        # do it once per file per process, not once per simulator.
        key = (str(self.path) if self.path else id(self._document), self.validate_spec)
        with self._cache_lock:
            api = self._cache.get(key)
            if api is None:
                config = Config() if self.validate_spec else Config(spec_validator_cls=None)
                api = OpenAPI(SchemaPath.from_dict(self.document), config=config)
                self._cache[key] = api
            return api

    def check_request(self, request):
        """Validate a werkzeug request; return (errors, unmarshalled parameters)."""
        with self._lock, warnings.catch_warnings():
            # openapi-core cannot check OAuth2 schemes and warns on every request; the
            # simulators check tokens themselves (authenticate hook): only noise.
            warnings.filterwarnings("ignore", "Unsupported scheme type", UserWarning)
            result = self.openapi.unmarshal_request(_ProductionRequest(request, self.server_url))
        return list(result.errors), result.parameters

    def check_response(self, request, response):
        """Validate a werkzeug response to ``request``; return the list of errors."""
        with self._lock, warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Unsupported scheme type", UserWarning)
            # validate (not unmarshal): same verdict, tens of times faster on big pages.
            try:
                self.openapi.validate_response(
                    _ProductionRequest(request, self.server_url),
                    WerkzeugOpenAPIResponse(response),
                )
            except OpenAPIError as exc:
                return [exc]
        return []


def current_test():
    """The pytest node id running now (pytest sets this variable), or None."""
    value = os.environ.get("PYTEST_CURRENT_TEST")
    return value.rsplit(" (", 1)[0] if value else None


class ContractCoverage:
    """Process-wide record of validated traffic per (marketplace, api, operationId)."""

    def __init__(self):
        self._lock = threading.Lock()
        self.reset()

    def reset(self):
        with self._lock:
            self._ok = defaultdict(lambda: {"request": set(), "response": set()})
            self.failures = []  # (marketplace, api, operation, kind, [messages], test)

    def record(self, marketplace, api, operation, kind, errors=()):
        test = current_test() or "<no test>"
        with self._lock:
            if errors:
                self.failures.append(
                    (marketplace, api, operation, kind, describe_errors(errors), test)
                )
            else:
                self._ok[(marketplace, api, operation)][kind].add(test)

    def validated(self):
        """{(marketplace, api, operation): tests} for operations whose request AND response
        both validated at least once; the tests are those that saw both, if any."""
        with self._lock:
            return {
                # Tests that saw both directions validate come first.
                key: sorted(seen["request"] & seen["response"])
                or sorted(seen["request"] | seen["response"])
                for key, seen in self._ok.items()
                if seen["request"] and seen["response"]
            }

    def report(self):
        """Human-readable lines: per marketplace each operation and a proving test.

        A behavioural test is named in preference to the tests/contracts/ sweep.
        """
        validated = {
            key: sorted(tests, key=lambda t: (t.startswith("tests/contracts/"), t))
            for key, tests in self.validated().items()
        }
        lines = []
        for marketplace in sorted({key[0] for key in validated}):
            lines.append(f"{marketplace}:")
            for (mkt, api, operation), tests in sorted(validated.items()):
                if mkt == marketplace:
                    lines.append(f"  {api}.{operation}  <- {tests[0]}")
        lines.append(f"contracts: {len(validated)} operations validated")
        return lines


COVERAGE = ContractCoverage()
