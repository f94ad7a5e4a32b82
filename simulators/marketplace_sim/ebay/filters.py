"""The ``filter`` grammar of Sell Fulfillment ``getOrders``.

``creationdate:[2024-01-01T00:00:00.000Z..2024-02-01T00:00:00.000Z]``,
``lastmodifieddate:[2024-01-01T00:00:00.000Z..]`` and
``orderfulfillmentstatus:{NOT_STARTED|IN_PROGRESS}``, comma-joined.  Errors carry the ids the
operation documents (30700-30850).
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .errors import raise_spec

OPERATION = "getOrders"
# Only these combinations are supported by eBay (spec text of the ``filter`` parameter).
STATUS_SETS = {
    frozenset({"NOT_STARTED", "IN_PROGRESS"}),
    frozenset({"FULFILLED", "IN_PROGRESS"}),
}
MAX_RANGE = timedelta(days=2 * 365)  # "must be within '2' years" (error 30830)
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$")
_CRITERION = re.compile(r"^\s*(\w+)\s*:\s*(.*?)\s*$", re.DOTALL)


@dataclass(frozen=True)
class OrderFilter:
    field: str | None = None  # "creationDate" or "lastModifiedDate"
    start: datetime | None = None
    end: datetime | None = None
    statuses: frozenset | None = None

    def matches(self, order):
        if self.field:
            stamp = parse_timestamp(order[self.field])
            if stamp < self.start or (self.end is not None and stamp > self.end):
                return False
        return not self.statuses or order["orderFulfillmentStatus"] in self.statuses


def parse_timestamp(text):
    """Parse eBay's ``YYYY-MM-DDThh:mm:ss.sssZ``; None when the text is not in that form."""
    if not _TIMESTAMP.match(text or ""):
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def _split(raw):
    # Commas only separate criteria: none of the values may contain one.
    return [part for part in raw.split(",") if part.strip()]


def _parse_range(name, value, now):
    if not (value.startswith("[") and value.endswith("]") and ".." in value):
        raise_spec(400, OPERATION, 30800, fieldvalue=value, fieldname=name)
    start_text, _, end_text = value[1:-1].partition("..")
    if not start_text:
        raise_spec(400, OPERATION, 30820)
    start = parse_timestamp(start_text)
    end = parse_timestamp(end_text) if end_text else None
    if start is None or (end_text and end is None):
        raise_spec(400, OPERATION, 30810)
    if start > now or (end is not None and end > now):
        raise_spec(400, OPERATION, 30850)
    if end is not None and start > end:
        raise_spec(400, OPERATION, 30840)
    if (end or now) - start > MAX_RANGE:
        raise_spec(400, OPERATION, 30830, allowedTime=2)
    return start, end


def parse_filter(raw, now):
    """Parse a ``filter`` value against the simulated ``now``; raise EbayError when invalid."""
    ranges, statuses = {}, None
    for part in _split(raw or ""):
        match = _CRITERION.match(part)
        if not match:
            raise_spec(400, OPERATION, 30700, fieldname=part.strip())
        name, value = match.group(1).lower(), match.group(2)
        if name in ("creationdate", "lastmodifieddate"):
            ranges[name] = _parse_range(name, value, now)
        elif name == "orderfulfillmentstatus":
            values = frozenset(v.strip() for v in value.strip("{}").split("|"))
            if not (value.startswith("{") and value.endswith("}")) or values not in STATUS_SETS:
                raise_spec(400, OPERATION, 30800, fieldvalue=value, fieldname=name)
            statuses = values
        else:
            raise_spec(400, OPERATION, 30700, fieldname=match.group(1))
    # When both date criteria are sent, eBay only applies creationdate.
    if "creationdate" in ranges:
        return OrderFilter("creationDate", *ranges["creationdate"], statuses)
    if "lastmodifieddate" in ranges:
        return OrderFilter("lastModifiedDate", *ranges["lastmodifieddate"], statuses)
    # No date criterion: orders created in the last 90 days (getOrders description).
    return OrderFilter("creationDate", now - timedelta(days=90), None, statuses)
