"""Validation before anything is sent, field paths in every error, and the canonical form."""

from __future__ import annotations

import copy

import pytest

from edits import replaced
from emulator_process import Emulator
from pulumi_jsmops.models import parse_api_schedule, parse_user_schedule
from pulumi_jsmops.provider import ScheduleProvider

TEAM = "cd68207b-c55d-4611-ab25-72fd0c439e9f"
VALID = {
    "name": "Support",
    "team_id": TEAM,
    "timezone": "Europe/Berlin",
    "rotations": [{
        "name": "weekly",
        "type": "weekly",
        "start_date": "2026-01-05T09:00:00+01:00",
        "participants": [{"type": "user", "id": "u1"}],
        "time_restriction": {"type": "time-of-day",
                             "restriction": {"start_hour": 9, "start_min": 0, "end_hour": 17, "end_min": 30}},
    }],
}
WEEKDAYS = {"type": "weekday-and-time-of-day", "restrictions": [
    {"start_day": "monday", "start_hour": 9, "start_min": 0, "end_day": "friday", "end_hour": 17, "end_min": 0}]}


def changed(path: str, value) -> dict:
    return replaced(VALID, path, value)


R0 = "rotations.0"
TR = "rotations.0.time_restriction"
INVALID = [
    (changed("name", ...), "name", "Field required"),
    (changed("name", "  "), "name", "must not be blank"),
    (changed("name", 42), "name", "valid string"),
    (changed("team_id", ...), "team_id", "Field required"),
    (changed("team_id", ""), "team_id", "must not be blank"),
    (changed("timezone", "Mars/Olympus_Mons"), "timezone", "not an IANA time zone"),
    (changed("timezone", "+01:00"), "timezone", "not an IANA time zone"),
    (changed("enabled", "yes"), "enabled", "valid boolean"),
    (changed("description", 7), "description", "valid string"),
    (changed("colour", "blue"), "colour", "unknown field"),
    (changed("id", "s-1"), "id", "set by the service"),
    (changed("rotations", {"name": "x"}), "rotations", "valid list"),
    (changed(f"{R0}.type", "monthly"), "rotations[0].type", "'daily', 'weekly' or 'hourly'"),
    (changed(f"{R0}.name", ""), "rotations[0].name", "must not be blank"),
    (changed(f"{R0}.length", 0), "rotations[0].length", "greater than or equal to 1"),
    (changed(f"{R0}.length", 1.5), "rotations[0].length", "whole number"),
    (changed(f"{R0}.length", "2"), "rotations[0].length", "whole number"),
    (changed(f"{R0}.start_date", ...), "rotations[0].start_date", "Field required"),
    (changed(f"{R0}.start_date", "2026-01-05T09:00:00"), "rotations[0].start_date", "timezone info"),
    (changed(f"{R0}.start_date", "next monday"), "rotations[0].start_date", "valid datetime"),
    (changed(f"{R0}.start_date", 1767600000), "rotations[0].start_date", "ISO 8601"),
    (changed(f"{R0}.end_date", "2026-01-05T08:00:00Z"), "rotations[0].end_date", "must be after start_date"),
    (changed(f"{R0}.lenght", 2), "rotations[0].lenght", "unknown field"),
    (changed(f"{R0}.id", "r-1"), "rotations[0].id", "set by the service"),
    (changed(f"{R0}.participants.0.type", "robot"), "rotations[0].participants[0].type", "'user', 'team'"),
    (changed(f"{R0}.participants.0.id", ...), "rotations[0].participants[0].id", "required for a participant"),
    (changed(f"{R0}.participants.0", {"type": "noone", "id": "u1"}), "rotations[0].participants[0].id", "no id"),
    (changed(f"{TR}.type", "always"), "rotations[0].time_restriction.type", "'time-of-day'"),
    (changed(f"{TR}.restriction", ...), "rotations[0].time_restriction.restriction", "is required"),
    (changed(f"{TR}.restriction.start_hour", 24), f"{TR.replace('.0.', '[0].')}.restriction.start_hour",
     "less than or equal to 23"),
    (changed(f"{TR}.restriction.end_hour", -1), "rotations[0].time_restriction.restriction.end_hour",
     "greater than or equal to 0"),
    (changed(f"{TR}.restriction.start_min", 15), "rotations[0].time_restriction.restriction.start_min",
     "must be 0 or 30"),
    (changed(f"{TR}.restriction.end_min", ...), "rotations[0].time_restriction.restriction.end_min", "Field required"),
    (changed(TR, {**WEEKDAYS, "restrictions": []}), "rotations[0].time_restriction.restrictions", "at least one"),
    (changed(TR, {"type": "weekday-and-time-of-day",
                  "restrictions": [{**WEEKDAYS["restrictions"][0], "start_day": "funday"}]}),
     "rotations[0].time_restriction.restrictions[0].start_day", "'monday'"),
    (changed("rotations", [VALID["rotations"][0], VALID["rotations"][0]]), "rotations", "two rotations are named"),
]


@pytest.mark.parametrize(("data", "path", "reason"), INVALID, ids=[f"{i:02}-{case[1]}" for i, case in enumerate(INVALID)])
def test_invalid_input_is_rejected_by_check_naming_the_field(data, path, reason, emulator: Emulator, monkeypatch):
    # The provider is set up to reach the emulator, yet check must not ask it anything.
    for name, value in {"JSMOPS_BASE_URL": emulator.base_url, "JSMOPS_CLOUD_ID": emulator.cloud_id,
                        "JSMOPS_EMAIL": emulator.admin_auth[0], "JSMOPS_API_TOKEN": emulator.admin_auth[1]}.items():
        monkeypatch.setenv(name, value)
    result = ScheduleProvider().check({}, data)
    messages = {f.property: f.reason for f in result.failures}
    assert path in messages, messages
    assert messages[path].startswith(f"{path}: ") and reason in messages[path]
    assert emulator.stats()["total"] == 0


def test_the_valid_example_passes_check() -> None:
    assert ScheduleProvider().check({}, VALID).failures == []


def test_equivalent_inputs_have_one_canonical_form() -> None:
    other = copy.deepcopy(VALID)
    other["rotations"][0]["start_date"] = "2026-01-05T08:00:00Z"
    other["rotations"][0]["length"] = 1.0
    other["rotations"][0]["time_restriction"]["restriction"]["start_hour"] = 9.0
    other["enabled"] = True
    other["description"] = None
    first, second = parse_user_schedule(VALID), parse_user_schedule(other)
    assert first == second
    assert first.to_inputs() == second.to_inputs()
    assert first.to_inputs()["rotations"][0]["start_date"] == "2026-01-05T08:00:00Z"
    assert first.to_inputs()["enabled"] is True and first.to_inputs()["description"] == ""


def test_order_of_rotations_and_weekday_restrictions_is_not_a_difference() -> None:
    two = changed("rotations", [{**VALID["rotations"][0], "name": "b"}, {**VALID["rotations"][0], "name": "a"}])
    swapped = changed("rotations", list(reversed(two["rotations"])))
    assert parse_user_schedule(two) == parse_user_schedule(swapped)
    days = [{"start_day": d, "start_hour": 9, "start_min": 0, "end_day": d, "end_hour": 17, "end_min": 0}
            for d in ("tuesday", "monday")]
    restricted = changed("rotations.0.time_restriction", {"type": "weekday-and-time-of-day", "restrictions": days})
    reordered = changed("rotations.0.time_restriction", {"type": "weekday-and-time-of-day", "restrictions": days[::-1]})
    assert parse_user_schedule(restricted) == parse_user_schedule(reordered)
    participants = changed("rotations.0.participants", [{"type": "user", "id": "a"}, {"type": "user", "id": "b"}])
    other_order = changed("rotations.0.participants", [{"type": "user", "id": "b"}, {"type": "user", "id": "a"}])
    assert parse_user_schedule(participants) != parse_user_schedule(other_order)  # who is on call when


def test_api_form_round_trips_and_differences() -> None:
    desired = parse_user_schedule({k: v for k, v in VALID.items() if k != "timezone"})
    api = {**desired.to_api(), "id": "s1", "timezone": "America/New_York", "newField": True}
    api["rotations"] = [{**r, "id": "r1"} for r in api["rotations"]]
    actual = parse_api_schedule(api)
    assert actual.id == "s1" and actual.rotations[0].id == "r1"
    assert desired.differences(actual) == []  # a left-out timezone is the service's to pick
    assert parse_user_schedule(VALID).differences(actual) == ["timezone"]
