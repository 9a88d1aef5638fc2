"""`pulumi refresh` of many schedules reads most from one listing of the site (dynamic/listing.py),
through the real CLI against the emulator: far fewer GETs, the same drift and no spurious
diff; a schedule deleted outside Pulumi is still dropped, one the listing lacks still read
with its own GET, and a small stack makes its GETs and nothing else."""

from __future__ import annotations

import copy
import threading
import time
from pathlib import Path
from typing import Any

from testkit.emulator_process import Emulator
from testkit.pulumi_project import PulumiProject
from testkit.schedules import SUPPORT, TEAM


def stack_schedules(count: int) -> dict[str, dict[str, Any]]:
    """Schedules named `r<i>`; every third with SUPPORT's rotation, so listed rotations are compared too."""
    specs: dict[str, dict[str, Any]] = {}
    for i in range(count):
        spec = copy.deepcopy(SUPPORT) if i % 3 == 0 else {"team_id": TEAM, "timezone": "Europe/Berlin"}
        specs[f"r{i}"] = {**spec, "name": f"refresh listing {i}", "description": f"schedule {i}"}
    return specs


def gets_by_id(emulator: Emulator) -> dict[str, int]:
    """The status each `GET /v1/schedules/{id}` got, by id."""
    return {r["path"].rsplit("/", 1)[1]: r["status"] for r in emulator.requests()
            if r["method"] == "GET" and r["path"].startswith("/v1/schedules/")}


def listings(emulator: Emulator) -> list[dict[str, Any]]:
    """The pages of the listing (not the client's one-schedule look at the site after a 404)."""
    return [r for r in emulator.requests()
            if r["method"] == "GET" and r["path"] == "/v1/schedules" and r["query"].get("expand") == ["rotation"]]


def got_after_the_listing(emulator: Emulator) -> set[str]:
    """The ids of the `GET /v1/schedules/{id}` sent after the listing's first page."""
    journal = [r for r in emulator.requests() if r["method"] == "GET"]
    first = next(i for i, r in enumerate(journal) if r["path"] == "/v1/schedules" and "expand" in r["query"])
    return {r["path"].rsplit("/", 1)[1] for r in journal[first:] if r["path"].startswith("/v1/schedules/")}


def ids_in_state(project: PulumiProject) -> dict[str, str]:
    return {name: r["id"] for name, r in project.resources().items()}


def refresh(project: PulumiProject, *args: str) -> str:
    return project.pulumi("refresh", "--yes", "--skip-preview", *args).stdout


def test_a_refresh_of_30_reads_them_from_one_listing_with_the_same_drift(project: PulumiProject,
                                                                         emulator: Emulator) -> None:
    project.write_schedules(stack_schedules(30))
    project.up()
    ids = ids_in_state(project)
    edited = [f"r{i}" for i in range(10)]  # more than the reads before the listing: some are read from it
    for name in edited:
        emulator.http.patch(f"{emulator.api_url}/schedules/{ids[name]}", json={"description": f"{name} by hand"},
                            auth=emulator.admin_auth, timeout=10).raise_for_status()
    emulator.reset_stats()

    refresh(project)
    assert len(listings(emulator)) == 1
    assert len(gets_by_id(emulator)) < 10  # the reads before the listing started; 30 without it
    assert emulator.stats()["total"] == len(gets_by_id(emulator)) + 1
    assert {ids[name] for name in edited} - set(gets_by_id(emulator))  # some edited ones came from the listing
    outputs = {name: r["outputs"] for name, r in project.resources().items()}
    assert {name: outputs[name]["description"] for name in edited} == {name: f"{name} by hand" for name in edited}
    assert outputs["r3"]["rotations"]["weekly"]["participants"] == SUPPORT["rotations"][0]["participants"]

    refresh(project, "--expect-no-changes")  # listed schedules read as their GETs answer: no spurious diff
    project.up()  # puts the descriptions back
    project.preview("--expect-no-changes")
    assert emulator.http.get(f"{emulator.api_url}/schedules/{ids['r7']}", auth=emulator.admin_auth,
                             timeout=10).json()["description"] == "schedule 7"


def test_a_schedule_deleted_outside_pulumi_is_dropped_after_its_own_get(project: PulumiProject,
                                                                        emulator: Emulator) -> None:
    project.write_schedules(stack_schedules(20))
    project.up()
    ids = ids_in_state(project)
    deleted = {ids[f"r{i}"] for i in range(10)}  # more than the reads before the listing: some are read after it
    for id_ in deleted:
        emulator.http.delete(f"{emulator.api_url}/schedules/{id_}", auth=emulator.admin_auth,
                             timeout=10).raise_for_status()
    emulator.reset_stats()

    refresh(project)
    assert len(listings(emulator)) == 1
    got = gets_by_id(emulator)
    # Each got its own 404 before it was dropped: missing from the listing is not enough.
    assert {id_: got.get(id_) for id_ in deleted} == {id_: 404 for id_ in deleted}
    assert deleted & got_after_the_listing(emulator)
    assert set(ids_in_state(project).values()) == set(ids.values()) - deleted


def test_a_schedule_the_listing_lacks_is_read_with_its_own_get(project: PulumiProject, emulator: Emulator) -> None:
    """A listing by offset skips schedules when ones before them are deleted between two of its
    pages: here ten made outside the stack, while the emulator holds the second page back."""
    outsiders = emulator.make_schedules(10, "outsider", TEAM)
    project.write_schedules(stack_schedules(55))
    project.up()
    in_order = [s["id"] for s in emulator.schedules()]
    # The first ten of the second page: on the first one once the outsiders are gone. More than
    # the reads before the listing, so some are read after it.
    skipped = set(in_order[50:60])
    assert in_order[:10] == outsiders and skipped <= set(ids_in_state(project).values())
    emulator.reset_stats()
    emulator.add_fault(method="GET", path="/v1/schedules$", action="delay", delay=0.01)
    emulator.add_fault(method="GET", path="/v1/schedules$", action="delay", delay=5)

    done = threading.Thread(target=refresh, args=(project, "--expect-no-changes"))
    done.start()
    deadline = time.monotonic() + 120
    while len(listings(emulator)) < 2:  # the second page is being held back
        assert done.is_alive() and time.monotonic() < deadline, "the refresh never asked for a second page"
        time.sleep(0.05)
    for id_ in outsiders:
        emulator.http.delete(f"{emulator.api_url}/schedules/{id_}", auth=emulator.admin_auth,
                             timeout=10).raise_for_status()
    assert listings(emulator)[1]["status"] is None, "the second page was answered before the outsiders were deleted"
    done.join(300)

    got = gets_by_id(emulator)
    assert {id_: got.get(id_) for id_ in skipped} == {id_: 200 for id_ in skipped}
    assert skipped & got_after_the_listing(emulator)
    assert skipped <= set(ids_in_state(project).values()) and len(ids_in_state(project)) == 55


def test_a_small_stack_on_a_big_site_makes_its_gets_and_nothing_else(tmp_path: Path, emulator: Emulator) -> None:
    emulator.make_schedules(60, "someone else's", TEAM)
    project = PulumiProject(tmp_path, emulator)
    project.write_schedules(stack_schedules(3))
    project.up()
    ids = ids_in_state(project)
    emulator.reset_stats()

    refresh(project, "--expect-no-changes")
    assert gets_by_id(emulator) == {id_: 200 for id_ in ids.values()}
    assert emulator.stats()["total"] == 3
