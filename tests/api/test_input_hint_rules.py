"""What a user gets told about inputs the models refuse or doubt (issue 20.6): the field
meant, the service's limit on descriptions, windows that end where they start."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from pulumi_jsmops.api.models import DESCRIPTION_LIMIT, parse_api_schedule, parse_user_schedule, validation_problems
from pulumi_jsmops.api.overrides import parse_user_override
from pulumi_jsmops.api.whole_windows import whole_window_warnings

ROTATION = {"name": "weekly", "type": "weekly", "start_date": "2026-01-05T09:00:00+01:00"}
OVERRIDE = {"schedule_id": "s-1", "responder": {"type": "noone"}, "start_date": "2027-01-01T00:00:00Z",
            "end_date": "2027-01-02T00:00:00Z"}


def problems(parse, data: dict) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as error:
        parse(data)
    return validation_problems(error.value)


@pytest.mark.parametrize(("rotation", "expected"), [
    ({**ROTATION, "startDate": ROTATION["start_date"]}, [("rotations[0].startDate",
                                                         "unknown field; did you mean start_date?")]),
    ({"name": "weekly", "type": "weekly", "startDate": ROTATION["start_date"]},
     [("rotations[0].startDate", "unknown field; did you mean start_date?")]),  # not also "start_date: is required"
    ({**ROTATION, "participant": []}, [("rotations[0].participant", "unknown field; did you mean participants?")]),
    ({**ROTATION, "timeRestriction": {"type": "time-of-day"}},
     [("rotations[0].timeRestriction", "unknown field; did you mean time_restriction?")]),
    ({**ROTATION, "colour": "blue"}, [("rotations[0].colour", "unknown field (the fields here: name, type, length, "
                                       "start_date, end_date, participants, time_restriction)")]),
])
def test_an_unknown_field_names_the_one_meant(rotation: dict, expected: list) -> None:
    assert problems(parse_user_schedule, {"name": "S", "rotations": [rotation]}) == expected


def test_the_api_spelling_is_the_apis_own() -> None:
    held = parse_api_schedule({"id": "s-1", "name": "S", "teamId": "t", "rotations": [
        {"id": "r-1", "name": "weekly", "type": "weekly", "startDate": "2026-01-05T08:00:00Z"}]})
    assert held.team_id == "t" and held.rotations[0].start_date.isoformat() == "2026-01-05T08:00:00+00:00"
    assert problems(parse_user_override, {**OVERRIDE, "endDate": OVERRIDE["end_date"]}) == [
        ("endDate", "unknown field; did you mean end_date?")]


def test_one_rotation_without_its_list_is_said_so() -> None:
    assert problems(parse_user_schedule, {"name": "S", "rotations": ROTATION}) == [
        ("rotations", "must be a list of rotations, not one rotation: write rotations=[...]")]
    keyed = parse_user_schedule({"name": "S", "rotations": {"weekly": {k: v for k, v in ROTATION.items()
                                                                       if k != "name"}}})
    assert [rotation.name for rotation in keyed.rotations] == ["weekly"]  # the canonical form, keyed by name


def test_a_description_the_service_would_refuse_is_refused() -> None:
    assert parse_user_schedule({"name": "S", "description": "x" * (DESCRIPTION_LIMIT - 1)})
    assert problems(parse_user_schedule, {"name": "S", "description": "x" * DESCRIPTION_LIMIT}) == [
        ("description", "has 10,000 characters; the service takes fewer than 10,000")]
    assert parse_api_schedule({"id": "s-1", "name": "S", "description": "x" * DESCRIPTION_LIMIT})  # what it holds


def test_windows_that_end_where_they_start_are_named() -> None:
    daily = {"type": "time-of-day", "restriction": {"start_hour": 9, "start_min": 30, "end_hour": 9, "end_min": 30}}
    weekly = {"type": "weekday-and-time-of-day", "restrictions": [
        {"start_day": "monday", "start_hour": 9, "start_min": 0, "end_day": "friday", "end_hour": 9, "end_min": 0},
        {"start_day": "sunday", "start_hour": 0, "start_min": 0, "end_day": "sunday", "end_hour": 0, "end_min": 0}]}
    warnings = whole_window_warnings([{**ROTATION, "time_restriction": daily},
                                      {**ROTATION, "time_restriction": weekly},
                                      {**ROTATION, "time_restriction": {**daily, "restriction": {
                                          **daily["restriction"], "end_hour": 17}}}])
    assert [warning.split(":", 1)[0] for warning in warnings] == [
        "rotations[0].time_restriction.restriction", "rotations[1].time_restriction.restrictions[1]"]
    assert "starts and ends at 09:30, which the service reads as around the clock" in warnings[0]
    assert "starts and ends at sunday 00:00, which the service reads as the whole week" in warnings[1]
    unknown = {**daily, "restriction": {**daily["restriction"], "end_hour": object()}}  # an Output, say
    assert whole_window_warnings([{**ROTATION, "time_restriction": unknown}]) == []
    assert whole_window_warnings(None) == [] and whole_window_warnings("weekly") == []
