"""The schedule store: one SQLite table, one document per schedule.

Every access goes through one connection guarded by a lock, and every write
runs in a `BEGIN IMMEDIATE` transaction, so concurrent requests are serialised
and the UNIQUE constraint on `name` decides name races atomically.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from typing import Any

from .exceptions import ScheduleNameTaken, ScheduleNotFound

_SCHEMA = """
CREATE TABLE IF NOT EXISTS schedules (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,  -- creation order, the list order
    id          TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL UNIQUE,
    team_id     TEXT NOT NULL,
    description TEXT NOT NULL,
    timezone    TEXT NOT NULL,
    enabled     INTEGER NOT NULL,
    rotations   TEXT NOT NULL                       -- JSON list, API form
)
"""
_COLUMNS = "id, name, team_id, description, timezone, enabled, rotations"

Schedule = dict[str, Any]


class ScheduleBackend:
    def __init__(self, db_path: str):
        self._lock = threading.Lock()
        self._db = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.create_function("icontains", 2, _icontains, deterministic=True)
        self._db.execute(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self._db

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def create(self, fields: Schedule) -> Schedule:
        schedule = {"id": str(uuid.uuid4()), **fields, "rotations": _with_ids(fields["rotations"], set())}
        with self._write() as db:
            try:
                db.execute(f"INSERT INTO schedules ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)", _row(schedule))
            except sqlite3.IntegrityError:
                raise ScheduleNameTaken(schedule["name"]) from None
        return schedule

    def get(self, schedule_id: str) -> Schedule:
        with self._read() as db:
            return _fetch(db, schedule_id)

    def list(self, offset: int, limit: int, query: str | None = None) -> list[Schedule]:
        """A page in creation order; `query` matches names case-insensitively."""
        with self._read() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM schedules WHERE ?1 IS NULL OR icontains(name, ?1)"
                " ORDER BY seq LIMIT ?2 OFFSET ?3",
                (query, limit, offset),
            ).fetchall()
        return [_schedule(row) for row in rows]

    def update(self, schedule_id: str, changes: Schedule) -> Schedule:
        """Replace the fields in `changes`; given rotations keep their id if it is one of this schedule's."""
        with self._write() as db:
            current = _fetch(db, schedule_id)
            schedule = {**current, **changes}
            if "rotations" in changes:
                own_ids = {rotation["id"] for rotation in current["rotations"]}
                schedule["rotations"] = _with_ids(changes["rotations"], own_ids)
            try:
                db.execute(
                    "UPDATE schedules SET name = ?, team_id = ?, description = ?, timezone = ?,"
                    " enabled = ?, rotations = ? WHERE id = ?",
                    (*_row(schedule)[1:], schedule_id),
                )
            except sqlite3.IntegrityError:
                raise ScheduleNameTaken(schedule["name"]) from None
        return schedule

    def delete(self, schedule_id: str) -> None:
        with self._write() as db:
            if db.execute("DELETE FROM schedules WHERE id = ?", (schedule_id,)).rowcount == 0:
                raise ScheduleNotFound(schedule_id)

    def reset(self) -> None:
        with self._write() as db:
            db.execute("DELETE FROM schedules")


def _icontains(name: str, query: str) -> bool:
    return query.casefold() in name.casefold()


def _with_ids(rotations: list[dict[str, Any]], reusable: set[str]) -> list[dict[str, Any]]:
    """Give each rotation an id: its own if it is in `reusable` (each at most once), else a new one."""
    result = []
    for rotation in rotations:
        rotation_id = rotation.get("id")
        if rotation_id in reusable:
            reusable.discard(rotation_id)
        else:
            rotation_id = str(uuid.uuid4())
        result.append({"id": rotation_id, **{key: value for key, value in rotation.items() if key != "id"}})
    return result


def _fetch(db: sqlite3.Connection, schedule_id: str) -> Schedule:
    row = db.execute(f"SELECT {_COLUMNS} FROM schedules WHERE id = ?", (schedule_id,)).fetchone()
    if row is None:
        raise ScheduleNotFound(schedule_id)
    return _schedule(row)


def _row(schedule: Schedule) -> tuple:
    return (
        schedule["id"],
        schedule["name"],
        schedule["teamId"],
        schedule["description"],
        schedule["timezone"],
        int(schedule["enabled"]),
        json.dumps(schedule["rotations"]),
    )


def _schedule(row: tuple) -> Schedule:
    schedule_id, name, team_id, description, timezone, enabled, rotations = row
    return {
        "id": schedule_id,
        "name": name,
        "teamId": team_id,
        "description": description,
        "timezone": timezone,
        "enabled": bool(enabled),
        "rotations": json.loads(rotations),
    }
