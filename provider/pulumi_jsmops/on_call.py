"""Who is on call, as the service answers it: `get_on_call`, a lookup like a data source."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import pulumi


@dataclass
class GetOnCallParticipantResult:
    """One participant on call."""

    type: str
    """`user`, `team` or `escalation`."""
    id: str
    """The user's, team's or escalation's id."""


@dataclass
class GetOnCallResult:
    """Who is on call in a schedule at a moment, found by `get_on_call`."""

    schedule_id: str
    """The schedule's id."""
    at: Optional[str] = None
    """The moment asked about, in UTC (`2027-12-24T10:00:00Z`); None for the moment of the lookup."""
    participants: list[GetOnCallParticipantResult] = field(default_factory=list)
    """Everyone on call then, as the service answers (overrides included; `noone` left out)."""


def get_on_call(schedule_id: str, at: Optional[str] = None, site: Optional[str] = None) -> GetOnCallResult:
    """Asks the service who is on call in a schedule (like a Terraform data source), through
    its on-calls endpoint. Uses the stack's `jsmops:*` config, then the JSMOPS_* environment;
    with `site`, the settings of that site in `jsmops:sites`.

    :param str schedule_id: The schedule's id, e.g. a `Schedule`'s id or `get_schedule(...).id`.
    :param str at: The moment to ask about: ISO 8601 with a UTC offset, e.g. `2027-12-24T10:00:00+01:00`.
           Defaults to now.
    :param str site: The name of a site in `jsmops:sites`, the schedule's. Defaults to the `jsmops:*` settings.
    :raises pulumi.RunError: The moment cannot be read, the schedule is unknown, the settings are missing or
            wrong, or the service failed; the program stops with that message.
    """
    from .api.client import Client
    from .api.config import load_settings
    from .errors import JsmOpsError

    given = "".join(f", {key}={value!r}" for key, value in (("at", at), ("site", site)) if value is not None)
    lookup = f"get_on_call(schedule_id={schedule_id!r}{given})"
    try:
        moment = None if at is None else _moment(at)
        with Client(load_settings(pulumi.runtime.get_config, site)) as client:
            answer = client.get_on_calls(schedule_id, date=moment)
    except (JsmOpsError, ValueError) as exc:
        # A RunError stops the program with its message alone, without a traceback.
        raise pulumi.RunError(f"{lookup}: {exc}") from None
    participants = [GetOnCallParticipantResult(type=str(item["type"]), id=str(item["id"]))
                    for item in answer.get("onCallParticipants") or []
                    if isinstance(item, dict) and item.get("type") != "noone" and item.get("id")]
    return GetOnCallResult(schedule_id=schedule_id, at=moment, participants=participants)


def _moment(text: str) -> str:
    """`at` in the API's form (UTC, `Z`), or a ValueError saying how to write it."""
    from pydantic import TypeAdapter, ValidationError  # here, not at the top: most programs never look one up

    from .api.models import Date, format_date

    try:
        return format_date(TypeAdapter(Date).validate_python(text))
    except ValidationError:
        raise ValueError("at: must be an ISO 8601 date with a UTC offset, e.g. 2027-12-24T10:00:00+01:00") from None


def get_on_call_output(schedule_id: pulumi.Input[str], at: Optional[pulumi.Input[Optional[str]]] = None,
                       site: Optional[pulumi.Input[Optional[str]]] = None) -> pulumi.Output[GetOnCallResult]:
    """`get_on_call` for inputs that are Outputs (e.g. `schedule_id=support.id`): no request
    while the schedule's id is not known yet (a preview of its create).

    :param pulumi.Input[str] schedule_id: The schedule's id.
    :param pulumi.Input[str] at: The moment to ask about (ISO 8601 with a UTC offset). Defaults to now.
    :param pulumi.Input[str] site: The name of a site in `jsmops:sites`, the schedule's. Defaults to the
           `jsmops:*` settings.
    """
    return pulumi.Output.all(schedule_id, at, site).apply(lambda args: get_on_call(args[0], args[1], args[2]))
