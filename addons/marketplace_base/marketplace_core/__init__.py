"""Odoo-free core of the marketplace suite.

Everything here imports without Odoo (checked by
``tests/core/test_marketplace_core.py`` at the project root): the connector
contract, the dataclasses it exchanges and the pure computations (stock
allocation). Connector addons build on it, and their HTTP clients are tested
against it without a database.
"""
