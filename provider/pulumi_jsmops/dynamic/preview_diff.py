"""What a preview shows of a schedule's update: the property paths the update changes.

Pulumi's Python SDK lets a dynamic provider say only whether a resource changes; the engine
then prints every input of a changed schedule, marking the changes, so an edit of one
rotation's participants lists every other rotation in full. A provider may instead hand the
engine a detailed diff, the paths that change (`host.py` adds it to the SDK's answer): the
preview then prints only those. The paths are those of the update's plan (`plan_update`),
so the preview shows exactly what `up` sends, in the inputs' words: `description`,
`rotations["weekly"].participants`, `rotations["holidays"]` (added or removed).

The engine prints each path's old value from the state's outputs (as the service holds
it) and its new value from the checked inputs, both in canonical form (dates in UTC).
"""

from __future__ import annotations

from typing import Literal

from ..api.models import Rotation, Schedule
from ..api.reserved_names import has_reserved_name
from .update_plan import CreateRotation, DeleteRotation, UpdateRotation, UpdateSchedule, plan_update

Kind = Literal["add", "delete", "update"]

_SCHEDULE_FIELDS = {field.alias or name: name for name, field in Schedule.model_fields.items()}
_ROTATION_FIELDS = {field.alias or name: name for name, field in Rotation.model_fields.items()}


def changed_paths(current: Schedule, desired: Schedule) -> dict[str, Kind]:
    """The property paths that the update of `current` (the service's, with ids) into `desired`
    changes, each with its kind; empty exactly when the schedules are the same. Rotations
    are addressed by name, unless the state holds them as a list (two of one name, or a
    name Pulumi reserves, made outside Pulumi) or a name cannot be written in a path: then
    `rotations` as a whole."""
    paths: dict[str, Kind] = {}
    have = {rotation.name: rotation for rotation in reversed(current.rotations)}  # the first of a name
    created: dict[str, Rotation] = {}
    deleted: set[str] = set()
    for request in plan_update(current, desired):
        if isinstance(request, UpdateSchedule):
            for key in request.body:
                field = _SCHEDULE_FIELDS[key]
                before, after = getattr(current, field), getattr(desired, field)
                paths[field] = "add" if before is None else "delete" if after is None else "update"
        elif isinstance(request, CreateRotation):
            created[request.rotation.name] = request.rotation
        elif isinstance(request, DeleteRotation):
            deleted.add(request.name)
        elif isinstance(request, UpdateRotation):
            old = have[request.rotation.name].to_api()
            for key in request.body:
                paths[f"{_rotation_path(request.rotation.name)}.{_ROTATION_FIELDS[key]}"] = (
                    "update" if key in old else "add")
    names = [rotation.name for rotation in current.rotations]
    if len(set(names)) < len(names) or has_reserved_name(names) or any(
            "\\" in name for name in [*names, *(rotation.name for rotation in desired.rotations)]):
        own = {path: kind for path, kind in paths.items() if not path.startswith("rotations")}
        return {**own, **({"rotations": "update"} if created or deleted or len(own) < len(paths) else {})}
    for name in created.keys() - deleted:
        paths[_rotation_path(name)] = "add"
    for name in deleted - created.keys():
        paths[_rotation_path(name)] = "delete"
    for name in created.keys() & deleted:  # replaced: a field the contract cannot clear was left out
        old, new = have[name].to_api(), created[name].to_api()
        for key in old.keys() | new.keys():
            if old.get(key) != new.get(key):
                kind: Kind = "add" if key not in old else "delete" if key not in new else "update"
                paths[f"{_rotation_path(name)}.{_ROTATION_FIELDS[key]}"] = kind
    return paths


def _rotation_path(name: str) -> str:
    """`rotations["<name>"]`, as Pulumi parses a property path (a quote escaped by a backslash)."""
    escaped = name.replace('"', '\\"')
    return f'rotations["{escaped}"]'
