"""LWA token grant, SP-API access checks and token expiry."""

import pytest
from amazon_support import LWA_URL, ORDERS, error_codes, login, make, since, token_form
from marketplace_sim.amazon import BASE_URL, DEFAULT_REFRESH_TOKEN, TOKEN_TTL, AmazonSimulator
from marketplace_sim.core import requests_session

PARTICIPATIONS = BASE_URL + "/sellers/v1/marketplaceParticipations"


@pytest.fixture
def sim():
    return AmazonSimulator(seed=3)


@pytest.fixture
def session(sim):
    return requests_session(sim, BASE_URL, LWA_URL)


def test_refresh_token_grant_returns_bearer_token(session):
    body = login(session)
    assert body["access_token"].startswith("Atza|")
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    response = session.get(PARTICIPATIONS)
    assert response.status_code == 200
    countries = {p["marketplace"]["countryCode"] for p in response.json()["payload"]}
    assert {"US", "DE", "GB", "FR"} <= countries


@pytest.mark.parametrize(
    ("overrides", "status", "error"),
    [
        ({"client_secret": "wrong"}, 401, "invalid_client"),
        ({"client_id": "unknown-app"}, 401, "invalid_client"),
        ({"refresh_token": "Atzr|not-issued"}, 400, "invalid_grant"),
        ({"refresh_token": None}, 400, "invalid_request"),
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        ({"grant_type": "client_credentials", "scope": "nonsense"}, 400, "invalid_scope"),
    ],
)
def test_token_errors_are_oauth_shaped(session, overrides, status, error):
    response = session.post(LWA_URL + "/auth/o2/token", data=token_form(**overrides))
    assert response.status_code == status
    assert response.json()["error"] == error
    assert response.json()["error_description"]


def test_revoked_refresh_token_is_invalid_grant_and_kills_access_tokens(sim, session):
    login(session)
    sim.control.revoke_refresh_token(DEFAULT_REFRESH_TOKEN)
    response = session.post(LWA_URL + "/auth/o2/token", data=token_form())
    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")
    assert session.get(PARTICIPATIONS).status_code == 403


def test_missing_and_unknown_access_token_are_403_unauthorized(session):
    response = session.get(PARTICIPATIONS)
    assert response.status_code == 403
    assert error_codes(response) == ["Unauthorized"]
    assert response.headers["x-amzn-ErrorType"] == "AccessDeniedException"
    session.headers["x-amz-access-token"] = "Atza|forged"
    response = session.get(PARTICIPATIONS)
    assert response.status_code == 403
    assert "invalid" in response.json()["errors"][0]["details"]


def test_access_token_expires_after_one_hour_of_simulated_time(sim, session):
    login(session)
    sim.control.advance(TOKEN_TTL - 1)
    assert session.get(PARTICIPATIONS).status_code == 200
    sim.control.advance(1)
    response = session.get(PARTICIPATIONS)
    assert response.status_code == 403
    assert response.json()["errors"][0]["details"] == "The access token you provided has expired."
    login(session)  # a refresh fixes it, as a connector would do once
    assert session.get(PARTICIPATIONS).status_code == 200


def test_grantless_token_cannot_read_seller_data(session):
    response = session.post(
        LWA_URL + "/auth/o2/token",
        data=token_form(
            grant_type="client_credentials",
            refresh_token=None,
            scope="sellingpartnerapi::notifications",
        ),
    )
    assert response.status_code == 200
    session.headers["x-amz-access-token"] = response.json()["access_token"]
    assert session.get(PARTICIPATIONS).status_code == 403


def test_restricted_data_token_works_as_access_token():
    sim, session = make()
    response = session.post(
        BASE_URL + "/tokens/2021-03-01/restrictedDataToken",
        json={
            "restrictedResources": [
                {
                    "method": "GET",
                    "path": "/orders/2026-01-01/orders",
                    "dataElements": ["buyerInfo"],
                }
            ]
        },
    )
    assert response.status_code == 200, response.text
    rdt = response.json()["restrictedDataToken"]
    assert response.json()["expiresIn"] == 3600
    session.headers["x-amz-access-token"] = rdt
    sim.control.create_order()
    response = session.get(ORDERS, params={"createdAfter": since(sim, 3600)})
    assert response.status_code == 200
