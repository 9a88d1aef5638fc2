"""The API client against the emulator over HTTP: calls, pagination, retries, errors."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

import pytest

from pulumi_jsmops.api.client import Client
from pulumi_jsmops.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ServerError,
    TransportError,
    UnprocessableError,
)
from testkit.emulator_process import Emulator
from testkit.schedules import TEAM


def body(name: str = "Support", **extra) -> dict:
    return {"name": name, "teamId": TEAM, **extra}


def identical(sent: dict):
    """The caller's test that a schedule found is the one it sent (here: same top-level fields)."""
    return lambda found: all(found.get(key) == value for key, value in sent.items() if key != "rotations")


def create(client: Client, sent: dict) -> dict:
    return client.create_schedule(sent, is_own=identical(sent))


def test_create_get_update_list_delete(client: Client, emulator: Emulator) -> None:
    created = create(client, body(rotations=[
        {"name": "r", "type": "daily", "startDate": "2026-01-05T09:00:00+01:00", "participants": []}]))
    assert created["id"] and created["rotations"][0]["id"]
    assert client.get_schedule(created["id"]) == created
    change = {"description": "changed"}
    updated = client.update_schedule(created["id"], change, is_applied=identical(change))
    assert updated["description"] == "changed" and updated["rotations"] == created["rotations"]
    assert [s["id"] for s in client.list_schedules()] == [created["id"]]
    assert client.find_schedule_by_name("Support")["id"] == created["id"]
    assert client.find_schedule_by_name("Supp") is None  # exact names only
    assert client.delete_schedule(created["id"]) is True
    assert client.delete_schedule(created["id"]) is False  # already gone (one GET shows the site is there)
    assert emulator.stats()["by_method"] == {"POST": 1, "GET": 5, "PATCH": 1, "DELETE": 2}


@pytest.mark.parametrize("flags", [(), ("--full-next-links",)], ids=["path-links", "full-url-links"])
def test_list_follows_every_page(flags, emulator_factory, client_for) -> None:
    emulator = emulator_factory(*flags)
    client = client_for(emulator)
    with ThreadPoolExecutor(8) as pool:
        ids = set(pool.map(lambda i: create(client, body(f"schedule {i:03}"))["id"], range(120)))
    listed = [s["id"] for s in client.list_schedules()]
    assert len(listed) == 120 and set(listed) == ids
    pages = emulator.stats()["by_method"]["GET"]
    assert pages == 3  # 50 a page, the most the service allows


def test_the_query_is_sent_as_given(client: Client) -> None:
    for name in ("schedule 1", "schedule 10", "Schedule 11", "other*", "A + B & C/D?"):
        create(client, body(name))
    prefixed = {s["name"] for s in client.list_schedules(query="SCHEDULE 1*")}
    assert prefixed == {"schedule 1", "schedule 10", "Schedule 11"}
    assert [s["name"] for s in client.list_schedules(query="SCHEDULE 1")] == ["schedule 1"]  # exact, any case
    assert client.find_schedule_by_name("other*")["name"] == "other*"  # a name may end in *
    assert client.find_schedule_by_name("schedule 1*") is None
    assert client.find_schedule_by_name("A + B & C/D?")["name"] == "A + B & C/D?"  # quoted as it should be


def test_a_429_storm_ends_in_success(client_for, emulator: Emulator) -> None:
    client = client_for(emulator, max_retries=10)
    emulator.add_fault(method="*", action="status", status=429, retry_after=0, count=8)
    created = create(client, body())
    assert client.get_schedule(created["id"])["name"] == "Support"
    stats = emulator.stats()
    assert stats["by_status"]["429"] == 8
    assert stats["by_method_status"]["POST"] == {"429": 8, "201": 1}
    assert len(emulator.schedules()) == 1


def test_rate_limited_service_serves_every_call(emulator_factory, client_for) -> None:
    emulator = emulator_factory("--rate-limit", "5")
    client = client_for(emulator, max_retries=20)
    for i in range(12):
        create(client, body(f"s{i}"))
    assert len(list(client.list_schedules())) == 12
    stats = emulator.stats()
    assert stats["by_status"].get("429", 0) > 0  # the limit was hit...
    assert stats["by_status"]["201"] == 12  # ...and every create went through once


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_idempotent_calls_retry_injected_503s(method, client: Client, emulator: Emulator) -> None:
    schedule_id = create(client, body())["id"]
    emulator.add_fault(method=method, action="status", status=503, count=3)
    {"GET": lambda: client.get_schedule(schedule_id),
     "PATCH": lambda: client.update_schedule(schedule_id, {"enabled": False}, is_applied=identical({"enabled": False})),
     "DELETE": lambda: client.delete_schedule(schedule_id)}[method]()
    assert emulator.stats()["by_method_status"][method]["503"] == 3
    assert emulator.stats()["by_method_status"][method].get("500") is None


def test_a_create_answered_503_is_looked_up_then_retried_once(client: Client, emulator: Emulator) -> None:
    emulator.add_fault(method="POST", action="status", status=503, count=1)
    create(client, body())
    assert emulator.stats()["by_method_status"]["POST"] == {"503": 1, "201": 1}
    assert [s["name"] for s in emulator.schedules()] == ["Support"]


def test_a_create_cut_off_after_commit_leaves_exactly_one_schedule(client: Client, emulator: Emulator) -> None:
    emulator.add_fault(method="POST", action="cut", count=1)
    created = create(client, body())
    assert emulator.stats()["by_method"]["POST"] == 1  # not replayed: found by its name
    assert [s["id"] for s in emulator.schedules()] == [created["id"]]


def test_a_create_that_times_out_is_not_made_twice(client_for, emulator: Emulator) -> None:
    client = client_for(emulator, timeout=0.5)
    emulator.add_fault(method="POST", action="delay", delay=2, count=1)
    created = create(client, body())
    emulator.wait_until_idle()  # the held create is served meanwhile: 409, the name is taken
    assert [s["id"] for s in emulator.schedules()] == [created["id"]]
    assert emulator.stats()["by_method_status"]["POST"] == {"201": 1, "409": 1}


def test_errors_are_typed_and_carry_the_service_titles(client: Client, client_for, emulator: Emulator) -> None:
    create(client, body())
    with pytest.raises(ConflictError) as conflict:
        create(client, body())
    assert conflict.value.status == 409 and conflict.value.titles
    assert "POST /v1/schedules failed with 409" in str(conflict.value)

    with pytest.raises(NotFoundError):
        client.get_schedule("no-such-id")
    with pytest.raises(UnprocessableError) as impossible:
        create(client, body("other", rotations=[{"name": "r", "type": "monthly", "startDate": "2026-01-05T09:00:00Z"}]))
    assert any("type" in title for title in impossible.value.titles)

    wrong_token = client_for(emulator, api_token="not-the-token")
    with pytest.raises(AuthenticationError) as denied:
        wrong_token.get_schedule("x")
    assert "jsmops:apiToken" in str(denied.value) and "not-the-token" not in str(denied.value)

    viewer = client_for(emulator, email=emulator.viewer_auth[0], api_token=emulator.viewer_auth[1])
    assert len(list(viewer.list_schedules())) == 1  # may read
    with pytest.raises(PermissionDeniedError):
        create(viewer, body("viewer's"))


def test_persistent_5xx_and_no_service_give_clear_errors(client_for, emulator: Emulator, emulator_factory) -> None:
    client = client_for(emulator, max_retries=2)
    emulator.add_fault(method="GET", action="status", status=503, count=10)
    with pytest.raises(ServerError) as failed:
        client.get_schedule("x")
    assert "GET /v1/schedules/x failed with 503" in str(failed.value)

    gone = emulator_factory()
    unreachable = client_for(gone, max_retries=1)
    gone.stop()
    with pytest.raises(TransportError) as no_answer:
        unreachable.get_schedule("x")
    assert str(no_answer.value).startswith("GET /v1/schedules/x: cannot connect to the API at http://127.0.0.1:")
    assert "check jsmops:baseUrl (or the environment variable JSMOPS_BASE_URL)" in str(no_answer.value)
    assert not no_answer.value.sent

    # A named site's errors name its own settings, which have no environment variable.
    on_site = client_for(gone, max_retries=0, site="eu")
    with pytest.raises(TransportError) as no_site:
        on_site.get_schedule("x")
    assert str(no_site.value).endswith("; check jsmops:sites.eu.baseUrl")


def test_the_token_is_never_logged(client_for, emulator: Emulator, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    client = client_for(emulator, max_retries=3)
    emulator.add_fault(method="*", action="status", status=503, count=2)
    emulator.add_fault(method="POST", action="cut", count=1)
    create(client, body())
    with pytest.raises(NotFoundError):
        client.get_schedule("missing")
    assert caplog.records  # something was logged
    assert emulator.admin_auth[1] not in caplog.text
