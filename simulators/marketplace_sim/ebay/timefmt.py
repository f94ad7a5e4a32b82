"""eBay's timestamp format: ISO 8601 UTC with milliseconds, ``2015-08-04T19:09:02.768Z``."""

from datetime import UTC, datetime


def ebay_timestamp(value):
    """Format an aware datetime or epoch seconds the way every eBay Sell API does."""
    if isinstance(value, int | float):
        value = datetime.fromtimestamp(value, tz=UTC)
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
