"""The API token appears in no state, log, generated code or error message."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
