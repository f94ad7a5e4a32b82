from odoo import api, fields, models


class MarketplaceListingMark(models.Model):
    """A change a listing must push (stock or price), recorded by the transaction
    that made it (a picking, an inventory count, a pricelist rule).

    Inserted, never updated: marking never touches the listing's row, which a
    push job may hold, so a user's stock change never waits for a push nor
    fails on it. A push job deletes the marks it saw once it sent the values;
    a mark made meanwhile stays for the next job.
    """

    _name = "marketplace.listing.mark"
    _description = "Marketplace Listing Change Mark"
    _log_access = False

    # No foreign key on purpose: its check would lock the listing's row.
    listing_id = fields.Integer(required=True, index=True)
    kind = fields.Selection([("stock", "Stock"), ("price", "Price")], required=True)

    @api.autovacuum
    def _gc_orphan_marks(self):
        """Drop the marks of deleted listings (no foreign key cascades them) and all but
        the newest mark of a listing and kind (a channel left disconnected piles them up;
        one says as much as many, and the newest one outlives any job that saw the others)."""
        self.env.cr.execute(
            """DELETE FROM marketplace_listing_mark m
                WHERE NOT EXISTS (SELECT 1 FROM marketplace_listing l WHERE l.id = m.listing_id)"""
        )
        self.env.cr.execute(
            """DELETE FROM marketplace_listing_mark m
                USING marketplace_listing_mark newer
                WHERE newer.listing_id = m.listing_id AND newer.kind = m.kind AND newer.id > m.id"""
        )
