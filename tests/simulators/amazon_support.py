"""Helpers shared by the Amazon simulator tests (plain functions, not fixtures)."""

from marketplace_sim.amazon import (
    BASE_URL,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_REFRESH_TOKEN,
    DEFAULT_SELLER_ID,
    LWA_URL,
    AmazonSimulator,
)
from marketplace_sim.core import isoformat, requests_session

SELLER = DEFAULT_SELLER_ID
ORDERS = BASE_URL + "/orders/2026-01-01/orders"
LISTINGS = f"{BASE_URL}/listings/2021-08-01/items/{SELLER}"
FEEDS = BASE_URL + "/feeds/2021-06-30"


def token_form(**overrides):
    form = {
        "grant_type": "refresh_token",
        "refresh_token": DEFAULT_REFRESH_TOKEN,
        "client_id": DEFAULT_CLIENT_ID,
        "client_secret": DEFAULT_CLIENT_SECRET,
    }
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


def login(session):
    """Exchange the default refresh token and put the access token on the session."""
    response = session.post(LWA_URL + "/auth/o2/token", data=token_form())
    assert response.status_code == 200, response.text
    session.headers["x-amz-access-token"] = response.json()["access_token"]
    return response.json()


def make(seed=0, **kwargs):
    """(simulator, logged-in requests session talking to it in-process)."""
    sim = AmazonSimulator(seed=seed, **kwargs)
    session = requests_session(sim, BASE_URL, LWA_URL)
    login(session)
    return sim, session


def settle(sim):
    """Move past the 2-minute window searchOrders hides; return the current ISO time."""
    sim.control.advance(121)
    return isoformat(sim.clock.now())


def since(sim, seconds):
    return isoformat(sim.clock.now() - seconds)


def error_codes(response):
    body = response.json()
    assert set(body) == {"errors"}, body
    for error in body["errors"]:
        assert {"code", "message"} <= set(error), error
    return [error["code"] for error in body["errors"]]
