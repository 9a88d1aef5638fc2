"""An update that fails for good after some of its requests landed: the state then holds
what the service holds (the engine's partial state, handed over by `dynamic/host.py`), so
the next preview is not clean and the next `up` makes the service what the program says
at that time: the program as it was (a reverted commit) or as the failed `up` had it."""

from __future__ import annotations

import copy
from typing import Any

from testkit.emulator_process import Emulator
from testkit.pulumi_project import PulumiProject
from testkit.schedules import ALICE, OPERATIONS

BEFORE = {**copy.deepcopy(OPERATIONS), "description": "Ops"}
# The failed update's program: its plan is PATCH of the schedule (description), POST of
# "holidays" (a rotation on call every day), PATCH of "nights" (a participant added), in this order.
AFTER = copy.deepcopy(BEFORE)
AFTER["description"] = "Ops, changed"
AFTER["rotations"][1]["participants"].append({"type": "user", "id": ALICE})
AFTER["rotations"].append({"name": "holidays", "type": "daily", "start_date": "2026-01-01T00:00:00Z",
                           "participants": [{"type": "user", "id": ALICE}]})


def held(emulator: Emulator) -> dict[str, Any]:
    [schedule] = emulator.schedules()
    return schedule


def by_name(schedule: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The rotations of an API schedule (a list) or of the state's outputs (keyed by name), by name."""
    rotations = schedule["rotations"]
    return rotations if isinstance(rotations, dict) else {r["name"]: r for r in rotations}


def shape(schedule: dict[str, Any]) -> tuple[str, dict[str, tuple[int, list[str]]]]:
    """A schedule as (description, rotation -> (length, participant ids))."""
    return schedule["description"], {name: (r.get("length", 1), [p.get("id", "-") for p in r["participants"]])
                                     for name, r in by_name(schedule).items()}


def rotation_ids(schedule: dict[str, Any]) -> dict[str, str]:
    return {name: r["id"] for name, r in by_name(schedule).items()}


def assert_state_is_service(project: PulumiProject, emulator: Emulator) -> None:
    schedule, resource = held(emulator), project.resources()["ops"]
    assert resource["id"] == schedule["id"]
    assert shape(resource["outputs"]) == shape(schedule)
    assert rotation_ids(resource["outputs"]) == rotation_ids(schedule)
    assert not resource.get("initErrors")
    project.assert_clean_preview()


def failed_update(project: PulumiProject, emulator: Emulator, failing: dict[str, str]) -> str:
    """`up` of AFTER with `failing` (a fault) failing for good; its output."""
    project.write_schedules({"ops": AFTER})
    emulator.add_fault(action="status", status=500, **failing)
    result = project.up(check=False)
    emulator.clear_faults()
    assert result.returncode != 0
    return result.stdout + result.stderr


def test_a_half_failed_update_converges_to_the_program_reverted_or_not(project: PulumiProject,
                                                                        emulator: Emulator) -> None:
    project.write_schedules({"ops": BEFORE})
    project.up()
    first = held(emulator)
    kept_ids = rotation_ids(first)

    # 1. The third request (PATCH of "nights") fails: the description and "holidays" landed.
    output = failed_update(project, emulator, {"method": "PATCH", "path": "/rotations/"})
    landed = held(emulator)
    assert shape(landed)[0] == "Ops, changed" and "holidays" in rotation_ids(landed)
    path = f"/v1/schedules/{first['id']}"
    assert f"PATCH {path}/rotations/{kept_ids['nights']} failed with 500" in output
    assert f"Done before it: PATCH {path}; POST {path}/rotations" in output
    assert "run `pulumi up` again" in output
    outputs = project.resources()["ops"]["outputs"]
    assert shape(outputs) == shape(landed) and rotation_ids(outputs) == rotation_ids(landed)

    # The commit is reverted: the preview shows the change back, and `up` makes it.
    project.write_schedules({"ops": BEFORE})
    assert project.preview("--expect-no-changes", check=False).returncode != 0
    project.up()
    assert shape(held(emulator)) == shape(first)
    assert rotation_ids(held(emulator)) == kept_ids  # the rotations that stayed kept their ids
    assert_state_is_service(project, emulator)

    # 2. The second request (POST of "holidays") fails: only the description landed. The
    # program stays as the failed `up` had it: the next `up` finishes the update.
    output = failed_update(project, emulator, {"method": "POST", "path": "/rotations$"})
    assert shape(held(emulator)) == ("Ops, changed", shape(first)[1])
    assert f"not done: PATCH {path}/rotations/{kept_ids['nights']}" in output
    assert project.preview("--expect-no-changes", check=False).returncode != 0
    emulator.reset_stats()
    project.up()
    assert sorted((e["method"], e["path"]) for e in emulator.requests()) == [
        ("PATCH", f"{path}/rotations/{kept_ids['nights']}"), ("POST", f"{path}/rotations")]
    now = held(emulator)
    assert shape(now) == ("Ops, changed", {**shape(first)[1], "nights": (12, [OPERATIONS["rotations"][1][
        "participants"][0]["id"], ALICE]), "holidays": (1, [ALICE])})
    assert {name: rotation_ids(now)[name] for name in kept_ids} == kept_ids
    assert_state_is_service(project, emulator)
