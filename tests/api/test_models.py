"""Validation before anything is sent, field paths in every error, and the canonical form."""

from __future__ import annotations

import copy

import pytest

from pulumi_jsmops.api.models import parse_api_schedule, parse_user_schedule, with_written_dates
from pulumi_jsmops.dynamic.update_plan import UpdateSchedule, plan_update
from pulumi_jsmops.provider import ScheduleProvider
from testkit.edits import replaced
from testkit.emulator_process import Emulator
from testkit.schedules import TEAM

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
    (changed("name", ...), "name", "is required"),
    (changed("name", "  "), "name", "must not be blank"),
    (changed("name", 42), "name", "must be a string"),
    (changed("team_id", ""), "team_id", "must not be blank"),
    (changed("timezone", "Mars/Olympus_Mons"), "timezone", "not an IANA time zone"),
    (changed("timezone", "+01:00"), "timezone", "not an IANA time zone"),
    (changed("enabled", "yes"), "enabled", "must be true or false"),
    (changed("description", 7), "description", "must be a string"),
    (changed("colour", "blue"), "colour", "unknown field"),
    (changed("id", "s-1"), "id", "set by the service"),
    (changed("rotations", "weekly"), "rotations", "must be a list"),
    (changed(f"{R0}.type", "monthly"), "rotations[0].type", "must be 'daily', 'weekly' or 'hourly'"),
    (changed(f"{R0}.name", ""), "rotations[0].name", "must not be blank"),
    (changed(f"{R0}.length", 0), "rotations[0].length", "must be at least 1"),
    (changed(f"{R0}.length", 1.5), "rotations[0].length", "whole number"),
    (changed(f"{R0}.length", "2"), "rotations[0].length", "whole number"),
    (changed(f"{R0}.start_date", ...), "rotations[0].start_date", "is required"),
    (changed(f"{R0}.start_date", "2026-01-05T09:00:00"), "rotations[0].start_date", "must have a UTC offset"),
    (changed(f"{R0}.start_date", "next monday"), "rotations[0].start_date", "is not a valid date"),
    (changed(f"{R0}.start_date", "2026-02-30T09:00:00Z"), "rotations[0].start_date",
     "is not a valid date (day value is outside expected range): use ISO 8601 with a UTC offset"),
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
     "must be at most 23"),
    (changed(f"{TR}.restriction.end_hour", -1), "rotations[0].time_restriction.restriction.end_hour",
     "must be at least 0"),
    (changed(f"{TR}.restriction.start_min", 15), "rotations[0].time_restriction.restriction.start_min",
     "must be 0 or 30"),
    (changed(f"{TR}.restriction.end_min", ...), "rotations[0].time_restriction.restriction.end_min", "is required"),
    (changed(TR, {**WEEKDAYS, "restrictions": []}), "rotations[0].time_restriction.restrictions", "at least one"),
    (changed(TR, {"type": "weekday-and-time-of-day",
                  "restrictions": [{**WEEKDAYS["restrictions"][0], "start_day": "funday"}]}),
     "rotations[0].time_restriction.restrictions[0].start_day", "'monday'"),
    (changed("rotations", [VALID["rotations"][0], VALID["rotations"][0]]), "rotations", "two rotations are named"),
]


@pytest.fixture
def provider(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> ScheduleProvider:
    """A provider set up to reach the emulator (through the environment), as the engine starts it."""
    for name, value in {"JSMOPS_BASE_URL": emulator.base_url, "JSMOPS_CLOUD_ID": emulator.cloud_id,
                        "JSMOPS_EMAIL": emulator.admin_auth[0], "JSMOPS_API_TOKEN": emulator.admin_auth[1]}.items():
        monkeypatch.setenv(name, value)
    return ScheduleProvider()


def problems(result) -> dict[str, str]:
    # No property: the engine would print its top-level value beside it ("value {<nil>}").
    assert all(f.property == "" for f in result.failures)
    return dict(f.reason.split(": ", 1) for f in result.failures)


@pytest.mark.parametrize(("data", "path", "reason"), INVALID,
                         ids=[f"{i:02}-{case[1]}" for i, case in enumerate(INVALID)])
def test_invalid_input_is_rejected_by_check_naming_the_field(data, path, reason, provider, emulator: Emulator):
    # Set up to reach the emulator, yet check must not ask it anything.
    messages = problems(provider.check({}, data))
    assert path in messages, messages
    assert reason in messages[path]
    assert "Input should" not in messages[path] and "Field required" not in messages[path]
    assert emulator.stats()["total"] == 0


def test_the_valid_example_passes_check(provider) -> None:
    assert provider.check({}, VALID).failures == []


def test_team_id_is_optional_a_global_schedule(provider) -> None:
    inputs = provider.check({}, changed("team_id", ...)).inputs
    assert "team_id" not in inputs
    assert parse_user_schedule(inputs).team_id is None
    assert "team_id" not in parse_user_schedule(inputs).to_api()
    assert parse_api_schedule({"id": "s", "name": "g", "teamId": ""}).team_id is None  # how the service may say it


def test_check_keys_rotations_by_name_and_reads_that_form_back(provider) -> None:
    two = changed("rotations", [{**VALID["rotations"][0], "name": "b"}, {**VALID["rotations"][0], "name": "a"}])
    inputs = provider.check({}, two).inputs
    assert list(inputs["rotations"]) == ["a", "b"]
    assert "name" not in inputs["rotations"]["a"]
    assert inputs["rotations"]["a"]["start_date"] == "2026-01-05T09:00:00+01:00"  # as written; compared as an instant
    # What the state keeps is read back as the same schedule; so is the older list form.
    assert parse_user_schedule(inputs) == parse_user_schedule(two)
    assert provider.check({}, inputs).inputs == inputs


def test_provider_settings_fail_check_naming_the_key(provider, emulator: Emulator, monkeypatch) -> None:
    monkeypatch.delenv("JSMOPS_CLOUD_ID")
    [failure] = provider.check({}, VALID).failures
    assert "jsmops:cloudId" in failure.reason and "pulumi config set jsmops:cloudId" in failure.reason
    assert emulator.stats()["total"] == 0


def test_unknown_values_pass_check_and_diff_at_any_depth(provider, emulator: Emulator) -> None:
    from pulumi.output import Unknown

    unknown = {"description": Unknown(), "rotations": [{
        **VALID["rotations"][0], "participants": [{"type": "escalation", "id": Unknown()}],
        "time_restriction": {"type": "time-of-day", "restriction": Unknown()}}]}
    data = {**VALID, **unknown}
    result = provider.check({}, data)
    assert result.failures == []
    assert isinstance(result.inputs["description"], Unknown)
    rotation = result.inputs["rotations"]["weekly"]
    assert isinstance(rotation["participants"][0]["id"], Unknown)
    # The known parts are canonical (a preview shows no change in them), dates as written...
    assert rotation["start_date"] == "2026-01-05T09:00:00+01:00" and rotation["length"] == 1
    assert result.inputs["enabled"] is True and result.inputs["timezone"] == "Europe/Berlin"
    # ...and still checked.
    bad = provider.check({}, {**data, "timezone": "Mars/Olympus_Mons"})
    assert list(problems(bad)) == ["timezone"]
    bad = provider.check({}, replaced(data, "rotations.0.length", 0))
    assert list(problems(bad)) == ["rotations[0].length"]
    # Every field may be unknown, the rotations and their names too.
    for field in ("name", "team_id", "timezone", "enabled", "rotations"):
        assert provider.check({}, {**VALID, field: Unknown()}).failures == [], field
    assert provider.check({}, replaced(VALID, "rotations.0.name", Unknown())).failures == []
    assert provider.check({}, replaced(VALID, "rotations.0", Unknown())).failures == []

    created = provider.check({}, VALID).inputs
    outputs = {**parse_user_schedule(created).model_dump(mode="json", exclude_none=True), "id": "s-1"}
    outputs["rotations"][0]["id"] = "r-1"
    assert provider.diff("s-1", outputs, created).changes is False
    assert provider.diff("s-1", outputs, result.inputs).changes is True  # may change once known
    assert emulator.stats()["total"] == 0


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


def test_api_form_round_trips_and_compares_as_the_plan_does() -> None:
    desired = parse_user_schedule({k: v for k, v in VALID.items() if k != "timezone"})
    api = {**desired.to_api(), "id": "s1", "timezone": "America/New_York", "newField": True}
    api["rotations"] = [{**r, "id": "r1"} for r in api["rotations"]]
    actual = parse_api_schedule(api)
    assert actual.id == "s1" and actual.rotations[0].id == "r1"
    assert plan_update(actual, desired) == []  # a left-out timezone is the service's to pick
    assert plan_update(actual, parse_user_schedule(VALID)) == [UpdateSchedule({"timezone": VALID["timezone"]})]


def test_written_dates_replace_only_checked_date_strings() -> None:
    """`with_written_dates`: each rotation's start and end date as written, matched by name;
    a date written otherwise, or not known yet, and rotations held as a list, stay canonical."""
    from pulumi.output import Unknown

    a_written = {"start_date": "2026-01-05T09:00:00+01:00", "end_date": "2026-02-01 09:00+01:00"}
    written = {"rotations": [{"name": "a", **a_written}, {"name": "b", "start_date": "2026-01-05T08:00:00Z"}]}
    a_canonical = {"start_date": "2026-01-05T08:00:00Z", "end_date": "2026-02-01T08:00:00Z", "length": 1}
    canonical = {"name": "s", "rotations": {"a": a_canonical, "b": {"start_date": "2026-01-05T08:00:00Z"},
                                            "c": {"start_date": "x"}}}
    shown = with_written_dates(canonical, written)
    assert shown["rotations"]["a"] == {**a_written, "length": 1}
    assert shown["rotations"]["b"] == {"start_date": "2026-01-05T08:00:00Z"}
    assert shown["rotations"]["c"] == {"start_date": "x"}
    assert canonical["rotations"]["a"]["start_date"] == "2026-01-05T08:00:00Z"  # not changed in place
    not_known = {"rotations": {"a": {"start_date": Unknown()}}}
    assert with_written_dates(not_known, written) == not_known
    as_list = {"rotations": [{"name": "a", "start_date": "2026-01-05T08:00:00Z"}]}
    assert with_written_dates(as_list, written) == as_list
