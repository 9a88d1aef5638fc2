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

Secret inputs are read to compute, never shown (`secrets.py`, `preview.py`). Inputs that
do not decide who is on call (description, team; the name only names the schedule) may be
unknown or secret; any other that is (a participant not known until an apply, a secret a
saved preview does not show) leaves its schedule not assessed, and `--fail-on-gap` then
fails naming it.
"""

from __future__ import annotations

import dataclasses
import functools
import sys
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence, Union

from pydantic import ValidationError

from ..api.client import Client
from ..api.models import Schedule, validation_problems
from ..dynamic.base import SITE, has_unknowns, is_unknown, rotation_order, user_inputs
from ..dynamic.ownership import urn_resource_name
from ..errors import NotFoundError
from ..oncall.assessment import Labels, ScheduleChange, ScheduleImpact, assess, carried_over
from ..oncall.engine import OverrideWindow, Timeline
from ..oncall.report import render, report_json
from ..override import OVERRIDE_TYPE
from ..schedule import SCHEDULE_TYPE
from .output import print_flushed, reader_gone
from .preview import ImpactFailed, fill_secrets, holds_secrets, read_preview, step_types
from .secrets import SAVED_UNSHOWN, SHOWN, Secrets, holds_secret, is_secret, read_state
from .stack import PulumiStack, StackConfig
from .stack_overrides import (
    DeclaredChange,
    after_changes,
    declared_changes,
    held_overrides,
    schedule_changes_of,
    schedule_sites,
    unreadable_overrides,
)

__all__ = ["ImpactReport", "ImpactFailed", "ImpactOptions", "assess_stack", "changes_from_preview", "run_impact"]


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
    hit; 1: --fail-on-gap could not assess a schedule; READER_GONE: the output's reader
    went away)."""
    if options.picture is not None:
        from ..oncall.picture import check_picture

        check_picture(options.picture)
    assessment = assess_stack(PulumiStack(options.stack, options.project_dir), days=options.days, at=options.at,
                              saved=options.preview_file, offline=options.offline)
    if options.picture is not None:
        from ..oncall.picture import check_size

        check_size(assessment.impacts)
    try:
        out(assessment.render(options.format))
    except BrokenPipeError:
        return reader_gone()
    if options.picture is not None:
        from ..oncall.picture import draw

        draw(assessment.impacts, assessment.now, options.picture, assessment.labels)
    return _gate(assessment.impacts, assessment.unread_overrides) if options.fail_on_gap else 0


@dataclass(frozen=True)
class ImpactReport:
    """What a pending change means for who is on call: one `ScheduleImpact` per schedule
    (in order of resource name), over `days` from `now`, and its renderings."""

    impacts: tuple[ScheduleImpact, ...]
    now: datetime  # UTC, to the minute
    days: int
    labels: Labels = field(repr=False)  # participant ids named by the stack config (or `[secret N]`)
    hidden: frozenset[str] = field(repr=False)  # the secret values: ids among them are shown as `[secret]`
    unread_overrides: tuple[str, ...] = ()  # declared overrides that could not be assessed

    @property
    def new_gaps(self) -> int:
        """How many times with nobody on call the change opens, over all schedules."""
        return sum(len(i.new_gaps) for i in self.impacts)

    @property
    def not_assessed(self) -> tuple[ScheduleImpact, ...]:
        """The schedules that could not be assessed (`problem` says why)."""
        return tuple(i for i in self.impacts if i.problem)

    def render(self, format: str = "text") -> str:
        """The report as `jsmops impact --format` writes it: `text`, `markdown` or `json`."""
        return render(self.impacts, self.now, self.days, format, self.labels, hidden=self.hidden)

    def to_json(self) -> dict[str, Any]:
        """The JSON report as a dict (shape and version: `pulumi_jsmops.oncall.report`)."""
        return report_json(self.impacts, self.now, self.days, self.labels, self.hidden)


def assess_stack(stack: Optional[PulumiStack], *, days: int = 14, at: Optional[datetime] = None,
                 saved: Union[Path, Mapping[str, Any], None] = None, offline: bool = False) -> ImpactReport:
    """The assessment of the stack's pending change: of its preview run now, or of `saved`
    (the JSON of `pulumi preview --json`, or its file). Without a stack (a saved preview
    alone) it reads nothing: no config, state or service."""
    now = (at or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(second=0, microsecond=0)
    secrets = Secrets((stack.unshown_secrets if stack is not None and saved is None else None) or SAVED_UNSHOWN)
    preview, plans = read_preview(stack, saved)
    state: dict[str, Any] = {}
    if stack is not None and (offline or holds_secrets(preview)
                              or any(t == OVERRIDE_TYPE for t in step_types(preview))):
        state = read_state(stack, secrets)
        fill_secrets(preview, plans, state, secrets)
    schedule = functools.partial(_schedule, secrets=secrets)
    changes, declared = changes_from_preview(preview, secrets), declared_changes(preview)
    reading = (stack is not None and not offline) and (any(c.schedule_id for c in changes) or bool(declared))
    config = stack.config(secrets=reading) if stack is not None else StackConfig({})
    sites = schedule_sites(preview, state, declared)
    with ExitStack() as closing:
        clients = closing.enter_context(config.clients()) if reading else None
        client = None if clients is None else lambda schedule_id: clients(sites.get(schedule_id))  # its site's
        belongs = schedule_changes_of(declared, changes, state, schedule,
                                      None if client is None else functools.partial(_read_schedule, client, secrets))
        changes = sorted({id(c): c for c in [*changes, *belongs.values()]}.values(), key=lambda c: c.resource)
        overrides = _read_overrides(changes, client) if client is not None else {
            c.schedule_id: held_overrides(state, c.schedule_id) for c in changes if c.schedule_id}
    labels = secrets.labels(config.labels(), _responder_ids(changes, overrides, declared))
    impacts = tuple(_concealed(_assess(change, [d for index, d in enumerate(declared) if belongs[index] is change],
                                       overrides.get(change.schedule_id or "", []), now, days, labels), secrets)
                    for change in changes)
    return ImpactReport(impacts, now, days, labels, frozenset(secrets.values), tuple(unreadable_overrides(preview)))


def _gate(impacts: Sequence[ScheduleImpact], unread_overrides: Sequence[str]) -> int:
    """--fail-on-gap: 2 when a gap opens; else 1 when a schedule or an override could not be
    assessed (a line each on stderr, saying why); else 0."""
    unassessed = [f"{i.name} ({i.resource}) could not be assessed: {i.problem}" for i in impacts if i.problem]
    unassessed += [f"override {name} could not be assessed: its inputs are not known until the change is "
                   "applied, or secret and not shown" for name in unread_overrides]
    for line in unassessed:
        print(f"jsmops: error: --fail-on-gap: {line}", file=sys.stderr)
    if any(i.new_gaps for i in impacts):
        return 2
    return 1 if unassessed else 0


def _assess(change: ScheduleChange, declared: list[DeclaredChange], overrides: list[OverrideWindow], now: datetime,
            days: int, labels: Labels) -> ScheduleImpact:
    """One schedule's impact, with its overrides before the change and after the declared ones."""
    return assess(change, now, days, overrides, labels, overrides_after=after_changes(overrides, declared),
                  override_changes=[d.change for d in declared])


def _responder_ids(changes: Sequence[ScheduleChange], overrides: dict[str, list[OverrideWindow]],
                   declared: Sequence[DeclaredChange]) -> list[str]:
    """Every participant's and override responder's id, in the order the report meets them."""
    ids = [p.id for c in changes for s in (c.before, c.after) if s for r in s.rotations for p in r.participants if p.id]
    windows: Iterable[Optional[OverrideWindow]] = [
        *(o for found in overrides.values() for o in found), *(w for d in declared for w in (d.change.before,
                                                                                             d.change.after))]
    return ids + [w.responder.id for w in windows if w is not None and w.responder is not None]


def _concealed(impact: ScheduleImpact, secrets: Secrets) -> ScheduleImpact:
    """The impact as the report shows it: secret names as `[secret N]` (participants are
    labelled so already), and times in UTC when the time zone is secret."""
    if not secrets.values:
        return impact
    secret_zone = impact.time_zone in secrets.values

    def lanes(timeline: Optional[Timeline]) -> Optional[Timeline]:
        return None if timeline is None else dataclasses.replace(timeline, rotations=tuple(
            dataclasses.replace(lane, name=secrets.shown(lane.name)) for lane in timeline.rotations))

    def local(moment: datetime) -> datetime:
        return moment.astimezone(timezone.utc) if secret_zone else moment

    def said(causes: tuple[str, ...]) -> tuple[str, ...]:  # a cause names rotations and time zones
        return tuple(secrets.concealed(cause) for cause in causes)

    return dataclasses.replace(
        impact, name=secrets.shown(impact.name), time_zone="UTC" if secret_zone else impact.time_zone,
        start_dates=tuple(dataclasses.replace(s, rotation=secrets.shown(s.rotation), start_date=local(s.start_date),
                                              keeps_turns=s.keeps_turns and local(s.keeps_turns))
                     for s in impact.start_dates),
        overrides=tuple(dataclasses.replace(o, rotations=None if o.rotations is None else tuple(
            secrets.shown(name) for name in o.rotations)) for o in impact.overrides),
        differences=tuple(dataclasses.replace(d, causes=said(d.causes)) for d in impact.differences),
        new_gaps=tuple(dataclasses.replace(g, causes=said(g.causes)) for g in impact.new_gaps),
        closed_gaps=tuple(dataclasses.replace(g, causes=said(g.causes)) for g in impact.closed_gaps),
        handover_causes=tuple((t, said(c)) for t, c in impact.handover_causes),
        hour_causes=tuple((label, said(c)) for label, c in impact.hour_causes),
        before=lanes(impact.before), after=lanes(impact.after))


_CHANGING = {"create": "create", "update": "update", "delete": "delete", "replace": "replace",
             "create-replacement": "replace"}


def changes_from_preview(preview: dict[str, Any], secrets: Optional[Secrets] = None) -> list[ScheduleChange]:
    """The schedules that the preview (`pulumi preview --json`) would create, update or delete;
    a resource renamed without `aliases` (`_renames`) as one change that will fail."""
    steps = preview.get("steps") or []
    renamed = _renames(steps)
    found = [_change(step, secrets or Secrets()) for step in steps if str(step.get("urn")) not in renamed]
    pairs = {id(pair): pair for pair in renamed.values()}.values()  # each under both its urns
    found += [_renamed(new, old, secrets or Secrets()) for new, old in pairs]
    return [change for change in found if change is not None]


def _renames(steps: list[dict[str, Any]]) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """The creates and deletes of schedules of one name on one site: a resource renamed without
    `aliases`. Each step's urn -> (its create, its delete)."""
    def key(state: dict[str, Any]) -> Optional[tuple[str, Any]]:
        props = state.get("inputs") or {}
        name = props.get("name")
        return (name, props.get(SITE)) if isinstance(name, str) and not is_unknown(name) else None

    deletes = {key(step["oldState"]): step for step in steps if step.get("op") == "delete"
               and (step.get("oldState") or {}).get("type") == SCHEDULE_TYPE and key(step["oldState"]) is not None}
    found: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
    for step in steps:
        new = step.get("newState") or {}
        if step.get("op") == "create" and new.get("type") == SCHEDULE_TYPE and (old := deletes.get(key(new))):
            found[str(step["urn"])] = found[str(old["urn"])] = (step, old)
    return found


def _renamed(create: dict[str, Any], delete: dict[str, Any], secrets: Secrets) -> Optional[ScheduleChange]:
    """A resource renamed without `aliases`: the change as it is with the alias, and why this `up` fails."""
    new, old = urn_resource_name(str(create["urn"])), urn_resource_name(str(delete["urn"]))
    fails = (f"this `up` will fail with 409: '{new}' is '{old}' renamed without `aliases` (one schedule name, one "
             f"site), and the provider refuses to adopt a schedule it did not create under '{new}'; add "
             f"`aliases=[pulumi.Alias(name=\"{old}\")]` to its ResourceOptions (shown below as the change it then is)")
    as_update = _change({"op": "update", "urn": create["urn"], "oldState": delete["oldState"],
                         "newState": create["newState"]}, secrets)
    return None if as_update is None else dataclasses.replace(as_update, operation="rename", fails=fails)


def _change(step: dict[str, Any], secrets: Secrets) -> Optional[ScheduleChange]:
    operation = _CHANGING.get(step.get("op", ""))
    old, new = step.get("oldState") or {}, step.get("newState") or {}
    if operation is None or (old or new).get("type") != SCHEDULE_TYPE:
        return None
    resource = urn_resource_name(str(step["urn"]))
    try:
        before = _schedule(old.get("outputs") or old.get("inputs"), secrets) if old else None
        after = _schedule(new.get("inputs"), secrets) if new and operation != "delete" else None
    except ValueError as exc:  # named by its new name, else by the one it has
        names = [(state.get("inputs") or {}).get("name") for state in (new, old)]
        name = next((n for n in names if isinstance(n, str) and not is_unknown(n)), None)
        return ScheduleChange(resource, operation, old.get("id"), None, None, str(exc), name=name)
    if before is not None and after is not None:
        after = carried_over(before, after)
    return ScheduleChange(resource, operation, old.get("id") or None, before, after,
                          order_before=rotation_order(old.get("inputs") or {}),
                          order_after=rotation_order(new.get("inputs") or {}))


# Inputs that do not decide who is on call: they may be unknown or secret.
_NOT_ON_CALL = ("description", "team_id")
_NAME_NOT_KNOWN = "(a name not known yet)"


def _schedule(props: Optional[dict[str, Any]], secrets: Secrets) -> Schedule:
    """A schedule from a resource's properties (rotations as a list or keyed by name); a
    ValueError names an input it needs that is not known yet, or secret and not shown."""
    data = {k: v for k, v in user_inputs(props or {}).items()
            if not k.startswith("__") and k != SITE and not (k in _NOT_ON_CALL and _hidden(v))}
    name = data.get("name")
    hidden = _first_hidden({k: v for k, v in data.items() if k != "name"}, ())
    if hidden is not None:
        parts, secret = hidden
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{secrets.shown(p)}" for p in parts).lstrip(".")
        if secret:
            raise ValueError(f"{path} is secret, and this preview does not show it ({secrets.unshown})")
        raise ValueError(f"{path} is not known until the change is applied")
    if _hidden(name):  # it only names the schedule in the report
        data["name"] = SHOWN if holds_secret(name) else _NAME_NOT_KNOWN
    try:
        return Schedule.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{path}: {reason}" for path, reason in validation_problems(exc))
        raise ValueError(f"the inputs are not a valid schedule: {problems}") from None


def _hidden(value: Any) -> bool:
    return has_unknowns(value) or holds_secret(value)


def _first_hidden(value: Any, path: tuple[str | int, ...]) -> Optional[tuple[tuple[str | int, ...], bool]]:
    """The path of the first value not known yet or secret, and whether it is secret."""
    if is_unknown(value):
        return path, False
    if value == SHOWN or is_secret(value):
        return path, True
    items: Iterable[tuple[str | int, Any]] = ()
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    for key, item in items:
        found = _first_hidden(item, (*path, key))
        if found is not None:
            return found
    return None


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


def _read_schedule(client: Callable[[str], Client], secrets: Secrets, schedule_id: str) -> ScheduleChange:
    """A schedule the stack does not declare (an override of the stack is on it), as its site has it."""
    resource = f"schedule {schedule_id}"
    try:
        found = client(schedule_id).get_schedule(schedule_id)
        current = _schedule(found, secrets)
    except NotFoundError:
        return ScheduleChange(resource, "same", schedule_id, None, None, "the service has no schedule of this id")
    except ValueError as exc:
        return ScheduleChange(resource, "same", schedule_id, None, None, str(exc))
    listed = tuple(r.get("name") for r in found.get("rotations") or [] if isinstance(r, dict))  # the service's order
    order = tuple(name for name in listed if isinstance(name, str))
    return ScheduleChange(resource, "same", schedule_id, current, current, order_before=order, order_after=order)
