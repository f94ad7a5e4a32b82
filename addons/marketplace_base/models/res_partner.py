from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    marketplace_buyer_ref = fields.Char(
        copy=False,
        index="btree_not_null",
        help="The buyer's id on a marketplace, as '<marketplace>:<id>': finds repeat buyers.",
    )

    @api.model
    def _marketplace_find_or_create(self, channel, remote):
        """Return the buyer of ``remote``: a repeat buyer is found by email."""
        address = remote.billing_address or remote.shipping_address
        email = remote.buyer_email or (address and address.email) or ""
        company_domain = [("company_id", "in", [channel.company_id.id, False])]
        buyer_ref = remote.buyer_ref and f"{channel.channel_type}:{remote.buyer_ref}"
        if buyer_ref:
            partner = self.search(
                [("marketplace_buyer_ref", "=", buyer_ref), *company_domain], limit=1
            )
            if partner:
                return partner
        if email:
            partner = self.search(
                [
                    ("email", "=ilike", email),
                    ("parent_id", "=", False),
                    ("company_id", "in", [channel.company_id.id, False]),
                ],
                limit=1,
            )
            if partner:
                return partner
        values = self._marketplace_address_values(address) if address else {}
        values.update(
            {
                "name": remote.buyer_name
                or (address and address.name)
                or self.env._("Buyer of %s", remote.marketplace_ref),
                "email": email or False,
                "marketplace_buyer_ref": buyer_ref or False,
                "is_company": bool(remote.is_business and address and address.company),
                "company_id": channel.company_id.id,
            }
        )
        return self.with_context(mail_create_nolog=True).create(values)

    def _marketplace_child_address(self, address, address_type):
        """Return a child contact of type ``address_type`` for ``address`` (reused if equal)."""
        self.ensure_one()
        if not address:
            return self
        values = self._marketplace_address_values(address)

        def same(partner):
            return all(
                (partner[k].id if hasattr(partner[k], "id") else partner[k]) == (v or False)
                for k, v in values.items()
            )

        if same(self):
            return self  # the buyer's own address: no duplicate contact
        for child in self.child_ids.filtered(lambda c: c.type == address_type):
            if same(child):
                return child
        return self.with_context(mail_create_nolog=True).create(
            {
                **values,
                "parent_id": self.id,
                "type": address_type,
                "name": address.name or self.name,
            }
        )

    @api.model
    def _marketplace_address_values(self, address):
        country = (
            self.env["res.country"].search([("code", "=ilike", address.country_code)], limit=1)
            if address.country_code
            else self.env["res.country"]
        )
        state = self.env["res.country.state"]
        if country and (address.state_code or address.state_name):
            state = state.search(
                [
                    ("country_id", "=", country.id),
                    "|",
                    ("code", "=ilike", address.state_code or "-"),
                    ("name", "=ilike", address.state_name or "-"),
                ],
                limit=1,
            )
        return {
            "street": address.street or False,
            "street2": address.street2 or False,
            "city": address.city or False,
            "zip": address.zip or False,
            "country_id": country.id or False,
            "state_id": state.id or False,
            "phone": address.phone or False,
            "vat": address.vat or False,
        }
