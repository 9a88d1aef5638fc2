"""Who is on call, and when: a schedule's timeline, computed from its model.

A pure implementation of the service's on-call rules (it shares nothing with the
emulator's). The rules, and where they are documented:

- A rotation's shifts are counted from its start date, which is also the handover time,
  in units of `length` x `type` (hours, days or weeks); the participants take their turns
  in the order given, a participant may appear more than once, and a `noone` slot is a
  shift with nobody on call. The end date ends the rotation.
  (Atlassian, "Manage on-call schedules and rotations":
  https://support.atlassian.com/opsgenie/docs/manage-on-call-schedules-and-rotations/ ;
  the ordered participants and their colours: "Schedule with different weekday/weekend
  rotations", https://docs.opsgenie.com/v1.0/docs/on-call-schedule-with-different-weekday-and-weekend-rotations)
- All rotations of a schedule are on call together (cumulative): the final layer is
  everyone any rotation has on call at that moment (same pages).
- A time restriction limits a rotation to windows of the day (`time-of-day`) or of the
  week (`weekday-and-time-of-day`). It only hides the rotation outside its windows: the
  shifts keep being counted (the handover clock keeps running). A window whose end is not
  after its start crosses midnight (or the end of the week), so 18:00-09:00 is the night.
  ("Create an on-call schedule with business and off-hours":
  https://support.atlassian.com/opsgenie/docs/create-an-on-call-schedule-with-business-and-off-hours/)
- Times of day (restrictions, handovers) are wall-clock times in the schedule's time zone:
  daily and weekly handovers keep their local time across daylight-saving changes; hourly
  shifts are absolute (every `length` hours). The schedule's time zone defaults to the
  API's documented default (`api.models.DEFAULT_TIME_ZONE`).
- An override gives its responder (a user, or nobody: the "no one" option) the turn of the
  rotations it names (all of them when it names none) for its interval; it takes precedence
  over them. (Atlassian, "Override an on-call schedule":
  https://support.atlassian.com/jira-service-management-cloud/docs/override-an-on-call-schedule/ ,
  its Compass copy https://support.atlassian.com/ja/compass/docs/override-an-on-call-schedule ;
  https://support.skcc.com/en/support/solutions/articles/42000061433-setting-opsgenie-on-call-schedules ;
  the API's `Override.rotationIds`.)

Where the sources are silent, this module chooses, and says so:
- a window whose start equals its end lasts a whole day (`time-of-day`) or week;
- a local time that does not exist (the hour skipped in spring) is read with the offset
  before the change, an ambiguous one (the hour repeated in autumn) as its first occurrence;
- an override replaces a rotation's responder only where that rotation has a shift (a
  `noone` slot included): it does not reach into hours that a restriction hides or before
  the start / after the end of the rotation; of overlapping overrides, the one that starts
  later wins (a short one inside a long one shows), of two that start together the later in
  the list (the API lists them in the order they were made);
- a rotation without participants has nobody on call;
- a handover that would fall after the year 9999 (a very long `length`) is read as never.

The work is bounded: one timeline takes at most `MAX_WORK` intervals (each rotation's
periods, the restriction windows they are cut by, and every responder of every slice of
the final layer, counted as they are made); a window that needs more raises
`WindowTooLarge` instead of running on.
"""

from __future__ import annotations

import bisect
import functools
import itertools
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Iterable, NamedTuple, Optional, Sequence
from zoneinfo import ZoneInfo

from ..api.models import DEFAULT_TIME_ZONE, WEEKDAYS, Participant, Rotation, Schedule
from ..errors import JsmOpsError

_DAY = 86400
# The instants a timeline can hold: datetime's years 1 to 9999, in epoch seconds.
_FIRST = int(datetime(1, 1, 2, tzinfo=timezone.utc).timestamp())
_LAST = int(datetime(9999, 12, 31, tzinfo=timezone.utc).timestamp())

# The intervals one timeline may take (see the module's docstring): a year of hourly shifts
# of 13 rotations (8,784 periods each, and at each handover everyone on call) fits.
MAX_WORK = 250_000


class WindowTooLarge(JsmOpsError):
    """A timeline would take more than `MAX_WORK` intervals."""

    def __init__(self) -> None:
        super().__init__(f"the window needs more than {MAX_WORK:,} on-call intervals (shifts, restriction "
                         "windows and who is on call in each): look at fewer days")


class _Budget:
    """Counts the intervals a timeline makes, and stops it at `MAX_WORK`."""

    def __init__(self) -> None:
        self.left = MAX_WORK

    def spend(self, count: int = 1) -> None:
        self.left -= count
        if self.left < 0:
            raise WindowTooLarge()


class Responder(NamedTuple):
    """Someone who can be on call: a user, team or escalation, by id. (A tuple: the final
    layer hashes responders at every handover, and a tuple's hash is the fastest.)"""

    type: str
    id: str


@dataclass(frozen=True)
class Period:
    """A rotation's responder over [start, end); `responder` None is a `noone` slot."""

    start: datetime
    end: datetime
    responder: Optional[Responder]
    overridden: bool = False


@dataclass(frozen=True)
class RotationTimeline:
    name: str
    id: Optional[str]
    periods: tuple[Period, ...]


@dataclass(frozen=True)
class Slice:
    """The final layer over [start, end): everyone on call then (empty: a gap)."""

    start: datetime
    end: datetime
    responders: frozenset[Responder]


@dataclass(frozen=True)
class Handover:
    at: datetime
    before: frozenset[Responder]
    after: frozenset[Responder]


@dataclass(frozen=True)
class OverrideWindow:
    """Someone (or nobody: `responder` None) takes the turn of some rotations: those with
    `rotation_ids` (as the API has them) or `rotation_names` (as a program declares them);
    all rotations when both are None. `alias` is the service's, when it has made it."""

    start: datetime
    end: datetime
    responder: Optional[Responder]
    rotation_ids: Optional[frozenset[str]] = None
    rotation_names: Optional[frozenset[str]] = None
    alias: Optional[str] = None

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> "OverrideWindow":
        """An override as the API lists it (`alias`, `responder`, `startDate`, `endDate`, `rotationIds`)."""
        who = data.get("responder") or {}
        ids = data.get("rotationIds")
        return cls(
            start=parse_date(data["startDate"]),
            end=parse_date(data["endDate"]),
            responder=Responder(who["type"], who["id"]) if who.get("type") not in (None, "noone") else None,
            rotation_ids=None if ids is None else frozenset(ids),
            alias=data.get("alias"),
        )

    def applies_to(self, rotation: Rotation) -> bool:
        if self.rotation_ids is None and self.rotation_names is None:
            return True
        return rotation.id in (self.rotation_ids or ()) or rotation.name in (self.rotation_names or ())


@dataclass(frozen=True)
class Timeline:
    """A schedule over [start, end): each rotation's periods and the final layer."""

    start: datetime
    end: datetime
    time_zone: str
    rotations: tuple[RotationTimeline, ...]
    final: tuple[Slice, ...]  # covers [start, end) without holes, neighbours differ

    @property
    def gaps(self) -> tuple[Slice, ...]:
        return tuple(s for s in self.final if not s.responders)

    def on_call_at(self, moment: datetime) -> frozenset[Responder]:
        """Everyone on call at `moment` (which must lie in the window)."""
        if not self.start <= moment < self.end:
            raise ValueError(f"{moment.isoformat()} is outside the timeline "
                             f"[{self.start.isoformat()}, {self.end.isoformat()})")
        return self.final[bisect.bisect_right(self._starts, moment) - 1].responders

    @functools.cached_property
    def _starts(self) -> list[datetime]:
        return [s.start for s in self.final]

    def handovers(self) -> tuple[Handover, ...]:
        """Every moment in the window where who is on call changes."""
        return tuple(Handover(b.start, a.responders, b.responders) for a, b in itertools.pairwise(self.final))

    def hours(self) -> dict[Responder, float]:
        """Hours on call per responder in the final layer (at most once at a time)."""
        seconds: Counter[Responder] = Counter()
        for part in self.final:
            for responder in part.responders:
                seconds[responder] += int((part.end - part.start).total_seconds())
        return {responder: total / 3600 for responder, total in sorted(seconds.items())}


def parse_date(text: str) -> datetime:
    """An API date (`2026-01-05T08:00:00Z`, or with an offset) as an aware datetime."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError(f"date '{text}' has no UTC offset")
    return value


def zone_named(name: Optional[str]) -> ZoneInfo:
    """A schedule's time zone by its name; the API's default when it names none."""
    return ZoneInfo(name or DEFAULT_TIME_ZONE)


def schedule_zone(schedule: Schedule) -> ZoneInfo:
    return zone_named(schedule.timezone)


def timeline(schedule: Schedule, start: datetime, end: datetime, overrides: Sequence[OverrideWindow] = ()) -> Timeline:
    """The schedule's timeline over [start, end) (aware datetimes), overrides applied."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("the window's start and end need a time zone")
    if end <= start:
        raise ValueError("the window's end must be after its start")
    zone = schedule_zone(schedule)
    lo, hi = _epoch(start), _epoch(end)
    budget = _Budget()
    lanes = []
    spans: list[Piece] = []
    for rotation in schedule.rotations:
        pieces = _rotation_pieces(rotation, zone, lo, hi, budget)
        pieces = _merge(_apply_overrides(pieces, sorted((o for o in overrides if o.applies_to(rotation)),
                                                        key=lambda o: o.start), budget))
        spans += pieces
        periods = tuple(Period(_when(a), _when(b), who, over) for a, b, who, over in pieces)
        lanes.append(RotationTimeline(rotation.name, rotation.id, periods))
    return Timeline(_when(lo), _when(hi), zone.key, tuple(lanes), _final_layer(spans, lo, hi, budget))


def timeline_from_api(data: dict[str, Any], time_zone: str) -> Timeline:
    """A timeline as the API's `GET .../timeline` answers it (its `finalTimeline`), with the
    same final layer as a computed one, so the two can be compared and shown alike."""
    lo, hi = _epoch(parse_date(data["startDate"])), _epoch(parse_date(data["endDate"]))
    budget = _Budget()
    lanes = []
    for rotation in (data.get("finalTimeline") or {}).get("rotations") or []:
        periods = []
        for period in rotation.get("periods") or []:
            budget.spend()
            who = period.get("responder") or {}
            responder = Responder(who["type"], who["id"]) if who.get("type") not in (None, "noone") else None
            periods.append(Period(parse_date(period["startDate"]), parse_date(period["endDate"]), responder,
                                  period.get("type") == "override"))
        lanes.append(RotationTimeline(rotation.get("name", ""), rotation.get("id"), tuple(periods)))
    spans = [(_epoch(p.start), _epoch(p.end), p.responder, p.overridden) for lane in lanes for p in lane.periods]
    return Timeline(_when(lo), _when(hi), time_zone, tuple(lanes), _final_layer(spans, lo, hi, budget))


@dataclass(frozen=True)
class Turn:
    """A rotation's shift: its number from the start date, participant and bounds."""

    index: int
    participant: Participant
    start: datetime
    end: datetime


def turn_at(rotation: Rotation, zone: ZoneInfo, moment: datetime) -> Optional[Turn]:
    """The rotation's shift at `moment`, restrictions aside (None before its start, after
    its end, or without participants)."""
    at = _epoch(moment)
    if not rotation.participants or at < _epoch(rotation.start_date):
        return None
    if rotation.end_date is not None and at >= _epoch(rotation.end_date):
        return None
    shifts = _Shifts.of(rotation, zone)
    k = shifts.index_at(at)
    return Turn(k, rotation.participants[k % len(rotation.participants)], _when(shifts.boundary(k)),
                _when(shifts.boundary(k + 1)))


def start_date_keeping_turns(before: Rotation, after: Rotation, zone: ZoneInfo, moment: datetime) -> Optional[datetime]:
    """A start date for `after` that keeps the turns as they stand at `moment`: whoever has
    the turn now keeps it until the current shift ends, at the same handover time, and the
    new order continues from there. None when there is no current turn, or its holder is
    no longer a participant. When the holder appears more than once, the slot followed by
    the same next participant as now is taken, else the first one.

    It is the start of the current shift moved back by the holder's place in the new order
    (in the schedule's wall-clock time for daily and weekly rotations), in the schedule's
    time zone.
    """
    turn = turn_at(before, zone, moment)
    if turn is None:
        return None
    places = [j for j, p in enumerate(after.participants) if p == turn.participant]
    if not places:
        return None
    following = before.participants[(turn.index + 1) % len(before.participants)]
    place = next((j for j in places if after.participants[(j + 1) % len(after.participants)] == following), places[0])
    start = _Shifts(turn.start, after.type, after.length, zone).boundary(-place)
    return None if start == _FIRST else _when(start).astimezone(zone)  # None: before the year 1


def same_turns(a: Rotation, b: Rotation, zone: ZoneInfo, moment: datetime) -> bool:
    """Whether two rotations of the same participants, type and length (start dates aside)
    give the same turns from `moment` on: the shift under way has the same bounds and the
    same place in the order (start dates a whole number of cycles apart, e.g.)."""
    first, second = turn_at(a, zone, moment), turn_at(b, zone, moment)
    if first is None or second is None:  # not started yet (or over): the same only if alike
        return first is None and second is None and a.start_date == b.start_date
    size = len(a.participants)
    return (first.index % size, first.start, first.end) == (second.index % size, second.start, second.end)


# --- the computation, in whole seconds since the epoch --------------------------------

Piece = tuple[int, int, Optional[Responder], bool]  # start, end, responder, overridden


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _when(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, timezone.utc)


def _local_epoch(local: datetime, zone: ZoneInfo) -> int:
    """A wall-clock time in `zone` as epoch seconds (fold 0: see the module's choices)."""
    return int(local.replace(tzinfo=zone).timestamp())


class _Shifts:
    """The handover times of a rotation: shift k runs from boundary(k) to boundary(k + 1)."""

    def __init__(self, start: datetime, kind: str, length: int, zone: ZoneInfo):
        self.zone = zone
        self.origin = _epoch(start)
        if kind == "hourly":
            self.seconds: Optional[int] = length * 3600
            self.local_origin = datetime.min
            self.days = 0
        else:
            self.seconds = None
            self.local_origin = start.astimezone(zone).replace(tzinfo=None)
            self.days = length * (7 if kind == "weekly" else 1)

    @classmethod
    def of(cls, rotation: Rotation, zone: ZoneInfo) -> "_Shifts":
        return cls(rotation.start_date, rotation.type, rotation.length, zone)

    def boundary(self, k: int) -> int:
        """Handover k, held within the years 1 to 9999 (a long `length` reaches past them)."""
        try:
            if self.seconds is not None:
                moment = self.origin + k * self.seconds
            else:
                moment = _local_epoch(self.local_origin + timedelta(days=k * self.days), self.zone)
        except OverflowError:
            return _LAST if k > 0 else _FIRST
        return min(max(moment, _FIRST), _LAST)

    def index_at(self, at: int) -> int:
        """The k with boundary(k) <= at < boundary(k + 1)."""
        if self.seconds is not None:
            return (at - self.origin) // self.seconds
        k = (at - self.origin) // (self.days * _DAY)
        while self.boundary(k) > at:
            k -= 1
        while self.boundary(k + 1) <= at:
            k += 1
        return k


def _responder(participant: Participant) -> Optional[Responder]:
    if participant.type == "noone" or participant.id is None:
        return None
    return Responder(participant.type, participant.id)


def _rotation_pieces(rotation: Rotation, zone: ZoneInfo, lo: int, hi: int, budget: _Budget) -> list[Piece]:
    start = max(lo, _epoch(rotation.start_date))
    end = hi if rotation.end_date is None else min(hi, _epoch(rotation.end_date))
    if end <= start:
        return []
    responders = [_responder(p) for p in rotation.participants] or [None]
    shifts = _Shifts.of(rotation, zone)
    pieces: list[Piece] = []
    for a, b in _windows(rotation, zone, start, end, budget):
        k = shifts.index_at(a)
        cut = a
        while cut < b:
            budget.spend()
            next_cut = min(b, shifts.boundary(k + 1))
            pieces.append((cut, next_cut, responders[k % len(responders)], False))
            cut, k = next_cut, k + 1
    return pieces


def _windows(rotation: Rotation, zone: ZoneInfo, lo: int, hi: int, budget: _Budget) -> list[tuple[int, int]]:
    """The rotation's on-call windows within [lo, hi), sorted and merged."""
    restriction = rotation.time_restriction
    if restriction is None:
        return [(lo, hi)]
    first = _when(lo).astimezone(zone).date() - timedelta(days=1)
    last = _when(hi).astimezone(zone).date()
    spans: list[tuple[int, int]] = []
    if restriction.restriction is not None:
        daily = restriction.restriction
        opens, closes = time(daily.start_hour, daily.start_min), time(daily.end_hour, daily.end_min)
        for offset in range((last - first).days + 1):
            budget.spend()
            day = first + timedelta(days=offset)
            spans.append(_local_span(day, opens, day, closes, 1, zone))
    for weekly in restriction.restrictions or []:
        monday = first - timedelta(days=first.weekday() + 7)
        while monday <= last:
            budget.spend()
            spans.append(_local_span(monday + timedelta(days=WEEKDAYS.index(weekly.start_day)),
                                     time(weekly.start_hour, weekly.start_min),
                                     monday + timedelta(days=WEEKDAYS.index(weekly.end_day)),
                                     time(weekly.end_hour, weekly.end_min), 7, zone))
            monday += timedelta(days=7)
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        a, b = max(a, lo), min(b, hi)
        if a >= b:
            continue
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _local_span(start_day: date, opens: time, end_day: date, closes: time, wrap_days: int,
                zone: ZoneInfo) -> tuple[int, int]:
    """A window from a local start to a local end; an end not after the start wraps by
    `wrap_days` (past midnight, or past the end of the week)."""
    start, end = datetime.combine(start_day, opens), datetime.combine(end_day, closes)
    if end <= start:
        end += timedelta(days=wrap_days)
    return _local_epoch(start, zone), _local_epoch(end, zone)


def _apply_overrides(pieces: list[Piece], overrides: Iterable[OverrideWindow], budget: _Budget) -> list[Piece]:
    """The pieces (sorted, not overlapping) with each override's interval given to its responder."""
    for override in overrides:
        a, b = _epoch(override.start), _epoch(override.end)
        first = bisect.bisect_right(pieces, a, key=lambda piece: piece[1])  # the first piece ending after a
        last = first
        replaced: list[Piece] = []
        while last < len(pieces) and pieces[last][0] < b:
            start, end, who, over = pieces[last]
            if start < a:
                replaced.append((start, a, who, over))
            replaced.append((max(start, a), min(end, b), override.responder, True))
            if end > b:
                replaced.append((b, end, who, over))
            last += 1
        budget.spend(len(replaced) + 1)
        pieces[first:last] = replaced
    return pieces


def _merge(pieces: list[Piece]) -> list[Piece]:
    """Touching pieces of the same responder and kind become one."""
    merged: list[Piece] = []
    for piece in pieces:
        if merged and merged[-1][1] == piece[0] and merged[-1][2:] == piece[2:]:
            merged[-1] = (merged[-1][0], piece[1], piece[2], piece[3])
        else:
            merged.append(piece)
    return merged


def _final_layer(periods: Iterable[Piece], lo: int, hi: int, budget: _Budget) -> tuple[Slice, ...]:
    """The final layer over [lo, hi) of every rotation's periods (in epoch seconds)."""
    changes: dict[int, list[tuple[int, Responder]]] = {lo: [], hi: []}
    for start, end, responder, _overridden in periods:
        if responder is not None:
            changes.setdefault(start, []).append((1, responder))
            changes.setdefault(end, []).append((-1, responder))
    active: Counter[Responder] = Counter()
    slices: list[tuple[int, int, frozenset[Responder]]] = []
    moments = sorted(changes)
    for at, following in itertools.pairwise(moments):
        for delta, responder in changes[at]:
            active[responder] += delta
            if not active[responder]:
                del active[responder]  # so that each moment looks only at those on call
        now = frozenset(r for r, n in active.items() if n > 0)
        budget.spend(len(now) + 1)
        if slices and slices[-1][2] == now:
            slices[-1] = (slices[-1][0], following, now)
        else:
            slices.append((at, following, now))
    return tuple(Slice(_when(a), _when(b), who) for a, b, who in slices)
