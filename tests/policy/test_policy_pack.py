"""The on-call policy pack as a user runs it: `jsmops policy-pack DIR` writes it, and the real
`pulumi preview --policy-pack DIR` (the CLI and language host that `make` builds) runs it
against the emulator. A violation of a mandatory policy stops the preview naming the
schedule, the rule and the first times that break it; advisory warns and passes; a fixed
program passes; values not known at preview make a policy advisory for that preview;
declared overrides count, also on a schedule the preview creates. No preview with the pack
sends the service a request."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator
from zoneinfo import ZoneInfo

import pytest

from testkit.emulator_process import Emulator
from testkit.pulumi_project import PulumiProject

pytestmark = pytest.mark.e2e

JSMOPS = str(Path(sys.executable).parent / "jsmops")
BERLIN = ZoneInfo("Europe/Berlin")

# The program declares what `stack.json` says: schedules (a participant's `id_of` takes
# another schedule's id: not known while that one is created; `secret_name` makes the name
# a secret), then overrides, each on one of those schedules (`on`: its `id`).
PROGRAM = '''\
import json
from pathlib import Path

import pulumi
import pulumi_jsmops as jsmops

spec = json.loads(Path("stack.json").read_text())
schedules = {}
for resource, args in spec.get("schedules", {}).items():
    for rotation in args.get("rotations", []):
        rotation["participants"] = [
            {"type": p["type"], "id": schedules[p["id_of"]].id} if "id_of" in p else p
            for p in rotation.get("participants", [])
        ]
    if args.pop("secret_name", False):
        args["name"] = pulumi.Output.secret(args["name"])
    schedules[resource] = jsmops.Schedule(resource, **args)
for resource, args in spec.get("overrides", {}).items():
    jsmops.ScheduleOverride(resource, schedule_id=schedules[args.pop("on")].id, **args)
'''

# Covered all week but Saturday 00:00-08:00 (a weekly window from Saturday 08:00 round to Saturday 00:00).
ALL_BUT_SATURDAY_NIGHT = {"type": "weekday-and-time-of-day", "restrictions": [
    {"start_day": "saturday", "start_hour": 8, "start_min": 0, "end_day": "saturday", "end_hour": 0, "end_min": 0}]}


def users(*names: str) -> list[dict[str, str]]:
    return [{"type": "user", "id": name} for name in names]


def schedule(name: str, *participants: str, restriction: dict[str, Any] | None = None,
             rotation_type: str = "daily") -> dict[str, Any]:
    rotation: dict[str, Any] = {"name": "main", "type": rotation_type, "start_date": "2026-01-05T09:00:00+01:00",
                                "participants": users(*participants)}
    if restriction is not None:
        rotation["time_restriction"] = restriction
    return {"name": name, "timezone": "Europe/Berlin", "rotations": [rotation]}


def saturday_nights(start: datetime, days: int) -> list[str]:
    """The times with nobody on call of an ALL_BUT_SATURDAY_NIGHT schedule over [start,
    start + days), as a violation shows them (worked out here with plain date arithmetic)."""
    end = start + timedelta(days=days)
    found = []
    day = start.astimezone(BERLIN).date() - timedelta(days=1)
    while datetime.combine(day, time(0), BERLIN) < end:
        if day.weekday() == 5:
            a = max(start, datetime.combine(day, time(0), BERLIN)).astimezone(BERLIN)
            b = min(end, datetime.combine(day, time(8), BERLIN)).astimezone(BERLIN)
            if a < b:  # one the window's end cuts is said to last on
                found.append(f"from {a:%a %Y-%m-%d %H:%M} on" if b == end else f"{a:%a %Y-%m-%d %H:%M}–{b:%H:%M}")
        day += timedelta(days=1)
    return found


class PackProject:
    """One project and one policy pack shared by this module's tests: each test writes the
    whole program (stack.json) and config it previews, and none of them runs `up`."""

    def __init__(self, project: PulumiProject, pack: Path):
        self.project, self.pack = project, pack

    def preview(self, stack: dict[str, Any], config: dict[str, Any] | None = None) -> subprocess.CompletedProcess[str]:
        (self.project.dir / "stack.json").write_text(json.dumps(stack))
        args = ["--policy-pack", str(self.pack)]
        if config is not None:
            config_file = self.project.root / "policy-config.json"
            config_file.write_text(json.dumps(config))
            args += ["--policy-pack-config", str(config_file)]
        self.project.emulator.reset_stats()
        result = self.project.preview(*args, check=False)
        assert self.project.emulator.stats()["total"] == 0  # the pack reads and writes nothing
        return result


@pytest.fixture
def project_program() -> str:
    return PROGRAM


@pytest.fixture(scope="module")
def pack_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pack = tmp_path_factory.mktemp("pack") / "oncall-policies"
    result = subprocess.run([JSMOPS, "policy-pack", str(pack)], capture_output=True, text=True, check=True)
    assert result.stdout == f"jsmops: wrote the policy pack to {pack}: run `pulumi preview --policy-pack {pack}`\n"
    return pack


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory, emulator_session: Emulator,
           pack_dir: Path) -> Iterator[PackProject]:
    project = PulumiProject(tmp_path_factory.mktemp("policy"), emulator_session, program=PROGRAM)
    yield PackProject(project, pack_dir)


def test_the_pack_runs_in_this_environment(pack_dir: Path) -> None:
    assert sorted(p.name for p in pack_dir.iterdir()) == ["PulumiPolicy.yaml", "__main__.py"]
    import yaml

    project = yaml.safe_load((pack_dir / "PulumiPolicy.yaml").read_text())
    assert project["runtime"] == {"name": "python", "options": {"virtualenv": sys.prefix}}
    assert "from pulumi_jsmops.policy.pack import serve" in (pack_dir / "__main__.py").read_text()


def test_a_gap_stops_a_mandatory_preview_naming_the_schedule(shared: PackProject) -> None:
    before = datetime.now(timezone.utc)
    result = shared.preview({"schedules": {
        "gappy": schedule("Support Nights", "alice", "bob", restriction=ALL_BUT_SATURDAY_NIGHT),
        "hidden": {**schedule("Secret Ops", "alice", "bob", restriction=ALL_BUT_SATURDAY_NIGHT), "secret_name": True},
    }})
    after = datetime.now(timezone.utc)
    assert result.returncode != 0
    assert "[mandatory]  jsmops-coverage  (pulumi-python:dynamic/jsmops:Schedule: gappy)" in result.stdout
    # The times as of when the pack ran (between `before` and `after`; the same unless a gap begins meanwhile).
    expected = {f"schedule 'Support Nights' (gappy) has nobody on call in the next 14 days: {', '.join(times)} "
                "(Europe/Berlin). Rule: someone is on call at all times."
                for times in (saturday_nights(before, 14), saturday_nights(after, 14))}
    assert expected & {line.strip() for line in result.stdout.splitlines()}
    # A secret name is never shown; the resource is.
    assert "schedule (secret name) (hidden) has nobody on call in the next 14 days" in result.stdout
    assert "Secret Ops" not in result.stdout + result.stderr
    assert "jsmops-min-participants" not in result.stdout  # two people each: no violation


def test_advisory_warns_and_passes(shared: PackProject) -> None:
    # `ending` has nobody on call from its rotation's end to past the window's end (7 days).
    ends = (datetime.now(timezone.utc) + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    ending = schedule("Ending", "alice", "bob")
    ending["rotations"][0]["end_date"] = ends.isoformat()
    result = shared.preview({"schedules": {"gappy": schedule("Support Nights", "alice", "bob",
                                                             restriction=ALL_BUT_SATURDAY_NIGHT), "ending": ending}},
                            {"jsmops-coverage": {"enforcementLevel": "advisory", "days": 7}})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[advisory]  jsmops-coverage  (pulumi-python:dynamic/jsmops:Schedule: gappy)" in result.stdout
    assert "schedule 'Support Nights' (gappy) has nobody on call in the next 7 days: Sat " in result.stdout
    # The window's end is where the pack stops looking, not where the gap ends.
    assert (f"schedule 'Ending' (ending) has nobody on call in the next 7 days: from "
            f"{ends.astimezone(BERLIN):%a %Y-%m-%d %H:%M} on (Europe/Berlin).") in result.stdout


def test_a_fixed_program_passes(shared: PackProject) -> None:
    result = shared.preview({"schedules": {"gappy": schedule("Support Nights", "alice", "bob")}})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "jsmops-oncall@v0.1.0" in result.stdout
    assert "jsmops-coverage" not in result.stdout and "jsmops-min-participants" not in result.stdout


def test_each_rule_is_configured_through_policy_pack_config(shared: PackProject) -> None:
    result = shared.preview(
        {"schedules": {"platform": schedule("Platform On-Call", "alice", rotation_type="weekly"),
                       "gappy": schedule("Support Nights", "bob", restriction=ALL_BUT_SATURDAY_NIGHT)}},
        {"jsmops-coverage": {"schedules": ["Platform*"]},  # Support Nights is not judged
         "jsmops-min-participants": {"minimum": 1},
         "jsmops-max-weekly-hours": {"enforcementLevel": "mandatory", "hours": 100, "days": 7,
                                     "schedules": ["Platform On-Call"]}})
    assert result.returncode != 0
    violations = [line.strip() for line in result.stdout.splitlines() if line.strip().startswith("- [")]
    assert violations == ["- [mandatory]  jsmops-max-weekly-hours  (pulumi-python:dynamic/jsmops:Schedule: platform)"]
    # alice alone, around the clock: the week under way and the next (167 or 169 h in a week of a DST change).
    week = r"alice 16[789] h in the week of Mon \d{4}-\d\d-\d\d"
    assert re.search(rf"schedule 'Platform On-Call' \(platform\) has someone on call too long: {week}, {week} "
                     r"\(Europe/Berlin\)\. Rule: nobody is on call more than 100 h a week\.", result.stdout)
    monday = datetime.now(BERLIN).date() - timedelta(days=datetime.now(BERLIN).weekday())
    assert f"in the week of {monday:%a %Y-%m-%d}" in result.stdout


def test_too_few_participants(shared: PackProject) -> None:
    result = shared.preview({"schedules": {"solo": schedule("Solo", "alice", "alice", rotation_type="weekly")}})
    assert result.returncode != 0
    assert ("schedule 'Solo' (solo): rotation 'main' has 1 participant (alice). "
            "Rule: at least 2 participants in every rotation.") in result.stdout
    assert "jsmops-coverage" not in result.stdout  # alice is on call around the clock


def test_values_not_known_at_preview_make_a_policy_advisory(shared: PackProject) -> None:
    # `escalated` has a participant whose id is another schedule's, which this preview creates.
    result = shared.preview({"schedules": {
        "first": schedule("First Line", "alice", "bob"),
        "escalated": {"name": "Escalated", "timezone": "Europe/Berlin", "rotations": [{
            "name": "main", "type": "daily", "start_date": "2026-01-05T09:00:00+01:00",
            "participants": [{"type": "user", "id": "carol"}, {"type": "escalation", "id_of": "first"}],
            "time_restriction": ALL_BUT_SATURDAY_NIGHT}]},
    }})
    assert result.returncode == 0, result.stdout + result.stderr
    for policy in ("jsmops-coverage", "jsmops-min-participants"):
        assert re.search(rf"can't run policy '{policy}' from policy pack 'jsmops-oncall@v[\d.]+' during preview: "
                         r"schedule 'Escalated' \(escalated\): rotations\.main\.participants\[1\]\.id is not known "
                         r"until the update",
                         result.stdout)
    assert "[mandatory]" not in result.stdout


def test_bad_config_fails_the_preview_naming_the_property(shared: PackProject) -> None:
    result = shared.preview({"schedules": {"gappy": schedule("Support Nights", "alice", "bob")}},
                            {"jsmops-coverage": {"days": 0}})
    assert result.returncode != 0
    assert "jsmops-coverage: days: Must be greater than or equal to 1" in result.stdout + result.stderr


def test_declared_overrides_count_also_on_a_schedule_being_created(project: PulumiProject, pack_dir: Path) -> None:
    checked = PackProject(project, pack_dir)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    cover = {"on": "gappy", "responder": {"type": "user", "id": "carol"},  # covers the whole window
             "start_date": (now - timedelta(hours=1)).isoformat(), "end_date": (now + timedelta(days=15)).isoformat()}
    # Every third day nobody is on call (a `noone` slot: a shift an override can take).
    gappy = schedule("Support Nights", "alice", "bob")
    gappy["rotations"][0]["participants"].append({"type": "noone"})
    stack: dict[str, Any] = {"schedules": {"gappy": gappy}, "overrides": {"cover": cover}}
    # The schedule is new: the override's schedule_id is not known yet, it depends on the schedule.
    result = checked.preview(stack)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "+ 3 to create" in result.stdout and "jsmops-oncall@v0.1.0" in result.stdout
    assert "jsmops-coverage" not in result.stdout
    without = checked.preview({"schedules": {"gappy": gappy}})
    assert "[mandatory]  jsmops-coverage  (pulumi-python:dynamic/jsmops:Schedule: gappy)" in without.stdout
    project.up()
    # Both exist: the override's schedule_id is the schedule's id. Nobody, tomorrow 12:00-13:00 Berlin time.
    noon = datetime.combine(datetime.now(BERLIN).date() + timedelta(days=1), time(12), BERLIN)
    stack["overrides"]["nobody"] = {"on": "gappy", "responder": {"type": "noone"}, "start_date": noon.isoformat(),
                                    "end_date": (noon + timedelta(hours=1)).isoformat()}
    result = checked.preview(stack)
    assert result.returncode != 0
    assert (f"schedule 'Support Nights' (gappy) has nobody on call in the next 14 days: {noon:%a %Y-%m-%d} "
            "12:00–13:00 (Europe/Berlin). Rule: someone is on call at all times.") in result.stdout
