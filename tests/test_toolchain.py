"""The Pulumi CLI and SDK the toolchain pins, the range the package accepts, and the CLI
the tests run, agree."""

from __future__ import annotations

import re
import shutil
import subprocess
from importlib.metadata import requires, version
from pathlib import Path

from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[1]


def pinned_cli() -> str:
    go_mod = (REPO / "toolchain" / "pulumi-cli" / "go.mod").read_text()
    return re.search(r"github\.com/pulumi/pulumi/pkg/v3 v(\S+)", go_mod).group(1)


def test_the_toolchain_pins_the_sdk_to_the_cli_version() -> None:
    constraints = (REPO / "toolchain" / "constraints.txt").read_text().splitlines()
    assert f"pulumi=={pinned_cli()}" in constraints
    assert version("pulumi") == pinned_cli()  # `make venv` installed with those constraints


def test_the_package_accepts_a_range_whose_oldest_is_the_pinned_sdk() -> None:
    sdk = next(Requirement(r) for r in requires("pulumi-jsmops") or [] if Requirement(r).name == "pulumi")
    assert str(sdk.specifier) == f"<4,>={pinned_cli()}"
    assert sdk.specifier.contains(pinned_cli()) and sdk.specifier.contains("3.999.0")


def test_the_cli_on_path_is_new_enough_and_says_its_real_version() -> None:
    pulumi = shutil.which("pulumi")
    assert pulumi, "no pulumi on PATH: run `make toolchain`"
    reported = subprocess.run([pulumi, "version"], capture_output=True, text=True, check=True).stdout.strip()
    assert re.fullmatch(r"v3\.\d+\.\d+", reported), reported
    assert tuple(map(int, reported[1:].split("."))) >= (3, 254, 0)
    if Path(pulumi).resolve().parent.name == "bin" and "pulumi-jsmops" in str(Path(pulumi).resolve()):
        assert reported == f"v{pinned_cli()}"  # the one install-pulumi.sh built
