"""A wrong cloud id is a configuration error, never "every schedule was deleted elsewhere"."""

from __future__ import annotations

from testkit.emulator_process import Emulator
from testkit.pulumi_project import PulumiProject
from testkit.schedules import DATA


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
