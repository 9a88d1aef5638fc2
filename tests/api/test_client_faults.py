"""The client under faults: bounded waits, no pagination loops, no takeover of what it did
not make, no blind replay of a change, and every error under the call that failed.

Faults the emulator can inject are injected there (over HTTP, `/_emulator/faults`); answers
no service should give (HTML, no id, looping links) come from a tiny local HTTP server.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from pulumi_jsmops.api import client as client_module
from pulumi_jsmops.api.client import Client
from pulumi_jsmops.api.config import Settings
from pulumi_jsmops.errors import (
    CallError,
    ConfigurationError,
    ConflictError,
    InvalidResponseError,
    NotFoundError,
    RateLimitedError,
    TransportError,
    UnknownOutcomeError,
)
from testkit.emulator_process import Emulator
from testkit.schedules import TEAM
from testkit.stub_server import ROOT, Answer, Responder, Stub, json_answer, page


def body(name: str = "Support", **extra: Any) -> dict[str, Any]:
    return {"name": name, "teamId": TEAM, **extra}


def identical(sent: dict[str, Any]) -> Callable[[dict[str, Any]], bool]:
    return lambda found: all(found.get(key) == value for key, value in sent.items() if key != "rotations")


@pytest.fixture
def stub_client() -> Iterator[Callable[..., tuple[Stub, Client]]]:
    """`stub_client(answer, trickle=0, **settings)`: a stub server and a client of it."""
    made: list[tuple[Stub, Client]] = []

    def make(answer: Responder, trickle: float = 0, **overrides: Any) -> tuple[Stub, Client]:
        stub = Stub(answer, trickle)
        values: dict[str, Any] = {"base_url": stub.base_url, "cloud_id": "local", "email": "e@example.com",
                                  "api_token": "stub-token", "backoff_factor": 0.01, "timeout": 5, "max_retries": 2}
        made.append((stub, Client(Settings(**{**values, **overrides}))))
        return made[-1]

    yield make
    for stub, client in made:
        client.close()
        stub.stop()


# --- bounded waits ------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_retry_after_past_the_cap_fails_at_once_naming_the_wait(method, client_for, emulator: Emulator) -> None:
    client = client_for(emulator, backoff_max=5)
    emulator.add_fault(method=method, action="status", status=429, retry_after=3600, count=1)
    with pytest.raises(RateLimitedError) as limited:
        if method == "GET":
            client.get_schedule("some-id")
        else:
            client.create_schedule(body(), is_own=identical(body()))
    message = str(limited.value)
    assert message.startswith(f"{method} /v1/schedules")
    assert "asked to wait 3600 s" in message and "jsmops:backoffMax (5 s)" in message
    assert emulator.stats()["total"] == 1  # not retried, not waited for
    assert emulator.schedules() == []


def test_a_retry_after_within_the_cap_is_waited_for(client_for, emulator: Emulator) -> None:
    client = client_for(emulator, backoff_max=5)
    emulator.add_fault(method="POST", action="status", status=429, retry_after=1, count=1)
    created = client.create_schedule(body(), is_own=identical(body()))
    assert emulator.stats()["by_method_status"]["POST"] == {"429": 1, "201": 1}
    assert [s["id"] for s in emulator.schedules()] == [created["id"]]


def test_an_unreachable_service_fails_fast_naming_the_create(emulator_factory, client_for, caplog) -> None:
    gone = emulator_factory()
    client = client_for(gone, max_retries=5)
    gone.stop()
    caplog.set_level(logging.WARNING, logger="urllib3")
    with pytest.raises(TransportError) as failed:
        client.create_schedule(body(), is_own=identical(body()))
    message = str(failed.value)
    assert message.startswith(f"POST /v1/schedules: cannot connect to the API at {gone.base_url}")
    assert "Connection refused" in message and "jsmops:baseUrl" in message and "JSMOPS_BASE_URL" in message
    assert "GET" not in message  # no lookup: the service never saw the create
    retries = [r for r in caplog.records if r.getMessage().startswith("Retrying")]
    assert len(retries) == 2  # a couple of quick retries, not maxRetries


def test_a_read_timeout_of_a_get_is_retried(client_for, emulator: Emulator) -> None:
    client = client_for(emulator, timeout=0.5)
    schedule_id = client.create_schedule(body(), is_own=identical(body()))["id"]
    emulator.add_fault(method="GET", action="delay", delay=1.5, count=1)
    assert client.get_schedule(schedule_id)["name"] == "Support"
    emulator.wait_until_idle()
    assert emulator.stats()["by_method"]["GET"] == 2


# --- answers that come a byte at a time (issue 18.10) ---------------------------------------
# A trickle keeps every read short, so only a bound on the whole call ends it. Each trickle
# below would take several seconds in full (0.02 s per byte), against a timeout of 1 s.


def test_a_trickled_get_times_out_and_is_retried(client_for, emulator: Emulator) -> None:
    client = client_for(emulator, timeout=1)
    schedule_id = client.create_schedule(body(), is_own=identical(body()))["id"]
    emulator.add_fault(method="GET", action="trickle", delay=0.02, count=1)
    assert client.get_schedule(schedule_id)["id"] == schedule_id
    emulator.wait_until_idle()
    assert [(r["method"], r["status"]) for r in emulator.requests()[1:]] == [("GET", 200), ("GET", 200)]


def test_an_endless_trickle_ends_with_a_timeout_naming_the_call(client_for, emulator: Emulator) -> None:
    client = client_for(emulator, timeout=1, max_retries=2)
    schedule_id = client.create_schedule(body(), is_own=identical(body()))["id"]
    emulator.add_fault(method="GET", action="trickle", delay=0.02, endless=True, count=5)
    with pytest.raises(TransportError) as failed:
        client.get_schedule(schedule_id)
    assert str(failed.value) == (
        f"GET /v1/schedules/{schedule_id}: no answer from the API (timed out after 1 s, jsmops:timeout)")
    emulator.wait_until_idle()  # each trickle stopped when the client gave up on it
    assert emulator.stats()["by_method"]["GET"] == 3  # the first try and maxRetries more


def test_a_trickled_status_line_and_headers_time_out_too(stub_client) -> None:
    stub, client = stub_client(lambda *_: json_answer(200, {"id": "s1", "name": "Support"}), trickle=0.02,
                               timeout=1, max_retries=1)
    with pytest.raises(TransportError, match=r"^GET /v1/schedules/s1: no answer from the API \(timed out after 1 s"):
        client.get_schedule("s1")
    assert [method for method, _ in stub.requests] == ["GET", "GET"]


def test_a_trickled_create_is_looked_up_not_sent_again(client_for, emulator: Emulator) -> None:
    client = client_for(emulator, timeout=1)
    emulator.add_fault(method="POST", action="trickle", delay=0.02, count=1)
    created = client.create_schedule(body(), is_own=identical(body()))
    emulator.wait_until_idle()
    assert [r["method"] for r in emulator.requests()] == ["POST", "GET"]  # the create, its lookup
    assert [s["id"] for s in emulator.schedules()] == [created["id"]]


def test_a_trickled_patch_is_read_back_not_sent_again(client_for, emulator: Emulator) -> None:
    client = client_for(emulator, timeout=1)
    schedule_id = made(client)
    emulator.reset_stats()
    emulator.add_fault(method="PATCH", action="trickle", delay=0.02, count=1)
    change = {"description": "trickled"}
    assert client.update_schedule(schedule_id, change, is_applied=identical(change))["description"] == "trickled"
    emulator.wait_until_idle()
    assert [r["method"] for r in emulator.requests()] == ["PATCH", "GET"]  # the change, its read-back


# --- pagination ---------------------------------------------------------------------------


@pytest.mark.parametrize("links", [
    {"/v1/schedules": "/v1/schedules?size=50&expand=rotation"},  # the first page points to itself
    {"/v1/schedules": "/v1/schedules?offset=1", "offset=1": f"{ROOT}/v1/schedules?offset=2",
     "offset=2": "/v1/schedules?offset=1"},  # a cycle, one link with the root path in it
], ids=["self", "cycle"])
def test_a_looping_next_link_fails_instead_of_looping(links, stub_client) -> None:
    def answer(method: str, path: str, query: dict[str, list[str]]) -> Answer:
        key = f"offset={query['offset'][0]}" if "offset" in query else path
        return page(links[key], f"s-{key}")

    stub, client = stub_client(answer)
    with pytest.raises(InvalidResponseError) as looped:
        list(client.list_schedules())
    assert str(looped.value).startswith("GET /v1/schedules: the pagination links back to a page already read")
    assert len(stub.requests) == len(links)


def test_pages_beyond_the_cap_fail(stub_client, monkeypatch) -> None:
    monkeypatch.setattr(client_module, "MAX_PAGES", 7)

    def endless(method: str, path: str, query: dict[str, list[str]]) -> Answer:
        offset = int(query.get("offset", ["0"])[0])
        return page(f"/v1/schedules?offset={offset + 1}", f"s{offset}")

    stub, client = stub_client(endless)
    with pytest.raises(InvalidResponseError, match="GET /v1/schedules: the pagination goes past 7 pages"):
        list(client.list_schedules())
    assert len(stub.requests) == 7


def test_a_next_link_to_another_site_is_not_followed(stub_client) -> None:
    stub, client = stub_client(lambda *_: page("http://elsewhere.example/v1/schedules?offset=1", "a"))
    with pytest.raises(InvalidResponseError, match=r"GET /v1/schedules: .*another site \(elsewhere.example\)"):
        list(client.list_schedules())
    assert len(stub.requests) == 1


def test_the_page_size_is_the_most_the_service_allows(stub_client) -> None:
    stub, client = stub_client(lambda *_: page(None))
    list(client.list_schedules("Support*"))
    client.list_rotations("s1")
    client.list_overrides("s1")
    queries = [parse_qs(urlsplit(target).query) for _, target in stub.requests]
    schedules = {"size": ["50"], "query": ["Support*"], "expand": ["rotation"]}
    assert queries == [schedules, {"size": ["50"]}, {"size": ["50"]}]


# --- answers that cannot be used ----------------------------------------------------------


@pytest.mark.parametrize("answer, expected", [
    ((200, {"Content-Type": "text/html"}, b"<html><body>Service maintenance</body></html>"),
     "GET /v1/schedules/s1: the API answered 200 with a body that is not JSON (text/html): '<html><body>Service"),
    ((200, {}, b""), "GET /v1/schedules/s1: the API answered 200 with a body that is not JSON (no content type) (em"),
    (json_answer(200, {"name": "no id"}), "GET /v1/schedules/s1: the API answered 200 without an id"),
    (json_answer(200, ["not", "an", "object"]), "GET /v1/schedules/s1: the API answered 200 with a JSON list"),
    ((302, {"Location": "http://elsewhere.example/"}, b""), "GET /v1/schedules/s1: the API answered 302 (a redirect)"),
], ids=["html", "empty", "no-id", "list", "redirect"])
def test_unusable_answers_are_named_by_the_call(answer, expected, stub_client) -> None:
    _, client = stub_client(lambda *_: answer)
    with pytest.raises(InvalidResponseError) as failed:
        client.get_schedule("s1")
    assert str(failed.value).startswith(expected)


def test_a_failed_create_is_reported_under_the_post(stub_client) -> None:
    def answer(method: str, path: str, query: dict[str, list[str]]) -> Answer:
        if method == "POST":
            return json_answer(201, {"name": "Support"})  # no id: the outcome is unknown
        return 500, {"Content-Type": "text/html"}, b"<html>oops</html>"

    stub, client = stub_client(answer)
    with pytest.raises(CallError) as failed:
        client.create_schedule(body(), is_own=identical(body()))
    message = str(failed.value)
    assert message.startswith("POST /v1/schedules: the API answered 201 without an id; looking up its outcome failed")
    assert "GET /v1/schedules failed with 500" in message
    assert [m for m, _ in stub.requests] == ["POST", "GET"]  # the POST not resent


def test_a_create_without_an_id_that_made_nothing_is_sent_again_then_fails(stub_client) -> None:
    def answer(method: str, path: str, query: dict[str, list[str]]) -> Answer:
        return json_answer(201, {"name": "Support"}) if method == "POST" else page(None)

    stub, client = stub_client(answer, max_retries=2)
    with pytest.raises(InvalidResponseError, match="^POST /v1/schedules: the API answered 201 without an id"):
        client.create_schedule(body(), is_own=identical(body()))
    assert [m for m, _ in stub.requests] == ["POST", "GET"] * 3


def test_error_messages_never_carry_the_token(stub_client) -> None:
    _, client = stub_client(lambda *_: (401, {"Content-Type": "application/json"},
                                        json.dumps({"code": 401, "message": "Unauthorized"}).encode()))
    with pytest.raises(CallError) as denied:
        client.get_schedule("s1")
    assert "GET /v1/schedules/s1 failed with 401" in str(denied.value) and "Unauthorized" in str(denied.value)
    assert "stub-token" not in str(denied.value)


# --- creates whose outcome is unknown -----------------------------------------------------


def hand_made(emulator: Emulator) -> dict[str, Any]:
    response = requests.post(f"{emulator.api_url}/schedules", auth=emulator.admin_auth, timeout=10,
                             json=body(description="made by hand", enabled=False))
    response.raise_for_status()
    return response.json()


@pytest.mark.parametrize("fault", [
    {"action": "status", "status": 503},
    {"action": "delay", "delay": 2},
    {"action": "status", "status": 504},
], ids=["503", "slower-than-the-timeout", "504"])
def test_a_lost_create_never_takes_over_another_schedule(fault, client_for, emulator: Emulator) -> None:
    theirs = hand_made(emulator)
    client = client_for(emulator, timeout=0.5)
    emulator.add_fault(method="POST", count=1, **fault)
    ours = body(description="made by the stack")
    with pytest.raises(CallError) as refused:
        client.create_schedule(ours, is_own=identical(ours))
    message = str(refused.value)
    assert message.startswith("POST /v1/schedules: the outcome of this create was unknown")
    assert f"(id {theirs['id']})" in message and "not taken over" in message and "jsmops import" in message
    emulator.wait_until_idle()  # a held create is answered 409 by the service meanwhile
    assert [(s["id"], s["description"], s["enabled"]) for s in emulator.schedules()] == [
        (theirs["id"], "made by hand", False)]


def test_a_409_to_the_retry_of_a_lost_create_is_resolved_by_the_lookup(client_for, emulator: Emulator) -> None:
    client = client_for(emulator, timeout=3)
    # The first POST is held past the timeout (served at 4 s); the retry, sent at about 3 s,
    # is held 2 s, so it is served after the first (1 s margins both ways).
    emulator.add_fault(method="POST", action="delay", delay=4, count=1)
    emulator.add_fault(method="POST", action="delay", delay=2, count=1)
    created = client.create_schedule(body(), is_own=identical(body()))
    emulator.wait_until_idle()
    assert emulator.stats()["by_method_status"]["POST"] == {"201": 1, "409": 1}
    assert [s["id"] for s in emulator.schedules()] == [created["id"]]


def test_a_409_to_a_first_create_is_a_conflict(client_for, emulator: Emulator) -> None:
    hand_made(emulator)
    with pytest.raises(ConflictError):
        client_for(emulator).create_schedule(body(), is_own=lambda found: True)  # never asked: no lost answer
    assert emulator.stats()["by_method"] == {"POST": 2}  # the hand-made one, then ours; no lookup


def test_a_lookup_that_fails_is_reported_under_the_create(client_for, emulator: Emulator) -> None:
    client = client_for(emulator, max_retries=1)
    emulator.add_fault(method="POST", action="status", status=503, count=1)
    emulator.add_fault(method="GET", action="status", status=500, count=5)
    with pytest.raises(CallError) as failed:
        client.create_schedule(body(), is_own=identical(body()))
    message = str(failed.value)
    assert message.startswith("POST /v1/schedules: failed with 503 (service error)")
    assert "looking up its outcome failed too: GET /v1/schedules failed with 500" in message


# --- updates whose outcome is unknown -----------------------------------------------------


def made(client: Client) -> str:
    return client.create_schedule(body(), is_own=identical(body()))["id"]


def test_a_patch_cut_after_it_was_applied_is_read_back_not_resent(client_for, emulator: Emulator) -> None:
    client = client_for(emulator)
    schedule_id = made(client)
    emulator.add_fault(method="PATCH", action="cut", count=1)
    change = {"description": "after a cut"}
    assert client.update_schedule(schedule_id, change, is_applied=identical(change))["description"] == "after a cut"
    assert emulator.stats()["by_method"]["PATCH"] == 1


def test_a_patch_slower_than_the_timeout_is_never_resent(client_for, emulator: Emulator) -> None:
    """Issue 11.6: the held PATCH may land after a newer change; so it is not resent, and
    the call fails saying the outcome is unknown rather than claiming either outcome."""
    client = client_for(emulator, timeout=0.5, max_retries=1)
    schedule_id = made(client)
    emulator.add_fault(method="PATCH", action="delay", delay=4, count=1)
    change = {"description": "older"}
    with pytest.raises(UnknownOutcomeError) as unknown:
        client.update_schedule(schedule_id, change, is_applied=identical(change))
    message = str(unknown.value)
    assert message.startswith(
        f"PATCH /v1/schedules/{schedule_id}: no answer from the API (timed out after 0.5 s, jsmops:timeout)")
    assert "pulumi refresh" in message
    emulator.wait_until_idle()
    assert emulator.stats()["by_method"]["PATCH"] == 1  # the held one only
    assert emulator.schedules()[0]["description"] == "older"  # it landed late, as the error warned

    newer = {"description": "newer"}
    client.update_schedule(schedule_id, newer, is_applied=identical(newer))
    emulator.wait_until_idle()
    assert emulator.schedules()[0]["description"] == "newer"  # nothing older lands after it
    assert emulator.stats()["by_method"]["PATCH"] == 2


def test_a_patch_that_lands_while_it_is_read_back_succeeds(client_for, emulator: Emulator) -> None:
    client = client_for(emulator, timeout=0.5, max_retries=6)
    schedule_id = made(client)
    emulator.add_fault(method="PATCH", action="delay", delay=1.5, count=1)
    change = {"description": "late but applied"}
    updated = client.update_schedule(schedule_id, change, is_applied=identical(change))
    assert updated["description"] == change["description"]
    emulator.wait_until_idle()
    assert emulator.stats()["by_method"]["PATCH"] == 1


@pytest.mark.parametrize("status", [502, 504])
def test_a_patch_answered_by_a_failing_gateway_is_not_resent(status, client_for, emulator: Emulator) -> None:
    client = client_for(emulator, timeout=0.2, max_retries=1)
    schedule_id = made(client)
    emulator.add_fault(method="PATCH", action="status", status=status, count=1)
    change = {"enabled": False}
    with pytest.raises(UnknownOutcomeError, match=f"^PATCH /v1/schedules/{schedule_id}: failed with {status}"):
        client.update_schedule(schedule_id, change, is_applied=identical(change))
    assert emulator.stats()["by_method"]["PATCH"] == 1


# --- rotations: the same rules, by rotation name within the schedule ----------------------

ROTATION = {"name": "weekdays", "type": "weekly", "length": 1, "startDate": "2026-01-05T09:00:00Z",
            "participants": [{"type": "user", "id": "5b10ac8d82e05b22cc7d4ef5"}]}


def test_a_lost_rotation_create_is_recognised_only_when_identical(client_for, emulator: Emulator) -> None:
    client = client_for(emulator)
    schedule_id = made(client)
    emulator.add_fault(method="POST", path="/rotations$", action="cut", count=1)
    ours = client.create_rotation(schedule_id, ROTATION, is_own=identical(ROTATION))
    assert [r["id"] for r in client.list_rotations(schedule_id)] == [ours["id"]]
    assert emulator.stats()["by_method"]["POST"] == 2  # the schedule, the rotation: not resent

    other = {**ROTATION, "name": "weekends", "length": 2}
    theirs = client.create_rotation(schedule_id, {**other, "length": 3}, is_own=lambda found: True)
    emulator.add_fault(method="POST", path="/rotations$", action="status", status=503, count=1)
    with pytest.raises(CallError) as refused:
        client.create_rotation(schedule_id, other, is_own=identical(other))
    message = str(refused.value)
    assert message.startswith(f"POST /v1/schedules/{schedule_id}/rotations: the outcome of this create was unknown")
    assert f"a rotation of that name exists (id {theirs['id']})" in message
    assert {r["name"]: r["length"] for r in client.list_rotations(schedule_id)} == {"weekdays": 1, "weekends": 3}


def test_a_rotation_patch_without_an_answer_is_read_back(client_for, emulator: Emulator) -> None:
    client = client_for(emulator, timeout=0.5, max_retries=1)
    schedule_id = made(client)
    rotation = client.create_rotation(schedule_id, ROTATION, is_own=identical(ROTATION))
    emulator.add_fault(method="PATCH", action="cut", count=1)
    change = {"length": 2}
    updated = client.update_rotation(schedule_id, rotation["id"], change, is_applied=identical(change))
    assert (updated["id"], updated["length"]) == (rotation["id"], 2)

    emulator.add_fault(method="PATCH", action="delay", delay=3, count=1)
    with pytest.raises(UnknownOutcomeError, match=f"^PATCH /v1/schedules/{schedule_id}/rotations/{rotation['id']}: "):
        client.update_rotation(schedule_id, rotation["id"], {"length": 3}, is_applied=identical({"length": 3}))
    emulator.wait_until_idle()
    assert emulator.stats()["by_method"]["PATCH"] == 2  # each sent once


def test_next_links_without_the_filter_get_it_back(stub_client) -> None:
    # The spec does not promise that `next` keeps `query` and `expand`: the client re-applies them.
    def answer(method: str, path: str, query: dict[str, list[str]]) -> Answer:
        return page("/v1/schedules?offset=50&size=50" if "offset" not in query else None, "a")

    stub, client = stub_client(answer)
    assert [s["name"] for s in client.list_schedules(query="Ops*")] == ["a", "a"]
    second = parse_qs(urlsplit(stub.requests[1][1]).query)
    assert second == {"offset": ["50"], "size": ["50"], "query": ["Ops*"], "expand": ["rotation"]}


def test_a_schedule_404_from_an_unknown_site_is_a_configuration_error(client_for, emulator: Emulator) -> None:
    # A wrong cloud id must not read as "deleted outside Pulumi" (refresh would drop it).
    client = client_for(emulator, cloud_id="no-such-site")
    with pytest.raises(ConfigurationError, match="no site with the cloud id 'no-such-site'.*jsmops:cloudId"):
        client.get_schedule("anything")
    with pytest.raises(ConfigurationError, match="jsmops:cloudId"):
        client.delete_schedule("anything")
    assert client_for(emulator).delete_schedule("gone-already") is False  # the right site: already gone


def test_a_change_answered_404_by_an_unknown_site_is_a_configuration_error(client_for, emulator: Emulator) -> None:
    # Not "the schedule was deleted outside Pulumi", nor a bare 404 of a create.
    client = client_for(emulator, cloud_id="no-such-site")
    calls = {
        "create_schedule": lambda: client.create_schedule({"name": "New"}, is_own=lambda found: False),
        "update_schedule": lambda: client.update_schedule("anything", {"description": "x"},
                                                          is_applied=lambda found: False),
        "create_rotation": lambda: client.create_rotation("anything", {"name": "r"}, is_own=lambda found: False),
        "delete_rotation": lambda: client.delete_rotation("anything", "r"),
    }
    for name, call in calls.items():
        with pytest.raises(ConfigurationError, match="no site with the cloud id 'no-such-site'.*jsmops:cloudId"):
            call()
            pytest.fail(f"{name}: no error")
    right_site = client_for(emulator)
    assert right_site.delete_rotation("gone-already", "r") is False  # the right site: already gone
    with pytest.raises(NotFoundError):
        right_site.update_schedule("gone-already", {"description": "x"}, is_applied=lambda found: False)
