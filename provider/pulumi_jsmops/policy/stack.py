"""The schedules a stack declares, with their declared overrides, as a stack policy sees them.

The engine hands a stack policy each resource's properties: for a resource the preview
creates or changes, its checked inputs (values not known yet included: `NOT_KNOWN`); for
one that stays, its outputs (with the ids). Schedules have their rotations keyed by name
either way (see `api.models.Schedule.to_canonical_inputs`).

An override counts for the schedule it is declared on: the one whose `id` its `schedule_id`
holds, or, while that id is not known yet (a preview that creates the schedule), the one its
`schedule_id` depends on (`schedule_id=support.id`). An override on a schedule the stack does
not declare counts for none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Optional, Union

from pydantic import ValidationError

from ..api.models import Schedule
from ..oncall.engine import OverrideWindow, Responder, parse_date

# The resources' types, as the SDK makes them from the classes (`SCHEDULE_TYPE` in
# schedule.py, `OVERRIDE_TYPE` in override.py; tests/policy checks that they agree).
SCHEDULE_TYPE = "pulumi-python:dynamic/jsmops:Schedule"
OVERRIDE_TYPE = "pulumi-python:dynamic/jsmops:ScheduleOverride"

# What the rules read of a schedule: anything else (the description, the team) may stay unknown.
SCHEDULE_FIELDS = ("name", "enabled", "timezone", "rotations")
OVERRIDE_FIELDS = ("responder", "start_date", "end_date", "rotations")


class NotKnown:
    """A value not known during a preview (it comes from another resource's output)."""

    def __repr__(self) -> str:
        return "NOT_KNOWN"


NOT_KNOWN = NotKnown()


class SecretText(str):
    """A string the engine holds as a secret: a schedule name of this kind is never shown."""


@dataclass(frozen=True)
class StackResource:
    """A resource of the stack: its properties as plain data (`NOT_KNOWN` where not known
    yet), and the URNs each property depends on."""

    type: str
    urn: str
    name: str
    props: dict[str, Any]
    depends_on: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class DeclaredSchedule:
    resource: str
    urn: str
    schedule: Schedule
    overrides: tuple[OverrideWindow, ...] = ()
    secret_name: bool = False

    @property
    def label(self) -> str:
        """How a violation names it: `schedule 'Support' (support)`; a secret name is not shown."""
        return f"schedule {'(secret name)' if self.secret_name else repr(self.schedule.name)} ({self.resource})"


@dataclass(frozen=True)
class NotKnownSchedule:
    """A schedule that cannot be judged at this preview: `path` is the first value needed
    that is not known yet (`rotations.weekly.participants[0].id`, or an override's,
    `xmas.start_date`); `name` and `enabled` as far as they are known."""

    resource: str
    urn: str
    path: str
    name: Optional[str]
    enabled: Optional[bool]

    @property
    def reason(self) -> str:
        """`schedule 'Support' (support): ...`; by its resource alone when its name is not known (or secret)."""
        named = f"{self.name!r} ({self.resource})" if self.name is not None else self.resource
        return f"schedule {named}: {self.path} is not known until the update"


StackSchedule = Union[DeclaredSchedule, NotKnownSchedule]


def declared_schedules(resources: Iterable[StackResource], *, with_overrides: bool = True) -> list[StackSchedule]:
    """The stack's schedules in the order given, each with the overrides declared on it
    (none when not `with_overrides`: then their values do not matter)."""
    resources = list(resources)
    schedules = [r for r in resources if r.type == SCHEDULE_TYPE]
    overrides = [r for r in resources if r.type == OVERRIDE_TYPE and with_overrides]
    found: list[StackSchedule] = []
    for resource in schedules:
        props = resource.props
        own = [o for o in overrides if _is_declared_on(o, resource)]
        unknown = _first_not_known(props, SCHEDULE_FIELDS) or next(
            (f"{o.name}.{path}" for o in own if (path := _first_not_known(o.props, OVERRIDE_FIELDS))), None)
        if unknown is not None:
            name, enabled = props.get("name"), props.get("enabled", True)
            found.append(NotKnownSchedule(resource.name, resource.urn, unknown, name if isinstance(name, str) else None,
                                          enabled if isinstance(enabled, bool) else None))
            continue
        schedule = _schedule(props)
        if schedule is not None:  # else the provider's check fails the preview, naming the field
            windows = (_override_window(o.props) for o in own)
            found.append(DeclaredSchedule(resource.name, resource.urn, schedule,
                                          tuple(w for w in windows if w is not None),
                                          secret_name=isinstance(props.get("name"), SecretText)))
    return found


def _is_declared_on(override: StackResource, schedule: StackResource) -> bool:
    schedule_id = override.props.get("schedule_id")
    if isinstance(schedule_id, str) and schedule_id == schedule.props.get("id"):
        return True
    return schedule.urn in override.depends_on.get("schedule_id", ())


def _schedule(props: dict[str, Any]) -> Optional[Schedule]:
    try:
        return Schedule.model_validate({key: props[key] for key in SCHEDULE_FIELDS if key in props})
    except ValidationError:
        return None


def _override_window(props: dict[str, Any]) -> Optional[OverrideWindow]:
    """The override's window; None for one the provider's check fails (it names the field)."""
    who = props.get("responder") or {}
    names = props.get("rotations")
    try:
        return OverrideWindow(
            start=parse_date(props["start_date"]),
            end=parse_date(props["end_date"]),
            responder=Responder(who["type"], who["id"]) if who.get("type") not in (None, "noone") else None,
            rotation_names=None if names is None else frozenset(names),
            alias=props.get("alias"),
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _first_not_known(props: dict[str, Any], keys: Iterable[str]) -> Optional[str]:
    """The path of the first value under `keys` that is not known yet, if any."""
    for key in keys:
        path = _not_known_path(props.get(key), key)
        if path is not None:
            return path
    return None


def _not_known_path(value: Any, path: str) -> Optional[str]:
    if value is NOT_KNOWN:
        return path
    if isinstance(value, dict):
        items: Iterable[tuple[str, Any]] = ((f"{path}.{key}", item) for key, item in value.items())
    elif isinstance(value, list):
        items = ((f"{path}[{index}]", item) for index, item in enumerate(value))
    else:
        return None
    return next((found for inner, item in items if (found := _not_known_path(item, inner)) is not None), None)
