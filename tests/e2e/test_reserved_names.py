"""Rotation names Pulumi keeps for itself as object keys (`__provider`, any name starting
with `__`, the signature key `4dabf18193072939515e22adb298388d`), through the real CLI and
engine against the emulator: a program declaring one fails at preview naming the field,
with no request; rotations so named on the service refresh into the state as a list (the
rest of the stack refreshing as usual), show as drift, and the next `up` removes them;
`get_schedule` and an override on such a schedule work; `jsmops import` refuses one in a
line naming the rotation."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from pulumi_jsmops.api.reserved_names import PROVIDER_KEY, SIGNATURE_KEY
from testkit.emulator_process import Emulator
from testkit.overrides import NEXT_YEAR, journal, listed_overrides
from testkit.pulumi_project import PulumiProject
from testkit.schedules import BOB, OPERATIONS, SUPPORT, SUPPORT_IN_API, TEAM, without_ids

pytestmark = pytest.mark.e2e

RESERVED = [PROVIDER_KEY, SIGNATURE_KEY, "__night"]
WEEKLY_IN_API = SUPPORT_IN_API["rotations"][0]


def declaring(name: str) -> dict[str, Any]:
    """SUPPORT with a second rotation of this name."""
    support = copy.deepcopy(SUPPORT)
    support["rotations"].append({**support["rotations"][0], "name": name})
    return support


def add_rotation(emulator: Emulator, schedule_id: str, name: str) -> str:
    """A rotation added on the service (as in its UI); its id."""
    response = emulator.http.post(f"{emulator.api_url}/schedules/{schedule_id}/rotations", auth=emulator.admin_auth,
                                  json={**WEEKLY_IN_API, "name": name}, timeout=10)
    response.raise_for_status()
    return str(response.json()["id"])


def held(emulator: Emulator, name: str) -> dict[str, Any]:
    [found] = [schedule for schedule in emulator.schedules() if schedule["name"] == name]
    return found


def test_a_declared_reserved_name_fails_preview_naming_the_field_with_no_request(project: PulumiProject,
                                                                                 emulator: Emulator) -> None:
    emulator.reset_stats()
    for name in RESERVED:
        project.write_schedules({"support": declaring(name)})
        result = project.preview(check=False)
        output = result.stdout + result.stderr
        assert result.returncode != 0
        assert f"resource 'support' has a problem: rotations[1].name: {name!r} is reserved: " in output, output
        assert "rename the rotation" in output
        assert "Traceback" not in output and "unrecognized signature" not in output
    # `__provider` was dropped silently and the schedule made without it; now `up` fails the same way.
    project.write_schedules({"support": declaring(PROVIDER_KEY)})
    failed = project.up(check=False)
    assert failed.returncode != 0 and "rotations[1].name: '__provider' is reserved" in failed.stdout + failed.stderr
    assert emulator.stats()["total"] == 0
    assert emulator.schedules() == [] and project.resources() == {}


def test_reserved_names_made_on_the_service_refresh_and_the_next_up_converges(project: PulumiProject,
                                                                             emulator: Emulator) -> None:
    project.write_schedules({"support": SUPPORT, "ops": OPERATIONS})
    project.up()
    support = held(emulator, SUPPORT["name"])
    weekly_id = support["rotations"][0]["id"]
    made = {name: add_rotation(emulator, support["id"], name) for name in RESERVED}
    ops = held(emulator, OPERATIONS["name"])  # the rest of the stack drifts too, as usual
    emulator.http.patch(f"{emulator.api_url}/schedules/{ops['id']}", auth=emulator.admin_auth, timeout=10,
                        json={"description": "edited on the service"}).raise_for_status()

    refreshed = project.pulumi("refresh", "--yes", "--skip-preview")
    assert "error" not in refreshed.stdout + refreshed.stderr
    state = project.resources()
    assert state["ops"]["outputs"]["description"] == "edited on the service"
    outputs, inputs = state["support"]["outputs"], state["support"]["inputs"]
    # As the service holds them, ids included; a list, each with its name: no reserved name is a key.
    assert {r["name"]: r["id"] for r in outputs["rotations"]} == {"weekly": weekly_id, **made}
    assert sorted(r["name"] for r in inputs["rotations"]) == sorted(["weekly", *RESERVED])
    for name in RESERVED:  # never a key, at any depth
        assert f'"{name}":' not in json.dumps(outputs["rotations"]) + json.dumps(inputs["rotations"])
    assert outputs["id"] == support["id"]

    drift = project.preview("--diff", "--expect-no-changes", check=False)
    assert drift.returncode != 0
    for name in RESERVED:  # the drift shows, naming each rotation
        assert f'name            : "{name}"' in drift.stdout, drift.stdout

    project.up()
    support_now, ops_now = held(emulator, SUPPORT["name"]), held(emulator, OPERATIONS["name"])
    assert [(r["name"], r["id"]) for r in support_now["rotations"]] == [("weekly", weekly_id)]
    assert without_ids(support_now) == {**SUPPORT_IN_API, "rotations": [WEEKLY_IN_API]}
    assert ops_now["description"] == ""
    state = project.resources()
    assert list(state["support"]["outputs"]["rotations"]) == ["weekly"]
    assert state["support"]["outputs"]["rotations"]["weekly"]["id"] == weekly_id
    assert state["ops"]["outputs"]["description"] == ""
    project.assert_clean_preview()


LOOKUP_AND_OVERRIDE = f'''\
import pulumi
import pulumi_jsmops as jsmops

found = jsmops.get_schedule("Made by hand")
pulumi.export("rotations", found.rotations)
cover = jsmops.ScheduleOverride(
    "cover",
    schedule_id=found.id,
    responder=jsmops.OverrideResponderArgs(type="user", id="{BOB}"),
    start_date="{NEXT_YEAR}-12-24T09:00:00+01:00",
    end_date="{NEXT_YEAR}-12-27T09:00:00+01:00",
    rotations=["{PROVIDER_KEY}", "weekly"],
)
'''


def test_get_schedule_and_an_override_on_a_schedule_with_reserved_names(tmp_path: Path, emulator: Emulator) -> None:
    response = emulator.http.post(f"{emulator.api_url}/schedules", auth=emulator.admin_auth, timeout=10, json={
        "name": "Made by hand", "teamId": TEAM,
        "rotations": [{**WEEKLY_IN_API, "name": name} for name in ["weekly", PROVIDER_KEY, SIGNATURE_KEY]]})
    response.raise_for_status()
    made = response.json()
    ids = {rotation["name"]: rotation["id"] for rotation in made["rotations"]}
    project = PulumiProject(tmp_path, emulator, program=LOOKUP_AND_OVERRIDE)

    emulator.reset_stats()
    project.up()
    # The program's lookup, then the override's rotations read once (the program gives it no
    # names keyed by name), the ownership listing and the POST.
    assert sorted(journal(emulator)) == sorted([
        ("GET", "/v1/schedules"), ("GET", f"/v1/schedules/{made['id']}/rotations"),
        ("GET", f"/v1/schedules/{made['id']}/overrides"), ("POST", f"/v1/schedules/{made['id']}/overrides")])
    exported = json.loads(project.pulumi("stack", "output", "rotations", "--json").stdout)
    assert {r["name"]: r["id"] for r in exported} == ids
    [override] = listed_overrides(emulator, made["id"])
    assert sorted(override["rotationIds"]) == sorted([ids[PROVIDER_KEY], ids["weekly"]])
    cover = project.resources(":ScheduleOverride")["cover"]["outputs"]
    assert cover["rotations"] == sorted([PROVIDER_KEY, "weekly"]) and cover["alias"] == override["alias"]
    project.preview("--expect-no-changes")
    assert held(emulator, "Made by hand")["rotations"] == made["rotations"]  # a schedule the stack does not manage


def test_import_refuses_a_reserved_name_in_one_line(project: PulumiProject, emulator: Emulator) -> None:
    response = emulator.http.post(f"{emulator.api_url}/schedules", auth=emulator.admin_auth, timeout=10, json={
        "name": "Made by hand", "teamId": TEAM, "rotations": [{**WEEKLY_IN_API, "name": PROVIDER_KEY}]})
    response.raise_for_status()
    made = response.json()
    state_before = project.state()["deployment"]

    refused = project.jsmops("import", "--stack", "test", "--id", made["id"], check=False)
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        f"jsmops: error: schedule 'Made by hand' ({made['id']}) cannot be declared as it is: rotations[0].name: "
        "'__provider' is "
        "reserved: Pulumi keeps a dynamic resource's provider under this key, and hides keys starting with '__' "
        "from previews; rename the rotation"]  # one line, no traceback
    assert project.state()["deployment"].get("resources") == state_before.get("resources")
    assert not (project.dir / "imported_schedules.py").exists()

    # The way out: the rotation renamed on the service; then it imports, and previews clean.
    rotation_id = made["rotations"][0]["id"]
    emulator.http.patch(f"{emulator.api_url}/schedules/{made['id']}/rotations/{rotation_id}", auth=emulator.admin_auth,
                        timeout=10, json={"name": "provider"}).raise_for_status()
    project.jsmops("import", "--stack", "test", "--id", made["id"])
    (project.dir / "__main__.py").write_text("import imported_schedules  # noqa: F401\n")
    assert project.resources()["made_by_hand"]["outputs"]["rotations"]["provider"]["id"] == rotation_id
    project.assert_clean_preview()
