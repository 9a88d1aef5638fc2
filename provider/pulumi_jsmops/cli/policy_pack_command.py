"""`jsmops policy-pack DIR`: writes the on-call policy pack (`pulumi_jsmops/policy/`) into DIR.

DIR gets `PulumiPolicy.yaml`, whose runtime is this Python environment (its virtualenv, by
absolute path), and `__main__.py`, which runs the pack from the installed package: the pack
is as new as the package, and rewriting DIR is harmless. `pulumi preview --policy-pack DIR`
runs it, on a current Pulumi CLI (its Python language host runs packs) and on the toolchain
this repository builds (see toolchain/patches/langhost_policy_packs.go).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import yaml

from ..errors import JsmOpsError

MAIN = '''\
"""The on-call policy pack of pulumi-jsmops, written by `jsmops policy-pack` (policies:
pulumi_jsmops/policy/pack.py; run it again to rewrite this directory)."""

from pulumi_jsmops.policy.pack import serve

serve()
'''
MARK = "written by `jsmops policy-pack`"


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cmd = commands.add_parser(
        "policy-pack", help="write the on-call policy pack for `pulumi preview --policy-pack DIR`",
        description="Writes a Pulumi policy pack into DIR (PulumiPolicy.yaml and __main__.py) with the on-call "
        "policies jsmops-coverage and jsmops-min-participants (mandatory) and jsmops-max-weekly-hours (disabled "
        "until configured), run in this Python environment. Configure them with `pulumi preview --policy-pack DIR "
        "--policy-pack-config FILE`; the settings of each are in pulumi_jsmops/policy/pack.py.",
    )
    cmd.add_argument("dir", type=Path, metavar="DIR", help="the directory to write (made if missing)")


def run_policy_pack(args: argparse.Namespace) -> int:
    write_pack(args.dir)
    print(f"jsmops: wrote the policy pack to {args.dir}: run `pulumi preview --policy-pack {args.dir}`")
    return 0


def write_pack(directory: Path) -> None:
    """Writes the pack into `directory`; refuses one that holds another program."""
    if importlib.util.find_spec("pulumi_policy") is None:
        raise JsmOpsError("the policy pack needs the pulumi-policy package in this Python environment: "
                          "pip install 'pulumi-jsmops[policy]'")
    main = directory / "__main__.py"
    if main.exists() and MARK not in main.read_text(errors="replace"):
        raise JsmOpsError(f"{main} is another program; give a directory of its own for the policy pack")
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "PulumiPolicy.yaml").write_text(_policy_yaml())
    main.write_text(MAIN)


def _policy_yaml() -> str:
    """The pack's project file: Python, run in this environment's virtualenv (without one,
    the `python3` on PATH, which must have pulumi-jsmops[policy] installed)."""
    runtime: dict[str, Any] = {"name": "python"}
    if sys.prefix != sys.base_prefix:
        runtime["options"] = {"virtualenv": sys.prefix}
    project = {"runtime": runtime, "version": version("pulumi-jsmops"),
               "description": "On-call rules for pulumi-jsmops schedules (coverage, participants, weekly hours)"}
    return f"# {MARK.capitalize()}.\n" + yaml.safe_dump(project, sort_keys=False, width=1000)
