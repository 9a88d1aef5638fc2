"""What the service holds reads back, even a shape a program may not declare: a schedule
given two rotations of one name outside Pulumi is refreshed into the state, previews as a
change, and the next `up` puts the declared rotations back."""

from __future__ import annotations

from testkit.emulator_process import Emulator
from testkit.pulumi_project import PulumiProject
from testkit.schedules import SUPPORT, SUPPORT_IN_API


def test_duplicate_rotation_names_made_outside_pulumi_read_back_and_are_repaired(project: PulumiProject,
                                                                                  emulator: Emulator) -> None:
    project.write_schedules({"support": SUPPORT})
    project.up()
    [made] = emulator.schedules()
    rotation = SUPPORT_IN_API["rotations"][0]
    emulator.http.patch(f"{emulator.api_url}/schedules/{made['id']}", auth=emulator.admin_auth, timeout=10,
                        json={"rotations": [rotation, {**rotation, "length": 2}]}).raise_for_status()

    project.pulumi("refresh", "--yes", "--skip-preview")
    outputs = project.resources()["support"]["outputs"]
    assert [(r["name"], r["length"]) for r in outputs["rotations"]] == [("weekly", 1), ("weekly", 2)]
    drift = project.preview("--expect-no-changes", check=False)
    assert drift.returncode != 0  # the drift shows

    project.up()
    [repaired] = emulator.schedules()
    assert [(r["name"], r["length"]) for r in repaired["rotations"]] == [("weekly", 1)]
    assert project.resources()["support"]["id"] == made["id"]
    project.preview("--expect-no-changes")
