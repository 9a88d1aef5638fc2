"""What the provider of schedule overrides decides without asking the service.

- **Rotations by name.** A program names an override's rotations; the API wants their ids.
  When the schedule is declared in the same program (or looked up with `get_schedule`),
  the resource hands the provider that schedule's rotations as the program knows them:
  the hidden input `schedule_rotations`, name -> `{"id": ...}` (no id yet in a preview of
  a schedule that is created or changed). Then the names are checked at preview, and
  resolved at `up`, without a request, and an id that changes (a rotation replaced) is a
  change of the override. Otherwise (also when a rotation of the schedule has a name Pulumi
  reserves as a key, `api/reserved_names.py`) the provider reads the schedule's rotations
  once when it must resolve names (`ids_by_name`). An override's own rotation names are a
  list of values, never keys: it may name any rotation the service holds.
- **What a change sends** (`sends_put`): a PUT of the whole override (it keeps its alias),
  or nothing. Moving an override to another schedule replaces it, and so does moving an
  ended one back into the future (`is_made_anew`).
- **Ended overrides** are history: once an override's end has passed, the provider sends
  nothing for it, whatever the service does with ended overrides (the spec lists only
  ongoing and future ones, and says nothing of ended ones read by alias). A declared override
  whose window has already ended is never made (it is recorded with the id `NEVER_MADE_ID`
  and no alias); an edit of one that has ended changes only the state, unless it moves the
  window back into the future (then a new one is made); removing it from the program leaves
  the service's history alone; and a `refresh` that finds it gone keeps it.
- **Schedules made by this process**: a schedule that this provider process has just
  created has no overrides but those the process made since (`MadeHere`), which spares the
  listing that is a create's evidence of ownership (`Client.create_override`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Optional

from pydantic import ValidationError

from ..api.models import holds_unknown
from ..api.overrides import Override, override_problems, parse_held_override, parse_user_override
from ..errors import JsmOpsError

SCHEDULE_ROTATIONS = "schedule_rotations"  # the hidden input: the schedule's rotations, name -> {"id": ...}
NEVER_MADE_ID = "never-made:ended"  # the resource id of a declared override whose window had ended
Json = dict[str, Any]


@dataclass(frozen=True)
class KnownRotations:
    """A schedule's rotations as the program knows them: name -> id (None: not known yet)."""

    ids: dict[str, Optional[str]]

    def missing(self, names: Iterable[str]) -> list[tuple[int, str]]:
        """(index, name) of each name that is not one of these rotations."""
        return [(index, name) for index, name in enumerate(names) if name not in self.ids]

    def described(self) -> str:
        return ", ".join(repr(name) for name in sorted(self.ids)) or "none"


def known_rotations(value: Any, is_unknown: Callable[[Any], bool]) -> Optional[KnownRotations]:
    """The hidden input as `KnownRotations`; None when absent or not known yet."""
    if not isinstance(value, dict) or holds_unknown(value, is_unknown):
        return None
    ids: dict[str, Optional[str]] = {}
    for name, rotation in value.items():
        rotation_id = rotation.get("id") if isinstance(rotation, dict) else None
        ids[str(name)] = rotation_id if isinstance(rotation_id, str) and rotation_id else None
    return KnownRotations(ids)


def split_inputs(inputs: Json) -> tuple[Json, Any]:
    """The override's own inputs, and the hidden input (None when there is none)."""
    own = {key: value for key, value in inputs.items() if key != SCHEDULE_ROTATIONS}
    return own, inputs.get(SCHEDULE_ROTATIONS)


def check_override(inputs: Json, is_unknown: Callable[[Any], bool]) -> tuple[Json, list[tuple[str, str]]]:
    """The canonical inputs of a declared override, and its problems (field path, reason).
    Values not known yet (a preview) are left as they are and not checked; the rotation
    names are checked against the schedule's when the program knows them."""
    own, hidden = split_inputs(inputs)
    problems = override_problems(own, is_unknown)
    known = known_rotations(hidden, is_unknown)
    names = own.get("rotations")
    if known is not None and isinstance(names, list):
        problems += [(f"rotations[{index}]",
                      f"the schedule has no rotation named {name!r} (its rotations: {known.described()})")
                     for index, name in known.missing(names) if isinstance(name, str)]
    if problems or holds_unknown(own, is_unknown):
        return inputs, problems
    canonical = parse_user_override(own).to_canonical_inputs()
    return ({**canonical, SCHEDULE_ROTATIONS: hidden} if hidden is not None else canonical), []


def resolved_ids(names: Optional[list[str]], known: Optional[KnownRotations]) -> tuple[bool, Optional[list[str]]]:
    """(resolved, ids) of the named rotations from what the program knows: all rotations
    (None) need no ids; without `known`, or with an id not known yet, they are unresolved."""
    if names is None:
        return True, None
    if known is None or known.missing(names) or any(known.ids[name] is None for name in names):
        return False, None
    return True, [str(known.ids[name]) for name in names]


class RotationNotFound(JsmOpsError):
    """A named rotation that the schedule, as the service holds it, does not have."""


def ids_by_name(names: list[str], rotations: Iterable[Json], schedule_id: str) -> list[str]:
    """The ids of the named rotations, from the schedule's rotations as the API lists them;
    of two of one name (only the service can hold them) the first."""
    held: dict[str, str] = {}
    for rotation in rotations:
        if isinstance(rotation.get("name"), str) and isinstance(rotation.get("id"), str):
            held.setdefault(rotation["name"], rotation["id"])
    for index, name in enumerate(names):
        if name not in held:
            have = ", ".join(repr(n) for n in sorted(held)) or "none"
            raise RotationNotFound(f"rotations[{index}]: schedule {schedule_id} has no rotation named {name!r} "
                                   f"(its rotations: {have}); name one it has, or leave `rotations` out for all")
    return [held[name] for name in names]


def names_by_id(rotation_ids: list[str], rotations: Iterable[Json]) -> list[str]:
    """The names of the rotations with these ids, as the API lists the schedule's rotations;
    an id that names no rotation (one deleted or replaced) as `(deleted rotation <id>)`,
    which no program declares: the next `up` points the override at the declared names."""
    held = {rotation.get("id"): rotation.get("name") for rotation in rotations}
    return [str(held[rotation_id]) if isinstance(held.get(rotation_id), str) else f"(deleted rotation {rotation_id})"
            for rotation_id in rotation_ids]


def override_diff(olds: Json, news: Json, is_unknown: Callable[[Any], bool], now: datetime) -> tuple[bool, list[str]]:
    """(changes, replaced keys) between an override's outputs (`olds`) and its checked inputs.

    A change is what `update` would act on: another responder, window or rotation names,
    or (for an override not ended) named rotations whose ids the program knows and that
    differ from the ids held (a rotation replaced). Ids not known yet (a preview of a schedule being changed) are taken
    as they are held; `up` knows them. Replaced (a new override, with a new alias): one on
    another schedule (or on a schedule id not known yet: it is being replaced), and an
    ended (or never made) one whose window moves back into the future (`is_made_anew`)."""
    own, hidden = split_inputs(news)
    schedule_id = own.get("schedule_id")
    if is_unknown(schedule_id) or schedule_id != olds.get("schedule_id"):
        return True, ["schedule_id"]
    if holds_unknown(own, is_unknown):
        return True, []
    current = parse_held_override(split_inputs(olds)[0])
    desired = parse_user_override(own)
    if _fields(current) != _fields(desired):
        if is_made_anew(current, desired, now):
            return True, [key for key in ("start_date", "end_date") if _fields(current)[key] != _fields(desired)[key]]
        return True, []
    if not sends_put(current, desired, now):
        return False, []  # history: the ids its rotations have now do not matter
    resolved, ids = resolved_ids(desired.rotations, known_rotations(hidden, is_unknown))
    return resolved and _id_set(ids) != _id_set(current.rotation_ids), []


def _fields(override: Override) -> Json:
    return override.to_canonical_inputs()


def _id_set(ids: Optional[list[str]]) -> Optional[frozenset[str]]:
    return None if ids is None else frozenset(ids)


def is_made_anew(current: Override, desired: Override, now: datetime) -> bool:
    """Whether a change makes a new override: one that has ended (or was never made) moved
    back into the future. The service may have dropped the ended one, so a new one is made
    (a replacement: the resource gets the new alias as its id; the old one is left as history)."""
    return (current.alias is None or current.has_ended(now)) and not desired.has_ended(now)


def sends_put(current: Override, desired: Override, now: datetime) -> bool:
    """Whether an update sends its PUT (of the whole override: it keeps its alias): not when
    the override has ended (or was never made) and stays so, which changes only the state."""
    return current.alias is not None and not (current.has_ended(now) and desired.has_ended(now))


def sends_delete(current: Override, now: datetime) -> bool:
    """Whether removing the override sends a DELETE: not for one never made, nor for one
    that has ended (history is left as the service keeps it)."""
    return current.alias is not None and not current.has_ended(now)


def held_override(props: Json) -> Override:
    """An override as the state holds it (its outputs), or an error naming what cannot be read."""
    try:
        return parse_held_override(split_inputs(props)[0])
    except ValidationError as exc:
        raise JsmOpsError(f"the state of this override cannot be read: {exc.error_count()} problems") from None


def with_hidden(data: Json, hidden: Any) -> Json:
    """`data` with the hidden input, when there is one."""
    return data if hidden is None else {**data, SCHEDULE_ROTATIONS: hidden}


class MadeHere:
    """The schedules this provider process created, with the overrides it has made on them
    since: all the overrides such a schedule can have had before another create of this
    process. Thread-safe (the engine calls the provider from many threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._overrides: dict[str, set[str]] = {}

    def add_schedule(self, schedule_id: str) -> None:
        with self._lock:
            self._overrides.setdefault(schedule_id, set())

    def add_override(self, schedule_id: str, alias: str) -> None:
        with self._lock:
            if schedule_id in self._overrides:
                self._overrides[schedule_id].add(alias)

    def overrides_of(self, schedule_id: str) -> Optional[set[str]]:
        """The aliases of the overrides this process made on the schedule, if this process
        created it; None for any other schedule (its overrides are listed instead)."""
        with self._lock:
            made = self._overrides.get(schedule_id)
            return None if made is None else set(made)


schedules_made_here = MadeHere()
