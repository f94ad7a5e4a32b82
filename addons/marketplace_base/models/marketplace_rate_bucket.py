import time

from odoo import api, fields, models

from ..tools import own_transaction

#: Share of the published rate we refill at. A token is taken a few calls before
#: the call it pays for reaches the marketplace (an Amazon feed's document and
#: upload come first), and that lag varies: refilling at exactly the published
#: rate then lets a call arrive just before the marketplace's own refill (429).
RATE_HEADROOM = 0.97


class MarketplaceRateBucket(models.Model):
    """A token bucket shared by every Odoo process: one per (account, operation group).

    Marketplaces limit calls per seller account or application, not per Odoo
    worker: the bucket lives in PostgreSQL and is taken in one short
    transaction of its own (READ COMMITTED, one UPDATE), so N workers on M
    hosts together never exceed the published rate.
    """

    _name = "marketplace.rate.bucket"
    _description = "Marketplace Rate Bucket"
    _order = "account_key, group_name"
    _rec_name = "group_name"

    account_key = fields.Char(required=True, readonly=True, index=True)
    group_name = fields.Char(string="Operation Group", required=True, readonly=True)
    rate = fields.Float(
        digits=(16, 6), required=True, help="Tokens per second the marketplace allows."
    )
    burst = fields.Float(digits=(16, 3), required=True, help="Size of the bucket.")
    daily_quota = fields.Integer(help="Calls allowed per day (UTC); 0: no daily quota.")
    tokens = fields.Float(digits=(16, 3), readonly=True)
    refilled_at = fields.Float(readonly=True, help="Epoch seconds of the last refill.")
    day = fields.Date(readonly=True)
    day_count = fields.Integer(string="Calls Today", readonly=True)
    calls = fields.Integer(readonly=True)
    throttled = fields.Integer(readonly=True, help="429 answers received.")
    postponed = fields.Integer(readonly=True, help="Jobs postponed for want of tokens.")
    quota_left = fields.Integer(compute="_compute_quota_left")
    exhaustion_hours = fields.Float(
        string="Daily Quota Lasts (h)",
        compute="_compute_quota_left",
        help="At today's pace, hours before the daily quota runs out.",
    )

    _account_group_unique = models.Constraint(
        "UNIQUE (account_key, group_name)", "One bucket per account and operation group."
    )

    @api.depends("daily_quota", "day_count", "day")
    def _compute_quota_left(self):
        now = fields.Datetime.now()
        elapsed_hours = now.hour + now.minute / 60 or 1 / 60
        today = fields.Date.today()
        for bucket in self:
            used = bucket.day_count if bucket.day == today else 0
            bucket.quota_left = max(bucket.daily_quota - used, 0) if bucket.daily_quota else 0
            pace = used / elapsed_hours
            bucket.exhaustion_hours = (
                bucket.quota_left / pace if bucket.daily_quota and pace else 0.0
            )

    @api.model
    def _bucket_cursor(self):
        """Tokens are spent whatever happens to the job, and concurrent takers queue
        on the row instead of failing to serialize."""
        return own_transaction(self.env)

    @api.model
    def _take(self, account_key, group_name, limits, count=1):
        """Take ``count`` tokens; return 0 when taken, else the seconds to wait.

        :param limits: ``(rate, burst, daily_quota)`` used when the bucket is new
        """
        rate, burst, daily = limits
        with self._bucket_cursor() as cr:
            cr.execute(
                """
                INSERT INTO marketplace_rate_bucket
                       (account_key, group_name, rate, burst, daily_quota, tokens, refilled_at,
                        day, day_count, calls, throttled, postponed, create_date, write_date)
                VALUES (%s, %s, %s, %s, %s, %s, extract(epoch FROM clock_timestamp()),
                        (now() AT TIME ZONE 'UTC')::date, 0, 0, 0, 0,
                        now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')
                ON CONFLICT (account_key, group_name) DO NOTHING
                """,
                [account_key, group_name, rate, burst, daily, burst],
            )
            cr.execute(
                """
                WITH b AS (
                    SELECT id, rate, burst, daily_quota,
                           LEAST(burst, tokens + rate * %(headroom)s * GREATEST(
                               extract(epoch FROM clock_timestamp()) - refilled_at, 0)) AS level,
                           CASE WHEN day = (now() AT TIME ZONE 'UTC')::date
                                THEN day_count ELSE 0 END AS used
                      FROM marketplace_rate_bucket
                     WHERE account_key = %(key)s AND group_name = %(group)s
                       FOR UPDATE
                )
                UPDATE marketplace_rate_bucket t
                   SET tokens = CASE WHEN b.level >= %(n)s
                                      AND (b.daily_quota = 0 OR b.used + %(n)s <= b.daily_quota)
                                     THEN b.level - %(n)s ELSE b.level END,
                       refilled_at = extract(epoch FROM clock_timestamp()),
                       day = (now() AT TIME ZONE 'UTC')::date,
                       day_count = b.used + CASE WHEN b.level >= %(n)s
                                      AND (b.daily_quota = 0 OR b.used + %(n)s <= b.daily_quota)
                                     THEN %(n)s ELSE 0 END,
                       calls = t.calls + CASE WHEN b.level >= %(n)s
                                      AND (b.daily_quota = 0 OR b.used + %(n)s <= b.daily_quota)
                                     THEN %(n)s ELSE 0 END,
                       postponed = t.postponed + CASE WHEN b.level >= %(n)s
                                      AND (b.daily_quota = 0 OR b.used + %(n)s <= b.daily_quota)
                                     THEN 0 ELSE 1 END
                  FROM b
                 WHERE t.id = b.id
             RETURNING b.level, b.rate, b.used, b.daily_quota
                """,
                {"key": account_key, "group": group_name, "n": count, "headroom": RATE_HEADROOM},
            )
            level, rate, used, daily = cr.fetchone()
        if level >= count and (not daily or used + count <= daily):
            return 0.0
        if daily and used + count > daily:
            # Wait for the next UTC day.
            return float(86400 - (int(time.time()) % 86400) + 1)
        return (count - level) / (rate * RATE_HEADROOM) if rate else 3600.0

    @api.model
    def _observe(self, account_key, group_name, observation):
        """Adopt what the marketplace said of the limits (its word beats our count).

        :param observation: a ``RateObservation``: the rate that applies, the calls
            left this second (caps the tokens), the daily quota and the calls left
            today (other applications or tools may spend the same quota).
        """
        obs = observation
        if not any(
            value is not None
            for value in (obs.rate, obs.remaining, obs.daily_quota, obs.remaining_today)
        ):
            return
        with self._bucket_cursor() as cr:
            cr.execute(
                """
                UPDATE marketplace_rate_bucket
                   SET rate = COALESCE(%(rate)s, rate),
                       tokens = CASE WHEN %(remaining)s IS NULL THEN tokens
                                     ELSE LEAST(%(remaining)s, burst,
                                          tokens + rate * %(headroom)s * GREATEST(
                                          extract(epoch FROM clock_timestamp()) - refilled_at, 0))
                                END,
                       refilled_at = CASE WHEN %(remaining)s IS NULL THEN refilled_at
                                          ELSE extract(epoch FROM clock_timestamp()) END,
                       daily_quota = COALESCE(%(daily)s, daily_quota),
                       day_count = CASE WHEN %(left_today)s IS NULL THEN day_count
                                        ELSE GREATEST(
                                            CASE WHEN day = (now() AT TIME ZONE 'UTC')::date
                                                 THEN day_count ELSE 0 END,
                                            COALESCE(%(daily)s, daily_quota) - %(left_today)s)
                                   END,
                       day = (now() AT TIME ZONE 'UTC')::date
                 WHERE account_key = %(key)s AND group_name = %(group)s
                """,
                {
                    "key": account_key,
                    "group": group_name,
                    "rate": obs.rate,
                    "remaining": obs.remaining,
                    "daily": obs.daily_quota,
                    "left_today": obs.remaining_today,
                    "headroom": RATE_HEADROOM,
                },
            )

    @api.model
    def _throttled(self, account_key, group_name, retry_after=None):
        """The marketplace said 429: empty the bucket (it knows better than our count)."""
        with self._bucket_cursor() as cr:
            cr.execute(
                """
                UPDATE marketplace_rate_bucket
                   SET tokens = CASE WHEN %(wait)s > 0 THEN -rate * %(wait)s ELSE 0 END,
                       refilled_at = extract(epoch FROM clock_timestamp()),
                       throttled = throttled + 1
                 WHERE account_key = %(key)s AND group_name = %(group)s
                """,
                {"key": account_key, "group": group_name, "wait": retry_after or 0},
            )
