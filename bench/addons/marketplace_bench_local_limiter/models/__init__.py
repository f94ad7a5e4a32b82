from . import marketplace_rate_bucket
