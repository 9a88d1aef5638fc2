"""Persistence across restarts and concurrent writers."""

from __future__ import annotations

import concurrent.futures
import json
import sqlite3
import threading

from emulator_helpers import Api, rotation, time_of_day

from testkit.emulator_process import Emulator, contract_session


def test_restart_keeps_all_data(emulator_factory):
    emulator = emulator_factory()
    api = Api(emulator, emulator.admin_auth)
    for n in range(5):
        api.create(name=f"Kept {n}", timezone="Europe/Berlin", rotations=[rotation(timeRestriction=time_of_day())])
    changed = api.create(name="Changed")
    api.request("PATCH", f"/{changed['id']}", json={"enabled": False, "rotations": [rotation(name="Later")]})
    api.request("DELETE", f"/{api.create(name='Gone')['id']}")
    before = emulator.schedules()

    emulator.restart()

    assert emulator.schedules() == before
    assert [s["name"] for s in before] == [f"Kept {n}" for n in range(5)] + ["Changed"]
    api = Api(emulator, emulator.admin_auth)  # the port may have changed
    assert api.request("POST", json={"name": "Kept 0", "teamId": "t"}).status_code == 409
    after = api.create(name="After restart")
    assert emulator.schedules() == [*before, after]  # creation order goes on


def test_eight_writers_lose_nothing(emulator):
    def write(worker: int) -> list[int]:
        with contract_session() as session:
            return [
                session.post(
                    f"{emulator.api_url}/schedules",
                    json={"name": f"w{worker}-{n}", "teamId": "t", "rotations": [rotation()]},
                    auth=emulator.admin_auth,
                    timeout=30,
                ).status_code
                for n in range(25)
            ]

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        statuses = [status for worker in pool.map(write, range(8)) for status in worker]

    assert statuses == [201] * 200
    stored = emulator.schedules()
    assert sorted(s["name"] for s in stored) == sorted(f"w{w}-{n}" for w in range(8) for n in range(25))
    assert len({s["id"] for s in stored}) == 200
    assert len({s["rotations"][0]["id"] for s in stored}) == 200


def test_same_name_race_has_exactly_one_winner(emulator):
    for round_ in range(5):
        start = threading.Barrier(8)

        def create(_: int, name: str = f"Contested {round_}", start: threading.Barrier = start) -> int:
            with contract_session() as session:
                session.auth = emulator.admin_auth
                session.get(f"{emulator.api_url}/schedules", timeout=30)  # connect before the race
                start.wait(timeout=30)
                body = {"name": name, "teamId": "t"}
                return session.post(f"{emulator.api_url}/schedules", json=body, timeout=30).status_code

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            statuses = sorted(pool.map(create, range(8)))

        assert statuses == [201] + [409] * 7
    assert sorted(s["name"] for s in emulator.schedules()) == [f"Contested {n}" for n in range(5)]


def test_concurrent_renames_onto_one_name_have_one_winner(emulator):
    api = Api(emulator, emulator.admin_auth)
    ids = [api.create(name=f"Candidate {n}")["id"] for n in range(8)]
    start = threading.Barrier(8)

    def rename(schedule_id: str) -> int:
        with contract_session() as session:
            session.auth = emulator.admin_auth
            session.get(f"{emulator.api_url}/schedules", timeout=30)
            start.wait(timeout=30)
            return session.patch(
                f"{emulator.api_url}/schedules/{schedule_id}", json={"name": "Winner"}, timeout=30
            ).status_code

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        statuses = sorted(pool.map(rename, ids))

    assert statuses == [200] + [409] * 7
    assert sum(s["name"] == "Winner" for s in emulator.schedules()) == 1


def test_restart_keeps_rotations_and_overrides(emulator_factory):
    emulator = emulator_factory()
    api = Api(emulator, emulator.admin_auth)
    schedule = api.create(name="Layers", rotations=[rotation(name="A")])
    added = api.request("POST", f"/{schedule['id']}/rotations", json=rotation(name="B")).json()
    override = {"responder": {"type": "user", "id": "u1"}, "startDate": "2099-01-01T00:00:00Z",
                "endDate": "2099-01-02T00:00:00Z", "rotationIds": [added["id"]]}  # fmt: skip
    made = api.request("POST", f"/{schedule['id']}/overrides", json=override).json()

    emulator.restart()

    api = Api(emulator, emulator.admin_auth)
    assert api.request("GET", f"/{schedule['id']}").json()["rotations"] == [schedule["rotations"][0], added]
    assert api.request("GET", f"/{schedule['id']}/overrides").json()["values"] == [made]


def test_a_database_of_the_one_table_layout_is_brought_up_to_date(tmp_path):
    db = sqlite3.connect(tmp_path / "emulator.db")
    db.execute(
        "CREATE TABLE schedules (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,"
        " name TEXT NOT NULL UNIQUE, team_id TEXT NOT NULL, description TEXT NOT NULL, timezone TEXT NOT NULL,"
        " enabled INTEGER NOT NULL, rotations TEXT NOT NULL)"
    )
    old_rotation = {"id": "r-1", "name": "Old", "startDate": "2024-01-01T00:00:00Z", "type": "daily", "length": 1,
                    "participants": []}  # fmt: skip
    db.execute(
        "INSERT INTO schedules (id, name, team_id, description, timezone, enabled, rotations)"
        " VALUES ('s-1', 'Old schedule', 't1', 'kept', 'UTC', 0, ?)",
        (json.dumps([old_rotation]),),
    )
    db.commit()
    db.close()

    emulator = Emulator(tmp_path)
    try:
        assert emulator.schedules() == [{"id": "s-1", "name": "Old schedule", "teamId": "t1", "description": "kept",
                                         "timezone": "UTC", "enabled": False, "rotations": [old_rotation]}]  # fmt: skip
        api = Api(emulator, emulator.admin_auth)
        assert api.request("GET", "/s-1/rotations/r-1").json() == old_rotation
    finally:
        emulator.stop()


def test_same_rotation_name_race_has_exactly_one_winner_and_other_names_are_all_kept(emulator):
    api = Api(emulator, emulator.admin_auth)
    schedule = api.create(name="Raced", rotations=[rotation(name="Base")])
    url = f"{emulator.api_url}/schedules/{schedule['id']}/rotations"
    start = threading.Barrier(16)

    def create(worker: int) -> int:
        with contract_session() as session:
            session.auth = emulator.admin_auth
            session.get(url, timeout=30)  # connect before the race
            start.wait(timeout=30)
            name = "Contested" if worker % 2 else f"Own {worker}"
            return session.post(url, json=rotation(name=name), timeout=30).status_code

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(create, range(16)))

    assert sorted(statuses[1::2]) == [201] + [409] * 7
    assert statuses[0::2] == [201] * 8
    names = [r["name"] for r in api.request("GET", f"/{schedule['id']}").json()["rotations"]]
    assert sorted(names) == sorted(["Base", "Contested", *(f"Own {n}" for n in range(0, 16, 2))])
