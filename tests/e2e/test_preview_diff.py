"""`pulumi preview --diff` of a schedule update shows what the update changes and nothing
else (the provider's detailed diff, `dynamic/preview_diff.py`): no unchanged rotation in
full, no unchanged field; each change under its rotation's name."""

from __future__ import annotations

import copy
import re

from testkit.emulator_process import Emulator
from testkit.pulumi_project import PulumiProject
from testkit.schedules import ALICE, BOB, OPERATIONS, TEAM

HOLIDAYS = {"name": "holidays", "type": "daily", "start_date": "2026-12-24T00:00:00Z",
            "participants": [{"type": "user", "id": ALICE}]}


def diff_of(project: PulumiProject, emulator: Emulator, operations: dict) -> str:
    """The property lines of the schedule's update in `preview --diff`, without colour codes."""
    project.write_schedules({"ops": operations})
    emulator.reset_stats()
    output = re.sub(r"\x1b\[[0-9;]*m", "", project.preview("--diff").stdout)
    assert emulator.stats()["total"] == 0
    schedule = output.split("jsmops:Schedule::ops]", 1)[1].split("Resources:", 1)[0]
    return "\n".join(line.strip() for line in schedule.strip().splitlines())


def test_the_diff_shows_only_what_changes(project: PulumiProject, emulator: Emulator) -> None:
    project.write_schedules({"ops": OPERATIONS})
    project.up()

    edited = copy.deepcopy(OPERATIONS)
    edited["rotations"][1]["participants"] = [{"type": "user", "id": BOB}]
    assert diff_of(project, emulator, edited) == "\n".join([
        "~ rotations: {", "~ nights: {", "~ participants: [", "~ [0]: {",
        f'~ id  : "{TEAM}" => "{BOB}"', '~ type: "team" => "user"', "}", "]", "}", "}"])

    described = copy.deepcopy(OPERATIONS)
    described["description"] = "edited"
    assert diff_of(project, emulator, described) == '+ description: "edited"'  # the engine's way with ""

    added = copy.deepcopy(OPERATIONS)
    added["rotations"].append(HOLIDAYS)
    lines = diff_of(project, emulator, added)
    assert lines.startswith("~ rotations: {\n+ holidays: {") and "business days" not in lines
    assert "nights" not in lines and "timezone" not in lines and "name" not in lines.replace('"holidays"', "")

    ended = copy.deepcopy(OPERATIONS)
    del ended["rotations"][0]["end_date"]  # the contract can only replace it: shown as the field removed
    lines = diff_of(project, emulator, ended)
    assert lines.splitlines()[:3] == ["~ rotations: {", "~ business days: {", '- end_date: "2026-12-31T22:00:00Z"']
    assert "nights" not in lines and "participants" not in lines


def test_dates_show_as_written_and_compare_as_instants(project: PulumiProject, emulator: Emulator) -> None:
    """The checked inputs keep a rotation's dates as the program wrote them (the preview and
    the state's inputs show `08:00:00-05:00`, not `13:00:00Z`); the service, the outputs and
    the comparison take them as instants, so another form of the same moment is no change,
    through `up`, `refresh` and the next preview."""
    project.write_schedules({"ops": OPERATIONS})
    project.up()
    project.assert_clean_preview()
    held = project.resources()["ops"]
    assert held["inputs"]["rotations"]["business days"]["start_date"] == "2026-02-02T08:00:00-05:00"
    assert held["inputs"]["rotations"]["nights"]["start_date"] == "2026-02-02T20:00:00Z"
    assert held["outputs"]["rotations"]["business days"]["start_date"] == "2026-02-02T13:00:00Z"
    assert emulator.schedules()[0]["rotations"][0]["startDate"] == "2026-02-02T13:00:00Z"

    moved = copy.deepcopy(OPERATIONS)
    moved["rotations"][0]["start_date"] = "2026-02-03T08:00:00-05:00"
    assert diff_of(project, emulator, moved) == "\n".join([
        "~ rotations: {", "~ business days: {", '~ start_date: "2026-02-02T13:00:00Z" => "2026-02-03T08:00:00-05:00"',
        "}", "}"])

    for same_moment in ("2026-02-02T13:00:00Z", "2026-02-02T14:00:00+01:00", "2026-02-02 08:00-05:00"):
        rewritten = copy.deepcopy(OPERATIONS)
        rewritten["rotations"][0]["start_date"] = same_moment
        project.write_schedules({"ops": rewritten})
        project.assert_clean_preview()

    emulator.reset_stats()  # an `up` of another form of the same moments sends nothing ...
    project.write_schedules({"ops": rewritten})
    project.up()
    assert {m: n for m, n in emulator.stats()["by_method"].items() if m != "GET"} == {}
    assert project.resources()["ops"]["inputs"]["rotations"]["business days"]["start_date"] == "2026-02-02 08:00-05:00"
    project.write_schedules({"ops": OPERATIONS})  # ... and the first form is clean again
    project.assert_clean_preview()
    project.pulumi("refresh", "--yes", "--expect-no-changes")  # the service's UTC is the same moment
    project.assert_clean_preview()
