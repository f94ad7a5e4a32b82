from . import (
    marketplace_channel,
    marketplace_listing,
    marketplace_stock_rule,
    marketplace_sync_log,
    product_product,
    res_partner,
    sale_order,
    sale_order_line,
)
