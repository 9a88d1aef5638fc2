"""Properties of the emulator's on-call computation over generated schedules (DST zones, restrictions
across midnight and the week end, hourly rotations, end dates, overrides), checked against plainer
restatements of the rules in jsmops_emulator/oncall/RULES.md."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from jsmops_emulator.oncall.models import (
    UTC,
    WEEKDAYS,
    Period,
    Responder,
    compute_timeline,
    next_on_call,
    parse_instant,
)

EPOCH = dt.datetime(2027, 3, 1, tzinfo=UTC)  # March and April hold DST changes of all zones below
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata"]
HALF_HOUR = dt.timedelta(minutes=30)
# Restriction edges stay clear of the local hours in which clocks change (R5/R9 edge cases
# have hand-worked tests of their own).
SAFE_HOURS = [0, 4, 6, 8, 9, 12, 17, 18, 20, 22, 23]


def iso(instant: dt.datetime) -> str:
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


def half_hours(low: int, high: int) -> st.SearchStrategy[dt.datetime]:
    return st.integers(low, high).map(lambda n: EPOCH + n * HALF_HOUR)


def clock() -> st.SearchStrategy[dict[str, int]]:
    return st.fixed_dictionaries({"hour": st.sampled_from(SAFE_HOURS), "min": st.sampled_from([0, 30])})


@st.composite
def restrictions(draw: st.DrawFn) -> dict[str, Any] | None:
    kind = draw(st.sampled_from([None, "time-of-day", "weekday-and-time-of-day"]))
    if kind is None:
        return None
    if kind == "time-of-day":
        start, end = draw(clock()), draw(clock())
        return {
            "type": kind,
            "restriction": {
                "startHour": start["hour"],
                "startMin": start["min"],
                "endHour": end["hour"],
                "endMin": end["min"],
            },
        }
    windows = []
    for _ in range(draw(st.integers(1, 3))):
        start, end = draw(clock()), draw(clock())
        windows.append(
            {
                "startDay": draw(st.sampled_from(WEEKDAYS)),
                "startHour": start["hour"],
                "startMin": start["min"],
                "endDay": draw(st.sampled_from(WEEKDAYS)),
                "endHour": end["hour"],
                "endMin": end["min"],
            }
        )
    return {"type": kind, "restrictions": windows}


@st.composite
def rotations(draw: st.DrawFn, index: int) -> dict[str, Any]:
    start = draw(half_hours(-24 * 60, 24 * 30))
    end = draw(st.one_of(st.none(), st.integers(1, 24 * 60).map(lambda n: start + n * HALF_HOUR)))
    who = draw(st.lists(st.sampled_from(["a", "b", "c", "noone"]), min_size=1, max_size=4))
    return {
        "id": f"r{index}",
        "name": f"rotation {index}",
        "startDate": iso(start),
        "endDate": None if end is None else iso(end),
        "type": draw(st.sampled_from(["hourly", "daily", "weekly"])),
        "length": draw(st.integers(1, 3)),
        "participants": [{"type": "noone"} if name == "noone" else {"type": "user", "id": name} for name in who],
        "timeRestriction": draw(restrictions()),
    }


@st.composite
def schedules(draw: st.DrawFn) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    count = draw(st.integers(1, 3))
    schedule = {"timezone": draw(st.sampled_from(ZONES)), "rotations": [draw(rotations(i)) for i in range(count)]}
    overrides = []
    for n in range(draw(st.integers(0, 3))):
        start = draw(half_hours(0, 24 * 60))
        end = start + draw(st.integers(1, 24 * 10)) * HALF_HOUR
        ids = draw(
            st.one_of(
                st.none(), st.lists(st.sampled_from([r["id"] for r in schedule["rotations"]]), min_size=1, unique=True)
            )
        )
        who = draw(st.sampled_from(["d", "e", "noone"]))
        overrides.append(
            {
                "alias": f"o{n}",
                "responder": {"type": "noone"} if who == "noone" else {"type": "user", "id": who},
                "startDate": iso(start),
                "endDate": iso(end),
                "rotationIds": ids,
            }
        )
    return schedule, overrides


def visible(rotation: dict[str, Any], tz: ZoneInfo, instant: dt.datetime) -> bool:
    """R6-R9 restated on one instant: is its local time inside a window?"""
    restriction = rotation["timeRestriction"]
    if restriction is None:
        return True
    local = instant.astimezone(tz)
    if restriction["type"] == "time-of-day":
        r = restriction["restriction"]
        now, opens, closes = (
            local.hour * 60 + local.minute,
            r["startHour"] * 60 + r["startMin"],
            r["endHour"] * 60 + r["endMin"],
        )
        return opens <= now < closes if opens < closes else now >= opens or now < closes
    now = local.weekday() * 1440 + local.hour * 60 + local.minute
    for r in restriction["restrictions"]:
        opens = WEEKDAYS.index(r["startDay"]) * 1440 + r["startHour"] * 60 + r["startMin"]
        closes = WEEKDAYS.index(r["endDay"]) * 1440 + r["endHour"] * 60 + r["endMin"]
        if (opens <= now < closes) if opens < closes else (now >= opens or now < closes):
            return True
    return False


def merged(periods: list[Period]) -> list[Period]:
    result: list[Period] = []
    for period in periods:
        if (
            result
            and result[-1].end == period.start
            and (result[-1].responder, result[-1].kind) == (period.responder, period.kind)
        ):
            result[-1] = Period(result[-1].start, period.end, period.responder, period.kind)
        else:
            result.append(period)
    return result


ranges = st.tuples(half_hours(0, 24 * 40), st.integers(1, 24 * 30), st.integers(0, 24 * 30))


@settings(max_examples=150, deadline=None)
@given(schedules(), ranges)
def test_a_timeline_is_the_same_when_computed_in_two_parts(generated: Any, bounds: Any) -> None:
    (schedule, overrides), (start, length, split) = generated, bounds
    end = start + length * HALF_HOUR
    middle = min(start + split * HALF_HOUR, end)
    whole = compute_timeline(schedule, overrides, start, end)
    first, second = (compute_timeline(schedule, overrides, *span) for span in ((start, middle), (middle, end)))
    for index, rotation in enumerate(whole.rotations):
        for layer in ("base", "override", "final"):
            parts = list(getattr(first.rotations[index], layer)) + list(getattr(second.rotations[index], layer))
            assert list(getattr(rotation, layer)) == merged(parts)
    # The final layer covers the range exactly once.
    assert whole.coverage[0].start == start and whole.coverage[-1].end == end
    assert all(a.end == b.start and a.responders != b.responders for a, b in itertools.pairwise(whole.coverage))


@settings(max_examples=150, deadline=None)
@given(schedules(), ranges)
def test_periods_lie_inside_the_windows_and_the_active_span_and_gaps_outside(generated: Any, bounds: Any) -> None:
    (schedule, overrides), (start, length, _) = generated, bounds
    end = start + length * HALF_HOUR
    tz = ZoneInfo(schedule["timezone"])
    timeline = compute_timeline(schedule, overrides, start, end)
    for rotation, result in zip(schedule["rotations"], timeline.rotations, strict=True):
        active_from = max(start, parse_instant(rotation["startDate"]))
        active_to = min(end, parse_instant(rotation["endDate"])) if rotation["endDate"] else end
        edges = [active_from]
        for period in result.base:
            assert active_from <= period.start < period.end <= active_to
            # Windows have half-hour edges: probing every half hour inside the period suffices.
            probe = period.start
            while probe < period.end:
                assert visible(rotation, tz, probe), (period, probe)
                probe += HALF_HOUR
            edges += [period.start, period.end]
        edges.append(active_to)
        for gap_start, gap_end in zip(edges[::2], edges[1::2], strict=True):
            probe = gap_start
            while probe < gap_end:
                assert not visible(rotation, tz, probe), (gap_start, gap_end, probe)
                probe += HALF_HOUR


@settings(max_examples=150, deadline=None)
@given(schedules(), half_hours(0, 24 * 60), st.integers(0, 29))
def test_on_call_at_an_instant_is_the_final_layer_there(generated: Any, instant: dt.datetime, minutes: int) -> None:
    schedule, overrides = generated
    instant += dt.timedelta(minutes=minutes)
    wide = compute_timeline(schedule, overrides, EPOCH, EPOCH + dt.timedelta(days=70))
    narrow = compute_timeline(schedule, overrides, instant, instant + dt.timedelta(seconds=1))
    expected: list[Responder] = []
    for rotation in wide.rotations:
        for period in rotation.final:
            if (
                period.start <= instant < period.end
                and not period.responder.is_nobody
                and period.responder not in expected
            ):
                expected.append(period.responder)
    assert narrow.on_call_at(instant) == tuple(expected) == wide.on_call_at(instant)


@settings(max_examples=50, deadline=None)
@given(schedules(), half_hours(0, 24 * 30))
def test_next_on_call_restates_r14_over_one_long_timeline(generated: Any, instant: dt.datetime) -> None:
    schedule, overrides = generated
    horizon = instant + dt.timedelta(days=200)
    timeline = compute_timeline(schedule, overrides, instant, horizon)
    expected: list[Responder] = []
    for rotation in timeline.rotations:
        current = [p.responder for p in rotation.final if p.start <= instant < p.end]
        later = [p.responder for p in rotation.final if p.start > instant and not p.responder.is_nobody]
        others = [r for r in later if r not in current]
        pick = others[0] if others else (later[0] if later else None)
        if pick is not None and pick not in expected:
            expected.append(pick)
    assert next_on_call(schedule, overrides, instant, horizon) == tuple(expected)
