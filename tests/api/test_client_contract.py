"""Every request the client sends (path, query parameters and body) is one the published
contract accepts: each client call runs against the emulator, and each request in the
emulator's journal is validated against the spec's structural fixture."""

from __future__ import annotations

from typing import Any

from pulumi_jsmops.api.client import Client
from testkit.api_contract import operation, validate_query, validate_request
from testkit.emulator_process import Emulator
from testkit.schedules import TEAM

USER = "5b10ac8d82e05b22cc7d4ef5"
ROTATION = {"name": "weekdays", "type": "weekly", "length": 1, "startDate": "2026-01-05T09:00:00Z",
            "participants": [{"type": "user", "id": USER}]}


def same(sent: dict[str, Any]):
    return lambda found: all(found.get(key) == value for key, value in sent.items() if key != "rotations")


def test_every_request_the_client_sends_follows_the_contract(client: Client, emulator: Emulator) -> None:
    schedule = {"name": "Support*", "teamId": TEAM, "description": "d", "timezone": "Europe/Berlin",
                "enabled": True, "rotations": [ROTATION]}
    created = client.create_schedule(schedule, is_own=same(schedule))
    schedule_id = created["id"]
    assert client.find_schedule_by_name("Support*")["id"] == schedule_id
    assert [s["id"] for s in client.list_schedules("support*", expand_rotations=False)] == [schedule_id]
    assert client.get_schedule(schedule_id)["name"] == "Support*"
    change = {"description": "changed", "enabled": False}
    client.update_schedule(schedule_id, change, is_applied=same(change))

    [weekdays] = client.list_rotations(schedule_id)
    extra = {**ROTATION, "name": "weekends", "type": "daily", "length": 2}
    weekends = client.create_rotation(schedule_id, extra, is_own=same(extra))
    rename = {"name": "weekends and holidays"}
    assert client.update_rotation(schedule_id, weekends["id"], rename, is_applied=same(rename))["id"] == weekends["id"]
    assert {r["id"] for r in client.list_rotations(schedule_id)} == {weekdays["id"], weekends["id"]}
    assert client.delete_rotation(schedule_id, weekends["id"]) is True
    assert client.delete_rotation(schedule_id, weekends["id"]) is False

    assert client.list_overrides(schedule_id) == []
    client.get_on_calls(schedule_id)
    client.get_on_calls(schedule_id, date="2026-01-06T10:00:00Z", flat=True)
    client.get_next_on_calls(schedule_id, date="2026-01-06T10:00:00+01:00")
    client.get_timeline(schedule_id)
    client.get_timeline(schedule_id, date="2026-01-06T10:00:00Z", interval=2, interval_unit="days",
                        expand=("base", "override", "forwarding"))
    assert client.delete_schedule(schedule_id) is True

    journal = emulator.requests()
    sent = {(entry["method"], operation(entry["method"], entry["path"])[0]) for entry in journal}
    assert sent == {  # every kind of call above reached the service
        ("GET", "/v1/schedules"), ("POST", "/v1/schedules"), ("GET", "/v1/schedules/{id}"),
        ("PATCH", "/v1/schedules/{id}"), ("DELETE", "/v1/schedules/{id}"),
        ("GET", "/v1/schedules/{scheduleId}/rotations"), ("POST", "/v1/schedules/{scheduleId}/rotations"),
        ("PATCH", "/v1/schedules/{scheduleId}/rotations/{id}"), ("DELETE", "/v1/schedules/{scheduleId}/rotations/{id}"),
        ("GET", "/v1/schedules/{scheduleId}/overrides"), ("GET", "/v1/schedules/{scheduleId}/on-calls"),
        ("GET", "/v1/schedules/{scheduleId}/next-on-calls"), ("GET", "/v1/schedules/{scheduleId}/timeline"),
    }
    for entry in journal:
        validate_query(entry["method"], entry["path"], entry["query"])
        validate_request(entry["method"], entry["path"], entry["body"])
    assert all(int(entry["query"].get("size", ["50"])[0]) <= 50 for entry in journal)
    assert all(entry["status"] < 400 or entry["method"] == "DELETE" for entry in journal), journal
