from datetime import UTC, datetime
from decimal import Decimal

from odoo.tests import tagged

from ..marketplace_core.records import Address
from .common import MarketplaceCommon, make_order


@tagged("post_install", "-at_install")
class TestOrderImport(MarketplaceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.listing_a = cls._create_listing(cls.product_a, "MUG")
        cls.listing_pack = cls._create_listing(cls.product_b, "PLATE-6", pack_qty=6)
        cls._set_stock(cls.product_a, 50)
        cls._set_stock(cls.product_b, 50)

    def _import(self, *orders):
        with self.fake_connector() as state:
            for order in orders:
                state["orders"][order.marketplace_ref] = order
            return self.channel._import_orders()

    def _orders(self):
        return self.env["sale.order"].search([("marketplace_channel_id", "=", self.channel.id)])

    def test_import_creates_confirmed_orders(self):
        """Test that an order lands as a confirmed sale order with pack quantities."""
        gift_to = Address(
            name="Åsa Berg", street="3 Rue Cler", city="Paris", zip="75007", country_code="FR"
        )
        log = self._import(
            make_order(
                "111-1", [("MUG", 2, "24.00"), ("PLATE-6", 1, "30.00")], shipping_address=gift_to
            )
        )
        order = self._orders()
        self.assertRecordValues(
            order,
            [
                {
                    "marketplace_ref": "111-1",
                    "state": "sale",
                    "marketplace_status": "to_ship",
                    "marketplace_to_fix": False,
                    "warehouse_id": self.warehouse.id,
                }
            ],
        )
        lines = order.order_line.sorted("marketplace_line_ref")
        self.assertEqual(lines.mapped("product_uom_qty"), [2.0, 6.0])
        self.assertEqual(lines.mapped("price_unit"), [12.0, 5.0])
        self.assertEqual(order.partner_id.email, "buyer@example.com")
        self.assertEqual(order.partner_shipping_id.type, "delivery")
        self.assertEqual(order.partner_shipping_id.parent_id, order.partner_id)
        self.assertEqual(order.partner_shipping_id.name, "Åsa Berg")
        self.assertEqual(order.partner_shipping_id.country_id.code, "FR")
        self.assertTrue(order.picking_ids)
        self.assertEqual(log.state, "success")
        self.assertEqual(self.channel.orders_watermark, datetime(2026, 11, 20, 10, 0))

    def test_import_is_idempotent_and_dedupes_buyer(self):
        """Test that re-importing creates no second order and a repeat buyer is reused."""
        first = make_order("111-1", [("MUG", 1, "12.00")])
        self._import(first)
        self.channel.orders_watermark = False  # overlapping window: the same order again
        second = make_order(
            "111-2", [("MUG", 1, "12.00")], updated=datetime(2026, 11, 21, tzinfo=UTC)
        )
        self._import(first, second)
        orders = self._orders()
        self.assertEqual(len(orders), 2)
        self.assertEqual(len(orders.partner_id), 1)

    def test_unknown_sku_is_kept_and_flagged(self):
        """Test that an unknown SKU keeps the order, flags it, and reprocessing fixes it."""
        remote = make_order("222-1", [("MUG", 1, "12.00"), ("NEW-SKU", 2, "20.00")])
        good = make_order("222-2", [("MUG", 1, "12.00")])
        log = self._import(remote, good)
        orders = self._orders()
        self.assertEqual(len(orders), 2)
        flagged = orders.filtered("marketplace_to_fix")
        self.assertEqual(flagged.marketplace_ref, "222-1")
        self.assertEqual(flagged.state, "draft")
        self.assertIn("NEW-SKU", flagged.marketplace_error)
        self.assertTrue(flagged.activity_ids)
        self.assertEqual(log.state, "warning")
        # Map the SKU, then reprocess.
        self._create_listing(self.product_b, "NEW-SKU")
        with self.fake_connector() as state:
            state["orders"]["222-1"] = remote
            flagged.action_marketplace_reprocess()
        self.assertFalse(flagged.marketplace_to_fix)
        self.assertEqual(flagged.state, "sale")
        self.assertEqual(
            sorted(flagged.order_line.mapped("product_id.default_code")), ["MUG-1", "PLATE-1"]
        )

    def test_bad_data_keeps_order(self):
        """Test that data the mapping cannot handle still leaves a flagged order."""
        remote = make_order("333-1", [("MUG", 1, "12.00")], created_at="not a date")
        self._import(remote)
        order = self._orders()
        self.assertEqual(len(order), 1)
        self.assertTrue(order.marketplace_to_fix)

    def test_cancellation_before_and_after_shipping(self):
        """Test that a cancellation cancels an unshipped order and flags a shipped one."""
        self._import(
            make_order("444-1", [("MUG", 1, "12.00")]), make_order("444-2", [("MUG", 1, "12.00")])
        )
        unshipped, shipped = self._orders().sorted("marketplace_ref")
        picking = shipped.picking_ids
        picking.move_ids.quantity = 1
        picking.move_ids.picked = True
        picking.button_validate()
        later = datetime(2026, 11, 22, tzinfo=UTC)
        self._import(
            make_order("444-1", [("MUG", 1, "12.00")], status="cancelled", updated=later),
            make_order("444-2", [("MUG", 1, "12.00")], status="cancelled", updated=later),
        )
        self.assertEqual(unshipped.state, "cancel")
        self.assertEqual(unshipped.marketplace_status, "cancelled")
        self.assertNotEqual(shipped.state, "cancel")
        self.assertTrue(shipped.marketplace_to_fix)
        self.assertIn("return", shipped.marketplace_error)


@tagged("post_install", "-at_install")
class TestOrderImportAmounts(MarketplaceCommon):
    """Taxes, totals, extra lines, marketplace-fulfilled orders and repeat buyers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tax = cls.env["account.tax"].create(
            {
                "name": "VAT 20",
                "amount": 20,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "company_id": cls.company.id,
            }
        )
        (cls.product_a | cls.product_b).taxes_id = cls.tax
        cls._create_listing(cls.product_a, "MUG")
        cls._set_stock(cls.product_a, 50)

    def _import(self, *orders):
        with self.fake_connector() as state:
            for order in orders:
                state["orders"][order.marketplace_ref] = order
            return self.channel._import_orders()

    def _get(self, ref):
        return self.env["sale.order"].search([("marketplace_ref", "=", ref)])

    def test_tax_included_prices_match_marketplace_total(self):
        """Test that tax-included marketplace prices give the marketplace's total to the cent."""
        self._import(
            make_order(
                "T-1", [("MUG", 3, "35.97")], shipping_total=Decimal("4.99"), total=Decimal("40.96")
            )
        )
        order = self._get("T-1")
        self.assertFalse(order.marketplace_to_fix, order.marketplace_error)
        self.assertEqual(order.amount_total, 40.96)
        self.assertTrue(all(order.order_line.tax_ids.mapped("price_include")))
        self.assertEqual(order.state, "sale")

    def test_tax_excluded_prices(self):
        """Test that tax-excluded prices (US style) add the tax on top."""
        self.channel.price_include_tax = False
        self._import(make_order("T-2", [("MUG", 2, "20.00")], total=Decimal("24.00")))
        order = self._get("T-2")
        self.assertFalse(order.marketplace_to_fix, order.marketplace_error)
        self.assertEqual(order.amount_tax, 4.0)

    def test_total_mismatch_is_flagged(self):
        """Test that an order whose total differs from the marketplace's is flagged."""
        self._import(make_order("T-3", [("MUG", 1, "10.00")], total=Decimal("12.00")))
        order = self._get("T-3")
        self.assertTrue(order.marketplace_to_fix)
        self.assertIn("differs", order.marketplace_error)
        self.assertEqual(order.state, "draft")

    def test_shipping_gift_wrap_and_discount_lines(self):
        """Test the extra lines with the channel's products."""
        self._import(
            make_order(
                "T-4",
                [("MUG", 1, "10.00")],
                shipping_total=Decimal("3.00"),
                gift_wrap_total=Decimal("2.00"),
                discount_total=Decimal("1.50"),
                total=Decimal("13.50"),
            )
        )
        order = self._get("T-4")
        self.assertFalse(order.marketplace_to_fix, order.marketplace_error)
        by_product = {line.product_id: line.price_unit for line in order.order_line}
        self.assertEqual(by_product[self.channel.shipping_product_id], 3.0)
        self.assertEqual(by_product[self.channel.gift_wrap_product_id], 2.0)
        self.assertEqual(by_product[self.channel.discount_product_id], -1.5)

    def test_marketplace_fulfilled_order(self):
        """Test that an FBA-like order leaves the marketplace location, not our warehouse."""
        fba = self.env["stock.location"].create({"name": "FBA", "usage": "internal"})
        self._set_stock(self.product_a, 10, fba)
        self.channel.marketplace_location_id = fba
        listing = self.channel.listing_ids
        before = listing._compute_available_to_sell()[listing.id]
        self._import(make_order("F-1", [("MUG", 2, "20.00")], fulfilled_by_marketplace=True))
        order = self._get("F-1")
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.picking_ids)
        self.assertEqual(order.order_line.qty_delivered, 2)
        self.assertEqual(self.product_a.with_context(location=fba.id).qty_available, 8)
        self.assertEqual(listing._compute_available_to_sell()[listing.id], before)

    def test_marketplace_fulfilled_without_location_is_flagged(self):
        """Test that an FBA-like order on a channel without marketplace location is kept to fix."""
        self._import(make_order("F-2", [("MUG", 1, "10.00")], fulfilled_by_marketplace=True))
        order = self._get("F-2")
        self.assertTrue(order.marketplace_to_fix)
        self.assertIn("marketplace stock location", order.marketplace_error)

    def test_repeat_buyer_by_marketplace_id(self):
        """Test that the marketplace buyer id finds a repeat buyer whatever the email says."""
        self._import(
            make_order("B-1", [("MUG", 1, "10.00")], buyer_ref="BUYER9", email="a@example.com"),
            make_order("B-2", [("MUG", 1, "10.00")], buyer_ref="BUYER9", email="b@example.com"),
        )
        self.assertEqual(self._get("B-1").partner_id, self._get("B-2").partner_id)
        self.assertEqual(self._get("B-1").partner_id.marketplace_buyer_ref, "none:BUYER9")

    def test_repeat_buyer_new_billing_address(self):
        """Test that a repeat buyer's new billing address becomes an invoice contact."""
        first = make_order("A-1", [("MUG", 1, "10.00")], buyer_ref="B7")
        moved = Address(
            name="Zoë Ölçer",
            street="9 Quai Voltaire",
            city="Paris",
            zip="75007",
            country_code="FR",
            vat="FR40303265045",
        )
        second = make_order("A-2", [("MUG", 1, "10.00")], buyer_ref="B7", billing_address=moved)
        self._import(first, second)
        order_1, order_2 = self._get("A-1"), self._get("A-2")
        self.assertEqual(order_1.partner_invoice_id, order_1.partner_id)
        self.assertEqual(order_2.partner_id, order_1.partner_id)
        invoice = order_2.partner_invoice_id
        self.assertRecordValues(
            invoice,
            [
                {
                    "type": "invoice",
                    "parent_id": order_1.partner_id.id,
                    "street": "9 Quai Voltaire",
                    "vat": "FR40303265045",
                }
            ],
        )
