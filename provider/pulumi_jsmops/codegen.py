"""Python source of `jsmops.Schedule(...)` declarations, for `jsmops import`.

The code is written the way a person would write it: keyword arguments, `...Args` calls
for rotations and participants, literals for the rest, values in their canonical form.
"""

from __future__ import annotations

import keyword
import re
from typing import Any

from .models import Schedule

INDENT = "    "
# Inputs left out of the code when they have these (default) values.
_DEFAULTS = {"description": "", "enabled": True, "length": 1, "participants": []}


def resource_name(schedule_name: str, taken: set[str]) -> str:
    """A Python identifier made from a schedule's name, unlike any in `taken` (then added
    to it): "Support Schedule" -> "support_schedule", then "support_schedule_2"."""
    base = re.sub(r"[^0-9a-zA-Z]+", "_", schedule_name).strip("_").lower() or "schedule"
    if base[0].isdigit() or keyword.iskeyword(base) or base == "jsmops":  # the module's own import
        base = f"schedule_{base}"
    name, number = base, 1
    while name in taken:
        number += 1
        name = f"{base}_{number}"
    taken.add(name)
    return name


def module_header(origin: str) -> str:
    return (
        f'"""Schedules imported with `jsmops import` from {origin}.\n\n'
        "Edit them like any other resource: `pulumi up` applies the changes.\n"
        '"""\n\n'
        "import pulumi_jsmops as jsmops\n"
    )


def declaration(name: str, schedule: Schedule) -> str:
    """`name = jsmops.Schedule("name", ...)` for one schedule."""
    inputs = _without_defaults(schedule.to_inputs())
    rotations = [_without_defaults(rotation) for rotation in inputs.pop("rotations")]
    arguments = [repr(name)] + [f"{key}={_literal(value, 1)}" for key, value in inputs.items()]
    if rotations:
        arguments.append(f"rotations=[\n{''.join(_rotation(r) for r in rotations)}{INDENT}]")
    body = "".join(f"{INDENT}{argument},\n" for argument in arguments)
    return f"\n{name} = jsmops.Schedule(\n{body})\n"


def _rotation(rotation: dict[str, Any]) -> str:
    lines = []
    for key, value in rotation.items():
        if key == "participants":
            calls = "".join(
                f"{INDENT * 4}jsmops.ParticipantArgs({', '.join(f'{k}={v!r}' for k, v in p.items())}),\n"
                for p in value
            )
            value_code = f"[\n{calls}{INDENT * 3}]" if value else "[]"
        else:
            value_code = _literal(value, 3)
        lines.append(f"{INDENT * 3}{key}={value_code},\n")
    return f"{INDENT * 2}jsmops.RotationArgs(\n{''.join(lines)}{INDENT * 2}),\n"


def _literal(value: Any, depth: int) -> str:
    """A Python literal, dicts and lists of dicts spread over lines."""
    if isinstance(value, dict):
        items = "".join(f"{INDENT * (depth + 1)}{k!r}: {_literal(v, depth + 1)},\n" for k, v in value.items())
        return f"{{\n{items}{INDENT * depth}}}"
    if isinstance(value, list) and any(isinstance(v, dict) for v in value):
        items = "".join(f"{INDENT * (depth + 1)}{_literal(v, depth + 1)},\n" for v in value)
        return f"[\n{items}{INDENT * depth}]"
    return repr(value)


def _without_defaults(inputs: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in inputs.items() if _DEFAULTS.get(key, ...) != value}
