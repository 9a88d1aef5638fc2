"""`jsmops.get_schedule` in a real program: finds a schedule made outside the stack; a
missing schedule or missing settings stop the program with a clear message, no traceback."""

from __future__ import annotations

import requests

from testkit.emulator_process import Emulator
from testkit.pulumi_project import PulumiProject
from testkit.schedules import TEAM

LOOKUP = '''\
import pulumi
import pulumi_jsmops as jsmops

found = jsmops.get_schedule("Made by hand")
pulumi.export("id", found.id)
pulumi.export("team_id", found.team_id)
'''


def test_finds_a_schedule_made_outside_the_stack(tmp_path, emulator: Emulator) -> None:
    made = requests.post(f"{emulator.api_url}/schedules", json={"name": "Made by hand", "teamId": TEAM},
                         auth=emulator.admin_auth, timeout=10).json()
    project = PulumiProject(tmp_path, emulator, program=LOOKUP)
    project.up()
    outputs = project.pulumi("stack", "output", "--json").stdout
    assert made["id"] in outputs and TEAM in outputs


def test_no_such_schedule_is_a_message_not_a_traceback(tmp_path, emulator: Emulator) -> None:
    project = PulumiProject(tmp_path, emulator, program=LOOKUP)
    result = project.preview(check=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "get_schedule(name='Made by hand'): no schedule has this name" in output
    assert "Traceback" not in output


def test_missing_settings_are_a_message_not_a_traceback(tmp_path, emulator: Emulator) -> None:
    project = PulumiProject(tmp_path, emulator, program=LOOKUP)
    del project.env["JSMOPS_CLOUD_ID"]
    emulator.reset_stats()
    result = project.preview(check=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "get_schedule(name='Made by hand'): " in output and "cloudId" in output
    assert "Traceback" not in output
    assert emulator.stats()["total"] == 0
