"""The store: schedules, their rotations and their overrides in SQLite, in API form.

Every access goes through one connection guarded by a lock, and every write runs in a
`BEGIN IMMEDIATE` transaction, so concurrent requests are serialised and the UNIQUE
constraint on a schedule's `name` decides name races atomically. Rotations and overrides
are rows of their own (their documents as JSON), deleted with their schedule.

Documents are in API form: camelCase, optional fields absent when unset, dates as
`YYYY-MM-DDTHH:MM:SSZ` (so string order is time order).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from .exceptions import NotFound, RotationNameTaken, ScheduleNameTaken, ScheduleNotFound

SCHEMA_VERSION = 2
_SCHEMA = """
CREATE TABLE schedules (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,  -- creation order, the list order
    id          TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL UNIQUE,
    team_id     TEXT,                               -- NULL: a global schedule
    description TEXT NOT NULL,
    timezone    TEXT NOT NULL,
    enabled     INTEGER NOT NULL
);
CREATE TABLE rotations (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,  -- order within the schedule
    id          TEXT NOT NULL UNIQUE,
    schedule_id TEXT NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
    document    TEXT NOT NULL                       -- JSON, API form without the id
);
CREATE INDEX rotations_of_schedule ON rotations (schedule_id, seq);
CREATE TABLE overrides (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    alias       TEXT NOT NULL UNIQUE,
    schedule_id TEXT NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
    start_date  TEXT NOT NULL,
    end_date    TEXT NOT NULL,
    document    TEXT NOT NULL                       -- JSON, API form without the alias
);
CREATE INDEX overrides_of_schedule ON overrides (schedule_id, start_date);
"""
_COLUMNS = "id, name, team_id, description, timezone, enabled"

Document = dict[str, Any]
Documents = list[Document]  # an alias, as the class below has a method called `list`


class ScheduleBackend:
    def __init__(self, db_path: str):
        self._lock = threading.Lock()
        self._db = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.create_function("name_matches", 2, name_matches, deterministic=True)
        with self._write() as db:
            _migrate(db)

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

    # --- schedules ---

    def create(self, fields: Document, rotations: Documents | None = None) -> Document:
        """A new schedule from `fields` (name, teamId or none, description, timezone, enabled)."""
        schedule_id = str(uuid.uuid4())
        with self._write() as db:
            try:
                db.execute(
                    f"INSERT INTO schedules ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)", _row({"id": schedule_id, **fields})
                )
            except sqlite3.IntegrityError:
                raise ScheduleNameTaken(fields["name"]) from None
            for rotation in rotations or []:
                _insert_rotation(db, schedule_id, rotation)
            return _fetch(db, schedule_id)

    def get(self, schedule_id: str) -> Document:
        """The schedule with its rotations (each with its `id`), in API form."""
        with self._read() as db:
            return _fetch(db, schedule_id)

    def list(self, offset: int, limit: int, query: str | None = None, *, with_rotations: bool = True) -> Documents:
        """A page in creation order; `query` as `name_matches` reads it."""
        with self._read() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM schedules WHERE ?1 IS NULL OR name_matches(name, ?1)"
                " ORDER BY seq LIMIT ?2 OFFSET ?3",
                (query, limit, offset),
            ).fetchall()
            schedules = [_schedule(row) for row in rows]
            if with_rotations:
                for schedule in schedules:
                    schedule["rotations"] = _rotations(db, schedule["id"])
        return schedules

    def update(self, schedule_id: str, changes: Document, rotations: Documents | None = None) -> Document:
        """Replace the fields in `changes` (a `teamId` of None makes the schedule global); given
        `rotations` replace all of the schedule's rotations, with new ids."""
        with self._write() as db:
            current = _fetch(db, schedule_id)
            schedule = {**current, **changes}
            try:
                db.execute(
                    "UPDATE schedules SET name = ?, team_id = ?, description = ?, timezone = ?, enabled = ?"
                    " WHERE id = ?",
                    (*_row(schedule)[1:], schedule_id),
                )
            except sqlite3.IntegrityError:
                raise ScheduleNameTaken(schedule["name"]) from None
            if rotations is not None:
                db.execute("DELETE FROM rotations WHERE schedule_id = ?", (schedule_id,))
                for rotation in rotations:
                    _insert_rotation(db, schedule_id, rotation)
            return _fetch(db, schedule_id)

    def delete(self, schedule_id: str) -> None:
        with self._write() as db:
            if db.execute("DELETE FROM schedules WHERE id = ?", (schedule_id,)).rowcount == 0:
                raise ScheduleNotFound(schedule_id)

    # --- rotations ---

    def list_rotations(self, schedule_id: str, offset: int, limit: int) -> Documents:
        with self._read() as db:
            _require_schedule(db, schedule_id)
            return _rotations(db, schedule_id, limit, offset)

    def create_rotation(self, schedule_id: str, rotation: Document) -> Document:
        """Appended to the schedule's rotations; unnamed, it is called "Rotation N" (the first free N)."""
        with self._write() as db:
            _require_schedule(db, schedule_id)
            names = {r["name"] for r in _rotations(db, schedule_id)}
            if "name" not in rotation:
                number = 1
                while f"Rotation {number}" in names:
                    number += 1
                rotation = {"name": f"Rotation {number}", **rotation}
            elif rotation["name"] in names:
                raise RotationNameTaken(rotation["name"])
            rotation_id = _insert_rotation(db, schedule_id, rotation)
            return _fetch_rotation(db, schedule_id, rotation_id)

    def get_rotation(self, schedule_id: str, rotation_id: str) -> Document:
        with self._read() as db:
            _require_schedule(db, schedule_id)
            return _fetch_rotation(db, schedule_id, rotation_id)

    def update_rotation(
        self,
        schedule_id: str,
        rotation_id: str,
        changes: Document,
        cleared: set[str],
        check: Callable[[Document], None],
    ) -> Document:
        """Replace the fields in `changes` and drop those in `cleared`; `check` may refuse the
        result (e.g. an end before the start). The rotation keeps its id and place."""
        with self._write() as db:
            _require_schedule(db, schedule_id)
            current = _fetch_rotation(db, schedule_id, rotation_id)
            rotation = {k: v for k, v in {**current, **changes}.items() if k not in cleared}
            check(rotation)
            if rotation["name"] != current["name"]:
                others = {r["name"] for r in _rotations(db, schedule_id) if r["id"] != rotation_id}
                if rotation["name"] in others:
                    raise RotationNameTaken(rotation["name"])
            db.execute("UPDATE rotations SET document = ? WHERE id = ?", (_document(rotation, "id"), rotation_id))
            return rotation

    def delete_rotation(self, schedule_id: str, rotation_id: str) -> None:
        """Overrides that name the rotation keep its id, which then matches nothing."""
        with self._write() as db:
            _require_schedule(db, schedule_id)
            deleted = db.execute("DELETE FROM rotations WHERE id = ? AND schedule_id = ?", (rotation_id, schedule_id))
            if deleted.rowcount == 0:
                raise _rotation_not_found(rotation_id)

    # --- overrides ---

    def list_overrides(self, schedule_id: str, ending_after: str | None = None) -> Documents:
        """The schedule's overrides by start date (API form: alias, responder, startDate, endDate,
        rotationIds, None for all rotations), past ones too unless `ending_after` (a UTC date) is given."""
        with self._read() as db:
            _require_schedule(db, schedule_id)
            rows = db.execute(
                "SELECT alias, document FROM overrides WHERE schedule_id = ?1 AND (?2 IS NULL OR end_date > ?2)"
                " ORDER BY start_date, seq",
                (schedule_id, ending_after),
            ).fetchall()
        return [_override(row) for row in rows]

    def create_override(self, schedule_id: str, override: Document) -> Document:
        """Stored under a new server-made alias."""
        alias = str(uuid.uuid4())
        with self._write() as db:
            _require_schedule(db, schedule_id)
            db.execute(
                "INSERT INTO overrides (alias, schedule_id, start_date, end_date, document) VALUES (?, ?, ?, ?, ?)",
                (alias, schedule_id, override["startDate"], override["endDate"], json.dumps(override)),
            )
        return {"alias": alias, **override}

    def get_override(self, schedule_id: str, alias: str) -> Document:
        with self._read() as db:
            _require_schedule(db, schedule_id)
            return _fetch_override(db, schedule_id, alias)

    def replace_override(self, schedule_id: str, alias: str, override: Document) -> Document:
        with self._write() as db:
            _require_schedule(db, schedule_id)
            replaced = db.execute(
                "UPDATE overrides SET start_date = ?, end_date = ?, document = ? WHERE alias = ? AND schedule_id = ?",
                (override["startDate"], override["endDate"], json.dumps(override), alias, schedule_id),
            )
            if replaced.rowcount == 0:
                raise _override_not_found(alias)
        return {"alias": alias, **override}

    def delete_override(self, schedule_id: str, alias: str) -> None:
        with self._write() as db:
            _require_schedule(db, schedule_id)
            deleted = db.execute("DELETE FROM overrides WHERE alias = ? AND schedule_id = ?", (alias, schedule_id))
            if deleted.rowcount == 0:
                raise _override_not_found(alias)

    def rotation_ids(self, schedule_id: str) -> set[str]:
        with self._read() as db:
            _require_schedule(db, schedule_id)
            return {row[0] for row in db.execute("SELECT id FROM rotations WHERE schedule_id = ?", (schedule_id,))}

    def reset(self) -> None:
        with self._write() as db:
            db.execute("DELETE FROM schedules")  # rotations and overrides go with them


def name_matches(name: str, query: str) -> bool:
    """The service's `query`: an exact case-insensitive match, or a prefix match if it ends with `*`."""
    if query.endswith("*"):
        return name.casefold().startswith(query[:-1].casefold())
    return name.casefold() == query.casefold()


def _migrate(db: sqlite3.Connection) -> None:
    """Create the tables, or bring a database of the one-table layout (version 0) up to date."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version == SCHEMA_VERSION:
        return
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if version != 0:
        raise RuntimeError(f"the database has layout version {version}; this emulator knows {SCHEMA_VERSION}")
    old = []
    if "schedules" in tables:
        old = db.execute(f"SELECT {_COLUMNS}, rotations FROM schedules ORDER BY seq").fetchall()
        db.execute("DROP TABLE schedules")
    for statement in _SCHEMA.split(";"):  # not executescript: it would commit the transaction
        if statement.strip():
            db.execute(statement)
    for *columns, rotations in old:
        schedule = _schedule(tuple(columns))
        db.execute(f"INSERT INTO schedules ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)", _row(schedule))
        for rotation in json.loads(rotations):
            db.execute(
                "INSERT INTO rotations (id, schedule_id, document) VALUES (?, ?, ?)",
                (rotation["id"], schedule["id"], _document(rotation, "id")),
            )
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _insert_rotation(db: sqlite3.Connection, schedule_id: str, rotation: Document) -> str:
    rotation_id = str(uuid.uuid4())
    db.execute(
        "INSERT INTO rotations (id, schedule_id, document) VALUES (?, ?, ?)",
        (rotation_id, schedule_id, _document(rotation, "id")),
    )
    return rotation_id


def _document(document: Document, key: str) -> str:
    return json.dumps({k: v for k, v in document.items() if k != key})


def _rotations(db: sqlite3.Connection, schedule_id: str, limit: int = -1, offset: int = 0) -> list[Document]:
    rows = db.execute(
        "SELECT id, document FROM rotations WHERE schedule_id = ? ORDER BY seq LIMIT ? OFFSET ?",
        (schedule_id, limit, offset),
    ).fetchall()
    return [{"id": rotation_id, **json.loads(document)} for rotation_id, document in rows]


def _require_schedule(db: sqlite3.Connection, schedule_id: str) -> None:
    if db.execute("SELECT 1 FROM schedules WHERE id = ?", (schedule_id,)).fetchone() is None:
        raise ScheduleNotFound(schedule_id)


def _fetch(db: sqlite3.Connection, schedule_id: str) -> Document:
    row = db.execute(f"SELECT {_COLUMNS} FROM schedules WHERE id = ?", (schedule_id,)).fetchone()
    if row is None:
        raise ScheduleNotFound(schedule_id)
    return {**_schedule(row), "rotations": _rotations(db, schedule_id)}


def _fetch_rotation(db: sqlite3.Connection, schedule_id: str, rotation_id: str) -> Document:
    row = db.execute(
        "SELECT document FROM rotations WHERE id = ? AND schedule_id = ?", (rotation_id, schedule_id)
    ).fetchone()
    if row is None:
        raise _rotation_not_found(rotation_id)
    return {"id": rotation_id, **json.loads(row[0])}


def _fetch_override(db: sqlite3.Connection, schedule_id: str, alias: str) -> Document:
    row = db.execute(
        "SELECT alias, document FROM overrides WHERE alias = ? AND schedule_id = ?", (alias, schedule_id)
    ).fetchone()
    if row is None:
        raise _override_not_found(alias)
    return _override(row)


def _override(row: tuple[str, str]) -> Document:
    alias, document = row
    return {"alias": alias, **json.loads(document)}


def _rotation_not_found(rotation_id: str) -> NotFound:
    return NotFound(f"id: no rotation with id '{rotation_id}' in this schedule")


def _override_not_found(alias: str) -> NotFound:
    return NotFound(f"alias: no override with alias '{alias}' in this schedule")


def _row(schedule: Document) -> tuple[Any, ...]:
    return (
        schedule["id"],
        schedule["name"],
        schedule.get("teamId"),
        schedule["description"],
        schedule["timezone"],
        int(schedule["enabled"]),
    )


def _schedule(row: tuple[Any, ...]) -> Document:
    schedule_id, name, team_id, description, timezone, enabled = row
    schedule = {"id": schedule_id, "name": name}
    if team_id is not None:
        schedule["teamId"] = team_id
    return {**schedule, "description": description, "timezone": timezone, "enabled": bool(enabled)}
