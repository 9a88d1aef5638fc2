"""A `pulumi up` killed halfway through 30 creates: the usual recovery (`pulumi cancel` to
drop the dead run's lock, `refresh`, `up`) converges, with no duplicate schedule."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

from emulator_process import Emulator
from pulumi_project import PulumiProject
from schedules import SUPPORT, TEAM

COUNT = 30


def kill_processes_of(project_dir: Path) -> None:
    """Kills what runs in the project directory or names it (language host, program, provider)."""
    for process in Path("/proc").glob("[0-9]*"):
        try:
            if (os.readlink(process / "cwd") == str(project_dir)
                    or str(project_dir).encode() in (process / "cmdline").read_bytes()):
                os.kill(int(process.name), signal.SIGKILL)
        except OSError:
            pass  # gone meanwhile, or not ours to read


def wait_for(condition, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the condition"
        time.sleep(0.02)


def test_an_up_killed_halfway_converges_on_the_next_runs(project: PulumiProject, emulator: Emulator) -> None:
    rotation = SUPPORT["rotations"][0]
    program = {f"s{i:02}": {"name": f"Schedule {i:02}", "team_id": TEAM, "rotations": [rotation]}
               for i in range(COUNT)}
    project.write_schedules(program)
    emulator.add_fault(method="POST", action="delay", delay=0.5, count=COUNT)
    run = subprocess.Popen(["pulumi", "up", "--yes", "--skip-preview", "--non-interactive", "--parallel", "4"],
                           cwd=project.dir, env=project.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           start_new_session=True)
    try:
        # Kill the CLI, engine and provider at once, while creates are being served.
        wait_for(lambda: (lambda s: s["by_method"].get("POST", 0) >= 10 and s["in_flight"] > 0)(emulator.stats()))
    finally:
        os.killpg(run.pid, signal.SIGKILL)
        run.wait()
        kill_processes_of(project.dir)  # the plugins the CLI started in process groups of their own
    emulator.wait_until_idle()

    made, recorded = emulator.schedules(), project.resources()
    assert 10 <= len(made) < COUNT
    assert len(recorded) < len(made)  # creates the service did that the state never heard of

    locked = project.pulumi("up", "--yes", "--skip-preview", check=False)
    assert locked.returncode != 0 and "the stack is currently locked" in locked.stderr
    project.pulumi("cancel", "--yes")
    project.pulumi("refresh", "--yes")
    project.up()

    names = Counter(s["name"] for s in emulator.schedules())
    assert names == Counter(spec["name"] for spec in program.values())  # all there, none twice
    assert {r["id"] for r in project.resources().values()} == {s["id"] for s in emulator.schedules()}
    emulator.reset_stats()
    project.preview("--expect-no-changes")
    assert emulator.stats()["total"] == 0
