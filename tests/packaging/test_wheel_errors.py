"""Our own errors at `up`, in the user's project on the newest SDK: the message alone. That
SDK's dynamic-provider host sends the whole Python traceback as the error of every call."""

from __future__ import annotations

import subprocess

import requests

from testkit.emulator_process import Emulator
from testkit.user_project import UserProject

PROGRAM = '''\
import pulumi_jsmops as jsmops

jsmops.Schedule("taken", name="Taken By Hand")
'''


def test_a_create_refused_by_the_service_shows_our_message_without_a_traceback(
    user_project: UserProject, emulator: Emulator
) -> None:
    requests.post(f"{emulator.api_url}/schedules", json={"name": "Taken By Hand"}, auth=emulator.admin_auth,
                  timeout=10).raise_for_status()
    (user_project.dir / "__main__.py").write_text(PROGRAM)
    user_project.pulumi("stack", "init", "errors")
    for key, value in {"baseUrl": emulator.base_url, "cloudId": emulator.cloud_id,
                       "email": emulator.admin_auth[0], "apiToken": emulator.admin_auth[1]}.items():
        user_project.pulumi("config", "set", "--stack", "errors", f"jsmops:{key}", value)

    up = subprocess.run(["pulumi", "up", "--yes", "--skip-preview", "--non-interactive", "--stack", "errors"],
                        cwd=user_project.dir, env=user_project.env, capture_output=True, text=True, timeout=600)
    output = up.stdout + up.stderr
    assert up.returncode != 0
    assert "already exists" in output and "jsmops import" in output, output
    assert "Traceback" not in output and "Exception calling application" not in output, output
    assert [s["name"] for s in emulator.schedules()] == ["Taken By Hand"]  # nothing taken over
