"""The ScheduleOverride resource users declare, and its input types.

An override hands some rotations of a schedule (or all of them) to one person, or to
nobody, for a while: the cover for a holiday, parental leave, a conference week, planned
and reviewed like any other change.
"""

from __future__ import annotations

import sys
from typing import Any, Optional, Sequence, TypedDict, overload

import pulumi
from pulumi.dynamic import Resource

if sys.version_info >= (3, 11):
    from typing import NotRequired, Required
else:  # pragma: no cover - Python 3.10
    from typing_extensions import NotRequired, Required

from .api.reserved_names import has_reserved_name
from .provider import ScheduleOverrideProvider
from .registration import declaring
from .schedule import _output, declared_schedule, declared_site, looked_up_rotations, looked_up_site

# The resource's type, as every stack's state holds it (see SCHEDULE_TYPE in schedule.py).
_MODULE, _NAME = "jsmops", "ScheduleOverride"
OVERRIDE_TYPE = f"pulumi-python:dynamic/{_MODULE}:{_NAME}"
# The provider's hidden input: the schedule's rotations as this program knows them (dynamic/override_plan.py).
_SCHEDULE_ROTATIONS = "schedule_rotations"


class OverrideResponderArgs(TypedDict):
    """Who is on call instead, for the override's window.

    :param pulumi.Input[str] type: `user`, or `noone` (nobody is on call: the rotations pause).
    :param pulumi.Input[str] id: The user's account id. Required for `user`; left out for `noone`.
    """

    type: Required[pulumi.Input[str]]
    """`user`, or `noone` (nobody is on call: the rotations pause)."""
    id: NotRequired[pulumi.Input[str]]
    """The user's account id. Required for `user`; left out for `noone`."""


class ScheduleOverrideArgs(TypedDict, total=False):
    """The inputs of a ScheduleOverride, for `ScheduleOverride(resource_name, ScheduleOverrideArgs(...))`;
    the keyword arguments of `ScheduleOverride` document each one."""

    schedule_id: Required[pulumi.Input[str]]
    """The id of the schedule: best the `id` of a `Schedule` of this program (then its rotation names are checked
    at preview)."""
    responder: Required[pulumi.Input[OverrideResponderArgs]]
    """Who is on call instead."""
    start_date: Required[pulumi.Input[str]]
    """When the override starts: ISO 8601 with a UTC offset, e.g. `2027-12-24T09:00:00+01:00`."""
    end_date: Required[pulumi.Input[str]]
    """When it ends, in the same form; after `start_date`."""
    rotations: pulumi.Input[Sequence[pulumi.Input[str]]]
    """The names of the schedule's rotations it applies to. Defaults to all rotations."""
    site: pulumi.Input[str]
    """The name of the schedule's site in `jsmops:sites`. Defaults to the site of the `Schedule` (or `get_schedule`
    result) whose id `schedule_id` is, else the `jsmops:*` settings. Changing it replaces the override."""


_INPUTS = tuple(ScheduleOverrideArgs.__annotations__)


class ScheduleOverride(Resource, module=_MODULE, name=_NAME):
    """An override of a Jira Service Management operations schedule: someone else on call
    (or nobody) for some of its rotations, or all of them, for a while.

    ## Example Usage

    ```python
    import pulumi_jsmops as jsmops

    support = jsmops.Schedule("support", name="Support On-Call", rotations=[...])
    xmas = jsmops.ScheduleOverride(
        "xmas",
        schedule_id=support.id,
        responder=jsmops.OverrideResponderArgs(type="user", id="5ab0f0a4-4ac8-4a3e-9a3b-1f3c7de2b6a1"),
        start_date="2027-12-24T09:00:00+01:00",
        end_date="2027-12-27T09:00:00+01:00",
        rotations=["primary"],
    )
    ```

    The stack owns exactly the overrides whose alias it holds (the service makes the alias):
    one made by hand on the same schedule, even an identical one, is never taken over,
    edited or deleted. Once an override's `end_date` has passed, it is history: the provider
    sends nothing for it any more (it is never made again in the past, nor deleted). The
    resource's id is the override's alias.
    """

    @overload
    def __init__(
        self,
        resource_name: str,
        args: ScheduleOverrideArgs,
        opts: Optional[pulumi.ResourceOptions] = None,
    ) -> None: ...

    @overload
    def __init__(
        self,
        resource_name: str,
        args: None = None,
        opts: Optional[pulumi.ResourceOptions] = None,
        *,
        schedule_id: pulumi.Input[str],
        responder: pulumi.Input[OverrideResponderArgs],
        start_date: pulumi.Input[str],
        end_date: pulumi.Input[str],
        rotations: Optional[pulumi.Input[Sequence[pulumi.Input[str]]]] = None,
        site: Optional[pulumi.Input[str]] = None,
    ) -> None: ...

    def __init__(
        self,
        resource_name: str,
        args: Optional[ScheduleOverrideArgs] = None,
        opts: Optional[pulumi.ResourceOptions] = None,
        *,
        schedule_id: Optional[pulumi.Input[str]] = None,
        responder: Optional[pulumi.Input[OverrideResponderArgs]] = None,
        start_date: Optional[pulumi.Input[str]] = None,
        end_date: Optional[pulumi.Input[str]] = None,
        rotations: Optional[pulumi.Input[Sequence[pulumi.Input[str]]]] = None,
        site: Optional[pulumi.Input[str]] = None,
    ) -> None:
        """Declares an override. Give its inputs as keyword arguments or as one `ScheduleOverrideArgs`.

        :param str resource_name: The name of the resource in the stack.
        :param ScheduleOverrideArgs args: The inputs as one `ScheduleOverrideArgs`, instead of the keyword arguments.
        :param pulumi.ResourceOptions opts: Options for the resource.
        :param pulumi.Input[str] schedule_id: The id of the schedule. Give the `id` of a `Schedule` of this
               program itself (`schedule_id=support.id`), or the id of a schedule `get_schedule` found: then the
               rotation names are checked at preview and resolved without a request, and a rotation replaced
               in that schedule is followed at the next `up`. Any other schedule id works too, at the cost of
               one read of its rotations when names must be resolved.
        :param pulumi.Input[OverrideResponderArgs] responder: Who is on call instead: a user, or nobody.
        :param pulumi.Input[str] start_date: When the override starts: ISO 8601 with a UTC offset,
               e.g. `2027-12-24T09:00:00+01:00`.
        :param pulumi.Input[str] end_date: When it ends, in the same form; after `start_date`.
        :param pulumi.Input[Sequence[pulumi.Input[str]]] rotations: The names of the schedule's rotations it
               applies to, in any order. Defaults to all rotations (also those added later).
        :param pulumi.Input[str] site: The name of the schedule's site in the stack config's `jsmops:sites`.
               Defaults to the site of the `Schedule` of this program (or the `get_schedule` result) whose id
               `schedule_id` is, else the `jsmops:*` settings. Changing it replaces the override.
        """
        given = {"schedule_id": schedule_id, "responder": responder, "start_date": start_date,
                 "end_date": end_date, "rotations": rotations, "site": site}
        props: dict[str, Any] = dict.fromkeys(_INPUTS)
        props.update(args or {})
        props.update({key: value for key, value in given.items() if value is not None})
        props[_SCHEDULE_ROTATIONS] = _known_rotations(props["schedule_id"])
        known, schedule_site = _schedule_site(props["schedule_id"])
        if props["site"] is None:
            props["site"] = schedule_site
        elif known and _differ(props["site"], schedule_site):
            # A RunError stops the program with its message alone, before any request.
            its = "the jsmops:* settings" if schedule_site is None else repr(schedule_site)
            raise pulumi.RunError(f"resource '{resource_name}' has a problem: site: {props['site']!r} is not the site "
                                  f"of its schedule ({its})")
        with declaring():  # the state keeps the user's line, not the whole stack
            super().__init__(ScheduleOverrideProvider(), resource_name, props, opts)

    # The outputs: the engine sets them on the instance; these properties document them.
    @property
    def schedule_id(self) -> pulumi.Output[str]:
        """The id of the schedule."""
        return _output(self, "schedule_id")

    @property
    def responder(self) -> pulumi.Output[dict[str, str]]:
        """Who is on call instead: `{"type": "user", "id": ...}` or `{"type": "noone"}`."""
        return _output(self, "responder")

    @property
    def start_date(self) -> pulumi.Output[str]:
        """When it starts, in UTC (`2027-12-24T08:00:00Z`)."""
        return _output(self, "start_date")

    @property
    def end_date(self) -> pulumi.Output[str]:
        """When it ends, in UTC."""
        return _output(self, "end_date")

    @property
    def rotations(self) -> pulumi.Output[Optional[list[str]]]:
        """The names of the rotations it applies to, sorted; none for all rotations."""
        return _output(self, "rotations")

    @property
    def alias(self) -> pulumi.Output[Optional[str]]:
        """The override's alias, made by the service (also the resource's id); none for an override
        declared after its window had ended, which is never made."""
        return _output(self, "alias")

    @property
    def site(self) -> pulumi.Output[Optional[str]]:
        """The name of the schedule's site in `jsmops:sites`; none for the `jsmops:*` settings."""
        return _output(self, "site")

    @property
    def rotation_ids(self) -> pulumi.Output[Optional[list[str]]]:
        """The ids of the rotations it applies to, as the service holds them; none for all rotations."""
        return _output(self, "rotation_ids")


def _known_rotations(schedule_id: Any) -> Optional[pulumi.Output[Any]]:
    """The schedule's rotations as this program knows them (name -> `{"id": ...}`, without an
    id where none is known yet), for the provider: from the `Schedule` whose `id` output
    `schedule_id` is, or from what `get_schedule` found; None when the program knows nothing."""
    schedule = declared_schedule(schedule_id)
    if schedule is not None:
        # The rotations as the engine hands them: in a preview, names without ids where ids are not known yet.
        return _output(schedule, "rotations").apply(rotation_ids_by_name)
    if isinstance(schedule_id, str) and looked_up_rotations(schedule_id) is None:
        return None
    return pulumi.Output.from_input(schedule_id).apply(
        lambda known_id: rotation_ids_by_name(looked_up_rotations(known_id)) if isinstance(known_id, str) else None)


def _schedule_site(schedule_id: Any) -> tuple[bool, Any]:
    """Whether this program knows the schedule, and its site: the `site` input of the `Schedule`
    whose `id` output `schedule_id` is, or the site `get_schedule` found it on (None: the default)."""
    schedule = declared_schedule(schedule_id)
    if schedule is not None:
        return True, declared_site(schedule)
    if isinstance(schedule_id, str) and looked_up_rotations(schedule_id) is not None:
        return True, looked_up_site(schedule_id)
    return False, None


def _differ(site: Any, schedule_site: Any) -> bool:
    """Whether two sites, each a name or None (the default), are known to differ (an Output is not known)."""
    return all(value is None or isinstance(value, str) for value in (site, schedule_site)) and site != schedule_site


def rotation_ids_by_name(rotations: Any) -> Optional[dict[str, dict[str, str]]]:
    """A Schedule's `rotations` output (keyed by name; a list where names repeat: the first
    of each name) as name -> `{"id": ...}`. None where a name is one Pulumi reserves as a key
    (`api/reserved_names.py`: such a key would break the engine or hide in previews): the
    provider then reads the schedule's rotations when it must resolve names."""
    if isinstance(rotations, dict):
        items = [{**value, "name": name} for name, value in rotations.items() if isinstance(value, dict)]
    elif isinstance(rotations, list):
        items = [item for item in rotations if isinstance(item, dict)]
    else:
        return None
    if has_reserved_name(item.get("name") for item in items):
        return None
    known: dict[str, dict[str, str]] = {}
    for item in items:
        name, rotation_id = item.get("name"), item.get("id")
        if isinstance(name, str) and name not in known:
            known[name] = {"id": rotation_id} if isinstance(rotation_id, str) else {}
    return known
