"""Etsy simulator: receipt import (filters, paging, incremental sync) and shipment."""

import base64
import hashlib
import hmac
import json

import pytest
from marketplace_sim.etsy import EtsySimulator
from marketplace_sim.etsy.contract_calls import EtsyTestClient

# openapi-core warns that it cannot check the oauth2 scheme; the simulator checks it.
pytestmark = pytest.mark.filterwarnings("ignore:Unsupported scheme type")


@pytest.fixture
def sim():
    # Few receipts: validating each answered receipt against the contract costs ~50 ms.
    return EtsySimulator(seed=11, receipts_per_shop=20)


@pytest.fixture
def client(sim):
    return EtsyTestClient(sim)


def all_receipts(client, **params):
    receipts, offset = [], 0
    while True:
        page = client.receipts(limit=100, offset=offset, **params).json()
        receipts.extend(page["results"])
        offset += 100
        if offset >= page["count"]:
            return receipts, page["count"]


def test_count_is_total_matches_and_pages_do_not_overlap(client):
    first = client.receipts(limit=7).json()
    assert first["count"] == 20
    assert len(first["results"]) == 7
    ids = []
    for offset in range(0, 20, 7):
        page = client.receipts(limit=7, offset=offset).json()
        assert page["count"] == 20
        ids.extend(r["receipt_id"] for r in page["results"])
    assert len(ids) == len(set(ids)) == 20


def test_default_order_is_newest_first_and_sort_can_be_changed(client):
    default = [r["create_timestamp"] for r in client.receipts(limit=100).json()["results"]]
    assert default == sorted(default, reverse=True)
    ascending = client.receipts(limit=100, sort_on="updated", sort_order="asc").json()
    updates = [r["update_timestamp"] for r in ascending["results"]]
    assert updates == sorted(updates)


@pytest.mark.parametrize(
    ("params", "check"),
    [
        ({"was_paid": "true"}, lambda r: r["is_paid"]),
        ({"was_paid": "false"}, lambda r: not r["is_paid"]),
        ({"was_shipped": "true"}, lambda r: r["is_shipped"]),
        ({"was_shipped": "false"}, lambda r: not r["is_shipped"]),
        ({"was_canceled": "true"}, lambda r: r["status"] == "canceled"),
        (
            {"was_paid": "true", "was_shipped": "false"},
            lambda r: r["is_paid"] and not r["is_shipped"],
        ),
    ],
)
def test_boolean_filters(client, sim, params, check):
    mine = [
        r for rid, r in sim.state.receipts.items() if sim.state.receipt_shop[rid] == client.shop_id
    ]
    expected = {r["receipt_id"] for r in mine if check(r)}
    matched, count = all_receipts(client, **params)
    assert count == len(expected) > 0
    assert {r["receipt_id"] for r in matched} == expected
    assert count < len(mine)


def test_incremental_import_with_min_last_modified(client, sim):
    everything, _ = all_receipts(client)
    cursor = max(r["update_timestamp"] for r in everything) + 1
    assert client.receipts(min_last_modified=cursor).json()["count"] == 0
    sim.control.advance(120)
    new_ids = sim.control.add_receipts(client.shop_id, 3)
    paid_before = next(r for r in everything if r["status"] == "paid")
    sim.control.update_receipt(paid_before["receipt_id"], status="canceled")
    changed = client.receipts(min_last_modified=cursor).json()
    assert changed["count"] == 4
    assert {r["receipt_id"] for r in changed["results"]} == {*new_ids, paid_before["receipt_id"]}
    window = client.receipts(min_created=cursor, max_created=int(sim.clock.now())).json()
    assert {r["receipt_id"] for r in window["results"]} == set(new_ids)


def test_get_receipt_and_its_transactions(client):
    listed = client.receipts(limit=100).json()["results"]
    receipt = max(listed, key=lambda r: len(r["transactions"]))
    single = client.get(client.shop(f"/receipts/{receipt['receipt_id']}"))
    assert single.status_code == 200
    assert single.json() == receipt
    transactions = client.get(client.shop(f"/receipts/{receipt['receipt_id']}/transactions"))
    assert transactions.json() == {
        "count": len(receipt["transactions"]),
        "results": receipt["transactions"],
    }
    assert len(receipt["transactions"]) > 1


def test_receipt_of_another_shop_is_not_found(client, sim):
    other = next(rid for rid, shop in sim.state.receipt_shop.items() if shop != client.shop_id)
    response = client.get(client.shop(f"/receipts/{other}"))
    assert response.status_code == 404
    assert set(response.json()) == {"error"}


@pytest.mark.parametrize(
    "params",
    [{"limit": 101}, {"limit": 0}, {"offset": -1}, {"was_paid": "maybe"}, {"sort_on": "price"}],
)
def test_invalid_query_is_rejected_in_etsy_shape(client, params):
    response = client.receipts(**params)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]


def test_shipment_marks_receipt_shipped_and_stores_tracking(client, sim):
    receipt = client.receipts(was_paid="true", was_shipped="false").json()["results"][0]
    sim.control.advance(60)
    response = client.request(
        "POST",
        client.shop(f"/receipts/{receipt['receipt_id']}/tracking"),
        data={"tracking_code": "LX123456789DE", "carrier_name": "DHL", "send_bcc": "true"},
    )
    assert response.status_code == 200
    shipped = response.json()
    assert shipped["is_shipped"] is True
    assert shipped["status"] == "completed"
    assert shipped["shipments"][-1]["tracking_code"] == "LX123456789DE"
    assert shipped["shipments"][-1]["carrier_name"] == "DHL"
    assert shipped["update_timestamp"] > receipt["update_timestamp"]
    assert all(t["shipped_timestamp"] for t in shipped["transactions"])
    # The change is visible to the next incremental import and to was_shipped.
    again = client.receipts(min_last_modified=shipped["update_timestamp"], was_shipped="true")
    assert receipt["receipt_id"] in {r["receipt_id"] for r in again.json()["results"]}


def test_shipment_accepts_a_json_body(client):
    receipt = client.receipts(was_paid="true", was_shipped="false").json()["results"][0]
    response = client.request(
        "POST",
        client.shop(f"/receipts/{receipt['receipt_id']}/tracking"),
        json={"tracking_code": "9400100000000000000000", "carrier_name": "USPS"},
    )
    assert response.status_code == 200
    assert response.json()["shipments"][-1]["carrier_name"] == "USPS"


def test_shipment_needs_tracking_and_carrier_together(client):
    receipt = client.receipts(was_paid="true", was_shipped="false").json()["results"][0]
    response = client.request(
        "POST",
        client.shop(f"/receipts/{receipt['receipt_id']}/tracking"),
        data={"tracking_code": "1Z999"},
    )
    assert response.status_code == 400
    assert "carrier_name" in response.json()["error"]


def test_shipment_of_canceled_receipt_conflicts(client):
    receipt = client.receipts(was_canceled="true").json()["results"][0]
    response = client.request(
        "POST",
        client.shop(f"/receipts/{receipt['receipt_id']}/tracking"),
        data={"tracking_code": "1Z999", "carrier_name": "UPS"},
    )
    assert response.status_code == 409
    assert set(response.json()) == {"error"}


def test_shipment_of_unknown_receipt_is_not_found(client):
    response = client.request(
        "POST",
        client.shop("/receipts/999/tracking"),
        data={"tracking_code": "1", "carrier_name": "UPS"},
    )
    assert response.status_code == 404


def test_shipping_carriers_by_origin_country(client):
    response = client.get("/shipping-carriers", {"origin_country_iso": "GB"}, bearer=False)
    assert response.status_code == 200
    names = {c["name"] for c in response.json()["results"]}
    assert "Royal Mail" in names
    missing = client.get("/shipping-carriers", bearer=False)
    assert missing.status_code == 400
    assert set(missing.json()) == {"error"}


def test_was_delivered_follows_carrier_updates(client, sim):
    shipped = client.receipts(was_shipped="true", limit=1).json()["results"][0]
    assert client.receipts(was_delivered="true").json()["count"] == 0
    sim.control.mark_delivered(shipped["receipt_id"])
    delivered = client.receipts(was_delivered="true").json()
    assert [r["receipt_id"] for r in delivered["results"]] == [shipped["receipt_id"]]


def test_signed_order_paid_webhook(client, sim):
    receipt_id = client.receipts(was_paid="true", limit=1).json()["results"][0]["receipt_id"]
    secret = sim.control.credentials()["webhook_secret"]
    hook = sim.control.webhook(receipt_id)
    headers, body = hook["headers"], hook["body"]
    assert json.loads(body) == {
        "event_type": "order.paid",
        "resource_url": (
            f"https://openapi.etsy.com/v3/application/shops/{client.shop_id}/receipts/{receipt_id}"
        ),
        "shop_id": client.shop_id,
    }
    # Standard Webhooks: HMAC-SHA256 of "id.timestamp.body" with the base64-decoded secret.
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.{body}".encode()
    key = base64.b64decode(secret.removeprefix("whsec_"))
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert headers["webhook-signature"] == f"v1,{expected}"
    assert sim.control.webhook(receipt_id)["headers"]["webhook-id"] != headers["webhook-id"]
    with pytest.raises(ValueError):
        sim.control.webhook(receipt_id, event_type="order.lost")
