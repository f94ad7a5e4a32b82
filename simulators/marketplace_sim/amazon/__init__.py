"""Amazon Selling Partner API simulator.

In-process use (no sockets)::

    sim = AmazonSimulator(seed=1, initial_orders=20)
    session = requests_session(sim, BASE_URL, LWA_URL)      # marketplace_sim.core
    token = session.post(LWA_URL + "/auth/o2/token", data={"grant_type": "refresh_token",
        "refresh_token": DEFAULT_REFRESH_TOKEN, "client_id": DEFAULT_CLIENT_ID,
        "client_secret": DEFAULT_CLIENT_SECRET}).json()["access_token"]
    session.headers["x-amz-access-token"] = token

python-amazon-sp-api: inject ``HttpxTransport(sim)`` (see tests/simulators/
test_amazon_sp_api.py). Server: ``python -m marketplace_sim serve amazon --port N``.

Operations: LWA token (refresh_token, client_credentials); Orders 2026-01-01 searchOrders,
getOrder; Orders v0 getOrders, getOrder, getOrderItems, getOrderAddress,
getOrderBuyerInfo, confirmShipment; Listings Items put/patch/get/delete/search; Feeds
createFeedDocument (+ upload URL), createFeed, getFeed, getFeeds, cancelFeed,
getFeedDocument (+ download URL); Finances listFinancialEventsByOrderId; Sellers
getMarketplaceParticipations; Tokens createRestrictedDataToken.

Behaviour worth knowing when testing a connector:
- access tokens live 3600 simulated seconds; then 403 ``Unauthorized`` (expired).
- rates/bursts come from the API models; 429 ``QuotaExceeded`` with an ``errors`` body.
- order searches never return the last 2 minutes (``*Before`` defaults to now - 120 s).
- PENDING orders have no address and (v0) no total; they become UNSHIPPED after 30 min;
  AFN orders ship by themselves after 4 h. v0 PII needs a restricted data token.
- EU/UK prices include VAT (the tax is inside), US prices exclude sales tax.
- feeds: IN_QUEUE 30 s, IN_PROGRESS 60 s, then DONE/FATAL; 5 JSON_LISTINGS_FEED / 5 min.
- control: ``sim.control`` (or ``POST /_sim/<name>``): create_order(s), order, cancel_order,
  shipments, listing, listing_quantity, listing_price, set_listing, feed,
  set_report_compression, revoke_refresh_token, order_change_notification, advance,
  set_fault...

Default credentials (see lwa.py) are exported below with the two hosts to mount.
"""

from .lwa import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_REFRESH_TOKEN,
    DEFAULT_SELLER_ID,
    TOKEN_TTL,
)
from .marketplaces import DE, MARKETPLACES, UK, US
from .simulator import BASE_URL, LWA_URL, AmazonSimulator, published_rate_limits
