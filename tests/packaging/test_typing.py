"""Type checkers, run as a user's editor or CI would on programs in the user's project
(the package found through the venv's site-packages, so its py.typed is what counts):
a correct program passes mypy --strict and pyright; a mistaken keyword is flagged."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from testkit.user_project import UserProject

BIN = Path(sys.executable).parent

CORRECT = '''\
import pulumi
import pulumi_jsmops as jsmops

first = jsmops.Schedule(
    "first",
    name="First",
    team_id="cd68207b-c55d-4611-ab25-72fd0c439e9f",
    timezone="Europe/Berlin",
    enabled=True,
    rotations=[
        jsmops.RotationArgs(
            name="weekly",
            type="weekly",
            start_date="2026-01-05T09:00:00+01:00",
            length=1,
            participants=[jsmops.ParticipantArgs(type="user", id="14a994fd"), jsmops.ParticipantArgs(type="noone")],
            time_restriction=jsmops.TimeRestrictionArgs(
                type="time-of-day",
                restriction=jsmops.TimeOfDayArgs(start_hour=9, start_min=0, end_hour=17, end_min=30),
            ),
        ),
        {
            "name": "weekends",
            "type": "daily",
            "start_date": "2026-01-10T00:00:00Z",
            "time_restriction": {
                "type": "weekday-and-time-of-day",
                "restrictions": [
                    jsmops.DayAndTimeOfDayArgs(
                        start_day="saturday", start_hour=0, start_min=0, end_day="sunday", end_hour=23, end_min=30
                    )
                ],
            },
        },
    ],
)
second = jsmops.Schedule(
    "second",
    jsmops.ScheduleArgs(name="Second", description=first.id.apply(lambda schedule_id: f"after {schedule_id}")),
    pulumi.ResourceOptions(depends_on=[first]),
)
global_schedule = jsmops.Schedule("global", name="Global")  # no team: a global schedule
name: pulumi.Output[str] = first.name
team: pulumi.Output[str | None] = global_schedule.team_id
rotation_ids = first.rotations.apply(lambda rotations: {name: r["id"] for name, r in rotations.items()})
found: jsmops.GetScheduleResult = jsmops.get_schedule("Made by hand")
pulumi.export("found", found.id)
xmas = jsmops.ScheduleOverride(
    "xmas",
    schedule_id=first.id,
    responder=jsmops.OverrideResponderArgs(type="user", id="14a994fd"),
    start_date="2027-12-24T09:00:00+01:00",
    end_date="2027-12-27T09:00:00+01:00",
    rotations=["weekly"],
)
pause = jsmops.ScheduleOverride(
    "pause",
    jsmops.ScheduleOverrideArgs(schedule_id=found.id, responder={"type": "noone"},
                                start_date="2027-08-01T00:00:00Z", end_date="2027-08-02T00:00:00Z"),
)
alias: pulumi.Output[str | None] = xmas.alias
on_call: jsmops.GetOnCallResult = jsmops.get_on_call(found.id, at="2027-12-25T10:00:00Z")
on_call_ids: list[str] = [participant.id for participant in on_call.participants]
later: pulumi.Output[jsmops.GetOnCallResult] = jsmops.get_on_call_output(first.id)
alice: jsmops.GetUserResult = jsmops.get_user("alice@example.com")
bob: pulumi.Output[jsmops.GetUserResult] = jsmops.get_user_output(first.name.apply(lambda _: "b@x.org"), site="eu")
eu = jsmops.Schedule("eu", name="EU", site="eu", rotations=[
    jsmops.RotationArgs(name="weekly", type="weekly", start_date="2027-01-04T09:00:00+01:00",
                        participants=[jsmops.ParticipantArgs(type="user", id=alice.account_id),
                                      jsmops.ParticipantArgs(type="user", id=bob.account_id)])])
site: pulumi.Output[str | None] = eu.site
'''

WRONG = '''\
import pulumi_jsmops as jsmops

jsmops.Schedule("wrong", name="Wrong", team="cd68207b-c55d-4611-ab25-72fd0c439e9f")
'''
WRONG_LINE = 3


@pytest.fixture
def programs(tmp_path: Path) -> Path:
    """The two programs, beside the project (the checkers find the package through its venv)."""
    (tmp_path / "correct.py").write_text(CORRECT)
    (tmp_path / "wrong.py").write_text(WRONG)
    return tmp_path


def check(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600)


def test_mypy_strict_accepts_a_correct_program_and_flags_team(user_project: UserProject, programs: Path) -> None:
    mypy = [str(BIN / "mypy"), "--strict", "--no-incremental", "--python-executable", str(user_project.python)]
    correct = check([*mypy, "correct.py"], programs)
    assert correct.returncode == 0, correct.stdout
    wrong = check([*mypy, "wrong.py"], programs)
    assert wrong.returncode == 1
    errors = [line for line in wrong.stdout.splitlines() if ": error:" in line]
    assert errors and all(line.startswith(f"wrong.py:{WRONG_LINE}:") for line in errors), wrong.stdout


def test_pyright_accepts_a_correct_program_and_flags_team(user_project: UserProject, programs: Path) -> None:
    pyright = [str(BIN / "pyright"), "--pythonpath", str(user_project.python)]
    correct = check([*pyright, "correct.py"], programs)
    assert correct.returncode == 0, correct.stdout
    wrong = check([*pyright, "wrong.py"], programs)
    assert wrong.returncode == 1
    errors = [line for line in wrong.stdout.splitlines() if " - error:" in line]
    assert errors and all(re.search(rf"wrong\.py:{WRONG_LINE}:\d+ - error", line) for line in errors), wrong.stdout
