"""Hypothesis strategies for schedules that exercise the on-call rules: daylight-saving
changes, restrictions across midnight and the end of the week, hourly rotations, end dates
and overrides. Shared by the engine's property tests and the comparison with the emulator.

All times are on whole half hours, and no local time of a handover or a window edge falls
between 01:00 and 04:00 (where clocks change), so checking every half hour is exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Optional
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from pulumi_jsmops.api.models import WEEKDAYS

# Zones and the days of 2026 their clocks change (the ones without change get those of others).
CLOCK_CHANGES = {"Europe/Berlin": ["2026-03-29", "2026-10-25"], "America/New_York": ["2026-03-08", "2026-11-01"],
                 "Australia/Sydney": ["2026-04-05", "2026-10-04"]}
TIME_ZONES = ["UTC", *CLOCK_CHANGES, "Asia/Kolkata"]
SAFE_HOURS = [0, *range(4, 24)]
PEOPLE = ["alice", "bob", "carol"]
WINDOW_DAYS = 14


@dataclass
class Case:
    """A generated schedule (the API's camelCase body), its overrides (rotations by name)
    and the window [start, end) to look at."""

    body: dict[str, Any]
    overrides: list[dict[str, Any]]
    start: datetime
    end: datetime


def _api_date(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@st.composite
def participants(draw: st.DrawFn) -> list[dict[str, Any]]:
    names = draw(st.lists(st.sampled_from([*PEOPLE, "noone"]), min_size=1, max_size=4))
    if all(n == "noone" for n in names):
        names[0] = "alice"
    return [{"type": "noone"} if n == "noone" else {"type": "user", "id": n} for n in names]


@st.composite
def restrictions(draw: st.DrawFn) -> Optional[dict[str, Any]]:
    kind = draw(st.sampled_from([None, "time-of-day", "weekday-and-time-of-day"]))
    hour, minute = st.sampled_from(SAFE_HOURS), st.sampled_from([0, 30])
    if kind == "time-of-day":
        return {"type": kind, "restriction": {"startHour": draw(hour), "startMin": draw(minute),
                                              "endHour": draw(hour), "endMin": draw(minute)}}
    if kind == "weekday-and-time-of-day":
        day = st.sampled_from(list(WEEKDAYS))
        windows = draw(st.lists(st.fixed_dictionaries({
            "startDay": day, "startHour": hour, "startMin": minute, "endDay": day, "endHour": hour, "endMin": minute,
        }), min_size=1, max_size=3))
        return {"type": kind, "restrictions": windows}
    return None


@st.composite
def cases(draw: st.DrawFn) -> Case:
    tz = draw(st.sampled_from(TIME_ZONES))
    zone = ZoneInfo(tz)
    days = CLOCK_CHANGES.get(tz) or [day for zone_days in CLOCK_CHANGES.values() for day in zone_days]
    change = datetime.fromisoformat(draw(st.sampled_from(days)))
    window_start = (change - timedelta(days=draw(st.integers(1, 6)))).replace(tzinfo=zone)
    window_end = window_start + timedelta(days=WINDOW_DAYS)
    rotations = []
    for number in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["daily", "weekly", "hourly"]))
        length = draw(st.integers(1, 12) if kind == "hourly" else st.integers(1, 3))
        start = (change + timedelta(days=draw(st.integers(-20, 3)), hours=draw(st.sampled_from(SAFE_HOURS)),
                                    minutes=draw(st.sampled_from([0, 30])))).replace(tzinfo=zone)
        rotation: dict[str, Any] = {"name": f"rotation {number}", "type": kind, "length": length,
                                    "startDate": _api_date(start), "participants": draw(participants())}
        if draw(st.booleans()):
            rotation["endDate"] = _api_date(start + timedelta(days=draw(st.integers(3, 30)), hours=12))
        restriction = draw(restrictions())
        if restriction is not None:
            rotation["timeRestriction"] = restriction
        rotations.append(rotation)
    overrides: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(0, 3))):
        if overrides and draw(st.booleans()):  # one starting near the one before: they overlap
            start = datetime.fromisoformat(overrides[-1]["startDate"].replace("Z", "+00:00"))
            start += timedelta(minutes=30 * draw(st.integers(-4, 4)))
        else:
            start = window_start + timedelta(minutes=30 * draw(st.integers(0, WINDOW_DAYS * 48 - 2)))
        names = [r["name"] for r in rotations]
        named = draw(st.one_of(st.none(), st.lists(st.sampled_from(names), min_size=1, unique=True)))
        overrides.append({
            "responder": draw(st.sampled_from([{"type": "user", "id": "dave"}, {"type": "noone"}])),
            "startDate": _api_date(start),
            "endDate": _api_date(start + timedelta(minutes=30 * draw(st.integers(1, 96)))),
            "rotationNames": named,
        })
    body = {"name": "generated", "timezone": tz, "rotations": rotations}
    return Case(body, overrides, window_start.astimezone(timezone.utc), window_end.astimezone(timezone.utc))
