"""The lifted worker cap, seen through the real `pulumi` CLI: the emulator counts the
requests in flight. Each request is held long enough (added latency) that all the calls
the engine makes at once are in flight together; only bounds are asserted, no timings."""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator_process import Emulator
from pulumi_project import PulumiProject
from schedules import SUPPORT

SDK_WORKERS = 4
N = 10


@pytest.fixture
def project(tmp_path: Path, emulator: Emulator) -> PulumiProject:
    project = PulumiProject(tmp_path, emulator)
    project.write_schedules({f"s{i}": {**SUPPORT, "name": f"Support {i}"} for i in range(N)})
    return project


def run(project: PulumiProject, emulator: Emulator, *args: str) -> dict[str, float]:
    emulator.reset_stats()
    project.pulumi(*args)
    return emulator.stats()


def test_requests_in_flight_pass_the_sdk_workers_up_to_max_concurrency(
    project: PulumiProject, emulator: Emulator
) -> None:
    project.pulumi("config", "set", "jsmops:maxConcurrency", "6")
    emulator.set_latency(1000)
    up = run(project, emulator, "up", "--yes", "--skip-preview", "--parallel", "12")
    refresh = run(project, emulator, "refresh", "--yes", "--skip-preview", "--parallel", "12")
    destroy = run(project, emulator, "destroy", "--yes", "--skip-preview", "--parallel", "12")
    for stats in (up, refresh, destroy):
        assert SDK_WORKERS < stats["in_flight_max"] <= 6
    assert emulator.schedules() == []


def test_requests_in_flight_stay_within_parallel(project: PulumiProject, emulator: Emulator) -> None:
    project.pulumi("config", "set", "jsmops:maxConcurrency", "20")
    project.up()
    emulator.set_latency(1000)
    refresh = run(project, emulator, "refresh", "--yes", "--skip-preview", "--parallel", "5")
    assert SDK_WORKERS < refresh["in_flight_max"] <= 5
