"""Example schedules the end-to-end, reliability and shared-state tests declare, and how
the API must hold them."""

TEAM = "cd68207b-c55d-4611-ab25-72fd0c439e9f"
ALICE = "14a994fd-78c6-4236-8b83-d107e5d32d6a"
BOB = "5ab0f0a4-4ac8-4a3e-9a3b-1f3c7de2b6a1"
ESCALATION = "2ad4505d-d7a9-4997-8745-c40a3b641573"

SUPPORT = {
    "name": "Support Schedule",
    "team_id": TEAM,
    "description": "On-call schedule for support team",
    "timezone": "Europe/Berlin",
    "enabled": True,
    "rotations": [{
        "name": "weekly",
        "type": "weekly",
        "length": 1,
        "start_date": "2026-01-05T09:00:00+01:00",
        "participants": [{"type": "user", "id": ALICE}, {"type": "user", "id": BOB}],
        "time_restriction": {"type": "time-of-day",
                             "restriction": {"start_hour": 9, "start_min": 0, "end_hour": 17, "end_min": 30}},
    }],
}

# How the API holds SUPPORT: written out by hand, not derived by the provider's code.
SUPPORT_IN_API = {
    "name": "Support Schedule",
    "teamId": TEAM,
    "description": "On-call schedule for support team",
    "timezone": "Europe/Berlin",
    "enabled": True,
    "rotations": [{
        "name": "weekly",
        "type": "weekly",
        "length": 1,
        "startDate": "2026-01-05T08:00:00Z",
        "participants": [{"type": "user", "id": ALICE}, {"type": "user", "id": BOB}],
        "timeRestriction": {"type": "time-of-day",
                            "restriction": {"startHour": 9, "startMin": 0, "endHour": 17, "endMin": 30}},
    }],
}

OPERATIONS = {
    "name": "Operations",
    "team_id": TEAM,
    "timezone": "America/New_York",
    "rotations": [
        {
            "name": "business days",
            "type": "daily",
            "start_date": "2026-02-02T08:00:00-05:00",
            "end_date": "2026-12-31T17:00:00-05:00",
            "participants": [{"type": "user", "id": BOB}, {"type": "noone"}, {"type": "escalation", "id": ESCALATION}],
            "time_restriction": {"type": "weekday-and-time-of-day", "restrictions": [
                {"start_day": "monday", "start_hour": 8, "start_min": 0,
                 "end_day": "friday", "end_hour": 18, "end_min": 30},
            ]},
        },
        {
            "name": "nights",
            "type": "hourly",
            "length": 12,
            "start_date": "2026-02-02T20:00:00Z",
            "participants": [{"type": "team", "id": TEAM}],
        },
    ],
}

# No timezone (the service picks one), no description, disabled, no rotations.
DATA = {"name": "Data Platform", "team_id": TEAM, "enabled": False}


def without_ids(schedule: dict) -> dict:
    """An API schedule without the ids the service made."""
    result = {k: v for k, v in schedule.items() if k != "id"}
    result["rotations"] = [{k: v for k, v in r.items() if k != "id"} for r in schedule.get("rotations", [])]
    return result
