"""The requests an update of a schedule sends: planned from the schedule as the service
holds it (the state's outputs, with ids) and the schedule declared.

The contract shapes the plan. A schedule PATCH that carries `rotations` replaces them all,
with new ids, which cuts off the overrides that refer to them; so it never does. The
schedule's own fields that changed go in one PATCH of the schedule, and each rotation that
was added, changed or removed gets its own request on the rotation endpoints: POST, PATCH
(of the changed fields only) or DELETE. Rotations are matched by name: a rotation that stays
keeps its id. The one exception: the contract has no way to clear a rotation's `endDate` or
`timeRestriction` (PATCH takes no nulls), so a rotation that loses one is replaced (DELETE,
then POST: it gets a new id).

Every request can be sent again after an update failed halfway (the state then keeps the
old outputs and the next `up` plans from them): a PATCH sets the same values, a DELETE of a
rotation already gone is fine, and the provider resolves a POST of a rotation whose name is
taken by finding that rotation (see `ScheduleProvider._change_rotation`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Union

from pydantic import ValidationError

from .models import Rotation, Schedule, parse_api_schedule

# The schedule's own fields, which its PATCH carries (never `rotations`).
SCHEDULE_FIELDS = ("name", "team_id", "description", "timezone", "enabled")


@dataclass(frozen=True)
class UpdateSchedule:
    """PATCH /v1/schedules/{id} with the changed fields."""

    body: dict[str, Any]


@dataclass(frozen=True)
class CreateRotation:
    """POST /v1/schedules/{id}/rotations."""

    rotation: Rotation

    @property
    def body(self) -> dict[str, Any]:
        return self.rotation.to_api()


@dataclass(frozen=True)
class UpdateRotation:
    """PATCH /v1/schedules/{id}/rotations/{rotation_id} with the changed fields."""

    rotation_id: str
    rotation: Rotation
    body: dict[str, Any]


@dataclass(frozen=True)
class DeleteRotation:
    """DELETE /v1/schedules/{id}/rotations/{rotation_id}."""

    rotation_id: str
    name: str


RotationRequest = Union[CreateRotation, UpdateRotation, DeleteRotation]
Request = Union[UpdateSchedule, RotationRequest]


def schedule_patch(current: Schedule, desired: Schedule) -> dict[str, Any]:
    """The API body of the schedule's own fields that differ; empty when none does.

    A left-out `timezone` is the service's to pick, so it is no change; a left-out
    `team_id` makes the schedule global, which the API takes as `teamId: ""`.
    """
    body: dict[str, Any] = {}
    for field in SCHEDULE_FIELDS:
        wanted = getattr(desired, field)
        if (field == "timezone" and wanted is None) or wanted == getattr(current, field):
            continue
        body[Schedule.model_fields[field].alias or field] = "" if wanted is None else wanted
    return body


def rotation_patch(current: Rotation, desired: Rotation) -> Optional[dict[str, Any]]:
    """The API body of the rotation's fields that differ (empty when none does), or None
    when `desired` leaves out a field `current` has, which only a replacement can clear."""
    have, want = current.to_api(), desired.to_api()
    if any(key not in want for key in have):
        return None
    return {key: value for key, value in want.items() if have.get(key) != value}


def rotation_requests(rotation_id: str, current: Rotation, desired: Rotation) -> list[RotationRequest]:
    """What makes the rotation `current` (with id `rotation_id`) into `desired`."""
    patch = rotation_patch(current, desired)
    if patch is None:
        return [DeleteRotation(rotation_id, current.name), CreateRotation(desired)]
    return [UpdateRotation(rotation_id, desired, patch)] if patch else []


def plan_update(current: Schedule, desired: Schedule) -> list[Request]:
    """The requests that make `current` (with the ids the service gave) into `desired`:
    the schedule's PATCH first (a name taken elsewhere fails before any rotation changes),
    then the rotations in name order, removed rotations last (so an update that fails
    halfway leaves the schedule with more rotations, not fewer)."""
    plan: list[Request] = []
    patch = schedule_patch(current, desired)
    if patch:
        plan.append(UpdateSchedule(patch))
    have: dict[str, Rotation] = {}
    removed: list[Rotation] = []  # and the second of two of one name, which only the service can hold
    for rotation in current.rotations:
        if rotation.name in have:
            removed.append(rotation)
        elif rotation.id is not None:
            have[rotation.name] = rotation
    for rotation in desired.rotations:
        existing = have.pop(rotation.name, None)
        if existing is None:
            plan.append(CreateRotation(rotation))
        else:
            plan += rotation_requests(str(existing.id), existing, rotation)
    removed += have.values()
    plan += [DeleteRotation(r.id, r.name) for r in sorted(removed, key=lambda r: r.name) if r.id is not None]
    return plan


def not_kept(body: dict[str, Any], found: dict[str, Any], *, rotation: bool = False) -> Optional[dict[str, Any]]:
    """The fields of a request `body` that a schedule (or `rotation`) the API returned does
    not hold, with the values it holds instead; None when `found` cannot be read at all."""
    try:
        have = Rotation.model_validate(found).to_api() if rotation else parse_api_schedule(found).to_api()
    except ValidationError:
        return None
    if not rotation:
        have.setdefault("teamId", "")  # a global schedule's
    return {key: have.get(key) for key, value in body.items() if have.get(key) != value}


def schedule_holds(body: dict[str, Any], found: dict[str, Any]) -> bool:
    """Whether a schedule the API returned holds every field of a PATCH `body`."""
    return not_kept(body, found) == {}


def rotation_holds(body: dict[str, Any], found: dict[str, Any], *, exactly: bool = False) -> bool:
    """Whether a rotation the API returned holds every field of a PATCH `body` (`exactly`:
    and no other field, as a POST's rotation)."""
    if exactly:
        try:
            return Rotation.model_validate(found).to_api() == body
        except ValidationError:
            return False
    return not_kept(body, found, rotation=True) == {}


def updated_schedule(current: Schedule, patched: Optional[dict[str, Any]], rotations: list[Rotation]) -> Schedule:
    """The schedule after an update: its own fields from the PATCH's answer (or as they
    were), with `rotations` (as the service answered or, unchanged, as they were)."""
    fields = current if patched is None else parse_api_schedule(patched)
    return fields.model_copy(update={"id": current.id, "rotations": sorted(rotations, key=lambda r: r.name)})
