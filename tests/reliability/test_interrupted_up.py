"""A `pulumi up` killed halfway through 30 creates converges: `pulumi cancel` drops the dead
run's lock, `jsmops recover` brings in exactly the schedules its pending creates made, and
`up` creates the rest, none twice. A schedule that is not exactly a pending create's is
never taken over."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

from testkit.emulator_process import Emulator
from testkit.pulumi_project import PROGRAM, PulumiProject
from testkit.schedules import SUPPORT, TEAM

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


def interrupted_up(project: PulumiProject, emulator: Emulator) -> dict[str, dict]:
    """Runs `pulumi up` of COUNT schedules and kills it (SIGKILL: CLI, engine and plugins at
    once) while creates are being served; answers the program (resource name -> inputs)."""
    rotation = SUPPORT["rotations"][0]
    program = {f"s{i:02}": {"name": f"Schedule {i:02}", "team_id": TEAM, "rotations": [rotation]}
               for i in range(COUNT)}
    project.write_schedules(program)
    emulator.add_fault(method="POST", action="delay", delay=0.5, count=COUNT)
    run = subprocess.Popen(["pulumi", "up", "--yes", "--skip-preview", "--non-interactive", "--parallel", "4"],
                           cwd=project.dir, env=project.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           start_new_session=True)
    try:
        wait_for(lambda: (lambda s: s["by_method"].get("POST", 0) >= 10 and s["in_flight"] > 0)(emulator.stats()))
    finally:
        os.killpg(run.pid, signal.SIGKILL)
        run.wait()
        kill_processes_of(project.dir)  # the plugins the CLI started in process groups of their own
    emulator.wait_until_idle()
    emulator.clear_faults()
    # The file backend writes each state file's `.attrs` sidecar in place (gocloud's fileblob;
    # the state file itself is renamed into place), so a kill may leave it empty, and then no
    # pulumi command can load the stack ("failed to load checkpoint: EOF"). An absent sidecar
    # is fine: the manual repair is to delete the empty one.
    for sidecar in project.state_dir.rglob("*.attrs"):
        if sidecar.stat().st_size == 0:
            sidecar.unlink()

    made, recorded = emulator.schedules(), project.resources()
    assert 10 <= len(made) < COUNT
    assert len(recorded) < len(made)  # creates the service did that the state never heard of
    locked = project.pulumi("up", "--yes", "--skip-preview", check=False)
    assert locked.returncode != 0 and "the stack is currently locked" in locked.stderr
    project.pulumi("cancel", "--yes")
    return program


def pending_creates(project: PulumiProject, emulator: Emulator) -> tuple[dict[str, str], dict[str, str]]:
    """The state's pending creates (resource name -> schedule name): those the service did
    (it serves a request even when its client died), and those it never got."""
    pending = {op["resource"]["urn"].rsplit("::", 1)[1]: op["resource"]["inputs"]["name"]
               for op in project.state()["deployment"].get("pending_operations") or [] if op["type"] == "creating"}
    on_service = {s["name"] for s in emulator.schedules()}
    done = {resource: name for resource, name in pending.items() if name in on_service}
    assert done  # creates were being served when the run was killed
    return done, {resource: name for resource, name in pending.items() if resource not in done}


def assert_converged(project: PulumiProject, emulator: Emulator) -> None:
    assert {r["id"] for r in project.resources().values()} == {s["id"] for s in emulator.schedules()}
    assert not project.state()["deployment"].get("pending_operations")
    project.assert_clean_preview()


def test_an_up_killed_halfway_converges_through_jsmops_recover(project: PulumiProject, emulator: Emulator) -> None:
    program = interrupted_up(project, emulator)
    done, never_sent = pending_creates(project, emulator)
    before = {r["id"] for r in project.resources().values()}

    recovered = project.jsmops("recover", "--stack", "test")
    assert recovered.stdout.count("now in the stack") == len(done)
    assert recovered.stdout.count("made nothing") == len(never_sent)
    state = project.resources()
    assert set(done) <= set(state) and not set(never_sent) & set(state)
    assert not project.state()["deployment"].get("pending_operations")
    by_name = {s["name"]: s["id"] for s in emulator.schedules()}
    assert {name: state[name]["id"] for name in done} == {name: by_name[done[name]] for name in done}
    assert before < {r["id"] for r in state.values()}

    # What is neither in the state nor pending was never asked for: the next up creates it.
    project.up()
    names = Counter(s["name"] for s in emulator.schedules())
    assert names == Counter(spec["name"] for spec in program.values())  # all there, none twice
    assert_converged(project, emulator)


def test_recover_never_takes_over_a_schedule_made_by_hand(project: PulumiProject, emulator: Emulator) -> None:
    interrupted_up(project, emulator)
    done, _ = pending_creates(project, emulator)
    # Someone replaces one of the schedules the interrupted creates made with one of their own.
    victim, name = sorted(done.items())[0]
    made = next(s for s in emulator.schedules() if s["name"] == name)
    emulator.http.delete(f"{emulator.api_url}/schedules/{made['id']}", auth=emulator.admin_auth,
                         timeout=10).raise_for_status()
    hand_made = emulator.http.post(f"{emulator.api_url}/schedules", auth=emulator.admin_auth, timeout=10, json={
        "name": name, "teamId": TEAM, "description": "made by hand"}).json()

    recovered = project.jsmops("recover", "--stack", "test")
    assert f"'{victim}': the schedule of its name ({hand_made['id']}) has other settings" in recovered.stdout
    assert victim not in project.resources()
    assert hand_made["id"] not in {r["id"] for r in project.resources().values()}

    failed = project.pulumi("up", "--yes", "--skip-preview", check=False)
    assert failed.returncode != 0
    assert f"already exists (id {hand_made['id']}), and this stack did not create it" in failed.stdout
    assert "jsmops recover --stack test" in failed.stdout and f"--id {hand_made['id']}" in failed.stdout
    kept = next(s for s in emulator.schedules() if s["id"] == hand_made["id"])
    assert kept["description"] == "made by hand" and kept.get("rotations") in (None, [])
    assert victim not in project.resources()
    assert Counter(s["name"] for s in emulator.schedules())[name] == 1


def test_recover_keeps_secret_names_secret(tmp_path: Path, emulator: Emulator) -> None:
    program = PROGRAM.replace("jsmops.Schedule(resource_name, **spec)",
                              'jsmops.Schedule(resource_name, **{**spec, "name": pulumi.Output.secret(spec["name"])})')
    project = PulumiProject(tmp_path, emulator, program=program)
    project.env.update({"JSMOPS_TIMEOUT": "1", "JSMOPS_BACKOFF_FACTOR": "0.05", "JSMOPS_MAX_RETRIES": "4"})
    declared = interrupted_up(project, emulator)
    export = project.pulumi("stack", "export", "--show-secrets").stdout
    assert '"pending_operations"' in export

    recovered = project.jsmops("recover", "--stack", "test")
    assert "now in the stack" in recovered.stdout
    project.up()
    assert Counter(s["name"] for s in emulator.schedules()) == Counter(spec["name"] for spec in declared.values())
    assert_converged(project, emulator)
    state = project.state_files_text()
    assert not any(spec["name"] in state for spec in declared.values())  # encrypted, recovered ones too
