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

Every question of sameness comes down to one comparison (`differing`): the plan is empty
exactly when the schedules are the same (`is_same_schedule`), and an answer of the service
holds a request when none of the request's fields differ in it (`not_kept`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Union

from ..api.models import Rotation, Schedule

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


def differing(want: dict[str, Any], have: dict[str, Any]) -> list[str]:
    """The keys of `want` (API fields) whose value `have` does not hold."""
    return [key for key, value in want.items() if have.get(key) != value]


def schedule_fields(schedule: Schedule) -> dict[str, Any]:
    """The schedule's own fields as its PATCH carries them: a global schedule's team as
    `teamId: ""`, and `timezone` only when it names one (else it is the service's to pick)."""
    fields: dict[str, Any] = {}
    for field in SCHEDULE_FIELDS:
        value = getattr(schedule, field)
        if not (field == "timezone" and value is None):
            fields[Schedule.model_fields[field].alias or field] = "" if value is None else value
    return fields


def schedule_patch(current: Schedule, desired: Schedule) -> dict[str, Any]:
    """The API body of the schedule's own fields that differ; empty when none does.

    A left-out `timezone` is the service's to pick, so it is no change; a left-out
    `team_id` makes the schedule global, which the API takes as `teamId: ""`.
    """
    want = schedule_fields(desired)
    return {key: want[key] for key in differing(want, schedule_fields(current))}


def rotation_patch(current: Rotation, desired: Rotation) -> Optional[dict[str, Any]]:
    """The API body of the rotation's fields that differ (empty when none does), or None
    when `desired` leaves out a field `current` has, which only a replacement can clear."""
    if current.is_replaced_by(desired):
        return None
    want = desired.to_api()
    return {key: want[key] for key in differing(want, current.to_api())}


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


def is_same_schedule(current: Schedule, desired: Schedule) -> bool:
    """Whether `current` is `desired` as far as the service goes: no request would change it."""
    return not plan_update(current, desired)


def is_same_rotation(current: Rotation, desired: Rotation) -> bool:
    """Whether `current` has every field of `desired` and no other (ids aside)."""
    return rotation_patch(current, desired) == {}


def not_kept(body: dict[str, Any], held: Union[Schedule, Rotation]) -> dict[str, Any]:
    """The fields of a request `body` that a schedule (or rotation) as the service answered
    it does not hold, with the values it holds instead."""
    have = schedule_fields(held) if isinstance(held, Schedule) else held.to_api()
    return {key: have.get(key) for key in differing(body, have)}


def holds(body: dict[str, Any], held: Union[Schedule, Rotation]) -> bool:
    """Whether a schedule (or rotation) as the service answered it holds every field of `body`."""
    return not not_kept(body, held)


def updated_schedule(current: Schedule, patched: Optional[Schedule], rotations: list[Rotation]) -> Schedule:
    """The schedule after an update: its own fields from the PATCH's answer (or as they
    were), with `rotations` (as the service answered or, unchanged, as they were)."""
    fields = current if patched is None else patched
    return fields.model_copy(update={"id": current.id, "rotations": sorted(rotations, key=lambda r: r.name)})
