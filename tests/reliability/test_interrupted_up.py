"""A `pulumi up` killed halfway through 30 creates converges: `pulumi cancel` drops the dead
run's lock, `jsmops recover` brings in exactly the schedules its pending creates made, and
`up` creates the rest, none twice. A schedule that is not exactly a pending create's is
never taken over."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
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


def killed_run(project: PulumiProject, emulator: Emulator, command: list[str], method: str,
               served: Callable[[dict], bool] = lambda stats: True) -> None:
    """Runs `pulumi <command>` and kills it (SIGKILL: CLI, engine and plugins at once) while
    requests of `method` (each held 0.5 s) are being served, once `served(stats)` holds;
    then drops the dead run's lock with `pulumi cancel`."""
    emulator.add_fault(method=method, action="delay", delay=0.5, count=COUNT)
    run = subprocess.Popen(["pulumi", *command, "--yes", "--skip-preview", "--non-interactive", "--parallel", "4"],
                           cwd=project.dir, env=project.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           start_new_session=True)
    try:
        wait_for(lambda: (lambda s: served(s) and s["in_flight"] > 0)(emulator.stats()))
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
    locked = project.pulumi("up", "--yes", "--skip-preview", check=False)
    assert locked.returncode != 0 and "the stack is currently locked" in locked.stderr
    project.pulumi("cancel", "--yes")


def interrupted_up(project: PulumiProject, emulator: Emulator) -> dict[str, dict]:
    """Runs `pulumi up` of COUNT schedules and kills it while creates are being served;
    answers the program (resource name -> inputs)."""
    rotation = SUPPORT["rotations"][0]
    program = {f"s{i:02}": {"name": f"Schedule {i:02}", "team_id": TEAM, "rotations": [rotation]}
               for i in range(COUNT)}
    project.write_schedules(program)
    killed_run(project, emulator, ["up"], "POST", lambda stats: stats["by_method"].get("POST", 0) >= 10)
    made, recorded = emulator.schedules(), project.resources()
    assert 10 <= len(made) < COUNT
    assert len(recorded) < len(made)  # creates the service did that the state never heard of
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


def pending_types(project: PulumiProject) -> Counter:
    return Counter(op["type"] for op in project.state()["deployment"].get("pending_operations") or [])


def test_a_killed_update_and_a_killed_destroy_converge_through_jsmops_recover(project: PulumiProject,
                                                                              emulator: Emulator) -> None:
    program = {f"d{i}": {"name": f"Dest {i}", "team_id": TEAM, "description": "first"} for i in range(6)}
    project.write_schedules(program)
    project.up()

    # An update of every description, killed while its PATCHes are served: some land.
    project.write_schedules({name: {**spec, "description": "second"} for name, spec in program.items()})
    killed_run(project, emulator, ["up"], "PATCH")
    landed = {s["id"] for s in emulator.schedules() if s["description"] == "second"}
    assert landed and pending_types(project) == Counter(updating=len(landed))
    # The commit is reverted; recover reads the changed schedules back, so `up` undoes them.
    project.write_schedules(program)
    recovered = project.jsmops("recover", "--stack", "test")
    assert recovered.stdout.count("its interrupted change was read back") == len(landed)
    by_id = {r["id"]: r for r in project.resources().values()}
    assert {sid for sid, r in by_id.items() if r["outputs"]["description"] == "second"} == landed
    project.up()
    assert {s["description"] for s in emulator.schedules()} == {"first"}
    assert_converged(project, emulator)

    # A destroy killed while its deletes are served, then `up` of the program unchanged.
    killed_run(project, emulator, ["destroy"], "DELETE")
    deleted = {r["id"] for r in project.resources().values()} - {s["id"] for s in emulator.schedules()}
    assert deleted and pending_types(project)["deleting"] == len(deleted)
    recovered = project.jsmops("recover", "--stack", "test")
    assert recovered.stdout.count("dropped from the stack") == len(deleted)
    assert {r["id"] for r in project.resources().values()} == {s["id"] for s in emulator.schedules()}
    project.up()
    assert Counter(s["name"] for s in emulator.schedules()) == Counter(spec["name"] for spec in program.values())
    assert_converged(project, emulator)


def test_recover_never_overwrites_a_concurrent_up(project: PulumiProject, emulator: Emulator) -> None:
    project.env["JSMOPS_TIMEOUT"] = "30"  # the held requests below are waited for
    program = {"a": {"name": "Race A", "team_id": TEAM}}
    project.write_schedules(program)
    project.up()
    # A pending create to recover, whose schedule the service made: an `up` killed while creating it.
    project.write_schedules({**program, "b": {"name": "Race B", "team_id": TEAM}})
    killed_run(project, emulator, ["up"], "POST")
    assert pending_types(project) == Counter(creating=1)
    [made] = [s for s in emulator.schedules() if s["name"] == "Race B"]

    # 1. A whole `up` (it creates "Race C") runs while recover waits for its lookup.
    emulator.add_fault(method="GET", path="/v1/schedules$", action="delay", delay=10)
    recover = subprocess.Popen([str(Path(sys.executable).parent / "jsmops"), "recover", "--stack", "test"],
                               cwd=project.dir, env=project.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    wait_for(lambda: emulator.stats()["in_flight"] > 0)
    program["c"] = {"name": "Race C", "team_id": TEAM}
    project.write_schedules(program)
    project.up()
    _, refused = recover.communicate(timeout=120)
    assert recover.returncode == 1
    assert "stack 'test' changed while `jsmops recover` read the service" in refused
    state = project.resources()
    by_name = {s["name"]: s["id"] for s in emulator.schedules()}
    assert {name: r["id"] for name, r in state.items()} == {"a": by_name["Race A"], "c": by_name["Race C"]}

    # 2. Recover while an `up` holds the stack (its create of "Race D" held by the service).
    emulator.add_fault(method="POST", action="delay", delay=5)
    program["d"] = {"name": "Race D", "team_id": TEAM}
    project.write_schedules(program)
    up = subprocess.Popen(["pulumi", "up", "--yes", "--skip-preview", "--non-interactive"], cwd=project.dir,
                          env=project.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: emulator.stats()["in_flight"] > 0)
    refused = project.jsmops("recover", "--stack", "test", check=False)
    assert refused.returncode == 1 and "stack 'test' is locked: a `pulumi` command is running on it" in refused.stderr
    assert up.wait(timeout=120) == 0
    by_name = {s["name"]: s["id"] for s in emulator.schedules()}
    assert project.resources()["d"]["id"] == by_name["Race D"]

    # Afterwards recover does its work, and nothing the ups made is lost.
    recovered = project.jsmops("recover", "--stack", "test")
    assert "'b': its interrupted create had made schedule" in recovered.stdout
    assert {name: r["id"] for name, r in project.resources().items()} == {
        "a": by_name["Race A"], "b": made["id"], "c": by_name["Race C"], "d": by_name["Race D"]}
    program["b"] = {"name": "Race B", "team_id": TEAM}
    project.write_schedules(program)
    assert_converged(project, emulator)
