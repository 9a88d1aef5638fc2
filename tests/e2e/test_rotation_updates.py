"""Updates as the contract has them, through the real CLI and engine against the emulator:
schedule fields through the schedule's PATCH, each rotation through the rotation endpoints,
so rotations keep their ids and overrides that refer to them keep applying.

What was sent is read from the emulator's request journal and checked against the
contract's request schemas (testkit/api_contract.py)."""

from __future__ import annotations

import copy
import json
from typing import Any

import requests

from testkit.api_contract import validate_query, validate_request
from testkit.emulator_process import Emulator
from testkit.pulumi_project import PulumiProject
from testkit.schedules import ALICE, BOB, DATA, OPERATIONS, SUPPORT, TEAM

HOLIDAYS = {"name": "holidays", "type": "daily", "start_date": "2026-12-24T00:00:00Z",
            "participants": [{"type": "user", "id": ALICE}]}
GLOBAL = {"name": "Global Schedule", "timezone": "Europe/Berlin",
          "rotations": [{"name": "all week", "type": "weekly", "start_date": "2026-01-05T00:00:00Z",
                         "participants": [{"type": "user", "id": BOB}]}]}


def sent(emulator: Emulator) -> list[tuple[str, str]]:
    """(method, path) of every API request since the journal was last cleared."""
    return [(entry["method"], entry["path"]) for entry in emulator.requests()]


def rotation_ids(emulator: Emulator, name: str) -> dict[str, str]:
    schedule = next(s for s in emulator.schedules() if s["name"] == name)
    return {rotation["name"]: rotation["id"] for rotation in schedule["rotations"]}


def test_every_request_the_provider_sends_follows_the_contract(project: PulumiProject, emulator: Emulator) -> None:
    support, operations = copy.deepcopy(SUPPORT), copy.deepcopy(OPERATIONS)
    steps: list[dict[str, dict[str, Any]]] = [{"support": SUPPORT, "operations": OPERATIONS, "data": DATA,
                                               "global": GLOBAL}]
    support["description"] = "only the description"
    steps.append({**steps[-1], "support": copy.deepcopy(support)})
    operations["rotations"][1]["participants"].append({"type": "user", "id": ALICE})  # one rotation edited
    operations["rotations"].append(copy.deepcopy(HOLIDAYS))  # one added
    steps.append({**steps[-1], "operations": copy.deepcopy(operations)})
    del operations["rotations"][0]["end_date"]  # a field PATCH cannot clear: that rotation is replaced
    del operations["rotations"][1]  # one removed
    steps.append({**steps[-1], "operations": copy.deepcopy(operations)})
    support.pop("team_id")  # made global
    steps.append({**steps[-1], "support": copy.deepcopy(support), "global": {**GLOBAL, "team_id": TEAM}})
    support.update(name="Support, renamed", enabled=False, timezone="Asia/Kolkata", rotations=[])
    steps.append({**steps[-1], "support": copy.deepcopy(support)})

    checked: list[tuple[str, str]] = []
    for schedules in steps:
        project.write_schedules(schedules)
        emulator.reset_stats()
        project.up()
        checked += check_journal(emulator)
        project.preview("--expect-no-changes")
    project.pulumi("destroy", "--yes")
    checked += check_journal(emulator)
    assert emulator.schedules() == []

    # Every kind of request an up or destroy makes was seen and checked.
    kinds = {(method, "rotation" if "/rotations" in path else "schedule") for method, path in checked}
    assert kinds >= {(method, what) for method in ("POST", "PATCH", "DELETE") for what in ("schedule", "rotation")}


def check_journal(emulator: Emulator) -> list[tuple[str, str]]:
    """Validates every journaled request (body and query) against the contract."""
    checked = []
    for entry in emulator.requests():
        method, path = entry["method"], entry["path"]
        validate_request(method, path, entry["body"])
        if entry["query"]:
            validate_query(method, path, entry["query"])
        if method == "PATCH" and "/rotations" not in path:
            assert "rotations" not in entry["body"], entry  # the service would replace them all
        checked.append((method, path))
    return checked


def test_a_rotation_edit_keeps_every_id_and_overrides_still_apply(project: PulumiProject, emulator: Emulator) -> None:
    operations = copy.deepcopy(OPERATIONS)
    operations["rotations"].append(copy.deepcopy(HOLIDAYS))
    project.write_schedules({"ops": operations})
    project.up()
    schedule_id = project.resources()["ops"]["id"]
    before = rotation_ids(emulator, "Operations")

    # An override made through the API for the "nights" rotation only: on a Sunday night
    # (no business hours), Alice instead of the team.
    override = requests.post(f"{emulator.api_url}/schedules/{schedule_id}/overrides", auth=emulator.admin_auth,
                             json={"responder": {"type": "user", "id": ALICE}, "rotationIds": [before["nights"]],
                                   "startDate": "2026-03-01T00:00:00Z", "endDate": "2026-03-01T06:00:00Z"},
                             timeout=10)
    override.raise_for_status()

    def on_call() -> list[str]:
        response = requests.get(f"{emulator.api_url}/schedules/{schedule_id}/on-calls", auth=emulator.admin_auth,
                                params={"flat": "true", "date": "2026-03-01T01:00:00Z"}, timeout=10)
        response.raise_for_status()
        return response.json()["onCallUsers"]

    assert on_call() == [ALICE]

    # Edit the other rotations: one changed field each, and one added.
    operations["rotations"][0]["participants"] = [{"type": "user", "id": ALICE}]
    operations["rotations"][2]["length"] = 2
    operations["rotations"].append({**HOLIDAYS, "name": "new year"})
    project.write_schedules({"ops": operations})
    emulator.reset_stats()
    project.up()
    assert sorted(sent(emulator)) == sorted([
        ("PATCH", f"/v1/schedules/{schedule_id}/rotations/{before['business days']}"),
        ("PATCH", f"/v1/schedules/{schedule_id}/rotations/{before['holidays']}"),
        ("POST", f"/v1/schedules/{schedule_id}/rotations"),
    ])
    after = rotation_ids(emulator, "Operations")
    assert {name: after[name] for name in before} == before  # every rotation that stayed kept its id
    assert project.resources()["ops"]["outputs"]["rotations"]["nights"]["id"] == after["nights"]

    held = requests.get(f"{emulator.api_url}/schedules/{schedule_id}/overrides/{override.json()['alias']}",
                        auth=emulator.admin_auth, timeout=10)
    held.raise_for_status()
    assert held.json()["rotationIds"] == [after["nights"]]
    assert on_call() == [ALICE]
    project.preview("--expect-no-changes")


def test_update_request_counts(project: PulumiProject, emulator: Emulator) -> None:
    """The figures the README gives: one request per changed set of schedule fields, one
    per changed rotation, and nothing else (no read before or after)."""
    project.write_schedules({"ops": OPERATIONS})
    project.up()
    schedule_id = project.resources()["ops"]["id"]
    ids = rotation_ids(emulator, "Operations")

    one_rotation = copy.deepcopy(OPERATIONS)
    one_rotation["rotations"][1]["participants"] = [{"type": "user", "id": BOB}]
    project.write_schedules({"ops": one_rotation})
    emulator.reset_stats()
    project.up()
    assert sent(emulator) == [("PATCH", f"/v1/schedules/{schedule_id}/rotations/{ids['nights']}")]
    assert emulator.requests()[0]["body"] == {"participants": [{"type": "user", "id": BOB}]}

    description = {**one_rotation, "description": "Ops on call"}
    project.write_schedules({"ops": description})
    emulator.reset_stats()
    project.up()
    assert sent(emulator) == [("PATCH", f"/v1/schedules/{schedule_id}")]
    assert emulator.requests()[0]["body"] == {"description": "Ops on call"}
    assert rotation_ids(emulator, "Operations") == ids


def test_an_update_that_fails_halfway_converges(project: PulumiProject, emulator: Emulator) -> None:
    project.write_schedules({"ops": OPERATIONS})
    project.up()
    schedule_id = project.resources()["ops"]["id"]
    before = rotation_ids(emulator, "Operations")
    old_state = project.root / "old-state.json"
    old_state.write_text(project.pulumi("stack", "export").stdout)

    # Planned in name order: POST "holidays", PATCH "nights", DELETE "business days".
    # The PATCH fails for good: the POST is done, and the state holds it (partial outputs).
    changed = copy.deepcopy(OPERATIONS)
    changed["rotations"] = [copy.deepcopy(HOLIDAYS), {**OPERATIONS["rotations"][1], "length": 8}]
    project.write_schedules({"ops": changed})
    emulator.add_fault(method="PATCH", path="/rotations/", action="status", status=500)
    emulator.reset_stats()
    failed = project.up(check=False)
    assert failed.returncode != 0
    assert "PATCH" in failed.stdout + failed.stderr
    assert [m for m, _ in sent(emulator)] == ["POST", "PATCH"]
    assert sorted(rotation_ids(emulator, "Operations")) == ["business days", "holidays", "nights"]
    assert rotation_ids(emulator, "Operations") == {
        name: r["id"] for name, r in project.resources()["ops"]["outputs"]["rotations"].items()}

    # Without the partial outputs (the state as it was, as when the host could not hand them
    # over), the next up takes the rotation its first attempt made, and finishes: no
    # duplicate, no 409 loop.
    project.pulumi("stack", "import", "--file", str(old_state))
    emulator.reset_stats()
    project.up()
    assert sorted(sent(emulator)) == sorted([
        ("POST", f"/v1/schedules/{schedule_id}/rotations"),  # answered 409: the name is taken
        ("GET", f"/v1/schedules/{schedule_id}/rotations"),  # that rotation is found, identical
        ("PATCH", f"/v1/schedules/{schedule_id}/rotations/{before['nights']}"),
        ("DELETE", f"/v1/schedules/{schedule_id}/rotations/{before['business days']}"),
    ])
    schedule = next(s for s in emulator.schedules() if s["name"] == "Operations")
    assert sorted((r["name"], r["length"]) for r in schedule["rotations"]) == [("holidays", 1), ("nights", 8)]
    assert rotation_ids(emulator, "Operations")["nights"] == before["nights"]
    outputs = project.resources()["ops"]["outputs"]
    held = sorted((r["name"], r["id"]) for r in schedule["rotations"])
    assert sorted((name, r["id"]) for name, r in outputs["rotations"].items()) == held
    project.assert_clean_preview()


def test_state_with_rotations_in_the_older_list_form_still_works(project: PulumiProject, emulator: Emulator) -> None:
    project.write_schedules({"ops": OPERATIONS})
    project.up()
    # Rewrite the state's inputs as the provider wrote them before rotations were keyed by name.
    state = project.state()
    for resource in state["deployment"]["resources"]:
        if resource["type"].endswith(":Schedule"):
            keyed = resource["inputs"]["rotations"]
            assert isinstance(keyed, dict)
            resource["inputs"]["rotations"] = [{"name": name, **rotation} for name, rotation in keyed.items()]
    (project.root / "old-state.json").write_text(json.dumps(state))
    project.pulumi("stack", "import", "--file", str(project.root / "old-state.json"))
    assert isinstance(project.resources()["ops"]["inputs"]["rotations"], list)

    project.assert_clean_preview()
    edited = copy.deepcopy(OPERATIONS)
    edited["rotations"][1]["length"] = 6
    project.write_schedules({"ops": edited})
    project.up()
    assert [m for m, _ in sent(emulator)] == ["PATCH"]
    assert isinstance(project.resources()["ops"]["inputs"]["rotations"], dict)
    project.preview("--expect-no-changes")


def test_a_replacement_that_fails_halfway_converges(project: PulumiProject, emulator: Emulator) -> None:
    project.write_schedules({"ops": OPERATIONS})
    project.up()
    schedule_id = project.resources()["ops"]["id"]
    before = rotation_ids(emulator, "Operations")

    # "business days" loses its end date: DELETE, then POST. The POST fails for good.
    changed = copy.deepcopy(OPERATIONS)
    del changed["rotations"][0]["end_date"]
    project.write_schedules({"ops": changed})
    emulator.add_fault(method="POST", path="/rotations$", action="status", status=500)
    emulator.reset_stats()
    assert project.up(check=False).returncode != 0
    assert sorted(rotation_ids(emulator, "Operations")) == ["nights"]

    emulator.reset_stats()
    project.up()
    # The state holds the DELETE that landed (partial outputs): only the POST is left.
    assert sent(emulator) == [("POST", f"/v1/schedules/{schedule_id}/rotations")]
    after = rotation_ids(emulator, "Operations")
    assert sorted(after) == ["business days", "nights"] and after["nights"] == before["nights"]
    schedule = next(s for s in emulator.schedules() if s["name"] == "Operations")
    assert all("endDate" not in r for r in schedule["rotations"])
    project.preview("--expect-no-changes")
