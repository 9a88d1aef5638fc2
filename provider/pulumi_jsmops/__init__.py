"""Pulumi resources for Jira Service Management operations schedules and their overrides.

    import pulumi_jsmops as jsmops
    support = jsmops.Schedule("support", name="Support", team_id=TEAM, rotations=[jsmops.RotationArgs(...)])
    jsmops.ScheduleOverride("xmas", schedule_id=support.id, responder=jsmops.OverrideResponderArgs(...), ...)
    alice = jsmops.get_user(email="alice@example.com").account_id

On-call impact and who is on call, for Automation API stacks (inline programs too) and
saved previews: `pulumi_jsmops.automation` (`impact`, `who_is_on_call`).
"""

from .on_call import GetOnCallParticipantResult, GetOnCallResult, get_on_call, get_on_call_output
from .override import OverrideResponderArgs, ScheduleOverride, ScheduleOverrideArgs
from .schedule import (
    DayAndTimeOfDayArgs,
    GetScheduleResult,
    ParticipantArgs,
    RotationArgs,
    Schedule,
    ScheduleArgs,
    TimeOfDayArgs,
    TimeRestrictionArgs,
    get_schedule,
    get_schedule_output,
)
from .user import GetUserResult, get_user, get_user_output

__all__ = [
    "DayAndTimeOfDayArgs",
    "GetOnCallParticipantResult",
    "GetOnCallResult",
    "GetScheduleResult",
    "GetUserResult",
    "OverrideResponderArgs",
    "ParticipantArgs",
    "RotationArgs",
    "Schedule",
    "ScheduleArgs",
    "ScheduleOverride",
    "ScheduleOverrideArgs",
    "TimeOfDayArgs",
    "TimeRestrictionArgs",
    "get_on_call",
    "get_on_call_output",
    "get_schedule",
    "get_schedule_output",
    "get_user",
    "get_user_output",
]
