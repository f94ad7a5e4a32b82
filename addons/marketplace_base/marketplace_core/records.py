"""Plain data exchanged between ``marketplace.channel`` and its connectors.

The dataclasses are frozen and free of Odoo so that connectors (and their
tests) can build and read them without an environment. Money is carried as
``Decimal`` to keep order totals exact to the cent; quantities are integers
because every marketplace counts whole channel units.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True)
class ConnectionStatus:
    """Outcome of a connection test."""

    ok: bool
    message: str = ""


@dataclass(frozen=True)
class RemoteListing:
    """A listing as the marketplace knows it (used to import and match)."""

    sku: str
    marketplace_ref: str = ""  # ASIN, eBay item id, Etsy listing id
    title: str = ""
    quantity: int | None = None
    price: Decimal | None = None
    currency: str = ""
    status: str = ""  # marketplace wording, mapped by the connector to our states
    barcode: str = ""


@dataclass(frozen=True)
class ListingPayload:
    """What we ask a marketplace to create or update for one listing."""

    sku: str
    title: str
    description: str = ""
    price: Decimal | None = None
    currency: str = ""
    quantity: int = 0
    barcode: str = ""
    marketplace_ref: str = ""
    attributes: dict = field(default_factory=dict)


@dataclass(frozen=True)
class StockUpdate:
    """Quantity to publish for one channel SKU (already in channel units)."""

    sku: str
    quantity: int
    marketplace_ref: str = ""


@dataclass(frozen=True)
class PriceUpdate:
    """Price to publish for one channel SKU."""

    sku: str
    price: Decimal
    currency: str
    marketplace_ref: str = ""


@dataclass(frozen=True)
class PushResult:
    """Per-SKU outcome of a stock, price or listing push.

    ``ok`` False with ``retryable`` True means the marketplace refused for a
    transient reason and the value should be pushed again later. ``ok`` True
    with a ``submission_ref`` means accepted for asynchronous processing.
    """

    sku: str
    ok: bool
    message: str = ""
    retryable: bool = False
    marketplace_ref: str = ""
    #: Set when the marketplace accepted the value for later processing (an
    #: Amazon feed): the final outcome comes from ``check_submission``.
    submission_ref: str = ""


@dataclass(frozen=True)
class Address:
    name: str = ""
    street: str = ""
    street2: str = ""
    city: str = ""
    zip: str = ""
    state_code: str = ""
    state_name: str = ""
    country_code: str = ""
    phone: str = ""
    email: str = ""
    company: str = ""
    vat: str = ""


@dataclass(frozen=True)
class OrderLine:
    """One ordered item. Amounts are totals for the line (unit price x quantity)."""

    line_ref: str
    sku: str
    quantity: int
    price_total: Decimal
    tax_total: Decimal = Decimal(0)
    discount_total: Decimal = Decimal(0)
    title: str = ""
    marketplace_product_ref: str = ""  # ASIN / item id / listing id


@dataclass(frozen=True)
class Order:
    """An order as read from a marketplace, mapped to neutral terms."""

    marketplace_ref: str
    status: str  # neutral: pending / to_ship / partially_shipped / shipped / cancelled
    created_at: datetime
    updated_at: datetime
    currency: str
    lines: tuple[OrderLine, ...]
    total: Decimal
    buyer_ref: str = ""
    buyer_email: str = ""
    buyer_name: str = ""
    billing_address: Address | None = None
    shipping_address: Address | None = None
    shipping_total: Decimal = Decimal(0)
    shipping_tax: Decimal = Decimal(0)
    gift_wrap_total: Decimal = Decimal(0)
    discount_total: Decimal = Decimal(0)
    fulfilled_by_marketplace: bool = False
    is_business: bool = False
    raw_status: str = ""


@dataclass(frozen=True)
class ShipmentLine:
    line_ref: str
    quantity: int


@dataclass(frozen=True)
class Shipment:
    """A (possibly partial) shipment of a marketplace order."""

    order_ref: str
    carrier_code: str
    tracking_ref: str
    shipped_at: datetime
    lines: tuple[ShipmentLine, ...]
    carrier_name: str = ""
    shipping_method: str = ""


@dataclass(frozen=True)
class Fee:
    """A marketplace fee or charge attached to an order (negative = cost)."""

    order_ref: str
    fee_type: str
    amount: Decimal
    currency: str
    line_ref: str = ""


@dataclass(frozen=True)
class OrderPage:
    """Orders returned by one fetch, with the high-water mark they reach."""

    orders: tuple[Order, ...]
    watermark: datetime | None = None


@dataclass(frozen=True)
class RateObservation:
    """What a marketplace's answer said of the caller's limits (None: not said)."""

    #: Tokens per second that apply (Amazon's ``x-amzn-RateLimit-Limit``).
    rate: float | None = None
    #: Calls left in the current second (Etsy's ``x-remaining-this-second``).
    remaining: int | None = None
    #: Calls allowed per day (Etsy's ``x-limit-per-day``).
    daily_quota: int | None = None
    #: Calls left today (Etsy's ``x-remaining-today``).
    remaining_today: int | None = None
