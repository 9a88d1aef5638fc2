"""`jsmops import --overrides` with the real CLI against the emulator: overrides made through
the API come under the stack beside their schedule, as code that previews clean and then
edits normally; without the flag none come; one that cannot be declared stops the import
before anything changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from testkit.emulator_process import Emulator
from testkit.overrides import NEXT_YEAR, get_override, journal, make_override, overrides_in_state
from testkit.pulumi_project import PulumiProject
from testkit.schedules import ALICE, BOB, TEAM

pytestmark = pytest.mark.e2e

PROGRAM = "import imported_schedules  # noqa: F401 - what `jsmops import` wrote\n"


@pytest.fixture
def project_program() -> str:
    return "import pulumi\n"


def make_schedule(emulator: Emulator, name: str) -> dict:
    rotation = {"type": "weekly", "startDate": f"{NEXT_YEAR}-01-04T08:00:00Z",
                "participants": [{"type": "user", "id": ALICE}]}
    response = emulator.http.post(f"{emulator.api_url}/schedules", auth=emulator.admin_auth, timeout=10, json={
        "name": name, "teamId": TEAM, "timezone": "Europe/Berlin",
        "rotations": [{**rotation, "name": "primary"}, {**rotation, "name": "secondary"}]})
    response.raise_for_status()
    schedule: dict = response.json()
    return schedule


def cover(start: str, end: str, rotation_ids: list[str] | None = None, responder: str = BOB) -> dict:
    body = {"responder": {"type": "user", "id": responder}, "startDate": start, "endDate": end}
    return body if rotation_ids is None else {**body, "rotationIds": rotation_ids}


def test_import_overrides_beside_their_schedule(project: PulumiProject, emulator: Emulator) -> None:
    support = make_schedule(emulator, "Support")
    primary = next(r["id"] for r in support["rotations"] if r["name"] == "primary")
    xmas = make_override(emulator, support["id"], cover(f"{NEXT_YEAR}-12-24T08:00:00Z",
                                                        f"{NEXT_YEAR}-12-27T08:00:00Z", [primary]))
    pause = make_override(emulator, support["id"], {"responder": {"type": "noone"},
                                                    "startDate": f"{NEXT_YEAR}-08-01T00:00:00Z",
                                                    "endDate": f"{NEXT_YEAR}-08-02T00:00:00Z"})
    make_override(emulator, support["id"], cover("2021-12-24T08:00:00Z", "2021-12-27T08:00:00Z"))  # ended: not listed

    # Off by default: the schedule alone.
    plain = project.jsmops("import", "--stack", "test", "--id", support["id"])
    assert "imported 1 schedule;" in plain.stdout
    assert overrides_in_state(project) == {}

    # Its overrides, on the schedule the stack now has: declared by its id.
    (project.dir / "__main__.py").write_text(PROGRAM)
    result = project.jsmops("import", "--stack", "test", "--id", support["id"], "--overrides")
    assert "imported 0 schedules and 2 overrides" in result.stdout
    code = (project.dir / "imported_schedules.py").read_text()
    assert f'''
support_override_{NEXT_YEAR}_12_24 = jsmops.ScheduleOverride(
    "support_override_{NEXT_YEAR}_12_24",
    schedule_id="{support["id"]}",
    responder=jsmops.OverrideResponderArgs(
        type="user",
        id="{BOB}",
    ),
    start_date="{NEXT_YEAR}-12-24T08:00:00Z",
    end_date="{NEXT_YEAR}-12-27T08:00:00Z",
    rotations=["primary"],
)
''' in code
    assert f'''
support_override_{NEXT_YEAR}_08_01 = jsmops.ScheduleOverride(
    "support_override_{NEXT_YEAR}_08_01",
    schedule_id="{support["id"]}",
    responder=jsmops.OverrideResponderArgs(type="noone"),
    start_date="{NEXT_YEAR}-08-01T00:00:00Z",
    end_date="{NEXT_YEAR}-08-02T00:00:00Z",
)
''' in code
    state = overrides_in_state(project)
    assert {r["id"] for r in state.values()} == {xmas["alias"], pause["alias"]}
    project.assert_clean_preview()

    # Managed now: an edit of the code is one PUT that keeps the alias.
    (project.dir / "imported_schedules.py").write_text(code.replace(f'id="{BOB}"', f'id="{ALICE}"'))
    emulator.reset_stats()
    project.up()
    path = f"/v1/schedules/{support['id']}/overrides/{xmas['alias']}"
    assert journal(emulator) == [("PUT", path)]
    assert get_override(emulator, support["id"], xmas["alias"])["responder"] == {"type": "user", "id": ALICE}
    project.assert_clean_preview()

    # Again: nothing new.
    again = project.jsmops("import", "--stack", "test", "--id", support["id"], "--overrides")
    assert "is already in the stack: skipped" in again.stdout and "nothing to import" in again.stdout

    # A schedule imported with its overrides: they are declared on its resource.
    ops = make_schedule(emulator, "Ops")
    make_override(emulator, ops["id"], cover(f"{NEXT_YEAR}-03-01T00:00:00Z", f"{NEXT_YEAR}-03-02T00:00:00Z",
                                             [r["id"] for r in ops["rotations"]]))
    result = project.jsmops("import", "--stack", "test", "--id", ops["id"], "--overrides")
    assert "imported 1 schedule and 1 override;" in result.stdout
    code = (project.dir / "imported_schedules.py").read_text()
    assert f'''
ops_override_{NEXT_YEAR}_03_01 = jsmops.ScheduleOverride(
    "ops_override_{NEXT_YEAR}_03_01",
    schedule_id=ops.id,
''' in code
    assert 'rotations=["primary", "secondary"],' in code
    compile(code, "imported_schedules.py", "exec")
    project.assert_clean_preview()


def test_an_override_that_cannot_be_declared_stops_the_import(project: PulumiProject, emulator: Emulator) -> None:
    """An override of a rotation since deleted applies to nothing a program can name."""
    support = make_schedule(emulator, "Support")
    primary = next(r["id"] for r in support["rotations"] if r["name"] == "primary")
    make_override(emulator, support["id"], cover(f"{NEXT_YEAR}-12-24T08:00:00Z", f"{NEXT_YEAR}-12-27T08:00:00Z",
                                                 [primary]))
    emulator.http.delete(f"{emulator.api_url}/schedules/{support['id']}/rotations/{primary}",
                         auth=emulator.admin_auth, timeout=10).raise_for_status()
    state_before = project.state()
    result = project.jsmops("import", "--stack", "test", "--id", support["id"], "--overrides", check=False)
    assert result.returncode == 1
    assert f"applies to rotations the schedule no longer has ((deleted rotation {primary}))" in result.stderr
    assert project.state() == state_before
    assert not Path(project.dir / "imported_schedules.py").exists()
