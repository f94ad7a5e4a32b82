"""Etsy simulator: every operation validated against the OAS3 contract; server and CLI."""

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from marketplace_sim import load_simulator
from marketplace_sim.core import COVERAGE, ContractCoverage, ContractViolation, LoopbackServer
from marketplace_sim.etsy import EtsySimulator
from marketplace_sim.etsy.contract_calls import OPERATIONS, EtsyTestClient, exercise

# openapi-core warns that it cannot check the oauth2 scheme; the simulator checks it.
pytestmark = pytest.mark.filterwarnings("ignore:Unsupported scheme type")
SIMULATORS_DIR = Path(__file__).resolve().parents[2] / "simulators"


def test_every_operation_is_validated_both_ways(request):
    sim = exercise()
    assert sim.contract_failures == []
    validated = {
        operation
        for (marketplace, _api, operation), tests in COVERAGE.validated().items()
        if marketplace == "etsy" and request.node.nodeid in tests
    }
    assert validated == set(OPERATIONS)
    assert not [f for f in COVERAGE.failures if f[0] == "etsy" and f[5] == request.node.nodeid]


def test_registered_for_the_cli():
    assert load_simulator("etsy") is EtsySimulator


def test_a_response_breaking_the_contract_fails_loudly(monkeypatch):
    # A private registry: this deliberate failure must not fail the shared coverage check.
    monkeypatch.setattr("marketplace_sim.core.app.COVERAGE", ContractCoverage())
    sim = EtsySimulator(seed=1, receipts_per_shop=1)
    receipt_id = next(iter(sim.state.receipts))
    sim.state.receipts[receipt_id]["status"] = "lost in the post"  # not in the enum
    client = EtsyTestClient(sim)
    with pytest.raises(ContractViolation):
        client.get(client.shop(f"/receipts/{receipt_id}"))


def test_unknown_route_is_404_in_etsy_shape():
    sim = EtsySimulator(seed=1, receipts_per_shop=1)
    with LoopbackServer(sim) as server:
        response = requests.get(f"{server.url}/v3/application/nothing-here", timeout=5)
    assert response.status_code == 404
    assert set(response.json()) == {"error"}


def test_loopback_server_serves_token_and_api_calls():
    sim = EtsySimulator(seed=1, receipts_per_shop=3)
    creds = sim.control.credentials()
    tokens = sim.control.issue_tokens()
    with LoopbackServer(sim) as server:
        refreshed = requests.post(
            f"{server.url}/v3/public/oauth/token",
            data={
                "grant_type": "refresh_token",
                "client_id": creds["keystring"],
                "refresh_token": tokens["refresh_token"],
            },
            timeout=5,
        ).json()
        response = requests.get(
            f"{server.url}/v3/application/shops/{creds['shops'][0]['shop_id']}/receipts",
            headers={
                "x-api-key": creds["api_key"],
                "Authorization": f"Bearer {refreshed['access_token']}",
            },
            timeout=5,
        )
    assert response.status_code == 200
    assert response.json()["count"] == 3


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_cli_serves_etsy():
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "marketplace_sim", "serve", "etsy", "--port", str(port)],
        cwd=SIMULATORS_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                control = requests.get(f"{base}/_sim", timeout=2).json()
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "simulator did not start"
                time.sleep(0.2)
        assert control["marketplace"] == "etsy"
        assert "issue_tokens" in control["methods"]
        creds = requests.post(f"{base}/_sim/credentials", json={}, timeout=5).json()["result"]
        pong = requests.get(
            f"{base}/v3/application/openapi-ping",
            headers={"x-api-key": creds["api_key"]},
            timeout=10,
        )
        assert pong.status_code == 200
        assert "application_id" in pong.json()
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_handlers_work_without_contract_validation():
    sim = EtsySimulator(seed=2, validate=False)
    client = EtsyTestClient(sim)
    paid = client.receipts(was_paid="false", limit=3).json()
    assert paid["results"]
    assert all(not r["is_paid"] for r in paid["results"])
    profiles = client.get(client.shop("/shipping-profiles")).json()["results"]
    ready = client.get(client.shop("/readiness-state-definitions")).json()["results"]
    form = {
        "quantity": "2",
        "title": "Unvalidated",
        "description": "d",
        "price": "9.99",
        "who_made": "i_did",
        "when_made": "made_to_order",
        "taxonomy_id": "1",
        "shipping_profile_id": str(profiles[0]["shipping_profile_id"]),
        "readiness_state_id": str(ready[0]["readiness_state_id"]),
        "tags": "a,b",
    }
    created = client.request("POST", client.shop("/listings"), data=form)
    assert created.status_code == 201
    assert created.json()["price"]["amount"] == 999
    assert created.json()["tags"] == ["a", "b"]
    incomplete = client.request("POST", client.shop("/listings"), data={"title": "x"})
    assert incomplete.status_code == 400
    assert incomplete.json()["error"].startswith("Missing required parameter(s): quantity")
