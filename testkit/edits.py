"""Variants of test data: one value replaced or removed at a dotted path."""

from __future__ import annotations

import copy
from typing import Any


def replaced(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of `data` with the value at `path` (e.g. "rotations.0.length", list
    indexes as numbers) replaced, or removed when `value` is `...`."""
    result = copy.deepcopy(data)
    *parents, last = [int(part) if part.isdigit() else part for part in path.split(".")]
    target: Any = result
    for part in parents:
        target = target[part]
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return result
