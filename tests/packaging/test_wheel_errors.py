"""Our own errors in the user's project on the newest SDK: the message alone. That SDK's
dynamic-provider host sends the whole Python traceback as the error of every call, also of
the first call of a `refresh` or `destroy`, the one that loads the provider."""

from __future__ import annotations

import subprocess

import requests

from testkit.emulator_process import Emulator
from testkit.user_project import UserProject

PROGRAM = '''\
import pulumi_jsmops as jsmops

jsmops.Schedule("taken", name="Taken By Hand")
'''


def pulumi(project: UserProject, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["pulumi", *args, "--non-interactive"], cwd=project.dir, env=project.env,
                          capture_output=True, text=True, timeout=600)


def set_settings(project: UserProject, stack: str, emulator: Emulator) -> None:
    for key, value in {"baseUrl": emulator.base_url, "cloudId": emulator.cloud_id,
                       "email": emulator.admin_auth[0], "apiToken": emulator.admin_auth[1]}.items():
        project.pulumi("config", "set", "--stack", stack, f"jsmops:{key}", value)


def test_a_create_refused_by_the_service_shows_our_message_without_a_traceback(
    user_project: UserProject, emulator: Emulator
) -> None:
    requests.post(f"{emulator.api_url}/schedules", json={"name": "Taken By Hand"}, auth=emulator.admin_auth,
                  timeout=10).raise_for_status()
    (user_project.dir / "__main__.py").write_text(PROGRAM)
    user_project.pulumi("stack", "init", "errors")
    set_settings(user_project, "errors", emulator)

    up = pulumi(user_project, "up", "--yes", "--skip-preview", "--stack", "errors")
    output = up.stdout + up.stderr
    assert up.returncode != 0
    assert "already exists" in output and "jsmops import" in output, output
    assert "Traceback" not in output and "Exception calling application" not in output, output
    assert [s["name"] for s in emulator.schedules()] == ["Taken By Hand"]  # nothing taken over


def test_a_failing_refresh_or_destroy_shows_our_message_without_a_traceback(
    user_project: UserProject, emulator: Emulator
) -> None:
    (user_project.dir / "__main__.py").write_text(PROGRAM.replace("Taken By Hand", "Made Here"))
    user_project.pulumi("stack", "init", "first-call")
    set_settings(user_project, "first-call", emulator)
    user_project.pulumi("up", "--yes", "--skip-preview", "--stack", "first-call")
    (made,) = emulator.schedules()

    # The engine gives refresh and destroy the settings the state holds: the service refuses instead.
    for method in ("GET", "DELETE"):
        emulator.add_fault(method=method, action="status", status=401, count=100)
    for command in ("refresh", "destroy"):
        result = pulumi(user_project, command, "--yes", "--stack", "first-call")
        output = result.stdout + result.stderr
        assert result.returncode != 0
        assert "failed with 401 (the email or API token is not valid" in output, output
        assert "Traceback" not in output and "pulumi_jsmops.errors" not in output, output
    emulator.clear_faults()
    assert [s["id"] for s in emulator.schedules()] == [made["id"]]  # nothing lost
