"""The HTTP client's failure handling through the real CLI against the emulator (and, for
answers no service should give, a local stub server): each run ends with the service and
the state as asserted, and a failed run names the call that failed."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
import requests

from pulumi_jsmops.api.client import PAGE_SIZE
from testkit.emulator_process import Emulator
from testkit.pulumi_project import PulumiProject
from testkit.schedules import SUPPORT, TEAM
from testkit.stub_server import Answer, Stub, json_answer, page


def hand_made_support(emulator: Emulator) -> dict:
    """A schedule of SUPPORT's name made outside the stack, with other settings."""
    response = requests.post(f"{emulator.api_url}/schedules", auth=emulator.admin_auth, timeout=10,
                             json={"name": SUPPORT["name"], "teamId": TEAM, "description": "made by hand",
                                   "enabled": False})
    response.raise_for_status()
    return response.json()


def assert_untouched(emulator: Emulator, theirs: dict) -> None:
    emulator.wait_until_idle()  # requests the client gave up on end too
    assert [(s["id"], s.get("description"), s["enabled"]) for s in emulator.schedules()] == [
        (theirs["id"], "made by hand", False)]


@pytest.mark.parametrize("fault", [{"action": "status", "status": 503}, {"action": "delay", "delay": 3}],
                         ids=["503", "slower-than-the-timeout"])
def test_a_lost_create_does_not_take_over_a_hand_made_schedule(fault, project: PulumiProject,
                                                                emulator: Emulator) -> None:
    """Issue 11.3: after one POST 503, or a POST slower than the timeout (1 s here)."""
    theirs = hand_made_support(emulator)
    emulator.add_fault(method="POST", count=1, **fault)
    project.write_schedules({"support": SUPPORT})
    result = project.up(check=False)
    assert result.returncode != 0
    assert "POST /v1/schedules: the outcome of this create was unknown" in result.stdout
    assert f"(id {theirs['id']})" in result.stdout and "not taken over" in result.stdout
    assert project.resources() == {}
    assert_untouched(emulator, theirs)
    assert emulator.stats()["by_method"].get("PATCH") is None and emulator.stats()["by_method"].get("DELETE") is None

    project.pulumi("destroy", "--yes")  # nothing of the stack's to destroy: theirs stays
    assert_untouched(emulator, theirs)


def test_a_retry_after_of_an_hour_fails_the_run_at_once(project: PulumiProject, emulator: Emulator) -> None:
    """Issue 11.5: not a sleep of an hour (the run would hit the harness's 300 s limit)."""
    emulator.add_fault(method="POST", action="status", status=429, retry_after=3600, count=1)
    project.write_schedules({"support": SUPPORT})
    result = project.up(check=False)
    assert result.returncode != 0
    assert "POST /v1/schedules failed with 429" in result.stdout
    assert "asked to wait 3600 s" in result.stdout and "jsmops:backoffMax" in result.stdout
    assert emulator.schedules() == [] and project.resources() == {}
    assert emulator.stats()["by_method"]["POST"] == 1  # neither retried nor waited for

    project.up()  # the service takes it now
    assert [s["name"] for s in emulator.schedules()] == [SUPPORT["name"]]
    emulator.add_fault(method="GET", action="status", status=429, retry_after=3600, count=1)
    refreshed = project.pulumi("refresh", "--yes", check=False)
    assert refreshed.returncode != 0 and "GET /v1/schedules/" in refreshed.stdout
    assert "asked to wait 3600 s" in refreshed.stdout
    assert set(project.resources()) == {"support"}


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_base_url_fails_fast_naming_the_create(project: PulumiProject, emulator: Emulator) -> None:
    """Issue 13.7: no 32 s of retries, no blame on `GET /v1/schedules`, a hint to the setting."""
    base_url = f"http://127.0.0.1:{closed_port()}"
    project.write_schedules({"support": SUPPORT})
    result = project.up(check=False, env={"JSMOPS_BASE_URL": base_url, "JSMOPS_MAX_RETRIES": "5",
                                          "JSMOPS_BACKOFF_FACTOR": "0.5"})
    assert result.returncode != 0
    assert f"POST /v1/schedules: cannot connect to the API at {base_url}" in result.stdout
    assert "check jsmops:baseUrl" in result.stdout and "JSMOPS_BASE_URL" in result.stdout
    assert "GET /v1/schedules" not in result.stdout
    assert project.resources() == {} and emulator.stats()["total"] == 0


def test_a_late_patch_never_overwrites_a_newer_change(project: PulumiProject, emulator: Emulator) -> None:
    """Issue 11.6: a PATCH that outlives the timeout is not resent; the run fails saying the
    outcome is unknown; once it has landed, refresh and up make the newer change, and
    nothing older lands after it."""
    project.write_schedules({"support": SUPPORT})
    project.up()
    # The client waits 1 s for an answer and reads back 4 more times, 1 s apart: 8 s outlives that.
    emulator.add_fault(method="PATCH", action="delay", delay=8, count=1)
    project.write_schedules({"support": {**SUPPORT, "description": "older"}})
    result = project.up(check=False)
    assert result.returncode != 0
    assert "PATCH /v1/schedules/" in result.stdout
    assert "no answer from the API (timed out after 1 s, jsmops:timeout)" in result.stdout
    assert "pulumi refresh" in result.stdout

    emulator.wait_until_idle()  # the held PATCH lands
    assert emulator.schedules()[0]["description"] == "older"
    project.pulumi("refresh", "--yes")
    assert project.resources()["support"]["outputs"]["description"] == "older"

    project.write_schedules({"support": {**SUPPORT, "description": "newer"}})
    project.up()
    emulator.wait_until_idle()
    [schedule] = emulator.schedules()
    assert schedule["description"] == "newer"
    assert project.resources()["support"]["outputs"]["description"] == "newer"
    patches = [r for r in emulator.requests() if r["method"] == "PATCH"]
    assert [p["body"].get("description") for p in patches] == ["older", "newer"]  # each sent once
    project.assert_clean_preview()


def test_an_endless_trickle_fails_the_refresh_naming_the_call(project: PulumiProject, emulator: Emulator) -> None:
    """Issue 18.10: a service that answers a byte at a time, forever. Each GET of `refresh`
    ends at the timeout (1 s here), the first and maxRetries (4) more, and the run fails
    naming the call; the state keeps the schedule, and once the service answers whole,
    `refresh` works and the preview is clean."""
    project.write_schedules({"support": SUPPORT})
    project.up()
    [schedule] = emulator.schedules()
    emulator.reset_stats()
    emulator.add_fault(method="GET", action="trickle", delay=0.05, endless=True, count=6)
    result = project.pulumi("refresh", "--yes", check=False)
    assert result.returncode != 0
    assert (f"GET /v1/schedules/{schedule['id']}: no answer from the API (timed out after 1 s, jsmops:timeout)"
            in result.stdout)
    emulator.wait_until_idle()  # every trickle stopped once the client gave up on it
    assert [(r["method"], r["path"]) for r in emulator.requests()] == [("GET", f"/v1/schedules/{schedule['id']}")] * 5
    assert len(emulator.faults()) == 1  # one trickle left unused
    assert set(project.resources()) == {"support"}

    emulator.clear_faults()
    project.pulumi("refresh", "--yes")
    assert project.resources()["support"]["id"] == schedule["id"]
    project.assert_clean_preview()


def test_a_trickled_create_is_taken_once(project: PulumiProject, emulator: Emulator) -> None:
    """Issue 18.10: the answer to a create comes a byte at a time, for longer than the
    timeout: the outcome is unknown, the schedule is looked up and taken, not made twice."""
    emulator.add_fault(method="POST", action="trickle", delay=0.05, count=1)
    project.write_schedules({"support": SUPPORT})
    project.up()
    emulator.wait_until_idle()
    assert [r["method"] for r in emulator.requests()] == ["POST", "GET"]  # the create, its lookup
    [schedule] = emulator.schedules()
    assert project.resources()["support"]["id"] == schedule["id"]
    project.assert_clean_preview()


@pytest.fixture
def stub() -> Iterator[list[Stub]]:
    started: list[Stub] = []
    yield started
    for server in started:
        server.stop()


@pytest.mark.parametrize("post_answer, expected", [
    ((200, {"Content-Type": "text/html"}, b"<html><body>Please wait</body></html>"),
     "the API answered 200 with a body that is not JSON (text/html): '<html><body>Please wait"),
    ((200, {}, b""), "the API answered 200 with a body that is not JSON (no content type) (empty)"),
    (json_answer(201, {"name": SUPPORT["name"]}), "the API answered 201 without an id"),
], ids=["html", "empty", "no-id"])
def test_an_unusable_create_answer_is_reported_under_the_post(post_answer, expected, project: PulumiProject,
                                                              stub: list[Stub]) -> None:
    """Issue 11.9: a 2xx the client cannot use (a proxy's page, nothing, no id) and no
    schedule made: the error names the POST, not the lookups that followed it, in words
    (no "Expecting value", no pydantic dump); nothing is in the state."""

    def answer(method: str, path: str, query: dict[str, list[str]]) -> Answer:
        if method == "POST":
            return post_answer
        assert int(query["size"][0]) == PAGE_SIZE
        return page(None)  # the lookup finds nothing: no schedule was made

    server = Stub(answer)
    stub.append(server)
    project.write_schedules({"support": SUPPORT})
    result = project.up(check=False, env={"JSMOPS_BASE_URL": server.base_url, "JSMOPS_CLOUD_ID": "local"})
    assert result.returncode != 0
    assert f"POST /v1/schedules: {expected}" in result.stdout
    assert "Expecting value" not in result.stdout and "validation error" not in result.stdout
    assert "GET /v1/schedules:" not in result.stdout
    assert project.resources() == {}
    methods = [method for method, _ in server.requests]
    assert methods == ["POST", "GET"] * 5  # the first and maxRetries (4) more, each after a lookup found nothing


def test_a_looping_next_link_fails_the_run_instead_of_looping(project: PulumiProject, stub: list[Stub]) -> None:
    """Issue 11.5: the lookup after a lost create meets a `links.next` that points to its
    own page: the run fails at once, under the POST, naming the loop."""

    def answer(method: str, path: str, query: dict[str, list[str]]) -> Answer:
        if method == "POST":
            return 503, {"Content-Type": "application/json"}, b'{"errors": [{"title": "try later", "code": "503"}]}'
        return page("/v1/schedules?offset=0&size=50", "someone else's")  # always the same page

    server = Stub(answer)
    stub.append(server)
    project.write_schedules({"support": SUPPORT})
    result = project.up(check=False, env={"JSMOPS_BASE_URL": server.base_url, "JSMOPS_CLOUD_ID": "local"})
    assert result.returncode != 0
    assert ("POST /v1/schedules: failed with 503 (service error): try later; looking up its outcome failed too: "
            "GET /v1/schedules: the pagination links back to a page already read") in result.stdout
    assert project.resources() == {}
    assert server.requests.count(("POST", "/jsm/ops/api/local/v1/schedules")) == 1
    assert len(server.requests) == 3  # the POST, the first page, the page it links to; then no more


def test_the_jsmops_commands_show_one_error_line_for_an_unreachable_service(project: PulumiProject) -> None:
    """urllib3's warning at each retry stays out of the commands' output: the final error
    names the call and the setting."""
    project.env["JSMOPS_BASE_URL"] = f"http://127.0.0.1:{closed_port()}"
    result = project.jsmops("import", "--stack", "test", "--all", check=False)
    assert result.returncode == 1
    assert "cannot connect to the API" in result.stderr and "check jsmops:baseUrl" in result.stderr
    assert "Retrying" not in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
