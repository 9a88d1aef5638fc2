"""Invalid programs fail at `pulumi preview`, naming the field, before any request."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from testkit.edits import replaced
from testkit.emulator_process import Emulator
from testkit.pulumi_project import PulumiProject
from testkit.schedules import OPERATIONS, SUPPORT

R = "rotations[0]"
TR = f"{R}.time_restriction"


def support(path: str, value) -> dict:
    """A program of one schedule, SUPPORT, with one value replaced (`...` deletes it)."""
    return {"support": replaced(SUPPORT, path, value)}


WEEKDAY = {"start_day": "monday", "start_hour": 9, "start_min": 0, "end_day": "friday", "end_hour": 17, "end_min": 0}

# (program, what the output must say)
PROGRAMS = [
    (support("name", ...), "name: is required"),
    (support("name", ""), "name: must not be blank"),
    (support("name", 12), "name: must be a string"),
    (support("team_id", 5), "team_id: must be a string"),
    (support("team_id", " "), "team_id: must not be blank"),
    (support("description", ["a"]), "description: must be a string"),
    (support("timezone", "Europe/Atlantis"), "timezone: 'Europe/Atlantis' is not an IANA time zone name"),
    (support("timezone", 1), "timezone: must be a string"),
    (support("enabled", "yes"), "enabled: must be true or false"),
    (support("colour", "blue"), "unexpected keyword argument 'colour'"),
    (support("rotations", "weekly"), "rotations: must be a list"),
    (support("rotations.0.name", ""), f"{R}.name: must not be blank"),
    (support("rotations.0.name", ...), f"{R}.name: is required"),
    (support("rotations.0.type", "monthly"), f"{R}.type: must be 'daily', 'weekly' or 'hourly'"),
    (support("rotations.0.type", ...), f"{R}.type: is required"),
    (support("rotations.0.length", 0), f"{R}.length: must be at least 1"),
    (support("rotations.0.length", "2"), f"{R}.length: must be a whole number"),
    (support("rotations.0.length", 2.5), f"{R}.length: must be a whole number"),
    (support("rotations.0.start_date", "2026-01-05 09:00"), f"{R}.start_date: must have a UTC offset"),
    (support("rotations.0.start_date", "tomorrow"), f"{R}.start_date: is not a valid date"),
    (support("rotations.0.start_date", "2026-02-30T09:00:00Z"), f"{R}.start_date: is not a valid date"),
    (support("rotations.0.end_date", "2025-12-31T00:00:00Z"), f"{R}.end_date: must be after start_date"),
    (support("rotations.0.id", "r-1"), f"{R}.id: is set by the service; leave it out"),
    (support("rotations.0.priority", 1), f"{R}.priority: unknown field"),
    (support("rotations.0.participants.0.type", "robot"),
     f"{R}.participants[0].type: must be 'user', 'team', 'escalation' or 'noone'"),
    (support("rotations.0.participants.1", {"type": "team"}),
     f"{R}.participants[1].id: is required for a participant of type 'team'"),
    (support("rotations.0.participants.1", {"type": "noone", "id": "x"}),
     f"{R}.participants[1].id: a 'noone' participant carries no id"),
    (support("rotations.0.time_restriction.type", "weekly"),
     f"{TR}.type: must be 'time-of-day' or 'weekday-and-time-of-day'"),
    (support("rotations.0.time_restriction.restriction.start_hour", 24),
     f"{TR}.restriction.start_hour: must be at most 23"),
    (support("rotations.0.time_restriction.restriction.end_min", 45),
     f"{TR}.restriction.end_min: must be 0 or 30"),
    (support("rotations.0.time_restriction.restriction", ...), f"{TR}.restriction: is required"),
    (support("rotations.0.time_restriction", {"type": "weekday-and-time-of-day", "restrictions": []}),
     f"{TR}.restrictions: needs at least one entry"),
    (support("rotations.0.time_restriction", {"type": "weekday-and-time-of-day",
                                              "restrictions": [{**WEEKDAY, "end_day": "someday"}]}),
     f"{TR}.restrictions[0].end_day: must be 'monday'"),
    (support("rotations", [SUPPORT["rotations"][0], SUPPORT["rotations"][0]]),
     "rotations: two rotations are named 'weekly'"),
    ({"support": SUPPORT, "copy": {**OPERATIONS, "name": SUPPORT["name"]}},
     "' have the same name; schedule names are unique in a site"),  # both resources named, in either order
]


def test_every_invalid_program_fails_at_preview_naming_the_field(tmp_path: Path, emulator: Emulator) -> None:
    assert len(PROGRAMS) >= 30
    workers = [PulumiProject(tmp_path / f"worker{i}", emulator) for i in range(3)]
    emulator.reset_stats()

    def preview_all(worker: int) -> list[tuple[int, int, str]]:
        project, results = workers[worker], []
        for number in range(worker, len(PROGRAMS), len(workers)):
            project.write_schedules(PROGRAMS[number][0])
            result = project.preview(check=False)
            results.append((number, result.returncode, result.stdout + result.stderr))
        return results

    with ThreadPoolExecutor(len(workers)) as pool:
        outcomes = [outcome for results in pool.map(preview_all, range(len(workers))) for outcome in results]

    misses = [(number, PROGRAMS[number][1], output[-600:]) for number, returncode, output in outcomes
              if returncode == 0 or PROGRAMS[number][1] not in output]
    assert misses == []
    assert len(outcomes) == len(PROGRAMS)
    assert emulator.stats()["total"] == 0  # no program reached the service
