"""Latency, in-flight statistics and the request journal (test controls over HTTP)."""

from __future__ import annotations

import concurrent.futures
import time

import pytest
import requests
from emulator_helpers import Api

from testkit.emulator_process import contract_session


def wait_for(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        time.sleep(0.02)


def test_latency_flag_sets_the_start_up_latency_that_reset_restores(emulator_factory):
    emulator = emulator_factory("--latency", "5", "--latency-jitter", "2")

    assert emulator.latency() == {"ms": 5, "jitter_ms": 2}
    emulator.set_latency(200)
    assert emulator.latency() == {"ms": 200, "jitter_ms": 0}
    emulator.reset()
    assert emulator.latency() == {"ms": 5, "jitter_ms": 2}


def test_latency_holds_api_requests_but_not_the_controls(emulator_factory):
    emulator = emulator_factory()
    api = Api(emulator, emulator.admin_auth)
    # Long enough to outlast the test; the emulator cancels the held request when it stops.
    emulator.set_latency(60_000)

    with pytest.raises(requests.Timeout):
        api.request("GET", timeout=0.5)

    assert emulator.stats()["in_flight"] == 1  # the controls answer meanwhile
    held = {"method": "GET", "path": "/v1/schedules", "query": {}, "body": None, "status": None}
    assert emulator.requests() == [held]


def test_delayed_requests_overlap(emulator_factory):
    emulator = emulator_factory("--latency", "4000")  # ample time for all eight to start
    url = f"{emulator.api_url}/schedules"

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = [pool.submit(contract_session().get, url, auth=emulator.admin_auth, timeout=60) for _ in range(8)]
        # All eight are held at once: the latency blocks no other request.
        wait_for(lambda: emulator.stats()["in_flight"] == 8)
        statuses = [answer.result().status_code for answer in answers]

    assert statuses == [200] * 8
    stats = emulator.stats()
    assert stats["in_flight"] == 0 and stats["in_flight_max"] == 8
    assert 1 < stats["in_flight_mean"] <= 8


@pytest.mark.parametrize("spec", [{"ms": -1}, {"ms": "fast"}, {"jitter_ms": -5}, {"ms": 1, "colour": "red"}], ids=str)
def test_bad_latency_is_400_and_changes_nothing(emulator, spec):
    response = emulator.http.put(f"{emulator.base_url}/_emulator/latency", json=spec, timeout=10)

    assert response.status_code == 400
    assert emulator.latency() == {"ms": 0, "jitter_ms": 0}


def test_in_flight_statistics_restart_with_the_stats(emulator):
    api = Api(emulator, emulator.admin_auth)
    api.request("GET")
    assert emulator.stats()["in_flight_max"] == 1

    emulator.reset_stats()

    assert (emulator.stats()["in_flight_max"], emulator.stats()["in_flight_mean"]) == (0, 0.0)


def test_journal_records_api_requests_in_order(admin, viewer):
    emulator = admin.emulator
    schedule = admin.create(name="Journaled", teamId="t1")
    admin.request("GET", params={"query": "Jour*", "expand": ["rotation", "x"], "size": 5})
    viewer.request("PATCH", f"/{schedule['id']}", json={"enabled": False})
    admin.request("PATCH", "/missing", data=b"[not json", headers={"Content-Type": "application/json"})
    contract_session().delete(admin.url + f"/{schedule['id']}", timeout=10)  # no credentials
    emulator.faults()  # controls are not journaled

    path = f"/v1/schedules/{schedule['id']}"
    assert emulator.requests() == [
        {"method": "POST", "path": "/v1/schedules", "query": {}, "body": {"teamId": "t1", "name": "Journaled"},
         "status": 201},
        {
            "method": "GET", "path": "/v1/schedules",
            "query": {"query": ["Jour*"], "expand": ["rotation", "x"], "size": ["5"]},
            "body": None, "status": 200,
        },
        {"method": "PATCH", "path": path, "query": {}, "body": {"enabled": False}, "status": 403},
        {"method": "PATCH", "path": "/v1/schedules/missing", "query": {}, "body": None, "status": 422},
        {"method": "DELETE", "path": path, "query": {}, "body": None, "status": 401},
    ]  # fmt: skip


def test_journal_is_cleared_by_both_resets(admin):
    emulator = admin.emulator
    admin.request("GET")
    assert len(emulator.requests()) == 1

    emulator.reset_stats()
    assert emulator.requests() == []
    admin.request("GET")
    emulator.reset()
    assert emulator.requests() == []


def test_journal_keeps_the_status_of_faulted_and_cut_requests(admin):
    emulator = admin.emulator
    emulator.add_fault(method="GET", action="status", status=503)
    emulator.add_fault(method="POST", action="cut")
    admin.request("GET")
    with pytest.raises((requests.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        admin.request("POST", json={"name": "Cut", "teamId": "t"})

    assert [(entry["method"], entry["status"]) for entry in emulator.requests()] == [("GET", 503), ("POST", 201)]
