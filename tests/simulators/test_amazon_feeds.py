"""Feeds 2021-06-30: document upload, JSON_LISTINGS_FEED processing, report download."""

import gzip
import json

import pytest
from amazon_support import FEEDS, SELLER, error_codes, make
from marketplace_sim.amazon import DE
from marketplace_sim.amazon.feeds import report_validator


@pytest.fixture
def env():
    return make(seed=31)


def submit(session, document, content_type="application/json; charset=UTF-8"):
    created = session.post(f"{FEEDS}/documents", json={"contentType": content_type})
    assert created.status_code == 201, created.text
    upload = session.put(
        created.json()["url"], data=document, headers={"Content-Type": content_type}
    )
    assert upload.status_code == 200
    feed = session.post(
        f"{FEEDS}/feeds",
        json={
            "feedType": "JSON_LISTINGS_FEED",
            "marketplaceIds": [DE],
            "inputFeedDocumentId": created.json()["feedDocumentId"],
        },
    )
    assert feed.status_code == 202, feed.text
    return feed.json()["feedId"]


def report(session, feed_id):
    feed = session.get(f"{FEEDS}/feeds/{feed_id}").json()
    info = session.get(f"{FEEDS}/documents/{feed['resultFeedDocumentId']}")
    assert info.status_code == 200, info.text
    data = session.get(info.json()["url"]).content
    if info.json().get("compressionAlgorithm") == "GZIP":
        data = gzip.decompress(data)
    body = json.loads(data)
    report_validator().validate(body)
    return feed, body


def listings_feed(*messages):
    return json.dumps(
        {"header": {"sellerId": SELLER, "version": "2.0"}, "messages": list(messages)}
    )


def stock_patch(message_id, sku, quantity):
    return {
        "messageId": message_id,
        "sku": sku,
        "operationType": "PATCH",
        "productType": "PRODUCT",
        "patches": [
            {
                "op": "replace",
                "path": "/attributes/fulfillment_availability",
                "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": quantity}],
            }
        ],
    }


def test_feed_round_trip_applies_patches_and_reports(env):
    sim, session = env
    document = listings_feed(
        stock_patch(1, "MUG-CERAMIC-350", 7),
        stock_patch(2, "NOTEBOOK-A5", -3),  # invalid quantity
        {"messageId": 3, "sku": "SCARF-MERINO", "operationType": "PATCH"},  # no patches
        {
            "messageId": 4,
            "sku": "NEW-SKU",
            "operationType": "UPDATE",
            "productType": "PRODUCT",
            "attributes": {
                "item_name": [{"value": "Neu"}],
                "condition_type": [{"value": "new_new"}],
            },
        },
    )
    feed_id = submit(session, document)
    statuses = [session.get(f"{FEEDS}/feeds/{feed_id}").json()["processingStatus"]]
    sim.control.advance(30)
    statuses.append(session.get(f"{FEEDS}/feeds/{feed_id}").json()["processingStatus"])
    assert sim.control.listing_quantity("MUG-CERAMIC-350") == 10  # not applied yet
    sim.control.advance(60)
    feed, body = report(session, feed_id)
    statuses.append(feed["processingStatus"])
    assert statuses == ["IN_QUEUE", "IN_PROGRESS", "DONE"]
    assert body["header"]["feedId"] == feed_id
    assert body["summary"]["messagesProcessed"] == 4
    assert body["summary"]["messagesAccepted"] == 2
    assert body["summary"]["messagesInvalid"] == 2
    assert {issue["messageId"] for issue in body["issues"]} == {2, 3}
    assert sim.control.listing_quantity("MUG-CERAMIC-350") == 7
    assert sim.control.listing_quantity("NOTEBOOK-A5") == 10
    assert sim.control.listing("NEW-SKU")["item_name"] == [{"value": "Neu"}]


@pytest.mark.parametrize(
    "document",
    [
        b"<xml>not json</xml>",
        json.dumps({"header": {"sellerId": SELLER, "version": "1.0"}, "messages": []}).encode(),
        json.dumps(
            {
                "header": {"sellerId": "A0SOMEONEELSE", "version": "2.0"},
                "messages": [stock_patch(1, "MUG-CERAMIC-350", 1)],
            }
        ).encode(),
    ],
)
def test_unreadable_feed_is_fatal_with_a_report(env, document):
    sim, session = env
    feed_id = submit(session, document)
    sim.control.advance(90)
    feed, body = report(session, feed_id)
    assert feed["processingStatus"] == "FATAL"
    assert body["summary"]["messagesProcessed"] == 0
    assert body["issues"][0]["severity"] == "ERROR"
    assert sim.control.listing_quantity("MUG-CERAMIC-350") == 10


def test_gzip_report_and_gzip_upload(env):
    sim, session = env
    sim.control.set_report_compression(True)
    feed_id = submit(
        session, gzip.compress(listings_feed(stock_patch(1, "LAMP-LED-DESK", 2)).encode())
    )
    sim.control.advance(90)
    info = session.get(
        f"{FEEDS}/documents/{session.get(f'{FEEDS}/feeds/{feed_id}').json()['resultFeedDocumentId']}"
    )
    assert info.json()["compressionAlgorithm"] == "GZIP"
    _feed, body = report(session, feed_id)
    assert body["summary"]["messagesAccepted"] == 1
    assert sim.control.listing_quantity("LAMP-LED-DESK") == 2


def test_upload_url_expires_after_five_minutes(env):
    sim, session = env
    created = session.post(f"{FEEDS}/documents", json={"contentType": "application/json"}).json()
    sim.control.advance(301)
    assert session.put(created["url"], data=b"{}").status_code == 403


def test_create_feed_rejects_unknown_document_and_feed_type(env):
    _sim, session = env
    unknown_doc = session.post(
        f"{FEEDS}/feeds",
        json={
            "feedType": "JSON_LISTINGS_FEED",
            "marketplaceIds": [DE],
            "inputFeedDocumentId": "nope",
        },
    )
    assert unknown_doc.status_code == 400
    assert error_codes(unknown_doc) == ["InvalidInput"]
    document_id = session.post(f"{FEEDS}/documents", json={"contentType": "text/xml"}).json()[
        "feedDocumentId"
    ]
    legacy = session.post(
        f"{FEEDS}/feeds",
        json={
            "feedType": "POST_PRODUCT_DATA",
            "marketplaceIds": [DE],
            "inputFeedDocumentId": document_id,
        },
    )
    assert legacy.status_code == 400
    missing = session.get(f"{FEEDS}/feeds/123")
    assert missing.status_code == 404


def test_cancel_only_while_in_queue_and_list_feeds(env):
    sim, session = env
    queued = submit(session, listings_feed(stock_patch(1, "MUG-CERAMIC-350", 1)))
    assert session.delete(f"{FEEDS}/feeds/{queued}").status_code == 200
    sim.control.advance(90)
    assert session.get(f"{FEEDS}/feeds/{queued}").json()["processingStatus"] == "CANCELLED"
    assert sim.control.listing_quantity("MUG-CERAMIC-350") == 10  # never applied
    done = submit(session, listings_feed(stock_patch(1, "MUG-CERAMIC-350", 2)))
    sim.control.advance(90)
    assert session.delete(f"{FEEDS}/feeds/{done}").status_code == 400
    listed = session.get(f"{FEEDS}/feeds", params={"feedTypes": "JSON_LISTINGS_FEED"}).json()
    assert [feed["feedId"] for feed in listed["feeds"]] == [done, queued]  # newest first
    only_done = session.get(
        f"{FEEDS}/feeds",
        params={"feedTypes": "JSON_LISTINGS_FEED", "processingStatuses": "DONE", "pageSize": 1},
    ).json()
    assert [feed["feedId"] for feed in only_done["feeds"]] == [done]
    assert "nextToken" not in only_done


def test_json_listings_feeds_are_limited_to_five_per_five_minutes(env):
    sim, session = env
    document = listings_feed(stock_patch(1, "MUG-CERAMIC-350", 1))
    for _ in range(5):
        submit(session, document)
    created = session.post(f"{FEEDS}/documents", json={"contentType": "application/json"})
    sixth = session.post(
        f"{FEEDS}/feeds",
        json={
            "feedType": "JSON_LISTINGS_FEED",
            "marketplaceIds": [DE],
            "inputFeedDocumentId": created.json()["feedDocumentId"],
        },
    )
    assert sixth.status_code == 429
    assert error_codes(sixth) == ["QuotaExceeded"]
    sim.control.advance(60)
    submit(session, document)
