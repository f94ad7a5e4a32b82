"""Contract coverage: which marketplace operations were validated against their specs.

Each simulator package may provide ``contract_calls.exercise()`` making one valid call per
operation it implements; this test runs them (so the file works alone), then prints the
process-wide registry, which also holds everything the other suites validated when they
ran in the same session.
"""

import importlib

import pytest
from marketplace_sim import SIMULATORS
from marketplace_sim.core import COVERAGE

AMAZON_OPERATIONS = {
    "getOrders",
    "getOrderItems",
    "getOrderAddress",
    "getOrderBuyerInfo",
    "getMarketplaceParticipations",
    "createRestrictedDataToken",
    "searchOrders",
    "getOrder",
    "confirmShipment",
    "listFinancialEventsByOrderId",
    "putListingsItem",
    "patchListingsItem",
    "getListingsItem",
    "searchListingsItems",
    "deleteListingsItem",
    "createFeedDocument",
    "createFeed",
    "getFeed",
    "getFeedDocument",
    "getFeeds",
    "cancelFeed",
}


def _contract_calls(code):
    name = f"marketplace_sim.{code}.contract_calls"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name not in (name, f"marketplace_sim.{code}"):
            raise  # a real import error inside the module must not pass silently
        return None


@pytest.mark.parametrize("code", sorted(SIMULATORS))
def test_marketplace_operations_validate(code):
    module = _contract_calls(code)
    if module is None:
        pytest.skip(f"marketplace_sim.{code} has no contract_calls module")
    module.exercise()
    keys = [(api, op) for (market, api, op) in COVERAGE.validated() if market == code]
    assert keys, f"no {code} operation was validated"
    if code == "amazon":
        assert AMAZON_OPERATIONS <= {op for _api, op in keys}, AMAZON_OPERATIONS
        # getOrder exists in both Orders APIs; both must have been proven.
        assert {("orders_2026-01-01", "getOrder"), ("ordersV0", "getOrder")} <= set(keys)


def test_print_contract_coverage():
    """Runs last in this file: print per marketplace each operation and a proving test."""
    lines = COVERAGE.report()
    print("\n" + "\n".join(lines))
    assert lines[-1].startswith("contracts: ")
    assert int(lines[-1].split()[1]) >= len(AMAZON_OPERATIONS)
