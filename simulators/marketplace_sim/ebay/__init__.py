"""eBay REST (Sell APIs) simulator: ``EbaySimulator`` on top of marketplace_sim.core."""

from .app import EbaySimulator
from .control import EbayControl
from .orders import OrderGenerator

__all__ = ["EbayControl", "EbaySimulator", "OrderGenerator"]
