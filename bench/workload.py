"""N realistic schedules, the same on every run: each with one or two rotations of the
kinds the e2e tests use (weekly, daily, hourly; users, teams, escalations, `noone`),
most with a time restriction of either type, start dates with various UTC offsets."""

from __future__ import annotations

import uuid
from typing import Any

_NS = uuid.UUID("6f1c1c1e-5b0a-4c39-9a55-3c1f4d0b9e21")
TIME_ZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC", "Australia/Sydney", "Europe/London")
OFFSETS = ("+01:00", "-05:00", "+09:00", "Z", "+11:00", "+00:00")


def _id(kind: str, n: int) -> str:
    return str(uuid.uuid5(_NS, f"{kind}-{n}"))


def schedule(i: int) -> dict[str, Any]:
    """The i-th schedule's inputs, as a program passes them to `jsmops.Schedule`."""
    team = _id("team", i % 7)
    users = [_id("user", (i * 3 + k) % 40) for k in range(3)]
    offset = OFFSETS[i % len(OFFSETS)]
    day = 5 + i % 20
    rotations: list[dict[str, Any]] = [{
        "name": "primary",
        "type": ("weekly", "daily")[i % 2],
        "length": 1 + i % 2,
        "start_date": f"2026-01-{day:02d}T09:00:00{offset}",
        "participants": [{"type": "user", "id": users[0]}, {"type": "user", "id": users[1]}],
        "time_restriction": (
            {"type": "time-of-day",
             "restriction": {"start_hour": 8 + i % 3, "start_min": 0, "end_hour": 17, "end_min": 30}}
            if i % 3 != 2 else
            {"type": "weekday-and-time-of-day", "restrictions": [
                {"start_day": "monday", "start_hour": 8, "start_min": 0,
                 "end_day": "friday", "end_hour": 18, "end_min": 30},
                {"start_day": "saturday", "start_hour": 10, "start_min": 0,
                 "end_day": "sunday", "end_hour": 14, "end_min": 0},
            ]}
        ),
    }]
    if i % 2 == 0:  # half of them have an overnight rotation too
        rotations.append({
            "name": "nights",
            "type": "hourly",
            "length": 12,
            "start_date": f"2026-01-{day:02d}T20:00:00Z",
            "end_date": "2026-12-31T08:00:00Z" if i % 4 == 0 else None,
            "participants": [{"type": "team", "id": team}, {"type": "noone"},
                             {"type": "escalation", "id": _id("escalation", i % 5)}],
        })
        if rotations[1]["end_date"] is None:
            del rotations[1]["end_date"]
    spec: dict[str, Any] = {
        "name": f"Bench schedule {i:04d}",
        "team_id": team,
        "description": f"On-call rota {i} of the benchmark",
        "timezone": TIME_ZONES[i % len(TIME_ZONES)],
        "enabled": i % 10 != 9,
        "rotations": rotations,
    }
    return spec


def schedules(n: int) -> dict[str, dict[str, Any]]:
    """Resource name -> inputs, for n schedules."""
    return {f"s{i:04d}": schedule(i) for i in range(n)}


def plain_schedule(i: int, prefix: str) -> dict[str, Any]:
    """The i-th schedule without rotations: what both providers of `bench/peer.py` manage
    in one request (the Terraform provider declares rotations as resources of their own)."""
    spec = schedule(i)
    del spec["rotations"]
    spec["name"] = f"{prefix} schedule {i:04d}"
    return spec


def plain_schedules(n: int, prefix: str) -> dict[str, dict[str, Any]]:
    """Resource name -> inputs, for n schedules without rotations, named after `prefix`."""
    return {f"s{i:04d}": plain_schedule(i, prefix) for i in range(n)}


def overrides(schedule_names: list[str], per_schedule: int) -> dict[str, dict[str, Any]]:
    """Resource name -> inputs of `per_schedule` overrides of each named schedule, in the
    form of testkit/overrides.py's `stack.json` (`"schedule"` names the Schedule resource):
    one user for four hours on consecutive days of 2027, apart from each other."""
    return {
        f"{name}_o{k}": {
            "schedule": name,
            "responder": {"type": "user", "id": _id("user", (i + k) % 40)},
            "start_date": f"2027-03-{k + 1:02d}T08:00:00Z",
            "end_date": f"2027-03-{k + 1:02d}T12:00:00Z",
        }
        for i, name in enumerate(schedule_names) for k in range(per_schedule)
    }
