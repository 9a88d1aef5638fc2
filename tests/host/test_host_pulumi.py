"""The lifted worker cap, seen through the real `pulumi` CLI: the emulator counts the
requests in flight. Each request is held long enough (added latency) that all the calls
the engine makes at once are in flight together; only bounds are asserted, no timings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from testkit.emulator_process import Emulator
from testkit.pulumi_project import PulumiProject
from testkit.schedules import SUPPORT

SDK_WORKERS = 4
N = 10


SCHEDULES = {f"s{i}": {**SUPPORT, "name": f"Support {i}"} for i in range(N)}


def run(project: PulumiProject, emulator: Emulator, *args: str) -> dict[str, float]:
    emulator.reset_stats()
    project.pulumi(*args)
    return emulator.stats()


def test_requests_in_flight_pass_the_sdk_workers_up_to_max_concurrency(
    project: PulumiProject, emulator: Emulator
) -> None:
    project.write_schedules(SCHEDULES)
    project.pulumi("config", "set", "jsmops:maxConcurrency", "6")
    emulator.set_latency(1000)
    up = run(project, emulator, "up", "--yes", "--skip-preview", "--parallel", "12")
    refresh = run(project, emulator, "refresh", "--yes", "--skip-preview", "--parallel", "12")
    destroy = run(project, emulator, "destroy", "--yes", "--skip-preview", "--parallel", "12")
    for stats in (up, refresh, destroy):
        assert SDK_WORKERS < stats["in_flight_max"] <= 6
    assert emulator.schedules() == []


def test_requests_in_flight_stay_within_parallel(project: PulumiProject, emulator: Emulator) -> None:
    project.write_schedules(SCHEDULES)
    project.pulumi("config", "set", "jsmops:maxConcurrency", "20")
    project.up()
    emulator.set_latency(1000)
    refresh = run(project, emulator, "refresh", "--yes", "--skip-preview", "--parallel", "5")
    assert SDK_WORKERS < refresh["in_flight_max"] <= 5


def test_more_concurrency_under_a_rate_limit_fails_nothing_and_creates_each_once(
    tmp_path: Path, emulator_factory: Callable[..., Emulator]
) -> None:
    limited = emulator_factory("--rate-limit", "3")
    project = PulumiProject(tmp_path / "limited", limited)
    names = [f"Limited {i}" for i in range(12)]
    project.write_schedules({f"s{i}": {**SUPPORT, "name": name} for i, name in enumerate(names)})
    project.pulumi("config", "set", "jsmops:maxConcurrency", "12")
    project.pulumi("up", "--yes", "--skip-preview", "--parallel", "12")
    stats = limited.stats()
    assert stats["by_method_status"]["POST"].get("429", 0) > 0  # the limit was reached
    assert stats["by_method_status"]["POST"]["201"] == len(names)  # each created once
    assert len(project.resources()) == len(names)
    # what the emulator made: one schedule per name (its journal, as the API is rate limited)
    created = [r["body"]["name"] for r in limited.requests() if r["method"] == "POST" and r["status"] == 201]
    assert sorted(created) == sorted(names)


@pytest.mark.parametrize("first_call", ["check, then create", "delete"])
def test_our_errors_reach_the_cli_as_their_message(first_call: str, project: PulumiProject, emulator: Emulator) -> None:
    """`up` fails in a create, served after `install` ran in the first check; `destroy`
    fails in its first call, the one that runs `install`."""
    project.write_schedules(SCHEDULES)
    if first_call == "delete":
        project.up()
    project.env["JSMOPS_API_TOKEN"] = "wrong-token"
    args = ("up", "--yes", "--skip-preview") if first_call != "delete" else ("destroy", "--yes", "--skip-preview")
    result = project.pulumi(*args, "--parallel", "1", check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "failed with 401 (the email or API token is not valid" in output
    assert "Exception calling application" not in output
    assert "Traceback" not in output
