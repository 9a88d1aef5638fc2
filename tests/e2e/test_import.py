"""`jsmops import` with the real CLI against the emulator: schedules made directly through
the API come under a stack, with code that previews clean and then updates normally."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from testkit.emulator_process import Emulator
from testkit.pulumi_project import PROGRAM as DEFAULT_PROGRAM
from testkit.pulumi_project import PulumiProject
from testkit.schedules import ALICE, BOB, ESCALATION, TEAM

PROGRAM = "import imported_schedules  # noqa: F401 - the schedules `jsmops import` wrote\n"
EMPTY_PROGRAM = "import pulumi\n"

TIME_RESTRICTIONS = [
    None,
    {"type": "time-of-day", "restriction": {"startHour": 9, "startMin": 30, "endHour": 18, "endMin": 0}},
    {"type": "weekday-and-time-of-day", "restrictions": [
        {"startDay": "saturday", "startHour": 0, "startMin": 0, "endDay": "sunday", "endHour": 23, "endMin": 30},
        {"startDay": "monday", "startHour": 8, "startMin": 0, "endDay": "monday", "endHour": 12, "endMin": 0},
    ]},
]
PARTICIPANTS = [
    [{"type": "user", "id": ALICE}, {"type": "user", "id": BOB}],
    [{"type": "team", "id": TEAM}, {"type": "noone"}],
    [{"type": "escalation", "id": ESCALATION}],
    [],
]
# Every combination appears among the rotations of 18 or more schedules.
VARIANTS = list(itertools.product(["daily", "weekly", "hourly"], TIME_RESTRICTIONS, PARTICIPANTS))
# Names that make awkward identifiers: the same slug twice, a leading digit, a keyword.
NAMES = ["Ops / EU", "Ops EU", "24x7 Core", "class", "Zürich Desk"]


def api_schedule(number: int) -> dict:
    """A schedule as made by hand, varying every rotation and restriction option."""
    rotations = []
    for index in range(2):
        kind, restriction, participants = VARIANTS[(2 * number + index) % len(VARIANTS)]
        rotation = {"name": f"{kind} {index}", "type": kind, "length": 1 + number % 3,
                    "startDate": f"2026-0{1 + number % 9}-05T09:00:00+01:00", "participants": participants}
        if number % 2:
            rotation["endDate"] = "2027-06-30T00:00:00Z"
        if restriction:
            rotation["timeRestriction"] = restriction
        rotations.append(rotation)
    body = {"name": NAMES[number] if number < len(NAMES) else f"Schedule {number:02}", "teamId": TEAM}
    if number % 7:  # else none (the API takes no empty list)
        body["rotations"] = rotations
    if number % 3:
        body["description"] = f"made by hand #{number}"
    if number % 4:
        body["timezone"] = ["Europe/Berlin", "America/New_York", "Asia/Tokyo"][number % 3]
    if number % 6 == 5:
        body["enabled"] = False
    return body


def create_directly(emulator: Emulator, count: int) -> list[dict]:
    made = []
    for number in range(count):
        response = requests.post(f"{emulator.api_url}/schedules", json=api_schedule(number),
                                 auth=emulator.admin_auth, timeout=10)
        response.raise_for_status()
        made.append(response.json())
    return made


def jsmops_import(project: PulumiProject, *args: str) -> subprocess.CompletedProcess[str]:
    jsmops = str(Path(sys.executable).parent / "jsmops")
    result = subprocess.run([jsmops, "import", "--stack", "test", *args], cwd=project.dir, env=project.env,
                            capture_output=True, text=True, timeout=600)
    project.transcript += [result.stdout, result.stderr]
    return result


@pytest.fixture
def project_program() -> str:
    return EMPTY_PROGRAM


def test_import_one_then_edit_it(project: PulumiProject, emulator: Emulator) -> None:
    made = create_directly(emulator, 3)[2]
    result = jsmops_import(project, "--id", made["id"])
    assert result.returncode == 0, result.stderr
    assert "imported 1 schedule; their code is in" in result.stdout
    assert ("Before the next `pulumi up`, add `import imported_schedules` to the stack program if it is not there "
            "yet: an `up` of a program without it deletes what was just imported") in result.stdout
    # As it says: the program does not import the module yet, and an up would delete the schedule.
    steps = json.loads(project.preview("--json").stdout)["steps"]
    assert [step["op"] for step in steps if step["urn"].endswith("::schedule_24x7_core")] == ["delete"]

    code = (project.dir / "imported_schedules.py").read_text()
    assert 'schedule_24x7_core = jsmops.Schedule(\n    "schedule_24x7_core",' in code
    compile(code, "imported_schedules.py", "exec")
    (project.dir / "__main__.py").write_text(PROGRAM)

    project.assert_clean_preview()
    assert project.resources()["schedule_24x7_core"]["id"] == made["id"]

    # The imported schedule is now managed: an edit of its code is one PATCH.
    (project.dir / "imported_schedules.py").write_text(code.replace('"made by hand #2"', '"edited in code"'))
    project.up()
    assert emulator.stats()["by_method"] == {"PATCH": 1}
    assert requests.get(f"{emulator.api_url}/schedules/{made['id']}", auth=emulator.admin_auth,
                        timeout=10).json()["description"] == "edited in code"
    project.preview("--expect-no-changes")

    # Importing it again changes nothing and says so.
    state_before = project.state()["deployment"]["resources"]
    again = jsmops_import(project, "--id", made["id"])
    assert again.returncode == 0 and "already in stack 'test' as 'schedule_24x7_core'" in again.stdout
    assert "nothing to import" in again.stdout
    assert project.state()["deployment"]["resources"] == state_before
    assert (project.dir / "imported_schedules.py").read_text().count("jsmops.Schedule(") == 1


def test_import_fifty_with_every_variant(project: PulumiProject, emulator: Emulator) -> None:
    made = create_directly(emulator, 50)
    emulator.reset_stats()
    result = jsmops_import(project, "--all")
    assert result.returncode == 0, result.stderr
    assert "imported 50 schedules;" in result.stdout and "read 50 schedules" in result.stdout
    assert set(emulator.stats()["by_method"]) == {"GET"}  # nothing changed on the service

    resources = project.resources()
    assert sorted(r["id"] for r in resources.values()) == sorted(s["id"] for s in made)
    assert {"ops_eu", "ops_eu_2", "schedule_24x7_core", "schedule_class", "z_rich_desk"} <= set(resources)

    # The module is as `ruff format` leaves it.
    ruff = Path(sys.executable).parent / "ruff"
    formatted = subprocess.run([str(ruff), "format", "--isolated", "--check", "--diff", "imported_schedules.py"],
                               cwd=project.dir, capture_output=True, text=True)
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr

    (project.dir / "__main__.py").write_text(PROGRAM)
    project.assert_clean_preview()

    # One schedule changed through code: exactly one update, of that schedule.
    code = (project.dir / "imported_schedules.py").read_text()
    (project.dir / "imported_schedules.py").write_text(code.replace('"made by hand #10"', '"changed"'))
    project.up()
    assert emulator.stats()["by_method"] == {"PATCH": 1}
    changed = [s for s in emulator.schedules() if s.get("description") == "changed"]
    assert [s["name"] for s in changed] == ["Schedule 10"]


def test_selection_by_name_prefix_and_team(project: PulumiProject, emulator: Emulator) -> None:
    create_directly(emulator, 8)
    for name in ("Other team's", "DevOps"):  # "Ops" inside the name, not at its start: not selected
        requests.post(f"{emulator.api_url}/schedules", json={"name": name, "teamId": "other-team"},
                      auth=emulator.admin_auth, timeout=10).raise_for_status()
    assert jsmops_import(project, "--name-prefix", "ops").returncode == 0  # case-insensitive, as the service
    assert set(project.resources()) == {"ops_eu", "ops_eu_2"}
    assert jsmops_import(project, "--team-id", "other-team").returncode == 0
    assert set(project.resources()) == {"ops_eu", "ops_eu_2", "other_team_s", "devops"}


def test_without_pulumi_on_path_a_clear_error(project: PulumiProject, emulator: Emulator) -> None:
    create_directly(emulator, 1)
    project.env["PATH"] = "/nonexistent"
    result = jsmops_import(project, "--all")
    assert result.returncode == 1
    assert "the `pulumi` command is not on PATH" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_id_is_a_clear_error_and_changes_nothing(project: PulumiProject, emulator: Emulator) -> None:
    made = create_directly(emulator, 2)
    result = jsmops_import(project, "--id", made[0]["id"], "--id", "no-such-schedule")
    assert result.returncode == 1
    assert "no schedule has the id 'no-such-schedule'" in result.stderr
    assert project.resources() == {}
    assert not (project.dir / "imported_schedules.py").exists()


def test_a_failure_midway_imports_nothing(project: PulumiProject, emulator: Emulator) -> None:
    made = create_directly(emulator, 3)
    # The service fails for good on the last schedule to read.
    emulator.add_fault(method="GET", path=made[2]["id"], action="status", status=500, count=50)
    result = jsmops_import(project, *itertools.chain.from_iterable(("--id", s["id"]) for s in made))
    assert result.returncode == 1 and "failed with 500" in result.stderr
    assert project.resources() == {}
    assert not (project.dir / "imported_schedules.py").exists()


def test_a_failed_pulumi_import_leaves_the_stack_as_it_was(project: PulumiProject, emulator: Emulator,
                                                           tmp_path: Path) -> None:
    made = create_directly(emulator, 2)
    assert jsmops_import(project, "--id", made[0]["id"]).returncode == 0
    before = project.state()["deployment"]["resources"]
    # A `pulumi import` that fails after it has done its work (the state holds the schedule).
    real = shutil.which("pulumi", path=project.env["PATH"])
    wrapper = tmp_path / "bin" / "pulumi"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\nif [ "$1" = import ]; then "{real}" "$@"; exit 1; fi\nexec "{real}" "$@"\n')
    wrapper.chmod(0o755)
    project.env["PATH"] = f"{wrapper.parent}:{project.env['PATH']}"
    result = jsmops_import(project, "--id", made[1]["id"])
    assert result.returncode == 1 and "`pulumi import` failed" in result.stderr
    assert json.dumps(project.state()["deployment"]["resources"], sort_keys=True) == json.dumps(before, sort_keys=True)
    assert (project.dir / "imported_schedules.py").read_text().count("jsmops.Schedule(") == 1
    assert not (project.dir / ".imported_schedules.py.tmp").exists()


def test_names_the_program_declares_are_not_taken(project: PulumiProject, emulator: Emulator) -> None:
    """The program declares `support`, not created yet; a schedule named "Support" is imported."""
    rotation = {"name": "weekly", "type": "weekly", "startDate": "2026-01-05T08:00:00Z",
                "participants": [{"type": "user", "id": ALICE}]}
    made = requests.post(f"{emulator.api_url}/schedules", auth=emulator.admin_auth, timeout=10, json={
        "name": "Support", "teamId": TEAM, "description": "by hand", "rotations": [rotation]}).json()
    (project.dir / "__main__.py").write_text(f"{DEFAULT_PROGRAM}if Path('imported_schedules.py').exists():\n"
                                             "    import imported_schedules  # noqa: F401\n")
    project.write_schedules({"support": {"name": "Support (new)", "team_id": TEAM}})
    result = jsmops_import(project, "--id", made["id"])
    assert result.returncode == 0, result.stderr
    assert project.resources()["support_2"]["id"] == made["id"]
    assert 'support_2 = jsmops.Schedule(\n    "support_2",' in (project.dir / "imported_schedules.py").read_text()

    project.up()
    held = {s["name"]: s for s in emulator.schedules()}
    assert held["Support"] == made  # as it was: description, rotation and its id
    resources = project.resources()
    assert resources["support"]["id"] == held["Support (new)"]["id"]
    assert resources["support_2"]["outputs"]["rotations"]["weekly"]["id"] == made["rotations"][0]["id"]
    project.assert_clean_preview()


def test_crafted_settings_never_run_as_code(emulator_factory: Callable[..., Emulator], tmp_path: Path) -> None:
    """`jsmops:cloudId` (here the site's own id) goes into the generated module's docstring."""
    crafted = 'x"""\nimport pathlib; pathlib.Path("RAN").touch()\n"""\\'
    site = emulator_factory("--cloud-id", crafted)
    project = PulumiProject(tmp_path, site, program=EMPTY_PROGRAM)
    project.pulumi("config", "set", "jsmops:cloudId", crafted)
    project.env["JSMOPS_CLOUD_ID"] = "not-this-one"  # the stack's config wins
    [made] = create_directly(site, 1)
    result = jsmops_import(project, "--id", made["id"])
    assert result.returncode == 0, result.stderr
    (project.dir / "__main__.py").write_text(PROGRAM)
    project.assert_clean_preview()
    assert not (project.dir / "RAN").exists()
    assert project.resources()["ops_eu"]["id"] == made["id"]


def test_outside_a_project_a_clear_error(project: PulumiProject, tmp_path: Path) -> None:
    result = jsmops_import(project, "--all", "--cwd", str(tmp_path))
    assert result.returncode == 1
    assert f"{tmp_path} has no Pulumi.yaml: run `jsmops import` in the Pulumi project directory" in result.stderr
    assert "Traceback" not in result.stderr
