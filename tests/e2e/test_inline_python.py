"""An inline Automation API program whose Pulumi CLI is installed apart from its venv, as a
new user's usually is: the engine starts the dynamic provider with `python3` from PATH
(the SDK's `pulumi-resource-pulumi-python` shim; an inline program names no virtualenv),
not with the program's interpreter. `PULUMI_PYTHON_CMD` in the workspace's environment
points it at the program's venv, as the `Schedule` docstring says."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from testkit.emulator_process import Emulator
from testkit.pulumi_project import PulumiProject
from testkit.schedules import TEAM


def inline_up(tmp_path: Path, emulator: Emulator, name: str, extra_env: dict[str, str]) -> str:
    """`up` then `destroy` of an inline program; answers the failure's text, or "" when both passed."""
    from pulumi import automation as auto

    import pulumi_jsmops as jsmops

    cli_root = Path(shutil.which("pulumi") or "pulumi").resolve().parent.parent  # the CLI's own install, not the venv
    # A PATH whose python3 has no Pulumi SDK: the CLI's directory and an interpreter without site-packages.
    bare = tmp_path / f"{name}-bin"
    bare.mkdir()
    (bare / "python3").write_text(f"#!/bin/sh\nexec {sys.base_prefix}/bin/python3 -S \"$@\"\n")
    (bare / "python3").chmod(0o755)
    env = {**PulumiProject(tmp_path / name, emulator).env, "PATH": f"{cli_root / 'bin'}:{bare}:/usr/bin:/bin",
           **extra_env}
    work_dir = tmp_path / f"{name}-inline"
    work_dir.mkdir()

    def program() -> None:
        jsmops.Schedule("inline", name=f"Inline {name}", team_id=TEAM)

    stack = auto.create_or_select_stack(name, project_name="inline", program=program,
                                        opts=auto.LocalWorkspaceOptions(
                                            work_dir=str(work_dir), env_vars=env,
                                            pulumi_command=auto.PulumiCommand(root=str(cli_root),
                                                                              skip_version_check=True)))
    try:
        stack.up(on_output=lambda _: None)
        stack.destroy(on_output=lambda _: None)
    except auto.errors.CommandError as failed:
        return str(failed)
    return ""


def test_with_pulumi_python_cmd_an_inline_program_comes_up_and_down(tmp_path: Path, emulator: Emulator) -> None:
    emulator.reset_stats()
    assert inline_up(tmp_path, emulator, "told", {"PULUMI_PYTHON_CMD": sys.executable}) == ""
    assert emulator.stats()["by_method"] == {"POST": 1, "DELETE": 1}  # made, then destroyed
    assert emulator.schedules() == []


def test_without_it_the_provider_finds_no_pulumi(tmp_path: Path, emulator: Emulator) -> None:
    failure = inline_up(tmp_path, emulator, "untold", {})
    assert "No module named 'pulumi'" in failure  # what the documented setting avoids
    assert emulator.schedules() == []
