import importlib
import sys
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from unittest.mock import patch

from odoo.tests import TransactionCase

from ..marketplace_core.connector import MarketplaceConnector
from ..marketplace_core.records import (
    Address,
    ConnectionStatus,
    Order,
    OrderLine,
    OrderPage,
    PushResult,
)


class FakeConnector(MarketplaceConnector):
    """In-memory marketplace: records every call, answers from ``state``.

    ``state`` is a class attribute reset by each test so that the connector
    instances built by ``_get_connector`` share it.
    """

    batch_size = 2
    state = None

    @classmethod
    def reset(cls):
        cls.state = {
            "calls": [],
            "stock": {},
            "prices": {},
            "orders": {},
            "listings": [],
            "refuse": {},  # sku -> (message, retryable)
            "connection": ConnectionStatus(True, "ok"),
            "shipments": [],
            "fees": {},  # order ref -> [Fee]
            "submit": None,  # a submission ref: pushes are accepted for later processing
            "verdicts": {},  # submission ref -> [PushResult] (absent: still processing)
        }

    def _call(self, name, payload=None):
        self.state["calls"].append((name, payload))

    def test_connection(self):
        self._call("test_connection")
        return self.state["connection"]

    def fetch_listings(self):
        self._call("fetch_listings")
        return list(self.state["listings"])

    def push_listings(self, listings):
        self._call("push_listings", listings)
        return [PushResult(sku=item.sku, ok=True) for item in listings]

    def _push(self, name, store, updates, attribute):
        self._call(name, [u.sku for u in updates])
        results = []
        for update in updates:
            refused = self.state["refuse"].get(update.sku)
            if refused:
                results.append(PushResult(update.sku, False, refused[0], retryable=refused[1]))
            else:
                store[update.sku] = getattr(update, attribute)
                results.append(
                    PushResult(update.sku, True, submission_ref=self.state["submit"] or "")
                )
        return results

    def push_stock(self, updates):
        return self._push("push_stock", self.state["stock"], updates, "quantity")

    def push_prices(self, updates):
        return self._push("push_prices", self.state["prices"], updates, "price")

    def check_submission(self, submission_ref, skus):
        self._call("check_submission", (submission_ref, sorted(skus)))
        return self.state["verdicts"].get(submission_ref)

    def fetch_orders(self, updated_since):
        self._call("fetch_orders", updated_since)
        orders = [o for o in self.state["orders"].values() if o.updated_at >= updated_since]
        watermark = max((o.updated_at for o in orders), default=None)
        return OrderPage(orders=tuple(orders), watermark=watermark)

    def fetch_order(self, marketplace_ref):
        self._call("fetch_order", marketplace_ref)
        return self.state["orders"][marketplace_ref]

    def push_shipment(self, shipment):
        self._call("push_shipment", shipment)
        self.state["shipments"].append(shipment)
        return PushResult(shipment.order_ref, True)

    def cancel_order(self, marketplace_ref, reason=""):
        self._call("cancel_order", marketplace_ref)
        return PushResult(marketplace_ref, True)

    def fetch_fees(self, marketplace_ref):
        self._call("fetch_fees", marketplace_ref)
        return list(self.state["fees"].get(marketplace_ref, []))


def make_order(ref, lines, status="to_ship", email="buyer@example.com", updated=None, **kw):
    """Build a ``records.Order`` with sensible defaults for tests."""
    when = updated or datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    order_lines = tuple(
        OrderLine(line_ref=f"{ref}-{i}", sku=sku, quantity=qty, price_total=Decimal(str(price)))
        for i, (sku, qty, price) in enumerate(lines, start=1)
    )
    address = Address(
        name="Zoë Ölçer",
        street="1 Rue de la Paix",
        city="Paris",
        zip="75002",
        country_code="FR",
        email=email,
    )
    values = {
        "marketplace_ref": ref,
        "status": status,
        "created_at": when,
        "updated_at": when,
        "currency": "USD",  # the currency of a fresh test database's company
        "lines": order_lines,
        "total": sum((line.price_total for line in order_lines), Decimal(0)),
        "buyer_email": email,
        "buyer_name": "Zoë Ölçer",
        "shipping_address": address,
        "billing_address": address,
    }
    values.update(kw)
    return Order(**values)


#: The marketplace simulators, at the project root (not an Odoo addon).
SIMULATORS = Path(__file__).resolve().parents[3] / "simulators"


def load_simulator(name):
    """Return the ``marketplace_sim.<name>`` module and ``marketplace_sim.core``."""
    if str(SIMULATORS) not in sys.path:
        sys.path.insert(0, str(SIMULATORS))
    return importlib.import_module(f"marketplace_sim.{name}"), importlib.import_module(
        "marketplace_sim.core"
    )


class MarketplaceCommon(TransactionCase):
    """A connected channel on the fake connector, a warehouse and products."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Rate buckets and failure logs use cursors of their own: in tests they
        # must be savepoints of the test transaction, not commits.
        cls.registry_enter_test_mode_cls()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        FakeConnector.reset()
        cls.company = cls.env.company
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.stock_location = cls.warehouse.lot_stock_id
        cls.channel = cls.env["marketplace.channel"].create(
            {"name": "Test Market", "warehouse_id": cls.warehouse.id, "state": "connected"}
        )
        cls.product_a = cls._create_product("Mug", "MUG-1", barcode="4006381333931")
        cls.product_b = cls._create_product("Plate", "PLATE-1")

    @classmethod
    def _create_product(cls, name, code, barcode=False, price=10.0):
        return cls.env["product.product"].create(
            {
                "name": name,
                "default_code": code,
                "barcode": barcode,
                "type": "consu",
                "is_storable": True,
                "list_price": price,
            }
        )

    @classmethod
    def _set_stock(cls, product, qty, location=None):
        cls.env["stock.quant"]._update_available_quantity(
            product, location or cls.stock_location, qty
        )

    @classmethod
    def _create_listing(cls, product, sku, channel=None, **values):
        return cls.env["marketplace.listing"].create(
            {
                "channel_id": (channel or cls.channel).id,
                "product_id": product.id if product else False,
                "channel_sku": sku,
                "state": "active" if product else "unmatched",
                **values,
            }
        )

    @classmethod
    def _serve_simulator(cls, name, factory, **kwargs):
        """Start ``factory(**kwargs)`` of ``marketplace_sim.<name>`` on a loopback port
        for the class, on a clock that moves only on demand (started 5 min ago).

        :return: (the simulator module, the simulator, its URL)
        """
        module, core = load_simulator(name)
        sim = getattr(module, factory)(clock=core.SimClock(start=time.time() - 300), **kwargs)
        server = core.LoopbackServer(sim)
        server.start()
        cls.addClassCleanup(server.stop)
        return module, sim, server.url

    def setUp(self):
        super().setUp()
        FakeConnector.reset()

    @contextmanager
    def fake_connector(self):
        """Make every channel of the test dispatch to :class:`FakeConnector`."""
        with patch.object(
            self.registry["marketplace.channel"], "_get_connector_class", lambda self: FakeConnector
        ):
            yield FakeConnector.state
