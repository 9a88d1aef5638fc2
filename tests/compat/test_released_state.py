"""A stack written by the released provider (0.1.0) keeps working with this one.

Every user's state holds the provider pickled by reference to
`pulumi_jsmops.provider.ScheduleProvider` (the `__provider` string), and the engine
unpickles the one in the state to read (`refresh`) and delete (`destroy`, or a resource
removed from the program) a schedule. `released-0.1.0-state.json` is `pulumi stack export`
of a stack that the release created (one schedule with two rotations, against the emulator),
as it was written, less the machine's paths (`sourcePosition`, `stackTrace`) and the
passphrase's salt. The service's ids in it are replaced by those of the same schedule made
here through the API (the emulator makes its own ids).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from testkit.emulator_process import Emulator
from testkit.pulumi_project import PulumiProject

RELEASED_STATE = Path(__file__).with_name("released-0.1.0-state.json")
# What the release pickled, as every stack it made holds it.
RELEASED_PROVIDER = "gASVMgAAAAAAAACMFnB1bHVtaV9qc21vcHMucHJvdmlkZXKUjBBTY2hlZHVsZVByb3ZpZGVylJOUKYGULg=="

ALICE, BOB = "14a994fd-78c6-4236-8b83-d107e5d32d6a", "5ab0f0a4-4ac8-4a3e-9a3b-1f3c7de2b6a1"
ESCALATION = "2ad4505d-d7a9-4997-8745-c40a3b641573"
CAROL = "3be5616e-e8d0-4aa8-9856-d51f4c752684"

# The program that made the state, as its user wrote it.
DECLARED: dict[str, Any] = {
    "name": "Released On-Call",
    "team_id": "cd68207b-c55d-4611-ab25-72fd0c439e9f",
    "description": "made by pulumi-jsmops 0.1.0",
    "timezone": "Europe/Berlin",
    "rotations": [
        {"name": "business hours", "type": "weekly", "start_date": "2026-01-05T09:00:00+01:00",
         "participants": [{"type": "user", "id": ALICE}, {"type": "user", "id": BOB}],
         "time_restriction": {"type": "weekday-and-time-of-day", "restrictions": [
             {"start_day": "monday", "start_hour": 9, "start_min": 0,
              "end_day": "friday", "end_hour": 17, "end_min": 30}]}},
        {"name": "nights", "type": "daily", "length": 2, "start_date": "2026-01-05T17:30:00+01:00",
         "end_date": "2026-12-31T09:00:00+01:00",
         "participants": [{"type": "escalation", "id": ESCALATION}, {"type": "noone"}],
         "time_restriction": {"type": "time-of-day",
                              "restriction": {"start_hour": 17, "start_min": 30, "end_hour": 9, "end_min": 0}}},
    ],
}

# The same schedule as the service holds it (written out by hand).
IN_API: dict[str, Any] = {
    "name": "Released On-Call",
    "teamId": "cd68207b-c55d-4611-ab25-72fd0c439e9f",
    "description": "made by pulumi-jsmops 0.1.0",
    "timezone": "Europe/Berlin",
    "enabled": True,
    "rotations": [
        {"name": "business hours", "type": "weekly", "length": 1, "startDate": "2026-01-05T08:00:00Z",
         "participants": [{"type": "user", "id": ALICE}, {"type": "user", "id": BOB}],
         "timeRestriction": {"type": "weekday-and-time-of-day", "restrictions": [
             {"startDay": "monday", "startHour": 9, "startMin": 0,
              "endDay": "friday", "endHour": 17, "endMin": 30}]}},
        {"name": "nights", "type": "daily", "length": 2, "startDate": "2026-01-05T16:30:00Z",
         "endDate": "2026-12-31T08:00:00Z",
         "participants": [{"type": "escalation", "id": ESCALATION}, {"type": "noone"}],
         "timeRestriction": {"type": "time-of-day",
                             "restriction": {"startHour": 17, "startMin": 30, "endHour": 9, "endMin": 0}}},
    ],
}


def released_schedule(state: dict[str, Any]) -> dict[str, Any]:
    [schedule] = [r for r in state["deployment"]["resources"] if r["type"].endswith(":Schedule")]
    return schedule


def import_released_state(project: PulumiProject, emulator: Emulator) -> dict[str, Any]:
    """Makes the released state's schedule on the service and imports the state with its
    ids into the project's stack; answers the schedule as the service made it."""
    response = emulator.http.post(f"{emulator.api_url}/schedules", json=IN_API, auth=emulator.admin_auth, timeout=10)
    response.raise_for_status()
    made = response.json()
    text = RELEASED_STATE.read_text()
    released = released_schedule(json.loads(text))
    text = text.replace(released["id"], made["id"])
    made_rotations = {r["name"]: r["id"] for r in made["rotations"]}
    for name, rotation in released["outputs"]["rotations"].items():
        text = text.replace(rotation["id"], made_rotations[name])
    state_file = project.root / "released-state.json"
    state_file.write_text(text)
    project.pulumi("stack", "import", "--file", str(state_file))
    return made


def test_a_released_state_refreshes_updates_and_destroys(project: PulumiProject, emulator: Emulator) -> None:
    project.write_schedules({"oncall": DECLARED})
    assert released_schedule(json.loads(RELEASED_STATE.read_text()))["outputs"]["__provider"] == RELEASED_PROVIDER

    # destroy with the state's provider, as the release wrote it: one DELETE.
    import_released_state(project, emulator)
    assert project.resources()["oncall"]["outputs"]["__provider"] == RELEASED_PROVIDER
    emulator.reset_stats()
    project.pulumi("destroy", "--yes", "--skip-preview")
    assert emulator.stats()["by_method"] == {"DELETE": 1}
    assert emulator.schedules() == []
    assert project.resources() == {}

    # refresh with the state's provider: the schedule reads back as it was, a clean preview.
    made = import_released_state(project, emulator)
    emulator.reset_stats()
    project.pulumi("refresh", "--yes", "--skip-preview", "--expect-no-changes")
    assert emulator.stats()["by_method"] == {"GET": 1}
    assert project.resources()["oncall"]["outputs"]["__provider"] == RELEASED_PROVIDER
    project.assert_clean_preview()

    # update from the released outputs: one PATCH of the schedule, one of the changed rotation.
    changed = json.loads(json.dumps(DECLARED))
    changed["description"] = "updated by this provider"
    changed["rotations"][0]["participants"].append({"type": "user", "id": CAROL})
    project.write_schedules({"oncall": changed})
    emulator.reset_stats()
    project.up()
    ids = {r["name"]: r["id"] for r in made["rotations"]}
    assert [(r["method"], r["path"], r["body"]) for r in emulator.requests()] == [
        ("PATCH", f"/v1/schedules/{made['id']}", {"description": "updated by this provider"}),
        ("PATCH", f"/v1/schedules/{made['id']}/rotations/{ids['business hours']}",
         {"participants": [*IN_API["rotations"][0]["participants"], {"type": "user", "id": CAROL}]}),
    ]
    [held] = emulator.schedules()
    assert held["id"] == made["id"] and held["description"] == "updated by this provider"
    assert {r["name"]: r["id"] for r in held["rotations"]} == ids  # both rotations keep their ids
    assert [r["participants"] for r in held["rotations"]] == [
        [*IN_API["rotations"][0]["participants"], {"type": "user", "id": CAROL}],
        IN_API["rotations"][1]["participants"],
    ]
    project.preview("--expect-no-changes")
    # This provider pickles as the release did: an up changes nothing of it in the state.
    assert project.resources()["oncall"]["outputs"]["__provider"] == RELEASED_PROVIDER

    project.pulumi("destroy", "--yes", "--skip-preview")
    assert emulator.schedules() == []
    assert project.resources() == {}
