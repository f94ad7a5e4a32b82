"""Core building blocks without any marketplace: clock, token buckets, faults, data."""

import random

import pytest
from marketplace_sim import SIMULATORS, load_simulator
from marketplace_sim import __main__ as cli
from marketplace_sim.core import (
    DataGenerator,
    FaultInjector,
    RateLimit,
    RateLimiter,
    SimClock,
    drop_null_defaults,
    isoformat,
    money,
    parse_datetime,
)
from marketplace_sim.core.clock import DEFAULT_START


def test_clock_moves_only_when_told():
    clock = SimClock()
    assert clock.now() == DEFAULT_START
    clock.advance(90)
    clock.sleep(10)
    assert clock.now() == DEFAULT_START + 100
    with pytest.raises(ValueError):
        clock.advance(-1)
    assert isoformat(DEFAULT_START) == "2026-11-02T08:00:00Z"
    assert parse_datetime("2026-11-02T09:00:00+01:00").timestamp() == DEFAULT_START
    assert parse_datetime("not a date") is None


def test_realtime_clock_follows_the_wall_clock_plus_jumps():
    clock = SimClock(realtime=True)
    first = clock.now()
    clock.advance(100)
    assert 100 <= clock.now() - first < 101


def test_bucket_burst_wait_and_refill():
    clock = SimClock()
    limiter = RateLimiter(clock, {"op": RateLimit(rate=0.5, burst=2)})
    assert limiter.acquire("a", "op") is None
    assert limiter.acquire("a", "op") is None
    throttle = limiter.acquire("a", "op")
    assert (throttle.wait, throttle.reason) == (2.0, "rate")
    assert limiter.acquire("b", "op") is None  # other account, other bucket
    clock.advance(1)
    assert limiter.acquire("a", "op").wait == pytest.approx(1.0)
    clock.advance(1)
    assert limiter.acquire("a", "op") is None
    assert limiter.acquire("a", "unlimited") is None
    limiter.enabled = False
    assert all(limiter.acquire("a", "op") is None for _ in range(10))


def test_daily_quota_resets_at_utc_midnight():
    clock = SimClock()
    limiter = RateLimiter(clock, {"op": RateLimit(rate=100, burst=100, daily=3)})
    assert [limiter.acquire("a", "op") for _ in range(3)] == [None] * 3
    throttle = limiter.acquire("a", "op")
    assert throttle.reason == "daily"
    assert throttle.wait == 16 * 3600  # clock starts 08:00 UTC
    clock.advance(throttle.wait)
    assert limiter.acquire("a", "op") is None


def test_faults_specific_before_global_and_remaining_count():
    faults = FaultInjector(seed=1)
    faults.set("error", operation=None)
    faults.set("timeout", operation="getOrder", remaining=1)
    assert faults.draw("getOrder").kind == "timeout"
    assert faults.draw("getOrder").kind == "error"
    assert faults.draw("other").kind == "error"
    faults.clear()
    assert faults.draw("getOrder") is None
    with pytest.raises(ValueError):
        faults.set("explode")
    with pytest.raises(ValueError):
        faults.set("error", rate=2)


def test_fault_draws_are_reproducible():
    def draws(seed):
        faults = FaultInjector(seed=seed)
        faults.set("error", rate=0.3)
        return [faults.draw("op") is not None for _ in range(50)]

    assert draws(1) == draws(1)
    assert draws(1) != draws(2)
    assert 5 < sum(draws(1)) < 25


def test_data_generator_is_seeded_and_varied():
    def sample(seed):
        data = DataGenerator(random.Random(seed))
        return [data.address() for _ in range(60)]

    addresses = sample(4)
    assert addresses == sample(4)
    assert any(a["line2"] is None for a in addresses) and any(a["line2"] for a in addresses)
    assert any(a["phone"] is None for a in addresses)
    assert any(not a["name"].isascii() for a in addresses)
    data = DataGenerator(random.Random(1))
    assert data.vat_number("DE").startswith("DE") and len(data.vat_number("DE")) == 11
    assert data.vat_number("US") is None
    assert str(money("2.005", "EUR")) == "2.01"
    assert str(money("1234.5", "JPY")) == "1235"


def test_drop_null_defaults_keeps_nullable_ones():
    spec = {"a": {"type": "string", "default": None}, "b": {"nullable": True, "default": None}}
    cleaned = drop_null_defaults(spec)
    assert "default" not in cleaned["a"] and cleaned["b"]["default"] is None
    assert spec["a"]["default"] is None  # the input is untouched


def test_simulator_registry_is_lazy():
    assert SIMULATORS["amazon"] == "marketplace_sim.amazon:AmazonSimulator"
    assert load_simulator("amazon").marketplace == "amazon"
    with pytest.raises(LookupError):
        load_simulator("wish")


def test_cli_serves_the_chosen_simulator_on_a_realtime_clock(monkeypatch):
    started = {}

    class FakeServer:
        def __init__(self, app, host, port):
            started.update(app=app, host=host, port=port)

        def serve_forever(self):
            started["served"] = True

    monkeypatch.setattr(cli, "LoopbackServer", FakeServer)
    cli.main(["serve", "amazon", "--port", "9999", "--seed", "4"])
    assert started["served"] and (started["host"], started["port"]) == ("127.0.0.1", 9999)
    app = started["app"]
    assert (app.marketplace, app.seed, app.strict) == ("amazon", 4, False)
    assert app.clock.realtime
