import hashlib
import time

from odoo import api, fields, models

from odoo.addons.marketplace_base.tools import own_transaction

from ..etsy_client import refresh_access_token

#: First key of the advisory lock serialising the token refreshes of one channel.
_LOCK_NAMESPACE = 7_443_001


class MarketplaceEtsyToken(models.Model):
    """The OAuth tokens of one Etsy channel, shared by every Odoo process.

    Etsy rotates the refresh token at each refresh and revokes the old one, so
    a refresh is written at once in a transaction of its own (a job rolled
    back afterwards must not lose it), one process at a time (advisory lock),
    and here rather than on the channel so that a transaction holding the
    channel's row never blocks it.
    """

    _name = "marketplace.etsy.token"
    _description = "Etsy OAuth Tokens"

    channel_id = fields.Many2one(
        "marketplace.channel", required=True, ondelete="cascade", index=True, readonly=True
    )
    access_token = fields.Char(readonly=True)
    expires_at = fields.Float(readonly=True, help="Epoch seconds when the access token expires.")
    refresh_token = fields.Char(readonly=True, help="The latest refresh token Etsy issued.")
    seed = fields.Char(
        readonly=True,
        help="Digest of the channel's refresh token these tokens descend from: a new one "
        "entered on the channel starts over from it.",
    )

    _channel_unique = models.Constraint("UNIQUE (channel_id)", "One token set per Etsy channel.")

    @api.model
    def _get_access_token(self, channel_id, settings, refused=None):
        """Return a valid access token for the channel, refreshing it when needed.

        :param settings: the channel's connector settings (keystring, refresh token)
        :param refused: an access token Etsy just refused: never returned again
        """
        seed_token = settings.get("etsy_refresh_token") or ""
        seed = hashlib.sha256(seed_token.encode()).hexdigest()
        # READ COMMITTED: after the lock, read what the process that held it wrote.
        with own_transaction(self.env) as cr:
            cr.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_NAMESPACE, channel_id])
            cr.execute(
                """SELECT access_token, expires_at, refresh_token, seed
                     FROM marketplace_etsy_token WHERE channel_id = %s""",
                [channel_id],
            )
            row = cr.fetchone()
            refresh = seed_token
            if row and row[3] == seed:
                access, expires, refresh = row[:3]
                if access and access != refused and expires > time.time() + 60:
                    return access  # another process refreshed it meanwhile
            endpoint = (settings.get("etsy_endpoint") or "").strip().rstrip("/")
            kwargs = {"token_url": f"{endpoint}/v3/public/oauth/token"} if endpoint else {}
            answer = refresh_access_token(settings.get("etsy_keystring") or "", refresh, **kwargs)
            cr.execute(
                """INSERT INTO marketplace_etsy_token
                          (channel_id, access_token, expires_at, refresh_token, seed,
                           create_date, write_date)
                   VALUES (%(channel)s, %(access)s, %(expires)s, %(refresh)s, %(seed)s,
                           now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')
                   ON CONFLICT (channel_id) DO UPDATE
                      SET access_token = EXCLUDED.access_token,
                          expires_at = EXCLUDED.expires_at,
                          refresh_token = EXCLUDED.refresh_token,
                          seed = EXCLUDED.seed,
                          write_date = EXCLUDED.write_date""",
                {
                    "channel": channel_id,
                    "access": answer["access_token"],
                    "expires": time.time() + int(answer.get("expires_in") or 3600),
                    "refresh": answer.get("refresh_token") or refresh,
                    "seed": seed,
                },
            )
        return answer["access_token"]
