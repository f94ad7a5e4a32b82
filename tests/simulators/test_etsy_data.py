"""Etsy simulator: the seeded receipts are deterministic, consistent and cover the edge cases."""

import pytest
from marketplace_sim.core import SimClock
from marketplace_sim.etsy import EtsySimulator
from marketplace_sim.etsy.contract_calls import EtsyTestClient
from marketplace_sim.etsy.datagen import PROP_PERSONALIZATION
from marketplace_sim.etsy.state import EtsyState

MONEY_FIELDS = (
    "grandtotal",
    "subtotal",
    "total_price",
    "total_shipping_cost",
    "total_tax_cost",
    "total_vat_cost",
    "discount_amt",
    "gift_wrap_price",
)


@pytest.fixture(scope="module")
def receipts():
    state = EtsyState(SimClock(), seed=2024, receipts_per_shop=60)
    return state, list(state.receipts.values())


def test_same_seed_gives_identical_data():
    first = EtsyState(SimClock(), seed=9)
    second = EtsyState(SimClock(), seed=9)
    assert first.receipts == second.receipts
    assert first.listings == second.listings
    assert first.inventories == second.inventories


def test_different_seed_gives_different_receipts():
    first = EtsyState(SimClock(), seed=9)
    other = EtsyState(SimClock(), seed=10)
    assert [r["name"] for r in first.receipts.values()] != [
        r["name"] for r in other.receipts.values()
    ]


@pytest.mark.filterwarnings("ignore:Unsupported scheme type")
def test_same_seed_gives_identical_api_answers():
    def snapshot():
        client = EtsyTestClient(EtsySimulator(seed=4, receipts_per_shop=5))
        return client.tokens, client.receipts(limit=5).json()

    assert snapshot() == snapshot()


def test_money_objects_and_totals_are_consistent(receipts):
    _, rows = receipts
    for receipt in rows:
        currency = receipt["grandtotal"]["currency_code"]
        for field in MONEY_FIELDS:
            money = receipt[field]
            assert set(money) == {"amount", "divisor", "currency_code"}
            assert isinstance(money["amount"], int)
            assert money["currency_code"] == currency
            assert money["divisor"] == (1 if currency == "JPY" else 100)
        lines = sum(t["price"]["amount"] * t["quantity"] for t in receipt["transactions"])
        assert receipt["total_price"]["amount"] == lines
        assert (
            receipt["subtotal"]["amount"]
            == receipt["total_price"]["amount"] - receipt["discount_amt"]["amount"]
        )
        assert (
            receipt["grandtotal"]["amount"]
            == sum(
                receipt[f]["amount"]
                for f in ("subtotal", "total_shipping_cost", "total_tax_cost", "total_vat_cost")
            )
            + receipt["gift_wrap_price"]["amount"]
        )


def test_receipts_cover_the_importer_edge_cases(receipts):
    state, rows = receipts
    transactions = [t for r in rows for t in r["transactions"]]
    known_skus = {
        p["sku"] for inventory in state.inventories.values() for p in inventory["products"]
    }
    statuses = {r["status"] for r in rows}
    assert statuses == {
        "paid",
        "completed",
        "open",
        "payment processing",
        "canceled",
        "fully refunded",
        "partially refunded",
    }
    assert any(len(r["transactions"]) > 1 for r in rows)
    assert any(t["quantity"] > 1 for t in transactions)
    assert any(t["variations"] for t in transactions)
    assert any(
        v["property_id"] == PROP_PERSONALIZATION for t in transactions for v in t["variations"]
    )
    assert any(r["discount_amt"]["amount"] > 0 for r in rows)
    assert any(t["shop_coupon"] > 0 for t in transactions)
    assert any(r["total_tax_cost"]["amount"] > 0 for r in rows)
    assert any(r["total_vat_cost"]["amount"] > 0 for r in rows)
    assert any(r["total_shipping_cost"]["amount"] == 0 for r in rows)  # free-shipping coupon
    assert any(r["is_gift"] and r["gift_message"] for r in rows)
    assert any(r["gift_wrap_price"]["amount"] > 0 for r in rows)
    assert {r["grandtotal"]["currency_code"] for r in rows} == {"USD", "EUR", "JPY", "GBP"}
    assert any(r["second_line"] is None for r in rows)
    assert any(r["second_line"] for r in rows)
    assert any(r["buyer_email"] is None for r in rows)
    assert any(any(ord(c) > 127 for c in r["name"]) for r in rows)
    assert any(t["sku"] is None for t in transactions)
    assert any(t["sku"] and t["sku"] not in known_skus for t in transactions)
    assert any(r["refunds"] for r in rows)


def test_status_flags_agree(receipts):
    _, rows = receipts
    for receipt in rows:
        if receipt["status"] in ("open", "payment processing", "canceled"):
            assert not receipt["is_paid"]
        if receipt["is_shipped"]:
            assert receipt["shipments"]
            assert all(t["shipped_timestamp"] for t in receipt["transactions"])
        if receipt["is_paid"]:
            assert all(t["paid_timestamp"] for t in receipt["transactions"])
        assert receipt["update_timestamp"] >= receipt["create_timestamp"]


def test_receipts_are_in_the_shop_currency(receipts):
    state, rows = receipts
    for receipt in rows:
        shop = state.shops[state.receipt_shop[receipt["receipt_id"]]]
        assert receipt["grandtotal"]["currency_code"] == shop.currency
        assert receipt["seller_user_id"] == shop.user_id


def test_new_receipts_arrive_now(receipts):
    state = EtsyState(SimClock(), seed=1, receipts_per_shop=1)
    state.clock.advance(3600)
    shop_id = next(iter(state.shops))
    (new_id,) = state.add_receipts(shop_id, 1)
    assert state.receipts[new_id]["create_timestamp"] == int(state.clock.now())
    assert state.receipt_shop[new_id] == shop_id
