"""Service faults during real `pulumi up`/`refresh`/`destroy` runs: every run ends with the
stack and the service in agreement, nothing made twice and nothing lost; a run that fails
for good says what happened and the next run finishes the job."""

from __future__ import annotations

import copy
from collections import Counter

from testkit.emulator_process import Emulator
from testkit.pulumi_project import PulumiProject
from testkit.schedules import DATA, OPERATIONS, SUPPORT

PROGRAM = {"support": SUPPORT, "operations": OPERATIONS, "data": DATA}


def assert_in_agreement(project: PulumiProject, emulator: Emulator, names: set[str]) -> None:
    """The service holds exactly `names`, once each, and the stack tracks exactly those."""
    remote = emulator.schedules()
    assert Counter(s["name"] for s in remote) == Counter(names)
    state = project.resources()
    assert {r["id"] for r in state.values()} == {s["id"] for s in remote}
    emulator.wait_until_idle()  # requests the client gave up on are still counted when they end
    project.assert_clean_preview()


def edited(program: dict, description: str) -> dict:
    changed = copy.deepcopy(program)
    for spec in changed.values():
        spec["description"] = description
    return changed


ALL_NAMES = {"Support Schedule", "Operations", "Data Platform"}


def test_bursts_of_503_and_429_on_every_kind_of_call(project: PulumiProject, emulator: Emulator) -> None:
    project.write_schedules(PROGRAM)
    emulator.add_fault(method="POST", action="status", status=503, count=2)
    emulator.add_fault(method="POST", action="status", status=429, retry_after=1, count=2)
    project.up()
    assert_in_agreement(project, emulator, ALL_NAMES)

    emulator.add_fault(method="PATCH", action="status", status=503, count=2)
    emulator.add_fault(method="PATCH", action="status", status=429, retry_after=1, count=2)
    project.write_schedules(edited(PROGRAM, "after a burst"))
    project.up()
    assert {s["description"] for s in emulator.schedules()} == {"after a burst"}
    assert_in_agreement(project, emulator, ALL_NAMES)

    emulator.add_fault(method="GET", action="status", status=503, count=3)
    emulator.add_fault(method="GET", action="status", status=429, retry_after=1, count=3)
    project.pulumi("refresh", "--yes")
    assert_in_agreement(project, emulator, ALL_NAMES)

    emulator.add_fault(method="DELETE", action="status", status=503, count=2)
    emulator.add_fault(method="DELETE", action="status", status=429, retry_after=1, count=2)
    project.pulumi("destroy", "--yes")
    assert emulator.schedules() == [] and project.resources() == {}


def test_slow_responses_past_the_client_timeout(project: PulumiProject, emulator: Emulator) -> None:
    # The client waits 1 s for an answer; these take 3 s.
    project.write_schedules(PROGRAM)
    emulator.add_fault(method="POST", action="delay", delay=3, count=2)
    project.up()
    assert_in_agreement(project, emulator, ALL_NAMES)

    emulator.add_fault(method="PATCH", action="delay", delay=3, count=2)
    project.write_schedules(edited(PROGRAM, "after a slow patch"))
    project.up()
    assert {s["description"] for s in emulator.schedules()} == {"after a slow patch"}
    assert_in_agreement(project, emulator, ALL_NAMES)

    emulator.add_fault(method="GET", action="delay", delay=3, count=2)
    emulator.add_fault(method="DELETE", action="delay", delay=3, count=1)
    project.pulumi("refresh", "--yes")
    project.pulumi("destroy", "--yes")
    assert emulator.schedules() == [] and project.resources() == {}


def test_connections_cut_after_the_change_was_committed(project: PulumiProject, emulator: Emulator) -> None:
    project.write_schedules(PROGRAM)
    emulator.add_fault(method="POST", action="cut", count=3)
    project.up()
    assert emulator.stats()["by_method"]["POST"] == 3  # found by name, never replayed
    assert_in_agreement(project, emulator, ALL_NAMES)

    emulator.add_fault(method="PATCH", action="cut", count=3)
    project.write_schedules(edited(PROGRAM, "after a cut"))
    project.up()
    assert {s["description"] for s in emulator.schedules()} == {"after a cut"}
    assert_in_agreement(project, emulator, ALL_NAMES)

    emulator.add_fault(method="DELETE", action="cut", count=1)
    project.write_schedules({"support": edited(PROGRAM, "after a cut")["support"]})
    project.up()
    assert_in_agreement(project, emulator, {"Support Schedule"})


def test_a_run_that_fails_for_good_says_why_and_a_rerun_finishes(project: PulumiProject, emulator: Emulator) -> None:
    project.write_schedules(PROGRAM)
    emulator.add_fault(method="POST", path=".", action="status", status=503, count=1000)
    result = project.pulumi("up", "--yes", "--skip-preview", check=False)
    assert result.returncode != 0
    assert "POST /v1/schedules failed with 503 (service error)" in result.stdout
    assert emulator.schedules() == [] and project.resources() == {}

    emulator.clear_faults()
    project.up()
    assert_in_agreement(project, emulator, ALL_NAMES)
