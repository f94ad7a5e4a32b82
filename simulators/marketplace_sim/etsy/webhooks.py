"""Etsy webhook deliveries (commercial-access apps): flat payload, Standard-Webhooks signature.

Only builds the request (headers and body) so a connector test can POST it to its own
controller; the simulator never opens connections by itself. Payload and signing follow
marketplace-apis.md 3.3: ``{event_type, resource_url, shop_id}`` signed with HMAC-SHA256
over ``"{webhook-id}.{webhook-timestamp}.{body}"``, key = base64 part of ``whsec_…``.
"""

import base64
import hashlib
import hmac
import json

EVENT_TYPES = ("order.paid", "order.canceled", "order.shipped", "order.delivered")


def signing_key(secret):
    return base64.b64decode(secret.removeprefix("whsec_"))


def sign(secret, message_id, timestamp, body):
    """The ``webhook-signature`` header value for one delivery."""
    signed = f"{message_id}.{timestamp}.{body}".encode()
    digest = hmac.new(signing_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def delivery(secret, message_id, timestamp, event_type, shop_id, receipt_id):
    """``(headers, body)`` of one webhook POST about a receipt."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}; expected one of {EVENT_TYPES}")
    body = json.dumps(
        {
            "event_type": event_type,
            "resource_url": (
                f"https://openapi.etsy.com/v3/application/shops/{shop_id}/receipts/{receipt_id}"
            ),
            "shop_id": shop_id,
        }
    )
    timestamp = str(int(timestamp))
    headers = {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": timestamp,
        "webhook-signature": sign(secret, message_id, timestamp, body),
    }
    return headers, body
