from psycopg2 import IntegrityError

from odoo.tests import tagged
from odoo.tools import mute_logger

from ..marketplace_core.records import RemoteListing
from .common import MarketplaceCommon


@tagged("post_install", "-at_install")
class TestMarketplaceListing(MarketplaceCommon):
    def test_channel_sku_unique(self):
        """Test that a channel SKU is unique per channel but reusable on another channel."""
        self._create_listing(self.product_a, "SKU-1")
        other = self.channel.copy({"name": "Other"})
        self._create_listing(self.product_b, "SKU-1", channel=other)
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.env.cr.savepoint():
            self._create_listing(self.product_b, "SKU-1")

    def test_pack_qty_positive(self):
        """Test that a pack quantity of zero is refused."""
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.env.cr.savepoint():
            self._create_listing(self.product_a, "P0", pack_qty=0)

    def test_unmatched_then_linked(self):
        """Test that a listing without product is unmatched and becomes draft once linked."""
        listing = self.env["marketplace.listing"].create(
            {"channel_id": self.channel.id, "channel_sku": "REMOTE-9", "name": "Remote title"}
        )
        self.assertEqual(listing.state, "unmatched")
        listing.product_id = self.product_b
        self.assertEqual(listing.state, "draft")

    def test_auto_match_reference_and_barcode(self):
        """Test auto-match on internal reference, then barcode; others stay unmatched."""
        by_code = self._create_listing(None, "PLATE-1")
        by_barcode = self._create_listing(None, "4006381333931")
        unknown = self._create_listing(None, "NOPE")
        (by_code | by_barcode | unknown).action_auto_match()
        self.assertEqual(by_code.product_id, self.product_b)
        self.assertEqual(by_barcode.product_id, self.product_a)
        self.assertFalse(unknown.product_id)
        self.assertEqual(unknown.state, "unmatched")

    def test_link_wizard(self):
        """Test the bulk link wizard in both modes."""
        first = self._create_listing(None, "X-1")
        second = self._create_listing(None, "MUG-1")
        Wizard = self.env["marketplace.listing.link.wizard"]
        Wizard.create({"listing_ids": [(6, 0, second.ids)], "mode": "auto"}).action_link()
        self.assertEqual(second.product_id, self.product_a)
        Wizard.create(
            {
                "listing_ids": [(6, 0, first.ids)],
                "mode": "product",
                "product_id": self.product_b.id,
                "pack_qty": 6,
            }
        ).action_link()
        self.assertRecordValues(first, [{"product_id": self.product_b.id, "pack_qty": 6}])

    def test_import_remote_listings(self):
        """Test that imported listings are bound, matched, and updated on re-import."""
        existing = self._create_listing(self.product_a, "MUG-1")
        remote = [
            RemoteListing(sku="MUG-1", marketplace_ref="B000MUG", title="Mug", quantity=3),
            RemoteListing(sku="PLATE-1", marketplace_ref="B000PLT", title="Plate", quantity=1),
            RemoteListing(sku="ghost", marketplace_ref="B000GHO", title="Ghost"),
        ]
        with self.fake_connector() as state:
            state["listings"] = remote
            log = self.channel._import_listings()
        listings = self.channel.listing_ids
        self.assertEqual(len(listings), 3)
        self.assertEqual(existing.marketplace_ref, "B000MUG")
        plate = listings.filtered(lambda rec: rec.channel_sku == "PLATE-1")
        self.assertRecordValues(plate, [{"product_id": self.product_b.id, "state": "active"}])
        ghost = listings.filtered(lambda rec: rec.channel_sku == "ghost")
        self.assertRecordValues(ghost, [{"state": "unmatched", "name": "Ghost"}])
        self.assertEqual(log.state, "success")
        self.assertEqual(log.count_total, 3)
