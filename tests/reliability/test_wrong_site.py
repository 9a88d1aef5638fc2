"""A wrong cloud id is a configuration error, never "every schedule was deleted elsewhere"."""

from __future__ import annotations

import copy

from testkit.emulator_process import Emulator
from testkit.pulumi_project import PulumiProject
from testkit.schedules import DATA, SUPPORT


def test_refresh_with_a_wrong_cloud_id_keeps_the_state(project: PulumiProject, emulator: Emulator) -> None:
    project.write_schedules({"data": DATA})
    project.up()
    held = project.resources()["data"]["id"]

    project.env["JSMOPS_CLOUD_ID"] = "no-such-site"
    refreshed = project.pulumi("refresh", "--yes", check=False)
    output = refreshed.stdout + refreshed.stderr
    assert refreshed.returncode != 0
    assert "no site with the cloud id 'no-such-site'" in output and "jsmops:cloudId" in output
    destroyed = project.pulumi("destroy", "--yes", check=False)
    assert destroyed.returncode != 0

    assert project.resources()["data"]["id"] == held  # still in the state
    assert [s["id"] for s in emulator.schedules()] == [held]  # and on the service


def test_create_and_update_with_a_wrong_cloud_id_name_the_setting(project: PulumiProject, emulator: Emulator) -> None:
    support = copy.deepcopy(SUPPORT)
    support["rotations"].append({**support["rotations"][0], "name": "second"})
    project.write_schedules({"support": support})
    project.up()
    held = copy.deepcopy(emulator.schedules())
    state = project.resources()["support"]["outputs"]

    project.env["JSMOPS_CLOUD_ID"] = "no-such-site"
    edits = {
        "a new schedule": {"support": support, "data": DATA},
        "the description": {"support": {**support, "description": "edited"}},
        "a rotation removed": {"support": {**support, "rotations": support["rotations"][:1]}},
    }
    for what, schedules in edits.items():
        project.write_schedules(schedules)
        result = project.pulumi("up", "--yes", "--skip-preview", check=False)
        output = result.stdout + result.stderr
        assert result.returncode != 0, what
        assert "no site with the cloud id 'no-such-site'" in output and "jsmops:cloudId" in output, (what, output)
        assert "deleted outside Pulumi" not in output, (what, output)
        assert emulator.schedules() == held, what  # nothing changed on the service
        assert project.resources()["support"]["outputs"] == state, what  # nor in the state
        assert "data" not in project.resources(), what
