"""The emulator's on-call routes over HTTP: each on-call rule, each parameter and each error status.

Dates are next year's, so that timelines stay inside the window the service computes (one year
back, two years ahead of now); the expectations are worked by hand from jsmops_emulator/oncall/RULES.md.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import requests

UTC = dt.timezone.utc
YEAR = dt.datetime.now(UTC).year + 1
HOUR, DAY, WEEK = dt.timedelta(hours=1), dt.timedelta(days=1), dt.timedelta(days=7)


def _first_weekday(year: int, month: int, weekday: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7)


def _utc(day: dt.date, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), UTC)


# A Monday in January, away from any DST change.
BASE = _utc(_first_weekday(YEAR, 1, 0))
# Europe/Berlin springs forward on the last Sunday of March; New York on the second Sunday of
# March and falls back on the first Sunday of November.
BERLIN_SPRING = _first_weekday(YEAR, 4, 6) - WEEK
NEW_YORK_SPRING = _first_weekday(YEAR, 3, 6) + WEEK
NEW_YORK_FALL = _first_weekday(YEAR, 11, 6)


def iso(instant: dt.datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def users(*names: str) -> list[dict[str, Any]]:
    return [{"type": "noone"} if name == "noone" else {"type": "user", "id": name} for name in names]


def rotation(
    start: dt.datetime | str, type: str = "daily", who: tuple[str, ...] = ("alice", "bob"), **fields: Any
) -> dict[str, Any]:
    return {
        "name": fields.pop("name", f"{type} {'/'.join(who)}"),
        "startDate": start if isinstance(start, str) else iso(start),
        "type": type,
        "length": fields.pop("length", 1),
        "participants": fields.pop("participants", users(*who)),
        **fields,
    }


def time_of_day(start_hour: int, end_hour: int) -> dict[str, Any]:
    return {
        "type": "time-of-day",
        "restriction": {"startHour": start_hour, "startMin": 0, "endHour": end_hour, "endMin": 0},
    }


_NAMES = itertools.count(1)


class OnCalls:
    """The API as one identity, through the emulator's own HTTP session."""

    def __init__(self, emulator: Any, auth: tuple[str, str] | None):
        self.emulator = emulator
        self.auth = auth

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.emulator.http.request(method, self.emulator.api_url + path, auth=self.auth, timeout=60, **kwargs)

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.request("GET", path, params=params)

    def ok(self, path: str, **params: Any) -> Any:
        response = self.get(path, **params)
        assert response.status_code == 200, response.text
        return response.json() if response.headers["content-type"].startswith("application/json") else response

    def schedule(self, *rotations: dict[str, Any], timezone: str = "UTC", name: str | None = None) -> dict[str, Any]:
        body = {
            "name": name or f"on-call {next(_NAMES)}",
            "teamId": "team-1",
            "timezone": timezone,
            "rotations": list(rotations),
        }
        response = self.request("POST", "/schedules", json=body)
        assert response.status_code == 201, response.text
        return response.json()

    def override(
        self,
        schedule: dict[str, Any],
        who: str,
        start: dt.datetime,
        end: dt.datetime,
        rotations: list[int] | None = None,
    ) -> dict[str, Any]:
        body = {
            "responder": {"type": "noone"} if who == "noone" else {"type": "user", "id": who},
            "startDate": iso(start),
            "endDate": iso(end),
            "rotationIds": None if rotations is None else [schedule["rotations"][index]["id"] for index in rotations],
        }
        response = self.request("POST", f"/schedules/{schedule['id']}/overrides", json=body)
        assert response.status_code == 201, response.text
        return response.json()

    def periods(
        self, schedule: dict[str, Any], layer: str = "finalTimeline", rotation: int = 0, **params: Any
    ) -> list[tuple[dt.datetime, dt.datetime, str]]:
        body = self.ok(f"/schedules/{schedule['id']}/timeline", **params)
        return [
            (instant(p["startDate"]), instant(p["endDate"]), p["responder"].get("id", p["responder"]["type"]))
            for p in body[layer]["rotations"][rotation]["periods"]
        ]

    def on_call(self, schedule: dict[str, Any], at: dt.datetime, path: str = "on-calls") -> list[str]:
        return self.ok(f"/schedules/{schedule['id']}/{path}", date=iso(at), flat="true")[
            "nextOnCallUsers" if path.startswith("next") else "onCallUsers"
        ]


@pytest.fixture
def api(emulator: Any) -> OnCalls:
    return OnCalls(emulator, emulator.admin_auth)


# --- the rules ---


def test_weekly_turns_in_order_keep_their_local_handover_when_berlin_springs_forward(api: OnCalls) -> None:
    monday = BERLIN_SPRING - dt.timedelta(days=6)
    schedule = api.schedule(rotation(f"{monday}T09:00:00+01:00", "weekly"), timezone="Europe/Berlin")
    body = api.ok(
        f"/schedules/{schedule['id']}/timeline", date=f"{monday}T12:00:00+01:00", interval=3, intervalUnit="weeks"
    )
    # The range: Monday 00:00 CET to three weeks later, 00:00 CEST.
    assert (instant(body["startDate"]), instant(body["endDate"])) == (
        _utc(monday) - HOUR,
        _utc(monday) + 3 * WEEK - 2 * HOUR,
    )
    handover_winter, handover_summer = _utc(monday, 8), _utc(monday, 7)  # 09:00 CET, 09:00 CEST
    assert api.periods(schedule, date=f"{monday}T12:00:00+01:00", interval=3, intervalUnit="weeks") == [
        (handover_winter, handover_summer + WEEK, "alice"),
        (handover_summer + WEEK, handover_summer + 2 * WEEK, "bob"),
        (handover_summer + 2 * WEEK, _utc(monday) + 3 * WEEK - 2 * HOUR, "alice"),
    ]


def test_daily_handovers_keep_local_time_when_new_york_falls_back(api: OnCalls) -> None:
    friday = NEW_YORK_FALL - 2 * DAY
    schedule = api.schedule(
        rotation(f"{friday}T09:00:00-04:00", who=("alice", "bob", "carol")), timezone="America/New_York"
    )
    periods = api.periods(schedule, date=f"{friday}T12:00:00-04:00", interval=4, intervalUnit="days")
    # 09:00 EDT is 13:00Z, 09:00 EST 14:00Z: Saturday's shift lasts 25 hours.
    assert periods == [
        (_utc(friday, 13), _utc(friday + DAY, 13), "alice"),
        (_utc(friday + DAY, 13), _utc(NEW_YORK_FALL, 14), "bob"),
        (_utc(NEW_YORK_FALL, 14), _utc(NEW_YORK_FALL + DAY, 14), "carol"),
        (_utc(NEW_YORK_FALL + DAY, 14), _utc(NEW_YORK_FALL + 2 * DAY, 5), "alice"),  # to the range end, midnight EST
    ]


def test_hourly_handovers_are_absolute_on_the_23_hour_day(api: OnCalls) -> None:
    midnight = _utc(NEW_YORK_SPRING, 5)  # 00:00 EST
    schedule = api.schedule(rotation(midnight, "hourly", who=("a", "b", "c")), timezone="America/New_York")
    periods = api.periods(schedule, date=f"{NEW_YORK_SPRING}T12:00:00-04:00", interval=1, intervalUnit="days")
    assert len(periods) == 23
    assert periods[:4] == [(midnight + k * HOUR, midnight + (k + 1) * HOUR, "abc"[k % 3]) for k in range(4)]
    assert periods[-1] == (midnight + 22 * HOUR, midnight + 23 * HOUR, "abc"[22 % 3])


def test_hourly_rotation_with_a_length_and_who_is_on_call(api: OnCalls) -> None:
    schedule = api.schedule(rotation(BASE + HOUR, "hourly", who=("alice", "bob", "carol"), length=3))
    assert api.on_call(schedule, BASE + 5 * HOUR) == ["bob"]  # turn 1: 04:00-07:00
    assert api.on_call(schedule, BASE + 7 * HOUR) == ["carol"]  # a turn beginning at `date` is on call
    assert api.on_call(schedule, BASE + 10 * HOUR) == ["alice"]
    assert api.on_call(schedule, BASE) == []  # before the start


@pytest.mark.parametrize("type", ["hourly", "daily", "weekly"])
def test_a_turn_longer_than_the_calendar_never_hands_over(api: OnCalls, type: str) -> None:
    schedule = api.schedule(rotation(BASE, type, length=2**31 - 1))  # int32's largest: ends after year 9999
    assert api.on_call(schedule, BASE + 400 * DAY) == ["alice"]
    assert api.periods(schedule, date=iso(BASE + DAY), interval=2, intervalUnit="days") == [
        (BASE + DAY, BASE + 3 * DAY, "alice")]


def test_a_time_of_day_window_across_midnight_hides_the_rotation_and_the_handover_clock_runs_on(api: OnCalls) -> None:
    schedule = api.schedule(rotation(BASE + 8 * HOUR, timeRestriction=time_of_day(22, 6)))
    assert api.on_call(schedule, BASE + 23 * HOUR) == ["alice"]
    assert api.on_call(schedule, BASE + DAY + 7 * HOUR) == []  # outside the window: a gap
    assert api.on_call(schedule, BASE + DAY + 23 * HOUR) == ["bob"]  # bob's turn began, hidden, at 08:00
    assert api.on_call(schedule, BASE + 2 * DAY + 5 * HOUR) == ["bob"]
    assert api.on_call(schedule, BASE + 23 * HOUR, "next-on-calls") == ["bob"]


def test_a_weekday_window_from_sunday_to_monday_crosses_the_end_of_the_week(api: OnCalls) -> None:
    window = {"startDay": "sunday", "startHour": 20, "startMin": 0, "endDay": "monday", "endHour": 8, "endMin": 0}
    restriction = {"type": "weekday-and-time-of-day", "restrictions": [window]}
    schedule = api.schedule(rotation(BASE, "weekly", timeRestriction=restriction))
    assert api.periods(schedule, date=iso(BASE + DAY), interval=2, intervalUnit="weeks") == [
        (BASE, BASE + 8 * HOUR, "alice"),
        (BASE + 6 * DAY + 20 * HOUR, BASE + WEEK, "alice"),
        (BASE + WEEK, BASE + WEEK + 8 * HOUR, "bob"),
        (BASE + 13 * DAY + 20 * HOUR, BASE + 2 * WEEK, "bob"),
    ]


def test_restriction_hours_are_in_the_schedule_time_zone_across_dst(api: OnCalls) -> None:
    saturday = NEW_YORK_SPRING - DAY
    schedule = api.schedule(
        rotation(f"{YEAR}-01-01T09:00:00-05:00", who=("alice",), timeRestriction=time_of_day(9, 17)),
        timezone="America/New_York",
    )
    assert api.periods(schedule, date=f"{saturday}T12:00:00-05:00", interval=2, intervalUnit="days") == [
        (_utc(saturday, 14), _utc(saturday, 22), "alice"),  # 09:00-17:00 EST
        (_utc(NEW_YORK_SPRING, 13), _utc(NEW_YORK_SPRING, 21), "alice"),  # 09:00-17:00 EDT
    ]


def test_end_date_ends_the_rotation(api: OnCalls) -> None:
    schedule = api.schedule(rotation(BASE, endDate=iso(BASE + DAY + 12 * HOUR)))
    assert api.periods(schedule, date=iso(BASE), interval=1, intervalUnit="weeks") == [
        (BASE, BASE + DAY, "alice"),
        (BASE + DAY, BASE + DAY + 12 * HOUR, "bob"),
    ]
    assert api.on_call(schedule, BASE + 2 * DAY) == []
    assert api.on_call(schedule, BASE + 12 * HOUR, "next-on-calls") == ["bob"]
    assert api.on_call(schedule, BASE + DAY + HOUR, "next-on-calls") == []


def test_noone_is_an_empty_slot_and_a_participant_may_appear_twice(api: OnCalls) -> None:
    schedule = api.schedule(rotation(BASE, who=("alice", "alice", "noone", "bob")))
    assert api.periods(schedule, date=iso(BASE), interval=4, intervalUnit="days") == [
        (BASE, BASE + 2 * DAY, "alice"),  # two turns in a row: one period
        (BASE + 2 * DAY, BASE + 3 * DAY, "noone"),
        (BASE + 3 * DAY, BASE + 4 * DAY, "bob"),
    ]
    during_noone = api.ok(f"/schedules/{schedule['id']}/on-calls", date=iso(BASE + 2 * DAY + HOUR))
    assert during_noone == {"onCallParticipants": []}
    assert api.on_call(schedule, BASE + HOUR, "next-on-calls") == ["bob"]  # noone is nobody to call


def test_all_rotations_are_on_call_together(api: OnCalls) -> None:
    schedule = api.schedule(
        rotation(BASE, "weekly", who=("alice",), name="primary"),
        rotation(BASE, who=("bob", "carol"), name="business hours", timeRestriction=time_of_day(9, 17)),
    )
    assert api.on_call(schedule, BASE + 8 * HOUR) == ["alice"]
    assert api.on_call(schedule, BASE + 10 * HOUR) == ["alice", "bob"]
    assert api.on_call(schedule, BASE + DAY + 10 * HOUR) == ["alice", "carol"]
    body = api.ok(f"/schedules/{schedule['id']}/timeline", date=iso(BASE), intervalUnit="days")
    assert [(r["id"], r["name"], r["order"], r["deleted"]) for r in body["finalTimeline"]["rotations"]] == [
        (schedule["rotations"][0]["id"], "primary", 1, False),
        (schedule["rotations"][1]["id"], "business hours", 2, False),
    ]


def business_hours_schedule(api: OnCalls) -> dict[str, Any]:
    return api.schedule(
        rotation(BASE, "weekly", who=("alice",), name="primary"),
        rotation(BASE, who=("bob", "carol"), name="business hours", timeRestriction=time_of_day(9, 17)),
    )


def test_an_override_replaces_the_responder_of_the_rotation_it_names(api: OnCalls) -> None:
    schedule = business_hours_schedule(api)
    api.override(schedule, "dave", BASE + 12 * HOUR, BASE + DAY + 12 * HOUR, rotations=[1])
    assert api.on_call(schedule, BASE + 10 * HOUR) == ["alice", "bob"]
    assert api.on_call(schedule, BASE + 13 * HOUR) == ["alice", "dave"]
    assert api.on_call(schedule, BASE + 20 * HOUR) == ["alice"]  # business hours are over: nothing to replace
    assert api.on_call(schedule, BASE + DAY + 10 * HOUR) == ["alice", "dave"]
    assert api.on_call(schedule, BASE + DAY + 13 * HOUR) == ["alice", "carol"]
    assert api.on_call(schedule, BASE + 10 * HOUR, "next-on-calls") == ["dave"]
    params = {"date": iso(BASE), "interval": 2, "intervalUnit": "days", "expand": "base,override"}
    final = api.ok(f"/schedules/{schedule['id']}/timeline", **params)["finalTimeline"]["rotations"][1]["periods"]
    assert [(p["startDate"], p["endDate"], p["type"], p["responder"]["id"]) for p in final] == [
        (iso(BASE + 9 * HOUR), iso(BASE + 12 * HOUR), "base", "bob"),
        (iso(BASE + 12 * HOUR), iso(BASE + 17 * HOUR), "override", "dave"),
        (iso(BASE + DAY + 9 * HOUR), iso(BASE + DAY + 12 * HOUR), "override", "dave"),
        (iso(BASE + DAY + 12 * HOUR), iso(BASE + DAY + 17 * HOUR), "base", "carol"),
    ]
    assert api.periods(schedule, "overrideTimeline", 1, **params) == [
        (BASE + 12 * HOUR, BASE + 17 * HOUR, "dave"),
        (BASE + DAY + 9 * HOUR, BASE + DAY + 12 * HOUR, "dave"),
    ]
    assert api.periods(schedule, "baseTimeline", 1, **params) == [
        (BASE + 9 * HOUR, BASE + 17 * HOUR, "bob"),
        (BASE + DAY + 9 * HOUR, BASE + DAY + 17 * HOUR, "carol"),
    ]
    assert api.periods(schedule, "overrideTimeline", 0, **params) == []  # the primary rotation is not named
    assert api.periods(schedule, "finalTimeline", 0, **params) == [(BASE, BASE + 2 * DAY, "alice")]


def test_an_override_still_applies_after_an_edit_of_its_rotation(api: OnCalls) -> None:
    schedule = business_hours_schedule(api)
    api.override(schedule, "dave", BASE + 12 * HOUR, BASE + 17 * HOUR, rotations=[1])
    rotation_id = schedule["rotations"][1]["id"]
    edit = api.request(
        "PATCH", f"/schedules/{schedule['id']}/rotations/{rotation_id}", json={"participants": users("erin")}
    )
    assert edit.status_code == 200, edit.text
    assert edit.json()["id"] == rotation_id
    assert api.on_call(schedule, BASE + 10 * HOUR) == ["alice", "erin"]
    assert api.on_call(schedule, BASE + 13 * HOUR) == ["alice", "dave"]


def test_an_override_without_rotation_ids_replaces_every_rotation(api: OnCalls) -> None:
    schedule = business_hours_schedule(api)
    override = api.override(schedule, "dave", BASE + 8 * HOUR, BASE + 10 * HOUR)
    assert override["rotationIds"] is None
    assert api.on_call(schedule, BASE + 8 * HOUR) == ["dave"]
    assert api.on_call(schedule, BASE + 9 * HOUR) == ["dave"]  # both rotations: dave once
    assert api.on_call(schedule, BASE + 10 * HOUR) == ["alice", "bob"]


def test_an_override_to_noone_leaves_a_gap(api: OnCalls) -> None:
    schedule = api.schedule(rotation(BASE, who=("alice",)))
    api.override(schedule, "noone", BASE + 2 * HOUR, BASE + 4 * HOUR)
    assert api.on_call(schedule, BASE + 3 * HOUR) == []
    assert api.periods(schedule, date=iso(BASE), intervalUnit="days") == [
        (BASE, BASE + 2 * HOUR, "alice"),
        (BASE + 2 * HOUR, BASE + 4 * HOUR, "noone"),
        (BASE + 4 * HOUR, BASE + DAY, "alice"),
    ]


def test_user_ics_has_the_override_periods_of_a_user_only_an_override_names(api: OnCalls) -> None:
    schedule = api.schedule(rotation("2020-01-06T00:00:00Z", who=("alice",), name="all day"))
    assert api.get("/schedules/on-calls/zed.ics").status_code == 404
    now = dt.datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    api.override(schedule, "zed", now + DAY, now + DAY + 3 * HOUR)
    assert events(api.ok("/schedules/on-calls/zed.ics")) == [
        (now + DAY, now + DAY + 3 * HOUR, "user zed on call (all day)")
    ]
    alice = events(api.ok("/schedules/on-calls/alice.ics"))
    assert [(start, end) for start, end, _ in alice] == [(alice[0][0], now + DAY), (now + DAY + 3 * HOUR, alice[-1][1])]


# --- on-calls and next-on-calls: parameters ---


def test_on_calls_lists_participants_or_flat_user_ids(api: OnCalls) -> None:
    participants = [
        {"type": "team", "id": "team-9"},
        {"type": "user", "id": "alice"},
        {"type": "escalation", "id": "esc-1"},
    ]
    schedule = api.schedule(
        rotation(BASE, who=("team-9",), participants=participants[:1]),
        rotation(BASE, who=("alice",)),
        rotation(BASE, who=("esc-1",), participants=participants[2:]),
    )
    at = iso(BASE + HOUR)
    assert api.ok(f"/schedules/{schedule['id']}/on-calls", date=at) == {"onCallParticipants": participants}
    assert api.ok(f"/schedules/{schedule['id']}/on-calls", date=at, flat="false") == {
        "onCallParticipants": participants
    }
    assert api.ok(f"/schedules/{schedule['id']}/on-calls", date=at, flat="true") == {"onCallUsers": ["alice"]}


def test_next_on_calls_lists_participants_or_flat_user_ids(api: OnCalls) -> None:
    schedule = api.schedule(
        rotation(
            BASE,
            who=("alice", "team-9"),
            participants=[{"type": "user", "id": "alice"}, {"type": "team", "id": "team-9"}],
        ),
        rotation(BASE, who=("bob", "carol")),
    )
    at = iso(BASE + HOUR)
    expected = [{"id": "team-9", "type": "team"}, {"id": "carol", "type": "user"}]
    assert api.ok(f"/schedules/{schedule['id']}/next-on-calls", date=at) == {"nextOnCallParticipants": expected}
    assert api.ok(f"/schedules/{schedule['id']}/next-on-calls", date=at, flat="true") == {"nextOnCallUsers": ["carol"]}


@pytest.mark.parametrize("path", ["on-calls", "next-on-calls"])
def test_date_defaults_to_now_and_takes_any_offset(api: OnCalls, path: str) -> None:
    now = dt.datetime.now(UTC)
    # Handovers at the start of this hour of the day: the next one is about a day away.
    start = (now - 10 * DAY).replace(minute=0, second=0, microsecond=0)
    schedule = api.schedule(rotation(start, who=("alice", "bob")))
    key = "nextOnCallUsers" if path.startswith("next") else "onCallUsers"
    on_call_now = ("alice", "bob")[(now - start) // DAY % 2]
    following = {"alice": "bob", "bob": "alice"}[on_call_now]
    assert api.ok(f"/schedules/{schedule['id']}/{path}", flat="true")[key] == [
        on_call_now if path == "on-calls" else following
    ]
    # Two hours before the start, written with a +01:00 offset.
    before = (start - HOUR).strftime("%Y-%m-%dT%H:%M:%S+01:00")
    assert api.ok(f"/schedules/{schedule['id']}/{path}", flat="true", date=before)[key] == (
        [] if path == "on-calls" else ["alice"]
    )


@pytest.mark.parametrize("path", ["on-calls", "next-on-calls", "timeline"])
@pytest.mark.parametrize(
    "date",
    ["tomorrow", f"{YEAR}-01-05T10:00:00", f"{YEAR}-13-01T00:00:00Z", "0999-12-31T00:00:00Z", "9500-01-01T00:00:00Z"],
)
def test_a_date_that_is_not_a_date_time_with_offset_is_422(api: OnCalls, path: str, date: str) -> None:
    schedule = api.schedule(rotation(BASE))
    response = api.get(f"/schedules/{schedule['id']}/{path}", date=date)
    assert response.status_code == 422
    assert response.json()["errors"][0]["title"].startswith("date")


@pytest.mark.parametrize("path", ["on-calls", "next-on-calls"])
def test_flat_that_is_not_a_boolean_is_422(api: OnCalls, path: str) -> None:
    schedule = api.schedule(rotation(BASE))
    response = api.get(f"/schedules/{schedule['id']}/{path}", flat="maybe")
    assert response.status_code == 422
    assert "flat" in response.json()["errors"][0]["title"]


# --- timeline: parameters ---


def test_timeline_defaults_to_this_week_of_the_final_layer(api: OnCalls) -> None:
    schedule = api.schedule(rotation("2020-01-06T00:00:00Z", "weekly", who=("alice",)), timezone="Asia/Tokyo")
    body = api.ok(f"/schedules/{schedule['id']}/timeline")
    today_in_tokyo = (dt.datetime.now(UTC) + 9 * HOUR).date()
    monday = today_in_tokyo - dt.timedelta(days=today_in_tokyo.weekday())
    start = _utc(monday) - 9 * HOUR
    assert (body["startDate"], body["endDate"]) == (iso(start), iso(start + WEEK))
    assert set(body) == {"startDate", "endDate", "finalTimeline", "_expands"}
    assert sorted(body["_expands"]) == ["base", "forwarding", "override"]
    assert body["finalTimeline"]["rotations"][0]["periods"] == [
        {
            "startDate": iso(start),
            "endDate": iso(start + WEEK),
            "type": "base",
            "responder": {"type": "user", "id": "alice"},
        }
    ]


def _tokyo_midnight(day: dt.date) -> dt.datetime:
    return _utc(day) - 9 * HOUR


NEW_YEAR = dt.date(YEAR, 1, 1)


@pytest.mark.parametrize(
    ("interval", "unit", "start", "end"),
    [
        (1, "days", NEW_YEAR, NEW_YEAR + DAY),
        (3, "days", NEW_YEAR, NEW_YEAR + 3 * DAY),
        (1, "weeks", NEW_YEAR - NEW_YEAR.weekday() * DAY, NEW_YEAR - NEW_YEAR.weekday() * DAY + WEEK),
        (2, "months", NEW_YEAR, dt.date(YEAR, 3, 1)),
    ],
)
def test_timeline_range_begins_at_the_start_of_the_unit_in_the_schedule_time_zone(
    api: OnCalls, interval: int, unit: str, start: dt.date, end: dt.date
) -> None:
    # 05:00 on 1 January in Tokyo (UTC+9) is still 31 December in UTC: the local day, week
    # (from Monday) and month count.
    schedule = api.schedule(rotation("2020-01-06T00:00:00Z", who=("alice",)), timezone="Asia/Tokyo")
    body = api.ok(
        f"/schedules/{schedule['id']}/timeline", date=f"{NEW_YEAR}T05:00:00+09:00", interval=interval, intervalUnit=unit
    )
    assert (body["startDate"], body["endDate"]) == (iso(_tokyo_midnight(start)), iso(_tokyo_midnight(end)))


@pytest.mark.parametrize(
    "expand", [["base"], ["override"], ["forwarding"], ["base,override"], ["base", "forwarding", "override"]]
)
def test_timeline_expand_adds_the_base_override_and_forwarding_layers(api: OnCalls, expand: list[str]) -> None:
    schedule = api.schedule(rotation(BASE, who=("alice",), name="only"))
    body = api.ok(f"/schedules/{schedule['id']}/timeline", date=iso(BASE), intervalUnit="days", expand=expand)
    wanted = {name for value in expand for name in value.split(",")}
    layers = {"base": "baseTimeline", "override": "overrideTimeline", "forwarding": "forwardingTimeline"}
    assert set(body) == {"startDate", "endDate", "finalTimeline", "_expands"} | {layers[name] for name in wanted}
    alice_all_day = [
        {
            "startDate": iso(BASE),
            "endDate": iso(BASE + DAY),
            "type": "base",
            "responder": {"type": "user", "id": "alice"},
        }
    ]
    assert body["finalTimeline"]["rotations"][0]["periods"] == alice_all_day
    if "base" in wanted:
        assert body["baseTimeline"]["rotations"][0]["periods"] == alice_all_day
    for layer in ("overrideTimeline", "forwardingTimeline"):  # no overrides; forwarding is never computed
        if layer in body:
            assert body[layer]["rotations"] == [
                {"id": schedule["rotations"][0]["id"], "name": "only", "order": 1, "deleted": False, "periods": []}
            ]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"intervalUnit": "years"}, "intervalUnit"),
        ({"interval": 0}, "interval"),
        ({"interval": "two"}, "interval"),
        ({"interval": 2**31}, "interval"),  # int32
        ({"interval": 2**31 - 1, "intervalUnit": "days"}, "interval"),  # beyond any date
        ({"interval": 2**31 - 1, "intervalUnit": "months"}, "interval"),
        ({"expand": "history"}, "expand"),
    ],
)
def test_timeline_rejects_bad_parameters_with_422(api: OnCalls, params: dict[str, Any], field: str) -> None:
    schedule = api.schedule(rotation(BASE))
    response = api.get(f"/schedules/{schedule['id']}/timeline", **params)
    assert response.status_code == 422, response.text
    assert field in response.json()["errors"][0]["title"]


def test_timeline_is_computed_from_one_year_back_to_two_years_ahead(api: OnCalls) -> None:
    schedule = api.schedule(rotation("2020-01-06T00:00:00Z"))
    now = dt.datetime.now(UTC)
    too_early = api.get(f"/schedules/{schedule['id']}/timeline", date=iso(now - 400 * DAY), intervalUnit="days")
    assert too_early.status_code == 422 and too_early.json()["errors"][0]["title"].startswith("date")
    too_long = api.get(f"/schedules/{schedule['id']}/timeline", date=iso(now), interval=25, intervalUnit="months")
    assert too_long.status_code == 422 and too_long.json()["errors"][0]["title"].startswith("interval")
    assert (
        api.get(
            f"/schedules/{schedule['id']}/timeline", date=iso(now - 300 * DAY), interval=12, intervalUnit="months"
        ).status_code
        == 200
    )


# --- iCalendar exports ---


def events(response: requests.Response) -> list[tuple[dt.datetime, dt.datetime, str]]:
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    return [
        (event.decoded("dtstart"), event.decoded("dtend"), str(event["summary"])) for event in calendar.walk("VEVENT")
    ]


def test_schedule_ics_exports_a_year_of_the_final_layer_from_the_beginning_of_this_month(api: OnCalls) -> None:
    schedule = api.schedule(
        rotation("2020-01-06T00:00:00Z", "weekly", who=("alice",), name="week"),
        timezone="Europe/Berlin",
        name="Berlin export",
    )
    response = api.ok(f"/schedules/{schedule['id']}.ics")
    assert icalendar.Calendar.from_ical(response.content)["X-WR-CALNAME"] == "Berlin export"
    month_start = dt.datetime.now(ZoneInfo("Europe/Berlin")).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    year_later = month_start.replace(year=month_start.year + 1)
    # alice's weekly turns follow each other: one period, one event.
    assert events(response) == [(month_start, year_later, "user alice on call (week)")]


def test_schedule_ics_leaves_out_noone_periods(api: OnCalls) -> None:
    schedule = api.schedule(rotation("2020-01-06T00:00:00Z", who=("alice", "noone")))
    found = events(api.ok(f"/schedules/{schedule['id']}.ics"))
    assert found and all("alice" in summary for _, _, summary in found)
    assert all(end - start == DAY for start, end, _ in found)


def test_user_ics_exports_the_user_periods_of_every_schedule(api: OnCalls) -> None:
    first = api.schedule(rotation("2020-01-06T00:00:00Z", who=("alice", "bob"), name="first"))
    api.schedule(rotation("2020-01-06T00:00:00Z", "weekly", who=("carol", "alice"), name="second"))
    found = events(api.ok("/schedules/on-calls/alice.ics"))
    assert {summary for _, _, summary in found} == {"user alice on call (first)", "user alice on call (second)"}
    daily = [(start, end) for start, end, summary in found if summary.endswith("(first)")]
    assert all(end - start == DAY for start, end in daily)
    assert all(later[0] - earlier[0] == 2 * DAY for earlier, later in itertools.pairwise(daily))  # every other day
    assert first["id"]  # the schedule id names the events' uids
    assert all(
        first["id"] in str(event["uid"])
        for event in icalendar.Calendar.from_ical(api.ok("/schedules/on-calls/bob.ics").content).walk("VEVENT")
    )


def test_user_ics_is_404_for_a_user_no_schedule_names(api: OnCalls) -> None:
    api.schedule(rotation(BASE))
    response = api.get("/schedules/on-calls/zoe.ics")
    assert response.status_code == 404
    assert response.json()["errors"][0]["title"].startswith("userIdentifier")


def test_user_ics_of_another_user_needs_an_admin(emulator: Any, api: OnCalls) -> None:
    api.schedule(rotation(BASE, who=("alice", emulator.viewer_auth[0])))
    viewer = OnCalls(emulator, emulator.viewer_auth)
    forbidden = viewer.get("/schedules/on-calls/alice.ics")
    assert forbidden.status_code == 403
    assert forbidden.json()["errors"][0]["title"].startswith("userIdentifier")
    own = viewer.get(f"/schedules/on-calls/{emulator.viewer_auth[0]}.ics")
    assert own.status_code == 200 and events(own)


# --- access and unknown schedules ---

SCHEDULE_PATHS = [
    "/schedules/{id}/on-calls",
    "/schedules/{id}/next-on-calls",
    "/schedules/{id}/timeline",
    "/schedules/{id}.ics",
]


@pytest.mark.parametrize("path", [*SCHEDULE_PATHS, "/schedules/on-calls/alice.ics"])
def test_without_valid_credentials_every_route_is_401(emulator: Any, api: OnCalls, path: str) -> None:
    schedule = api.schedule(rotation(BASE))
    for auth in (None, ("admin@example.com", "wrong-token")):
        response = OnCalls(emulator, auth).get(path.format(id=schedule["id"]))
        assert response.status_code == 401


@pytest.mark.parametrize("path", SCHEDULE_PATHS)
def test_an_unknown_schedule_is_404(api: OnCalls, path: str) -> None:
    response = api.get(path.format(id="00000000-0000-4000-8000-000000000000"))
    assert response.status_code == 404
    assert response.json()["errors"]


@pytest.mark.parametrize("path", [*SCHEDULE_PATHS, "/schedules/on-calls/alice.ics"])
def test_an_unknown_cloud_is_404(emulator: Any, api: OnCalls, path: str) -> None:
    schedule = api.schedule(rotation(BASE))
    url = emulator.api_url.replace(f"/{emulator.cloud_id}/", "/no-such-cloud/") + path.format(id=schedule["id"])
    response = emulator.http.get(url, auth=emulator.admin_auth, timeout=30)
    assert response.status_code == 404


@pytest.mark.parametrize("path", SCHEDULE_PATHS)
def test_the_viewer_may_read_every_schedule_route(emulator: Any, api: OnCalls, path: str) -> None:
    schedule = api.schedule(rotation(BASE))
    assert OnCalls(emulator, emulator.viewer_auth).get(path.format(id=schedule["id"])).status_code == 200


def test_export_paths_are_not_taken_for_schedule_ids(api: OnCalls) -> None:
    schedule = api.schedule(rotation(BASE, who=("on-calls",)))
    assert api.get(f"/schedules/{schedule['id']}").json()["id"] == schedule["id"]
    assert api.get(f"/schedules/{schedule['id']}.ics").headers["content-type"].startswith("text/calendar")
    assert api.get("/schedules/on-calls/on-calls.ics").headers["content-type"].startswith("text/calendar")


def test_an_override_counts_only_within_its_window_and_on_its_rotations_everywhere(api: OnCalls) -> None:
    """on-calls, next-on-calls, the timeline and both .ics exports agree: zed covers the secondary
    rotation for three hours tomorrow, and nothing else."""
    schedule = api.schedule(
        rotation("2020-01-06T00:00:00Z", "weekly", who=("alice",), name="primary"),
        rotation("2020-01-06T00:00:00Z", "weekly", who=("bob",), name="secondary"),
    )
    now = dt.datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    start, end = now + DAY, now + DAY + 3 * HOUR
    api.override(schedule, "zed", start, end, rotations=[1])

    assert [api.on_call(schedule, at) for at in (start - HOUR, start, end - HOUR, end)] == [
        ["alice", "bob"], ["alice", "zed"], ["alice", "zed"], ["alice", "bob"],
    ]  # fmt: skip
    # Alone in their rotations, alice and bob are on call in one unbroken period: no next turn (R14).
    assert api.on_call(schedule, start - HOUR, "next-on-calls") == ["zed"]
    assert api.on_call(schedule, end, "next-on-calls") == []  # once it is over, nobody takes over
    params = {"date": iso(now), "interval": 3, "intervalUnit": "days", "expand": "override"}
    assert api.periods(schedule, "overrideTimeline", 0, **params) == []
    assert api.periods(schedule, "overrideTimeline", 1, **params) == [(start, end, "zed")]
    exported = events(api.ok(f"/schedules/{schedule['id']}.ics"))
    assert [(s, e) for s, e, summary in exported if "zed" in summary] == [(start, end)]
    assert [summary for _, _, summary in exported if "zed" in summary] == ["user zed on call (secondary)"]
    assert len([summary for _, _, summary in exported if "alice" in summary]) == 1  # primary is untouched
    bob = [(s, e) for s, e, summary in exported if "bob" in summary]
    assert [e for _, e in bob][0] == start and [s for s, _ in bob][1] == end  # cut out for exactly the window
    assert events(api.ok("/schedules/on-calls/zed.ics")) == [(start, end, "user zed on call (secondary)")]
