{
    "name": "Marketplace Amazon",
    "summary": "Sell on Amazon through the Selling Partner API",
    "version": "19.0.1.0.0",
    "category": "Sales/Sales",
    "website": "https://github.com/marketplace-suite/odoo-marketplace",
    "author": "Marketplace Suite contributors",
    "maintainers": ["marketplace-suite"],
    "license": "AGPL-3",
    "development_status": "Alpha",
    "depends": ["marketplace_base"],
    "external_dependencies": {"python": ["python-amazon-sp-api", "httpx"]},
    "data": [
        "data/queue_job_channel_data.xml",
        "views/marketplace_channel_views.xml",
    ],
}
