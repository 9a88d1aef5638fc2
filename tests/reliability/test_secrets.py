"""The API token appears in no state, log, generated code or error message, also when the
service echoes it back."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import requests

from testkit.emulator_process import Emulator
from testkit.pulumi_project import PulumiProject
from testkit.schedules import DATA, SUPPORT, TEAM


def run_everything(project: PulumiProject, emulator: Emulator, *verbose: str, env: dict | None = None) -> str:
    """up, preview, refresh, a failing up, an import and destroy; what they printed."""
    project.write_schedules({"support": SUPPORT})
    project.pulumi("up", "--yes", "--skip-preview", *verbose, env=env)
    project.pulumi("preview", "--diff", *verbose, env=env)
    project.pulumi("refresh", "--yes", *verbose, env=env)
    emulator.add_fault(method="POST", action="status", status=500, count=10)
    project.write_schedules({"support": SUPPORT, "data": DATA})
    failed = project.pulumi("up", "--yes", "--skip-preview", *verbose, env=env, check=False)
    assert failed.returncode != 0 and "failed with 500" in failed.stdout
    emulator.clear_faults()
    requests.post(f"{emulator.api_url}/schedules", json={"name": "Made by hand", "teamId": TEAM},
                  auth=emulator.admin_auth, timeout=10).raise_for_status()
    imported = subprocess.run([str(Path(sys.executable).parent / "jsmops"), "import", "--stack", "test",
                               "--name-prefix", "Made by"], cwd=project.dir, env={**project.env, **(env or {})},
                              capture_output=True, text=True, timeout=300)
    assert imported.returncode == 0, imported.stderr
    project.pulumi("destroy", "--yes", *verbose, env=env)
    return imported.stdout + imported.stderr + (project.dir / "imported_schedules.py").read_text()


def test_token_from_the_environment_is_nowhere_even_in_verbose_logs(tmp_path: Path, emulator: Emulator) -> None:
    project = PulumiProject(tmp_path, emulator)
    token = project.env["JSMOPS_API_TOKEN"]
    grpc_log = tmp_path / "grpc.log"
    verbose_env = {"PULUMI_DEBUG_GRPC": str(grpc_log), "JSMOPS_LOG_LEVEL": "DEBUG"}
    extra = run_everything(project, emulator, "--logtostderr", "-v=9", env=verbose_env)

    logs = "".join(project.transcript) + extra + grpc_log.read_text()
    assert "jsmops: DEBUG" in logs and "POST /v1/schedules" in logs  # our own debug lines are in there
    assert token not in logs
    assert token not in project.state_files_text()


def test_token_from_the_stack_config_is_in_no_state_output_or_code(tmp_path: Path, emulator: Emulator) -> None:
    project = PulumiProject(tmp_path, emulator, token_in_env=False)
    token = emulator.admin_auth[1]
    project.pulumi("config", "set", "--secret", "jsmops:apiToken", token)
    extra = run_everything(project, emulator, env={"JSMOPS_LOG_LEVEL": "DEBUG"})

    assert token not in "".join(project.transcript) + extra
    assert token not in project.state_files_text()  # stored only as the config's ciphertext
    assert token not in (project.dir / "Pulumi.test.yaml").read_text()


# Every form the emulator can echo the request's credentials in, as some gateways do.
ECHO = ["header", "header-cut", "header-percent", "headers-json", "token", "base64url"]


def written_forms(email: str, token: str) -> list[str]:
    """The credentials as a service may echo them: none may show anywhere."""
    credentials = f"{email}:{token}".encode()
    encoded = [base64.b64encode(credentials).decode(), base64.urlsafe_b64encode(credentials).decode()]
    forms = [token, json.dumps(token), *encoded, *(text.rstrip("=") for text in encoded)]
    return [*forms, *(quote(text, safe="") for text in forms), token[:8], encoded[0][:8]]


def test_credentials_the_service_echoes_are_redacted_everywhere(tmp_path: Path, emulator: Emulator) -> None:
    """Issue 18.5: a create answered 502 and a refresh and an import answered 401, each
    echoing the request's Authorization header in every form (its start, percent-encoded,
    in JSON, the token, base64url): the errors and our debug log say what the service said,
    the credentials redacted, and no output, log or state holds any form of them."""
    project = PulumiProject(tmp_path, emulator)
    email, token = emulator.admin_auth
    verbose_env = {"JSMOPS_LOG_LEVEL": "DEBUG"}
    redacted = "could not verify 'Basic [redacted]'; could not verify 'Basic [redacted]…'; " \
               "could not verify 'Basic%20[redacted]'; could not verify '{\"Authorization\": \"Basic [redacted]\"}'; " \
               "could not verify '[redacted]'; could not verify '[redacted]'"

    emulator.add_fault(method="POST", action="status", status=502, echo=ECHO, count=1)
    project.write_schedules({"support": SUPPORT})
    made = project.pulumi("up", "--yes", "--skip-preview", "--logtostderr", "-v=9", env=verbose_env)
    logged = made.stdout + made.stderr
    assert "outcome of POST /v1/schedules for a schedule of that name unknown (failed with 502" in logged
    assert redacted in logged  # our log line, at INFO
    [schedule] = emulator.schedules()
    assert project.resources()["support"]["id"] == schedule["id"]

    emulator.add_fault(method="GET", action="status", status=401, echo=ECHO, count=1)
    refreshed = project.pulumi("refresh", "--yes", env=verbose_env, check=False)
    assert refreshed.returncode != 0
    assert f"GET /v1/schedules/{schedule['id']} failed with 401" in refreshed.stdout
    assert redacted in refreshed.stdout

    emulator.add_fault(method="GET", action="status", status=401, echo=ECHO, count=1)
    imported = project.jsmops("import", "--stack", "test", "--all", check=False)
    assert imported.returncode == 1
    assert imported.stderr.startswith("jsmops: error: GET /v1/schedules failed with 401")
    assert redacted in imported.stderr

    shown = "".join(project.transcript) + project.state_files_text()
    assert [form for form in written_forms(email, token) if form in shown] == []
    assert emulator.faults() == [] and set(project.resources()) == {"support"}
