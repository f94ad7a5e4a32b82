"""Feeds 2021-06-30: documents behind pre-signed-like URLs and JSON_LISTINGS_FEED processing.

A feed waits IN_QUEUE, is IN_PROGRESS, then DONE (report document) or FATAL (the
document could not be read at all). Progress is computed from the simulated clock, so
it works both when a test advances time and in realtime server mode.
"""

import gzip
import json
from functools import cache

import jsonschema

from ..core import SPECS_DIR, SimError, isoformat

QUEUE_SECONDS = 30  # IN_QUEUE -> IN_PROGRESS
PROCESS_SECONDS = 60  # IN_PROGRESS -> DONE/FATAL
URL_TTL = 300  # document URLs are valid for 5 minutes
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
SUPPORTED_FEED_TYPES = {"JSON_LISTINGS_FEED"}
SCHEMA_DIR = SPECS_DIR / "amazon" / "schemas" / "feeds"


@cache
def validator(name):
    with (SCHEMA_DIR / name).open(encoding="utf-8") as handle:
        schema = json.load(handle)
    return jsonschema.Draft7Validator(
        schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )


def feed_validator():
    return validator("listings-feed-schema-v2.json")


def message_validator():
    return validator("listings-feed-message-schema-v2.json")


def report_validator():
    return validator("listings-feed-processing-report-schema-v2.json")


class FeedService:
    def __init__(self, clock, rng, listings):
        self.clock = clock
        self.rng = rng
        self.listings = listings
        self.documents = {}  # id -> {content_type, data, created, compression, kind}
        self.feeds = {}
        self.compress_reports = False

    def _id(self, prefix):
        return f"{prefix}{self.rng.getrandbits(40)}"

    # ------------------------------------------------------------- documents
    def create_document(self, content_type, kind="input"):
        document_id = self._id("amzn1.tortuga.4.na.")
        self.documents[document_id] = {
            "content_type": content_type,
            "data": None,
            "created": self.clock.now(),
            "compression": None,
            "kind": kind,
        }
        return document_id

    def document(self, document_id):
        document = self.documents.get(document_id)
        if document is None:
            raise SimError(404, "NotFound", f"Feed document {document_id} was not found.")
        return document

    def upload(self, document_id, data, content_type):
        """PUT on the upload URL (like S3: any content, expires after URL_TTL)."""
        document = self.documents.get(document_id)
        if document is None or document["kind"] != "input":
            return 404, "NoSuchKey"
        if self.clock.now() - document["created"] > URL_TTL:
            return 403, "Request has expired"
        if len(data) > MAX_DOCUMENT_BYTES:
            return 400, "EntityTooLarge"
        document["data"] = data
        document["uploaded_type"] = content_type
        return 200, ""

    def download(self, document_id):
        document = self.documents.get(document_id)
        if document is None or document["data"] is None:
            return 404, b"NoSuchKey"
        return 200, document["data"]

    # ----------------------------------------------------------------- feeds
    def create_feed(self, seller, feed_type, marketplace_ids, document_id):
        if feed_type not in SUPPORTED_FEED_TYPES:
            raise SimError(
                400, "InvalidInput", f"feedType {feed_type} is not supported by the simulator."
            )
        document = self.documents.get(document_id)
        if document is None or document["kind"] != "input":
            raise SimError(400, "InvalidInput", f"inputFeedDocumentId {document_id} is not valid.")
        feed_id = str(self.rng.randint(10**10, 10**11 - 1))
        self.feeds[feed_id] = {
            "feedId": feed_id,
            "feedType": feed_type,
            "marketplaceIds": list(marketplace_ids),
            "createdTime": self.clock.now(),
            "seller": seller,
            "document": document_id,
            "status": "IN_QUEUE",
        }
        return feed_id

    def get_feed(self, seller, feed_id):
        feed = self.feeds.get(feed_id)
        if feed is None or feed["seller"] != seller:
            raise SimError(404, "NotFound", f"Feed {feed_id} was not found.")
        self.progress()
        return self.render(feed)

    def cancel(self, seller, feed_id):
        feed = self.feeds.get(feed_id)
        if feed is None or feed["seller"] != seller:
            raise SimError(404, "NotFound", f"Feed {feed_id} was not found.")
        self.progress()
        if feed["status"] != "IN_QUEUE":
            raise SimError(400, "InvalidInput", "Only a feed still IN_QUEUE can be cancelled.")
        feed["status"] = "CANCELLED"

    def search(self, seller, query):
        found = [
            feed
            for feed in self.feeds.values()
            if feed["seller"] == seller
            and feed["feedType"] in query["types"]
            and (not query["statuses"] or feed["status"] in query["statuses"])
            and (
                not query["marketplaces"]
                or set(feed["marketplaceIds"]) & set(query["marketplaces"])
            )
            and query["since"] <= feed["createdTime"] <= query["until"]
        ]
        return sorted(found, key=lambda feed: (-feed["createdTime"], feed["feedId"]))

    def render(self, feed):
        out = {
            "feedId": feed["feedId"],
            "feedType": feed["feedType"],
            "marketplaceIds": feed["marketplaceIds"],
            "createdTime": isoformat(feed["createdTime"]),
            "processingStatus": feed["status"],
        }
        if feed["status"] in ("IN_PROGRESS", "DONE", "FATAL"):
            out["processingStartTime"] = isoformat(feed["createdTime"] + QUEUE_SECONDS)
        if feed["status"] in ("DONE", "FATAL"):
            out["processingEndTime"] = isoformat(
                feed["createdTime"] + QUEUE_SECONDS + PROCESS_SECONDS
            )
            if feed.get("result"):
                out["resultFeedDocumentId"] = feed["result"]
        return out

    def progress(self):
        """Move feeds along according to the simulated clock."""
        now = self.clock.now()
        for feed in self.feeds.values():
            age = now - feed["createdTime"]
            if feed["status"] == "IN_QUEUE" and age >= QUEUE_SECONDS:
                feed["status"] = "IN_PROGRESS"
            if feed["status"] == "IN_PROGRESS" and age >= QUEUE_SECONDS + PROCESS_SECONDS:
                self._process(feed)

    def _store_report(self, report):
        report_validator().validate(report)  # a report we cannot read back is a simulator bug
        data = json.dumps(report, ensure_ascii=False).encode("utf-8")
        document_id = self.create_document("application/json", kind="result")
        document = self.documents[document_id]
        if self.compress_reports:
            data, document["compression"] = gzip.compress(data, mtime=0), "GZIP"
        document["data"] = data
        return document_id

    def _process(self, feed):
        document = self.documents[feed["document"]]
        header = {"sellerId": feed["seller"], "version": "2.0", "feedId": feed["feedId"]}
        try:
            raw = document["data"]
            if raw is None:
                raise ValueError("the feed document was never uploaded")
            if raw[:2] == b"\x1f\x8b":
                raw = gzip.decompress(raw)
            body = json.loads(raw.decode("utf-8"))
            if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
                raise ValueError("the document has no 'messages' array")
            # Errors inside one message are reported per message; anything else (header,
            # message count, document shape) makes the whole feed FATAL.
            fatal = [
                error
                for error in feed_validator().iter_errors(body)
                if not (len(error.absolute_path) >= 2 and error.absolute_path[0] == "messages")
            ]
            if fatal:
                where = "/".join(str(p) for p in fatal[0].absolute_path) or "<document>"
                raise ValueError(f"{where}: {fatal[0].message}")
            if body["header"]["sellerId"] != feed["seller"]:
                raise ValueError("header.sellerId does not match the seller of the feed")
        except (ValueError, UnicodeDecodeError, OSError) as exc:
            feed["status"] = "FATAL"
            feed["result"] = self._store_report(
                {
                    "header": header,
                    "issues": [{"code": "100001", "severity": "ERROR", "message": f"Fatal: {exc}"}],
                    "summary": {
                        "errors": 1,
                        "warnings": 0,
                        "messagesProcessed": 0,
                        "messagesAccepted": 0,
                        "messagesInvalid": 0,
                    },
                }
            )
            return
        issues, accepted, invalid = [], 0, 0
        for message in body["messages"]:
            message_issues = self._apply(feed, message)
            issues.extend(message_issues)
            if any(issue["severity"] == "ERROR" for issue in message_issues):
                invalid += 1
            else:
                accepted += 1
        feed["status"] = "DONE"
        feed["result"] = self._store_report(
            {
                "header": header,
                "issues": issues,
                "summary": {
                    "errors": sum(issue["severity"] == "ERROR" for issue in issues),
                    "warnings": sum(issue["severity"] == "WARNING" for issue in issues),
                    "messagesProcessed": len(body["messages"]),
                    "messagesAccepted": accepted,
                    "messagesInvalid": invalid,
                },
            }
        )

    def _apply(self, feed, message):
        message_id = message.get("messageId") if isinstance(message, dict) else None
        ref = {}
        if isinstance(message_id, int) and message_id >= 1:
            ref["messageId"] = message_id
        if isinstance(message, dict) and isinstance(message.get("sku"), str) and message["sku"]:
            ref["sku"] = message["sku"]
        errors = sorted(
            message_validator().iter_errors(message), key=lambda e: list(e.absolute_path)
        )
        if errors:
            return [
                {
                    **ref,
                    "code": "4000001",
                    "severity": "ERROR",
                    "message": f"Invalid message: {error.message}",
                }
                for error in errors
            ]
        seller, sku, operation = feed["seller"], message["sku"], message["operationType"]
        marketplaces = feed["marketplaceIds"]
        if operation == "UPDATE":
            result = self.listings.put(
                seller,
                sku,
                message["productType"],
                message["attributes"],
                message.get("requirements"),
                marketplaces,
            )
        elif operation == "PARTIAL_UPDATE":
            result = self.listings.partial_update(
                seller, sku, message["productType"], message["attributes"], marketplaces
            )
        elif operation == "PATCH":
            result = self.listings.patch(
                seller, sku, message["productType"], message["patches"], marketplaces
            )
        else:
            result = self.listings.delete(seller, sku)
        out = []
        for issue in result.issues:
            entry = {
                **ref,
                "code": issue["code"],
                "severity": issue["severity"],
                "message": issue["message"],
            }
            if issue.get("attributeNames"):
                entry["attributeName"] = issue["attributeNames"][0]
            out.append(entry)
        return out

    def document_info(self, document_id, base_url):
        document = self.document(document_id)
        out = {"feedDocumentId": document_id, "url": f"{base_url}/_documents/{document_id}"}
        if document["compression"]:
            out["compressionAlgorithm"] = document["compression"]
        return out
