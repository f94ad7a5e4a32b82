"""Local, stateful simulators of the marketplace APIs (pure Python, no Odoo).

``SIMULATORS`` maps a marketplace code to ``"module:Class"``; classes are imported
only when asked for, so a missing or broken marketplace does not break the others.
"""

import importlib

SIMULATORS = {
    "amazon": "marketplace_sim.amazon:AmazonSimulator",
    "ebay": "marketplace_sim.ebay:EbaySimulator",
    "etsy": "marketplace_sim.etsy:EtsySimulator",
}


def load_simulator(code):
    """Return the simulator class registered for ``code`` (ImportError if absent)."""
    try:
        target = SIMULATORS[code]
    except KeyError:
        raise LookupError(f"unknown marketplace {code!r}; known: {sorted(SIMULATORS)}") from None
    module_name, _, class_name = target.partition(":")
    return getattr(importlib.import_module(module_name), class_name)


def register(code, target):
    """Register ``"module:Class"`` for ``code`` (for simulators living elsewhere)."""
    SIMULATORS[code] = target
