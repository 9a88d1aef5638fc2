"""A schedule's rotation ids in previews, as the `Schedule.rotations` docstring shows them
(`schedule.rotations.apply(lambda r: r["weekly"]["id"])`), through the real CLI and engine:
in a preview of a schedule that is created or changes they are not known yet, so the
program's callbacks wait for `up` instead of failing; rotations that stay keep their ids."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from testkit.emulator_process import Emulator
from testkit.pulumi_project import PulumiProject
from testkit.schedules import ALICE, SUPPORT

# The docstring's example, and a record of what each callback saw (in a preview or not).
PROGRAM = '''\
import json
from pathlib import Path

import pulumi
import pulumi_jsmops as jsmops

def record(rotations):
    with open("seen.jsonl", "a") as seen:
        seen.write(json.dumps({"preview": pulumi.runtime.is_dry_run(), "rotations": rotations}) + "\\n")
    return rotations

for resource_name, spec in json.loads(Path("schedules.json").read_text()).items():
    schedule = jsmops.Schedule(resource_name, **spec)
    pulumi.export("weekly_id", schedule.rotations.apply(lambda r: r["weekly"]["id"]))
    pulumi.export("ids", schedule.rotations.apply(lambda r: {name: rotation["id"] for name, rotation in r.items()}))
    schedule.rotations.apply(record)
'''

HOLIDAYS = {"name": "holidays", "type": "daily", "start_date": "2026-12-24T00:00:00Z",
            "participants": [{"type": "user", "id": ALICE}]}


def held_ids(emulator: Emulator) -> dict[str, str]:
    (schedule,) = emulator.schedules()
    return {rotation["name"]: rotation["id"] for rotation in schedule["rotations"]}


def seen_by_callbacks(project: PulumiProject) -> list[dict]:
    seen = project.dir / "seen.jsonl"
    records = [json.loads(line) for line in seen.read_text().splitlines()] if seen.exists() else []
    seen.unlink(missing_ok=True)
    return records


def test_the_docstring_example_previews_and_rotations_keep_their_ids(tmp_path: Path, emulator: Emulator) -> None:
    project = PulumiProject(tmp_path, emulator, program=PROGRAM)
    project.write_schedules({"support": SUPPORT})
    project.pulumi("up", "--yes")  # with its preview, where the schedule is new
    created = held_ids(emulator)
    assert json.loads(project.pulumi("stack", "output", "--json").stdout) == {
        "weekly_id": created["weekly"], "ids": created}
    assert all(record["rotations"]["weekly"]["id"] == created["weekly"] for record in seen_by_callbacks(project))

    # A description edit: the preview runs; its callbacks wait for the ids.
    edited = copy.deepcopy(SUPPORT)
    edited["description"] = "only the description"
    project.write_schedules({"support": edited})
    emulator.reset_stats()
    preview = project.preview()
    assert "1 to update" in preview.stdout
    assert emulator.stats()["total"] == 0
    assert seen_by_callbacks(project) == []  # waiting for `up`: the ids are not known in this preview
    assert json.loads(project.pulumi("stack", "output", "--json").stdout)["weekly_id"] == created["weekly"]

    # A rotation added: previewed, then made; the rotation that stays keeps its id.
    edited["rotations"].append(HOLIDAYS)
    project.write_schedules({"support": edited})
    project.pulumi("up", "--yes")
    after = held_ids(emulator)
    assert after["weekly"] == created["weekly"] and set(after) == {"weekly", "holidays"}
    assert json.loads(project.pulumi("stack", "output", "--json").stdout) == {"weekly_id": after["weekly"],
                                                                               "ids": after}
    records = seen_by_callbacks(project)
    assert [record["preview"] for record in records] == [False]  # the preview's callback waited for `up`
    assert records[0]["rotations"]["holidays"]["id"] == after["holidays"]
    project.assert_clean_preview()


LIFTED_PROGRAM = '''\
import pulumi
import pulumi_jsmops as jsmops

schedule = jsmops.Schedule("lifted", name="Lifted", rotations=[jsmops.RotationArgs(
    name="weekly", type="weekly", start_date="2026-01-05T09:00:00+01:00")])
schedule.rotations["weekly"]["type"].apply(lambda kind: pulumi.log.info(f"type known: {kind}"))
schedule.rotations["weekly"]["id"].apply(lambda rotation_id: pulumi.log.info(f"id known: {rotation_id}"))
'''


def test_lifted_fields_are_known_in_a_preview_and_the_id_is_not(tmp_path: Path, emulator: Emulator) -> None:
    project = PulumiProject(tmp_path, emulator, program=LIFTED_PROGRAM)
    preview = project.preview()
    assert "type known: weekly" in preview.stdout and "id known" not in preview.stdout, preview.stdout
    up = project.up()
    (schedule,) = emulator.schedules()
    assert f"id known: {schedule['rotations'][0]['id']}" in up.stdout, up.stdout
