"""Rotation names that cannot be keys of a Pulumi object.

Rotations are keyed by name where Pulumi sees them (a Schedule's inputs and outputs, the
state, an override's hidden `schedule_rotations`), so a name becomes an object key, and
Pulumi gives some keys a meaning at any depth:

- `4dabf18193072939515e22adb298388d`, the signature key of Pulumi's property maps: an object
  holding it is read as a secret, asset, archive or resource reference, and any other object
  under it fails the engine ("unrecognized signature"): a program's preview, or a refresh
  of the whole stack.
- keys starting with `__`, Pulumi's internal keys: the engine's previews and diffs hide
  them (a rotation named so would change unseen), and `__provider` holds the dynamic
  provider of a resource.

A program may not declare such a name (`reserved_name_reason`, checked at preview). A
rotation named so on the service is read back, but the rotations of its schedule then stay a
list, each with its `name` as a value (`has_reserved_name`), as for two rotations of one name.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Optional

# Pulumi's property-map signature key (`SigKey` in its Go SDK, `_special_sig_key` in the
# Python SDK's runtime/rpc.py) and the dynamic provider's key (`PROVIDER_KEY` in the SDK's
# dynamic/dynamic.py): part of its wire and state formats.
SIGNATURE_KEY = "4dabf18193072939515e22adb298388d"
PROVIDER_KEY = "__provider"
INTERNAL_PREFIX = "__"


def reserved_name_reason(name: str) -> Optional[str]:
    """Why a program may not name a rotation `name`, or None when it may."""
    if name == SIGNATURE_KEY:
        return (f"{name!r} is reserved: it is Pulumi's signature key, which marks a secret, asset or resource "
                "reference in its state; rename the rotation")
    if name == PROVIDER_KEY:
        return (f"{name!r} is reserved: Pulumi keeps a dynamic resource's provider under this key, and hides keys "
                "starting with '__' from previews; rename the rotation")
    if name.startswith(INTERNAL_PREFIX):
        return (f"{name!r} is reserved: names starting with '__' are Pulumi's internal keys, which its previews "
                "hide; rename the rotation")
    return None


def has_reserved_name(names: Iterable[Any]) -> bool:
    """Whether any of these names (those that are strings) is reserved."""
    return any(isinstance(name, str) and reserved_name_reason(name) is not None for name in names)
