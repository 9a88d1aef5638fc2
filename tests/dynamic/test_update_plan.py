"""The update plan: which requests turn the schedule the service holds into the one declared."""

from __future__ import annotations

import copy

import pytest

from pulumi_jsmops.api.models import Rotation, parse_api_schedule, parse_user_schedule
from pulumi_jsmops.dynamic.base import AnswerReader
from pulumi_jsmops.dynamic.update_plan import (
    CreateRotation,
    DeleteRotation,
    UpdateRotation,
    UpdateSchedule,
    holds,
    is_same_rotation,
    is_same_schedule,
    not_kept,
    plan_update,
    updated_schedule,
)
from pulumi_jsmops.errors import InvalidResponseError
from testkit.schedules import ALICE, BOB, OPERATIONS, TEAM

HOLIDAYS = {"name": "holidays", "type": "daily", "start_date": "2026-12-24T00:00:00Z",
            "participants": [{"type": "user", "id": ALICE}]}


def held(declared: dict) -> "object":
    """The schedule as the service holds it after creating `declared`: ids everywhere."""
    schedule = parse_user_schedule(declared)
    return schedule.model_copy(update={
        "id": "s-1", "timezone": schedule.timezone or "America/New_York",
        "rotations": [r.model_copy(update={"id": f"r-{r.name}"}) for r in schedule.rotations]})


def plan(current: dict, desired: dict) -> list:
    return plan_update(held(current), parse_user_schedule(desired))


def test_no_change_is_no_request() -> None:
    assert plan(OPERATIONS, OPERATIONS) == []
    # A left-out time zone is the service's to pick: not a change.
    assert plan(OPERATIONS, {k: v for k, v in OPERATIONS.items() if k != "timezone"}) == []


def test_schedule_fields_are_one_patch_of_only_what_changed() -> None:
    desired = {**OPERATIONS, "description": "new words", "enabled": False}
    assert plan(OPERATIONS, desired) == [UpdateSchedule({"description": "new words", "enabled": False})]


def test_removing_the_team_makes_the_schedule_global() -> None:
    desired = {k: v for k, v in OPERATIONS.items() if k != "team_id"}
    assert plan(OPERATIONS, desired) == [UpdateSchedule({"teamId": ""})]
    assert plan(desired, OPERATIONS) == [UpdateSchedule({"teamId": TEAM})]


def test_one_changed_rotation_is_one_patch_of_its_changed_fields_keeping_its_id() -> None:
    desired = copy.deepcopy(OPERATIONS)
    desired["rotations"][1]["participants"] = [{"type": "user", "id": ALICE}]
    desired["rotations"][1]["length"] = 8
    [request] = plan(OPERATIONS, desired)
    assert isinstance(request, UpdateRotation)
    assert request.rotation_id == "r-nights"
    assert request.body == {"length": 8, "participants": [{"type": "user", "id": ALICE}]}


def test_added_and_removed_rotations_are_one_request_each_removals_last() -> None:
    desired = copy.deepcopy(OPERATIONS)
    desired["rotations"] = [HOLIDAYS, desired["rotations"][1]]  # "business days" removed
    requests = plan(OPERATIONS, desired)
    assert [type(r) for r in requests] == [CreateRotation, DeleteRotation]
    create, delete = requests
    assert create.body == {"name": "holidays", "type": "daily", "length": 1, "startDate": "2026-12-24T00:00:00Z",
                           "participants": [{"type": "user", "id": ALICE}]}
    assert "id" not in create.body
    assert (delete.rotation_id, delete.name) == ("r-business days", "business days")


def test_a_rename_is_a_new_rotation() -> None:
    desired = copy.deepcopy(OPERATIONS)
    desired["rotations"][1]["name"] = "night shift"
    assert [(type(r), getattr(r, "rotation_id", None)) for r in plan(OPERATIONS, desired)] == [
        (CreateRotation, None), (DeleteRotation, "r-nights")]


def test_a_field_the_contract_cannot_clear_replaces_the_rotation() -> None:
    desired = copy.deepcopy(OPERATIONS)
    del desired["rotations"][0]["end_date"]
    requests = plan(OPERATIONS, desired)
    assert [type(r) for r in requests] == [DeleteRotation, CreateRotation]
    assert requests[0].rotation_id == "r-business days" and "endDate" not in requests[1].body


def test_schedule_patch_comes_first_and_never_carries_rotations() -> None:
    desired = copy.deepcopy(OPERATIONS)
    desired["name"] = "Ops"
    desired["rotations"].append(HOLIDAYS)
    requests = plan(OPERATIONS, desired)
    assert requests[0] == UpdateSchedule({"name": "Ops"})
    assert all("rotations" not in getattr(r, "body", {}) for r in requests)


def test_rotations_the_service_holds_twice_by_name_lose_the_second() -> None:
    current = parse_api_schedule({"id": "s-1", "name": "x", "rotations": [
        {"id": "r-1", "name": "a", "type": "daily", "startDate": "2026-01-01T00:00:00Z"},
        {"id": "r-2", "name": "a", "type": "daily", "startDate": "2026-01-01T00:00:00Z"}]})
    desired = parse_user_schedule({"name": "x", "timezone": current.timezone,
                                   "rotations": [{"name": "a", "type": "daily", "start_date": "2026-01-01T00:00:00Z"}]})
    assert plan_update(current, desired) == [DeleteRotation("r-2", "a")]


def test_a_patch_is_held_by_what_the_service_answers() -> None:
    found = {"id": "s-1", "name": "Ops", "teamId": "", "description": "d", "enabled": True}
    assert holds({"teamId": "", "description": "d"}, parse_api_schedule(found))
    assert holds({"teamId": ""}, parse_api_schedule({k: v for k, v in found.items() if k != "teamId"}))
    assert not holds({"description": "other"}, parse_api_schedule(found))
    rotation = {"id": "r-1", "name": "a", "type": "daily", "length": 1, "startDate": "2026-01-01T01:00:00+01:00",
                "participants": [{"type": "user", "id": BOB}]}
    assert holds({"startDate": "2026-01-01T00:00:00Z"}, Rotation.model_validate(rotation))
    assert not holds({"length": 2}, Rotation.model_validate(rotation))
    desired = Rotation.model_validate(rotation)
    assert is_same_rotation(Rotation.model_validate(rotation), desired)
    assert not is_same_rotation(Rotation.model_validate(rotation), desired.model_copy(update={"participants": []}))
    read = AnswerReader(Rotation.model_validate)
    assert not read.where(lambda found: holds(desired.to_api(), found))({"id": "r-1"})  # not a rotation at all


def test_the_same_schedule_is_one_no_request_would_change() -> None:
    assert is_same_schedule(held(OPERATIONS), parse_user_schedule(OPERATIONS))
    assert is_same_schedule(held(OPERATIONS), parse_user_schedule({k: v for k, v in OPERATIONS.items()
                                                                   if k != "timezone"}))
    assert not is_same_schedule(held(OPERATIONS), parse_user_schedule({**OPERATIONS, "description": "other"}))


def test_the_outcome_keeps_ids_and_takes_the_services_answers() -> None:
    current = held(OPERATIONS)
    answered = current.rotations[1].model_copy(update={"length": 8})
    patched = parse_api_schedule({"id": "s-1", "name": "Ops", "teamId": TEAM, "timezone": "Europe/Berlin"})
    after = updated_schedule(current, patched, [answered, current.rotations[0]])
    assert after.id == "s-1" and after.name == "Ops" and after.timezone == "Europe/Berlin"
    assert [(r.name, r.id, r.length) for r in after.rotations] == [("business days", "r-business days", 1),
                                                                  ("nights", "r-nights", 8)]


def test_what_the_service_did_not_keep_is_named() -> None:
    found = parse_api_schedule({"id": "s-1", "name": "Ops", "timezone": "America/New_York", "enabled": True})
    assert not_kept({"timezone": "Asia/Kolkata", "enabled": True}, found) == {"timezone": "America/New_York"}
    assert not_kept({"enabled": True}, found) == {}
    rotation = {"id": "r-1", "name": "a", "type": "daily", "startDate": "2026-01-01T00:00:00Z", "length": 1}
    assert not_kept({"length": 2}, Rotation.model_validate(rotation)) == {"length": 1}
    read = AnswerReader(Rotation.model_validate)
    assert read({"id": "r-1"}) is None  # no rotation at all: nothing to compare


def test_each_answer_is_read_once() -> None:
    """The client tests an answer it reads back, the provider then takes the same answer's model."""
    parsed: list[dict] = []
    read = AnswerReader(lambda data: parsed.append(data) or Rotation.model_validate(data))
    answer = {"id": "r-1", "name": "a", "type": "daily", "startDate": "2026-01-01T00:00:00Z", "length": 2}
    assert read.where(lambda found: holds({"length": 2}, found))(answer)
    assert read.model(answer, "PATCH", "/v1/schedules/s-1/rotations/r-1").length == 2
    assert parsed == [answer]
    with pytest.raises(InvalidResponseError) as failed:
        read.model({"id": "r-1"}, "PATCH", "/v1/schedules/s-1/rotations/r-1")
    assert str(failed.value).startswith("PATCH /v1/schedules/s-1/rotations/r-1: the answer cannot be read (name: ")
