"""Secret values in what `jsmops impact` and `jsmops oncall` read, used to compute and
never shown.

Pulumi marks a secret in the state as an object with its signature key: `ciphertext`
(encrypted), or `plaintext` (JSON text) when exported with `--show-secrets`. A preview's
JSON shows every secret as the string `[secret]`, whatever its flags; the plan that
`pulumi preview --save-plan FILE --show-secrets` writes holds them in plaintext. So a
preview's secrets are filled in from that plan (the new inputs) and from the stack's state
(the old inputs and outputs), path by path.

What the reports would show of a secret value (a participant id, a schedule or rotation
name) is shown as `[secret 1]`, `[secret 2]`, ... instead: the same number for the same
value, so that different people stay apart. A schedule whose time zone is secret has its
times shown in UTC.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..api.reserved_names import SIGNATURE_KEY
from ..oncall.assessment import Labels
from ..override import OVERRIDE_TYPE
from ..schedule import SCHEDULE_TYPE

if TYPE_CHECKING:
    from .stack import PulumiStack

OUR_TYPES = (SCHEDULE_TYPE, OVERRIDE_TYPE)
SHOWN = "[secret]"  # a secret as `pulumi preview --json` shows it
# Why a secret of a saved preview is not shown, and what to do about it.
SAVED_UNSHOWN = "a saved preview never does: run `jsmops impact` without --preview"


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and SIGNATURE_KEY in value


def holds_secret(value: Any) -> bool:
    """Whether a value is, or holds at any depth, a secret (or its `[secret]` placeholder)."""
    if isinstance(value, dict):
        return is_secret(value) or any(holds_secret(v) for v in value.values())
    if isinstance(value, list):
        return any(holds_secret(v) for v in value)
    return bool(value == SHOWN)


class Secrets:
    """The secret values met so far (every string within them), and how each is shown."""

    def __init__(self, unshown: str = SAVED_UNSHOWN) -> None:
        self.unshown = unshown  # why a preview's secret may stay `[secret]`, and what to do
        self.values: set[str] = set()
        self._shown: dict[str, str] = {}

    def reveal(self, value: Any) -> Any:
        """`value` with every plaintext secret replaced by what it holds (and remembered);
        one still encrypted becomes `[secret]`."""
        if is_secret(value):
            if "plaintext" not in value:
                return SHOWN
            inner = json.loads(value["plaintext"])
            self.values.update(_strings(inner))
            return self.reveal(inner)
        if isinstance(value, dict):
            return {k: self.reveal(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.reveal(v) for v in value]
        return value

    def fill(self, masked: Any, clear: Any) -> Any:
        """`masked` (a preview's) with each `[secret]` taken from the same path of `clear`
        (a plan's, secrets in plaintext, or the state's, revealed already), where it has one."""
        if masked == SHOWN and clear is not None:
            return self.reveal(clear)
        if isinstance(masked, dict) and isinstance(clear, dict):
            return {k: self.fill(v, clear.get(k)) for k, v in masked.items()}
        if isinstance(masked, list) and isinstance(clear, list) and len(masked) == len(clear):
            return [self.fill(m, c) for m, c in zip(masked, clear, strict=True)]
        return masked

    def shown(self, text: str) -> str:
        """`text` as the reports show it: `[secret N]` when it is a secret value."""
        if text not in self.values:
            return text
        return self._shown.setdefault(text, f"[secret {len(self._shown) + 1}]")

    def concealed(self, text: str) -> str:
        """`text` (a sentence of a report, e.g. a cause) with every secret value in it, as a whole
        word or more, shown as `[secret N]`; where a secret is also a common word, that word too."""
        values = sorted(filter(None, self.values), key=len, reverse=True)  # one pass: the longest first
        if not values:
            return text
        pattern = r"(?<!\w)(?:" + "|".join(map(re.escape, values)) + r")(?!\w)"
        return re.sub(pattern, lambda found: self.shown(found.group(0)), text)

    def labels(self, labels: Labels, ids: Iterable[str]) -> Labels:
        """The participants' labels, with every secret id among `ids` that the stack config
        does not name labelled `[secret N]`."""
        return {**{i: self.shown(i) for i in ids if i in self.values and i not in labels}, **labels}


def _strings(value: Any) -> Iterable[str]:
    """The strings a value holds, and the keys of its objects of objects (rotations keyed by name)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        named = all(isinstance(item, dict) for item in value.values())
        for key, item in value.items():
            if named:
                yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def read_state(stack: PulumiStack, secrets: Secrets) -> dict[str, Any]:
    """The stack's state; when its schedules or overrides hold secrets, with those revealed
    (read with `--show-secrets`, never shown)."""
    state: dict[str, Any] = stack.export()
    if not any(holds_secret(r) for r in _ours(state)):
        return state
    state = stack.export(secrets=True)
    deployment = state.get("deployment") or {}
    deployment["resources"] = [secrets.reveal(r) if r.get("type") in OUR_TYPES else r
                               for r in deployment.get("resources") or []]
    return state


def _ours(state: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in state.get("deployment", {}).get("resources") or [] if r.get("type") in OUR_TYPES]
