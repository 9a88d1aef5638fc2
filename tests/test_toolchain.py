"""The Pulumi CLI and SDK the project pins, and the CLI the tests run, agree."""

from __future__ import annotations

import re
import shutil
import subprocess
from importlib.metadata import version
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def pinned_cli() -> str:
    go_mod = (REPO / "toolchain" / "pulumi-cli" / "go.mod").read_text()
    return re.search(r"github\.com/pulumi/pulumi/pkg/v3 v(\S+)", go_mod).group(1)


def test_the_sdk_is_pinned_to_the_cli_version() -> None:
    pyproject = (REPO / "pyproject.toml").read_text()
    assert f'"pulumi=={pinned_cli()}"' in pyproject
    assert version("pulumi") == pinned_cli()


def test_the_cli_on_path_is_new_enough_and_says_its_real_version() -> None:
    pulumi = shutil.which("pulumi")
    assert pulumi, "no pulumi on PATH: run `make toolchain`"
    reported = subprocess.run([pulumi, "version"], capture_output=True, text=True, check=True).stdout.strip()
    assert re.fullmatch(r"v3\.\d+\.\d+", reported), reported
    assert tuple(map(int, reported[1:].split("."))) >= (3, 254, 0)
    if Path(pulumi).resolve().parent.name == "bin" and "pulumi-jsmops" in str(Path(pulumi).resolve()):
        assert reported == f"v{pinned_cli()}"  # the one install-pulumi.sh built
