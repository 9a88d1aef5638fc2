"""A stack touches only the overrides whose alias it holds. The service makes an override's
alias and takes none from the client, so a create whose answer was lost is recognised only
by a listing of the schedule's overrides taken before it: one new override, identical to
what was sent. Each case through the real CLI with the emulator's faults, asserting the
service's overrides and the stack's state afterwards."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from subprocess import CompletedProcess
from typing import Any

import pytest

from testkit.emulator_process import Emulator
from testkit.overrides import (
    NEXT_YEAR,
    PROGRAM,
    get_override,
    journal,
    listed_overrides,
    make_override,
    overrides_in_state,
    write_stack,
)
from testkit.pulumi_project import PulumiProject
from testkit.schedules import BOB, TEAM

# The override every test declares, on a schedule made by hand (so that its overrides are
# listed before each create), and as a person would make it through the API.
BODY = {"responder": {"type": "user", "id": BOB}, "startDate": f"{NEXT_YEAR}-12-24T08:00:00Z",
        "endDate": f"{NEXT_YEAR}-12-27T08:00:00Z"}
OVERRIDES_PATH = "/overrides$"


@pytest.fixture
def project_program() -> str:
    return PROGRAM


@pytest.fixture
def schedule_id(emulator: Emulator) -> str:
    return emulator.make_schedules(1, "By hand", TEAM)[0]


def declare(project: PulumiProject, schedule_id: str, **changes: Any) -> None:
    write_stack(project, {}, {"xmas": {"schedule_id": schedule_id, "responder": {"type": "user", "id": BOB},
                                       "start_date": f"{NEXT_YEAR}-12-24T09:00:00+01:00",
                                       "end_date": f"{NEXT_YEAR}-12-27T09:00:00+01:00", **changes}})


def failed_up(project: PulumiProject) -> str:
    result = project.up(check=False)
    assert result.returncode != 0
    return result.stdout + result.stderr


def aliases(emulator: Emulator, schedule_id: str) -> set[str]:
    return {o["alias"] for o in listed_overrides(emulator, schedule_id)}


def test_a_lost_create_takes_only_its_own_override_never_an_identical_one_made_before(
        project: PulumiProject, emulator: Emulator, schedule_id: str) -> None:
    by_hand = make_override(emulator, schedule_id, BODY)
    declare(project, schedule_id)
    emulator.add_fault(method="POST", path=OVERRIDES_PATH, action="cut")  # made, but the answer is lost
    emulator.reset_stats()
    project.up()
    path = f"/v1/schedules/{schedule_id}/overrides"
    assert journal(emulator) == [("GET", path), ("POST", path), ("GET", path)]
    ours = overrides_in_state(project)["xmas"]["id"]
    assert aliases(emulator, schedule_id) == {by_hand["alias"], ours} and ours != by_hand["alias"]
    project.assert_clean_preview()

    # Removing it deletes its own only; the person's stays as it was.
    write_stack(project, {}, {})
    emulator.reset_stats()
    project.up()
    assert journal(emulator) == [("DELETE", f"{path}/{ours}")]
    assert listed_overrides(emulator, schedule_id) == [by_hand]


def test_an_identical_override_made_meanwhile_makes_the_create_fail_and_nothing_is_taken(
        project: PulumiProject, emulator: Emulator, schedule_id: str) -> None:
    """The create's answer is lost, and while the provider reads the listing back a person
    makes an identical override: two candidates, so neither is taken; the error names both."""
    declare(project, schedule_id)
    project.env["JSMOPS_TIMEOUT"] = "10"  # the listings are held 3 s, the client waits for them
    emulator.add_fault(method="GET", path=OVERRIDES_PATH, action="delay", delay=3, count=2)
    emulator.add_fault(method="POST", path=OVERRIDES_PATH, action="cut")
    result = in_background(project.up, check=False)
    wait_for(lambda: read_back_in_flight(emulator, schedule_id))
    by_hand = make_override(emulator, schedule_id, BODY)  # while the read-back is held
    up = result()
    assert up.returncode != 0
    output = up.stdout + up.stderr
    (lost,) = aliases(emulator, schedule_id) - {by_hand["alias"]}
    assert "2 overrides identical to it appeared meanwhile" in output
    assert lost in output and by_hand["alias"] in output
    assert overrides_in_state(project) == {}
    assert aliases(emulator, schedule_id) == {lost, by_hand["alias"]}  # nothing deleted either

    # The next `up` makes its own; the two it could not tell apart stay untouched.
    project.up()
    ours = overrides_in_state(project)["xmas"]["id"]
    assert aliases(emulator, schedule_id) == {lost, by_hand["alias"], ours}
    project.assert_clean_preview()


def in_background(run: Callable[..., CompletedProcess[str]], **kwargs: Any) -> Callable[[], CompletedProcess[str]]:
    """Starts `run(**kwargs)` in a thread; the returned function waits for its result."""
    results: list[CompletedProcess[str]] = []
    thread = threading.Thread(target=lambda: results.append(run(**kwargs)), daemon=True)
    thread.start()

    def result() -> CompletedProcess[str]:
        thread.join(timeout=300)
        (done,) = results
        return done

    return result


def read_back_in_flight(emulator: Emulator, schedule_id: str) -> bool:
    """Whether the provider's read-back of the listing (the GET after the POST) has arrived
    and is being held by its delay."""
    path = f"/v1/schedules/{schedule_id}/overrides"
    entries = [e for e in emulator.requests() if e["path"] == path]
    methods = [e["method"] for e in entries]
    return methods[:3] == ["GET", "POST", "GET"] and entries[2]["status"] is None


def wait_for(condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition did not come true in time"
        time.sleep(0.05)


def test_a_refused_create_is_sent_again_and_made_once(project: PulumiProject, emulator: Emulator,
                                                     schedule_id: str) -> None:
    declare(project, schedule_id)
    emulator.add_fault(method="POST", path=OVERRIDES_PATH, action="status", status=503, count=2)
    emulator.reset_stats()
    project.up()
    path = f"/v1/schedules/{schedule_id}/overrides"
    assert journal(emulator) == [("GET", path), ("POST", path), ("GET", path), ("POST", path), ("GET", path),
                                 ("POST", path)]
    assert aliases(emulator, schedule_id) == {overrides_in_state(project)["xmas"]["id"]}


def test_a_create_that_never_shows_fails_and_the_next_up_makes_it(project: PulumiProject, emulator: Emulator,
                                                                  schedule_id: str) -> None:
    declare(project, schedule_id)
    emulator.add_fault(method="POST", path=OVERRIDES_PATH, action="status", status=502)  # it did not land
    output = failed_up(project)
    assert "reading the overrides back 5 times shows none made by this create" in output
    assert "it may still be made later" in output
    assert overrides_in_state(project) == {} and aliases(emulator, schedule_id) == set()
    project.up()
    assert aliases(emulator, schedule_id) == {overrides_in_state(project)["xmas"]["id"]}


def test_a_lost_edit_is_read_back_not_sent_twice(project: PulumiProject, emulator: Emulator,
                                                 schedule_id: str) -> None:
    declare(project, schedule_id)
    project.up()
    alias = overrides_in_state(project)["xmas"]["id"]
    declare(project, schedule_id, responder={"type": "noone"})
    emulator.add_fault(method="*", path=f"/overrides/{alias}$", action="cut")  # the PUT is applied, its answer lost
    emulator.reset_stats()
    project.up()
    path = f"/v1/schedules/{schedule_id}/overrides/{alias}"
    assert journal(emulator) == [("PUT", path), ("GET", path)]
    assert get_override(emulator, schedule_id, alias)["responder"] == {"type": "noone"}
    project.assert_clean_preview()


def test_a_wrong_cloud_id_names_the_setting_and_loses_no_override(
        project: PulumiProject, emulator: Emulator, schedule_id: str) -> None:
    """With every call answered 404, a destroy must not read "already gone" and forget the
    override, and a create or an edit must say which setting is wrong."""
    declare(project, schedule_id)
    project.up()
    held = listed_overrides(emulator, schedule_id)
    state = overrides_in_state(project)

    project.env["JSMOPS_CLOUD_ID"] = "no-such-site"
    attempts = {
        "a destroy": lambda: project.pulumi("destroy", "--yes", "--skip-preview", check=False),
        "an edit": lambda: (declare(project, schedule_id, end_date=f"{NEXT_YEAR}-12-28T09:00:00+01:00"),
                            project.up(check=False))[1],
        "a create": lambda: (write_stack(project, {}, {"other": {
            "schedule_id": schedule_id, "responder": {"type": "user", "id": BOB},
            "start_date": f"{NEXT_YEAR}-12-30T09:00:00Z", "end_date": f"{NEXT_YEAR}-12-31T09:00:00Z"}}),
            project.up(check=False))[1],
    }
    for what, attempt in attempts.items():
        result = attempt()
        output = result.stdout + result.stderr
        assert result.returncode != 0, what
        assert "no site with the cloud id 'no-such-site'" in output and "jsmops:cloudId" in output, (what, output)
        assert listed_overrides(emulator, schedule_id) == held, what  # nothing changed on the service
        assert overrides_in_state(project) == state, what  # nor forgotten by the state
