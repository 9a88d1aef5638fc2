"""Why who is on call changes: the causes the impact report gives each change.

From the schedule before and after a change (`rotation_causes`): per rotation, what about it
changed (added, removed, replaced, a participant added or removed, its restriction narrowed
or widened, its start date, length, type or end date), and for the schedule, its time zone.
A change of the report (a period with someone else on call, a gap, a handover, someone's
hours) is then given the causes of the rotations whose lanes differ then (`causes_between`,
`causes_of_hours`), and an override that applied before and no longer does is said to be
cut off, with why (its rotation removed or replaced). Pure: it compares models and timelines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, Optional

from ..api.models import WEEKDAYS, Participant, Rotation, Schedule, TimeRestriction
from .engine import Period, Responder, Timeline

Naming = Callable[[Participant], str]  # how the report names a participant
MINUTES_A_WEEK = 7 * 24 * 60


@dataclass(frozen=True)
class ChangeCauses:
    """What changed, per rotation (by name) and for the whole schedule; `cut_off`: per
    rotation whose overrides no longer apply after the change, why."""

    rotations: dict[str, tuple[str, ...]] = field(default_factory=dict)
    schedule: tuple[str, ...] = ()
    cut_off: dict[str, str] = field(default_factory=dict)
    overrides: tuple[str, ...] = ()  # the declared overrides changed, as causes


def rotation_causes(before: Schedule, after: Schedule, name_of: Naming,
                    overrides: tuple[str, ...] = ()) -> ChangeCauses:
    """The causes of a schedule's update, from the schedule before (with the service's ids) and
    after (`carried_over`: a rotation that stays keeps its id, one replaced gets none)."""
    old = {r.name: r for r in before.rotations}
    new = {r.name: r for r in after.rotations}
    found: dict[str, tuple[str, ...]] = {}
    cut_off: dict[str, str] = {}
    for name in [*old, *(n for n in new if n not in old)]:
        was, will = old.get(name), new.get(name)
        if will is None:
            found[name] = (f"rotation '{name}' removed",)
            cut_off[name] = f"an override of rotation '{name}' cut off (the rotation is removed)"
        elif was is None:
            found[name] = (f"rotation '{name}' added",)
        else:
            found[name] = _rotation_changes(was, will, name_of)
            if was.id is not None and will.id is None:
                cut_off[name] = f"an override of rotation '{name}' cut off (the rotation is replaced: a new id)"
    schedule: tuple[str, ...] = ()
    if (before.timezone or after.timezone) and after.timezone != before.timezone:
        schedule = (f"time zone {before.timezone or 'the default'} → {after.timezone or 'the default'}",)
    return ChangeCauses({n: c for n, c in found.items() if c}, schedule, cut_off, overrides)


def _rotation_changes(was: Rotation, will: Rotation, name_of: Naming) -> tuple[str, ...]:
    what = f"rotation '{will.name}'"
    found = []
    replaced = was.id is not None and will.id is None
    if replaced:  # it lost a field a PATCH cannot clear (`Rotation.is_replaced_by`)
        cleared = [text for text, held, kept in (("end date", was.end_date, will.end_date),
                                                 ("time restriction", was.time_restriction, will.time_restriction))
                   if held is not None and kept is None]
        found.append(f"{what} replaced (its {' and '.join(cleared)} cleared)")

    def label(participant: Participant) -> str:
        return "a noone slot" if participant.type == "noone" else name_of(participant)

    people_before = [label(p) for p in was.participants]
    people_after = [label(p) for p in will.participants]
    found += [f"{who} added to {what}" for who in dict.fromkeys(people_after) if who not in people_before]
    found += [f"{who} removed from {what}" for who in dict.fromkeys(people_before) if who not in people_after]
    if sorted(people_before) == sorted(people_after) and people_before != people_after:
        found.append(f"{what}: participants in a new order")
    if was.time_restriction != will.time_restriction:
        found.append(f"{what}: {_restriction_change(was.time_restriction, will.time_restriction)}")
    if was.type != will.type:
        found.append(f"{what}: type {was.type} → {will.type}")
    if was.length != will.length:
        found.append(f"{what}: length {was.length} → {will.length}")
    if was.start_date != will.start_date:
        found.append(f"{what}: start date moved")
    if was.end_date != will.end_date and not (replaced and will.end_date is None):
        how = "removed" if will.end_date is None else "set" if was.end_date is None else "moved"
        found.append(f"{what}: end date {how}")
    return tuple(found)


def _restriction_change(was: Optional[TimeRestriction], will: Optional[TimeRestriction]) -> str:
    """`restriction narrowed`, `widened`, or `changed` (neither holds the other)."""
    a, b = covered_minutes(was), covered_minutes(will)
    if b < a:
        return "restriction narrowed"
    if b > a:
        return "restriction widened"
    return "restriction changed"


def covered_minutes(restriction: Optional[TimeRestriction]) -> frozenset[int]:
    """The minutes of a week (0: Monday 00:00) a restriction keeps on call; an end that is
    not after its start wraps (past midnight, or past the week's end: equal is all of it)."""
    if restriction is None:
        return frozenset(range(MINUTES_A_WEEK))
    spans: list[tuple[int, int]] = []
    if restriction.restriction is not None:
        daily = restriction.restriction
        opens, closes = daily.start_hour * 60 + daily.start_min, daily.end_hour * 60 + daily.end_min
        length = (closes - opens) % 1440 or 1440
        spans += [(day * 1440 + opens, length) for day in range(7)]
    for weekly in restriction.restrictions or []:
        opens = WEEKDAYS.index(weekly.start_day) * 1440 + weekly.start_hour * 60 + weekly.start_min
        closes = WEEKDAYS.index(weekly.end_day) * 1440 + weekly.end_hour * 60 + weekly.end_min
        spans.append((opens, (closes - opens) % MINUTES_A_WEEK or MINUTES_A_WEEK))
    return frozenset((start + n) % MINUTES_A_WEEK for start, length in spans for n in range(length))


def causes_between(causes: ChangeCauses, before: Timeline, after: Timeline, start: datetime,
                   end: datetime) -> tuple[str, ...]:
    """The causes of what differs in [start, end): those of each rotation whose lane differs
    then, an override cut off there, and the schedule's own."""
    found: list[str] = []
    for name, periods_before, periods_after in _lanes(before, after):
        was, will = _clipped(periods_before, start, end), _clipped(periods_after, start, end)
        if was == will:
            continue
        own = [*causes.rotations.get(name, ())]
        if name in causes.cut_off and any(p[3] for p in was) and not any(p[3] for p in will):
            own.append(causes.cut_off[name])
        found += own or causes.overrides  # else only what the declared overrides hold differs
    found += causes.schedule
    return tuple(dict.fromkeys(found))


def causes_at(causes: ChangeCauses, before: Timeline, after: Timeline, moment: datetime) -> tuple[str, ...]:
    """The causes of a handover that moves at `moment`: of the lanes that differ around it."""
    second = timedelta(seconds=1)
    return causes_between(causes, before, after, max(moment - second, before.start), min(moment + second, before.end))


def causes_of_hours(causes: ChangeCauses, before: Timeline, after: Timeline,
                    responder: Responder) -> tuple[str, ...]:
    """The causes of a change of someone's hours: of each rotation where their hours differ."""
    found: list[str] = []
    for name, periods_before, periods_after in _lanes(before, after):
        if _seconds_of(periods_before, responder) != _seconds_of(periods_after, responder):
            found += causes.rotations.get(name, ())
            if name in causes.cut_off and any(p.overridden for p in periods_before):
                found.append(causes.cut_off[name])
    found += () if found else causes.overrides
    found += causes.schedule
    return tuple(dict.fromkeys(found))


def _lanes(before: Timeline, after: Timeline) -> list[tuple[str, tuple[Period, ...], tuple[Period, ...]]]:
    """Each rotation's periods before and after (none on a side without it), by name."""
    was = {lane.name: lane.periods for lane in before.rotations}
    will = {lane.name: lane.periods for lane in after.rotations}
    return [(name, was.get(name, ()), will.get(name, ())) for name in [*was, *(n for n in will if n not in was)]]


def _seconds_of(periods: tuple[Period, ...], responder: Responder) -> float:
    return sum((p.end - p.start).total_seconds() for p in periods if p.responder == responder)


def _clipped(periods: tuple[Period, ...], start: datetime,
             end: datetime) -> list[tuple[datetime, datetime, Optional[Responder], bool]]:
    return [(max(p.start, start), min(p.end, end), p.responder, p.overridden) for p in periods
            if p.start < end and p.end > start]
