"""Which schedules a stack may take as its own.

A stack owns exactly the schedules it created, imported (`jsmops import`) or recovered from
its own interrupted creates (`jsmops recover`). A schedule found by name is taken as this
stack's only with evidence of a create of its own whose answer was lost (the client's retry
of that very create, or a pending create the engine recorded), and only when it is identical
to what that create sent. Otherwise it may be another stack's or a person's: a 409 is an error.

Schedule names may be secrets. The engine hands a dynamic provider every value in clear
(its Configure answers `acceptSecrets: False`, so the engine unwraps secrets before each
call), so the provider cannot tell a secret name from a plain one: no message here ever
contains a schedule name. Resources are named by their resource name, schedules by id.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import TYPE_CHECKING, Optional

from ..errors import JsmOpsError

if TYPE_CHECKING:
    from ..api.models import Schedule


def urn_resource_name(urn: str) -> str:
    """`urn:pulumi:dev::proj::pulumi-python:dynamic/jsmops:Schedule::support` -> `support`."""
    return urn.rsplit("::", 1)[-1]


def urn_type(urn: str) -> str:
    """`urn:pulumi:dev::proj::<parent type>$pulumi-python:dynamic/jsmops:Schedule::support` -> the resource's type."""
    parts = urn.split("::")
    return parts[2].rsplit("$", 1)[-1] if len(parts) > 3 else ""


def urn_stack_name(urn: Optional[str]) -> str:
    """The stack of a URN, or a placeholder when the URN is not known."""
    if urn and urn.startswith("urn:pulumi:"):
        return urn.removeprefix("urn:pulumi:").split("::", 1)[0]
    return "<stack>"


def is_exactly(desired: "Schedule", found: Optional["Schedule"]) -> bool:
    """Whether a schedule the API returned (None: one that cannot be read) has the name and
    every setting of `desired`: only then may a create whose answer was lost take it."""
    from .update_plan import is_same_schedule

    return found is not None and is_same_schedule(found, desired)


class NameRegistry:
    """The schedule names claimed by the resources of one stack run (a name is any key: the
    provider claims (site, name), as names are unique per site).

    The engine starts one provider process per run, so one registry per process is one per
    run; two stacks run in one process (Automation API) still each get their own process.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_name: dict[Hashable, str] = {}
        self._by_urn: dict[str, Hashable] = {}

    def claim(self, name: Hashable, urn: str) -> Optional[str]:
        """Claims `name` for the resource `urn`; answers the URN of another resource of this
        run that claimed it first, if any (then nothing changes)."""
        with self._lock:
            holder = self._by_name.get(name)
            if holder is not None and holder != urn:
                return holder
            previous = self._by_urn.get(urn)
            if previous is not None and previous != name:
                del self._by_name[previous]  # this resource's name changed within the run
            self._by_name[name], self._by_urn[urn] = urn, name
            return None

    def is_declared(self, urn: str) -> bool:
        """Whether the resource `urn` has claimed a name in this run (the program declares it)."""
        with self._lock:
            return urn in self._by_urn


def duplicate_name_message(first_urn: str, second_urn: str) -> str:
    return (
        f"Schedule resources '{urn_resource_name(first_urn)}' and '{urn_resource_name(second_urn)}' have the "
        "same name; schedule names are unique in a site, so each resource needs its own"
    )


class NameTakenError(JsmOpsError):
    """A create was refused because a schedule of that name exists, which this stack did not create."""

    def __init__(self, existing_id: Optional[str], urn: Optional[str]):
        stack = urn_stack_name(urn)
        where = f" (id {existing_id})" if existing_id else ""
        its_id = existing_id or "<its id>"
        super().__init__(
            f"name: a schedule of this name already exists{where}, and this stack did not create it, "
            "so nothing was changed. If it is this resource under an earlier resource name, declare that "
            "name in `aliases` (pulumi.ResourceOptions(aliases=[pulumi.Alias(name=...)])); if it was made "
            f"outside this stack, bring it in with `jsmops import --stack {stack} --id {its_id}` instead of "
            "declaring it anew; if an earlier `pulumi up` was interrupted while creating it, run "
            f"`jsmops recover --stack {stack}`"
        )


class RenamedResourceError(JsmOpsError):
    """A create was refused because the schedule of that name is this stack's already, under
    the resource's earlier name: the program renamed the resource without an alias."""

    def __init__(self, existing_id: str, earlier_urn: str, urn: str):
        earlier, now = urn_resource_name(earlier_urn), urn_resource_name(urn)
        super().__init__(
            f"name: schedule {existing_id} of this name is this stack's resource '{earlier}', which the program no "
            f"longer declares: the resource was renamed to '{now}', and Pulumi takes a new resource name for a new "
            f"resource, so nothing was changed. Give '{now}' its earlier name as an alias, "
            f"`opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(name=\"{earlier}\")])`, and `pulumi up` keeps "
            "the schedule (and its rotations' ids) under the new name"
        )
