"""`jsmops impact`: what a pending change means for who is on call.

It takes the old and new inputs of every schedule that `pulumi preview --json` would
create, update or delete (the old state's outputs stand for the old inputs: they are what
the service has, with the rotations' ids that overrides refer to), assesses them
(`oncall/assessment.py`) and writes the report (`oncall/report.py`, where the JSON shape
is documented) and, with `--picture`, the picture (`oncall/picture.py`).

It makes no writes. It reads, per schedule that exists already, its overrides (one
listing), and nothing with `offline` (the preview and the stack's state alone). The
overrides the preview would create, edit or delete count too (`stack_overrides.py`); a
schedule whose only change is its overrides is read from the stack's state, and one the
stack does not declare (an override on a schedule made elsewhere) from the service.
"""

from __future__ import annotations

import functools
import json
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

from pydantic import ValidationError

from ..api.client import Client
from ..api.models import Schedule, validation_problems
from ..dynamic.base import SITE, has_unknowns, user_inputs
from ..dynamic.ownership import urn_resource_name
from ..errors import JsmOpsError, NotFoundError
from ..oncall.assessment import Labels, ScheduleChange, ScheduleImpact, assess, carried_over
from ..oncall.engine import OverrideWindow
from ..oncall.report import render
from ..schedule import SCHEDULE_TYPE
from .output import print_flushed, reader_gone
from .stack import PulumiStack
from .stack_overrides import (
    DeclaredChange,
    after_changes,
    declared_changes,
    held_overrides,
    schedule_changes_of,
    schedule_sites,
)


class ImpactFailed(JsmOpsError):
    """The impact could not be assessed (the preview or the stack config failed)."""


@dataclass
class ImpactOptions:
    stack: str
    project_dir: Path
    days: int = 14
    format: str = "text"
    picture: Optional[Path] = None
    fail_on_gap: bool = False
    at: Optional[datetime] = None
    preview_file: Optional[Path] = None
    offline: bool = False


def run_impact(options: ImpactOptions, out: Callable[[str], None] = print_flushed) -> int:
    """Runs the assessment and writes the report; answers the exit code (2: --fail-on-gap
    hit; READER_GONE: the output's reader went away)."""
    if options.picture is not None:
        from ..oncall.picture import check_picture

        check_picture(options.picture)
    now = (options.at or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(second=0, microsecond=0)
    stack = PulumiStack(options.stack, options.project_dir)
    preview = _preview(stack, options.preview_file)
    changes, declared = changes_from_preview(preview), declared_changes(preview)
    state = stack.export() if declared or options.offline else {}
    reading = not options.offline and (any(c.schedule_id for c in changes) or bool(declared))
    config = stack.config(secrets=reading)
    labels = config.labels()
    sites = schedule_sites(preview, state, declared)
    with ExitStack() as closing:
        clients = closing.enter_context(config.clients()) if reading else None
        client = None if clients is None else lambda schedule_id: clients(sites.get(schedule_id))  # its site's
        belongs = schedule_changes_of(declared, changes, state, _schedule,
                                      None if client is None else functools.partial(_read_schedule, client))
        changes = list({id(c): c for c in [*changes, *belongs.values()]}.values())
        overrides = _read_overrides(changes, client) if client is not None else {
            c.schedule_id: held_overrides(state, c.schedule_id) for c in changes if c.schedule_id}
    impacts = [_assess(change, [d for index, d in enumerate(declared) if belongs[index] is change],
                       overrides.get(change.schedule_id or "", []), now, options.days, labels)
               for change in sorted(changes, key=lambda c: c.resource)]
    try:
        out(render(impacts, now, options.days, options.format, labels))
    except BrokenPipeError:
        return reader_gone()
    if options.picture is not None:
        from ..oncall.picture import draw

        draw(impacts, now, options.picture, labels)
    return 2 if options.fail_on_gap and any(i.new_gaps for i in impacts) else 0


def _assess(change: ScheduleChange, declared: list[DeclaredChange], overrides: list[OverrideWindow], now: datetime,
            days: int, labels: Labels) -> ScheduleImpact:
    """One schedule's impact, with its overrides before the change and after the declared ones."""
    return assess(change, now, days, overrides, labels, overrides_after=after_changes(overrides, declared),
                  override_changes=[d.change for d in declared])


def _preview(stack: PulumiStack, saved: Optional[Path]) -> dict[str, Any]:
    """The preview's JSON: the saved one, else `pulumi preview --json` run now."""
    if saved is not None:
        try:
            preview: dict[str, Any] = json.loads(saved.read_text())
        except (OSError, ValueError) as exc:
            raise ImpactFailed(f"cannot read the preview {saved}: {exc}") from None
        return preview
    try:
        preview = json.loads(stack.run("preview", "--json", accept_failure=True))
    except ValueError as exc:
        raise ImpactFailed(f"`pulumi preview --json` gave no JSON: {exc}") from None
    errors = [d.get("message", "") for d in preview.get("diagnostics") or [] if d.get("severity") == "error"]
    if errors:
        raise ImpactFailed("the preview failed: " + " ".join(e.strip() for e in errors))
    return preview


_CHANGING = {"create": "create", "update": "update", "delete": "delete", "replace": "replace",
             "create-replacement": "replace"}


def changes_from_preview(preview: dict[str, Any]) -> list[ScheduleChange]:
    """The schedules that the preview (`pulumi preview --json`) would create, update or delete."""
    return [change for step in preview.get("steps") or [] if (change := _change(step)) is not None]


def _change(step: dict[str, Any]) -> Optional[ScheduleChange]:
    operation = _CHANGING.get(step.get("op", ""))
    old, new = step.get("oldState") or {}, step.get("newState") or {}
    if operation is None or (old or new).get("type") != SCHEDULE_TYPE:
        return None
    resource = urn_resource_name(str(step["urn"]))
    try:
        before = _schedule(old.get("outputs") or old.get("inputs")) if old else None
        after = _schedule(new.get("inputs")) if new and operation != "delete" else None
    except ValueError as exc:
        return ScheduleChange(resource, operation, old.get("id"), None, None, str(exc))
    if before is not None and after is not None:
        after = carried_over(before, after)
    return ScheduleChange(resource, operation, old.get("id") or None, before, after)


def _schedule(props: Optional[dict[str, Any]]) -> Schedule:
    """A schedule from a resource's properties (rotations as a list or keyed by name)."""
    data = {k: v for k, v in user_inputs(props or {}).items() if not k.startswith("__") and k != SITE}
    if has_unknowns(data):
        raise ValueError("some inputs are not known until the change is applied")
    try:
        return Schedule.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{path}: {reason}" for path, reason in validation_problems(exc))
        raise ValueError(f"the inputs are not a valid schedule: {problems}") from None


def _read_overrides(changes: Sequence[ScheduleChange],
                    client: Callable[[str], Client]) -> dict[str, list[OverrideWindow]]:
    """Each changed schedule's overrides, read on its site (`client(schedule_id)`)."""
    found: dict[str, list[OverrideWindow]] = {}
    for change in changes:
        if change.schedule_id and not change.problem:
            try:
                listed = client(change.schedule_id).list_overrides(change.schedule_id)
                found[change.schedule_id] = [OverrideWindow.from_api(o) for o in listed]
            except NotFoundError:
                found[change.schedule_id] = []
    return found


def _read_schedule(client: Callable[[str], Client], schedule_id: str) -> ScheduleChange:
    """A schedule the stack does not declare (an override of the stack is on it), as its site has it."""
    resource = f"schedule {schedule_id}"
    try:
        current = _schedule(client(schedule_id).get_schedule(schedule_id))
    except NotFoundError:
        return ScheduleChange(resource, "same", schedule_id, None, None, "the service has no schedule of this id")
    except ValueError as exc:
        return ScheduleChange(resource, "same", schedule_id, None, None, str(exc))
    return ScheduleChange(resource, "same", schedule_id, current, current)
