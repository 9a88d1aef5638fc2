"""Permissions and credentials: each failure says what is wrong and how to fix it."""

from __future__ import annotations

from testkit.emulator_process import Emulator
from testkit.pulumi_project import PulumiProject
from testkit.schedules import DATA


def failed_up(project: PulumiProject) -> str:
    result = project.pulumi("up", "--yes", "--skip-preview", check=False)
    assert result.returncode != 0
    return result.stdout + result.stderr


def test_a_read_only_token_gets_a_clear_error_on_write(project: PulumiProject, emulator: Emulator) -> None:
    project.env.update({"JSMOPS_EMAIL": emulator.viewer_auth[0], "JSMOPS_API_TOKEN": emulator.viewer_auth[1]})
    project.write_schedules({"data": DATA})
    output = failed_up(project)
    assert "POST /v1/schedules failed with 403 (the API token's user lacks permission for this operation)" in output
    assert emulator.schedules() == [] and project.resources() == {}


def test_a_wrong_token_gets_a_clear_401_message(project: PulumiProject, emulator: Emulator) -> None:
    project.env["JSMOPS_API_TOKEN"] = "wrong-token-1234"
    project.write_schedules({"data": DATA})
    output = failed_up(project)
    assert "failed with 401 (the email or API token is not valid; check jsmops:email and jsmops:apiToken)" in output
    assert "wrong-token-1234" not in output


def test_a_missing_token_says_how_to_set_it(project: PulumiProject, emulator: Emulator) -> None:
    del project.env["JSMOPS_API_TOKEN"]
    project.write_schedules({"data": DATA})
    output = failed_up(project)
    assert ("jsmops:apiToken is not set; run `pulumi config set --secret jsmops:apiToken <value>` "
            "or set the environment variable JSMOPS_API_TOKEN") in output
    assert emulator.stats()["total"] == 0
