"""Stock allocation: from free stock to the quantity published on a channel.

Pure functions so the rule arithmetic is tested without Odoo and applied
set-based by the models (one call per listing, no query).
"""

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class AllocationRule:
    """The numeric part of a ``marketplace.stock.rule``.

    ``maximum`` of 0 means no ceiling. ``minimum``: when the allocated quantity
    falls below it, publish 0 (avoids overselling the last units).
    """

    safety_buffer: float = 0.0
    share_percent: float = 100.0
    maximum: float = 0.0
    minimum: float = 0.0


NO_RULE = AllocationRule()


def available_to_sell(free_qty, pending_qty=0.0, rule=NO_RULE, pack_qty=1.0):
    """Return the whole number of channel units to publish.

    :param free_qty: on hand minus reserved in the rule's source locations
    :param pending_qty: product units of imported orders not reserved yet
    :param rule: the allocation rule that applies
    :param pack_qty: product units in one channel unit (> 0)
    """
    qty = free_qty - pending_qty - rule.safety_buffer
    qty = qty * rule.share_percent / 100.0
    if rule.maximum:
        qty = min(qty, rule.maximum)
    if qty < rule.minimum:
        return 0
    # A tiny epsilon absorbs float noise such as 2.9999999 units from shares.
    units = math.floor(qty / (pack_qty or 1.0) + 1e-9)
    return max(units, 0)
