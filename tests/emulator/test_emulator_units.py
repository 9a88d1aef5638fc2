"""Unit tests of the emulator's pure helpers (everything else is tested over HTTP)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jsmops_emulator.cli import parse_args
from jsmops_emulator.exceptions import ScheduleNotFound
from jsmops_emulator.faults import (
    MAX_FAULTS,
    Fault,
    FaultRegistry,
    FaultRegistryFull,
    FaultSpec,
    Latency,
    LatencySpec,
    RateLimiter,
    RequestCounters,
    RequestJournal,
)
from jsmops_emulator.models import ScheduleBackend, name_matches
from jsmops_emulator.validation import format_location, round_to_half_hour, utc_timestamp


@given(st.integers(0, 23), st.integers(0, 59))
def test_rounding_lands_on_the_nearest_half_hour_of_the_day(hour, minute):
    rounded_hour, rounded_minute = round_to_half_hour(hour, minute)

    assert 0 <= rounded_hour <= 23 and rounded_minute in (0, 30)
    shift = (rounded_hour * 60 + rounded_minute - (hour * 60 + minute)) % (24 * 60)
    assert shift <= 15 or 24 * 60 - shift < 15  # at most 15 minutes later or 14 earlier


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2023-12-15T15:20:25+00:00", "2023-12-15T15:20:25Z"),
        ("2023-12-15T15:20:25.999999-01:00", "2023-12-15T16:20:25Z"),
        ("0999-01-01T00:00:00Z", "0999-01-01T00:00:00Z"),
    ],
)
def test_utc_timestamp(text, utc):
    assert utc_timestamp(text) == utc


@pytest.mark.parametrize("text", ["2023-12-15T15:20:25", "2023-12-15", "0001-01-01T00:00:00+01:00", ""])
def test_utc_timestamp_refuses_dates_without_offset_or_out_of_range(text):
    with pytest.raises(ValueError):
        utc_timestamp(text)


def test_format_location():
    assert format_location(("rotations", 0, "timeRestriction", "restrictions", 2, "endDay")) == (
        "rotations[0].timeRestriction.restrictions[2].endDay"
    )
    assert format_location(()) == ""


class FakeClock:
    """Stands still unless moved, or moves `step` at every reading."""

    def __init__(self, step: float = 0.0) -> None:
        self.now, self.step = 100.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def test_rate_limiter_is_a_sliding_one_second_window():
    clock = FakeClock()
    limiter = RateLimiter(2, clock=clock)

    assert [limiter.admit(), limiter.admit(), limiter.admit()] == [None, None, 1]
    clock.now += 0.5
    assert limiter.admit() == 1  # refusals do not use up the allowance...
    clock.now += 0.5
    assert [limiter.admit(), limiter.admit(), limiter.admit()] == [None, None, 1]  # ...so both slots free at 1 s
    clock.now += 0.999
    assert limiter.admit() == 1


def test_counters_snapshot_shape():
    counters = RequestCounters()
    for method, status in [("GET", 200), ("GET", 200), ("GET", 404), ("POST", 201)]:
        counters.record(method, status)

    assert counters.snapshot() == {
        "total": 4,
        "by_method": {"GET": 3, "POST": 1},
        "by_status": {"200": 2, "404": 1, "201": 1},
        "by_method_status": {"GET": {"200": 2, "404": 1}, "POST": {"201": 1}},
        "in_flight": 0,
        "in_flight_max": 0,
        "in_flight_mean": 0.0,
    }
    counters.reset()
    assert counters.snapshot()["total"] == 0


def test_counters_know_how_many_requests_are_being_served():
    counters = RequestCounters()
    counters.enter()
    counters.enter()
    counters.leave()
    assert counters.snapshot()["in_flight"] == 1


def test_default_database_is_a_file_in_the_working_directory():
    args = parse_args([])
    assert (args.db, args.host, args.cloud_id, args.strict, args.full_next_links) == (
        "./jsmops-emulator.db", "127.0.0.1", "local", False, False,
    )  # fmt: skip


def test_in_flight_mean_is_time_weighted_between_first_start_and_last_end():
    clock = FakeClock()
    counters = RequestCounters(clock=clock)
    clock.now += 5  # idle time before the first request does not count
    counters.enter()
    clock.now += 1
    counters.enter()
    clock.now += 1
    counters.leave()
    clock.now += 2
    counters.leave()
    clock.now += 10  # nor idle time after the last one

    snapshot = counters.snapshot()

    assert (snapshot["in_flight_max"], snapshot["in_flight_mean"]) == (2, 1.25)  # (1 + 2 + 2) / 4 s


def test_a_reset_counts_requests_still_in_flight_from_then_on():
    clock = FakeClock()
    counters = RequestCounters(clock=clock)
    counters.enter()
    counters.enter()
    clock.now += 3
    counters.reset()
    clock.now += 1
    counters.leave()

    assert (counters.snapshot()["in_flight_max"], counters.snapshot()["in_flight_mean"]) == (2, 2.0)


def test_latency_varies_within_the_jitter_and_never_below_zero():
    latency = Latency(LatencySpec(ms=100, jitter_ms=30), rng=random.Random(7))
    samples = [latency.seconds() for _ in range(500)]
    assert all(0.07 <= s <= 0.13 for s in samples) and len(set(samples)) > 100

    latency.set(LatencySpec(ms=10, jitter_ms=50))
    assert min(latency.seconds() for _ in range(500)) == 0.0
    latency.reset()
    assert latency.spec == LatencySpec(ms=100, jitter_ms=30)


def test_journal_is_bounded_and_keeps_the_newest():
    journal = RequestJournal(size=3)
    for n in range(5):
        journal.start("GET", f"/jsm/ops/api/local/v1/schedules/{n}", b"a=1&a=2&b=", b"")

    assert [entry["path"] for entry in journal.entries()] == [f"/v1/schedules/{n}" for n in (2, 3, 4)]
    assert journal.entries()[0]["query"] == {"a": ["1", "2"], "b": [""]}


def test_the_backend_gives_the_on_call_code_every_override_past_ones_too(tmp_path):
    backend = ScheduleBackend(str(tmp_path / "store.db"))
    schedule = backend.create({"name": "S", "description": "", "timezone": "UTC", "enabled": True})
    past = {"responder": {"type": "noone"}, "startDate": "2001-01-01T00:00:00Z", "endDate": "2001-01-02T00:00:00Z"}
    future = {
        "responder": {"type": "user", "id": "u"},
        "startDate": "2099-01-01T00:00:00Z",
        "endDate": "2099-01-02T00:00:00Z",
    }
    past = backend.create_override(schedule["id"], {**past, "rotationIds": None})
    future = backend.create_override(schedule["id"], {**future, "rotationIds": ["r"]})

    assert backend.list_overrides(schedule["id"]) == [past, future]
    assert backend.list_overrides(schedule["id"], ending_after="2020-01-01T00:00:00Z") == [future]
    with pytest.raises(ScheduleNotFound):
        backend.list_overrides("nope")
    with pytest.raises(ScheduleNotFound):
        backend.get("nope")
    backend.close()


@pytest.mark.parametrize(
    ("query", "name", "matches"),
    [("ops", "OPS", True), ("ops", "ops team", False), ("ops*", "OPS team", True), ("*", "x", True),
     ("o*s", "o*s", True), ("o*s", "ops", False), ("straße", "STRASSE", True)],
)  # fmt: skip
def test_name_matches(query, name, matches):
    assert name_matches(name, query) is matches


def test_a_fault_pattern_that_backtracks_without_end_gives_up_and_does_not_match():
    fault = Fault("f", FaultSpec(path="(a|aa)+$", action="status"), 1, expires=float("inf"))

    assert fault.matches("GET", "/" + "a" * 5000 + "!", 0.05) is False  # would run for ages without the timeout
    assert fault.matches("GET", "/aaaa", 0.05) is True
    assert fault.matches("GET", "/aaaa", 0) is False  # no time left: not even tried


def test_the_path_patterns_share_one_time_budget_per_request():
    """Once the budget is spent (this clock spends it at every reading), the patterns after
    do not match: one request never waits on every pattern in turn."""
    registry = FaultRegistry(clock=FakeClock(step=0.05), match_budget=0.05)
    registry.add(FaultSpec(path="(a|aa)+$", action="status"))
    registry.add(FaultSpec(path="^/a", action="status", status=500))

    assert registry.take("GET", "/aaaa") is None  # the second would match, but no time is left for it
    assert [fault.spec.status for fault in registry.pending()] == [503, 500]
    assert FaultRegistry(clock=FakeClock()).take("GET", "/aaaa") is None  # nothing pending
    unhurried = FaultRegistry(clock=FakeClock())
    unhurried.add(FaultSpec(path="^/b", action="status"))
    unhurried.add(FaultSpec(path="^/a", action="status", status=500))
    assert unhurried.take("GET", "/aaaa").status == 500


def test_faults_expire_after_their_ttl_and_expired_ones_leave_room():
    clock = FakeClock()
    registry = FaultRegistry(clock=clock)
    short = registry.add(FaultSpec(action="status", ttl=10))
    registry.add(FaultSpec(action="status", status=500))  # the default ttl, 600 s

    clock.now += 9.9
    assert registry.pending()[0] is short
    clock.now += 0.1  # 10 s after it was added
    assert [fault.spec.status for fault in registry.pending()] == [500]
    assert registry.take("GET", "/v1/schedules").status == 500
    for _ in range(MAX_FAULTS):
        registry.add(FaultSpec(action="status", ttl=1))
    with pytest.raises(FaultRegistryFull, match=f"at most {MAX_FAULTS}"):
        registry.add(FaultSpec(action="status"))
    clock.now += 1
    registry.add(FaultSpec(action="status"))  # the expired ones no longer count
    assert len(registry.pending()) == 1
