"""The on-call computation of the emulator, on hand-worked examples (see jsmops_emulator/oncall/RULES.md).

Times in the expectations are UTC; the comments give the local wall-clock times they come from.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from jsmops_emulator.oncall.models import (
    Responder,
    compute_timeline,
    next_on_call,
    parse_instant,
    timeline_range,
)


def at(text: str) -> dt.datetime:
    return parse_instant(text if "+" in text or text.endswith("Z") else text + "Z")


def participants(*names: str) -> list[dict[str, Any]]:
    return [{"type": "noone"} if name == "noone" else {"type": "user", "id": name} for name in names]


def rotation(
    rid: str = "r1",
    *,
    start: str,
    type: str = "daily",
    length: int = 1,
    who: tuple[str, ...] = ("alice", "bob"),
    end: str | None = None,
    restriction: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "id": rid,
        "name": f"rotation {rid}",
        "startDate": start,
        "endDate": end,
        "type": type,
        "length": length,
        "participants": participants(*who),
        "timeRestriction": restriction,
    }


def time_of_day(start: str, end: str) -> dict[str, Any]:
    (sh, sm), (eh, em) = (map(int, start.split(":")), map(int, end.split(":")))
    return {"type": "time-of-day", "restriction": {"startHour": sh, "startMin": sm, "endHour": eh, "endMin": em}}


def weekdays(*windows: tuple[str, str, str, str]) -> dict[str, Any]:
    restrictions = []
    for start_day, start, end_day, end in windows:
        (sh, sm), (eh, em) = (map(int, start.split(":")), map(int, end.split(":")))
        restrictions.append(
            {"startDay": start_day, "startHour": sh, "startMin": sm, "endDay": end_day, "endHour": eh, "endMin": em}
        )
    return {"type": "weekday-and-time-of-day", "restrictions": restrictions}


def schedule(tz: str, *rotations: dict[str, Any]) -> dict[str, Any]:
    return {"timezone": tz, "rotations": list(rotations)}


def override(who: str, start: str, end: str, rotation_ids: list[str] | None = None) -> dict[str, Any]:
    responder = {"type": "noone"} if who == "noone" else {"type": "user", "id": who}
    return {
        "alias": f"o-{who}-{start}",
        "responder": responder,
        "startDate": start,
        "endDate": end,
        "rotationIds": rotation_ids,
    }


def periods(
    sched: dict[str, Any],
    start: str,
    end: str,
    overrides: list[dict[str, Any]] | None = None,
    layer: str = "final",
    index: int = 0,
) -> list[tuple[str, str, str]]:
    timeline = compute_timeline(sched, overrides or [], at(start), at(end))
    return [
        (f"{p.start:%m-%d %H:%M}", f"{p.end:%m-%d %H:%M}", p.responder.id or p.responder.type)
        for p in getattr(timeline.rotations[index], layer)
    ]


def coverage(
    sched: dict[str, Any], start: str, end: str, overrides: list[dict[str, Any]] | None = None
) -> list[tuple[str, str, str]]:
    timeline = compute_timeline(sched, overrides or [], at(start), at(end))
    return [
        (f"{c.start:%m-%d %H:%M}", f"{c.end:%m-%d %H:%M}", "+".join(r.id or r.type for r in c.responders) or "GAP")
        for c in timeline.coverage
    ]


# --- shifts and turns ---


def test_turns_are_counted_from_the_start_date_in_order() -> None:
    sched = schedule("UTC", rotation(start="2027-01-04T08:00:00Z", length=2, who=("alice", "bob", "carol")))
    assert periods(sched, "2027-01-01T00:00", "2027-01-13T00:00") == [
        ("01-04 08:00", "01-06 08:00", "alice"),
        ("01-06 08:00", "01-08 08:00", "bob"),
        ("01-08 08:00", "01-10 08:00", "carol"),
        ("01-10 08:00", "01-12 08:00", "alice"),
        ("01-12 08:00", "01-13 00:00", "bob"),  # clipped at the end of the range
    ]


def test_a_range_far_after_the_start_continues_the_count() -> None:
    # 100 weeks after the start: turn 100 of three participants is turn 1 (bob).
    sched = schedule("UTC", rotation(start="2027-01-04T00:00:00Z", type="weekly", who=("alice", "bob", "carol")))
    assert periods(sched, "2028-12-04T00:00", "2028-12-11T00:00") == [("12-04 00:00", "12-11 00:00", "bob")]


def test_duplicate_participants_take_each_of_their_turns_and_adjacent_ones_merge() -> None:
    sched = schedule("UTC", rotation(start="2027-01-04T00:00:00Z", who=("alice", "alice", "bob", "alice")))
    assert periods(sched, "2027-01-04T00:00", "2027-01-09T00:00") == [
        ("01-04 00:00", "01-06 00:00", "alice"),
        ("01-06 00:00", "01-07 00:00", "bob"),
        ("01-07 00:00", "01-09 00:00", "alice"),  # her 4th-slot turn and the next cycle's 1st
    ]


def test_noone_is_a_slot_with_nobody_and_a_gap_in_the_final_layer() -> None:
    sched = schedule("UTC", rotation(start="2027-01-04T00:00:00Z", who=("alice", "noone", "bob")))
    assert periods(sched, "2027-01-04T00:00", "2027-01-07T00:00") == [
        ("01-04 00:00", "01-05 00:00", "alice"),
        ("01-05 00:00", "01-06 00:00", "noone"),
        ("01-06 00:00", "01-07 00:00", "bob"),
    ]
    assert coverage(sched, "2027-01-04T00:00", "2027-01-07T00:00") == [
        ("01-04 00:00", "01-05 00:00", "alice"),
        ("01-05 00:00", "01-06 00:00", "GAP"),
        ("01-06 00:00", "01-07 00:00", "bob"),
    ]


def test_hourly_handovers_are_absolute_across_a_dst_change() -> None:
    # Berlin, 2027-03-28: 02:00 CET jumps to 03:00 CEST. Two-hour shifts from 00:00 CET (23:00Z)
    # hand over at 00:00 CET, 03:00 CEST, 05:00 CEST: every 2 real hours.
    sched = schedule("Europe/Berlin", rotation(start="2027-03-28T00:00:00+01:00", type="hourly", length=2))
    assert periods(sched, "2027-03-27T23:00", "2027-03-28T05:00") == [
        ("03-27 23:00", "03-28 01:00", "alice"),
        ("03-28 01:00", "03-28 03:00", "bob"),
        ("03-28 03:00", "03-28 05:00", "alice"),
    ]


def test_weekly_handovers_keep_local_time_when_berlin_springs_forward() -> None:
    # Monday 09:00 in Berlin: 08:00Z in winter (CET), 07:00Z after 2027-03-28 (CEST).
    sched = schedule("Europe/Berlin", rotation(start="2027-03-22T09:00:00+01:00", type="weekly"))
    assert periods(sched, "2027-03-22T00:00", "2027-04-12T00:00") == [
        ("03-22 08:00", "03-29 07:00", "alice"),  # one hour shorter
        ("03-29 07:00", "04-05 07:00", "bob"),
        ("04-05 07:00", "04-12 00:00", "alice"),
    ]


def test_daily_handovers_keep_local_time_when_new_york_falls_back() -> None:
    # 09:00 in New York: 13:00Z in EDT, 14:00Z in EST from 2026-11-01 on; that day's shift has 25 hours.
    sched = schedule("America/New_York", rotation(start="2026-10-30T09:00:00-04:00", who=("alice", "bob", "carol")))
    assert periods(sched, "2026-10-30T13:00", "2026-11-02T14:00") == [
        ("10-30 13:00", "10-31 13:00", "alice"),
        ("10-31 13:00", "11-01 14:00", "bob"),
        ("11-01 14:00", "11-02 14:00", "carol"),
    ]


def test_a_handover_at_a_skipped_local_time_moves_forward_by_the_gap() -> None:
    # 02:30 does not exist in Berlin on 2027-03-28: that handover is at 03:30 CEST (01:30Z).
    sched = schedule("Europe/Berlin", rotation(start="2027-03-27T02:30:00+01:00"))
    assert periods(sched, "2027-03-27T00:00", "2027-03-29T12:00") == [
        ("03-27 01:30", "03-28 01:30", "alice"),
        ("03-28 01:30", "03-29 00:30", "bob"),  # to 02:30 CEST: 23 hours
        ("03-29 00:30", "03-29 12:00", "alice"),
    ]


def test_end_date_ends_the_rotation_and_nothing_is_on_call_before_the_start() -> None:
    sched = schedule("UTC", rotation(start="2027-01-04T00:00:00Z", end="2027-01-05T12:00:00Z"))
    assert periods(sched, "2027-01-03T00:00", "2027-01-07T00:00") == [
        ("01-04 00:00", "01-05 00:00", "alice"),
        ("01-05 00:00", "01-05 12:00", "bob"),
    ]
    assert coverage(sched, "2027-01-03T00:00", "2027-01-07T00:00") == [
        ("01-03 00:00", "01-04 00:00", "GAP"),
        ("01-04 00:00", "01-05 00:00", "alice"),
        ("01-05 00:00", "01-05 12:00", "bob"),
        ("01-05 12:00", "01-07 00:00", "GAP"),
    ]


def test_an_end_date_before_the_start_date_gives_nothing() -> None:
    sched = schedule("UTC", rotation(start="2027-01-04T00:00:00Z", end="2027-01-04T00:00:00Z"))
    assert periods(sched, "2027-01-03T00:00", "2027-01-07T00:00") == []


# --- time restrictions ---


def test_time_of_day_window_crossing_midnight_hides_the_rest_and_the_handover_clock_runs_on() -> None:
    # Daily handover at 08:00, visible 22:00-06:00: bob's turn begins at 08:00 while hidden.
    sched = schedule("UTC", rotation(start="2027-01-04T08:00:00Z", restriction=time_of_day("22:00", "06:00")))
    assert periods(sched, "2027-01-04T00:00", "2027-01-06T00:00") == [
        ("01-04 22:00", "01-05 06:00", "alice"),
        ("01-05 22:00", "01-06 00:00", "bob"),
    ]
    assert coverage(sched, "2027-01-04T00:00", "2027-01-06T00:00") == [
        ("01-04 00:00", "01-04 22:00", "GAP"),
        ("01-04 22:00", "01-05 06:00", "alice"),
        ("01-05 06:00", "01-05 22:00", "GAP"),
        ("01-05 22:00", "01-06 00:00", "bob"),
    ]


def test_a_window_across_a_handover_splits_the_shift_between_the_two_participants() -> None:
    sched = schedule("UTC", rotation(start="2027-01-04T08:00:00Z", restriction=time_of_day("06:00", "10:00")))
    assert periods(sched, "2027-01-05T00:00", "2027-01-06T00:00") == [
        ("01-05 06:00", "01-05 08:00", "alice"),
        ("01-05 08:00", "01-05 10:00", "bob"),
    ]


def test_time_of_day_with_equal_start_and_end_is_always_visible() -> None:
    sched = schedule(
        "UTC",
        rotation(
            start="2027-01-04T00:00:00Z", type="weekly", who=("alice",), restriction=time_of_day("09:00", "09:00")
        ),
    )
    assert periods(sched, "2027-01-04T00:00", "2027-01-11T00:00") == [("01-04 00:00", "01-11 00:00", "alice")]


def test_restriction_hours_are_local_time_of_the_schedule_across_dst() -> None:
    # New York 09:00-17:00: 14:00Z-22:00Z on Saturday 2027-03-13 (EST), 13:00Z-21:00Z on Sunday (EDT).
    sched = schedule(
        "America/New_York",
        rotation(start="2027-03-01T09:00:00-05:00", who=("alice",), restriction=time_of_day("09:00", "17:00")),
    )
    assert periods(sched, "2027-03-13T00:00", "2027-03-15T00:00") == [
        ("03-13 14:00", "03-13 22:00", "alice"),
        ("03-14 13:00", "03-14 21:00", "alice"),
    ]


def test_weekday_window_from_sunday_to_monday_crosses_the_end_of_the_week() -> None:
    # Sunday 20:00 to Monday 08:00, UTC; the window of the week before the range shows at its start.
    sched = schedule(
        "UTC",
        rotation(
            start="2027-01-04T00:00:00Z",
            type="weekly",
            who=("alice", "bob"),
            restriction=weekdays(("sunday", "20:00", "monday", "08:00")),
        ),
    )
    assert periods(sched, "2027-01-04T00:00", "2027-01-18T00:00") == [
        ("01-04 00:00", "01-04 08:00", "alice"),
        ("01-10 20:00", "01-11 00:00", "alice"),
        ("01-11 00:00", "01-11 08:00", "bob"),  # weekly handover Monday 00:00, inside the window
        ("01-17 20:00", "01-18 00:00", "bob"),
    ]


def test_weekend_window_friday_to_monday_and_several_windows_union() -> None:
    # Weekdays 09:00-17:00 plus Friday 17:00 to Monday 09:00: everything except weekday nights.
    restriction = weekdays(
        ("monday", "09:00", "friday", "17:00"),
        ("friday", "17:00", "monday", "09:00"),
    )
    sched = schedule(
        "UTC", rotation(start="2027-01-04T09:00:00Z", type="weekly", who=("alice",), restriction=restriction)
    )
    assert periods(sched, "2027-01-04T00:00", "2027-01-11T00:00") == [("01-04 09:00", "01-11 00:00", "alice")]


def test_weekday_windows_are_local_time_in_berlin_across_dst() -> None:
    # Saturday 2027-03-27 10:00 to Sunday 2027-03-28 10:00 Berlin: 09:00Z (CET) to 08:00Z (CEST).
    sched = schedule(
        "Europe/Berlin",
        rotation(
            start="2027-03-01T00:00:00+01:00",
            type="weekly",
            who=("alice",),
            restriction=weekdays(("saturday", "10:00", "sunday", "10:00")),
        ),
    )
    assert periods(sched, "2027-03-22T00:00", "2027-03-29T00:00") == [("03-27 09:00", "03-28 08:00", "alice")]


# --- several rotations, overrides ---


def two_rotations() -> dict[str, Any]:
    return schedule(
        "UTC",
        rotation("r1", start="2027-01-04T00:00:00Z", type="weekly", who=("alice",)),
        rotation("r2", start="2027-01-04T00:00:00Z", who=("bob", "carol"), restriction=time_of_day("09:00", "17:00")),
    )


def test_all_rotations_are_on_call_together() -> None:
    assert coverage(two_rotations(), "2027-01-04T00:00", "2027-01-05T12:00") == [
        ("01-04 00:00", "01-04 09:00", "alice"),
        ("01-04 09:00", "01-04 17:00", "alice+bob"),
        ("01-04 17:00", "01-05 09:00", "alice"),
        ("01-05 09:00", "01-05 12:00", "alice+carol"),
    ]
    timeline = compute_timeline(two_rotations(), [], at("2027-01-04T00:00"), at("2027-01-05T00:00"))
    assert timeline.on_call_at(at("2027-01-04T10:00")) == (Responder("user", "alice"), Responder("user", "bob"))
    assert timeline.on_call_at(at("2027-01-04T17:00")) == (Responder("user", "alice"),)


def test_the_same_responder_in_two_rotations_is_listed_once() -> None:
    sched = schedule(
        "UTC",
        rotation("r1", start="2027-01-04T00:00:00Z", who=("alice",)),
        rotation("r2", start="2027-01-04T00:00:00Z", who=("alice",)),
    )
    assert coverage(sched, "2027-01-04T00:00", "2027-01-05T00:00") == [("01-04 00:00", "01-05 00:00", "alice")]


def test_an_override_of_one_rotation_replaces_its_responder_for_its_interval() -> None:
    overrides = [override("dave", "2027-01-04T12:00:00Z", "2027-01-05T12:00:00Z", ["r2"])]
    sched = two_rotations()
    assert periods(sched, "2027-01-04T00:00", "2027-01-06T00:00", overrides, index=1) == [
        ("01-04 09:00", "01-04 12:00", "bob"),
        ("01-04 12:00", "01-04 17:00", "dave"),
        ("01-05 09:00", "01-05 12:00", "dave"),  # only where r2 is on call: not at night
        ("01-05 12:00", "01-05 17:00", "carol"),
    ]
    assert periods(sched, "2027-01-04T00:00", "2027-01-06T00:00", overrides, layer="override", index=1) == [
        ("01-04 12:00", "01-04 17:00", "dave"),
        ("01-05 09:00", "01-05 12:00", "dave"),
    ]
    assert periods(sched, "2027-01-04T00:00", "2027-01-06T00:00", overrides, layer="base", index=1) == [
        ("01-04 09:00", "01-04 17:00", "bob"),
        ("01-05 09:00", "01-05 17:00", "carol"),
    ]
    # r1 is not named: alice stays.
    assert periods(sched, "2027-01-04T00:00", "2027-01-06T00:00", overrides, index=0) == [
        ("01-04 00:00", "01-06 00:00", "alice")
    ]


def test_an_override_without_rotation_ids_applies_to_every_rotation() -> None:
    overrides = [override("dave", "2027-01-04T08:00:00Z", "2027-01-04T10:00:00Z")]
    assert coverage(two_rotations(), "2027-01-04T07:00", "2027-01-04T11:00", overrides) == [
        ("01-04 07:00", "01-04 08:00", "alice"),
        ("01-04 08:00", "01-04 10:00", "dave"),
        ("01-04 10:00", "01-04 11:00", "alice+bob"),
    ]


def test_an_override_fills_a_noone_slot_and_a_noone_override_empties_a_shift() -> None:
    sched = schedule("UTC", rotation(start="2027-01-04T00:00:00Z", who=("alice", "noone")))
    overrides = [
        override("dave", "2027-01-05T06:00:00Z", "2027-01-05T18:00:00Z"),
        override("noone", "2027-01-04T00:00:00Z", "2027-01-04T06:00:00Z"),
    ]
    assert periods(sched, "2027-01-04T00:00", "2027-01-06T00:00", overrides) == [
        ("01-04 00:00", "01-04 06:00", "noone"),
        ("01-04 06:00", "01-05 00:00", "alice"),
        ("01-05 00:00", "01-05 06:00", "noone"),
        ("01-05 06:00", "01-05 18:00", "dave"),
        ("01-05 18:00", "01-06 00:00", "noone"),
    ]


@pytest.mark.parametrize("listed_first", ["dave", "erin"])
def test_of_overlapping_overrides_the_later_starting_one_wins(listed_first: str) -> None:
    sched = schedule("UTC", rotation(start="2027-01-04T00:00:00Z", who=("alice",)))
    overrides = [
        override("dave", "2027-01-04T06:00:00Z", "2027-01-04T18:00:00Z"),
        override("erin", "2027-01-04T10:00:00Z", "2027-01-04T12:00:00Z"),
    ]
    if listed_first == "erin":
        overrides.reverse()
    assert periods(sched, "2027-01-04T00:00", "2027-01-05T00:00", overrides) == [
        ("01-04 00:00", "01-04 06:00", "alice"),
        ("01-04 06:00", "01-04 10:00", "dave"),
        ("01-04 10:00", "01-04 12:00", "erin"),
        ("01-04 12:00", "01-04 18:00", "dave"),
        ("01-04 18:00", "01-05 00:00", "alice"),
    ]


def test_of_overrides_starting_together_the_one_listed_later_wins() -> None:
    sched = schedule("UTC", rotation(start="2027-01-04T00:00:00Z", who=("alice",)))
    overrides = [
        override("dave", "2027-01-04T06:00:00Z", "2027-01-04T18:00:00Z"),
        override("erin", "2027-01-04T06:00:00Z", "2027-01-04T12:00:00Z"),
    ]
    assert periods(sched, "2027-01-04T00:00", "2027-01-05T00:00", overrides) == [
        ("01-04 00:00", "01-04 06:00", "alice"),
        ("01-04 06:00", "01-04 12:00", "erin"),
        ("01-04 12:00", "01-04 18:00", "dave"),
        ("01-04 18:00", "01-05 00:00", "alice"),
    ]


def test_an_override_of_a_rotation_that_is_not_active_changes_nothing() -> None:
    sched = schedule("UTC", rotation(start="2027-01-04T00:00:00Z", end="2027-01-05T00:00:00Z", who=("alice",)))
    overrides = [override("dave", "2027-01-05T00:00:00Z", "2027-01-06T00:00:00Z")]
    assert coverage(sched, "2027-01-04T00:00", "2027-01-06T00:00", overrides) == [
        ("01-04 00:00", "01-05 00:00", "alice"),
        ("01-05 00:00", "01-06 00:00", "GAP"),
    ]


# --- next on call ---


def next_ids(sched: dict[str, Any], instant: str, overrides: list[dict[str, Any]] | None = None) -> list[str]:
    start = at(instant)
    return [r.id or r.type for r in next_on_call(sched, overrides or [], start, start + dt.timedelta(days=730))]


def test_next_on_call_is_whoever_takes_over_next_in_each_rotation() -> None:
    sched = schedule("UTC", rotation(start="2027-01-04T00:00:00Z", type="weekly", who=("alice", "bob", "carol")))
    assert next_ids(sched, "2027-01-05T00:00") == ["bob"]
    assert next_ids(sched, "2027-01-11T00:00") == ["carol"]  # a shift beginning at `date` is the current one


def test_next_on_call_skips_noone_and_restricted_repeats_of_the_current_responder() -> None:
    sched = schedule(
        "UTC",
        rotation(
            "r1",
            start="2027-01-04T00:00:00Z",
            type="weekly",
            who=("alice", "noone", "bob"),
            restriction=time_of_day("09:00", "17:00"),
        ),
    )
    # Tuesday noon: alice again on Wednesday 09:00, then nobody, then bob on 01-18.
    assert next_ids(sched, "2027-01-05T12:00") == ["bob"]


def test_next_on_call_of_a_single_participant_is_their_next_period() -> None:
    sched = schedule(
        "UTC", rotation(start="2027-01-04T00:00:00Z", who=("alice",), restriction=time_of_day("09:00", "17:00"))
    )
    assert next_ids(sched, "2027-01-04T12:00") == ["alice"]
    assert next_ids(sched, "2027-01-04T20:00") == ["alice"]


def test_next_on_call_lists_rotations_in_order_without_repeats_and_counts_overrides() -> None:
    sched = schedule(
        "UTC",
        rotation("r1", start="2027-01-04T00:00:00Z", who=("alice", "bob")),
        rotation("r2", start="2027-01-04T00:00:00Z", who=("carol", "bob")),
    )
    assert next_ids(sched, "2027-01-04T12:00") == ["bob"]
    overrides = [override("dave", "2027-01-05T00:00:00Z", "2027-01-06T00:00:00Z", ["r2"])]
    assert next_ids(sched, "2027-01-04T12:00", overrides) == ["bob", "dave"]


def test_next_on_call_is_empty_when_nobody_comes() -> None:
    sched = schedule("UTC", rotation(start="2027-01-04T00:00:00Z", end="2027-01-05T00:00:00Z", who=("alice",)))
    assert next_ids(sched, "2027-01-04T12:00") == []


# --- the range of a timeline ---


@pytest.mark.parametrize(
    ("instant", "interval", "unit", "tz", "expected"),
    [
        # The local day in New York on which clocks spring forward has 23 hours.
        ("2027-03-14T12:00:00Z", 1, "days", "America/New_York", ("2027-03-14T05:00:00Z", "2027-03-15T04:00:00Z")),
        # Weeks begin on Monday: Wednesday 03:30 CEST in Berlin -> Monday 2027-03-29 00:00 CEST.
        ("2027-03-31T01:30:00Z", 1, "weeks", "Europe/Berlin", ("2027-03-28T22:00:00Z", "2027-04-04T22:00:00Z")),
        # Late on 30 January in New York (03:00Z on the 31st) is in January; three months end on 1 April (EDT).
        ("2027-01-31T03:00:00Z", 3, "months", "America/New_York", ("2027-01-01T05:00:00Z", "2027-04-01T04:00:00Z")),
        # Months roll over the year end.
        ("2026-11-15T10:00:00Z", 3, "months", "UTC", ("2026-11-01T00:00:00Z", "2027-02-01T00:00:00Z")),
    ],
)
def test_timeline_range_starts_at_the_local_beginning_of_the_unit(
    instant: str, interval: int, unit: str, tz: str, expected: tuple[str, str]
) -> None:
    assert timeline_range(at(instant), interval, unit, ZoneInfo(tz)) == (at(expected[0]), at(expected[1]))


def test_parse_instant_needs_an_offset() -> None:
    assert parse_instant("2027-01-04T01:00:00+01:00") == at("2027-01-04T00:00")
    with pytest.raises(ValueError):
        parse_instant("2027-01-04T01:00:00")
