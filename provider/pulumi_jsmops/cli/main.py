"""The `jsmops` command. `jsmops import --help` tells how to import schedules."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, NoReturn, Optional, Sequence

from ..errors import JsmOpsError
from ..oncall.report import FORMATS
from ..redaction import RedactingFilter
from .impact_command import ImpactOptions, run_impact
from .import_command import Selection, run_import
from .oncall_command import run_oncall
from .policy_pack_command import add_parser as add_policy_pack_parser
from .policy_pack_command import run_policy_pack

# The window of `jsmops impact` and `jsmops oncall`: up to a year (a leap one) of days, from a
# moment between these, so that its end and the engine's local days stay within datetime's years.
MAX_DAYS = 366
EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(9000, 1, 1, tzinfo=timezone.utc)


def parse_time(text: str) -> datetime:
    """A command-line moment: ISO 8601 with an offset (or `Z`); without one, UTC. From 1970 to 8999."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
        moment.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        raise argparse.ArgumentTypeError(f"'{text}' is not an ISO 8601 time, e.g. 2026-01-21T12:00:00+01:00") from None
    if not EARLIEST <= moment < LATEST:
        raise argparse.ArgumentTypeError(f"'{text}' is out of range: give a time from {EARLIEST:%Y-%m-%d} "
                                         f"to before {LATEST:%Y-%m-%d}")
    return moment


def parse_days(text: str) -> int:
    """A number of days, from 1 to MAX_DAYS."""
    try:
        days = int(text)
    except ValueError:
        days = 0
    if not 1 <= days <= MAX_DAYS:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of days from 1 to {MAX_DAYS}")
    return days


class _Parser(argparse.ArgumentParser):
    """Says what is wrong in one line (`jsmops impact: error: argument --days: ...`), without the usage."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def parser() -> argparse.ArgumentParser:
    top = _Parser(prog="jsmops", description="Tools for pulumi-jsmops stacks.")
    commands = top.add_subparsers(dest="command", required=True, parser_class=_Parser)
    cmd = commands.add_parser(
        "import",
        help="bring existing schedules under a stack",
        description="Reads schedules through the API, adds them to the stack's state, and writes a Python "
        "module declaring them. Run it in the Pulumi project directory. Credentials come from the stack's "
        "jsmops:* config, else the JSMOPS_* environment (with --site, from that site of jsmops:sites). Ids that the "
        "stack config's people, teams and escalations objects name are written as those names.",
    )
    cmd.add_argument("--stack", "-s", required=True, help="the stack to import into")
    cmd.add_argument("--id", dest="ids", action="append", default=[], metavar="ID",
                     help="a schedule id (repeat for more)")
    cmd.add_argument("--name-prefix", metavar="PREFIX",
                     help="schedules whose name starts with this text (case-insensitive)")
    cmd.add_argument("--team-id", help="schedules of this team")
    cmd.add_argument("--all", action="store_true", help="every schedule of the site")
    cmd.add_argument("--site", help="the site of jsmops:sites to import from; the code declares the schedules on it "
                     "(default: the jsmops:* settings)")
    cmd.add_argument("--overrides", action="store_true",
                     help="also the selected schedules' ongoing and future overrides (off by default: many "
                     "overrides are made by hand on purpose)")
    cmd.add_argument("--output", "-o", type=Path,
                     help="the module to write or add to (default: imported_schedules.py in the program's directory)")
    cmd.add_argument("--cwd", "-C", type=Path, default=Path.cwd(), help="the Pulumi project directory")
    recover = commands.add_parser(
        "recover",
        help="settle the schedule operations of an interrupted `pulumi up` or `pulumi destroy`",
        description="Brings into the stack exactly the schedules that an interrupted `pulumi up` created "
        "without recording them (the state's pending creates, matched by name and every setting), and drops "
        "the pending creates that made nothing; reads back the schedules of pending updates and deletes "
        "(gone: dropped from the stack). Refuses while a `pulumi` command runs on the stack; run "
        "`pulumi cancel` first if a killed one left the stack locked.",
    )
    recover.add_argument("--stack", "-s", required=True, help="the stack to recover")
    recover.add_argument("--cwd", "-C", type=Path, default=Path.cwd(), help="the Pulumi project directory")
    check = commands.add_parser(
        "check", help="whether the stack's settings reach the service (one read)",
        description="Takes the settings as the provider does (the stack's jsmops:* config, else the JSMOPS_* "
        "environment) and reads one page of the site's schedules: a wrong base URL, cloud id, email or token "
        "fails here, naming the setting, instead of at the first `pulumi up` (a preview of an unchanged stack "
        "sends no request). Makes no writes.",
    )
    check.add_argument("--stack", "-s", required=True, help="the stack whose settings to check")
    check.add_argument("--site", help="a site of the stack config's jsmops:sites (default: the jsmops:* settings)")
    check.add_argument("--cwd", "-C", type=Path, default=Path.cwd(), help="the Pulumi project directory")
    oncall = commands.add_parser(
        "oncall", help="who is on call now, and the next handovers",
        description="For each schedule of the stack: who is on call at --at (default now) and the handovers "
        "of the next --days days, read through the API's on-call endpoints. Makes no writes.",
    )
    oncall.add_argument("--stack", "-s", required=True, help="the stack whose schedules to show")
    oncall.add_argument("--at", type=parse_time, help="the moment to ask about (ISO 8601; default: now)")
    oncall.add_argument("--days", type=parse_days, default=7,
                        help=f"how far ahead to list handovers (default: 7; at most {MAX_DAYS})")
    oncall.add_argument("--cwd", "-C", type=Path, default=Path.cwd(), help="the Pulumi project directory")
    impact = commands.add_parser(
        "impact", help="what the pending change means for who is on call",
        description="Compares who is on call before and after the change that `pulumi preview` shows, for each "
        "schedule it would create, update or delete. Makes no writes; reads each changed schedule's overrides "
        "once (none with --offline). The JSON shape is documented in pulumi_jsmops/oncall/report.py.",
    )
    impact.add_argument("--stack", "-s", required=True, help="the stack to preview")
    impact.add_argument("--days", type=parse_days, default=14,
                        help=f"the window from now, in days (default: 14; at most {MAX_DAYS})")
    impact.add_argument("--format", choices=FORMATS, default="text")
    impact.add_argument("--picture", type=Path, help="also draw the window to this .svg or .png file")
    impact.add_argument("--fail-on-gap", action="store_true",
                        help="exit with status 2 when the change leaves a time with nobody on call, and with 1 "
                        "when a schedule cannot be assessed (an input not known until the change is applied, or "
                        "a secret a saved preview does not show)")
    impact.add_argument("--at", type=parse_time, help="the moment taken as now (ISO 8601; default: now)")
    impact.add_argument("--preview", type=Path, dest="preview_file",
                        help="use this saved `pulumi preview --json` output instead of running the preview (it "
                        "shows no secret: schedules whose rotations or time zone are secret are not assessed)")
    impact.add_argument("--offline", action="store_true", help="no API reads: the preview alone (overrides ignored)")
    impact.add_argument("--cwd", "-C", type=Path, default=Path.cwd(), help="the Pulumi project directory")
    add_policy_pack_parser(commands)
    return top


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parser().parse_args(argv)
    handler = logging.StreamHandler()
    handler.addFilter(RedactingFilter())  # what the service answers may echo the credentials
    logging.basicConfig(level=logging.WARNING, format="jsmops: %(message)s", handlers=[handler])
    # urllib3 warns at every retry; the error a command ends with names the call that failed.
    logging.getLogger("urllib3").setLevel(logging.ERROR)
    try:
        return _COMMANDS[args.command](args)
    except JsmOpsError as exc:
        print(f"jsmops: error: {exc}", file=sys.stderr)
    except FileNotFoundError as exc:
        if exc.filename != "pulumi":
            raise
        print("jsmops: error: the `pulumi` command is not on PATH: install the Pulumi CLI "
              "(https://www.pulumi.com/docs/install/) or add its directory to PATH", file=sys.stderr)
    return 1


def _progress(line: str) -> None:
    print(f"jsmops: {line}", flush=True)


def _import(args: argparse.Namespace) -> int:
    selection = Selection(ids=args.ids, name_prefix=args.name_prefix, team_id=args.team_id, all=args.all,
                          overrides=args.overrides)
    if selection.is_empty():
        parser().error("say which schedules to import: --id, --name-prefix, --team-id or --all")
    run_import(args.stack, selection, args.cwd.resolve(), args.output, progress=_progress, site=args.site)
    return 0


def _recover(args: argparse.Namespace) -> int:
    from .recover_command import run_recover

    run_recover(args.stack, args.cwd.resolve(), progress=_progress)
    return 0


def _check(args: argparse.Namespace) -> int:
    from .check_command import run_check

    return run_check(args.stack, args.cwd.resolve(), args.site, progress=_progress)


def _oncall(args: argparse.Namespace) -> int:
    return run_oncall(args.stack, args.cwd.resolve(), at=args.at, days=args.days)


def _impact(args: argparse.Namespace) -> int:
    return run_impact(ImpactOptions(
        stack=args.stack, project_dir=args.cwd.resolve(), days=args.days, format=args.format,
        picture=args.picture, fail_on_gap=args.fail_on_gap, at=args.at, preview_file=args.preview_file,
        offline=args.offline))


# Each subcommand's logic lives in its own module; these only hand it the parsed arguments.
_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "import": _import, "recover": _recover, "check": _check, "oncall": _oncall, "impact": _impact,
    "policy-pack": run_policy_pack,
}


if __name__ == "__main__":
    sys.exit(main())
