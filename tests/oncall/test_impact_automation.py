"""The Python API for on-call impact and who is on call (`pulumi_jsmops.automation`), through
the real Automation API and engine against the emulator.

One stack, `test` of project `e2e`, serves every test: brought up from a program in a
directory (testkit's project), and reached as well as an inline program (a function of
this process) over the same state and stack config. Each test asserts what the API answers,
that the emulator saw no write (and no more reads than `jsmops impact`), and that the state
did not change."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from test_impact_cli import AT as IMPACT_AT
from test_impact_cli import JSMOPS, STACK, add_participant, open_gap

from testkit.emulator_process import Emulator
from testkit.pulumi_project import PulumiProject

pytestmark = pytest.mark.e2e

AT = datetime.fromisoformat(IMPACT_AT)  # a Wednesday, in the platform rotation's third week
SCHEDULES = {name: STACK[name] for name in ("platform", "support")}  # `jsmops impact`'s tests' schedules


def the_change(schedules: dict[str, dict[str, Any]]) -> None:
    """Dave joins the platform rotation; the support night starts at 22:00, leaving 20-22 uncovered."""
    add_participant(schedules)
    open_gap(schedules)


@dataclass
class Stacks:
    project: PulumiProject  # the program in a directory
    inline: Any  # pulumi.automation.Stack of the inline program (same stack)
    local: Any  # pulumi.automation.Stack of the directory's program
    inline_dir: Path
    declared: dict[str, dict[str, Any]]  # what the inline program declares: tests change it

    @property
    def emulator(self) -> Emulator:
        return self.project.emulator

    def writes(self) -> dict[str, int]:
        return {m: n for m, n in self.emulator.stats()["by_method"].items() if m != "GET"}


@pytest.fixture(scope="module")
def stacks(tmp_path_factory: pytest.TempPathFactory, emulator_session: Emulator) -> Iterator[Stacks]:
    from pulumi import automation as auto

    import pulumi_jsmops as jsmops

    emulator_session.reset()
    root = tmp_path_factory.mktemp("automation")
    project = PulumiProject(root, emulator_session)
    people = [f"people.{name}=id-{name}" for name in ("alice", "bob", "carol", "dave", "frank", "grace", "heidi")]
    project.pulumi("config", "set-all", "--path", *[arg for p in people for arg in ("--plaintext", p)])
    project.write_schedules(SCHEDULES)
    project.up()

    declared = copy.deepcopy(SCHEDULES)

    def program() -> None:  # the directory's program, as a function of this process (`secret:<id>`: a secret id)
        import pulumi

        for resource_name, spec in declared.items():
            spec = copy.deepcopy(spec)
            for rotation in spec.get("rotations", []):
                for participant in rotation.get("participants", []):
                    if participant.get("id", "").startswith("secret:"):
                        participant["id"] = pulumi.Output.secret(participant["id"].removeprefix("secret:"))
            pulumi.export(resource_name, jsmops.Schedule(resource_name, **spec).id)

    inline_dir = root / "inline"
    inline_dir.mkdir()
    shutil.copy(project.dir / "Pulumi.test.yaml", inline_dir)  # the same stack config (and its secrets' salt)
    env = {k: v for k, v in project.env.items() if k.startswith(("PULUMI_", "JSMOPS_")) or k == "PATH"}
    command = auto.PulumiCommand(root=sys.prefix, skip_version_check=True)  # the venv's pulumi
    # PULUMI_PYTHON_CMD for the inline program only: a program whose Pulumi.yaml names a
    # virtualenv fails with it (the language host looks for it inside the venv's bin/).
    inline = auto.create_or_select_stack("test", project_name="e2e", program=program, opts=auto.LocalWorkspaceOptions(
        work_dir=str(inline_dir), env_vars={**env, "PULUMI_PYTHON_CMD": sys.executable}, pulumi_command=command))
    local = auto.select_stack("test", work_dir=str(project.dir),
                              opts=auto.LocalWorkspaceOptions(env_vars=env, pulumi_command=command))
    yield Stacks(project, inline, local, inline_dir, declared)


def test_impact_of_an_inline_program_opens_a_gap_and_writes_nothing(stacks: Stacks) -> None:
    from pulumi_jsmops.automation import ImpactReport, impact

    state_before, service_before = stacks.project.state(), stacks.emulator.schedules()
    the_change(stacks.declared)
    try:
        stacks.emulator.reset_stats()
        report = impact(stacks.inline, days=3, at=AT)
        api_requests = stacks.emulator.stats()["by_method"]
    finally:
        stacks.declared.clear()
        stacks.declared.update(copy.deepcopy(SCHEDULES))

    assert isinstance(report, ImpactReport)
    platform, support = report.impacts
    assert (platform.resource, platform.operation, platform.now_before, platform.now_after) == (
        "platform", "update", ("carol",), ("bob",))  # turn 3 of [alice, dave, bob, carol] is bob's
    assert support.resource == "support" and not support.problem
    assert [(g.start.isoformat(), g.end.isoformat()) for g in support.new_gaps] == [
        (f"2026-01-{day}T01:00:00+00:00", f"2026-01-{day}T03:00:00+00:00") for day in (22, 23, 24)]  # 20-22 in NY
    assert report.new_gaps == 3 and report.not_assessed == ()
    assert report.to_json()["version"] == 4 and report.to_json()["new_gaps"] == 3
    assert "Platform On-Call: now carol → bob" in report.render("text").splitlines()
    assert "- Platform On-Call: now carol → bob" in report.render("markdown").splitlines()
    # Reads only: each changed schedule's overrides, as `jsmops impact` reads them.
    assert api_requests == {"GET": 2}
    assert stacks.project.state() == state_before and stacks.emulator.schedules() == service_before

    # The same change previewed by `jsmops impact` from the directory: the same report, the same reads.
    stacks.project.write_schedules(_changed())
    try:
        stacks.emulator.reset_stats()
        cli = subprocess.run([JSMOPS, "impact", "--stack", "test", "--days", "3", "--at", AT.isoformat(),
                              "--format", "json"], cwd=stacks.project.dir, env=stacks.project.env,
                             capture_output=True, text=True, timeout=300)
        assert cli.returncode == 0, cli.stderr
        assert stacks.emulator.stats()["by_method"] == api_requests
        assert json.loads(cli.stdout) == report.to_json()
        # ... and through the API on the directory's program (an Automation API stack of a local program).
        assert impact(stacks.local, days=3, at=AT).impacts == report.impacts
    finally:
        stacks.project.write_schedules(SCHEDULES)
    assert stacks.writes() == {}


def test_impact_of_a_saved_preview_reads_nothing(stacks: Stacks, tmp_path: Path) -> None:
    from pulumi_jsmops.automation import impact

    the_change(stacks.declared)
    try:
        saved = stacks.inline.preview(json=True).stdout  # what `pulumi preview --json` writes
    finally:
        stacks.declared.clear()
        stacks.declared.update(copy.deepcopy(SCHEDULES))
    (tmp_path / "preview.json").write_text(saved)
    stacks.emulator.reset_stats()
    from_dict = impact(preview=json.loads(saved), days=3, at=AT)
    from_file = impact(preview=tmp_path / "preview.json", days=3, at=AT)
    assert stacks.emulator.stats()["total"] == 0
    assert from_dict.impacts == from_file.impacts
    assert [(i.resource, len(i.new_gaps)) for i in from_dict.impacts] == [("platform", 0), ("support", 3)]
    assert from_dict.impacts[0].now_after == ("id-bob",)  # no stack config: participants by id

    # With the stack too, its config names the participants and the service's overrides count;
    # `jsmops impact --preview` on the inline stack's work dir gives the same report.
    with_stack = impact(stacks.inline, preview=tmp_path / "preview.json", days=3, at=AT)
    assert with_stack.impacts[0].now_after == ("bob",)
    cli = subprocess.run([JSMOPS, "impact", "--stack", "test", "--days", "3", "--at", AT.isoformat(), "--format",
                          "json", "--preview", str(tmp_path / "preview.json"), "--cwd", str(stacks.inline_dir)],
                         env=stacks.project.env, capture_output=True, text=True, timeout=300)
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout) == with_stack.to_json()
    assert stacks.writes() == {}


def test_who_is_on_call_for_an_inline_stack(stacks: Stacks) -> None:
    from pulumi_jsmops.automation import Responder, who_is_on_call

    stacks.emulator.reset_stats()
    schedules = who_is_on_call(stacks.inline, at=AT, days=7)
    assert stacks.emulator.stats()["by_method"] == {"GET": 4}  # per schedule: its on-calls and its timeline
    platform, support = schedules
    assert (platform.resource, platform.name, platform.on_call) == ("platform", "Platform On-Call", ("carol",))
    assert platform.next is not None
    assert (platform.next.at, platform.next.after) == (datetime(2026, 1, 26, 8, tzinfo=timezone.utc),
                                                      frozenset({Responder("user", "id-alice")}))
    assert (support.resource, support.time_zone, support.on_call) == ("support", "America/New_York", ("heidi",))

    # `jsmops oncall` on the inline stack's work dir says the same, line for line.
    cli = subprocess.run([JSMOPS, "oncall", "--stack", "test", "--at", AT.isoformat(), "--days", "7",
                          "--cwd", str(stacks.inline_dir)], env=stacks.project.env, capture_output=True, text=True,
                         timeout=300)
    assert cli.returncode == 0, cli.stderr
    assert cli.stdout.splitlines() == [line for s in schedules for line in s.lines()]
    assert stacks.writes() == {}


def test_bad_arguments_fail_naming_them(stacks: Stacks) -> None:
    from pulumi_jsmops.automation import impact, who_is_on_call

    stacks.emulator.reset_stats()
    with pytest.raises(ValueError, match=r"^days: must be a whole number of days from 1 to 366, not 0$"):
        impact(stacks.inline, days=0)
    with pytest.raises(ValueError, match=r"^at: must be a datetime with a time zone"):
        who_is_on_call(stacks.inline, at=datetime(2026, 1, 21, 12))
    with pytest.raises(ValueError, match="give a stack to preview, or a saved preview"):
        impact()
    assert stacks.emulator.stats()["total"] == 0


def _changed() -> dict[str, dict[str, Any]]:
    changed = copy.deepcopy(SCHEDULES)
    the_change(changed)
    return changed


def test_a_preview_failing_without_saying_why_in_its_json_fails_the_report(stacks: Stacks) -> None:
    """`pulumi preview --json` may fail with `{}` and the reason on stderr (here: PULUMI_PYTHON_CMD,
    meant for inline programs, given to a program whose Pulumi.yaml names a virtualenv).
    `jsmops impact` and `impact()` then fail with that reason, never report "no change"."""
    from pulumi import automation as auto

    from pulumi_jsmops.automation import ImpactFailed, impact

    stacks.project.write_schedules(_changed())
    try:
        cli = subprocess.run([JSMOPS, "impact", "--stack", "test", "--days", "3", "--at", AT.isoformat()],
                             cwd=stacks.project.dir, env={**stacks.project.env, "PULUMI_PYTHON_CMD": sys.executable},
                             capture_output=True, text=True, timeout=300)
        assert cli.returncode == 1 and cli.stdout == ""
        assert cli.stderr.startswith("jsmops: error: `pulumi preview` failed:") and "fork/exec" in cli.stderr
        workspace = stacks.local.workspace
        told = auto.select_stack("test", work_dir=workspace.work_dir, opts=auto.LocalWorkspaceOptions(
            env_vars={**workspace.env_vars, "PULUMI_PYTHON_CMD": sys.executable},
            pulumi_command=workspace.pulumi_command))
        with pytest.raises(ImpactFailed, match="fork/exec"):
            impact(told, days=3, at=AT)
    finally:
        stacks.project.write_schedules(SCHEDULES)


def test_a_new_secret_participant_of_an_inline_program_is_not_shown_nor_guessed(stacks: Stacks) -> None:
    """The Automation API's preview takes no --show-secrets: the plan holds a new secret
    encrypted, so the schedule it decides is not assessed, saying why; the others are."""
    from pulumi_jsmops.automation import impact

    the_change(stacks.declared)
    stacks.declared["platform"]["rotations"][0]["participants"][1]["id"] = "secret:id-dave"
    try:
        report = impact(stacks.inline, days=3, at=AT)
    finally:
        stacks.declared.clear()
        stacks.declared.update(copy.deepcopy(SCHEDULES))
    platform, support = report.impacts
    assert platform.problem is not None and platform.problem.startswith(
        "rotations.primary.participants is secret, and this preview does not show it "
        "(the Automation API's preview of an inline program takes no --show-secrets")
    assert report.not_assessed == (platform,) and len(support.new_gaps) == 3
    assert all("id-dave" not in report.render(form) for form in ("text", "markdown", "json"))
    assert stacks.writes() == {}
