"""The repo's own example stack (stacks/), run from the repo root the way the README says:
`pulumi up` with nothing activated (a bare PATH), against the emulator."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from testkit.emulator_process import Emulator

REPO = Path(__file__).resolve().parents[2]


def test_example_stack_runs_from_the_repo_root_without_activation(tmp_path: Path, emulator: Emulator) -> None:
    pulumi = shutil.which("pulumi")
    assert pulumi, "no pulumi on PATH: run `make toolchain`"
    assert (REPO / "stacks" / ".venv").exists(), "stacks/.venv is missing: run `make venv`"
    env = {
        "HOME": os.environ["HOME"],
        "PATH": "/usr/bin:/bin",  # no venv: Pulumi.yaml's virtualenv option must do it
        "PULUMI_BACKEND_URL": f"file://{tmp_path}",
        "PULUMI_CONFIG_PASSPHRASE": "jsmops-demo",  # the demo stack's documented passphrase
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "JSMOPS_BASE_URL": emulator.base_url,
    }

    def run(*args: str) -> str:
        result = subprocess.run([pulumi, *args, "--stack", "demo", "--non-interactive"], cwd=REPO, env=env,
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    subprocess.run([pulumi, "stack", "init", "demo", "--non-interactive"], cwd=REPO, env=env, check=True,
                   capture_output=True)
    run("up", "--yes", "--skip-preview")
    assert sorted(s["name"] for s in emulator.schedules()) == [
        "Customer Support", "Database Migration Watch", "Platform On-Call"]
    run("preview", "--expect-no-changes")
    run("destroy", "--yes")
    assert emulator.schedules() == []
