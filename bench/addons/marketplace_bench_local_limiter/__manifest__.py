{
    "name": "Marketplace Bench: Per-Process Rate Limiter",
    "summary": "Benchmark baseline only: rate limits kept in each Odoo process, not shared",
    "version": "19.0.1.0.0",
    "category": "Hidden",
    "website": "https://github.com/marketplace-suite/odoo-marketplace",
    "author": "Marketplace Suite contributors",
    "license": "AGPL-3",
    "depends": ["marketplace_base"],
    "installable": True,
}
