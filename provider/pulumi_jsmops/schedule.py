"""The Schedule resource users declare, its input types, and a lookup by name.

Nested inputs are accepted as the `...Args` types or as plain dicts with the same keys
(the `...Args` types are TypedDicts: calling one makes that dict).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence, TypedDict, cast, overload

import pulumi
from pulumi.dynamic import Resource

if sys.version_info >= (3, 11):
    from typing import NotRequired, Required
else:  # pragma: no cover - Python 3.10
    from typing_extensions import NotRequired, Required

from .api.reserved_names import has_reserved_name
from .api.whole_windows import whole_window_warnings
from .dynamic.base import ROTATION_ORDER
from .provider import ScheduleProvider
from .registration import declaring

# The resource's type, as every stack's state holds it: the SDK makes it
# `pulumi-python:dynamic/<module>:<name>` from the class's `module` and `name`.
_MODULE, _NAME = "jsmops", "Schedule"
SCHEDULE_TYPE = f"pulumi-python:dynamic/{_MODULE}:{_NAME}"


class ParticipantArgs(TypedDict):
    """One slot of a rotation's participant list, taken in turn.

    :param pulumi.Input[str] type: `user`, `team`, `escalation` or `noone` (a slot nobody covers).
    :param pulumi.Input[str] id: The id of the user, team or escalation. Required for those types; left out
           for `noone`.
    """

    type: Required[pulumi.Input[str]]
    """`user`, `team`, `escalation` or `noone` (a slot nobody covers)."""
    id: NotRequired[pulumi.Input[str]]
    """The id of the user, team or escalation. Required for those types; left out for `noone`."""


class TimeOfDayArgs(TypedDict):
    """A daily window, the same on every day.

    :param pulumi.Input[int] start_hour: The hour the window opens, 0-23.
    :param pulumi.Input[int] start_min: The minute it opens, 0 or 30.
    :param pulumi.Input[int] end_hour: The hour the window closes, 0-23. An end before the start runs past midnight;
           an end equal to the start is around the clock (the preview warns).
    :param pulumi.Input[int] end_min: The minute it closes, 0 or 30.
    """

    start_hour: pulumi.Input[int]
    """The hour the window opens, 0-23."""
    start_min: pulumi.Input[int]
    """The minute it opens, 0 or 30."""
    end_hour: pulumi.Input[int]
    """The hour the window closes, 0-23. An end before the start runs past midnight; an end equal to the
    start is around the clock (the preview warns)."""
    end_min: pulumi.Input[int]
    """The minute it closes, 0 or 30."""


class DayAndTimeOfDayArgs(TypedDict):
    """A weekly window, from a day and time to a day and time.

    :param pulumi.Input[str] start_day: The day it opens: `monday` ... `sunday`.
    :param pulumi.Input[int] start_hour: The hour it opens, 0-23.
    :param pulumi.Input[int] start_min: The minute it opens, 0 or 30.
    :param pulumi.Input[str] end_day: The day it closes: `monday` ... `sunday`. An end equal to the start is the
           whole week (the preview warns).
    :param pulumi.Input[int] end_hour: The hour it closes, 0-23.
    :param pulumi.Input[int] end_min: The minute it closes, 0 or 30.
    """

    start_day: pulumi.Input[str]
    """The day it opens: `monday` ... `sunday`."""
    start_hour: pulumi.Input[int]
    """The hour it opens, 0-23."""
    start_min: pulumi.Input[int]
    """The minute it opens, 0 or 30."""
    end_day: pulumi.Input[str]
    """The day it closes: `monday` ... `sunday`. An end equal to the start is the whole week (the preview
    warns)."""
    end_hour: pulumi.Input[int]
    """The hour it closes, 0-23."""
    end_min: pulumi.Input[int]
    """The minute it closes, 0 or 30."""


class TimeRestrictionArgs(TypedDict, total=False):
    """When a rotation is on call; outside these windows it is not.

    :param pulumi.Input[str] type: `time-of-day` (with `restriction`) or `weekday-and-time-of-day`
           (with `restrictions`).
    :param pulumi.Input[TimeOfDayArgs] restriction: The daily window, for `time-of-day`.
    :param pulumi.Input[Sequence[pulumi.Input[DayAndTimeOfDayArgs]]] restrictions: The weekly windows, for
           `weekday-and-time-of-day`; their order does not matter.
    """

    type: Required[pulumi.Input[str]]
    """`time-of-day` (with `restriction`) or `weekday-and-time-of-day` (with `restrictions`)."""
    restriction: pulumi.Input[TimeOfDayArgs]
    """The daily window, for `time-of-day`."""
    restrictions: pulumi.Input[Sequence[pulumi.Input[DayAndTimeOfDayArgs]]]
    """The weekly windows, for `weekday-and-time-of-day`; their order does not matter."""


class RotationArgs(TypedDict, total=False):
    """A rotation: its participants take turns, one turn of `length` units each.

    :param pulumi.Input[str] name: The rotation's name, unique within the schedule. Names Pulumi reserves as
           keys are refused: those starting with `__`, and `4dabf18193072939515e22adb298388d`.
    :param pulumi.Input[str] type: The unit of a turn: `daily`, `weekly` or `hourly`.
    :param pulumi.Input[str] start_date: When the first turn starts: ISO 8601 with a UTC offset,
           e.g. `2026-01-05T09:00:00+01:00`.
    :param pulumi.Input[int] length: How many units a turn lasts. Defaults to 1.
    :param pulumi.Input[str] end_date: When the rotation ends, in the same form. Defaults to none (open-ended).
    :param pulumi.Input[Sequence[pulumi.Input[ParticipantArgs]]] participants: Who takes the turns, in order.
           Defaults to none.
    :param pulumi.Input[TimeRestrictionArgs] time_restriction: When the rotation is on call. Defaults to
           around the clock.
    """

    name: Required[pulumi.Input[str]]
    """The rotation's name, unique within the schedule. Names Pulumi reserves as keys are refused:
    those starting with `__`, and `4dabf18193072939515e22adb298388d`."""
    type: Required[pulumi.Input[str]]
    """The unit of a turn: `daily`, `weekly` or `hourly`."""
    start_date: Required[pulumi.Input[str]]
    """When the first turn starts: ISO 8601 with a UTC offset, e.g. `2026-01-05T09:00:00+01:00`."""
    length: pulumi.Input[int]
    """How many units a turn lasts. Defaults to 1."""
    end_date: pulumi.Input[str]
    """When the rotation ends, in the same form. Defaults to none (open-ended)."""
    participants: pulumi.Input[Sequence[pulumi.Input[ParticipantArgs]]]
    """Who takes the turns, in order. Defaults to none."""
    time_restriction: pulumi.Input[TimeRestrictionArgs]
    """When the rotation is on call. Defaults to around the clock."""


class ScheduleArgs(TypedDict, total=False):
    """The inputs of a Schedule, for `Schedule(resource_name, ScheduleArgs(...))`; the
    keyword arguments of `Schedule` document each one."""

    name: Required[pulumi.Input[str]]
    """The schedule's name, unique in the site."""
    team_id: pulumi.Input[str]
    """The id of the team that owns the schedule. Defaults to none (a global schedule)."""
    description: pulumi.Input[str]
    """A description, fewer than 10,000 characters. Defaults to `""`."""
    timezone: pulumi.Input[str]
    """An IANA time zone name, e.g. `Europe/Berlin`. Defaults to the one the service picks."""
    enabled: pulumi.Input[bool]
    """Whether the schedule is in effect. Defaults to `True`."""
    rotations: pulumi.Input[Sequence[pulumi.Input[RotationArgs]]]
    """The rotations, a list in any order (names unique). Defaults to none."""
    site: pulumi.Input[str]
    """The name of a site in the stack config's `jsmops:sites`, whose settings reach it. Defaults to the
    `jsmops:*` settings. Changing it replaces the schedule."""


_INPUTS = tuple(ScheduleArgs.__annotations__)


class Schedule(Resource, module=_MODULE, name=_NAME):
    """A Jira Service Management operations on-call schedule, with its rotations.

    ## Example Usage

    ```python
    import pulumi_jsmops as jsmops

    support = jsmops.Schedule(
        "support",
        name="Support On-Call",
        team_id="cd68207b-c55d-4611-ab25-72fd0c439e9f",
        timezone="Europe/Berlin",
        rotations=[
            jsmops.RotationArgs(
                name="weekly",
                type="weekly",
                start_date="2026-01-05T09:00:00+01:00",
                participants=[jsmops.ParticipantArgs(type="user", id="14a994fd-78c6-4236-8b83-d107e5d32d6a")],
            )
        ],
    )
    ```

    The provider reads its settings (`jsmops:baseUrl`, `jsmops:cloudId`, `jsmops:email`,
    `jsmops:apiToken`) from the stack config, else from the `JSMOPS_*` environment; a schedule
    with `site="eu"` those of `jsmops:sites.eu` (`pulumi config set --path 'jsmops:sites.eu.cloudId' ...`).
    `jsmops check --stack <stack>` tries them with one read.

    The engine runs the provider in a Python process of its own: with the project's
    `virtualenv`, else `python3` from PATH. An inline Automation API program names no
    virtualenv, so give its workspace `env_vars={"PULUMI_PYTHON_CMD": sys.executable}`
    (else the provider fails to start: `No module named 'pulumi'`).
    """

    @overload
    def __init__(
        self,
        resource_name: str,
        args: ScheduleArgs,
        opts: Optional[pulumi.ResourceOptions] = None,
    ) -> None: ...

    @overload
    def __init__(
        self,
        resource_name: str,
        args: None = None,
        opts: Optional[pulumi.ResourceOptions] = None,
        *,
        name: pulumi.Input[str],
        team_id: Optional[pulumi.Input[str]] = None,
        description: Optional[pulumi.Input[str]] = None,
        timezone: Optional[pulumi.Input[str]] = None,
        enabled: Optional[pulumi.Input[bool]] = None,
        rotations: Optional[pulumi.Input[Sequence[pulumi.Input[RotationArgs]]]] = None,
        site: Optional[pulumi.Input[str]] = None,
    ) -> None: ...

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
        site: Optional[pulumi.Input[str]] = None,
    ) -> None:
        """Declares a schedule. Give its inputs as keyword arguments or as one `ScheduleArgs`.

        :param str resource_name: The name of the resource in the stack.
        :param ScheduleArgs args: The inputs as one `ScheduleArgs`, instead of the keyword arguments.
        :param pulumi.ResourceOptions opts: Options for the resource.
        :param pulumi.Input[str] name: The schedule's name, unique in the site.
        :param pulumi.Input[str] team_id: The id of the team that owns the schedule. Defaults to none
               (a global schedule).
        :param pulumi.Input[str] description: A description, fewer than 10,000 characters. Defaults to `""`.
        :param pulumi.Input[str] timezone: An IANA time zone name, e.g. `Europe/Berlin`. Defaults to the
               one the service picks.
        :param pulumi.Input[bool] enabled: Whether the schedule is in effect. Defaults to `True`.
        :param pulumi.Input[Sequence[pulumi.Input[RotationArgs]]] rotations: The rotations, a list in any order
               (names unique). Defaults to none.
        :param pulumi.Input[str] site: The name of a site in the stack config's `jsmops:sites`, whose settings
               reach it. Defaults to the `jsmops:*` settings. Changing it replaces the schedule (the state holds
               the name only, never the site's settings).

        Nested inputs take the snake_case keys of the `...Args` types; another key (the API's
        `startDate`, a typo) fails the preview naming it and the key meant.
        """
        given = {"name": name, "team_id": team_id, "description": description,
                 "timezone": timezone, "enabled": enabled, "rotations": rotations, "site": site}
        props: dict[str, Any] = dict.fromkeys(_INPUTS)
        props.update(args or {})
        props.update({key: value for key, value in given.items() if value is not None})
        # Names are unique in a site: a replacement (`up --replace` too, which skips the
        # provider's diff) must delete the old schedule before it creates the new one.
        opts = pulumi.ResourceOptions.merge(pulumi.ResourceOptions(delete_before_replace=True), opts)
        warnings = whole_window_warnings(props["rotations"])
        declared = props["rotations"]
        props["rotations"], ignore_warnings = _keyed_by_name(declared, opts.ignore_changes or [])
        if isinstance(declared, (list, tuple)) and isinstance(props["rotations"], dict):
            # Keyed by name, and the engine keeps no order of keys: the declared one beside them.
            props[ROTATION_ORDER] = [item["name"] for item in declared]
        warnings += ignore_warnings
        with declaring():  # the state keeps the user's line, not the whole stack
            super().__init__(ScheduleProvider(), resource_name, props, opts)
        for warning in warnings:
            pulumi.log.warn(warning, resource=self)
        self._site_input: Any = props["site"]
        _declared[id(self.id)] = (self.id, self)

    # The outputs: the engine sets them on the instance; these properties document them.
    @property
    def name(self) -> pulumi.Output[str]:
        """The schedule's name."""
        return _output(self, "name")

    @property
    def team_id(self) -> pulumi.Output[Optional[str]]:
        """The id of the team that owns the schedule; none for a global schedule."""
        return _output(self, "team_id")

    @property
    def description(self) -> pulumi.Output[str]:
        """The description (`""` when none was given)."""
        return _output(self, "description")

    @property
    def timezone(self) -> pulumi.Output[str]:
        """The time zone: the one given, or the one the service picked."""
        return _output(self, "timezone")

    @property
    def enabled(self) -> pulumi.Output[bool]:
        """Whether the schedule is in effect."""
        return _output(self, "enabled")

    @property
    def site(self) -> pulumi.Output[Optional[str]]:
        """The name of the site in `jsmops:sites`; none for the `jsmops:*` settings."""
        return _output(self, "site")

    @property
    def rotations(self) -> pulumi.Output[dict[str, dict[str, Any]]]:
        """The rotations keyed by name, each with its `id` (made by the service) and its
        inputs in canonical form: dates in UTC (`2026-01-05T08:00:00Z`), defaults filled in,
        e.g. `schedule.rotations.apply(lambda r: r["weekly"]["id"])`. In a preview of a
        schedule that is created or changes (a description edit too), the ids are not known
        yet, so neither is this output: a callback runs only once `up` made the change
        (rotations that stay keep their ids), and `schedule.rotations["weekly"]["type"]` is
        known while `schedule.rotations["weekly"]["id"]` is not. An unchanged schedule's
        rotations are known in a preview, ids included.
        (Only a schedule refreshed with rotations made outside Pulumi that no program may
        declare, two of one name or a name Pulumi reserves as a key, has them as a list, each
        with its `name`, until the next `up` puts back the declared ones.)"""
        return _output(self, "rotations").apply(_unknown_ids_in_preview)


# `rotations.<name>...`, `rotations["<name>"]...`, `rotations[<index>]...` or `rotations[*]...`
# (Pulumi's property paths): group 1 or 2 is a name, 3 an index.
_ROTATION_PATH = re.compile(r'rotations(?:\.([^.\[]+)|\["((?:[^"\\]|\\.)*)"\]|\[(\d+)\]|\[\*\])')


def _keyed_by_name(rotations: Any, ignore_changes: Sequence[str]) -> tuple[Any, list[str]]:
    """The rotations as the engine gets them, and a warning for each `ignore_changes` path
    into a rotation that the engine cannot apply.

    They are keyed by name, as the state keys them (the provider's `check`), when the program
    names them all, each once: then a path into one rotation (`rotations.weekly.participants`)
    resolves on both sides of the engine's comparison. Otherwise they stay as given; so does a
    list with a name Pulumi reserves as a key (`api/reserved_names.py`), which the provider's
    `check` then refuses, naming it (the engine would fail on some of those keys first)."""
    items = rotations if isinstance(rotations, (list, tuple)) else []
    names = [item.get("name") if isinstance(item, dict) else None for item in items]
    if has_reserved_name(names):
        return rotations, []  # the preview fails anyway, naming the rotation
    named = all(isinstance(name, str) for name in names)
    keyed = bool(names) and named and len(set(names)) == len(names)
    warnings = []
    for path in ignore_changes:
        match = _ROTATION_PATH.match(path)
        if match is None or (keyed and (match.group(0) == "rotations[*]" or
                                        (match.group(1) or match.group(2)) in names)):
            continue
        if keyed:
            why = ("rotations are keyed by name: write rotations.<name>" if match.group(3) is not None
                   else "it names no rotation the program declares")
        elif rotations is None or (isinstance(rotations, (list, tuple)) and not rotations):
            why = "the program declares no rotations"
        elif named and isinstance(rotations, (list, tuple)):
            why = "two rotations have one name"
        else:
            why = "the program does not know the rotations' names while it runs (an Output)"
        warnings.append(f"ignore_changes path '{path}' cannot apply: {why}; only 'rotations' as a whole can be "
                        "ignored then")
    if not keyed:
        return rotations, warnings
    return {item["name"]: {k: v for k, v in item.items() if k != "name"} for item in items}, warnings


def _output(resource: Resource, key: str) -> pulumi.Output[Any]:
    return cast("pulumi.Output[Any]", pulumi.get(resource, key))


def _unknown_ids_in_preview(rotations: Any) -> Any:
    """The rotations with an unknown `id` where the engine handed none. The engine previews a
    dynamic resource that is created or changes with its checked inputs as its outputs, so
    its rotations come without the ids the service holds (the provider is not asked for
    them); a value holding an unknown is not known, and callbacks wait for `up`. Outside a
    preview every rotation has its id."""
    from pulumi.output import UNKNOWN

    def with_id(rotation: Any) -> Any:
        return {**rotation, "id": UNKNOWN} if isinstance(rotation, dict) and "id" not in rotation else rotation

    if not pulumi.runtime.is_dry_run():
        return rotations
    if isinstance(rotations, dict):
        return {name: with_id(rotation) for name, rotation in rotations.items()}
    if isinstance(rotations, list):
        return [with_id(rotation) for rotation in rotations]
    return rotations


# The schedules this program knows, for the overrides it declares on them (`override.py`):
# the Schedule resources by their `id` Output (that very object), and the rotations and site
# of the schedules `get_schedule` found, by schedule id (as a Schedule's outputs have them).
_declared: dict[int, tuple[pulumi.Output[str], Schedule]] = {}
_looked_up: dict[str, tuple[Any, Optional[str]]] = {}


def declared_schedule(schedule_id: object) -> Optional[Schedule]:
    """The Schedule of this program whose `id` output `schedule_id` is, if it is one."""
    found = _declared.get(id(schedule_id))
    return found[1] if found is not None and found[0] is schedule_id else None


def declared_site(schedule: Schedule) -> Any:
    """The `site` input a Schedule of this program was given (None, a name, or an Output)."""
    return schedule._site_input


def looked_up_rotations(schedule_id: str) -> Any:
    """The rotations of the schedule `get_schedule` found with this id in this program, or None."""
    return _looked_up.get(schedule_id, (None, None))[0]


def looked_up_site(schedule_id: str) -> Optional[str]:
    """The site `get_schedule` found the schedule with this id on, in this program (None: the default)."""
    return _looked_up.get(schedule_id, (None, None))[1]


@dataclass
class GetScheduleResult:
    """A schedule found by `get_schedule`: the attributes of a Schedule's outputs, as plain values."""

    id: str
    """The schedule's id."""
    name: str
    """The schedule's name."""
    team_id: Optional[str] = None
    """The id of the team that owns it; None for a global schedule."""
    description: str = ""
    """Its description."""
    timezone: str = ""
    """Its time zone."""
    enabled: bool = True
    """Whether it is in effect."""
    rotations: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Its rotations keyed by name, as a Schedule's `rotations` output has them (a list, each
    with its `name`, when two have one name or one has a name Pulumi reserves as a key)."""
    site: Optional[str] = None
    """The name of the site in `jsmops:sites` it was found on; None for the `jsmops:*` settings."""


def get_schedule(name: str, site: Optional[str] = None) -> GetScheduleResult:
    """Looks up a schedule this stack does not manage, by its exact name (like a Terraform
    data source). Uses the stack's `jsmops:*` config, then the JSMOPS_* environment; with
    `site`, the settings of that site in `jsmops:sites`.

    :param str name: The schedule's exact name (case included).
    :param str site: The name of a site in `jsmops:sites`. Defaults to the `jsmops:*` settings.
    :raises pulumi.RunError: No schedule has that name, the settings are missing or wrong, or the
            service failed; the program stops with that message.
    """
    from pydantic import ValidationError  # here, not at the top: most programs never look one up

    from .api.client import Client
    from .api.config import load_settings
    from .api.models import parse_api_schedule
    from .errors import JsmOpsError

    try:
        with Client(load_settings(pulumi.runtime.get_config, site)) as client:
            found = client.find_schedule_by_name(name)
        if found is None:
            raise LookupError("no schedule has this name")
        # The result's fields are the outputs' keys (`Schedule.to_outputs`).
        result = GetScheduleResult(**parse_api_schedule(found).to_outputs(), site=site)
    except (JsmOpsError, LookupError, ValidationError) as exc:
        # A RunError stops the program with its message alone, without a traceback.
        where = "" if site is None else f", site={site!r}"
        raise pulumi.RunError(f"get_schedule(name={name!r}{where}): {exc}") from None
    _looked_up[result.id] = (result.rotations, site)
    return result


def get_schedule_output(name: pulumi.Input[str], site: Optional[pulumi.Input[Optional[str]]] = None
                        ) -> pulumi.Output[GetScheduleResult]:
    """`get_schedule` for inputs that are Outputs.

    :param pulumi.Input[str] name: The schedule's exact name (case included).
    :param pulumi.Input[str] site: The name of a site in `jsmops:sites`. Defaults to the `jsmops:*` settings.
    """
    return pulumi.Output.all(name, site).apply(lambda args: get_schedule(args[0], args[1]))
