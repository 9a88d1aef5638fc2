"""Pulumi resources for Jira Service Management operations schedules.

    import pulumi_jsmops as jsmops
    jsmops.Schedule("support", name="Support", team_id=TEAM, rotations=[jsmops.RotationArgs(...)])
"""

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

__all__ = [
    "DayAndTimeOfDayArgs",
    "GetScheduleResult",
    "ParticipantArgs",
    "RotationArgs",
    "Schedule",
    "ScheduleArgs",
    "TimeOfDayArgs",
    "TimeRestrictionArgs",
    "get_schedule",
    "get_schedule_output",
]
