"""HTTP routes of who is on call and when: on-calls, next on-calls, timeline and the iCalendar exports.

The router is included before the schedule routes, so that `/schedules/{id}.ics` and
`/schedules/on-calls/{user}.ics` are not taken for schedule ids.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request, Response

from ..config import API_ROOT, Identity
from ..exceptions import ApiError
from ..models import ScheduleBackend
from ..responses import reader
from . import ical
from .models import (
    UTC,
    Period,
    Responder,
    RotationTimeline,
    Timeline,
    compute_timeline,
    next_on_call,
    parse_instant,
    timeline_range,
)

EXPANSIONS = ("base", "forwarding", "override")
CALENDAR = "text/calendar; charset=utf-8"
# The service computes timelines from one year back to two years ahead of now.
YEARS_BACK, YEARS_AHEAD = 1, 2
# The dates the on-call routes take: far enough from datetime's limits to compute around them.
EARLIEST, LATEST = dt.datetime(1000, 1, 1, tzinfo=UTC), dt.datetime(9000, 1, 1, tzinfo=UTC)
INT32_MAX = 2**31 - 1

router = APIRouter(prefix=API_ROOT, dependencies=[Depends(reader)])


def _backend(request: Request) -> ScheduleBackend:
    backend: ScheduleBackend = request.app.state.backend
    return backend


def _schedule_and_overrides(request: Request, schedule_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    backend = _backend(request)
    schedule = backend.get(schedule_id)  # 404 for an unknown schedule
    return schedule, backend.list_overrides(schedule_id)


def _instant(date: str | None) -> dt.datetime:
    """The `date` query parameter (default: now)."""
    if date is None:
        return dt.datetime.now(UTC)
    try:
        instant = parse_instant(date)
    except (ValueError, OverflowError):
        raise ApiError(422, f"date: '{date}' is not an ISO 8601 date-time with a UTC offset") from None
    if not EARLIEST <= instant < LATEST:
        raise ApiError(422, f"date: '{date}' is not between the years {EARLIEST.year} and {LATEST.year - 1}")
    return instant


def _years_from(instant: dt.datetime, years: int) -> dt.datetime:
    try:
        return instant.replace(year=instant.year + years)
    except ValueError:  # 29 February
        return instant.replace(year=instant.year + years, day=28)


# --- on-calls ---


@router.get("/schedules/{schedule_id}/on-calls")
def on_calls(request: Request, schedule_id: str, flat: bool = False, date: str | None = None) -> dict[str, Any]:
    instant = _instant(date)
    schedule, overrides = _schedule_and_overrides(request, schedule_id)
    timeline = compute_timeline(schedule, overrides, instant, instant + dt.timedelta(seconds=1))
    responders = timeline.on_call_at(instant)
    if flat:
        return {"onCallUsers": _user_ids(responders)}
    return {"onCallParticipants": [_participant(responder) for responder in responders]}


@router.get("/schedules/{schedule_id}/next-on-calls")
def next_on_calls(request: Request, schedule_id: str, flat: bool = False, date: str | None = None) -> dict[str, Any]:
    instant = _instant(date)
    schedule, overrides = _schedule_and_overrides(request, schedule_id)
    responders = next_on_call(schedule, overrides, instant, _years_from(instant, YEARS_AHEAD))
    if flat:
        return {"nextOnCallUsers": _user_ids(responders)}
    return {"nextOnCallParticipants": [_participant(responder) for responder in responders]}


def _user_ids(responders: tuple[Responder, ...]) -> list[str]:
    # The emulator knows no team or escalation members, so only users flatten to ids.
    return [responder.id for responder in responders if responder.type == "user" and responder.id]


def _participant(responder: Responder) -> dict[str, Any]:
    return {"id": responder.id, "type": responder.type}


# --- timeline ---


@router.get("/schedules/{schedule_id}/timeline")
def timeline(
    request: Request,
    schedule_id: str,
    interval: int = Query(1, ge=1, le=INT32_MAX),
    intervalUnit: Literal["days", "weeks", "months"] = "weeks",  # noqa: N803 (the API's name)
    date: str | None = None,
    expand: Annotated[list[str] | None, Query()] = None,
) -> dict[str, Any]:
    instant = _instant(date)
    expands = list(dict.fromkeys(name.strip() for value in expand or [] for name in value.split(",") if name.strip()))
    unknown = [name for name in expands if name not in EXPANSIONS]
    if unknown:
        raise ApiError(422, f"expand: unknown expansion '{unknown[0]}' (possible: {', '.join(EXPANSIONS)})")
    schedule, overrides = _schedule_and_overrides(request, schedule_id)
    too_long = ApiError(422, f"interval: the timeline may end at most {YEARS_AHEAD} years after now")
    try:
        start, end = timeline_range(instant, interval, intervalUnit, ZoneInfo(schedule["timezone"]))
    except (ValueError, OverflowError):  # past the last date there is
        raise too_long from None
    now = dt.datetime.now(UTC)
    if start < _years_from(now, -YEARS_BACK):
        raise ApiError(422, f"date: the timeline may start at most {YEARS_BACK} year before now")
    if end > _years_from(now, YEARS_AHEAD):
        raise too_long
    result = compute_timeline(schedule, overrides, start, end)
    body: dict[str, Any] = {
        "startDate": _time(start),
        "endDate": _time(end),
        "finalTimeline": _layer(result, lambda rotation: rotation.final),
    }
    if "base" in expands:
        body["baseTimeline"] = _layer(result, lambda rotation: rotation.base)
    if "override" in expands:
        body["overrideTimeline"] = _layer(result, lambda rotation: rotation.override)
    if "forwarding" in expands:
        # There is no forwarding API, so nobody is ever on call by forwarding.
        body["forwardingTimeline"] = _layer(result, lambda rotation: ())
    body["_expands"] = list(EXPANSIONS)
    return body


def _layer(result: Timeline, periods_of: Any) -> dict[str, Any]:
    return {
        "rotations": [
            {
                "id": rotation.id,
                "name": rotation.name,
                "order": rotation.order,
                "deleted": False,
                "periods": [_period(period) for period in periods_of(rotation)],
            }
            for rotation in result.rotations
        ]
    }


def _period(period: Period) -> dict[str, Any]:
    responder = {"type": period.responder.type}
    if period.responder.id is not None:
        responder["id"] = period.responder.id
    return {"startDate": _time(period.start), "endDate": _time(period.end), "type": period.kind, "responder": responder}


def _time(instant: dt.datetime) -> str:
    return (
        instant.astimezone(UTC)
        .isoformat(timespec="milliseconds" if instant.microsecond else "seconds")
        .replace("+00:00", "Z")
    )


# --- iCalendar exports ---


def _export_range(schedule: dict[str, Any], now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """From the beginning of the current month, in the schedule's time zone, for one year."""
    return timeline_range(now, 12, "months", ZoneInfo(schedule["timezone"]))


@router.get("/schedules/{schedule_id}.ics", response_class=Response)
def schedule_calendar(request: Request, schedule_id: str) -> Response:
    now = dt.datetime.now(UTC)
    schedule, overrides = _schedule_and_overrides(request, schedule_id)
    result = compute_timeline(schedule, overrides, *_export_range(schedule, now))
    events = ((schedule["id"], rotation, period) for rotation in result.rotations for period in rotation.final)
    return Response(ical.calendar(schedule["name"], events, now), media_type=CALENDAR)


@router.get("/schedules/on-calls/{user_identifier}.ics", response_class=Response)
def user_calendar(request: Request, user_identifier: str, identity: Annotated[Identity, Depends(reader)]) -> Response:
    # Only admins may export another user's calendar; the caller's own id is its email.
    if not identity.can_write and user_identifier != identity.email:
        raise ApiError(
            403, f"userIdentifier: {identity.email} may not export the on-call calendar of '{user_identifier}'"
        )
    now = dt.datetime.now(UTC)
    user = Responder("user", user_identifier)
    known = False
    events: list[tuple[str, RotationTimeline, Period]] = []
    for schedule in _all_schedules(request):
        overrides = _backend(request).list_overrides(schedule["id"])
        known = known or _mentions(schedule, overrides, user)
        result = compute_timeline(schedule, overrides, *_export_range(schedule, now))
        events.extend(
            (schedule["id"], rotation, period)
            for rotation in result.rotations
            for period in rotation.final
            if period.responder == user
        )
    if not known:
        raise ApiError(404, f"userIdentifier: no user '{user_identifier}' in any rotation or override")
    return Response(ical.calendar(f"On-call: {user_identifier}", events, now), media_type=CALENDAR)


def _all_schedules(request: Request) -> Iterator[dict[str, Any]]:
    """Every schedule with its rotations, a page at a time."""
    page_size, offset = 50, 0
    while True:
        page = _backend(request).list(offset, page_size)
        yield from page
        if len(page) < page_size:
            return
        offset += page_size


def _mentions(schedule: dict[str, Any], overrides: list[dict[str, Any]], user: Responder) -> bool:
    """A user is known to the emulator once a rotation or an override names them."""
    named = [p for rotation in schedule.get("rotations") or [] for p in rotation.get("participants") or []]
    named += [override["responder"] for override in overrides]
    return any(Responder.from_api(item) == user for item in named)
