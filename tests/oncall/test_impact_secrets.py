"""`jsmops impact --fail-on-gap` and `jsmops oncall` on a schedule with a secret input: the
real CLI and `pulumi preview` against the emulator. A stack program marks one input of its
schedule secret (`pulumi.Output.secret`): a participant's id, the description, the time
zone, the name, or a rotation's name (which makes the engine hide all of `rotations`).

Run by `jsmops impact`, the preview's secrets are read (its plan, the state) and the gate
assesses: a restriction that leaves nights uncovered exits 2, adding a participant 0. A
saved `pulumi preview --json` shows no secret: the gate then fails (1), naming the schedule
and the input, unless the secret does not decide who is on call (the description, the
name). In every case no secret value appears in stdout, stderr, the markdown or the JSON,
no plaintext plan stays on disk, and the service sees no write."""

from __future__ import annotations

import copy
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
AT = "2026-01-21T12:00:00+01:00"  # a Wednesday, in the third week of the rotation: carol's

# The program: a schedule per entry of schedules.json; `secret` names the input made secret.
PROGRAM = '''\
import json
from pathlib import Path

import pulumi
import pulumi_jsmops as jsmops


def secretly(spec):
    spec = json.loads(json.dumps(spec))
    kind = spec.pop("secret")
    rotation = spec["rotations"][0]
    if kind == "participant":
        rotation["participants"][0]["id"] = pulumi.Output.secret(rotation["participants"][0]["id"])
    elif kind == "rotation name":
        rotation["name"] = pulumi.Output.secret(rotation["name"])
    else:
        spec[kind] = pulumi.Output.secret(spec[kind])
    return spec


for resource_name, spec in json.loads(Path("schedules.json").read_text()).items():
    pulumi.export(resource_name, jsmops.Schedule(resource_name, **secretly(spec)).id)
'''

ALICE, BOB, CAROL, DAVE = "u-alice-4b1e9c", "u-bob-77d2a0", "u-carol-c3f18e", "u-dave-90ab5d"
SECRETS = {  # kind -> the secret value
    "participant": CAROL,
    "description": "desc-c0ffee-42",
    "timezone": "Asia/Kathmandu",
    "name": "Night Watch 9Q",
    "rotation name": "rota-5e1f77",
}
# Weekly from Monday 2026-01-19 09:00 (Berlin): carol's week is the first, so she is on call
# at AT; the program makes the first participant's id secret.
ROTATION = {"type": "weekly", "start_date": "2026-01-19T09:00:00+01:00",
            "participants": [{"type": "user", "id": i} for i in (CAROL, ALICE, BOB)]}


def label(kind: str, person: str) -> str:
    """How the reports name a participant: the engine keeps a secret participant's whole list
    secret (a rotation name's: all of `rotations`), so all of them are numbered, in order."""
    if kind in ("participant", "rotation name"):
        return f"[secret {[CAROL, ALICE, BOB, DAVE].index(person) + 1}]"
    return person


def schedule(kind: str) -> dict[str, Any]:
    values = {"name": "Platform On-Call", "description": "Primary on-call", "timezone": "Europe/Berlin",
              "rotation name": "primary"}
    values[kind] = SECRETS[kind]
    return {"secret": kind, "name": values["name"], "team_id": "platform", "description": values["description"],
            "timezone": values["timezone"], "rotations": [{"name": values["rotation name"], **copy.deepcopy(ROTATION)}]}


def open_nights(spec: dict[str, Any]) -> None:
    """The rotation covers 09:00-17:00 only: every night opens a gap."""
    spec["rotations"][0]["time_restriction"] = {
        "type": "time-of-day", "restriction": {"start_hour": 9, "start_min": 0, "end_hour": 17, "end_min": 0}}


def add_dave(spec: dict[str, Any]) -> None:
    """dave takes the second week, alice's: no gap."""
    spec["rotations"][0]["participants"].insert(1, {"type": "user", "id": DAVE})


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    emulator = Emulator(tmp_path_factory.mktemp("emulator"))
    yield emulator
    emulator.stop()


@pytest.fixture(params=list(SECRETS))
def secret_stack(request: pytest.FixtureRequest, emulator: Emulator, tmp_path: Path) -> Iterator[PulumiProject]:
    """One schedule with the secret input of this kind, up; destroyed afterwards."""
    emulator.reset()
    project = PulumiProject(tmp_path, emulator, program=PROGRAM)
    project.kind = request.param  # type: ignore[attr-defined]
    (tmp_path / "tmp").mkdir()
    project.env["TMPDIR"] = str(tmp_path / "tmp")
    project.write_schedules({"platform": schedule(request.param)})
    project.up()
    yield project
    project.pulumi("destroy", "--yes", "--skip-preview")


def impact(project: PulumiProject, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([JSMOPS, "impact", "--stack", "test", "--days", "3", "--at", AT, "--fail-on-gap", *args],
                          cwd=project.dir, env=project.env, capture_output=True, text=True, timeout=300)


def edited(project: PulumiProject, edit: Any) -> None:
    spec = schedule(project.kind)  # type: ignore[attr-defined]
    edit(spec)
    project.write_schedules({"platform": spec})


def assert_nothing_shown(project: PulumiProject, *results: subprocess.CompletedProcess[str]) -> None:
    """No secret value in any output; no plaintext plan left in the temporary folder; no write."""
    value = SECRETS[project.kind]  # type: ignore[attr-defined]
    for result in results:
        assert value not in result.stdout and value not in result.stderr, (result.stdout, result.stderr)
        assert "ciphertext" not in result.stdout + result.stderr and "Traceback" not in result.stderr
    assert list(Path(project.env["TMPDIR"]).iterdir()) == []
    assert set(project.emulator.stats()["by_method"]) <= {"GET"}


def test_the_gate_assesses_a_schedule_with_a_secret(secret_stack: PulumiProject) -> None:
    kind = secret_stack.kind  # type: ignore[attr-defined]
    edited(secret_stack, open_nights)
    secret_stack.emulator.reset_stats()
    results = {form: impact(secret_stack, "--format", form) for form in ("text", "markdown", "json")}
    for form, result in results.items():
        assert result.returncode == 2, (form, result.stdout, result.stderr)
        assert result.stderr == "", result.stderr
    assert_nothing_shown(secret_stack, *results.values())
    [entry] = json.loads(results["json"].stdout)["schedules"]
    assert entry["problem"] is None and entry["impact"] is True and len(entry["gaps"]["new"]) == 3
    carol = label(kind, CAROL)  # on call now; secret, she is labelled, never named
    assert entry["now"] == {"before": [carol], "after": [carol]}
    if kind in ("participant", "rotation name"):
        assert json.loads(results["json"].stdout)["participants"][carol] == {"type": "user", "id": "[secret]"}
    if kind == "timezone":  # times in UTC: Kathmandu's 17:00 is 11:15 UTC
        assert entry["time_zone"] == "UTC" and entry["gaps"]["new"][0]["start"] == "2026-01-21T11:15:00+00:00"
        assert "times in UTC" in results["text"].stdout
    else:
        assert entry["time_zone"] == "Europe/Berlin" and entry["gaps"]["new"][0]["start"] == "2026-01-21T17:00:00+01:00"
    assert entry["name"] == ("[secret 1]" if kind == "name" else "Platform On-Call")

    edited(secret_stack, add_dave)  # no gap: the gate passes, and the change is still assessed
    result = impact(secret_stack, "--format", "json", "--days", "14")
    assert result.returncode == 0, result.stderr
    [entry] = json.loads(result.stdout)["schedules"]
    assert entry["problem"] is None
    assert (entry["changes"][0]["off"], entry["changes"][0]["on"]) == ([label(kind, ALICE)], [label(kind, DAVE)])
    assert_nothing_shown(secret_stack, result)


def test_a_saved_preview_fails_the_gate_where_a_secret_decides(secret_stack: PulumiProject, tmp_path: Path) -> None:
    """`pulumi preview --json` shows `[secret]`: a secret participant, time zone or rotation
    cannot be assessed from it (exit 1, one line naming the schedule and the input); a secret
    description or name can (it decides nobody's shift)."""
    kind = secret_stack.kind  # type: ignore[attr-defined]
    edited(secret_stack, open_nights)
    saved = tmp_path / "preview.json"
    saved.write_text(secret_stack.preview("--json").stdout)
    assert "[secret]" in saved.read_text()
    secret_stack.emulator.reset_stats()
    result = impact(secret_stack, "--preview", str(saved), "--offline")
    assert_nothing_shown(secret_stack, result)
    assert secret_stack.emulator.stats()["total"] == 0
    if kind in ("description", "name"):
        assert result.returncode == 2 and result.stderr == "", result.stderr
        return
    path = {"participant": "rotations.primary.participants", "timezone": "timezone", "rotation name": "rotations"}[kind]
    problem = (f"{path} is secret, and this preview does not show it (a saved preview never does: run "
               "`jsmops impact` without --preview)")
    assert result.returncode == 1
    assert result.stderr == ("jsmops: error: --fail-on-gap: Platform On-Call (platform) could not be assessed: "
                             f"{problem}\n")
    assert f"Platform On-Call (platform): not assessed ({problem})" in result.stdout


def test_oncall_shows_no_secret(secret_stack: PulumiProject) -> None:
    """`jsmops oncall`: the secret name or participant as `[secret N]`, a secret time zone's times in UTC."""
    kind = secret_stack.kind  # type: ignore[attr-defined]
    secret_stack.emulator.reset_stats()
    result = subprocess.run([JSMOPS, "oncall", "--stack", "test", "--days", "14", "--at", AT], cwd=secret_stack.dir,
                            env=secret_stack.env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert_nothing_shown(secret_stack, result)
    lines = result.stdout.splitlines()
    name = "[secret 1]" if kind == "name" else "Platform On-Call"
    zone = "UTC" if kind == "timezone" else "Europe/Berlin"
    handover = "08:00" if kind == "timezone" else "09:00"
    assert lines[0] == f"{name}: now {label(kind, CAROL)}; next: {label(kind, ALICE)} from Mon 2026-01-26 {handover}"
    assert lines[1] == f"  handovers in the next 14 days (times in {zone}): 2"
