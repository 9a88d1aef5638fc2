"""On-call impact and who is on call, from Python: for stacks of the Automation API (a
program in a directory, or an inline one: a function of the caller's process), and for
saved previews. The same data as `jsmops impact` and `jsmops oncall`, as typed objects::

    from pulumi import automation as auto
    from pulumi_jsmops import automation as jsmops_auto

    stack = auto.create_or_select_stack("prod", project_name="oncall", program=program,
                                        opts=auto.LocalWorkspaceOptions(env_vars=env))
    report = jsmops_auto.impact(stack, days=14)
    if report.new_gaps:
        print(report.render("markdown"))       # or "text", "json"
    for schedule in jsmops_auto.who_is_on_call(stack):
        print(schedule.name, schedule.on_call, schedule.next)

What they read and write, as the commands do:

- `impact(stack)` runs the stack's preview once (an inline program's through the
  Automation API, `stack.preview(json=True, plan=...)`, so the program runs in this
  process; a program in a directory as `jsmops impact` does), reads the stack's config and,
  when it needs them, its state (`pulumi stack export`), and per changed schedule that
  exists its overrides (one listing on the service). `offline=True` reads nothing of the
  service; `impact(preview=...)` without a stack reads nothing at all. Nothing is written:
  the plan goes to a private temporary folder, removed at once.
- `who_is_on_call(stack)` reads the state, the config, and per schedule its on-calls and
  timeline (two reads). Nothing is written.

Secrets are read to compute, never shown: a secret participant, schedule or rotation name
is shown as `[secret N]`, a schedule whose time zone is secret has its times in UTC. One
limit is the Automation API's: its preview takes no `--show-secrets`, so the plan of an
inline program's preview holds the new secret inputs encrypted; a schedule whose new
rotations or time zone hold a secret is then not assessed (`ScheduleImpact.problem` says
so; the old inputs' secrets are read from the state). A program in a directory has them all.

An inline program's dynamic provider runs in a Python the engine starts: give the
workspace `env_vars={"PULUMI_PYTHON_CMD": sys.executable, ...}` (see the README's "Inline
Automation API programs"), for `stack.up()` and for `impact()` alike.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Mapping, Optional, Union

from .cli.impact_command import ImpactReport, assess_stack
from .cli.main import EARLIEST, LATEST, MAX_DAYS
from .cli.oncall_command import ScheduleOnCall, on_call_of
from .cli.preview import ImpactFailed
from .cli.stack import PulumiStack, tells_errors
from .errors import JsmOpsError
from .oncall.assessment import Difference, OverrideImpact, ScheduleImpact, Span, StartDate
from .oncall.engine import Handover, OverrideWindow, Responder
from .oncall.report import FORMATS, REPORT_VERSION

if TYPE_CHECKING:
    from pulumi.automation import Stack

__all__ = [
    "FORMATS", "REPORT_VERSION", "Difference", "Handover", "ImpactFailed", "ImpactReport", "JsmOpsError",
    "OverrideImpact", "OverrideWindow", "ReportFormat", "Responder", "ScheduleImpact", "ScheduleOnCall", "Span",
    "StartDate", "impact", "who_is_on_call",
]

ReportFormat = Literal["text", "markdown", "json"]


def impact(stack: Optional[Stack] = None, *, preview: Union[str, os.PathLike[str], Mapping[str, Any], None] = None,
           days: int = 14, at: Optional[datetime] = None, offline: bool = False) -> ImpactReport:
    """What the stack's pending change means for who is on call, per schedule it would
    create, update or delete (and per schedule whose declared overrides change).

    :param stack: A stack of a `pulumi.automation.LocalWorkspace` (a program in a directory,
        or inline). Its preview is run now, unless `preview` is given. Default: None (then
        `preview` is required, and nothing is read: no config, state or service).
    :param preview: A saved preview instead of running one: the JSON that `pulumi preview
        --json` writes, as a file's path or as the parsed document. It shows no secret: a
        schedule whose rotations or time zone are secret is not assessed. Default: None.
    :param days: The window, in days from `at`, from 1 to 366. Default: 14.
    :param at: The moment taken as now (a datetime with a time zone, from 1970 to before
        9000). Default: None, the current time.
    :param offline: Read nothing of the service: the stack's state stands for the service's
        overrides. Default: False.
    :returns: The report's data (`ImpactReport.impacts`, one `ScheduleImpact` each), and
        `ImpactReport.render(format)` for text, markdown or JSON (the JSON's shape is
        versioned: `REPORT_VERSION`, documented in `pulumi_jsmops.oncall.report`).
    :raises ValueError: `days` or `at` out of range, or neither `stack` nor `preview` given.
    :raises ImpactFailed: the preview failed (its errors are in the message) or is not the
        JSON of `pulumi preview --json`.
    :raises JsmOpsError: the stack's settings or the service failed (the message names them).
    """
    _check_window(days, at)
    if stack is None and preview is None:
        raise ValueError("impact: give a stack to preview, or a saved preview")
    saved = preview if preview is None or isinstance(preview, Mapping) else Path(preview)
    return assess_stack(None if stack is None else _WorkspaceStack(stack), days=days, at=at, saved=saved,
                        offline=offline)


def who_is_on_call(stack: Stack, *, at: Optional[datetime] = None, days: int = 7) -> list[ScheduleOnCall]:
    """Who is on call on each schedule the stack holds (in order of resource name), as the
    service answers (overrides included), and the handovers ahead: the data of `jsmops oncall`.

    :param stack: A stack of a `pulumi.automation.LocalWorkspace` (a program in a directory,
        or inline). Its state says which schedules; its config gives the settings and names
        participants (objects of names to ids, e.g. `people: {alice: <id>}`).
    :param at: The moment to ask about (a datetime with a time zone, from 1970 to before
        9000). Default: None, the current time.
    :param days: How far ahead to list handovers, from 1 to 366. Default: 7.
    :returns: One `ScheduleOnCall` per schedule (`on_call`, `next`, `handovers`, the declared
        overrides in effect and to come); `ScheduleOnCall.lines()` is what `jsmops oncall` prints.
    :raises ValueError: `days` or `at` out of range.
    :raises JsmOpsError: the stack's settings or the service failed (the message names them).
    """
    _check_window(days, at)
    return on_call_of(_WorkspaceStack(stack), at=at, days=days)


def _check_window(days: int, at: Optional[datetime]) -> None:
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise ValueError(f"days: must be a whole number of days from 1 to {MAX_DAYS}, not {days!r}")
    if at is not None and (at.tzinfo is None or not EARLIEST <= at < LATEST):
        raise ValueError(f"at: must be a datetime with a time zone from {EARLIEST:%Y-%m-%d} to before "
                         f"{LATEST:%Y-%m-%d}, not {at!r}")


class _WorkspaceStack(PulumiStack):
    """An Automation API stack as the commands see a project: its workspace's CLI, directory
    and environment; an inline program's preview run through the Automation API."""

    unshown_secrets = ("the Automation API's preview of an inline program takes no --show-secrets: its plan "
                       "holds new secrets encrypted; preview the program from a directory to assess it")

    def __init__(self, stack: Stack):
        from pulumi.automation import LocalWorkspace

        workspace = stack.workspace
        if not isinstance(workspace, LocalWorkspace):
            raise JsmOpsError(f"stack {stack.name}: only a LocalWorkspace's stacks can be read (this one is "
                              f"{type(workspace).__name__})")
        command = workspace.pulumi_command.command
        env = {"PULUMI_HOME": workspace.pulumi_home} if workspace.pulumi_home else {}
        env.update(workspace.env_vars)
        if os.path.isabs(command):  # its plugins beside it first, as the Automation API does
            env["PATH"] = os.pathsep.join([os.path.dirname(command), env.get("PATH", os.environ.get("PATH", ""))])
        super().__init__(stack.name, Path(workspace.work_dir), ImpactFailed, command=command, env=env)
        self._stack = stack
        self._inline = workspace.program is not None

    def preview(self, plan_file: Path) -> str:
        if not self._inline:
            return super().preview(plan_file)
        from pulumi.automation.errors import CommandError

        lines: list[str] = []
        try:
            self._stack.preview(json=True, plan=str(plan_file), on_output=lines.append)
        except CommandError as exc:
            if not tells_errors("\n".join(lines)):  # a failed preview's JSON says why; else the error does
                raise ImpactFailed(f"the preview of stack {self.name} failed: {exc}") from None
        return "\n".join(lines)
