"""The policy pack's rules over the on-call engine, at fixed moments: what breaks each rule,
the first times that do, in the schedule's time zone, and which schedules are judged."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from pulumi_jsmops.api.models import parse_user_schedule
from pulumi_jsmops.oncall.engine import OverrideWindow, Responder
from pulumi_jsmops.policy.rules import Selection, Violation, coverage, max_weekly_hours, min_participants
from pulumi_jsmops.policy.stack import DeclaredSchedule

NOW = datetime(2027, 1, 6, 12, 0, tzinfo=timezone.utc)  # a Wednesday, 13:00 in Berlin
COVERAGE_RULE = "Rule: someone is on call at all times."


def users(*names: str) -> list[dict[str, Any]]:
    return [{"type": "user", "id": name} for name in names]


def declared(resource: str = "support", *, name: str = "Support", participants: list[dict[str, Any]] | None = None,
             rotation_type: str = "daily", restriction: dict[str, Any] | None = None, enabled: bool = True,
             end_date: str | None = None, overrides: tuple[OverrideWindow, ...] = (),
             zone: str = "Europe/Berlin") -> DeclaredSchedule:
    rotation: dict[str, Any] = {"name": "main", "type": rotation_type, "start_date": "2027-01-04T09:00:00+01:00",
                                "participants": users("alice", "bob") if participants is None else participants}
    if restriction is not None:
        rotation["time_restriction"] = restriction
    if end_date is not None:
        rotation["end_date"] = end_date
    schedule = parse_user_schedule({"name": name, "timezone": zone, "enabled": enabled, "rotations": [rotation]})
    return DeclaredSchedule(resource, f"urn:pulumi:test::p::jsmops:Schedule::{resource}", schedule, overrides)


def daily_hours(start: int, end: int) -> dict[str, Any]:
    return {"type": "time-of-day", "restriction": {"start_hour": start, "start_min": 0, "end_hour": end, "end_min": 0}}


def messages(violations: list[Violation]) -> list[str]:
    return [v.message for v in violations]


def test_coverage_names_the_schedule_and_the_first_gaps_in_its_time_zone() -> None:
    nights = declared(restriction=daily_hours(8, 20))
    found = coverage([nights], NOW, 4, Selection())
    assert found == [Violation(nights.urn, (
        "schedule 'Support' (support) has nobody on call in the next 4 days: Wed 2027-01-06 20:00 – Thu 2027-01-07 "
        "08:00, Thu 2027-01-07 20:00 – Fri 2027-01-08 08:00, Fri 2027-01-08 20:00 – Sat 2027-01-09 08:00 and 1 more "
        f"time (Europe/Berlin). {COVERAGE_RULE}"))]


def test_coverage_times_are_the_schedules_own() -> None:
    # 08:00-20:00 in New York: the first night starts at 20:00 there (02:00 the next day in Berlin),
    # and lasts past the window's end (Thu 07:00 there).
    found = coverage([declared(restriction=daily_hours(8, 20), zone="America/New_York")], NOW, 1, Selection())
    assert messages(found) == [
        "schedule 'Support' (support) has nobody on call in the next 1 days: Wed 2027-01-06 07:00–08:00, "
        f"from Wed 2027-01-06 20:00 on (America/New_York). {COVERAGE_RULE}"]


def test_a_schedule_covered_around_the_clock_passes() -> None:
    assert coverage([declared()], NOW, 14, Selection()) == []


def test_overrides_count_for_coverage() -> None:
    # A `noone` slot every other day (Thursday from 09:00 Berlin time); an override takes it.
    every_other_day = [*users("alice"), {"type": "noone"}]
    found = coverage([declared(participants=every_other_day)], NOW, 2, Selection())
    assert "nobody on call in the next 2 days: Thu 2027-01-07 09:00 – Fri 2027-01-08 09:00 " in found[0].message
    carol = OverrideWindow(datetime(2027, 1, 7, 8, tzinfo=timezone.utc), datetime(2027, 1, 8, 8, tzinfo=timezone.utc),
                           Responder("user", "carol"))
    assert coverage([declared(participants=every_other_day, overrides=(carol,))], NOW, 2, Selection()) == []
    # Nobody (an override of responder `noone`) for an hour opens a gap where alice was on call.
    nobody = OverrideWindow(datetime(2027, 1, 6, 15, tzinfo=timezone.utc),
                            datetime(2027, 1, 6, 16, tzinfo=timezone.utc), None, rotation_names=frozenset({"main"}))
    assert messages(coverage([declared(overrides=(nobody,))], NOW, 1, Selection())) == [
        f"schedule 'Support' (support) has nobody on call in the next 1 days: Wed 2027-01-06 16:00–17:00 "
        f"(Europe/Berlin). {COVERAGE_RULE}"]


def test_patterns_select_schedules_by_name_and_a_named_disabled_one_is_a_gap() -> None:
    gappy = dict(restriction=daily_hours(8, 20))
    schedules = [declared("a", name="Platform On-Call", **gappy), declared("b", name="Support", **gappy),
                 declared("c", name="Platform Backup", enabled=False)]
    assert [v.urn.rsplit("::", 1)[1] for v in coverage(schedules, NOW, 1, Selection())] == ["a", "b"]
    picked = coverage(schedules, NOW, 1, Selection(("Platform*",)))
    assert [v.urn.rsplit("::", 1)[1] for v in picked] == ["a", "c"]
    assert picked[1].message == f"schedule 'Platform Backup' (c) is disabled: nobody is on call. {COVERAGE_RULE}"
    assert coverage(schedules, NOW, 1, Selection(("platform*",))) == []  # names are matched case by case


def test_min_participants_counts_each_participant_once_and_no_noone() -> None:
    few = declared(participants=[*users("alice", "alice"), {"type": "noone"}, {"type": "team", "id": "ops"}])
    assert messages(min_participants([few], NOW, 3, Selection())) == [
        "schedule 'Support' (support): rotation 'main' has 2 participants (alice, team ops). "
        "Rule: at least 3 participants in every rotation."]
    assert min_participants([few], NOW, 2, Selection()) == []
    nobody = declared(participants=[{"type": "noone"}])
    assert "rotation 'main' has no participant." in min_participants([nobody], NOW, 1, Selection())[0].message


def test_min_participants_leaves_out_ended_rotations_and_unpicked_schedules() -> None:
    ended = declared(participants=users("alice"), end_date="2027-01-05T09:00:00+01:00")
    assert min_participants([ended], NOW, 2, Selection()) == []
    assert min_participants([declared(participants=users("alice"))], NOW, 2, Selection(("Other",))) == []


def test_max_weekly_hours_counts_calendar_weeks_of_the_schedules_time_zone() -> None:
    # alice and bob a week each from Monday 09:00 Berlin: the week of Mon 2027-01-04 is 9 h bob's
    # (the end of his turn before), 159 h alice's; the next 9 h alice's, 159 h bob's.
    weekly = declared(rotation_type="weekly", participants=users("bob", "alice", "bob"))
    rule = "Rule: nobody is on call more than 100 h a week."
    assert messages(max_weekly_hours([weekly], NOW, 7, 100, Selection())) == [
        "schedule 'Support' (support) has someone on call too long: bob 159 h in the week of Mon 2027-01-04, "
        f"alice 159 h in the week of Mon 2027-01-11 (Europe/Berlin). {rule}"]
    assert max_weekly_hours([weekly], NOW, 7, 159, Selection()) == []


def test_max_weekly_hours_counts_overrides_and_lists_the_first_weeks() -> None:
    alone = declared(rotation_type="weekly", participants=users("alice"))  # from Mon 2027-01-04 09:00
    found = max_weekly_hours([alone], NOW, 28, 100, Selection())
    assert found[0].message.startswith(
        "schedule 'Support' (support) has someone on call too long: alice 159 h in the week of Mon 2027-01-04, "
        "alice 168 h in the week of Mon 2027-01-11, alice 168 h in the week of Mon 2027-01-18 and 2 more weeks ")
    # bob takes Monday to Thursday of the week of the 11th: alice keeps 72 h of it.
    bob = OverrideWindow(datetime(2027, 1, 10, 23, tzinfo=timezone.utc), datetime(2027, 1, 14, 23, tzinfo=timezone.utc),
                         Responder("user", "bob"))
    found = max_weekly_hours([declared(rotation_type="weekly", participants=users("alice"), overrides=(bob,))],
                             NOW, 7, 100, Selection())
    assert messages(found) == ["schedule 'Support' (support) has someone on call too long: alice 159 h in the week of "
                               "Mon 2027-01-04 (Europe/Berlin). Rule: nobody is on call more than 100 h a week."]


def test_a_secret_name_is_not_shown() -> None:
    hidden = DeclaredSchedule("ops", "urn:ops", declared(name="Secret Ops").schedule, secret_name=True)
    assert hidden.label == "schedule (secret name) (ops)"


def test_selection_of_schedules_known_only_in_part() -> None:
    every, platform = Selection(), Selection(("Platform*",))
    assert every.may_pick(None, None) and every.may_pick("Support", True)
    assert not every.may_pick("Support", False)  # disabled, and no pattern names it
    assert not platform.may_pick("Support", None) and platform.may_pick(None, True)
    assert platform.may_pick("Platform On-Call", False)  # named: a disabled one is a gap


def test_a_gap_the_windows_end_cuts_is_not_said_to_end_there() -> None:
    # A `noone` slot from Thursday 09:00 (Berlin) for a day; the window of one day ends Thursday 13:00.
    found = coverage([declared(participants=[*users("alice"), {"type": "noone"}])], NOW, 1, Selection())
    assert messages(found) == [
        "schedule 'Support' (support) has nobody on call in the next 1 days: from Thu 2027-01-07 09:00 on "
        f"(Europe/Berlin). {COVERAGE_RULE}"]
