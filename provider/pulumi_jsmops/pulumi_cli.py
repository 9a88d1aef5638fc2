"""The `pulumi` CLI on one stack of a project, as the `jsmops` commands run it."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Optional

from .errors import JsmOpsError


def run_pulumi(
    stack: str,
    project_dir: Path,
    *args: str,
    failure: type[JsmOpsError] = JsmOpsError,
    stdin: Optional[str] = None,
    stream: bool = False,
    accept_failure: bool = False,
) -> str:
    """The command's standard output (`stream` shows it instead). A failed run raises
    `failure` with the CLI's words; `accept_failure` takes a failed run's JSON output too
    (a failed preview still describes its steps and says why)."""
    result = subprocess.run(["pulumi", *args, "--stack", stack, "--non-interactive"], cwd=project_dir, text=True,
                            input=stdin, stdout=None if stream else subprocess.PIPE, stderr=subprocess.PIPE)
    output = result.stdout or ""
    if result.returncode != 0 and not (accept_failure and output.strip().startswith("{")):
        command = " ".join(arg for arg in args[:2] if not arg.startswith("-"))
        raise failure(f"`pulumi {command}` failed: {result.stderr.strip() or output.strip()}")
    return output
