"""Inputs a new user gets wrong, through the real CLI: each fails `pulumi preview` in one line
that names the field and what was meant, before any request; a restriction window that ends
where it starts previews with a warning that says what the service makes of it."""

from __future__ import annotations

import copy
from pathlib import Path

from testkit.edits import replaced
from testkit.emulator_process import Emulator
from testkit.pulumi_project import PulumiProject
from testkit.schedules import SUPPORT

ROTATION = SUPPORT["rotations"][0]
START = ROTATION["start_date"]


def support(path: str, value) -> dict:
    return {"support": replaced(SUPPORT, path, value)}


def renamed(path: str, old: str, new: str) -> dict:
    """SUPPORT with the key `old` of the object at `path` written as `new` (kept in place)."""
    program = copy.deepcopy(SUPPORT)
    target = program
    for part in path.split(".") if path else []:
        target = target[int(part) if part.isdigit() else part]
    target[new] = target.pop(old)
    return {"support": program}


# (program, what the output must say, what it must not say)
PROGRAMS = [
    (support("rotations", ROTATION), "rotations: must be a list of rotations, not one rotation: write rotations=[...]",
     "rotations[0]"),
    (renamed("rotations.0", "start_date", "startDate"),
     "rotations[0].startDate: unknown field; did you mean start_date?", "start_date: is required"),
    (support("rotations.0.startDate", START), "rotations[0].startDate: unknown field; did you mean start_date?",
     "start_date: unknown field"),
    (renamed("rotations.0", "participants", "participant"),
     "rotations[0].participant: unknown field; did you mean participants?", None),
    (renamed("rotations.0.time_restriction.restriction", "end_min", "endMinute"),
     "rotations[0].time_restriction.restriction.endMinute: unknown field; did you mean end_min?",
     "end_min: is required"),
    (support("rotations.0.shift", "x"),
     "rotations[0].shift: unknown field (the fields here: name, type, length, start_date, end_date, participants, "
     "time_restriction)", None),
    (support("description", "x" * 100_000),
     "description: has 100,000 characters; the service takes fewer than 10,000", None),
]


def test_a_new_users_mistakes_fail_at_preview_saying_what_was_meant(project: PulumiProject,
                                                                    emulator: Emulator) -> None:
    emulator.reset_stats()
    misses = []
    for number, (program, says, never) in enumerate(PROGRAMS):
        project.write_schedules(program)
        result = project.preview(check=False)
        output = result.stdout + result.stderr
        if result.returncode == 0 or says not in output or (never and never in output) or "Traceback" in output:
            misses.append((number, says, output[-800:]))
    assert misses == []
    assert emulator.stats()["total"] == 0  # no program reached the service


def test_a_window_that_ends_where_it_starts_previews_with_a_warning(tmp_path: Path, emulator: Emulator) -> None:
    project = PulumiProject(tmp_path, emulator)
    whole_day = {"start_hour": 9, "start_min": 0, "end_hour": 9, "end_min": 0}
    whole_week = {"start_day": "monday", "start_hour": 9, "start_min": 0, "end_day": "monday", "end_hour": 9,
                  "end_min": 0}
    schedule = replaced(SUPPORT, "rotations.0.time_restriction.restriction", whole_day)
    schedule["rotations"].append({**ROTATION, "name": "weekdays", "time_restriction": {
        "type": "weekday-and-time-of-day", "restrictions": [whole_week]}})
    project.write_schedules({"support": schedule})

    preview = project.preview()
    assert ("rotations[0].time_restriction.restriction: starts and ends at 09:00, which the service reads as around "
            "the clock (24 hours a day), the same as no time_restriction") in preview.stdout, preview.stdout
    assert ("rotations[1].time_restriction.restrictions[0]: starts and ends at monday 09:00, which the service reads "
            "as the whole week") in preview.stdout, preview.stdout
    project.up()  # a warning, not a refusal: the service takes it
    (held,) = emulator.schedules()
    restrictions = {rotation["name"]: rotation["timeRestriction"] for rotation in held["rotations"]}
    assert restrictions["weekly"]["restriction"] == {"startHour": 9, "startMin": 0, "endHour": 9, "endMin": 0}
    project.assert_clean_preview()
