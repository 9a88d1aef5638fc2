"""The paths a preview shows of a schedule's update (`dynamic/preview_diff.py`): those of
the update's plan, in the inputs' words; empty exactly when the plan is."""

from __future__ import annotations

from pulumi_jsmops.api.models import Schedule, parse_api_schedule, parse_user_schedule
from pulumi_jsmops.dynamic.preview_diff import changed_paths
from pulumi_jsmops.dynamic.update_plan import plan_update

WEEKLY = {"id": "r-1", "name": "weekly", "type": "weekly", "startDate": "2026-01-05T08:00:00Z",
          "endDate": "2026-12-31T08:00:00Z", "participants": [{"type": "user", "id": "u1"}]}
HELD = {"id": "s-1", "name": "S", "teamId": "t1", "description": "", "timezone": "Europe/Berlin", "enabled": True,
        "rotations": [WEEKLY]}


def declared(**changes: object) -> Schedule:
    inputs = parse_api_schedule(HELD).to_inputs()
    inputs.update(changes)
    return parse_user_schedule({key: value for key, value in inputs.items() if value is not None})


def rotation(**changes: object) -> dict:
    inputs = parse_api_schedule(HELD).to_inputs()["rotations"][0]
    inputs.update(changes)
    return {key: value for key, value in inputs.items() if value is not None}


def test_no_change_no_path() -> None:
    held = parse_api_schedule(HELD)
    assert changed_paths(held, declared()) == {} and plan_update(held, declared()) == []


def test_the_schedules_own_fields() -> None:
    held = parse_api_schedule(HELD)
    assert changed_paths(held, declared(team_id=None, description="d", timezone="Asia/Kolkata")) == {
        "team_id": "delete", "description": "update", "timezone": "update"}
    assert changed_paths(parse_api_schedule({**HELD, "teamId": ""}), declared()) == {"team_id": "add"}


def test_rotations_by_name() -> None:
    held = parse_api_schedule(HELD)
    other = {"name": 'on "call"', "type": "daily", "start_date": "2026-01-05T08:00:00Z"}
    assert changed_paths(held, declared(rotations=[rotation(length=2), other])) == {
        'rotations["weekly"].length': "update", 'rotations["on \\"call\\""]': "add"}
    assert changed_paths(held, declared(rotations=[])) == {'rotations["weekly"]': "delete"}
    # The end date left out: the contract replaces the rotation; the preview shows the field removed.
    assert changed_paths(held, declared(rotations=[rotation(end_date=None, length=3)])) == {
        'rotations["weekly"].end_date': "delete", 'rotations["weekly"].length': "update"}


def test_rotations_the_state_holds_as_a_list_change_as_a_whole() -> None:
    twice = parse_api_schedule({**HELD, "rotations": [WEEKLY, {**WEEKLY, "id": "r-2"}]})
    assert changed_paths(twice, declared(description="d")) == {"description": "update", "rotations": "update"}
    backslash = parse_api_schedule({**HELD, "rotations": [{**WEEKLY, "name": "a\\b"}]})
    assert changed_paths(backslash, declared(rotations=[rotation(name="a\\b", length=2)])) == {"rotations": "update"}
