"""The on-call engine (pulumi_jsmops.oncall) on hand-worked examples.

Each example is a scenario of the service's documentation, worked out by hand from the
rules the module's docstring cites; the source is named on each test.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from pulumi_jsmops.api.models import Schedule, parse_user_schedule
from pulumi_jsmops.oncall.engine import OverrideWindow, Responder, start_date_keeping_turns, timeline, turn_at

BUSINESS_AND_OFF_HOURS = "https://support.atlassian.com/opsgenie/docs/create-an-on-call-schedule-with-business-and-off-hours/"
WEEKDAY_WEEKEND = "https://docs.opsgenie.com/v1.0/docs/on-call-schedule-with-different-weekday-and-weekend-rotations"
ROTATIONS = "https://support.atlassian.com/opsgenie/docs/manage-on-call-schedules-and-rotations/"
OVERRIDES = "https://support.skcc.com/en/support/solutions/articles/42000061433-setting-opsgenie-on-call-schedules"

UTC = timezone.utc


def user(name: str) -> dict[str, str]:
    return {"type": "user", "id": name}


def who(*names: str) -> frozenset[Responder]:
    return frozenset(Responder("team" if n.endswith("team") else "user", n) for n in names)


def schedule(tz: str, *rotations: dict[str, Any]) -> Schedule:
    return parse_user_schedule({"name": "example", "team_id": "team", "timezone": tz, "rotations": list(rotations)})


def local(tz: str, text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(tz))


def weekday_window(start_day: str, start: int, end_day: str, end: int) -> dict[str, Any]:
    return {"start_day": start_day, "start_hour": start, "start_min": 0,
            "end_day": end_day, "end_hour": end, "end_min": 0}


def spans(tl: Any, tz: str) -> list[tuple[str, str, list[str]]]:
    """The final layer as (local start, local end, sorted ids), for readable assertions."""
    zone = ZoneInfo(tz)
    return [(s.start.astimezone(zone).strftime("%a %d %H:%M"), s.end.astimezone(zone).strftime("%a %d %H:%M"),
             sorted(r.id for r in s.responders)) for s in tl.final]


def test_business_and_off_hours_cover_the_week_without_gaps() -> None:
    """Source: BUSINESS_AND_OFF_HOURS. The team in office hours (weekdays 09:00-18:00); three
    people rotate daily for the evenings and weekends (windows crossing midnight, one
    crossing into Monday). Worked by hand: the off-hours shifts hand over at 18:00 every day."""
    tz = "Europe/London"
    office = {"name": "business hours", "type": "weekly", "start_date": "2026-01-05T09:00:00Z",
              "participants": [{"type": "team", "id": "platform-team"}],
              "time_restriction": {"type": "weekday-and-time-of-day", "restrictions": [
                  weekday_window(d, 9, d, 18) for d in ("monday", "tuesday", "wednesday", "thursday", "friday")]}}
    nights = [weekday_window(a, 18, b, 9) for a, b in
              (("monday", "tuesday"), ("tuesday", "wednesday"), ("wednesday", "thursday"), ("thursday", "friday"))]
    off = {"name": "off hours", "type": "daily", "start_date": "2026-01-05T18:00:00Z",
           "participants": [user("rebecca"), user("george"), user("sarah")],
           "time_restriction": {"type": "weekday-and-time-of-day",
                                "restrictions": [*nights, weekday_window("friday", 18, "monday", 9)]}}
    tl = timeline(schedule(tz, office, off), local(tz, "2026-01-05T09:00"), local(tz, "2026-01-12T09:00"))
    assert tl.gaps == ()
    assert spans(tl, tz) == [
        ("Mon 05 09:00", "Mon 05 18:00", ["platform-team"]),
        ("Mon 05 18:00", "Tue 06 09:00", ["rebecca"]),
        ("Tue 06 09:00", "Tue 06 18:00", ["platform-team"]),
        ("Tue 06 18:00", "Wed 07 09:00", ["george"]),
        ("Wed 07 09:00", "Wed 07 18:00", ["platform-team"]),
        ("Wed 07 18:00", "Thu 08 09:00", ["sarah"]),
        ("Thu 08 09:00", "Thu 08 18:00", ["platform-team"]),
        ("Thu 08 18:00", "Fri 09 09:00", ["rebecca"]),
        ("Fri 09 09:00", "Fri 09 18:00", ["platform-team"]),
        ("Fri 09 18:00", "Sat 10 18:00", ["george"]),
        ("Sat 10 18:00", "Sun 11 18:00", ["sarah"]),
        ("Sun 11 18:00", "Mon 12 09:00", ["rebecca"]),
    ]
    assert tl.hours() == {Responder("team", "platform-team"): 45.0, Responder("user", "george"): 39.0,
                          Responder("user", "rebecca"): 45.0, Responder("user", "sarah"): 39.0}


def test_weekend_rotation_across_the_end_of_the_week_keeps_counting_turns() -> None:
    """Source: WEEKDAY_WEEKEND. Weekdays: three people rotate daily at 08:00 (Mon 08:00 to
    Fri 17:00); weekends: two people rotate daily from Friday 17:00 to Monday 08:00 (a window
    across the end of the week). The restriction hides the weekend rotation during the week
    but its handover clock keeps running: seven daily turns later the second weekend
    starts with the other person (7 is odd)."""
    tz = "America/Chicago"
    week = {"name": "weekdays", "type": "daily", "start_date": "2026-01-05T08:00:00-06:00",
            "participants": [user("elizabeth"), user("darren"), user("ibrahim")],
            "time_restriction": {"type": "weekday-and-time-of-day",
                                 "restrictions": [weekday_window("monday", 8, "friday", 17)]}}
    weekend = {"name": "weekends", "type": "daily", "start_date": "2026-01-09T17:00:00-06:00",
               "participants": [user("elizabeth"), user("darren")],
               "time_restriction": {"type": "weekday-and-time-of-day",
                                    "restrictions": [weekday_window("friday", 17, "monday", 8)]}}
    tl = timeline(schedule(tz, week, weekend), local(tz, "2026-01-05T08:00"), local(tz, "2026-01-19T08:00"))
    assert tl.gaps == ()
    assert spans(tl, tz) == [
        ("Mon 05 08:00", "Tue 06 08:00", ["elizabeth"]),
        ("Tue 06 08:00", "Wed 07 08:00", ["darren"]),
        ("Wed 07 08:00", "Thu 08 08:00", ["ibrahim"]),
        ("Thu 08 08:00", "Fri 09 08:00", ["elizabeth"]),
        ("Fri 09 08:00", "Fri 09 17:00", ["darren"]),
        ("Fri 09 17:00", "Sat 10 17:00", ["elizabeth"]),
        ("Sat 10 17:00", "Sun 11 17:00", ["darren"]),
        ("Sun 11 17:00", "Mon 12 08:00", ["elizabeth"]),
        ("Mon 12 08:00", "Tue 13 08:00", ["darren"]),   # turn 7 of three: the second
        ("Tue 13 08:00", "Wed 14 08:00", ["ibrahim"]),
        ("Wed 14 08:00", "Thu 15 08:00", ["elizabeth"]),
        ("Thu 15 08:00", "Fri 16 08:00", ["darren"]),
        ("Fri 16 08:00", "Fri 16 17:00", ["ibrahim"]),
        ("Fri 16 17:00", "Sat 17 17:00", ["darren"]),    # turn 7 of two: the second
        ("Sat 17 17:00", "Sun 18 17:00", ["elizabeth"]),
        ("Sun 18 17:00", "Mon 19 08:00", ["darren"]),
    ]


def test_weekly_handover_keeps_its_local_time_across_daylight_saving() -> None:
    """Source: ROTATIONS (the start time is the handover time), in the schedule's zone: the
    handover stays at 09:00 in Berlin when the clocks go forward (29 March 2026), so that
    week is one hour shorter in absolute time."""
    tz = "Europe/Berlin"
    weekly = {"name": "primary", "type": "weekly", "start_date": "2026-03-23T09:00:00+01:00",
              "participants": [user("alice"), user("bob")]}
    tl = timeline(schedule(tz, weekly), local(tz, "2026-03-23T09:00"), local(tz, "2026-04-06T09:00"))
    handovers = [h.at for h in tl.handovers()]
    assert handovers == [datetime(2026, 3, 30, 7, 0, tzinfo=UTC)]  # 09:00 CEST
    assert tl.hours() == {Responder("user", "alice"): 167.0, Responder("user", "bob"): 168.0}


def test_hourly_shifts_are_absolute_across_daylight_saving() -> None:
    """Hourly shifts are counted in absolute hours: 12-hour shifts from 08:00 New York stay
    12 hours long over the night the clocks fall back (1 November 2026), so their local
    handover time moves from 08:00/20:00 to 07:00/19:00."""
    tz = "America/New_York"
    shifts = {"name": "shifts", "type": "hourly", "length": 12, "start_date": "2026-10-31T08:00:00-04:00",
              "participants": [user("heidi"), user("ivan")]}
    tl = timeline(schedule(tz, shifts), local(tz, "2026-10-31T08:00"), local(tz, "2026-11-02T07:00"))
    assert spans(tl, tz) == [
        ("Sat 31 08:00", "Sat 31 20:00", ["heidi"]),
        ("Sat 31 20:00", "Sun 01 07:00", ["ivan"]),
        ("Sun 01 07:00", "Sun 01 19:00", ["heidi"]),
        ("Sun 01 19:00", "Mon 02 07:00", ["ivan"]),
    ]


def test_noone_slot_and_duplicates_take_their_turns() -> None:
    """Source: ROTATIONS. Participants take turns in order; one may appear twice, and a
    `noone` slot is a turn with nobody on call: a gap."""
    tz = "UTC"
    daily = {"name": "d", "type": "daily", "start_date": "2026-01-05T00:00:00Z",
             "participants": [user("alice"), user("bob"), user("alice"), {"type": "noone"}]}
    tl = timeline(schedule(tz, daily), local(tz, "2026-01-05T00:00"), local(tz, "2026-01-10T00:00"))
    assert [(p.start.day, p.responder.id if p.responder else None) for p in tl.rotations[0].periods] == [
        (5, "alice"), (6, "bob"), (7, "alice"), (8, None), (9, "alice")]
    assert [(g.start.day, g.end.day) for g in tl.gaps] == [(8, 9)]


def test_time_of_day_window_across_midnight_and_the_end_date() -> None:
    """Source: BUSINESS_AND_OFF_HOURS (a night window 18:00-09:00) and ROTATIONS (the end
    date ends the rotation). A 22:00-06:00 window crosses midnight; the rotation ends on
    Wednesday 02:00, in the middle of a window."""
    tz = "Asia/Tokyo"
    night = {"name": "night", "type": "daily", "start_date": "2026-01-05T22:00:00+09:00",
             "end_date": "2026-01-07T02:00:00+09:00", "participants": [user("heidi"), user("ivan")],
             "time_restriction": {"type": "time-of-day",
                                  "restriction": {"start_hour": 22, "start_min": 0, "end_hour": 6, "end_min": 0}}}
    tl = timeline(schedule(tz, night), local(tz, "2026-01-05T00:00"), local(tz, "2026-01-08T00:00"))
    assert [s for s in spans(tl, tz) if s[2]] == [
        ("Mon 05 22:00", "Tue 06 06:00", ["heidi"]),
        ("Tue 06 22:00", "Wed 07 02:00", ["ivan"]),
    ]


def test_restriction_hides_without_moving_the_handover() -> None:
    """Source: ROTATIONS. A daily rotation handing over at 08:00 but restricted to
    10:00-16:00 shows each day's holder only in the window; turns do not shift."""
    tz = "UTC"
    rotation = {"name": "r", "type": "daily", "start_date": "2026-01-05T08:00:00Z",
                "participants": [user("a"), user("b"), user("c")],
                "time_restriction": {"type": "time-of-day",
                                     "restriction": {"start_hour": 10, "start_min": 0, "end_hour": 16, "end_min": 30}}}
    tl = timeline(schedule(tz, rotation), local(tz, "2026-01-05T00:00"), local(tz, "2026-01-08T00:00"))
    assert [s for s in spans(tl, tz) if s[2]] == [
        ("Mon 05 10:00", "Mon 05 16:30", ["a"]), ("Tue 06 10:00", "Tue 06 16:30", ["b"]),
        ("Wed 07 10:00", "Wed 07 16:30", ["c"])]


def test_overrides_replace_the_named_rotation_or_all() -> None:
    """Source: OVERRIDES (an override takes precedence over the rotations; when one is
    chosen, only over that one). Two 24x7 rotations; one override names the first, the
    other names none."""
    tz = "UTC"
    first = {"name": "first", "type": "weekly", "start_date": "2026-01-05T00:00:00Z", "participants": [user("alice")]}
    second = {"name": "second", "type": "weekly", "start_date": "2026-01-05T00:00:00Z", "participants": [user("bob")]}
    data = schedule(tz, first, second)
    data = data.model_copy(update={"rotations": [r.model_copy(update={"id": f"id-{r.name}"}) for r in data.rotations]})
    overrides = [
        OverrideWindow.from_api({"responder": {"type": "user", "id": "carol"}, "startDate": "2026-01-06T00:00:00Z",
                           "endDate": "2026-01-07T00:00:00Z", "rotationIds": ["id-first"]}),
        OverrideWindow.from_api({"responder": {"type": "user", "id": "dave"}, "startDate": "2026-01-08T00:00:00Z",
                           "endDate": "2026-01-08T12:00:00Z", "rotationIds": None}),
    ]
    tl = timeline(data, local(tz, "2026-01-05T00:00"), local(tz, "2026-01-09T00:00"), overrides)
    assert spans(tl, tz) == [
        ("Mon 05 00:00", "Tue 06 00:00", ["alice", "bob"]),
        ("Tue 06 00:00", "Wed 07 00:00", ["bob", "carol"]),
        ("Wed 07 00:00", "Thu 08 00:00", ["alice", "bob"]),
        ("Thu 08 00:00", "Thu 08 12:00", ["dave"]),
        ("Thu 08 12:00", "Fri 09 00:00", ["alice", "bob"]),
    ]
    assert [p.overridden for p in tl.rotations[0].periods] == [False, True, False, True, False]


def test_override_by_nobody_opens_a_gap() -> None:
    tz = "UTC"
    data = schedule(tz, {"name": "r", "type": "daily", "start_date": "2026-01-05T00:00:00Z",
                         "participants": [user("alice")]})
    gap = OverrideWindow.from_api({"responder": {"type": "noone"}, "startDate": "2026-01-05T06:00:00Z",
                             "endDate": "2026-01-05T07:00:00Z"})
    tl = timeline(data, local(tz, "2026-01-05T00:00"), local(tz, "2026-01-06T00:00"), [gap])
    assert [(g.start.hour, g.end.hour) for g in tl.gaps] == [(6, 7)]


def test_start_date_keeping_turns_after_adding_a_participant() -> None:
    """Adding dave after alice would hand the current week to bob; the proposed start date
    keeps carol (on call now) until her week ends at the usual 09:00 handover."""
    tz = "Europe/Berlin"
    zone = ZoneInfo(tz)

    def rotation(*names: str) -> Any:
        return schedule(tz, {"name": "p", "type": "weekly", "start_date": "2026-01-05T09:00:00+01:00",
                             "participants": [user(n) for n in names]}).rotations[0]

    before, after = rotation("alice", "bob", "carol"), rotation("alice", "dave", "bob", "carol")
    now = local(tz, "2026-01-21T12:00")  # the third week (from Mon 19 09:00): carol's
    turn = turn_at(before, zone, now)
    assert turn is not None and turn.participant.id == "carol" and turn.start == local(tz, "2026-01-19T09:00")
    moved = turn_at(after, zone, now)
    assert moved is not None and moved.participant.id == "bob"
    proposal = start_date_keeping_turns(before, after, zone, now)
    assert proposal == local(tz, "2025-12-29T09:00")  # carol is 4th of 4: three weeks before her shift
    kept = turn_at(after.model_copy(update={"start_date": proposal}), zone, now)
    assert kept is not None and kept.participant.id == "carol" and kept.end == local(tz, "2026-01-26T09:00")


def test_start_date_keeping_turns_when_the_holder_left() -> None:
    tz = "UTC"
    zone = ZoneInfo(tz)
    before = schedule(tz, {"name": "p", "type": "daily", "start_date": "2026-01-05T00:00:00Z",
                           "participants": [user("alice"), user("bob")]}).rotations[0]
    after = before.model_copy(update={"participants": before.participants[:1]})
    assert start_date_keeping_turns(before, after, zone, local(tz, "2026-01-06T12:00")) is None


def test_window_must_be_aware_and_ordered() -> None:
    data = schedule("UTC")
    with pytest.raises(ValueError, match="time zone"):
        timeline(data, datetime(2026, 1, 1), datetime(2026, 1, 2))
    with pytest.raises(ValueError, match="after its start"):
        timeline(data, datetime(2026, 1, 2, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC))
    empty = timeline(data, datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=1))
    assert len(empty.gaps) == 1 and empty.on_call_at(datetime(2026, 1, 1, 5, tzinfo=UTC)) == frozenset()


def test_of_overlapping_overrides_the_later_starting_wins() -> None:
    """A choice where the sources are silent (the module docstring): a short override inside
    a long one shows, whichever was made first."""
    tz = "UTC"
    data = schedule(tz, {"name": "r", "type": "daily", "start_date": "2026-01-05T00:00:00Z",
                         "participants": [user("alice")]})
    short = OverrideWindow.from_api({"responder": {"type": "user", "id": "erin"}, "startDate": "2026-01-05T10:00:00Z",
                               "endDate": "2026-01-05T12:00:00Z"})
    long = OverrideWindow.from_api({"responder": {"type": "user", "id": "dave"}, "startDate": "2026-01-05T08:00:00Z",
                              "endDate": "2026-01-05T18:00:00Z"})
    tl = timeline(data, local(tz, "2026-01-05T00:00"), local(tz, "2026-01-06T00:00"), [short, long])
    assert spans(tl, tz) == [("Mon 05 00:00", "Mon 05 08:00", ["alice"]), ("Mon 05 08:00", "Mon 05 10:00", ["dave"]),
                             ("Mon 05 10:00", "Mon 05 12:00", ["erin"]), ("Mon 05 12:00", "Mon 05 18:00", ["dave"]),
                             ("Mon 05 18:00", "Tue 06 00:00", ["alice"])]


def test_a_declared_override_applies_to_its_rotations_by_name() -> None:
    """A program names an override's rotations (`rotation_names`): it applies to those, also to
    one without an id yet (a rotation about to be created); with neither ids nor names, to all."""
    tz = "UTC"
    first = {"name": "first", "type": "weekly", "start_date": "2026-01-05T00:00:00Z", "participants": [user("alice")]}
    second = {"name": "second", "type": "weekly", "start_date": "2026-01-05T00:00:00Z", "participants": [user("bob")]}
    data = schedule(tz, first, second)
    start, end = local(tz, "2026-01-06T00:00"), local(tz, "2026-01-07T00:00")
    by_name = OverrideWindow(start, end, Responder("user", "carol"), rotation_names=frozenset({"second"}))
    assert spans(timeline(data, start, end, [by_name]), tz) == [("Tue 06 00:00", "Wed 07 00:00", ["alice", "carol"])]
    everyone = OverrideWindow(start, end, Responder("user", "carol"))
    assert spans(timeline(data, start, end, [everyone]), tz) == [("Tue 06 00:00", "Wed 07 00:00", ["carol"])]
