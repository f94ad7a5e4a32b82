"""eBay simulator: OAuth refresh grant, bearer checks, token expiry in simulated time."""

import base64
import hashlib
import json

import pytest
from cryptography.hazmat.backends import default_backend
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from marketplace_sim.ebay import EbaySimulator
from marketplace_sim.ebay.auth import ACCESS_TOKEN_TTL, BASE_SCOPE, INVALID_GRANT
from marketplace_sim.ebay.contract_calls import (
    FULFILLMENT,
    INVENTORY,
    NOTIFICATION,
    TOKEN_URL,
    EbayTestClient,
)


@pytest.fixture
def sim():
    return EbaySimulator(seed=3, orders=5)


@pytest.fixture
def client(sim):
    return EbayTestClient(sim)


def test_refresh_grant_returns_user_token(client):
    """A refresh grant with Basic client credentials gives a 7200 s User Access Token."""
    response = client.token()
    assert response.status_code == 200
    body = response.json()
    assert body["expires_in"] == ACCESS_TOKEN_TTL == 7200
    assert body["token_type"] == "User Access Token"
    assert "refresh_token" not in body  # eBay does not rotate refresh tokens
    assert client.get(f"{FULFILLMENT}/order").status_code == 200


def test_access_token_expires_in_simulated_time(sim, client):
    """After 7200 simulated seconds the bearer is refused with 401 / 1001; the same
    (non-rotated) refresh token then gets a new one."""
    client.token()
    sim.control.advance(ACCESS_TOKEN_TTL - 1)
    assert client.get(f"{FULFILLMENT}/order").status_code == 200
    sim.control.advance(1)
    expired = client.get(f"{FULFILLMENT}/order")
    assert expired.status_code == 401
    error = expired.json()["errors"][0]
    assert (error["errorId"], error["domain"], error["message"]) == (
        1001,
        "OAuth",
        "Invalid access token",
    )
    assert client.token().status_code == 200
    assert client.get(f"{FULFILLMENT}/order").status_code == 200


@pytest.mark.parametrize(
    "refresh_token",
    ["v^1.1#i^1#r^1#unknown", ""],
    ids=["unknown-token", "empty-token"],
)
def test_bad_refresh_token_is_rejected_in_oauth_shape(client, refresh_token):
    """An unknown refresh token gives 400 invalid_grant (an empty one invalid_request),
    in the OAuth error shape, not the Sell one."""
    response = client.session.post(
        TOKEN_URL,
        data={"grant_type": "refresh_token", "refresh_token": refresh_token},
        headers={"Authorization": client.basic()},
        timeout=10,
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"error", "error_description"}
    if refresh_token:
        assert body == {"error": "invalid_grant", "error_description": INVALID_GRANT}
    else:
        assert body["error"] == "invalid_request"


def test_revoked_and_foreign_refresh_tokens_give_invalid_grant(sim, client):
    """A revoked consent, or a refresh token issued to another app, is invalid_grant."""
    revoked = sim.control.issue_refresh_token()
    sim.control.revoke_token(revoked)
    assert client.token(refresh_token=revoked).json()["error"] == "invalid_grant"
    foreign = sim.tokens.issue_refresh_token(sim.clock.now(), client_id="OtherApp-PRD-1").value
    assert client.token(refresh_token=foreign).json()["error"] == "invalid_grant"


def test_wrong_client_secret_is_invalid_client(client):
    response = client.token(auth=client.basic(secret="wrong"))
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_scope_beyond_consent_is_invalid_scope(sim, client):
    narrow = sim.control.issue_refresh_token([f"{BASE_SCOPE}/sell.fulfillment"])
    response = client.token(refresh_token=narrow, scope=f"{BASE_SCOPE}/sell.inventory")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


def test_token_without_the_api_scope_gets_403_access_denied(sim, client):
    """A user token consented for fulfillment only cannot call the Inventory API."""
    narrow = sim.control.issue_refresh_token([f"{BASE_SCOPE}/sell.fulfillment"])
    assert client.token(refresh_token=narrow).status_code == 200
    assert client.get(f"{FULFILLMENT}/order").status_code == 200
    response = client.get(f"{INVENTORY}/inventory_item/ANY")
    assert response.status_code == 403
    assert response.json()["errors"][0]["errorId"] == 1100


@pytest.mark.parametrize(
    "authorization", [None, "Bearer nonsense", "Basic abc"], ids=["none", "unknown", "basic"]
)
def test_sell_calls_require_a_valid_bearer(client, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = client.session.get(f"{FULFILLMENT}/order", headers=headers, timeout=10)
    assert response.status_code == 401
    assert response.json()["errors"][0]["errorId"] == 1001


def test_unsupported_grant_and_non_form_body(client):
    assert client.token("password").json()["error"] == "unsupported_grant_type"
    response = client.session.post(
        TOKEN_URL,
        json={"grant_type": "refresh_token", "refresh_token": client.refresh_token},
        headers={"Authorization": client.basic()},
        timeout=10,
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_application_token_reads_public_key_and_verifies_signature(sim, client):
    """client_credentials gives an Application token: enough for getPublicKey, whose key
    verifies the X-EBAY-SIGNATURE the simulator puts on a push message; not for Sell."""
    response = client.token("client_credentials")
    assert response.json()["token_type"] == "Application Access Token"
    assert client.get(f"{FULFILLMENT}/order").status_code == 403
    key_id = sim.control.public_key_id()
    key = client.get(f"{NOTIFICATION}/public_key/{key_id}").json()
    assert (key["algorithm"], key["digest"]) == ("ECDSA", "SHA1")
    body = json.dumps({"metadata": {"topic": "MARKETPLACE_ACCOUNT_DELETION"}}).encode()
    header = json.loads(base64.b64decode(sim.control.signature_header(body.decode())))
    assert header["kid"] == key_id
    public = serialization.load_pem_public_key(key["key"].encode(), default_backend())
    public.verify(base64.b64decode(header["signature"]), body, ec.ECDSA(hashes.SHA1()))


def test_unknown_public_key_id_is_404_195001(client):
    client.token("client_credentials")
    response = client.get(f"{NOTIFICATION}/public_key/{hashlib.sha1(b'x').hexdigest()}")
    assert response.status_code == 404
    error = response.json()["errors"][0]
    assert (error["errorId"], error["domain"]) == (195001, "API_NOTIFICATION")
