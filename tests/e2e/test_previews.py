"""What `pulumi preview` shows and checks, through the real CLI and engine against the
emulator: rotation diffs by name, inputs that come from other resources, and the provider
settings."""

from __future__ import annotations

import copy
import re

from testkit.emulator_process import Emulator
from testkit.pulumi_project import PulumiProject
from testkit.schedules import ALICE, BOB, OPERATIONS, TEAM

HOLIDAYS = {"name": "holidays", "type": "daily", "start_date": "2026-12-24T00:00:00Z",
            "participants": [{"type": "user", "id": ALICE}]}


def diff_lines(output: str) -> list[str]:
    """The property lines of a `preview --diff`, marks and names only, without colour codes."""
    plain = re.sub(r"\x1b\[[0-9;]*m", "", output)
    return [line.strip() for line in plain.splitlines() if re.match(r"\s*[-+~]\s+[\w \"]+:", line)]


def preview_diff(project: PulumiProject, emulator: Emulator, operations: dict) -> str:
    project.write_schedules({"ops": operations})
    emulator.reset_stats()
    output = project.preview("--diff").stdout
    assert emulator.stats()["total"] == 0
    return output


def test_rotation_diffs_name_the_rotation_that_changed(project: PulumiProject, emulator: Emulator) -> None:
    project.write_schedules({"ops": OPERATIONS})
    project.up()

    # Added before the others in name order: shown as one new rotation, the others untouched.
    added = copy.deepcopy(OPERATIONS)
    added["rotations"].append(HOLIDAYS)
    output = preview_diff(project, emulator, added)
    lines = diff_lines(output)
    assert any(line.startswith("+ holidays") for line in lines), output
    assert not any("business days" in line or "nights" in line for line in lines), output
    assert "1 to update" in output

    # Removing one shows that one removed, nothing renamed.
    removed = copy.deepcopy(OPERATIONS)
    del removed["rotations"][0]
    output = preview_diff(project, emulator, removed)
    lines = diff_lines(output)
    assert any(line.startswith('- "business days"') or line.startswith("- business days") for line in lines), output
    assert not any("nights" in line for line in lines), output

    # Editing one shows that rotation's changed field only.
    edited = copy.deepcopy(OPERATIONS)
    edited["rotations"][1]["participants"] = [{"type": "user", "id": BOB}]
    output = preview_diff(project, emulator, edited)
    lines = diff_lines(output)
    assert any(line.startswith("~ nights") for line in lines), output
    assert not any("business days" in line for line in lines), output
    assert any(line.startswith("~ id") and TEAM in line and BOB in line for line in lines), output


UNKNOWN_INPUTS_PROGRAM = '''\
import pulumi
import pulumi_jsmops as jsmops

escalations = jsmops.Schedule("escalations", name="Escalations", team_id="{team}")
support = jsmops.Schedule(
    "support",
    name="Support",
    team_id="{team}",
    description=escalations.id.apply(lambda id_: f"escalates to {{id_}}"),
    rotations=[jsmops.RotationArgs(
        name="weekly", type="weekly", start_date="2026-01-05T09:00:00+01:00",
        participants=[jsmops.ParticipantArgs(type="escalation", id=escalations.id)],
    )],
)
pulumi.export("support", support.id)
'''


def test_inputs_from_other_resources_preview_then_converge(tmp_path, emulator: Emulator) -> None:
    project = PulumiProject(tmp_path, emulator, program=UNKNOWN_INPUTS_PROGRAM.format(team=TEAM))
    preview = project.preview("--diff")
    assert "+ 3 to create" in preview.stdout  # the stack and two schedules
    assert emulator.stats()["total"] == 0

    project.up()
    escalations, support = (s for name in ("Escalations", "Support")
                            for s in emulator.schedules() if s["name"] == name)
    assert support["description"] == f"escalates to {escalations['id']}"
    assert support["rotations"][0]["participants"] == [{"type": "escalation", "id": escalations["id"]}]
    project.assert_clean_preview()


def test_missing_or_malformed_settings_fail_the_preview(project: PulumiProject, emulator: Emulator) -> None:
    project.write_schedules({"ops": OPERATIONS})
    emulator.reset_stats()

    missing = project.preview(check=False, env={"JSMOPS_CLOUD_ID": ""})
    assert missing.returncode != 0
    output = missing.stdout + missing.stderr
    assert "jsmops:cloudId" in output and "pulumi config set jsmops:cloudId" in output, output
    assert "Traceback" not in output

    project.pulumi("config", "set", "jsmops:baseUrl", "not a url")
    malformed = project.preview(check=False)
    assert malformed.returncode != 0
    output = malformed.stdout + malformed.stderr
    assert "jsmops:baseUrl" in output and "Traceback" not in output, output
    assert emulator.stats()["total"] == 0


IGNORED_ROTATIONS_PROGRAM = '''\
import json
from pathlib import Path

import pulumi
import pulumi_jsmops as jsmops

spec = json.loads(Path("schedules.json").read_text())["ops"]
jsmops.Schedule("ops", **spec, opts=pulumi.ResourceOptions(ignore_changes=["rotations"]))
'''


def test_ignore_changes_of_rotations_keeps_them_as_the_state_has_them(tmp_path, emulator: Emulator) -> None:
    # The engine puts the state's inputs (rotations keyed by name) in place of the program's.
    project = PulumiProject(tmp_path, emulator, program=IGNORED_ROTATIONS_PROGRAM)
    project.write_schedules({"ops": OPERATIONS})
    project.up()
    edited = copy.deepcopy(OPERATIONS)
    edited["rotations"][1]["length"] = 6
    project.write_schedules({"ops": edited})
    emulator.reset_stats()
    project.preview("--expect-no-changes")
    project.write_schedules({"ops": {**edited, "description": "changed"}})
    project.up()
    assert [entry["body"] for entry in emulator.requests()] == [{"description": "changed"}]
