from . import (
    test_allocation,
    test_jobs,
    test_marketplace_channel,
    test_marketplace_listing,
    test_order_import,
    test_security,
    test_ui,
)
