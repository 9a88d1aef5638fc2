"""`jsmops impact` and `jsmops oncall` refuse what they cannot read in one line, with no
traceback, and bound their work: the real `jsmops` command (against the emulator where a
stack is needed).

- `--days` from 1 to 366, `--at` from 1970 to before 9000: refused by the argument parser
  (exit 2), before anything runs;
- a hand-edited `--preview` file: one line naming where it is not a preview's JSON (exit 1);
  a schedule step whose inputs are not a schedule is reported not assessed, and fails the gate;
- a rotation `length` up to the API's int32 is assessed (handovers past the year 9999 are
  never); a longer one fails the preview naming the field;
- a picture of more bars than it can show is refused before the report is written.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from testkit.emulator_process import Emulator
from testkit.pulumi_project import PulumiProject

pytestmark = pytest.mark.e2e

JSMOPS = str(Path(sys.executable).parent / "jsmops")
AT = "2026-01-21T12:00:00Z"
SCHEDULE = "pulumi-python:dynamic/jsmops:Schedule"
INT32_MAX = 2**31 - 1


def users(*names: str) -> list[dict[str, str]]:
    return [{"type": "user", "id": f"id-{name}"} for name in names]


LONG = {"name": "Long Turns", "team_id": "t", "timezone": "Europe/Berlin", "rotations": [
    {"name": "weeks", "type": "weekly", "length": 10**6, "start_date": "2026-01-05T09:00:00+01:00",
     "participants": users("alice", "bob")},
    {"name": "hours", "type": "hourly", "length": INT32_MAX, "start_date": "2026-01-05T09:00:00+01:00",
     "participants": users("carol")},
    {"name": "days", "type": "daily", "length": INT32_MAX, "start_date": "2026-01-05T09:00:00+01:00",
     "participants": users("dave")}]}
HOURLY = {"name": "Hourly", "team_id": "t", "timezone": "UTC", "rotations": [
    {"name": "shifts", "type": "hourly", "start_date": "2026-01-05T09:00:00Z", "participants": users("erin", "frank")}]}


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    emulator = Emulator(tmp_path_factory.mktemp("emulator"))
    yield emulator
    emulator.stop()


@pytest.fixture(scope="module")
def project(emulator: Emulator, tmp_path_factory: pytest.TempPathFactory) -> PulumiProject:
    """Two schedules, up: one of very long turns, one of hourly shifts."""
    project = PulumiProject(tmp_path_factory.mktemp("bad-input"), emulator)
    project.write_schedules({"long": LONG, "hourly": HOURLY})
    project.up()
    return project


def jsmops(project: PulumiProject, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([JSMOPS, *args], cwd=project.dir, env=project.env, capture_output=True, text=True,
                          timeout=300)


def assert_one_line(result: subprocess.CompletedProcess[str], status: int, text: str) -> None:
    assert result.returncode == status, (result.stdout, result.stderr)
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1 and text in result.stderr, result.stderr


@pytest.mark.parametrize(("option", "value", "says"), [
    ("--days", "-1", "argument --days: '-1' is not a number of days from 1 to 366"),
    ("--days", "0", "argument --days: '0' is not a number of days from 1 to 366"),
    ("--days", "3000000", "argument --days: '3000000' is not a number of days from 1 to 366"),
    ("--days", "two", "argument --days: 'two' is not a number of days from 1 to 366"),
    ("--at", "9999-12-25", "argument --at: '9999-12-25' is out of range: give a time from 1970-01-01 to before "
                           "9000-01-01"),
    ("--at", "0001-01-01T00:00:00+01:00", "argument --at: '0001-01-01T00:00:00+01:00' is not an ISO 8601 time"),
    ("--at", "1969-12-31T23:00:00Z", "argument --at: '1969-12-31T23:00:00Z' is out of range"),
])
@pytest.mark.parametrize("command", ["impact", "oncall"])
def test_a_bad_window_is_refused_in_one_line(project: PulumiProject, command: str, option: str, value: str,
                                             says: str) -> None:
    project.emulator.reset_stats()
    result = jsmops(project, command, "--stack", "test", option, value)
    assert_one_line(result, 2, f"jsmops {command}: error: {says}")
    assert project.emulator.stats()["total"] == 0


def step(name: str, inputs: Any) -> dict[str, Any]:
    return {"op": "update", "urn": f"urn:pulumi:test::e2e::{SCHEDULE}::{name}",
            "oldState": {"type": SCHEDULE, "id": "s-1", "outputs": HOURLY},
            "newState": {"type": SCHEDULE, "inputs": inputs}}


@pytest.mark.parametrize(("document", "says"), [
    ([], "the document: must be an object"),
    ({"steps": 5}, "steps: must be a list"),
    ({"steps": [5]}, "steps[0]: must be an object"),
    ({"steps": [{"op": "update"}]}, "steps[0].urn: is required"),
    ({"steps": [{"op": "update", "urn": "u", "oldState": []}]}, "steps[0].oldState: must be an object"),
    ({"steps": [step("x", "inputs")]}, "steps[0].newState.inputs: must be an object"),
    ({"steps": [{**step("x", HOURLY), "newState": {"type": SCHEDULE, "propertyDependencies": {"name": "u"}}}]},
     "steps[0].newState.propertyDependencies.name: must be a list"),
    ({"diagnostics": [{"severity": 2}]}, "diagnostics[0].severity: must be a string"),
])
def test_a_hand_edited_preview_is_refused_in_one_line(project: PulumiProject, tmp_path: Path, document: Any,
                                                      says: str) -> None:
    saved = tmp_path / "preview.json"
    saved.write_text(json.dumps(document))
    result = jsmops(project, "impact", "--stack", "test", "--preview", str(saved), "--offline", "--fail-on-gap")
    assert_one_line(result, 1, f"jsmops: error: the preview {saved} is not the JSON of `pulumi preview --json`: {says}")


def test_a_preview_that_is_no_json_is_refused_in_one_line(project: PulumiProject, tmp_path: Path) -> None:
    saved = tmp_path / "preview.json"
    saved.write_text("{'steps': []")
    result = jsmops(project, "impact", "--stack", "test", "--preview", str(saved))
    assert_one_line(result, 1, f"jsmops: error: cannot read the preview {saved}: Expecting property name")


def test_inputs_that_are_not_a_schedule_fail_the_gate(project: PulumiProject, tmp_path: Path) -> None:
    """A well-formed step whose new inputs are no schedule: reported not assessed, naming the
    field; the gate fails (1) naming the schedule."""
    saved = tmp_path / "preview.json"
    saved.write_text(json.dumps({"steps": [step("hourly", {**HOURLY, "rotations": 5})]}))
    result = jsmops(project, "impact", "--stack", "test", "--at", AT, "--preview", str(saved), "--offline",
                    "--fail-on-gap")
    problem = "the inputs are not a valid schedule: rotations: must be a list"
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"Hourly (hourly): not assessed ({problem})" in result.stdout
    assert result.stderr == f"jsmops: error: --fail-on-gap: Hourly (hourly) could not be assessed: {problem}\n"


def test_rotations_of_very_long_turns_are_assessed(project: PulumiProject) -> None:
    """Turns of a million weeks and of 2147483647 hours and days (the API's largest length):
    the change is assessed; the start date that keeps the turns would fall before the year 1,
    so none is proposed, and the report says so. The service holds the lengths as given."""
    edited = json.loads(json.dumps(LONG))
    edited["rotations"][0]["participants"] = users("bob", "alice", "erin")
    project.write_schedules({"long": edited, "hourly": HOURLY})
    try:
        result = jsmops(project, "impact", "--stack", "test", "--at", AT, "--days", "366", "--format", "json",
                        "--fail-on-gap")
    finally:
        project.write_schedules({"long": LONG, "hourly": HOURLY})
    assert result.returncode == 0, result.stderr
    [entry] = json.loads(result.stdout)["schedules"]
    assert entry["problem"] is None and entry["start_dates"] == [{
        "rotation": "weeks", "holder": "id-alice", "start_date": "2026-01-05T09:00:00+01:00", "keeps_turns": None,
        "why_none": "the start date that keeps them would fall before the year 1"}]
    assert entry["now"] == {"before": ["id-alice", "id-carol", "id-dave"], "after": ["id-bob", "id-carol", "id-dave"]}
    assert entry["changes"] == [{"start": "2026-01-21T13:00:00+01:00", "end": "2027-01-22T13:00:00+01:00",
                                 "off": ["id-alice"], "on": ["id-bob"],
                                 "causes": ["id-erin added to rotation 'weeks'"]}]
    [held] = [s for s in project.emulator.schedules() if s["name"] == "Long Turns"]
    assert sorted(r["length"] for r in held["rotations"]) == [10**6, INT32_MAX, INT32_MAX]


def test_a_length_beyond_the_api_fails_the_preview_naming_the_field(project: PulumiProject) -> None:
    edited = json.loads(json.dumps(LONG))
    edited["rotations"][0]["length"] = INT32_MAX + 1
    project.write_schedules({"long": edited, "hourly": HOURLY})
    project.emulator.reset_stats()
    try:
        result = jsmops(project, "impact", "--stack", "test", "--at", AT)
    finally:
        project.write_schedules({"long": LONG, "hourly": HOURLY})
    assert_one_line(result, 1, "jsmops: error: the preview failed: ")
    assert "resource 'long' has a problem: rotations[" in result.stderr
    assert f"].length: must be at most {INT32_MAX}" in result.stderr
    assert project.emulator.stats()["total"] == 0


def test_a_picture_of_too_many_bars_is_refused_before_the_report(project: PulumiProject, tmp_path: Path) -> None:
    """A year of hourly shifts, before and after (4 lanes of 8,784): more than a picture shows."""
    edited = json.loads(json.dumps(HOURLY))
    edited["rotations"][0]["participants"] = users("frank", "erin")
    project.write_schedules({"long": LONG, "hourly": edited})
    picture = tmp_path / "impact.png"
    try:
        result = jsmops(project, "impact", "--stack", "test", "--at", AT, "--days", "366", "--picture", str(picture))
    finally:
        project.write_schedules({"long": LONG, "hourly": HOURLY})
    assert_one_line(result, 1, "jsmops: error: --picture: the window has 35,136 bars to draw, more than the 10,000 a "
                               "picture shows: look at fewer days")
    assert not picture.exists()
