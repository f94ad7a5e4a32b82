"""Etsy Open API v3 simulator (pure Python, no Odoo).

In-process::

    from marketplace_sim.core import requests_session
    from marketplace_sim.etsy import BASE_URLS, EtsySimulator

    sim = EtsySimulator(seed=1)                 # 4 shops (USD, EUR, JPY, GBP), listings, receipts
    session = requests_session(sim, *BASE_URLS)  # openapi.etsy.com and api.etsy.com (token)
    creds = sim.control.credentials()            # api_key "keystring:secret", shops
    tokens = sim.control.issue_tokens()          # or authorize() + the PKCE code grant
    session.get("https://openapi.etsy.com/v3/application/shops/<id>/receipts",
                headers={"x-api-key": creds["api_key"],
                         "Authorization": f"Bearer {tokens['access_token']}"})

Server: ``python -m marketplace_sim serve etsy --port 8767`` (control under ``/_sim``).
Raw-HTTP test client and one call per operation: ``contract_calls.py``.
"""

from .app import BASE_URLS, TOKEN_URL, EtsyControl, EtsySimulator
from .datagen import DEFAULT_SHOPS, EtsyDataGenerator, ShopProfile
