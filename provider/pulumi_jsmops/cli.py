"""The `jsmops` command. `jsmops import --help` tells how to import schedules."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Optional, Sequence

from .errors import JsmOpsError
from .importer import Selection, run_import


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="jsmops", description="Tools for pulumi-jsmops stacks.")
    commands = top.add_subparsers(dest="command", required=True)
    cmd = commands.add_parser(
        "import",
        help="bring existing schedules under a stack",
        description="Reads schedules through the API, adds them to the stack's state, and writes a Python "
        "module declaring them. Run it in the Pulumi project directory. Credentials come from the stack's "
        "jsmops:* config, else the JSMOPS_* environment.",
    )
    cmd.add_argument("--stack", "-s", required=True, help="the stack to import into")
    cmd.add_argument("--id", dest="ids", action="append", default=[], metavar="ID",
                     help="a schedule id (repeat for more)")
    cmd.add_argument("--query", help="schedules whose name contains this text")
    cmd.add_argument("--team-id", help="schedules of this team")
    cmd.add_argument("--all", action="store_true", help="every schedule of the site")
    cmd.add_argument("--output", "-o", type=Path,
                     help="the module to write or add to (default: imported_schedules.py in the program's directory)")
    cmd.add_argument("--cwd", "-C", type=Path, default=Path.cwd(), help="the Pulumi project directory")
    return top


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="jsmops: %(message)s")
    selection = Selection(ids=args.ids, query=args.query, team_id=args.team_id, all=args.all)
    if not (selection.ids or selection.query or selection.team_id or selection.all):
        parser().error("say which schedules to import: --id, --query, --team-id or --all")
    try:
        run_import(args.stack, selection, args.cwd.resolve(), args.output,
                   progress=lambda line: print(f"jsmops: {line}", flush=True))
    except JsmOpsError as exc:
        print(f"jsmops: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
