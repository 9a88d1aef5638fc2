"""Who is on call and when: the pure computation behind the on-call, timeline and iCalendar routes.

Input is the API form of a schedule (`timezone`, `rotations`) and of its overrides; output
is a `Timeline` over a half-open range [start, end). The rules, with their sources, are in
RULES.md beside this file; the comments below only name which rule a step implements.
Every instant here is an aware datetime in UTC.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

UTC = dt.timezone.utc
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_HOUR = dt.timedelta(hours=1)
_DAY = dt.timedelta(days=1)
_WEEK = dt.timedelta(days=7)
_NEVER = dt.datetime.max.replace(tzinfo=dt.timezone.utc)

Interval = tuple[dt.datetime, dt.datetime]


@dataclasses.dataclass(frozen=True)
class Responder:
    type: str  # user | team | escalation | noone
    id: str | None = None

    @property
    def is_nobody(self) -> bool:
        return self.type == "noone"

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> Responder:
        kind = data["type"]
        return cls(kind, None if kind == "noone" else data.get("id"))


@dataclasses.dataclass(frozen=True)
class Period:
    start: dt.datetime
    end: dt.datetime
    responder: Responder
    kind: str  # "base" or "override": the TimelinePeriod types this emulator produces


@dataclasses.dataclass(frozen=True)
class RotationTimeline:
    id: str
    name: str
    order: int  # 1-based position in the schedule
    base: tuple[Period, ...]
    override: tuple[Period, ...]  # the override-made pieces of `final`
    final: tuple[Period, ...]


@dataclasses.dataclass(frozen=True)
class Coverage:
    """A piece of the schedule's final layer: everybody on call, across rotations; empty is a gap."""

    start: dt.datetime
    end: dt.datetime
    responders: tuple[Responder, ...]


@dataclasses.dataclass(frozen=True)
class Timeline:
    start: dt.datetime
    end: dt.datetime
    rotations: tuple[RotationTimeline, ...]
    coverage: tuple[Coverage, ...]

    def on_call_at(self, instant: dt.datetime) -> tuple[Responder, ...]:
        for piece in self.coverage:
            if piece.start <= instant < piece.end:
                return piece.responders
        return ()


@dataclasses.dataclass(frozen=True)
class Override:
    start: dt.datetime
    end: dt.datetime
    responder: Responder
    rotation_ids: frozenset[str] | None  # None: every rotation

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> Override:
        ids = data.get("rotationIds")
        return cls(
            parse_instant(data["startDate"]),
            parse_instant(data["endDate"]),
            Responder.from_api(data["responder"]),
            None if ids is None else frozenset(ids),
        )

    def applies_to(self, rotation_id: str) -> bool:
        return self.rotation_ids is None or rotation_id in self.rotation_ids


def parse_instant(text: str) -> dt.datetime:
    """An ISO 8601 date-time with an offset (or `Z`), as a UTC instant; ValueError otherwise."""
    # Python 3.10's fromisoformat does not read "Z".
    value = dt.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    if value.utcoffset() is None:
        raise ValueError(f"{text!r} has no UTC offset")
    return value.astimezone(UTC)


def wall_clock(naive: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """The instant of a local wall-clock time: a time skipped by a DST change moves forward by the
    gap (02:30 becomes 03:30), a repeated time is its first occurrence."""
    return naive.replace(tzinfo=tz, fold=0).astimezone(UTC)


def timeline_range(instant: dt.datetime, interval: int, unit: str, tz: ZoneInfo) -> Interval:
    """[start, end): from local midnight at the beginning of the day, week (Monday) or month
    containing `instant`, `interval` such units long, in local calendar units of `tz`."""
    local_day = dt.datetime.combine(instant.astimezone(tz).date(), dt.time())
    if unit == "days":
        first, last = local_day, local_day + interval * _DAY
    elif unit == "weeks":
        first = local_day - dt.timedelta(days=local_day.weekday())
        last = first + interval * _WEEK
    else:
        first = local_day.replace(day=1)
        years, month = divmod(first.month - 1 + interval, 12)
        last = first.replace(year=first.year + years, month=month + 1)
    return wall_clock(first, tz), wall_clock(last, tz)


def compute_timeline(
    schedule: dict[str, Any], overrides: Iterable[dict[str, Any]], start: dt.datetime, end: dt.datetime
) -> Timeline:
    tz = ZoneInfo(schedule["timezone"])
    # Of overlapping overrides the later-starting one wins (R11): the last in start order.
    parsed = sorted((Override.from_api(override) for override in overrides), key=lambda override: override.start)
    rotations = tuple(
        _rotation_timeline(rotation, order, tz, parsed, start, end)
        for order, rotation in enumerate(schedule.get("rotations") or [], start=1)
    )
    return Timeline(start, end, rotations, _coverage(rotations, start, end))


def next_on_call(
    schedule: dict[str, Any], overrides: Sequence[dict[str, Any]], instant: dt.datetime, horizon: dt.datetime
) -> tuple[Responder, ...]:
    """Per rotation, the next responder to take over after `instant` (looking no further than
    `horizon`), in rotation order without repeats."""
    span = _WEEK
    while True:
        stop = min(instant + span, horizon)
        timeline = compute_timeline(schedule, overrides, instant, stop)
        picks = [_next_in_rotation(rotation.final, instant) for rotation in timeline.rotations]
        # A later look can only change a pick that is not yet somebody else taking over.
        if stop == horizon or all(pick is not None and pick[1] for pick in picks):
            break
        span *= 2
    found: list[Responder] = []
    for pick in picks:
        if pick is not None and pick[0] not in found:
            found.append(pick[0])
    return tuple(found)


def _next_in_rotation(periods: Sequence[Period], instant: dt.datetime) -> tuple[Responder, bool] | None:
    """The first responder after `instant` other than the current one (True), else the first later one (False)."""
    current = next((p.responder for p in periods if p.start <= instant < p.end), None)
    later = [p.responder for p in periods if p.start > instant and not p.responder.is_nobody]
    for responder in later:
        if responder != current:
            return responder, True
    return (later[0], False) if later else None


# --- one rotation ---


def _rotation_timeline(
    rotation: dict[str, Any],
    order: int,
    tz: ZoneInfo,
    overrides: Sequence[Override],
    start: dt.datetime,
    end: dt.datetime,
) -> RotationTimeline:
    # endDate ends the rotation; nothing before startDate.
    active_from = max(start, parse_instant(rotation["startDate"]))
    active_to = min(end, parse_instant(rotation["endDate"])) if rotation.get("endDate") else end
    base: list[Period] = []
    if active_from < active_to:
        windows = _restriction_windows(rotation.get("timeRestriction"), tz, active_from, active_to)
        shifts = _shifts(rotation, tz, active_from, active_to)
        base = [Period(s, e, who, "base") for s, e, who in _intersect(shifts, windows)]
    own = [override for override in overrides if override.applies_to(rotation["id"])]
    final = _merge(_apply_overrides(base, own))
    return RotationTimeline(
        id=rotation["id"],
        name=rotation.get("name") or "",
        order=order,
        base=tuple(_merge(base)),
        override=tuple(p for p in final if p.kind == "override"),
        final=tuple(final),
    )


def _shifts(
    rotation: dict[str, Any], tz: ZoneInfo, start: dt.datetime, end: dt.datetime
) -> Iterator[tuple[dt.datetime, dt.datetime, Responder]]:
    """The rotation's turns overlapping [start, end): shift k runs from handover k to handover k+1 and
    belongs to participant k mod n. Hourly handovers are absolute; daily and weekly ones keep the
    local wall-clock time of `startDate`."""
    participants = [Responder.from_api(p) for p in rotation.get("participants") or []]
    if not participants:
        return
    origin = parse_instant(rotation["startDate"])
    length = int(rotation.get("length") or 1)
    unit = {"hourly": _HOUR, "weekly": _WEEK}.get(rotation["type"], _DAY)
    try:
        step = length * unit
    except OverflowError:  # longer than a timedelta holds, so longer than the calendar
        step = dt.timedelta.max
    if rotation["type"] == "hourly":

        def handover(k: int) -> dt.datetime:
            return origin + k * step

        first = max(0, (start - origin) // step - 1)
    else:
        local_origin = origin.astimezone(tz).replace(tzinfo=None)

        def handover(k: int) -> dt.datetime:
            return wall_clock(local_origin + k * step, tz)

        first = max(0, (start.astimezone(tz).replace(tzinfo=None) - local_origin) // step - 1)
    def handover_or_never(k: int) -> dt.datetime:
        """A turn of millions of years ends after the calendar does: it never hands over."""
        try:
            return handover(k)
        except OverflowError:
            return _NEVER

    k = first
    while (shift_start := handover_or_never(k)) < end:
        shift_end = handover_or_never(k + 1)
        if shift_end > start:
            yield max(shift_start, start), min(shift_end, end), participants[k % len(participants)]
        k += 1


def _restriction_windows(
    restriction: dict[str, Any] | None, tz: ZoneInfo, start: dt.datetime, end: dt.datetime
) -> list[Interval]:
    """Where the rotation is visible within [start, end), in order and merged. Windows are local
    wall-clock times of the schedule's time zone; an end at or before the start runs past midnight
    (time-of-day) or past the end of the week (weekday windows)."""
    if not restriction:
        return [(start, end)]
    windows: list[Interval] = []
    if restriction.get("type") == "time-of-day":
        settings = restriction["restriction"]
        opens = dt.timedelta(hours=settings["startHour"], minutes=settings["startMin"])
        closes = dt.timedelta(hours=settings["endHour"], minutes=settings["endMin"])
        if closes <= opens:
            closes += _DAY
        day = dt.datetime.combine(start.astimezone(tz).date() - _DAY, dt.time())
        while (window_start := wall_clock(day + opens, tz)) < end:
            windows.append((window_start, wall_clock(day + closes, tz)))
            day += _DAY
    else:
        monday = start.astimezone(tz).date()
        monday = dt.datetime.combine(monday - dt.timedelta(days=monday.weekday()) - _WEEK, dt.time())
        spans = []
        for settings in restriction.get("restrictions") or []:
            opens = dt.timedelta(
                days=WEEKDAYS.index(settings["startDay"]), hours=settings["startHour"], minutes=settings["startMin"]
            )
            closes = dt.timedelta(
                days=WEEKDAYS.index(settings["endDay"]), hours=settings["endHour"], minutes=settings["endMin"]
            )
            if closes <= opens:
                closes += _WEEK
            spans.append((opens, closes))
        while spans and wall_clock(monday, tz) < end:
            windows.extend((wall_clock(monday + opens, tz), wall_clock(monday + closes, tz)) for opens, closes in spans)
            monday += _WEEK
    clipped = [(max(s, start), min(e, end)) for s, e in windows if e > start and s < end]
    return _union(clipped)


def _union(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for s, e in sorted(intervals):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        elif s < e:
            merged.append((s, e))
    return merged


def _intersect(
    shifts: Iterable[tuple[dt.datetime, dt.datetime, Responder]], windows: Sequence[Interval]
) -> Iterator[tuple[dt.datetime, dt.datetime, Responder]]:
    """The parts of each shift inside the windows: a restriction hides, the handover clock runs on."""
    first = 0
    for s, e, who in shifts:
        while first < len(windows) and windows[first][1] <= s:
            first += 1
        index = first
        while index < len(windows) and windows[index][0] < e:
            piece_start, piece_end = max(s, windows[index][0]), min(e, windows[index][1])
            if piece_start < piece_end:
                yield piece_start, piece_end, who
            index += 1


def _apply_overrides(base: Sequence[Period], overrides: Sequence[Override]) -> list[Period]:
    """Within the rotation's on-call time, an override's responder replaces the rotation's; of two
    overlapping overrides, the later one in `overrides` wins."""
    result: list[Period] = []
    for period in base:
        cuts = sorted(
            {period.start, period.end}
            | {t for o in overrides for t in (o.start, o.end) if period.start < t < period.end}
        )
        for s, e in pairwise(cuts):
            winner = next((o for o in reversed(overrides) if o.start <= s and e <= o.end), None)
            if winner is None:
                result.append(Period(s, e, period.responder, "base"))
            else:
                result.append(Period(s, e, winner.responder, "override"))
    return result


def _merge(periods: Iterable[Period]) -> list[Period]:
    """Adjacent periods of the same responder and kind become one."""
    merged: list[Period] = []
    for period in periods:
        last = merged[-1] if merged else None
        if last and last.end == period.start and last.responder == period.responder and last.kind == period.kind:
            merged[-1] = dataclasses.replace(last, end=period.end)
        else:
            merged.append(period)
    return merged


# --- the schedule's final layer ---


def _coverage(rotations: Sequence[RotationTimeline], start: dt.datetime, end: dt.datetime) -> tuple[Coverage, ...]:
    """All rotations are on call together: each piece lists everybody on call (never `noone`), in
    rotation order without repeats; an empty piece is a gap."""
    cuts = sorted({start, end} | {t for r in rotations for p in r.final for t in (p.start, p.end)})
    # Every period boundary is a cut, so a period covers a piece entirely or not at all.
    current = [0] * len(rotations)
    pieces: list[Coverage] = []
    for s, e in pairwise(cuts):
        responders: list[Responder] = []
        for index, rotation in enumerate(rotations):
            periods = rotation.final
            while current[index] < len(periods) and periods[current[index]].end <= s:
                current[index] += 1
            if current[index] < len(periods):
                period = periods[current[index]]
                if period.start <= s and not period.responder.is_nobody and period.responder not in responders:
                    responders.append(period.responder)
        if pieces and pieces[-1].responders == tuple(responders):
            pieces[-1] = dataclasses.replace(pieces[-1], end=e)
        else:
            pieces.append(Coverage(s, e, tuple(responders)))
    return tuple(pieces)
