"""One stack driven from two working copies through Pulumi's PostgreSQL state backend.

Working copies A and B are two project directories with the same project and stack
(`e2e`/`test`) logged in to the same `postgres://` URL, like two people's clones of a repo.
The backend's lock refuses an update of the stack while another one holds it, and after
both have run, the service holds exactly what the program declares.
"""

from __future__ import annotations

import copy
import json
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from pulumi_state_table import SharedState
from testkit.emulator_process import Emulator
from testkit.postgres_server import PostgresNotInstalled, find_bin_dir
from testkit.processes import stop_process
from testkit.pulumi_project import PulumiProject
from testkit.schedules import DATA, TEAM

PROGRAM = {
    "data": DATA,
    "oncall": {"name": "Shared On-call", "team_id": TEAM, "timezone": "Europe/Berlin",
               "description": "Declared in both working copies"},
}

# How long the emulator holds each of A's creates: A's update (and its lock) lasts at least
# this long after its first create reaches the service, while B's refused `pulumi up` takes
# well under a second. The test waits for conditions, never for this time.
HOLD_CREATES = 10.0

LOCKED = "the stack is currently locked by 1 lock(s)"


def wait_for(condition: Callable[[], bool], what: str, process: subprocess.Popen, output: Path,
             timeout: float = 90) -> None:
    """Poll `condition` until it holds; fail if `process` ends first or the deadline passes."""
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"{what}: pulumi exited {process.returncode} first:\n{output.read_text()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s; pulumi output so far:\n{output.read_text()}")
        time.sleep(0.05)


def test_a_second_up_is_refused_by_the_lock_and_both_copies_end_in_sync(
    tmp_path: Path, emulator: Emulator, shared_state: SharedState
) -> None:
    a = PulumiProject(tmp_path / "a", emulator, backend_url=shared_state.url)
    b = PulumiProject(tmp_path / "b", emulator, backend_url=shared_state.url)
    # A created the stack in the database; B found it there and selected it: one stack, two copies.
    assert [k for k in shared_state.keys("stacks/") if k.endswith(".json")] == ["stacks/e2e/test.json"]
    assert [s["name"] for s in json.loads(b.pulumi("stack", "ls", "--json").stdout)] == ["test"]
    a.write_schedules(PROGRAM)
    b.write_schedules(PROGRAM)

    # A's update runs in the background; the emulator holds its creates.
    emulator.add_fault(method="POST", action="delay", delay=HOLD_CREATES, count=len(PROGRAM))
    a_output = tmp_path / "a-up.log"
    with open(a_output, "w") as log:
        a_up = subprocess.Popen(["pulumi", "up", "--yes", "--skip-preview", "--non-interactive"],
                                cwd=a.dir, env=a.env, stdout=log, stderr=subprocess.STDOUT, text=True)
    try:
        # The lock is held: A's lock file is in the database and a create of A is being served.
        wait_for(lambda: bool(shared_state.locks()) and emulator.stats()["in_flight"] > 0,
                 "A holding the lock with a create in flight", a_up, a_output)
        [(a_lock_key, a_lock)] = shared_state.locks().items()
        assert a_lock["pid"] == a_up.pid

        # B's `pulumi up` is refused by that lock, naming A's process, before it does anything.
        refused = b.up(check=False)
        assert refused.returncode != 0
        assert LOCKED in refused.stderr
        assert f"(pid {a_up.pid})" in refused.stderr and a_lock_key in refused.stderr
        assert "postgres://****:****@127.0.0.1" in refused.stderr  # the URL's password is masked
        assert "created" not in refused.stdout and "Updating" not in refused.stdout
        assert list(shared_state.locks()) == [a_lock_key]  # B took its own lock file away again

        assert a_up.wait(timeout=180) == 0, a_output.read_text()
    finally:
        # Running still only when the test failed: cancel A, which stops its plugins.
        stop_process(a_up, sig=signal.SIGINT, timeout=60)
    a.transcript.append(a_output.read_text())
    assert "+ 3 created" in a_output.read_text()  # the stack and both schedules
    assert shared_state.locks() == {}  # A released the lock

    # Every request the service saw was one of A's creates: nothing came from B.
    assert emulator.stats()["by_method"] == {"POST": len(PROGRAM)}
    created = {s["name"]: s for s in emulator.schedules()}
    assert sorted(created) == ["Data Platform", "Shared On-call"]

    # Now B's up runs on the state A wrote: a changed description is one PATCH, no creates.
    changed = copy.deepcopy(PROGRAM)
    changed["oncall"]["description"] = "Changed in working copy B"
    b.write_schedules(changed)
    emulator.reset_stats()
    b.up()
    assert emulator.stats()["by_method"] == {"PATCH": 1}
    assert shared_state.locks() == {}

    # A takes B's change of the program (a pull); then both copies agree with the service.
    a.write_schedules(changed)
    remote = emulator.schedules()
    assert len(remote) == len(changed)  # no duplicates
    by_name = {s["name"]: s for s in remote}
    assert set(by_name) == {spec["name"] for spec in changed.values()}
    assert by_name["Shared On-call"]["description"] == "Changed in working copy B"
    assert by_name["Shared On-call"]["timezone"] == "Europe/Berlin"
    assert by_name["Shared On-call"]["id"] == created["Shared On-call"]["id"]  # updated in place
    assert by_name["Data Platform"] == created["Data Platform"]
    for project in (a, b):
        assert {name: r["id"] for name, r in project.resources().items()} == {
            "data": by_name["Data Platform"]["id"], "oncall": by_name["Shared On-call"]["id"]}
    emulator.reset_stats()
    a.preview("--expect-no-changes")
    b.preview("--expect-no-changes")
    assert emulator.stats()["total"] == 0

    # The database password never shows in anything either copy printed.
    password = shared_state.server.role_password
    assert all(password not in text for text in a.transcript + b.transcript)


def test_missing_postgresql_fails_with_the_install_hint(tmp_path: Path) -> None:
    (tmp_path / "15" / "bin").mkdir(parents=True)  # a version directory without the server programs
    try:
        find_bin_dir(str(tmp_path / "*" / "bin"))
    except PostgresNotInstalled as exc:
        assert ".ci/install-postgres.sh" in str(exc)
    else:
        raise AssertionError("find_bin_dir found PostgreSQL where there is none")
    assert find_bin_dir().name == "bin"  # and the real installation is found
