from odoo.fields import Command
from odoo.tests import tagged

from .common import MarketplaceCommon


@tagged("post_install", "-at_install")
class TestAllocation(MarketplaceCommon):
    """Available-to-sell per channel for the three stock models and the rule numbers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.listing_a = cls._create_listing(cls.product_a, "A")
        cls.listing_b = cls._create_listing(cls.product_b, "B")
        Location = cls.env["stock.location"]
        cls.shop_location = Location.create(
            {"name": "Shop", "usage": "internal", "location_id": cls.stock_location.location_id.id}
        )
        cls.dedicated = Location.create(
            {
                "name": "Reserved for channel",
                "usage": "internal",
                "location_id": cls.stock_location.id,
            }
        )

    def _ats(self, listings=None):
        listings = listings or (self.listing_a | self.listing_b)
        return listings._compute_available_to_sell()

    def test_no_rule_uses_channel_warehouse(self):
        """Test that without a rule the channel sells its warehouse's free stock."""
        self._set_stock(self.product_a, 7)
        self._set_stock(self.product_a, 50, self.shop_location)
        self.assertEqual(self._ats()[self.listing_a.id], 7)
        self.assertEqual(self._ats()[self.listing_b.id], 0)

    def test_shared_pool_children_and_reservations(self):
        """Test that a warehouse rule counts child locations and subtracts reservations."""
        self.env["marketplace.stock.rule"].create(
            {
                "name": "Shared",
                "channel_id": self.channel.id,
                "warehouse_ids": [Command.set(self.warehouse.ids)],
            }
        )
        self._set_stock(self.product_a, 10)
        self._set_stock(self.product_a, 5, self.dedicated)  # child of WH/Stock
        self.env["stock.quant"]._update_reserved_quantity(self.product_a, self.stock_location, 4)
        self.assertEqual(self._ats()[self.listing_a.id], 11)

    def test_dedicated_location(self):
        """Test that a dedicated-location rule sells only that location."""
        self.env["marketplace.stock.rule"].create(
            {
                "name": "Dedicated",
                "channel_id": self.channel.id,
                "location_ids": [Command.set(self.dedicated.ids)],
            }
        )
        self._set_stock(self.product_a, 10)
        self._set_stock(self.product_a, 3, self.dedicated)
        self.assertEqual(self._ats()[self.listing_a.id], 3)

    def test_consolidated_locations(self):
        """Test that several sources (warehouse and a shop) are consolidated."""
        self.env["marketplace.stock.rule"].create(
            {
                "name": "All",
                "channel_id": self.channel.id,
                "warehouse_ids": [Command.set(self.warehouse.ids)],
                "location_ids": [Command.set(self.shop_location.ids)],
            }
        )
        self._set_stock(self.product_a, 10)
        self._set_stock(self.product_a, 6, self.shop_location)
        self.assertEqual(self._ats()[self.listing_a.id], 16)

    def test_rule_numbers_and_pack(self):
        """Test buffer, share, maximum, minimum and pack quantity together."""
        rule = self.env["marketplace.stock.rule"].create(
            {
                "name": "Numbers",
                "channel_id": self.channel.id,
                "safety_buffer": 2,
                "share_percent": 50,
                "max_qty": 20,
                "min_qty": 3,
                "warehouse_ids": [Command.set(self.warehouse.ids)],
            }
        )
        self._set_stock(self.product_a, 100)
        self._set_stock(self.product_b, 7)
        # A: (100 - 2) * 50% = 49, capped at 20. B: (7 - 2) * 50% = 2.5 < 3 -> 0.
        self.assertEqual(self._ats(), {self.listing_a.id: 20, self.listing_b.id: 0})
        self.listing_a.pack_qty = 6
        self.assertEqual(self._ats(self.listing_a)[self.listing_a.id], 3)
        rule.min_qty = 0
        self.assertEqual(self._ats(self.listing_b)[self.listing_b.id], 2)

    def test_first_matching_rule_by_category(self):
        """Test that a listing follows the first rule whose category takes it."""
        category = self.env["product.category"].create({"name": "Fragile"})
        self.product_b.categ_id = category
        self.env["marketplace.stock.rule"].create(
            [
                {
                    "name": "Fragile",
                    "sequence": 1,
                    "channel_id": self.channel.id,
                    "categ_ids": [Command.set(category.ids)],
                    "max_qty": 1,
                    "warehouse_ids": [Command.set(self.warehouse.ids)],
                },
                {
                    "name": "Rest",
                    "sequence": 2,
                    "channel_id": self.channel.id,
                    "safety_buffer": 1,
                    "warehouse_ids": [Command.set(self.warehouse.ids)],
                },
            ]
        )
        self._set_stock(self.product_a, 5)
        self._set_stock(self.product_b, 5)
        self.assertEqual(self._ats(), {self.listing_a.id: 4, self.listing_b.id: 1})

    def test_never_negative(self):
        """Test that reservations above stock publish 0, not a negative quantity."""
        self.env["marketplace.stock.rule"].create(
            {
                "name": "Buffer",
                "channel_id": self.channel.id,
                "safety_buffer": 10,
            }
        )
        self._set_stock(self.product_a, 3)
        self.assertEqual(self._ats()[self.listing_a.id], 0)
