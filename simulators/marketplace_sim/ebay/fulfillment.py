"""Sell Fulfillment state: orders and their shipping fulfillments.

Line and order fulfilment statuses are always derived from the quantities shipped so far,
so a partial shipment leaves the order ``IN_PROGRESS`` until every unit has shipped.
"""

import copy
import zlib
from datetime import timedelta

from .errors import EbayError, raise_spec, spec_error
from .filters import parse_filter, parse_timestamp
from .orders import render_order
from .timefmt import ebay_timestamp

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
MAX_ORDER_IDS = 50
PII_RETENTION = timedelta(days=90)
NO_TRACKING_FIRST_ID = 999  # spec: without tracking "an arbitrary number such as 999"


def _status(shipped, quantity):
    if shipped <= 0:
        return "NOT_STARTED"
    return "FULFILLED" if shipped >= quantity else "IN_PROGRESS"


class FulfillmentState:
    def __init__(self):
        self.orders = {}  # orderId -> Order (TAX_BREAKDOWN form)
        self.fulfillments = {}  # orderId -> [ShippingFulfillment]

    # --------------------------------------------------------------- storage
    def add(self, order, fulfillments=(), base_url=""):
        self.orders[order["orderId"]] = order
        self.fulfillments[order["orderId"]] = []
        for fulfillment in fulfillments:
            self._attach(order, fulfillment, base_url)
        self._refresh_status(order)

    def shipped(self, order_id):
        """{lineItemId: units shipped so far}."""
        totals = {}
        for fulfillment in self.fulfillments.get(order_id, []):
            for line in fulfillment["lineItems"]:
                totals[line["lineItemId"]] = totals.get(line["lineItemId"], 0) + line["quantity"]
        return totals

    def _refresh_status(self, order):
        shipped = self.shipped(order["orderId"])
        statuses = []
        for line in order["lineItems"]:
            line["lineItemFulfillmentStatus"] = _status(
                shipped.get(line["lineItemId"], 0), line["quantity"]
            )
            statuses.append(line["lineItemFulfillmentStatus"])
        if all(status == "FULFILLED" for status in statuses):
            order["orderFulfillmentStatus"] = "FULFILLED"
        elif any(status != "NOT_STARTED" for status in statuses):
            order["orderFulfillmentStatus"] = "IN_PROGRESS"
        else:
            order["orderFulfillmentStatus"] = "NOT_STARTED"

    def _attach(self, order, fulfillment, base_url):
        self.fulfillments[order["orderId"]].append(fulfillment)
        order_path = f"/sell/fulfillment/v1/order/{order['orderId']}"
        href = f"{base_url}{order_path}/shipping_fulfillment/{fulfillment['fulfillmentId']}"
        order.setdefault("fulfillmentHrefs", []).append(href)

    def _order(self, operation, order_id, status=400):
        order = self.orders.get(order_id)
        if order is None:
            raise_spec(status, operation, 32100, orderId=order_id)
        return order

    # ----------------------------------------------------------------- reads
    def render(self, order, now, tax_breakdown, list_view=False):
        created = parse_timestamp(order["creationDate"])
        return render_order(
            order, tax_breakdown, list_view, redact_pii=now - created > PII_RETENTION
        )

    @staticmethod
    def _field_groups(operation, raw):
        groups = {group for group in (raw or "").split(",") if group}
        unknown = groups - {"TAX_BREAKDOWN"}
        if unknown:
            raise_spec(400, operation, 32800, fieldGroup=",".join(sorted(unknown)))
        return "TAX_BREAKDOWN" in groups

    def get_order(self, order_id, field_groups, now):
        tax_breakdown = self._field_groups("getOrder", field_groups)
        return self.render(self._order("getOrder", order_id, status=404), now, tax_breakdown)

    def search(self, args, now):
        """getOrders; ``args`` is the query dict.  Returns (orders, total, limit, offset)."""
        operation = "getOrders"
        tax_breakdown = self._field_groups(operation, args.get("fieldGroups"))
        order_ids = [value for value in (args.get("orderIds") or "").split(",") if value]
        if order_ids:
            # orderIds overrides every other parameter, paging included.
            if len(order_ids) > MAX_ORDER_IDS:
                raise_spec(400, operation, 30900)
            found = [self.orders[order_id] for order_id in order_ids if order_id in self.orders]
            rendered = [self.render(order, now, tax_breakdown, list_view=True) for order in found]
            return rendered, len(rendered), len(order_ids), 0
        limit = _int_param(args.get("limit"), DEFAULT_LIMIT)
        if limit is None or not 1 <= limit <= MAX_LIMIT:
            raise_spec(400, operation, 31100, limitvalue=args.get("limit"))
        offset = _int_param(args.get("offset"), 0)
        if offset is None or offset < 0:
            raise_spec(400, operation, 31000, offsetvalue=args.get("offset"))
        criteria = parse_filter(args.get("filter"), now)
        matching = [order for order in self.orders.values() if criteria.matches(order)]
        # Newest first, ties broken by id so that paging is stable.
        matching.sort(key=lambda order: (order["creationDate"], order["orderId"]), reverse=True)
        page = matching[offset : offset + limit]
        return (
            [self.render(order, now, tax_breakdown, list_view=True) for order in page],
            len(matching),
            limit,
            offset,
        )

    def list_fulfillments(self, order_id):
        self._order("getShippingFulfillments", order_id)
        return copy.deepcopy(self.fulfillments[order_id])

    def get_fulfillment(self, order_id, fulfillment_id):
        self._order("getShippingFulfillment", order_id)
        for fulfillment in self.fulfillments[order_id]:
            if fulfillment["fulfillmentId"] == fulfillment_id:
                return copy.deepcopy(fulfillment)
        raise EbayError(404, [spec_error("getShippingFulfillment", 32100, orderId=order_id)])

    # ---------------------------------------------------------------- writes
    def create_fulfillment(self, order_id, body, now, base_url):
        """createShippingFulfillment; returns the new fulfillmentId."""
        operation = "createShippingFulfillment"
        order = self._order(operation, order_id)
        if order["cancelStatus"].get("cancelState") == "CANCELED":
            raise_spec(400, operation, 32600, "The order has been cancelled.")
        tracking, carrier = body.get("trackingNumber"), body.get("shippingCarrierCode")
        # "This field and the shippingCarrierCode field are mutually dependent."
        if bool(tracking) != bool(carrier):
            raise_spec(400, operation, 32300)
        shipped_at = now
        if body.get("shippedDate"):
            shipped_at = parse_timestamp(body["shippedDate"])
            if shipped_at is None or shipped_at > now:
                raise_spec(400, operation, 32500)
        fulfillment_id = tracking or self._untracked_id(order_id)
        if any(f["fulfillmentId"] == fulfillment_id for f in self.fulfillments[order_id]):
            # The same tracking number again is an update, which is a PUT on eBay; checked
            # first so a retried (already applied) shipment reads as a conflict.
            raise EbayError(409, [spec_error(operation, 34500)])
        lines = self._shipment_lines(operation, order, body.get("lineItems") or [])
        fulfillment = {
            "fulfillmentId": fulfillment_id,
            "shippedDate": ebay_timestamp(shipped_at),
            "lineItems": lines,
        }
        if tracking:
            fulfillment["shipmentTrackingNumber"] = tracking
            fulfillment["shippingCarrierCode"] = carrier
        self._attach(order, fulfillment, base_url)
        self._refresh_status(order)
        order["lastModifiedDate"] = ebay_timestamp(now)
        return fulfillment_id

    def _shipment_lines(self, operation, order, requested):
        if not requested:
            raise_spec(400, operation, 32600, "lineItems is required.")
        quantities = {line["lineItemId"]: line["quantity"] for line in order["lineItems"]}
        shipped = self.shipped(order["orderId"])
        lines, seen = [], set()
        for line in requested:
            line_id = line.get("lineItemId")
            if line_id not in quantities:
                raise_spec(400, operation, 32200, lineItemId=line_id)
            if line_id in seen:
                raise_spec(400, operation, 32210)
            seen.add(line_id)
            quantity = line.get("quantity", 1)  # spec default
            remaining = quantities[line_id] - shipped.get(line_id, 0)
            if quantity < 1 or quantity > remaining:
                raise_spec(
                    400,
                    operation,
                    32600,
                    f"Line item {line_id}: quantity {quantity}, {remaining} unit(s) left to ship.",
                )
            lines.append({"lineItemId": line_id, "quantity": quantity})
        return lines

    def _untracked_id(self, order_id):
        return str(NO_TRACKING_FIRST_ID + len(self.fulfillments[order_id]))

    def cancel(self, order_id, now):
        """Buyer cancellation accepted (control hook): the order changes under the importer."""
        order = self._order("getOrder", order_id, status=404)
        stamp = ebay_timestamp(now)
        order["cancelStatus"] = {
            "cancelState": "CANCELED",
            "cancelledDate": stamp,
            "cancelRequests": [
                {
                    "cancelRequestId": str(zlib.crc32(order_id.encode())),
                    "cancelInitiator": "BUYER",
                    "cancelReason": "BUYER_ASKED_CANCEL",
                    "cancelRequestState": "COMPLETED",
                    "cancelRequestedDate": stamp,
                    "cancelCompletedDate": stamp,
                }
            ],
        }
        order["orderPaymentStatus"] = "FULLY_REFUNDED"
        order["lastModifiedDate"] = stamp
        return copy.deepcopy(order)


def _int_param(raw, default):
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None
