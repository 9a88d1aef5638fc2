"""The on-call rules of the policy pack, over the on-call engine (`oncall/engine.py`).

Each rule judges the schedules a `Selection` picks and answers one `Violation` per
schedule that breaks it: the schedule (its name and resource), what breaks the rule and the
first times it does, in the schedule's time zone, then the rule. Declared overrides count.

- `coverage`: someone on call at every moment of [now, now + days).
- `min_participants`: every rotation (not ended) has at least `minimum` participants,
  `noone` slots left out and each participant counted once.
- `max_weekly_hours`: nobody on call more than `hours` hours in a calendar week (Monday
  00:00 to Monday 00:00 in the schedule's time zone), for the weeks that start before
  now + days, the current week included, each counted whole. Hours are those of the final
  layer: someone on call in two rotations at once counts once.

Pure: the time `now` is given; nothing is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from fnmatch import fnmatchcase
from typing import Iterable, Iterator, Optional, Sequence
from zoneinfo import ZoneInfo

from ..api.models import Schedule
from ..oncall.assessment import named
from ..oncall.engine import schedule_zone, timeline
from ..oncall.report import span_text
from .stack import DeclaredSchedule

FIRST_TIMES = 3  # how many of the times that break a rule a violation lists


@dataclass(frozen=True)
class Selection:
    """The schedules a rule judges: the enabled ones whose name matches one of `patterns`
    (shell-style: `*`, `?`, `[...]`, case-sensitive), or every enabled one when there are none."""

    patterns: tuple[str, ...] = ()

    def picks(self, schedule: Schedule) -> bool:
        return schedule.enabled and self._matches(schedule.name)

    def names_disabled(self, schedule: Schedule) -> bool:
        """Whether a pattern names this schedule, which is disabled (nobody is paged)."""
        return bool(self.patterns) and not schedule.enabled and self._matches(schedule.name)

    def may_pick(self, name: Optional[str], enabled: Optional[bool]) -> bool:
        """Whether a schedule known only this far (None: not known yet) may be judged."""
        if name is not None and not self._matches(name):
            return False
        return enabled is not False or (bool(self.patterns) and name is not None)

    def _matches(self, name: str) -> bool:
        return not self.patterns or any(fnmatchcase(name, pattern) for pattern in self.patterns)


@dataclass(frozen=True)
class Violation:
    urn: str
    message: str


def coverage(schedules: Iterable[DeclaredSchedule], now: datetime, days: int, selection: Selection) -> list[Violation]:
    rule = "Rule: someone is on call at all times."
    found = []
    for declared in schedules:
        if selection.names_disabled(declared.schedule):
            found.append(Violation(declared.urn, f"{declared.label} is disabled: nobody is on call. {rule}"))
        if not selection.picks(declared.schedule):
            continue
        end = now + timedelta(days=days)
        gaps = timeline(declared.schedule, now, end, declared.overrides).gaps
        if gaps:
            zone = schedule_zone(declared.schedule)  # a gap the window's end cuts is said as the report says it
            times = _first([span_text(gap.start, gap.end, zone.key, end) for gap in gaps], "time")
            found.append(Violation(declared.urn, f"{declared.label} has nobody on call in the next {days} days: "
                                                 f"{times} ({zone.key}). {rule}"))
    return found


def min_participants(schedules: Iterable[DeclaredSchedule], now: datetime, minimum: int,
                     selection: Selection) -> list[Violation]:
    rule = f"Rule: at least {minimum} participants in every rotation."
    found = []
    for declared in _picked(schedules, selection):
        short = []
        for rotation in declared.schedule.rotations:
            if rotation.end_date is not None and rotation.end_date <= now:
                continue  # over: nobody is on call in it any more
            people = list(dict.fromkeys(named(p.type, p.id, {}) for p in rotation.participants
                                        if p.type != "noone" and p.id is not None))
            if len(people) < minimum:
                short.append(f"rotation {rotation.name!r} has {_participants(people)}")
        if short:
            found.append(Violation(declared.urn, f"{declared.label}: {'; '.join(short)}. {rule}"))
    return found


def max_weekly_hours(schedules: Iterable[DeclaredSchedule], now: datetime, days: int, hours: float,
                     selection: Selection) -> list[Violation]:
    rule = f"Rule: nobody is on call more than {_number(hours)} h a week."
    found = []
    for declared in _picked(schedules, selection):
        zone = schedule_zone(declared.schedule)
        over = []
        for monday in _weeks(now, now + timedelta(days=days), zone):
            start, end = _midnight(monday, zone), _midnight(monday + timedelta(days=7), zone)
            week = timeline(declared.schedule, start, end, declared.overrides)
            over += [f"{named(responder.type, responder.id, {})} {_number(total)} h in the week of {start:%a %Y-%m-%d}"
                     for responder, total in week.hours().items() if total > hours]
        if over:
            found.append(Violation(declared.urn, f"{declared.label} has someone on call too long: "
                                                 f"{_first(over, 'week')} ({zone.key}). {rule}"))
    return found


def _picked(schedules: Iterable[DeclaredSchedule], selection: Selection) -> Iterator[DeclaredSchedule]:
    return (declared for declared in schedules if selection.picks(declared.schedule))


def _weeks(start: datetime, end: datetime, zone: ZoneInfo) -> Sequence[date]:
    """The Mondays (in `zone`) of the weeks that overlap [start, end)."""
    first = start.astimezone(zone).date()
    monday = first - timedelta(days=first.weekday())
    mondays = []
    while _midnight(monday, zone) < end:
        mondays.append(monday)
        monday += timedelta(days=7)
    return mondays


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def _participants(people: list[str]) -> str:
    if not people:
        return "no participant"
    return f"{len(people)} participant{'s' if len(people) > 1 else ''} ({', '.join(people)})"


def _first(items: list[str], unit: str) -> str:
    """The first `FIRST_TIMES` items, and how many more there are."""
    rest = len(items) - FIRST_TIMES
    more = f" and {rest} more {unit}{'s' if rest > 1 else ''}" if rest > 0 else ""
    return ", ".join(items[:FIRST_TIMES]) + more


def _number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")
