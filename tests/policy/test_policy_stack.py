"""How the pack reads a stack: a schedule's properties as the engine hands them (checked
inputs at a create or update, outputs when it stays), the overrides declared on it (by its
id, or by the dependency of their `schedule_id` while that id is not known), and the first
value a rule needs that is not known yet. The shapes are those a real preview handed a pack
(test_policy_pack.py runs them through `pulumi preview`)."""

from __future__ import annotations

from typing import Any

from pulumi_jsmops.override import OVERRIDE_TYPE as RESOURCE_OVERRIDE_TYPE
from pulumi_jsmops.policy.stack import (
    NOT_KNOWN,
    OVERRIDE_TYPE,
    SCHEDULE_TYPE,
    DeclaredSchedule,
    NotKnownSchedule,
    SecretText,
    StackResource,
    declared_schedules,
)
from pulumi_jsmops.schedule import SCHEDULE_TYPE as RESOURCE_SCHEDULE_TYPE

URN = "urn:pulumi:test::e2e::pulumi-python:dynamic/jsmops:{}::{}"


def schedule_props(**changes: Any) -> dict[str, Any]:
    """A schedule as a preview of its create hands it (checked inputs, no id)."""
    props: dict[str, Any] = {
        "name": "Support", "enabled": True, "description": "one", "timezone": "Europe/Berlin",
        "rotations": {"weekly": {"type": "weekly", "length": 1.0, "start_date": "2027-01-04T08:00:00Z",
                                 "participants": [{"type": "user", "id": "alice"}]}},
    }
    return {**props, **changes}


def override_props(**changes: Any) -> dict[str, Any]:
    props: dict[str, Any] = {"schedule_id": NOT_KNOWN, "responder": {"type": "user", "id": "bob"},
                             "start_date": "2027-12-24T09:00:00+01:00", "end_date": "2027-12-27T09:00:00+01:00",
                             "rotations": ["weekly"], "schedule_rotations": {"weekly": {}}}
    return {**props, **changes}


def schedule(name: str, props: dict[str, Any]) -> StackResource:
    return StackResource(SCHEDULE_TYPE, URN.format("Schedule", name), name, props)


def override(name: str, props: dict[str, Any], on: str | None = None) -> StackResource:
    depends = {"schedule_id": (URN.format("Schedule", on),)} if on else {}
    return StackResource(OVERRIDE_TYPE, URN.format("ScheduleOverride", name), name, props, depends)


def test_the_types_are_the_resources() -> None:
    assert (SCHEDULE_TYPE, OVERRIDE_TYPE) == (RESOURCE_SCHEDULE_TYPE, RESOURCE_OVERRIDE_TYPE)


def test_an_override_counts_for_the_schedule_its_schedule_id_depends_on_while_not_known() -> None:
    found = declared_schedules([override("xmas", override_props(), on="support"), schedule("support", schedule_props()),
                                schedule("other", schedule_props(name="Other"))])
    support, other = found
    assert isinstance(support, DeclaredSchedule) and isinstance(other, DeclaredSchedule)
    assert support.schedule.name == "Support" and support.schedule.rotations[0].name == "weekly"
    assert [(o.responder.id if o.responder else None, sorted(o.rotation_names or ())) for o in support.overrides] == [
        ("bob", ["weekly"])]
    assert other.overrides == ()


def test_an_override_counts_for_the_schedule_whose_id_it_names() -> None:
    # Both unchanged: outputs, with the service's ids; the override needs no dependency.
    held = schedule_props(id="s-1")
    held["rotations"]["weekly"]["id"] = "r-1"
    found = declared_schedules([
        schedule("support", held),
        override("xmas", override_props(schedule_id="s-1", alias="a-1", rotation_ids=["r-1"],
                                        responder={"type": "noone"})),
        override("elsewhere", override_props(schedule_id="s-2")),  # a schedule the stack does not declare
    ])
    assert isinstance(found[0], DeclaredSchedule)
    assert [(o.alias, o.responder) for o in found[0].overrides] == [("a-1", None)]


def test_a_value_not_known_yet_that_a_rule_needs_is_named() -> None:
    rotations = schedule_props()["rotations"]
    rotations["weekly"]["participants"] = [{"type": "user", "id": "alice"}, {"type": "escalation", "id": NOT_KNOWN}]
    found = declared_schedules([schedule("support", schedule_props(rotations=rotations, name=NOT_KNOWN))])
    assert found == [NotKnownSchedule("support", URN.format("Schedule", "support"), "name", None, True)]
    assert found[0].reason == "schedule support: name is not known until the update"  # no name: its resource
    found = declared_schedules([schedule("support", schedule_props(rotations=rotations))])
    assert found[0] == NotKnownSchedule("support", URN.format("Schedule", "support"),
                                        "rotations.weekly.participants[1].id", "Support", True)
    # Named by its name, its resource beside it.
    assert found[0].reason == ("schedule 'Support' (support): rotations.weekly.participants[1].id is not known "
                               "until the update")


def test_values_no_rule_needs_may_stay_unknown() -> None:
    found = declared_schedules([schedule("support", schedule_props(description=NOT_KNOWN, team_id=NOT_KNOWN))])
    assert isinstance(found[0], DeclaredSchedule)


def test_an_overrides_unknown_window_leaves_its_schedule_unjudged_unless_overrides_do_not_matter() -> None:
    resources = [schedule("support", schedule_props()),
                 override("xmas", override_props(end_date=NOT_KNOWN), on="support")]
    assert declared_schedules(resources) == [
        NotKnownSchedule("support", URN.format("Schedule", "support"), "xmas.end_date", "Support", True)]
    assert isinstance(declared_schedules(resources, with_overrides=False)[0], DeclaredSchedule)


def test_a_secret_name_is_marked() -> None:
    found = declared_schedules([schedule("ops", schedule_props(name=SecretText("Secret Ops")))])
    assert isinstance(found[0], DeclaredSchedule) and found[0].label == "schedule (secret name) (ops)"
    assert found[0].schedule.name == "Secret Ops"
