{
    "name": "Marketplace eBay",
    "summary": "Sell on eBay through the REST Sell APIs",
    "version": "19.0.1.0.0",
    "category": "Sales/Sales",
    "website": "https://github.com/marketplace-suite/odoo-marketplace",
    "author": "Marketplace Suite contributors",
    "maintainers": ["marketplace-suite"],
    "license": "AGPL-3",
    "development_status": "Alpha",
    "depends": ["marketplace_base"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "data/queue_job_channel_data.xml",
        "views/marketplace_channel_views.xml",
    ],
}
