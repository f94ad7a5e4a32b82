from decimal import Decimal

from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from ..marketplace_core.records import Fee, PushResult
from .common import FakeConnector, MarketplaceCommon, make_order


@tagged("post_install", "-at_install")
class TestShipment(MarketplaceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_listing(cls.product_a, "MUG")
        cls._create_listing(cls.product_b, "PLATE-2", pack_qty=2)
        cls._set_stock(cls.product_a, 20)
        cls._set_stock(cls.product_b, 20)
        cls.carrier = cls.env["delivery.carrier"].create(
            {
                "name": "La Poste",
                "product_id": cls.env.ref("marketplace_base.product_marketplace_shipping").id,
            }
        )
        cls.env["marketplace.carrier.mapping"].create(
            {
                "channel_id": cls.channel.id,
                "carrier_id": cls.carrier.id,
                "marketplace_carrier_code": "Colissimo",
            }
        )

    def _order(self):
        with self.fake_connector() as state:
            state["orders"]["S-1"] = make_order(
                "S-1", [("MUG", 3, "30.00"), ("PLATE-2", 2, "20.00")]
            )
            self.channel._import_orders()
        return self.env["sale.order"].search([("marketplace_ref", "=", "S-1")])

    def _ship(self, picking, quantities):
        picking.carrier_id = self.carrier
        picking.carrier_tracking_ref = "TRACK-1"
        for move in picking.move_ids:
            move.quantity = quantities[move.product_id]
            move.picked = True
        return picking.with_context(
            skip_backorder=True, picking_ids_not_to_backorder=[]
        ).button_validate()

    def test_done_delivery_enqueues_and_pushes_shipment(self):
        """Test that validating the delivery pushes tracking, mapped carrier and channel units."""
        order = self._order()
        picking = order.picking_ids
        with trap_jobs() as trap:
            self._ship(picking, {self.product_a: 3, self.product_b: 4})
            trap.assert_jobs_count(1, only=picking._marketplace_push_shipment)
        self.assertEqual(picking.marketplace_shipment_state, "to_push")
        with self.fake_connector() as state:
            picking._marketplace_push_shipment()
            picking._marketplace_push_shipment()  # a repeated job sends nothing twice
        self.assertEqual(len(state["shipments"]), 1)
        shipment = state["shipments"][0]
        self.assertEqual(
            (shipment.order_ref, shipment.carrier_code, shipment.tracking_ref),
            ("S-1", "Colissimo", "TRACK-1"),
        )
        self.assertEqual(
            sorted((ln.line_ref, ln.quantity) for ln in shipment.lines),
            [("S-1-1", 3), ("S-1-2", 2)],
        )  # 4 plates = 2 packs of 2
        self.assertEqual(picking.marketplace_shipment_state, "pushed")

    def test_fees_imported_after_shipment(self):
        """Test that a pushed shipment enqueues the fee import, which is idempotent."""
        order = self._order()
        picking = order.picking_ids
        self._ship(picking, {self.product_a: 3, self.product_b: 4})
        with self.fake_connector() as state, trap_jobs() as trap:
            picking._marketplace_push_shipment()
            trap.assert_enqueued_job(order._marketplace_import_fees)
            currency = order.currency_id.name
            state["fees"]["S-1"] = [
                Fee("S-1", "Commission", Decimal("-7.50"), currency, "S-1-1"),
                Fee("S-1", "ShippingChargeback", Decimal("-2.00"), currency),
            ]
            order._marketplace_import_fees()
            order._marketplace_import_fees()  # a repeated job replaces, never doubles
        self.assertEqual(len(order.marketplace_fee_ids), 2)
        self.assertAlmostEqual(order.marketplace_fee_total, -9.5)
        self.assertAlmostEqual(order.marketplace_net_amount, order.amount_untaxed - 9.5)

    def test_partial_shipment_pushes_its_lines(self):
        """Test that a partial delivery pushes only what left, the backorder the rest."""
        order = self._order()
        picking = order.picking_ids
        picking.carrier_id = self.carrier
        picking.carrier_tracking_ref = "TRACK-P1"
        for move in picking.move_ids:
            move.quantity = 1 if move.product_id == self.product_a else 0
            move.picked = move.product_id == self.product_a
        picking.with_context(cancel_backorder=False)._action_done()
        with self.fake_connector() as state:
            picking._marketplace_push_shipment()
        self.assertEqual(
            [(ln.line_ref, ln.quantity) for ln in state["shipments"][0].lines], [("S-1-1", 1)]
        )
        backorder = order.picking_ids - picking
        self.assertTrue(backorder)
        self.assertFalse(backorder.marketplace_shipment_state)

    def test_refused_shipment_is_kept_with_retry(self):
        """Test that a refusal is shown on the delivery with an activity and can be retried."""
        order = self._order()
        picking = order.picking_ids
        self._ship(picking, {self.product_a: 3, self.product_b: 4})
        with self.fake_connector():
            original = FakeConnector.push_shipment
            FakeConnector.push_shipment = lambda self, s: PushResult(
                s.order_ref, False, "Bad tracking"
            )
            try:
                picking._marketplace_push_shipment()
            finally:
                FakeConnector.push_shipment = original
        self.assertEqual(picking.marketplace_shipment_state, "failed")
        self.assertEqual(picking.marketplace_shipment_error, "Bad tracking")
        self.assertTrue(picking.activity_ids)
        with trap_jobs() as trap:
            picking.action_marketplace_retry_shipment()
            trap.assert_jobs_count(1, only=picking._marketplace_push_shipment)
