"""Etsy simulator: x-api-key, Bearer tokens, scopes, PKCE and rotating refresh tokens."""

import secrets

import pytest
from marketplace_sim.etsy import TOKEN_URL, EtsySimulator
from marketplace_sim.etsy.auth import ACCESS_TOKEN_TTL, pkce_challenge
from marketplace_sim.etsy.contract_calls import EtsyTestClient

# openapi-core warns that it cannot check the oauth2 scheme; the simulator checks it.
pytestmark = pytest.mark.filterwarnings("ignore:Unsupported scheme type")


@pytest.fixture
def sim():
    return EtsySimulator(seed=3)


@pytest.fixture
def client(sim):
    return EtsyTestClient(sim)


@pytest.mark.parametrize(
    ("api_key", "status", "error"),
    [
        (None, 401, "Missing x-api-key header or client_id"),
        ("simetsykeystring0001", 403, "Shared secret is required in x-api-key header."),
        (
            "simetsykeystring0001:wrong",
            403,
            "Invalid API key: should be in the format 'keystring:shared_secret'.",
        ),
        ("otherkeystring:simetsysecret01", 403, "Invalid API key"),
    ],
)
def test_api_key_is_checked_on_every_call(client, api_key, status, error):
    response = client.session.get(
        "https://openapi.etsy.com/v3/application/openapi-ping",
        headers=client.headers(bearer=False, api_key=api_key),
        timeout=5,
    )
    assert response.status_code == status
    assert response.json() == {"error": error}


def test_ping_needs_only_the_api_key(client, sim):
    response = client.get("/openapi-ping", bearer=False)
    assert response.status_code == 200
    assert response.json() == {"application_id": sim.application_id}


def test_shop_calls_need_a_bearer_token(client):
    response = client.receipts(bearer=False, limit=1)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"


def test_tokens_look_like_etsy_tokens(client, sim):
    user_id = sim.state.shops[client.shop_id].user_id
    assert client.tokens["access_token"].startswith(f"{user_id}.")
    assert client.tokens["refresh_token"].startswith(f"{user_id}.")
    assert client.tokens["token_type"] == "Bearer"
    assert client.tokens["expires_in"] == ACCESS_TOKEN_TTL


def test_access_token_expires_after_an_hour(client, sim):
    assert client.receipts(limit=1).status_code == 200
    sim.control.advance(ACCESS_TOKEN_TTL)
    response = client.receipts(limit=1)
    assert response.status_code == 401
    assert response.json() == {
        "error": "invalid_token",
        "error_description": "access token is expired",
    }
    assert client.refresh().status_code == 200
    assert client.receipts(limit=1).status_code == 200


def test_unknown_access_token_is_invalid(client):
    response = client.receipts(limit=1, headers={"Authorization": "Bearer 1.forged"})
    assert response.status_code == 401
    assert response.json()["error_description"] == "access token is invalid"


def test_refresh_token_rotates_and_the_old_one_is_revoked(client):
    old = dict(client.tokens)
    response = client.refresh()
    assert response.status_code == 200
    new = response.json()
    assert new["refresh_token"] != old["refresh_token"]
    assert new["access_token"] != old["access_token"]
    # The pre-refresh access token keeps working until it expires, like Etsy's.
    assert client.receipts(limit=1, headers={"Authorization": f"Bearer {old['access_token']}"}).ok
    reused = client.refresh(old["refresh_token"])
    assert reused.status_code == 400
    assert reused.json() == {
        "error": "invalid_grant",
        "error_description": "refresh_token is revoked",
    }
    # The rotated token still works, exactly once.
    assert client.refresh(new["refresh_token"]).status_code == 200
    assert client.refresh(new["refresh_token"]).status_code == 400


def test_refresh_token_reuse_can_be_allowed():
    sim = EtsySimulator(seed=3, reuse_refresh_tokens=True)
    client = EtsyTestClient(sim)
    first = client.tokens["refresh_token"]
    assert client.refresh(first).status_code == 200
    assert client.refresh(first).status_code == 200


def test_refresh_with_wrong_client_id_is_refused(client):
    response = client.session.post(
        TOKEN_URL,
        data={
            "grant_type": "refresh_token",
            "client_id": "nope",
            "refresh_token": client.tokens["refresh_token"],
        },
        timeout=5,
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_refresh_token_expires_after_90_days(client, sim):
    sim.control.advance(90 * 86400)
    response = client.refresh()
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_pkce_authorization_code_flow(client, sim):
    verifier = secrets.token_urlsafe(48)
    redirect = "https://odoo.example.com/etsy/callback"
    code = sim.control.authorize(pkce_challenge(verifier), redirect, shop_id=client.shop_id)
    form = {
        "grant_type": "authorization_code",
        "client_id": client.keystring,
        "redirect_uri": redirect,
        "code": code,
        "code_verifier": "not-the-verifier",
    }
    wrong = client.session.post(TOKEN_URL, data=form, timeout=5)
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    # A failed exchange burns the code, as single-use codes do.
    code = sim.control.authorize(pkce_challenge(verifier), redirect, shop_id=client.shop_id)
    response = client.session.post(
        TOKEN_URL, data={**form, "code": code, "code_verifier": verifier}, timeout=5
    )
    assert response.status_code == 200
    client.tokens = response.json()
    assert client.receipts(limit=1).status_code == 200
    again = client.session.post(
        TOKEN_URL, data={**form, "code": code, "code_verifier": verifier}, timeout=5
    )
    assert again.status_code == 400


def test_missing_scope_is_forbidden(sim):
    client = EtsyTestClient(sim, scopes=["listings_r"])
    response = client.receipts(limit=1)
    assert response.status_code == 403
    assert "transactions_r" in response.json()["error"]


def test_token_of_another_seller_cannot_read_this_shop(sim):
    client = EtsyTestClient(sim, shop_index=0)
    other_shop = sim.control.credentials()["shops"][1]["shop_id"]
    response = client.get(f"/shops/{other_shop}/receipts")
    assert response.status_code == 403
    assert set(response.json()) == {"error"}


def test_password_change_revokes_every_token(client, sim):
    sim.control.revoke_tokens(client.shop_id)
    assert client.receipts(limit=1).status_code == 401
    assert client.refresh().status_code == 400
