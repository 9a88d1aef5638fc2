"""The pure parts of ownership and recovery: the per-run name registry, and the decisions
`jsmops recover` takes on a state's pending creates, updates and deletes (no CLI, no API)."""

from __future__ import annotations

import json

from pulumi_jsmops.cli.recover_command import Recovery, plan, reveal, settle_changes
from pulumi_jsmops.dynamic.ownership import (
    NameRegistry,
    NameTakenError,
    urn_resource_name,
    urn_stack_name,
    urn_type,
)
from pulumi_jsmops.dynamic.stack_state import resource_holding
from pulumi_jsmops.schedule import SCHEDULE_TYPE
from testkit.schedules import SUPPORT, SUPPORT_IN_API

URN = f"urn:pulumi:dev::proj::{SCHEDULE_TYPE}::"
SECRET = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}


def test_a_name_belongs_to_the_first_resource_that_claims_it() -> None:
    names = NameRegistry()
    assert names.claim("Ops", URN + "a") is None
    assert names.claim("Ops", URN + "a") is None  # the same resource again (preview, then up)
    assert names.claim("Ops", URN + "b") == URN + "a"
    assert names.claim("Data", URN + "a") is None  # a renames its schedule: "Ops" is free
    assert names.claim("Ops", URN + "b") is None


def test_urn_parts_and_the_409_message_name_no_schedule() -> None:
    assert urn_resource_name(URN + "support") == "support" and urn_stack_name(URN + "x") == "dev"
    message = str(NameTakenError("sched-1", URN + "support"))
    assert "(id sched-1)" in message and "jsmops import --stack dev --id sched-1" in message
    assert "jsmops recover --stack dev" in message and "aliases" in message
    assert "<stack>" in str(NameTakenError(None, None))


def test_the_resource_of_this_stack_holding_a_schedule_is_found_by_type_and_id() -> None:
    assert urn_type(URN + "support") == SCHEDULE_TYPE
    assert urn_type(f"urn:pulumi:dev::proj::my:Component${SCHEDULE_TYPE}::child") == SCHEDULE_TYPE
    state = {"deployment": {"resources": [
        {"urn": "urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev", "type": "pulumi:pulumi:Stack"},
        {"urn": URN + "support", "type": SCHEDULE_TYPE, "id": "sched-1"},
        {"urn": URN + "other", "type": "pulumi-python:dynamic/jsmops:ScheduleOverride", "id": "sched-2"},
    ]}}
    assert resource_holding(state, SCHEDULE_TYPE, "sched-1", URN + "renamed") == URN + "support"
    assert resource_holding(state, SCHEDULE_TYPE, "sched-1", URN + "support") is None  # itself
    assert resource_holding(state, SCHEDULE_TYPE, "sched-2", URN + "renamed") is None  # another type
    assert resource_holding({"deployment": {}}, SCHEDULE_TYPE, "sched-1", URN + "renamed") is None


def pending(resource: str, inputs: dict) -> dict:
    return {"type": "creating", "resource": {"urn": URN + resource, "type": SCHEDULE_TYPE, "custom": True,
                                             "inputs": {**inputs, "__provider": "serialized"}}}


def test_recovery_brings_in_exactly_the_schedules_identical_to_a_pending_create() -> None:
    secret_name = {**SECRET, "plaintext": json.dumps("Secret Bridge")}
    deployment = {"pending_operations": [
        pending("same", SUPPORT),
        pending("other", {**SUPPORT, "name": "Other"}),
        pending("absent", {**SUPPORT, "name": "Absent"}),
        pending("secret", {**SUPPORT, "name": secret_name}),
        {"type": "deleting", "resource": {"urn": URN + "old", "type": SCHEDULE_TYPE}},
    ]}
    # As the service holds them: every schedule and rotation with its id.
    rotations = [{**rotation, "id": f"r-{n}"} for n, rotation in enumerate(SUPPORT_IN_API["rotations"])]
    service = {
        "Support Schedule": {**SUPPORT_IN_API, "rotations": rotations, "id": "s-1"},
        "Other": {**SUPPORT_IN_API, "rotations": rotations, "name": "Other", "description": "made by hand",
                  "id": "s-2"},
        "Secret Bridge": {**SUPPORT_IN_API, "rotations": rotations, "name": "Secret Bridge", "id": "s-3"},
    }
    recovery, resources = plan(deployment, lambda name, site: service.get(name))
    assert recovery.recovered == {URN + "same": "s-1", URN + "secret": "s-3"}
    assert recovery.dropped == {URN + "other": "s-2", URN + "absent": None}
    by_urn = {r["urn"]: r for r in resources}
    assert by_urn[URN + "same"]["id"] == "s-1" and by_urn[URN + "same"]["outputs"]["name"] == "Support Schedule"
    assert by_urn[URN + "same"]["outputs"]["__provider"] == "serialized"
    secret_output = by_urn[URN + "secret"]["outputs"]["name"]
    assert secret_output["4dabf18193072939515e22adb298388d"] == SECRET["4dabf18193072939515e22adb298388d"]
    assert reveal(secret_output) == "Secret Bridge"


def test_pending_updates_and_deletes_settle_as_the_service_holds_them() -> None:
    def resource(name: str, schedule_id: str, description: object) -> dict:
        return {"urn": URN + name, "id": schedule_id, "type": SCHEDULE_TYPE, "custom": True,
                "inputs": {**SUPPORT, "description": description, "__provider": "serialized"},
                "outputs": {"description": "as it was", "__provider": "serialized"}}

    secret = {**SECRET, "plaintext": json.dumps("secret text")}
    deployment = {"resources": [resource("kept", "s-1", "x"), resource("gone", "s-2", "x"),
                                resource("updated", "s-3", secret), resource("untouched", "s-4", "x")],
                  "pending_operations": [
                      {"type": "deleting", "resource": resource("kept", "s-1", "x")},
                      {"type": "deleting", "resource": resource("gone", "s-2", "x")},
                      # The engine records some updates without the id.
                      {"type": "updating", "resource": {**resource("updated", "", secret), "id": ""}},
                  ]}
    rotations = [{**rotation, "id": "r-1"} for rotation in SUPPORT_IN_API["rotations"]]
    service = {"s-1": {**SUPPORT_IN_API, "id": "s-1", "rotations": rotations},
               "s-3": {**SUPPORT_IN_API, "id": "s-3", "rotations": rotations, "description": "secret text"}}
    recovery = Recovery()
    resources = {r["urn"]: r for r in settle_changes(deployment, lambda schedule_id, site: service.get(schedule_id),
                                                     recovery)}
    assert recovery.removed == [URN + "gone"] and recovery.read_back == [URN + "kept", URN + "updated"]
    assert set(resources) == {URN + "kept", URN + "updated", URN + "untouched"}
    assert resources[URN + "kept"]["outputs"]["description"] == SUPPORT_IN_API["description"]
    assert resources[URN + "kept"]["outputs"]["rotations"]["weekly"]["id"] == "r-1"
    assert resources[URN + "updated"]["outputs"]["description"]["plaintext"] == json.dumps("secret text")  # secret
    assert resources[URN + "untouched"]["outputs"]["description"] == "as it was"
    assert all(r["outputs"]["__provider"] == "serialized" for r in resources.values())


def test_recovery_looks_each_schedule_up_on_its_site_and_keeps_the_site() -> None:
    rotations = [{**rotation, "id": "r-1"} for rotation in SUPPORT_IN_API["rotations"]]
    eu = {**SUPPORT_IN_API, "rotations": rotations, "id": "s-eu"}  # the default site has none
    asked: list[tuple[str, object]] = []

    def find(name: str, site: object) -> object:
        asked.append((name, site))
        return eu if site == "eu" else None

    recovery, [made] = plan({"pending_operations": [pending("eu", {**SUPPORT, "site": "eu"}),
                                                    pending("default", SUPPORT)]}, find)
    assert asked == [("Support Schedule", "eu"), ("Support Schedule", None)]
    assert recovery.recovered == {URN + "eu": "s-eu"} and recovery.dropped == {URN + "default": None}
    assert made["outputs"]["site"] == "eu" and made["inputs"]["site"] == "eu"

    held = {**made, "id": "s-eu"}
    gets: list[tuple[str, object]] = []
    [settled] = settle_changes({"resources": [held], "pending_operations": [{"type": "updating", "resource": held}]},
                               lambda schedule_id, site: gets.append((schedule_id, site)) or eu, Recovery())
    assert gets == [("s-eu", "eu")] and settled["outputs"]["site"] == "eu"
