"""Each change of the impact report says why (`oncall/causes.py`, pure): from the schedule
before and after, a participant added or removed, a restriction narrowed or widened, a
rotation added, removed or replaced, its start date or length, the time zone, an override
cut off because its rotation is replaced; in the text, the markdown and the JSON (version 4)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Sequence

from pulumi_jsmops.api.models import parse_user_schedule
from pulumi_jsmops.oncall.assessment import ScheduleChange, ScheduleImpact, assess, carried_over
from pulumi_jsmops.oncall.causes import covered_minutes, rotation_causes
from pulumi_jsmops.oncall.engine import OverrideWindow, Responder
from pulumi_jsmops.oncall.report import render_markdown, render_text, report_json

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=timezone.utc)  # a Wednesday
NINE_TO_FIVE = {"type": "time-of-day", "restriction": {"start_hour": 9, "start_min": 0, "end_hour": 17, "end_min": 0}}


def users(*names: str) -> list[dict[str, str]]:
    return [{"type": "user", "id": name} for name in names]


def schedule(zone: str = "UTC", **rotation: Any) -> dict[str, Any]:
    """`Support`: one daily rotation 'primary' of alice and bob from Monday 09:00 UTC, with `rotation`'s changes."""
    return {"name": "Support", "timezone": zone, "rotations": [
        {"name": "primary", "type": "daily", "start_date": "2026-11-30T09:00:00Z",
         "participants": users("alice", "bob"), **rotation}]}


def update(before: dict[str, Any], after: dict[str, Any], days: int = 3,
           overrides: Sequence[OverrideWindow] = ()) -> ScheduleImpact:
    """The impact of an update, the schedule before as the service holds it (rotation ids `id-<name>`)."""
    held = parse_user_schedule(before)
    held = held.model_copy(update={"rotations": [r.model_copy(update={"id": f"id-{r.name}"}) for r in held.rotations]})
    change = ScheduleChange("support", "update", "schedule-1", held, carried_over(held, parse_user_schedule(after)))
    return assess(change, NOW, days, overrides)


def test_a_participant_replaced_is_the_cause_of_each_change() -> None:
    impact = update(schedule(), schedule(participants=users("alice", "carol")))
    because = "because carol added to rotation 'primary'; bob removed from rotation 'primary'"
    assert render_text([impact], NOW, 3).splitlines()[2:] == [
        "Support: 2 periods with someone else on call",
        "  (update of support; times in UTC)",
        "  now: alice (unchanged)",
        "  who is on call changes:",
        f"    Thu 2026-12-03 09:00 – Fri 2026-12-04 09:00: bob → carol, {because}",
        f"    from Sat 2026-12-05 09:00 on: bob → carol, {because}",
        "  hours on call:",
        f"    bob: 27 → 0, {because}",
        f"    carol: 0 → 27, {because}",
    ]
    entry = report_json([impact], NOW, 3, {})
    assert entry["version"] == 4
    causes = ["carol added to rotation 'primary'", "bob removed from rotation 'primary'"]
    assert entry["schedules"][0]["changes"][0] == {
        "start": "2026-12-03T09:00:00+00:00", "end": "2026-12-04T09:00:00+00:00", "off": ["bob"], "on": ["carol"],
        "causes": causes}
    assert entry["schedules"][0]["hours"][0] == {"participant": "bob", "before": 27.0, "after": 0.0, "causes": causes}


def test_a_narrowed_restriction_is_the_cause_of_the_gaps_it_opens() -> None:
    impact = update(schedule(), schedule(time_restriction=NINE_TO_FIVE), days=2)
    narrowed = "because rotation 'primary': restriction narrowed"
    assert render_markdown([impact], NOW, 2).splitlines()[4:] == [
        "#### Support",
        "",
        "`support` (update), times in UTC",
        "",
        "- **now**: alice (unchanged)",
        f"- **gaps**: 17:00–09:00 (next day) on Wed 2026-12-02, Thu 2026-12-03: nobody on call (new), {narrowed}",
        "- **who is on call changes**:",
        f"  - Wed 2026-12-02 17:00 – Thu 2026-12-03 09:00: alice off, {narrowed}",
        f"  - Thu 2026-12-03 17:00 – Fri 2026-12-04 09:00: bob off, {narrowed}",
        f"- **handovers 2 → 4**: 17:00 on Wed 2026-12-02, Thu 2026-12-03 (new), {narrowed}",
        "",
        "| participant | hours before | hours after | because |",
        "| --- | ---: | ---: | --- |",
        "| alice | 24 | 8 | rotation 'primary': restriction narrowed |",
        "| bob | 24 | 8 | rotation 'primary': restriction narrowed |",
    ]
    gaps = report_json([impact], NOW, 2, {})["schedules"][0]["gaps"]["new"]
    assert gaps[0] == {"start": "2026-12-02T17:00:00+00:00", "end": "2026-12-03T09:00:00+00:00",
                       "causes": ["rotation 'primary': restriction narrowed"]}


def test_an_override_cut_off_by_its_rotations_replacement_says_so() -> None:
    # Clearing the end date takes a new rotation (a PATCH cannot clear it): dave's override of
    # the old rotation's id no longer applies.
    dave = OverrideWindow(NOW + timedelta(hours=1), NOW + timedelta(hours=5), Responder("user", "dave"),
                          rotation_ids=frozenset({"id-primary"}))
    impact = update(schedule(end_date="2027-01-01T00:00:00Z"), schedule(), overrides=[dave])
    because = ("because rotation 'primary' replaced (its end date cleared); "
               "an override of rotation 'primary' cut off (the rotation is replaced: a new id)")
    text = render_text([impact], NOW, 3).splitlines()
    assert f"  who is on call changes: Wed 2026-12-02 13:00–17:00: dave → alice, {because}" in text
    assert f"    dave: 4 → 0, {because}" in text
    handovers = report_json([impact], NOW, 3, {})["schedules"][0]["handovers"]
    assert handovers["gone"][0] == {"at": "2026-12-02T13:00:00+00:00", "causes": [
        "rotation 'primary' replaced (its end date cleared)",
        "an override of rotation 'primary' cut off (the rotation is replaced: a new id)"]}


def test_a_moved_start_date_moves_the_handovers() -> None:
    impact = update(schedule(), schedule(start_date="2026-11-30T12:00:00Z"))
    moved = "because rotation 'primary': start date moved"
    assert render_text([impact], NOW, 3).splitlines()[9:12] == [
        "  handovers 3 → 2:",
        f"    daily 09:00, 3 times from Thu 2026-12-03 to Sat 2026-12-05 (no longer), {moved}",
        f"    12:00 on Thu 2026-12-03, Fri 2026-12-04 (new), {moved}",
    ]


def test_the_time_zone_is_the_cause_when_the_hours_move_with_it() -> None:
    impact = update(schedule(time_restriction=NINE_TO_FIVE), schedule("Europe/Berlin", time_restriction=NINE_TO_FIVE),
                    days=1)
    assert render_text([impact], NOW, 1).splitlines()[5:8] == [
        "  gaps:",
        "    Wed 2026-12-02 16:00–17:00: nobody on call (new), because time zone UTC → Europe/Berlin",
        "    Thu 2026-12-03 08:00–09:00: covered now (gap closed), because time zone UTC → Europe/Berlin",
    ]


def test_what_changed_in_each_rotation() -> None:
    def causes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, tuple[str, ...]]:
        return rotation_causes(parse_user_schedule(before), parse_user_schedule(after),
                               lambda p: f"{p.type} {p.id}").rotations

    weekly = {"name": "weekly", "type": "weekly", "start_date": "2026-11-30T09:00:00Z", "participants": users("x")}
    two = schedule()
    two["rotations"].append(weekly)
    assert causes(schedule(), two) == {"weekly": ("rotation 'weekly' added",)}
    assert causes(two, schedule()) == {"weekly": ("rotation 'weekly' removed",)}
    assert causes(schedule(), schedule(participants=users("bob", "alice"), length=2, type="weekly")) == {
        "primary": ("rotation 'primary': participants in a new order", "rotation 'primary': type daily → weekly",
                    "rotation 'primary': length 1 → 2")}
    assert causes(schedule(time_restriction=NINE_TO_FIVE), schedule()) == {
        "primary": ("rotation 'primary': restriction widened",)}
    night = {"type": "time-of-day", "restriction": {"start_hour": 22, "start_min": 0, "end_hour": 6, "end_min": 0}}
    assert causes(schedule(time_restriction=NINE_TO_FIVE), schedule(time_restriction=night)) == {
        "primary": ("rotation 'primary': restriction changed",)}
    assert causes(schedule(participants=[*users("alice"), {"type": "noone"}]), schedule()) == {
        "primary": ("user bob added to rotation 'primary'", "a noone slot removed from rotation 'primary'")}


def test_a_restrictions_minutes_wrap_past_midnight_and_the_weeks_end() -> None:
    night = {"type": "time-of-day", "restriction": {"start_hour": 22, "start_min": 0, "end_hour": 6, "end_min": 0}}
    minutes = covered_minutes(parse_user_schedule(schedule(time_restriction=night)).rotations[0].time_restriction)
    assert len(minutes) == 7 * 8 * 60 and 0 in minutes and 6 * 60 not in minutes
    weekend = {"type": "weekday-and-time-of-day", "restrictions": [
        {"start_day": "saturday", "start_hour": 0, "start_min": 0, "end_day": "monday", "end_hour": 0, "end_min": 0}]}
    held = covered_minutes(parse_user_schedule(schedule(time_restriction=weekend)).rotations[0].time_restriction)
    assert len(held) == 2 * 24 * 60 and 5 * 1440 in held and 0 not in held


def test_a_created_schedule_gives_no_cause() -> None:
    created = assess(ScheduleChange("support", "create", None, None, parse_user_schedule(schedule())), NOW, 1)
    assert created.differences and all(not d.causes for d in created.differences)
