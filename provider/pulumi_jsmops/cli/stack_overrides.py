"""A stack's overrides as the `jsmops` commands see them: those it declares (its state), and
for `jsmops impact` the ScheduleOverride steps of a preview, which schedule each belongs
to, and each schedule's overrides before and after the change.

An override's step names its schedule by id, or (being created with a schedule not made
yet) by its dependency on that Schedule resource. A schedule whose only change is its
overrides is not a step of the preview: it is taken from the stack's state, unchanged
(`operation` "same"). Before the change, a schedule has the overrides the service lists
(all of them, hand-made ones too), or offline the stack's declared ones from its state;
after, the same with the declared changes applied, matched by alias.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Optional

from pydantic import ValidationError

from ..api.models import Schedule
from ..api.overrides import Override, parse_held_override, parse_user_override
from ..dynamic.base import has_unknowns, is_unknown, rotation_order, site_of, user_inputs, without_site
from ..dynamic.override_plan import split_inputs
from ..dynamic.ownership import urn_resource_name
from ..oncall.assessment import OverrideChange, ScheduleChange
from ..oncall.engine import OverrideWindow, Responder
from ..override import OVERRIDE_TYPE
from ..schedule import SCHEDULE_TYPE

_CHANGING = {"create": "create", "update": "update", "delete": "delete", "replace": "replace",
             "create-replacement": "replace"}


@dataclass(frozen=True)
class DeclaredChange:
    """A ScheduleOverride step: the change, its schedule (a Schedule resource of the stack by
    name, or an id), the alias of the override it changes on the service, if any, and the
    schedule's site (in `jsmops:sites`; None: the `jsmops:*` settings)."""

    change: OverrideChange
    schedule_resource: Optional[str]
    schedule_id: Optional[str]
    alias: Optional[str]
    site: Optional[str] = None


def declared_changes(preview: dict[str, Any]) -> list[DeclaredChange]:
    """The overrides that the preview would create, update or delete (those it cannot read
    are left out: `unreadable_overrides`)."""
    found = []
    for step, operation, before, after in _override_steps(preview):
        if _unreadable(step, operation, before, after):
            continue
        known = after or before
        assert known is not None  # a step has a side
        schedule_id = None if known.schedule_id == "-" else known.schedule_id
        found.append(DeclaredChange(
            OverrideChange(urn_resource_name(str(step["urn"])), operation, _window(before), _window(after)),
            _schedule_dependency(step.get("newState") or {}) if schedule_id is None else None, schedule_id,
            before.alias if before is not None else None,
            site_of((step.get("newState") or {}).get("inputs") or (step.get("oldState") or {}).get("outputs") or {})))
    return found


def unreadable_overrides(preview: dict[str, Any]) -> list[str]:
    """The resource names of the overrides the preview would change whose inputs cannot be
    read (not known until the change is applied, or secret and not shown): not assessed."""
    return [urn_resource_name(str(step["urn"])) for step, operation, before, after in _override_steps(preview)
            if _unreadable(step, operation, before, after)]


def _override_steps(preview: dict[str, Any]) -> Iterator[tuple[dict[str, Any], str, Optional[Override],
                                                               Optional[Override]]]:
    """Each ScheduleOverride step that changes something: the step, its operation, and the
    override before and after as far as they can be read."""
    for step in preview.get("steps") or []:
        operation = _CHANGING.get(step.get("op", ""))
        old, new = step.get("oldState") or {}, step.get("newState") or {}
        if operation is None or (old or new).get("type") != OVERRIDE_TYPE:
            continue
        before = _held(old.get("outputs")) if old else None
        after = _declared(new) if new and operation != "delete" else None
        yield step, operation, before, after


def _unreadable(step: dict[str, Any], operation: str, before: Optional[Override], after: Optional[Override]) -> bool:
    return bool(step.get("oldState") and before is None) or (operation != "delete" and after is None)


def _held(outputs: Optional[dict[str, Any]]) -> Optional[Override]:
    try:
        return parse_held_override(split_inputs(without_site(user_inputs(outputs or {})))[0])
    except ValidationError:
        return None


def _declared(state: dict[str, Any]) -> Optional[Override]:
    """The override as the step's new inputs declare it; its schedule id "-" when not known yet."""
    own = split_inputs(without_site(user_inputs(state.get("inputs") or {})))[0]
    own = {k: v for k, v in own.items() if not k.startswith("__")}
    if is_unknown(own.get("schedule_id")):
        own["schedule_id"] = "-"
    if has_unknowns(own):
        return None
    try:
        return parse_user_override(own)
    except ValidationError:
        return None


def _schedule_dependency(state: dict[str, Any]) -> Optional[str]:
    """The resource name of the Schedule an override's `schedule_id` comes from, by its dependencies."""
    urns = (state.get("propertyDependencies") or {}).get("schedule_id") or state.get("dependencies") or []
    schedules = [urn for urn in urns if f"::{SCHEDULE_TYPE}::" in urn]
    return urn_resource_name(schedules[0]) if len(schedules) == 1 else None


def _window(override: Optional[Override]) -> Optional[OverrideWindow]:
    if override is None:
        return None
    who = override.responder
    return OverrideWindow(override.start_date, override.end_date,
                          None if who.type == "noone" or who.id is None else Responder(who.type, who.id),
                          rotation_names=None if override.rotations is None else frozenset(override.rotations),
                          alias=override.alias)


def schedule_changes_of(declared: Sequence[DeclaredChange], changes: Sequence[ScheduleChange],
                        state: dict[str, Any], schedule: Callable[[Optional[dict[str, Any]]], Schedule],
                        read_schedule: Optional[Callable[[str], ScheduleChange]]) -> dict[int, ScheduleChange]:
    """The schedule each declared change belongs to (by its index in `declared`): one of
    `changes`, else the stack's unchanged schedule (from the state, as `schedule` reads
    properties), else one the stack does not declare (`read_schedule`, None offline)."""
    by_resource = {c.resource: c for c in changes}
    by_id = {c.schedule_id: c for c in changes if c.schedule_id}
    resources = [r for r in state.get("deployment", {}).get("resources") or [] if r.get("type") == SCHEDULE_TYPE]
    held = {r.get("id"): r for r in resources}
    named = {urn_resource_name(str(r["urn"])): r for r in resources}
    found: dict[int, ScheduleChange] = {}
    made: dict[str, ScheduleChange] = {}
    for index, item in enumerate(declared):
        key = item.schedule_resource or item.schedule_id or ""
        known = by_resource.get(item.schedule_resource or "") or by_id.get(item.schedule_id or "")
        if known is not None:
            found[index] = known
            continue
        if key not in made:
            resource = named.get(item.schedule_resource or "") or held.get(item.schedule_id)
            if resource is not None:
                made[key] = _unchanged(resource, schedule)
            elif item.schedule_id and read_schedule is not None:
                made[key] = read_schedule(item.schedule_id)
            else:
                made[key] = ScheduleChange(f"schedule {item.schedule_id}", "same", item.schedule_id, None, None,
                                           "the schedule is not in this stack: its overrides are assessed online only")
        found[index] = made[key]
    return found


def _unchanged(resource: dict[str, Any], schedule: Callable[[Optional[dict[str, Any]]], Schedule]) -> ScheduleChange:
    """A schedule of the stack that the change leaves as it is, from its outputs in the state."""
    name = urn_resource_name(str(resource["urn"]))
    try:
        current = schedule(resource.get("outputs"))
    except ValueError as exc:
        return ScheduleChange(name, "same", resource.get("id"), None, None, str(exc))
    order = rotation_order(resource.get("inputs") or {})  # as the program declared them at its last `up`
    return ScheduleChange(name, "same", resource.get("id"), current, current, order_before=order, order_after=order)


def schedule_sites(preview: dict[str, Any], state: dict[str, Any],
                   declared: Sequence[DeclaredChange]) -> dict[str, Optional[str]]:
    """The site of each schedule the preview changes or the stack holds (by its id, from its
    outputs), and of the schedules the declared overrides are on."""
    held = [step.get("oldState") or {} for step in preview.get("steps") or []]
    held += state.get("deployment", {}).get("resources") or []
    sites = {str(r["id"]): site_of(r.get("outputs") or {}) for r in held
             if r.get("type") == SCHEDULE_TYPE and r.get("id")}
    return {**{item.schedule_id: item.site for item in declared if item.schedule_id}, **sites}


def declared_overrides(state: dict[str, Any], schedule_id: str) -> list[tuple[str, OverrideWindow]]:
    """The stack's overrides of a schedule as its state holds them: (resource name, override)."""
    found = []
    for resource in state.get("deployment", {}).get("resources") or []:
        if resource.get("type") == OVERRIDE_TYPE and (resource.get("outputs") or {}).get("schedule_id") == schedule_id:
            window = _window(_held(resource.get("outputs")))
            if window is not None:
                found.append((urn_resource_name(str(resource["urn"])), window))
    return found


def held_overrides(state: dict[str, Any], schedule_id: str) -> list[OverrideWindow]:
    """The stack's overrides of a schedule as its state holds them (offline: instead of the service's list)."""
    return [window for _name, window in declared_overrides(state, schedule_id)]


def after_changes(before: Sequence[OverrideWindow], declared: Sequence[DeclaredChange]) -> list[OverrideWindow]:
    """A schedule's overrides after the declared changes (matched by alias) are applied."""
    changed = {item.alias for item in declared if item.alias}
    return [o for o in before if o.alias is None or o.alias not in changed] + [
        item.change.after for item in declared if item.change.after is not None]
