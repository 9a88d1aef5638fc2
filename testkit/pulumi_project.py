"""A throwaway Pulumi project driven through the real `pulumi` CLI, for end-to-end tests.

Its program declares one `jsmops.Schedule` per entry of `schedules.json` (resource name ->
keyword arguments), so a test changes the program by writing that file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from testkit.emulator_process import Emulator

PASSPHRASE = "e2e-passphrase"

PROGRAM = '''\
import json
from pathlib import Path

import pulumi
import pulumi_jsmops as jsmops

for resource_name, spec in json.loads(Path("schedules.json").read_text()).items():
    schedule = jsmops.Schedule(resource_name, **spec)
    pulumi.export(resource_name, schedule.id)
'''


class PulumiError(AssertionError):
    pass


class PulumiProject:
    """A project dir with one stack, `test`, in a local file backend of its own unless
    `backend_url` names another (then the stack is selected if it exists already)."""

    def __init__(self, root: Path, emulator: Emulator, *, program: str = PROGRAM, token_in_env: bool = True,
                 backend_url: str | None = None):
        self.root = root
        self.dir = root / "project"
        self.state_dir = root / "state"
        self.dir.mkdir(parents=True)
        self.state_dir.mkdir()
        self.emulator = emulator
        self.transcript: list[str] = []  # every command's output, for secret scans
        venv = Path(sys.prefix)
        (self.dir / "Pulumi.yaml").write_text(
            f"name: e2e\nruntime:\n  name: python\n  options:\n    virtualenv: {venv}\n"
        )
        (self.dir / "__main__.py").write_text(program)
        self.env = {
            **os.environ,
            "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
            "PULUMI_BACKEND_URL": backend_url or f"file://{self.state_dir}",
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "JSMOPS_BASE_URL": emulator.base_url,
            "JSMOPS_CLOUD_ID": emulator.cloud_id,
            "JSMOPS_EMAIL": emulator.admin_auth[0],
        }
        for name in [k for k in self.env if k.startswith("JSMOPS_API_TOKEN")]:
            del self.env[name]
        if token_in_env:
            self.env["JSMOPS_API_TOKEN"] = emulator.admin_auth[1]
        self.write_schedules({})
        self.pulumi("stack", "select", "--create", "test")

    def write_schedules(self, schedules: dict[str, dict[str, Any]]) -> None:
        (self.dir / "schedules.json").write_text(json.dumps(schedules, indent=2))

    def pulumi(self, *args: str, check: bool = True, env: dict[str, str] | None = None,
               timeout: float = 300) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            ["pulumi", *args, "--non-interactive"], cwd=self.dir, env={**self.env, **(env or {})},
            capture_output=True, text=True, timeout=timeout,
        )
        self.transcript += [result.stdout, result.stderr]
        if check and result.returncode != 0:
            raise PulumiError(f"pulumi {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
        return result

    def jsmops(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """The venv's `jsmops` command, run in the project directory."""
        result = subprocess.run([str(Path(sys.prefix) / "bin" / "jsmops"), *args], cwd=self.dir, env=self.env,
                                capture_output=True, text=True, timeout=300)
        self.transcript += [result.stdout, result.stderr]
        if check and result.returncode != 0:
            raise PulumiError(f"jsmops {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
        return result

    def up(self, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        return self.pulumi("up", "--yes", "--skip-preview", **kwargs)

    def preview(self, *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        return self.pulumi("preview", *args, **kwargs)

    def assert_clean_preview(self, env: dict[str, str] | None = None) -> None:
        """`pulumi preview --expect-no-changes` passes, and asks the service nothing."""
        self.emulator.reset_stats()
        self.preview("--expect-no-changes", env=env)
        assert self.emulator.stats()["total"] == 0

    def state(self) -> dict[str, Any]:
        return json.loads(self.pulumi("stack", "export").stdout)

    def resources(self, type_suffix: str = ":Schedule") -> dict[str, dict[str, Any]]:
        """The stack's schedules in the state, by resource name."""
        return {
            r["urn"].rsplit("::", 1)[1]: r
            for r in self.state()["deployment"].get("resources", [])
            if r["type"].endswith(type_suffix)
        }

    def state_files_text(self) -> str:
        """Everything the file backend wrote (state, backups, history)."""
        return "\n".join(p.read_text(errors="replace") for p in self.state_dir.rglob("*") if p.is_file())
