"""What a change of schedules means for who is on call: the assessment behind `jsmops impact`.

Per schedule that a change creates, updates or deletes (a `ScheduleChange`: the schedule
before and after), or whose overrides it creates, edits or deletes (`OverrideChange`), the
timelines of both (`engine.py`) are compared over a window from now: who is on call now,
the periods where someone else is on call, the handovers that move, hours per participant,
the gaps that open or close, for each rotation whose participants change the start date
that keeps the current turns, and for each override changed whose shifts it takes over
(over the override's own window). A side that does not exist (before a create, after a
delete) is the schedule without rotations: nobody on call.
Pure: no reads, no writes (the command, `cli/impact_command.py`, reads the preview and the
overrides; `report.py` renders the result).
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, Iterable, Optional, Sequence

from ..api.models import Rotation, Schedule
from .causes import ChangeCauses, causes_at, causes_between, causes_of_hours, rotation_causes
from .engine import (
    OverrideWindow,
    Responder,
    Timeline,
    WindowTooLarge,
    same_turns,
    schedule_zone,
    start_date_keeping_turns,
    timeline,
    turn_at,
)

Labels = dict[str, str]  # participant id -> label


def named(kind: str, responder_id: str, labels: Labels) -> str:
    """How the report names a responder: a user by their label (`alice`), a team or an
    escalation with its kind (`team data`, `escalation data`), so the two cannot be confused."""
    if kind == "noone":
        return "nobody"
    label = labels.get(responder_id, responder_id)
    return label if kind == "user" else f"{kind} {label}"


@dataclass(frozen=True)
class ScheduleChange:
    """One schedule of a change: before (None: created) and after (None: deleted);
    `problem` says why it cannot be assessed, and `name` then names it if it can. The
    `order_` of each side: its rotations' names as declared (or as the service lists them);
    rotations left out come after, by name (the models keep rotations by name)."""

    resource: str
    operation: str
    schedule_id: Optional[str]
    before: Optional[Schedule]
    after: Optional[Schedule]
    problem: Optional[str] = None
    name: Optional[str] = None
    order_before: tuple[str, ...] = ()
    order_after: tuple[str, ...] = ()
    fails: Optional[str] = None  # why the `up` of this change will fail, when it is known


@dataclass(frozen=True)
class OverrideChange:
    """One override of a change: before (None: created) and after (None: deleted)."""

    resource: str
    operation: str
    before: Optional[OverrideWindow]
    after: Optional[OverrideWindow]


OVERRIDE_VERBS = {"create": "added", "update": "changed", "replace": "changed", "delete": "removed"}


@dataclass(frozen=True)
class OverrideImpact:
    """What an override changed means: who is on call in its window instead of whom
    (`takes_over`; for a deleted override, those who get the shifts back)."""

    resource: str
    operation: str
    responder: Optional[str]  # a label; None: nobody
    start: datetime
    end: datetime
    rotations: Optional[tuple[str, ...]]  # None: all rotations
    takes_over: tuple[str, ...]


def carried_over(before: Schedule, after: Schedule) -> Schedule:
    """What the service will have after an update: rotations that stay keep their ids
    (overrides follow them; one replaced gets a new id, so its overrides are cut off), and a
    time zone left out stays the one the service has."""
    old = {r.name: r for r in before.rotations}

    def id_kept(rotation: Rotation) -> Optional[str]:
        was = old.get(rotation.name)
        return None if was is None or was.is_replaced_by(rotation) else was.id

    return after.model_copy(update={
        "timezone": after.timezone or before.timezone,
        "rotations": [r.model_copy(update={"id": id_kept(r)}) for r in after.rotations],
    })


Causes = tuple[str, ...]  # why something changed (`causes.py`)


@dataclass(frozen=True)
class Span:
    """A time span [start, end), in UTC (a gap: nobody on call then)."""

    start: datetime
    end: datetime
    causes: Causes = ()


@dataclass(frozen=True)
class Difference:
    """A period where some are no longer on call (`off`) or newly on call (`on`)."""

    start: datetime
    end: datetime
    off: tuple[str, ...]
    on: tuple[str, ...]
    causes: Causes = ()


@dataclass(frozen=True)
class StartDate:
    """For a rotation whose participants change: the start date that keeps `holder` on call
    until the usual handover (`keeps_turns`), or None and why none does (`why_none`)."""

    rotation: str
    holder: str
    start_date: datetime
    keeps_turns: Optional[datetime]
    why_none: Optional[str] = None


@dataclass(frozen=True)
class ScheduleImpact:
    """What a change means for one schedule over the window [start, end) (times in UTC;
    `time_zone` is the schedule's, for showing them). Participants are labels (the stack
    config's names for ids, else the ids). `problem` says why it was not assessed (then the
    rest is empty). `now_before`/`now_after`: who is on call at the window's start;
    `differences`: who is off or newly on call when; `handovers_before`/`_after`: their
    times; `hours`: (label, hours before, hours after) where they differ; `new_gaps` and
    `closed_gaps`: times with nobody on call that the change opens or closes; `start_dates`:
    per rotation whose participants change, the start date that keeps the turns;
    `overrides`: the declared overrides the change adds, edits or removes; `before`/`after`:
    the timelines (None: no schedule then)."""

    resource: str
    name: str
    operation: str
    time_zone: str
    start: datetime
    end: datetime
    problem: Optional[str] = None
    fails: Optional[str] = None
    now_before: tuple[str, ...] = ()
    now_after: tuple[str, ...] = ()
    differences: tuple[Difference, ...] = ()
    handovers_before: tuple[datetime, ...] = ()
    handovers_after: tuple[datetime, ...] = ()
    hours: tuple[tuple[str, float, float], ...] = ()
    new_gaps: tuple[Span, ...] = ()
    closed_gaps: tuple[Span, ...] = ()
    start_dates: tuple[StartDate, ...] = ()
    overrides: tuple[OverrideImpact, ...] = ()
    handover_causes: tuple[tuple[datetime, Causes], ...] = ()  # of those gone or new
    hour_causes: tuple[tuple[str, Causes], ...] = ()  # of those whose hours change
    before: Optional[Timeline] = field(default=None, compare=False)  # None: no schedule before
    after: Optional[Timeline] = field(default=None, compare=False)  # None: no schedule after

    @property
    def has_impact(self) -> bool:
        return bool(self.differences or self.new_gaps or self.closed_gaps or self.start_dates
                    or self.handovers_gone or self.handovers_new or self.overrides)

    @property
    def handovers_gone(self) -> tuple[datetime, ...]:
        return tuple(sorted(set(self.handovers_before) - set(self.handovers_after)))

    @property
    def handovers_new(self) -> tuple[datetime, ...]:
        return tuple(sorted(set(self.handovers_after) - set(self.handovers_before)))

    def causes_of_handover(self, moment: datetime) -> Causes:
        return dict(self.handover_causes).get(moment, ())

    def causes_of_hours(self, label: str) -> Causes:
        return dict(self.hour_causes).get(label, ())


def assess(change: ScheduleChange, now: datetime, days: int, overrides: Sequence[OverrideWindow] = (),
           labels: Optional[Labels] = None, *, overrides_after: Optional[Sequence[OverrideWindow]] = None,
           override_changes: Sequence[OverrideChange] = ()) -> ScheduleImpact:
    """The on-call impact of one schedule's change over [now, now + days): `overrides` are
    the schedule's before the change, `overrides_after` after it (default: the same), and
    `override_changes` the changes of its overrides among them."""
    known = change.after or change.before
    end = now + timedelta(days=days)
    if known is None or change.problem:
        return _not_assessed(change, now, end, change.problem or "nothing to compare")
    try:
        return _assess(change, known, now, end, overrides, labels or {}, overrides_after, override_changes)
    except WindowTooLarge as exc:
        return _not_assessed(change, now, end, str(exc))
    except OverflowError:
        return _not_assessed(change, now, end, "a date of the schedule falls outside the years 1 to 9999 "
                             "in its time zone")


def _not_assessed(change: ScheduleChange, now: datetime, end: datetime, problem: str) -> ScheduleImpact:
    known = change.after or change.before
    name = known.name if known else change.name or change.resource
    return ScheduleImpact(change.resource, name, change.operation, "", now, end, problem=problem, fails=change.fails)


def _assess(change: ScheduleChange, known: Schedule, now: datetime, end: datetime, overrides: Sequence[OverrideWindow],
            labels: Labels, overrides_after: Optional[Sequence[OverrideWindow]],
            override_changes: Sequence[OverrideChange]) -> ScheduleImpact:
    after_overrides = overrides if overrides_after is None else overrides_after
    before = _in_order(timeline(change.before, now, end, overrides), change.order_before) if change.before else None
    after = _in_order(timeline(change.after, now, end, after_overrides), change.order_after) if change.after else None
    nobody = timeline(known.model_copy(update={"rotations": []}), now, end)  # the side that does not exist
    was, will = before or nobody, after or nobody

    def names(responders: Iterable[Responder]) -> tuple[str, ...]:
        return tuple(sorted(named(r.type, r.id, labels) for r in responders))

    # Causes are given for an update, or a change of overrides alone (a create or a delete says it all).
    causes = ChangeCauses() if before is None or after is None or change.before is None or change.after is None \
        else rotation_causes(change.before, change.after, lambda p: named(p.type, p.id or "", labels),
                             tuple(f"override {c.resource} {OVERRIDE_VERBS.get(c.operation, c.operation)}"
                                   for c in override_changes))

    def why(span: Span) -> Span:
        return dataclasses.replace(span, causes=causes_between(causes, was, will, span.start, span.end))

    gaps_before, gaps_after = _spans(was), _spans(will)
    handovers_before, handovers_after = tuple(h.at for h in was.handovers()), tuple(h.at for h in will.handovers())
    hours = _hours_changed(was, will, labels)
    label_of = {named(r.type, r.id, labels): r for r in {*was.hours(), *will.hours()}}
    return ScheduleImpact(
        change.resource, known.name, change.operation, schedule_zone(change.before or known).key, now, end,
        fails=change.fails,
        now_before=names(was.on_call_at(now)),
        now_after=names(will.on_call_at(now)),
        differences=tuple(dataclasses.replace(d, causes=causes_between(causes, was, will, d.start, d.end))
                          for d in _differences(was, will, now, end, names)),
        handovers_before=handovers_before,
        handovers_after=handovers_after,
        hours=hours,
        new_gaps=tuple(map(why, _subtract(gaps_after, gaps_before))),
        closed_gaps=tuple(map(why, _subtract(gaps_before, gaps_after))) if before else (),  # a new one closes none
        start_dates=tuple(sorted(_start_dates(change.before, change.after, now, labels),
                                 key=lambda s: _position(s.rotation, change.order_after))),
        overrides=tuple(_override_impact(c, change, overrides, after_overrides, labels) for c in override_changes),
        handover_causes=tuple((t, causes_at(causes, was, will, t))
                              for t in sorted(set(handovers_before) ^ set(handovers_after))),
        hour_causes=tuple((label, causes_of_hours(causes, was, will, label_of[label])) for label, _b, _a in hours),
        before=before, after=after,
    )


def _position(name: str, order: Sequence[str]) -> tuple[int, int]:
    """Where a rotation comes in a declared order: those not in it after, in the models' order."""
    return (0, order.index(name)) if name in order else (1, 0)


def _in_order(found: Timeline, order: Sequence[str]) -> Timeline:
    """The timeline with its rotations' lanes in the declared order."""
    return dataclasses.replace(found, rotations=tuple(sorted(found.rotations, key=lambda r: _position(r.name, order))))


def _override_impact(change: OverrideChange, schedule: ScheduleChange, before: Sequence[OverrideWindow],
                     after: Sequence[OverrideWindow], labels: Labels) -> OverrideImpact:
    """Whose shifts the override takes over (a deleted one: who gets them back): who would be
    on call in its window, on its rotations, without it."""
    window = change.after or change.before
    assert window is not None  # a change has a side
    side, others = (schedule.after, after) if change.after else (schedule.before, before)
    taken: set[str] = set()
    if side is not None:
        without = [o for o in others if o is not window and (o.alias is None or o.alias != window.alias)]
        lanes = timeline(side, window.start, window.end, without)
        applies = {r.name for r in side.rotations if window.applies_to(r)}
        taken = {named(p.responder.type, p.responder.id, labels) for lane in lanes.rotations if lane.name in applies
                 for p in lane.periods if p.responder is not None and p.responder != window.responder}
    rotations = None if window.rotation_ids is None and window.rotation_names is None else tuple(sorted(
        window.rotation_names or {r.name for r in (side.rotations if side else []) if window.applies_to(r)}))
    who = None if window.responder is None else named(window.responder.type, window.responder.id, labels)
    return OverrideImpact(change.resource, change.operation, who, window.start, window.end, rotations,
                          tuple(sorted(taken)))


def _hours_changed(before: Timeline, after: Timeline, labels: Labels) -> tuple[tuple[str, float, float], ...]:
    """(label, hours before, hours after) of each participant whose hours on call change."""
    hours_before, hours_after = before.hours(), after.hours()
    hours = {named(r.type, r.id, labels): (hours_before.get(r, 0.0), hours_after.get(r, 0.0))
             for r in {*hours_before, *hours_after}}
    return tuple((label, b, a) for label, (b, a) in sorted(hours.items()) if b != a)


def responders(impacts: Iterable[ScheduleImpact]) -> list[Responder]:
    """Everyone on call in the impacts' timelines, each once, in the order they appear."""
    return list(dict.fromkeys(r for i in impacts for t in (i.before, i.after) if t
                              for s in t.final for r in s.responders))


def _spans(timeline: Timeline) -> list[Span]:
    return [Span(gap.start, gap.end) for gap in timeline.gaps]


def _differences(before: Timeline, after: Timeline, start: datetime, end: datetime,
                 names: Callable[[Iterable[Responder]], tuple[str, ...]]) -> list[Difference]:
    cuts = sorted({start, end, *(s.start for t in (before, after) for s in t.final)})
    found: list[Difference] = []
    for a, b in itertools.pairwise(cuts):
        if before.on_call_at(a) == after.on_call_at(a):
            continue
        was, will = set(names(before.on_call_at(a))), set(names(after.on_call_at(a)))
        off, on = tuple(sorted(was - will)), tuple(sorted(will - was))
        if not (off or on):
            continue
        if found and found[-1].end == a and (found[-1].off, found[-1].on) == (off, on):
            found[-1] = Difference(found[-1].start, b, off, on)
        else:
            found.append(Difference(a, b, off, on))
    return found


def _subtract(spans: list[Span], minus: list[Span]) -> list[Span]:
    """The parts of `spans` not covered by `minus` (both sorted, without overlaps), in one
    pass over both."""
    result: list[Span] = []
    first = 0  # the first of `minus` that may still cut a span
    for span in spans:
        while first < len(minus) and minus[first].end <= span.start:
            first += 1
        start, index = span.start, first
        while index < len(minus) and minus[index].start < span.end:
            cut = minus[index]
            if cut.start > start:
                result.append(Span(start, cut.start))
            start = max(start, cut.end)
            index += 1
        if start < span.end:
            result.append(Span(start, span.end))
    return result


def _start_dates(before: Optional[Schedule], after: Optional[Schedule], now: datetime,
                 labels: Labels) -> list[StartDate]:
    if before is None or after is None:
        return []
    zone = schedule_zone(after)
    old: dict[str, Rotation] = {r.name: r for r in before.rotations}
    found = []
    for rotation in after.rotations:
        previous = old.get(rotation.name)
        if previous is None or previous.participants == rotation.participants:
            continue
        turn = turn_at(previous, zone, now)
        if turn is None:  # no turn under way: no one to keep on call
            continue
        label = named(turn.participant.type, turn.participant.id or "", labels)
        given = rotation.start_date.astimezone(zone)
        proposal = start_date_keeping_turns(previous, rotation, zone, now)
        if proposal is not None:
            if not same_turns(rotation, rotation.model_copy(update={"start_date": proposal}), zone, now):
                found.append(StartDate(rotation.name, label, given, proposal))
        elif turn.participant not in rotation.participants:
            found.append(StartDate(rotation.name, label, given, None,
                                   f"{label}, on call now, is no longer a participant"))
        else:
            found.append(StartDate(rotation.name, label, given, None,
                                   "the start date that keeps them would fall before the year 1"))
    return found
