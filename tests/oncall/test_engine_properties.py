"""The engine against a point-by-point reading of the rules, over generated schedules.

The engine builds intervals (shifts cut by restriction windows); the oracle here asks,
for one instant, which turn it is and whether a window is open, counting local calendar
days and minutes of the week. Every half hour of the window is checked (all generated
times are on half hours, so this is exact), plus the invariants of the final layer.
"""

from __future__ import annotations

import bisect
from datetime import datetime, timedelta
from typing import Optional
from zoneinfo import ZoneInfo

from generated_schedules import Case, cases
from hypothesis import given, settings

from pulumi_jsmops.api.models import WEEKDAYS, Rotation, Schedule, parse_api_schedule
from pulumi_jsmops.oncall.engine import OverrideWindow, Responder, Timeline, timeline

HALF_HOUR = timedelta(minutes=30)


def with_ids(case: Case) -> tuple[Schedule, list[OverrideWindow]]:
    """The case's schedule with rotation ids (their names) and its overrides by those ids."""
    body = {**case.body, "teamId": "team",
            "rotations": [{**r, "id": r["name"]} for r in case.body["rotations"]]}
    overrides = [OverrideWindow.from_api({**o, "rotationIds": o["rotationNames"]}) for o in case.overrides]
    return parse_api_schedule(body), overrides


def turn(rotation: Rotation, zone: ZoneInfo, moment: datetime) -> Optional[int]:
    """The turn number at `moment`, by counting hours or local calendar days since the start."""
    if moment < rotation.start_date or (rotation.end_date is not None and moment >= rotation.end_date):
        return None
    if rotation.type == "hourly":
        return int((moment - rotation.start_date).total_seconds() // 3600) // rotation.length
    start, now = rotation.start_date.astimezone(zone), moment.astimezone(zone)
    days = (now.date() - start.date()).days - (1 if now.time() < start.time() else 0)
    return days // (rotation.length * (7 if rotation.type == "weekly" else 1))


def window_open(rotation: Rotation, zone: ZoneInfo, moment: datetime) -> bool:
    restriction = rotation.time_restriction
    if restriction is None:
        return True
    now = moment.astimezone(zone)
    minute = now.hour * 60 + now.minute

    def inside(start: int, end: int, at: int) -> bool:
        return start <= at < end if start < end else (at >= start or at < end)

    if restriction.restriction is not None:
        r = restriction.restriction
        return inside(r.start_hour * 60 + r.start_min, r.end_hour * 60 + r.end_min, minute)
    week_minute = now.weekday() * 1440 + minute
    return any(inside(WEEKDAYS.index(w.start_day) * 1440 + w.start_hour * 60 + w.start_min,
                      WEEKDAYS.index(w.end_day) * 1440 + w.end_hour * 60 + w.end_min, week_minute)
               for w in restriction.restrictions or [])


def oracle(schedule: Schedule, overrides: list[OverrideWindow], rotation: Rotation,
           moment: datetime) -> tuple[bool, Optional[Responder]]:
    """(whether the rotation shows a shift at `moment`, who has it)."""
    zone = ZoneInfo(schedule.timezone or "UTC")
    k = turn(rotation, zone, moment)
    if k is None or not window_open(rotation, zone, moment):
        return False, None
    slot = rotation.participants[k % len(rotation.participants)]
    responder = None if slot.type == "noone" else Responder(slot.type, slot.id or "")
    covering = [o for o in overrides if o.applies_to(rotation) and o.start <= moment < o.end]
    if covering:  # the one that starts last; of those, the last given
        latest = max(o.start for o in covering)
        responder = [o for o in covering if o.start == latest][-1].responder
    return True, responder


def lane_at(tl: Timeline, index: int, moment: datetime) -> tuple[bool, Optional[Responder]]:
    periods = tl.rotations[index].periods
    i = bisect.bisect_right([p.start for p in periods], moment) - 1
    if i >= 0 and periods[i].start <= moment < periods[i].end:
        return True, periods[i].responder
    return False, None


@settings(max_examples=150, deadline=None)
@given(case=cases())
def test_engine_agrees_with_the_rules_read_point_by_point(case: Case) -> None:
    schedule, overrides = with_ids(case)
    tl = timeline(schedule, case.start, case.end, overrides)
    moment = case.start + HALF_HOUR / 2
    while moment < case.end:
        expected_final: set[Responder] = set()
        for index, rotation in enumerate(schedule.rotations):
            expected = oracle(schedule, overrides, rotation, moment)
            assert lane_at(tl, index, moment) == expected, (rotation.name, moment.isoformat())
            if expected[1] is not None:
                expected_final.add(expected[1])
        assert tl.on_call_at(moment) == expected_final, moment.isoformat()
        moment += HALF_HOUR


@settings(max_examples=100, deadline=None)
@given(case=cases())
def test_final_layer_tiles_the_window_and_hours_add_up(case: Case) -> None:
    schedule, overrides = with_ids(case)
    tl = timeline(schedule, case.start, case.end, overrides)
    assert tl.final[0].start == case.start and tl.final[-1].end == case.end
    for before, after in zip(tl.final, tl.final[1:], strict=False):
        assert before.end == after.start and before.responders != after.responders
    for lane in tl.rotations:
        for before, after in zip(lane.periods, lane.periods[1:], strict=False):
            assert before.end <= after.start
        assert all(case.start <= p.start < p.end <= case.end for p in lane.periods)
    covered = sum((s.end - s.start).total_seconds() for s in tl.final if s.responders)
    gaps = sum((g.end - g.start).total_seconds() for g in tl.gaps)
    assert covered + gaps == (case.end - case.start).total_seconds()
    assert all(0 < hours <= covered / 3600 for hours in tl.hours().values())
