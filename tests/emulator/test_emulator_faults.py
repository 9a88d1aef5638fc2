"""Test controls: injected faults (status, echoed credentials, delay, cut, trickle), request
counters, rate limiting."""

from __future__ import annotations

import base64
import concurrent.futures
import json
import time
from urllib.parse import quote

import pytest
import requests
from emulator_helpers import Api, titles

from jsmops_emulator.faults import MAX_FAULTS
from testkit.emulator_process import contract_session


def test_status_fault_answers_without_touching_data(admin):
    fault = admin.emulator.add_fault(method="POST", action="status", status=503)

    failed = admin.request("POST", json={"name": "Nope", "teamId": "t"})

    assert fault == {
        "id": fault["id"], "method": "POST", "path": None, "count": 1,
        "action": "status", "status": 503, "retry_after": None, "echo": [], "delay": None, "endless": False,
        "ttl": 600.0,
    }  # fmt: skip
    assert failed.status_code == 503
    assert titles(failed) == ["injected fault: HTTP 503"]
    assert "Retry-After" not in failed.headers
    assert admin.emulator.schedules() == []
    assert admin.emulator.faults() == []
    assert admin.request("POST", json={"name": "Nope", "teamId": "t"}).status_code == 201


def test_status_fault_429_with_retry_after(admin):
    admin.emulator.add_fault(method="GET", action="status", status=429, retry_after=7)

    limited = admin.request("GET")

    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "7"
    assert titles(limited) == ["injected fault: HTTP 429"]
    assert admin.request("GET").status_code == 200


def test_fault_matches_method_and_path_and_counts_down(admin):
    schedule = admin.create(name="Target")
    admin.emulator.add_fault(method="GET", path=r"/schedules/[^/]+$", count=2, action="status", status=500)

    assert admin.request("GET").status_code == 200  # the list does not match the path
    assert admin.request("DELETE", f"/{schedule['id']}x").status_code == 404  # nor does another method
    assert admin.emulator.faults()[0]["count"] == 2
    assert admin.request("GET", f"/{schedule['id']}").status_code == 500
    assert admin.emulator.faults()[0]["count"] == 1
    assert admin.request("GET", f"/{schedule['id']}").status_code == 500
    assert admin.request("GET", f"/{schedule['id']}").status_code == 200
    assert admin.emulator.faults() == []


def test_faults_apply_in_order_of_registration(admin):
    for status in (500, 502):
        admin.emulator.add_fault(method="*", action="status", status=status)

    statuses = [admin.request(method).status_code for method in ("PATCH", "GET", "GET")]

    assert statuses == [500, 502, 200]


def test_faults_can_be_listed_and_cleared(admin):
    first = admin.emulator.add_fault(action="delay", delay=0.5, count=3)
    second = admin.emulator.add_fault(method="DELETE", action="cut")
    third = admin.emulator.add_fault(path="^/jsm/", action="status")

    assert admin.emulator.faults() == [first, second, third]
    assert (first["method"], first["delay"], first["status"]) == ("*", 0.5, None)
    assert third["status"] == 503  # the default status
    admin.emulator.clear_faults()
    assert admin.emulator.faults() == []


@pytest.mark.parametrize(
    "spec",
    [
        {"action": "explode"},
        {"method": "GET"},
        {"action": "delay"},
        {"action": "trickle"},
        {"action": "delay", "delay": 1, "echo": ["header"]},
        {"action": "status", "echo": ["password"]},
        {"action": "status", "endless": True},
        {"action": "status", "status": 200},
        {"action": "status", "count": 0},
        {"action": "status", "path": "([unclosed"},
        {"action": "status", "method": "TRACE"},
        {"action": "status", "colour": "red"},
        {"action": "status", "ttl": 0},
        {"action": "status", "ttl": 86_401},
    ],
)
def test_bad_fault_specs_are_400(emulator, spec):
    response = emulator.http.post(f"{emulator.base_url}/_emulator/faults", json=spec, timeout=10)

    assert response.status_code == 400
    assert titles(response)
    assert emulator.faults() == []


def test_a_delayed_request_holds_no_one_else_up(emulator_factory):
    emulator = emulator_factory()
    api = Api(emulator, emulator.admin_auth)
    schedule = api.create(name="Slow")
    emulator.reset_stats()
    # Long enough to be pending for the rest of the test; the emulator cancels it on stop.
    emulator.add_fault(method="GET", path=schedule["id"], action="delay", delay=60)

    with pytest.raises(requests.Timeout):
        api.request("GET", f"/{schedule['id']}", timeout=0.5)

    def fetch(_: int) -> int:
        return contract_session().get(api.url, auth=emulator.admin_auth, timeout=10).status_code

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(fetch, range(8)))
    assert statuses == [200] * 8
    # The delayed request is still pending: only the eight others have been answered.
    stats = emulator.stats()
    assert stats["by_method_status"] == {"GET": {"200": 8}}
    assert stats["in_flight"] == 1


def test_a_short_delay_then_answers_normally(admin):
    schedule = admin.create(name="Later")
    admin.emulator.add_fault(method="PATCH", action="delay", delay=0.2)

    response = admin.request("PATCH", f"/{schedule['id']}", json={"enabled": False})

    assert response.status_code == 200
    assert response.json() == {**schedule, "enabled": False}


def test_cut_breaks_the_connection_after_committing(admin):
    emulator = admin.emulator
    emulator.add_fault(method="POST", action="cut")

    with pytest.raises((requests.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        admin.request("POST", json={"name": "Committed", "teamId": "t"})

    [schedule] = emulator.schedules()
    assert schedule["name"] == "Committed"
    emulator.add_fault(method="PATCH", action="cut")
    with pytest.raises((requests.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        admin.request("PATCH", f"/{schedule['id']}", json={"description": "changed"})
    assert emulator.schedules() == [{**schedule, "description": "changed"}]
    emulator.add_fault(method="DELETE", action="cut")
    with pytest.raises((requests.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        admin.request("DELETE", f"/{schedule['id']}")
    assert emulator.schedules() == []
    # Counted with the status the request would have had.
    assert {m: emulator.stats()["by_method_status"][m] for m in ("POST", "PATCH", "DELETE")} == {
        "POST": {"201": 1},
        "PATCH": {"200": 1},
        "DELETE": {"204": 1},
    }


def test_counters_by_method_and_status(admin, viewer):
    emulator = admin.emulator
    schedule = admin.create(name="Counted")
    admin.request("POST", json={"name": "Counted", "teamId": "t"})  # 409
    admin.request("GET")
    admin.request("GET", f"/{schedule['id']}")
    admin.request("GET", "/missing")  # 404
    viewer.request("DELETE", f"/{schedule['id']}")  # 403
    contract_session().get(admin.url, timeout=10)  # 401
    admin.request("PUT", f"/{schedule['id']}")  # 405
    contract_session().get(emulator.base_url + "/nowhere", timeout=10)  # 404, unknown route
    admin.request("PATCH", f"/{schedule['id']}", json={"enabled": "no"})  # 422
    emulator.add_fault(method="GET", action="status", status=503)
    admin.request("GET")
    emulator.faults()  # control requests are never counted

    stats = emulator.stats()
    assert stats.pop("in_flight_max") >= 1 and stats.pop("in_flight_mean") > 0
    assert stats == {
        "total": 11,
        "by_method": {"DELETE": 1, "GET": 6, "PATCH": 1, "POST": 2, "PUT": 1},
        "by_status": {"403": 1, "200": 2, "401": 1, "404": 2, "503": 1, "422": 1, "201": 1, "409": 1, "405": 1},
        "by_method_status": {
            "DELETE": {"403": 1},
            "GET": {"200": 2, "401": 1, "404": 2, "503": 1},
            "PATCH": {"422": 1},
            "POST": {"201": 1, "409": 1},
            "PUT": {"405": 1},
        },
        "in_flight": 0,
    }


def test_stats_reset_clears_counters_only_and_reset_clears_everything(admin):
    emulator = admin.emulator
    schedule = admin.create(name="Survivor")
    emulator.add_fault(method="DELETE", action="status")

    emulator.reset_stats()

    assert emulator.stats() == {
        "total": 0, "by_method": {}, "by_status": {}, "by_method_status": {},
        "in_flight": 0, "in_flight_max": 0, "in_flight_mean": 0.0,
    }  # fmt: skip
    assert emulator.schedules() == [schedule]
    assert len(emulator.faults()) == 1
    emulator.reset()
    assert emulator.faults() == []
    assert emulator.stats()["total"] == 0
    assert admin.request("GET").json()["values"] == []


def test_rate_limit_answers_429_with_retry_after(emulator_factory):
    emulator = emulator_factory("--rate-limit", "2")
    api = Api(emulator, emulator.admin_auth)

    statuses, refusals = [], []
    for _ in range(30):
        response = api.request("GET")
        statuses.append(response.status_code)
        if response.status_code == 429:
            refusals.append(response)

    assert statuses[:2] == [200, 200]  # within the allowance whatever the timing
    assert set(statuses) == {200, 429}
    for refusal in refusals:
        assert int(refusal.headers["Retry-After"]) >= 1
        assert titles(refusal) == ["rate limit exceeded: too many requests per second"]
    # Test controls are exempt from the limit, and 429s are counted like any answer.
    stats = emulator.stats()
    assert stats["by_method_status"]["GET"] == {"200": statuses.count(200), "429": len(refusals)}
    assert [emulator.stats()["total"] for _ in range(5)] == [30] * 5


@pytest.mark.parametrize("pattern", ["(a+)+$", "(a|aa)+$"])
def test_a_catastrophic_path_pattern_does_not_freeze_the_emulator(admin, pattern):
    emulator = admin.emulator
    fault = emulator.add_fault(method="GET", path=pattern, action="status", status=500)
    hard = "/" + "a" * 40 + "!"  # exponential backtracking for a plain backtracking engine

    missing = admin.request("GET", hard, timeout=30)
    listed = admin.request("GET", timeout=30)

    assert missing.status_code == 404 and listed.status_code == 200  # answered; the pattern gave up on them
    assert emulator.faults() == [fault]
    assert admin.request("GET", "/" + "a" * 40, timeout=30).status_code == 500  # and still matches where it can
    assert emulator.faults() == []


def test_an_unused_fault_expires_after_its_ttl(admin):
    emulator = admin.emulator
    fault = emulator.add_fault(method="GET", action="status", status=500, ttl=0.2)
    assert fault["ttl"] == 0.2 and emulator.faults() == [fault]

    deadline = time.monotonic() + 30
    while emulator.faults() and time.monotonic() < deadline:
        time.sleep(0.05)

    assert emulator.faults() == []
    assert admin.request("GET").status_code == 200


def test_the_fault_registry_is_capped_and_many_catastrophic_patterns_hold_up_nothing(admin):
    """100 pending patterns that each backtrack without end share one 50 ms budget per request
    (they used to take 50 ms each, 5 s a request); the 101st fault is refused."""
    emulator = admin.emulator
    for _ in range(MAX_FAULTS):
        emulator.add_fault(method="*", path="(a|aa)+$", action="status", status=500)
    refused = emulator.http.post(f"{emulator.base_url}/_emulator/faults", json={"action": "status"}, timeout=10)
    hard = "/" + "a" * 40 + "!"

    # Generous bounds for a 50 ms budget: the answers come, they are not timed.
    answers = [admin.request("GET", hard, timeout=3).status_code for _ in range(3)]
    listed = emulator.http.get(f"{emulator.base_url}/_emulator/faults", timeout=3)

    assert refused.status_code == 409
    assert titles(refused) == [f"faults: at most {MAX_FAULTS} may be pending; DELETE /_emulator/faults"]
    assert answers == [404, 404, 404]
    assert len(listed.json()["faults"]) == MAX_FAULTS


def test_a_status_fault_echoes_the_credentials_in_each_form_asked(emulator):
    """As some proxies and gateways do; the credentials need not be valid (nor are they checked)."""
    credentials = "ops@example.com:T0k????>>n-secret"
    header = "Basic " + base64.b64encode(credentials.encode()).decode()
    forms = ["header", "header-cut", "header-percent", "headers-json", "token", "base64url"]
    emulator.add_fault(method="GET", action="status", status=502, echo=forms)

    failed = Api(emulator, tuple(credentials.split(":"))).request("GET")

    assert failed.status_code == 502
    assert titles(failed) == ["injected fault: HTTP 502"] + [f"could not verify '{echoed}'" for echoed in [
        header,
        header[:14] + "…",
        quote(header, safe=""),
        json.dumps({"Authorization": header}).replace("/", "\\/"),
        "T0k????>>n-secret",
        base64.urlsafe_b64encode(credentials.encode()).decode().rstrip("="),
    ]]


def test_a_trickle_sends_the_whole_answer_a_byte_per_chunk(admin):
    schedule = admin.create(name="Slowly")
    admin.emulator.add_fault(method="GET", action="trickle", delay=0.001)

    with requests.get(f"{admin.url}/{schedule['id']}", auth=admin.emulator.admin_auth, stream=True,
                      timeout=10) as trickled:
        chunks = list(trickled.raw.read_chunked())

    assert trickled.status_code == 200 and "Content-Length" not in trickled.headers
    assert {len(chunk) for chunk in chunks} == {1}
    assert json.loads(b"".join(chunks)) == schedule
    assert admin.emulator.requests()[-1]["status"] == 200


def test_an_endless_trickle_commits_the_change_and_ends_when_the_client_goes(admin):
    emulator = admin.emulator
    emulator.add_fault(method="POST", action="trickle", delay=0.001, endless=True)

    with requests.post(admin.url, json={"name": "Made", "teamId": "t"}, auth=emulator.admin_auth, stream=True,
                       timeout=10) as trickled:
        chunks = trickled.raw.read_chunked()
        blanks = [next(chunks) for _ in range(200)]

    assert trickled.status_code == 201 and blanks == [b" "] * 200
    assert [s["name"] for s in emulator.schedules()] == ["Made"]
    emulator.wait_until_idle()  # the trickle stopped once the connection closed
    assert emulator.stats()["by_method_status"]["POST"] == {"201": 1}
