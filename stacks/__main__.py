"""On-call schedules of three teams.

The ids of teams, people and escalations come from the stack config, so the same
program serves the local emulator (stacks/Pulumi.demo.yaml) and a real site.
"""

import pulumi

import pulumi_jsmops as jsmops

config = pulumi.Config()
teams: dict[str, str] = config.require_object("teams")
people: dict[str, str] = config.require_object("people")
escalations: dict[str, str] = config.require_object("escalations")


def users(*names: str) -> list[jsmops.ParticipantArgs]:
    return [jsmops.ParticipantArgs(type="user", id=people[name]) for name in names]


WORKING_HOURS = {"type": "time-of-day", "restriction": {"start_hour": 9, "start_min": 0, "end_hour": 17, "end_min": 30}}

platform = jsmops.Schedule(
    "platform",
    name="Platform On-Call",
    team_id=teams["platform"],
    description="Primary on-call for the platform: a week each, around the clock.",
    timezone="Europe/Berlin",
    rotations=[
        jsmops.RotationArgs(
            name="primary",
            type="weekly",
            start_date="2026-01-05T09:00:00+01:00",
            participants=users("alice", "bob", "carol"),
        ),
        jsmops.RotationArgs(
            name="office hours backup",
            type="daily",
            start_date="2026-01-05T09:00:00+01:00",
            participants=users("dave", "erin"),
            time_restriction=WORKING_HOURS,
        ),
    ],
)

support = jsmops.Schedule(
    "support",
    name="Customer Support",
    team_id=teams["support"],
    description="Weekdays in office hours, weekends by the whole team.",
    timezone="America/New_York",
    rotations=[
        jsmops.RotationArgs(
            name="weekdays",
            type="daily",
            start_date="2026-01-05T08:00:00-05:00",
            participants=users("frank", "grace") + [{"type": "noone"}],
            time_restriction={
                "type": "weekday-and-time-of-day",
                "restrictions": [
                    {"start_day": day, "start_hour": 8, "start_min": 0, "end_day": day, "end_hour": 18, "end_min": 0}
                    for day in ("monday", "tuesday", "wednesday", "thursday", "friday")
                ],
            },
        ),
        jsmops.RotationArgs(
            name="weekends",
            type="weekly",
            length=2,
            start_date="2026-01-10T00:00:00Z",
            participants=[{"type": "team", "id": teams["support"]}],
            time_restriction={
                "type": "weekday-and-time-of-day",
                "restrictions": [
                    {"start_day": "saturday", "start_hour": 0, "start_min": 0,
                     "end_day": "sunday", "end_hour": 23, "end_min": 30},
                ],
            },
        ),
    ],
)

database = jsmops.Schedule(
    "database",
    name="Database Migration Watch",
    team_id=teams["data"],
    description="Twelve-hour shifts while the cluster migration runs.",
    timezone="Asia/Tokyo",
    enabled=False,
    rotations=[
        jsmops.RotationArgs(
            name="shifts",
            type="hourly",
            length=12,
            start_date="2026-12-01T09:00:00+09:00",
            end_date="2027-01-31T09:00:00+09:00",
            participants=users("heidi", "ivan") + [{"type": "escalation", "id": escalations["data"]}],
        ),
    ],
)

pulumi.export("schedule_ids", {"platform": platform.id, "support": support.id, "database": database.id})
# Rotations are keyed by name; their ids are made by the service (unknown until created).
pulumi.export("platform_rotation_ids", platform.rotations.apply(lambda rs: {n: r.get("id") for n, r in rs.items()}))
