"""`ignore_changes` paths into one rotation (`rotations.<name>.<field>`), through the real
CLI: the rotations reach the engine keyed by name, as the state keys them, so the path
resolves on both sides. Where the program cannot name its rotations (they are an Output),
one warning names the path."""

from __future__ import annotations

import copy

import pytest

from testkit.emulator_process import Emulator
from testkit.pulumi_project import PulumiProject
from testkit.schedules import ALICE, BOB, OPERATIONS, TEAM

# schedules.json entries may carry `ignore_changes`, and `rotations_as_output` (the rotations
# handed over as an Output, whose names the program does not know while it runs).
PROGRAM = '''\
import json
from pathlib import Path

import pulumi
import pulumi_jsmops as jsmops

for resource_name, spec in json.loads(Path("schedules.json").read_text()).items():
    opts = pulumi.ResourceOptions(ignore_changes=spec.pop("ignore_changes", None))
    if spec.pop("rotations_as_output", False):
        spec["rotations"] = pulumi.Output.from_input(spec["rotations"])
    jsmops.Schedule(resource_name, **spec, opts=opts)
'''
IGNORED = "rotations.nights.participants"


@pytest.fixture
def project_program() -> str:
    return PROGRAM


def test_a_path_into_a_rotation_is_ignored_and_other_changes_apply(project: PulumiProject,
                                                                    emulator: Emulator) -> None:
    declared = {**copy.deepcopy(OPERATIONS), "ignore_changes": [IGNORED]}
    project.write_schedules({"ops": declared})
    project.up()
    [schedule] = emulator.schedules()
    nights = next(r for r in schedule["rotations"] if r["name"] == "nights")
    by_hand = [{"type": "user", "id": ALICE}, {"type": "user", "id": BOB}]
    emulator.http.patch(f"{emulator.api_url}/schedules/{schedule['id']}/rotations/{nights['id']}",
                        auth=emulator.admin_auth, timeout=10, json={"participants": by_hand}).raise_for_status()
    project.pulumi("refresh", "--yes", "--skip-preview")

    # The program still says the team; another field of that rotation, and the description, change.
    declared["rotations"][1]["length"] = 8
    declared["description"] = "edited"
    project.write_schedules({"ops": declared})
    project.up()
    [schedule] = emulator.schedules()
    nights = next(r for r in schedule["rotations"] if r["name"] == "nights")
    assert (nights["participants"], nights["length"], schedule["description"]) == (by_hand, 8, "edited")
    outputs = project.resources()["ops"]["outputs"]
    assert outputs["rotations"]["nights"]["participants"] == by_hand
    assert (outputs["rotations"]["nights"]["length"], outputs["description"]) == (8, "edited")
    project.assert_clean_preview()

    # Rotations the program cannot name: the path cannot apply, and one warning says so.
    other = {"name": "Data", "team_id": TEAM, "rotations_as_output": True, "ignore_changes": [IGNORED],
             "rotations": [{"name": "nights", "type": "daily", "start_date": "2026-01-05T08:00:00Z"}]}
    project.write_schedules({"ops": declared, "data": other})
    diagnostics = project.preview().stdout.split("Diagnostics:", 1)[1]
    warning = f"warning: ignore_changes path '{IGNORED}' cannot apply: the program does not know the rotations' names"
    assert diagnostics.count(warning) == 1, diagnostics
    assert "pulumi-python:dynamic/jsmops:Schedule (data):\n    " + warning in diagnostics  # under its resource


def test_which_paths_warn_and_why() -> None:
    from pulumi_jsmops.schedule import _keyed_by_name

    weekly, nights = {"name": "weekly", "type": "weekly"}, {"name": "nights", "type": "daily"}
    keyed, warnings = _keyed_by_name([weekly, nights], ["rotations.weekly.participants", 'rotations["nights"]',
                                                        "rotations[*].length", "rotations", "description"])
    assert keyed == {"weekly": {"type": "weekly"}, "nights": {"type": "daily"}} and warnings == []
    _, warnings = _keyed_by_name([weekly], ["rotations.other.length", "rotations[0].length"])
    assert [w.split(": ", 1)[1] for w in warnings] == [
        "it names no rotation the program declares; only 'rotations' as a whole can be ignored then",
        "rotations are keyed by name: write rotations.<name>; only 'rotations' as a whole can be ignored then"]
    listed, warnings = _keyed_by_name([weekly, weekly], ["rotations.weekly.length"])
    assert listed == [weekly, weekly] and "two rotations have one name" in warnings[0]  # check reports them
    assert "declares no rotations" in _keyed_by_name(None, ["rotations.weekly"])[1][0]
