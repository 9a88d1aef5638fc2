"""The Schedule resource users declare, its input types, and a lookup by name.

Nested inputs are accepted as the `...Args` types or as plain dicts with the same keys
(the `...Args` types are TypedDicts: calling one makes that dict).
"""

from __future__ import annotations

from typing import Any, Optional, Sequence, TypedDict

import pulumi
from pulumi.dynamic import Resource

try:  # Python 3.11+
    from typing import NotRequired, Required
except ImportError:  # pragma: no cover - Python 3.10
    from typing_extensions import NotRequired, Required

from .provider import ScheduleProvider


class ParticipantArgs(TypedDict):
    """A rotation slot: `type` is user, team, escalation (each with an `id`) or noone."""

    type: Required[pulumi.Input[str]]
    id: NotRequired[pulumi.Input[str]]


class TimeOfDayArgs(TypedDict):
    """Hours 0-23; minutes 0 or 30."""

    start_hour: pulumi.Input[int]
    start_min: pulumi.Input[int]
    end_hour: pulumi.Input[int]
    end_min: pulumi.Input[int]


class DayAndTimeOfDayArgs(TypedDict):
    """Days are lowercase English weekday names; hours 0-23; minutes 0 or 30."""

    start_day: pulumi.Input[str]
    start_hour: pulumi.Input[int]
    start_min: pulumi.Input[int]
    end_day: pulumi.Input[str]
    end_hour: pulumi.Input[int]
    end_min: pulumi.Input[int]


class TimeRestrictionArgs(TypedDict, total=False):
    """`type` "time-of-day" with `restriction`, or "weekday-and-time-of-day" with `restrictions`."""

    type: Required[pulumi.Input[str]]
    restriction: pulumi.Input[TimeOfDayArgs]
    restrictions: pulumi.Input[Sequence[pulumi.Input[DayAndTimeOfDayArgs]]]


class RotationArgs(TypedDict, total=False):
    """A rotation: `type` daily, weekly or hourly, `length` in those units (default 1);
    dates in ISO 8601 with a UTC offset; no `end_date` means open-ended."""

    name: Required[pulumi.Input[str]]
    type: Required[pulumi.Input[str]]
    start_date: Required[pulumi.Input[str]]
    length: pulumi.Input[int]
    end_date: pulumi.Input[str]
    participants: pulumi.Input[Sequence[pulumi.Input[ParticipantArgs]]]
    time_restriction: pulumi.Input[TimeRestrictionArgs]


class ScheduleArgs(TypedDict, total=False):
    """The inputs of a Schedule, for `Schedule(name, ScheduleArgs(...))`."""

    name: Required[pulumi.Input[str]]
    team_id: Required[pulumi.Input[str]]
    description: pulumi.Input[str]
    timezone: pulumi.Input[str]
    enabled: pulumi.Input[bool]
    rotations: pulumi.Input[Sequence[pulumi.Input[RotationArgs]]]


_INPUTS = tuple(ScheduleArgs.__annotations__)


class Schedule(Resource, module="jsmops", name="Schedule"):
    """A JSM operations on-call schedule with its rotations.

    Outputs mirror the inputs (canonical: dates in UTC, defaults filled in, rotations
    ordered by name) and add `id` and each rotation's `id`. A `timezone` left out is the
    one the service picks.
    """

    name: pulumi.Output[str]
    team_id: pulumi.Output[str]
    description: pulumi.Output[str]
    timezone: pulumi.Output[str]
    enabled: pulumi.Output[bool]
    rotations: pulumi.Output[list[dict[str, Any]]]

    def __init__(
        self,
        resource_name: str,
        args: Optional[ScheduleArgs] = None,
        opts: Optional[pulumi.ResourceOptions] = None,
        *,
        name: Optional[pulumi.Input[str]] = None,
        team_id: Optional[pulumi.Input[str]] = None,
        description: Optional[pulumi.Input[str]] = None,
        timezone: Optional[pulumi.Input[str]] = None,
        enabled: Optional[pulumi.Input[bool]] = None,
        rotations: Optional[pulumi.Input[Sequence[pulumi.Input[RotationArgs]]]] = None,
    ) -> None:
        given = {"name": name, "team_id": team_id, "description": description,
                 "timezone": timezone, "enabled": enabled, "rotations": rotations}
        props: dict[str, Any] = dict.fromkeys(_INPUTS)
        props.update(args or {})
        props.update({key: value for key, value in given.items() if value is not None})
        _claim_name(props["name"], resource_name)
        super().__init__(ScheduleProvider(), resource_name, props, opts)


# Schedule names are unique in a site; two resources of one program with the same name
# would fight over one schedule, so the program stops before anything is sent.
_claimed_names: dict[str, str] = {}


def _claim_name(name: Any, resource_name: str) -> None:
    if isinstance(name, str):
        other = _claimed_names.setdefault(name, resource_name)
        if other != resource_name:
            raise ValueError(f"name: Schedule resources '{other}' and '{resource_name}' are both named "
                             f"'{name}'; schedule names must be unique")


class GetScheduleResult:
    """A schedule found by `get_schedule`: the same attributes as a Schedule's outputs."""

    def __init__(self, id: str, name: str, team_id: str, description: str, timezone: str,
                 enabled: bool, rotations: list[dict[str, Any]]) -> None:
        self.id, self.name, self.team_id, self.description = id, name, team_id, description
        self.timezone, self.enabled, self.rotations = timezone, enabled, rotations


def get_schedule(name: str) -> GetScheduleResult:
    """Looks up a schedule this stack does not manage, by its exact name (like a Terraform
    data source). Uses the stack's `jsmops:*` config, then the JSMOPS_* environment."""
    from .client import Client  # here, not at the top: most programs never look one up
    from .config import load_settings
    from .models import parse_api_schedule

    client = Client(load_settings(pulumi.runtime.get_config))
    try:
        found = client.find_schedule_by_name(name)
    finally:
        client.close()
    if found is None:
        raise LookupError(f"no schedule is named '{name}'")
    return GetScheduleResult(**parse_api_schedule(found).to_outputs())


def get_schedule_output(name: pulumi.Input[str]) -> pulumi.Output[GetScheduleResult]:
    """`get_schedule` for a name that is an Output."""
    return pulumi.Output.from_input(name).apply(get_schedule)
