"""The SimApp pipeline on a toy marketplace: contracts, hooks, control API, transports."""

import httpx
import pytest
import requests
from marketplace_sim.core import (
    COVERAGE,
    ContractCoverage,
    ContractSpec,
    ContractViolation,
    LoopbackServer,
    RateLimit,
    SimApp,
    SimError,
    httpx_client,
    json_response,
    operation,
    requests_session,
)

STRING = {"type": "string"}
TOY_SPEC = {
    "openapi": "3.0.0",
    "info": {"title": "toy", "version": "1"},
    "servers": [{"url": "https://api.toy.example/v1"}],
    "paths": {
        "/things/{thingId}": {
            "get": {
                "operationId": "getThing",
                "parameters": [
                    {"name": "thingId", "in": "path", "required": True, "schema": STRING},
                    {"name": "lang", "in": "query", "required": True, "schema": STRING},
                ],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["id", "size"],
                                    "properties": {
                                        "id": {"type": "string"},
                                        "size": {"type": "integer"},
                                    },
                                }
                            }
                        },
                    },
                    "default": {
                        "description": "error",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["fault"],
                                    "properties": {"fault": {"type": "string"}},
                                }
                            }
                        },
                    },
                },
            }
        }
    },
}
BASE = "https://api.toy.example"


class ToySimulator(SimApp):
    marketplace = "toy"
    contracts = {"toy_v1": ContractSpec("toy", "toy_v1", TOY_SPEC)}
    coverage = ContractCoverage()  # keep the toy out of the real marketplaces' report
    rate_limits = {"getThing": RateLimit(1, 3)}

    def error_response(self, call, status, code, message, details=None, headers=None):
        return json_response({"fault": f"{code}: {message}"}, status, headers)

    @operation("GET", "/v1/things/<thingId>", api="toy_v1")
    def getThing(self, call):
        thing_id = call.path_args["thingId"]
        if thing_id == "missing":
            raise SimError(404, "NotFound", "no such thing")
        if thing_id == "broken":
            return json_response({"id": thing_id, "size": "big"})  # breaks the contract
        return json_response({"id": thing_id, "size": len(thing_id)})

    @operation("GET", "/whoami", auth=False, rate_key=None)  # outside the contract
    def whoami(self, call):
        return json_response({"base_url": call.base_url})


@pytest.fixture
def toy():
    return ToySimulator(seed=1)


@pytest.fixture
def session(toy):
    return requests_session(toy, BASE)


def test_valid_call_is_recorded_with_the_proving_test(toy, session, request):
    toy.coverage.reset()
    session.get(f"{BASE}/v1/things/abc")  # rejected: not proof of anything
    assert toy.coverage.validated() == {}
    assert toy.coverage.failures[0][3] == "request"
    response = session.get(f"{BASE}/v1/things/abc", params={"lang": "de"})
    assert response.json() == {"id": "abc", "size": 3}
    assert toy.coverage.validated() == {("toy", "toy_v1", "getThing"): [request.node.nodeid]}
    assert toy.coverage.report()[-1] == "contracts: 1 operations validated"
    assert ("toy", "toy_v1", "getThing") not in COVERAGE.validated()


def test_invalid_request_is_rejected_in_the_marketplace_shape(toy, session):
    response = session.get(f"{BASE}/v1/things/abc")  # required "lang" missing
    assert response.status_code == 400
    assert response.json()["fault"].startswith("InvalidInput")
    assert "lang" in response.json()["fault"]
    assert toy.calls[-1][2:] == ("getThing", 400)


def test_contract_breaking_response_fails_loudly_in_strict_mode(session):
    with pytest.raises(ContractViolation, match="size"):
        session.get(f"{BASE}/v1/things/broken", params={"lang": "de"})


def test_non_strict_mode_records_instead_of_raising():
    toy = ToySimulator(strict=False)
    response = requests_session(toy, BASE).get(f"{BASE}/v1/things/broken", params={"lang": "de"})
    assert response.status_code == 200
    assert toy.contract_failures[0][0] == "getThing"


def test_validation_can_be_switched_off():
    toy = ToySimulator(validate=False)
    response = requests_session(toy, BASE).get(f"{BASE}/v1/things/broken")
    assert response.json()["size"] == "big"


def test_in_process_links_use_the_host_the_client_called(session):
    assert session.get(f"{BASE}/whoami").json() == {"base_url": BASE}


def test_errors_and_unknown_paths_use_the_hooks(session):
    missing = session.get(f"{BASE}/v1/things/missing", params={"lang": "de"})
    assert (missing.status_code, missing.json()) == (404, {"fault": "NotFound: no such thing"})
    unknown = session.get(f"{BASE}/v1/elsewhere")
    assert unknown.status_code == 404 and unknown.json()["fault"].startswith("NotFound")


def test_rate_limit_uses_the_throttle_hook(toy, session):
    statuses = [
        session.get(f"{BASE}/v1/things/a", params={"lang": "x"}).status_code for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    toy.control.advance(1)
    assert session.get(f"{BASE}/v1/things/a", params={"lang": "x"}).status_code == 200


def test_control_http_api(toy):
    client = httpx_client(toy)
    listing = client.get(f"{BASE}/_sim").json()
    assert listing["marketplace"] == "toy" and "advance" in listing["methods"]
    before = toy.clock.now()
    assert client.post(f"{BASE}/_sim/advance", json={"seconds": 60}).json()["result"] == before + 60
    client.post(f"{BASE}/_sim/set_fault", json={"kind": "error", "status": 502, "remaining": 1})
    assert client.get(f"{BASE}/v1/things/a", params={"lang": "x"}).status_code == 502
    assert client.post(f"{BASE}/_sim/explode", json={}).status_code == 404
    assert client.post(f"{BASE}/_sim/advance", json={"minutes": 1}).status_code == 400
    calls = client.post(f"{BASE}/_sim/calls").json()["result"]
    assert calls == [["GET", "/v1/things/a", "getThing", 502]]


def test_httpx_transport_maps_timeouts_and_faults(toy):
    client = httpx_client(toy)
    toy.control.set_fault("timeout", operation="getThing", remaining=1)
    with pytest.raises(httpx.ReadTimeout):
        client.get(f"{BASE}/v1/things/a", params={"lang": "x"})
    toy.control.set_fault("slow", delay=20, remaining=1)
    with pytest.raises(httpx.ReadTimeout):
        client.get(f"{BASE}/v1/things/a", params={"lang": "x"}, timeout=5)
    assert client.get(f"{BASE}/v1/things/a", params={"lang": "x"}).status_code == 200


def test_loopback_server_serves_real_sockets(toy):
    with LoopbackServer(toy) as server:
        url = server.url
        assert url.startswith("http://127.0.0.1:")
        response = requests.get(f"{server.url}/v1/things/abc", params={"lang": "de"}, timeout=5)
        assert response.json() == {"id": "abc", "size": 3}
        requests.post(f"{server.url}/_sim/set_fault", json={"kind": "timeout"}, timeout=5)
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.get(f"{server.url}/v1/things/abc", params={"lang": "de"}, timeout=5)
        requests.post(f"{server.url}/_sim/clear_faults", json={}, timeout=5)
        # Links handed out point at the server even when the client sends a wrong Host.
        whoami = requests.get(f"{url}/whoami", headers={"Host": "27.0.0.1:1"}, timeout=5)
        assert whoami.json() == {"base_url": url}
        assert requests.get(f"{server.url}/v1/things/x", params={"lang": "de"}, timeout=5).ok
    with pytest.raises(requests.exceptions.ConnectionError):  # stopped: nothing listens
        requests.get(f"{url}/v1/things/abc", timeout=1)
