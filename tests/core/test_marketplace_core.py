"""The Odoo-free core of marketplace_base: allocation arithmetic and the connector contract."""

import subprocess
import sys
from dataclasses import FrozenInstanceError
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from marketplace_core.allocation import NO_RULE, AllocationRule, available_to_sell
from marketplace_core.connector import MarketplaceConnector
from marketplace_core.records import Order, OrderLine, StockUpdate


def test_core_imports_without_odoo():
    """The pure packages must never pull in Odoo (checked in a clean interpreter)."""
    code = (
        "import sys, marketplace_core.connector, marketplace_core.records, "
        "marketplace_core.allocation; "
        "sys.exit(1 if any(m == 'odoo' or m.startswith('odoo.') for m in sys.modules) else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], check=False, env={"PYTHONPATH": ":".join(sys.path)}
    )
    assert result.returncode == 0


@pytest.mark.parametrize(
    ("free", "pending", "rule", "pack", "expected"),
    [
        (10, 0, NO_RULE, 1, 10),
        (10, 3, NO_RULE, 1, 7),  # imported orders not reserved yet
        (10, 0, AllocationRule(safety_buffer=2), 1, 8),
        (10, 0, AllocationRule(share_percent=50), 1, 5),
        (11, 0, AllocationRule(share_percent=50), 1, 5),  # floor, never round up
        (100, 0, AllocationRule(maximum=20), 1, 20),
        (4, 0, AllocationRule(minimum=5), 1, 0),  # below the minimum: publish 0
        (5, 0, AllocationRule(minimum=5), 1, 5),
        (13, 0, NO_RULE, 6, 2),  # packs of 6
        (2, 5, AllocationRule(safety_buffer=1), 1, 0),  # never negative
        (30, 0, AllocationRule(share_percent=10), 1, 3),  # 2.9999999 float noise still gives 3
        (-4, 0, NO_RULE, 1, 0),
    ],
)
def test_available_to_sell(free, pending, rule, pack, expected):
    assert available_to_sell(free, pending, rule, pack) == expected


def test_rule_order_buffer_share_cap_min():
    """Buffer first, then share, then the cap, then the minimum."""
    rule = AllocationRule(safety_buffer=10, share_percent=50, maximum=30, minimum=8)
    assert available_to_sell(110, rule=rule) == 30  # (110-10)*50% = 50 -> capped 30
    assert available_to_sell(24, rule=rule) == 0  # (24-10)*50% = 7 < 8
    assert available_to_sell(26, rule=rule) == 8


def test_connector_contract_is_abstract():
    """A connector that forgets an operation cannot be instantiated."""

    class Partial(MarketplaceConnector):
        def test_connection(self):
            return None

    with pytest.raises(TypeError, match="abstract"):
        Partial({})


def test_connector_repr_hides_settings():
    class Complete(MarketplaceConnector):
        pass

    for name in MarketplaceConnector.__abstractmethods__:
        setattr(Complete, name, lambda self, *a, **k: None)
    Complete.__abstractmethods__ = frozenset()
    connector = Complete({"secret": "s3cr3t"})
    assert "s3cr3t" not in repr(connector)
    assert "s3cr3t" not in str(connector)


def test_records_are_frozen_and_exact():
    line = OrderLine(line_ref="1", sku="A", quantity=3, price_total=Decimal("0.30"))
    order = Order(
        marketplace_ref="X",
        status="to_ship",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        updated_at=datetime(2026, 1, 1, tzinfo=UTC),
        currency="EUR",
        lines=(line, line),
        total=Decimal("0.60"),
    )
    assert sum((item.price_total for item in order.lines), Decimal(0)) == order.total
    with pytest.raises(FrozenInstanceError):
        order.status = "cancelled"
    with pytest.raises(FrozenInstanceError):
        StockUpdate("A", 1).quantity = 2
