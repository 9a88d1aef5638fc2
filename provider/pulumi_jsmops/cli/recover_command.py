"""`jsmops recover`: finish the schedule creates of an interrupted `pulumi up`, from the
evidence the engine kept.

When an `up` dies while creates are in flight, the engine keeps each of them in the state
as a pending operation (type `creating`, with the resource's inputs), and no later run
clears it. A create may have been done by the service without the engine hearing of it.
For each pending create of a Schedule, the schedule of that name is looked up: if it has
exactly the name and settings of the pending create, it is that create's and goes into the
state as the resource; otherwise (absent, or different: someone else's) the pending create
is dropped and nothing is taken over. Nothing else is ever brought in.

The state is edited through `pulumi stack export` and `pulumi stack import`: the CLI's
own `refresh --import-pending-creates` (v3.259) marks the operations as imports, but no
refresh then turns them into resources, so they are lost. `stack import` drops every
pending operation, so a stack with pending operations of other resources is left alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

from ..dynamic.base import PROVIDER_KEY, AnswerReader, user_inputs
from ..dynamic.ownership import is_exactly, urn_resource_name
from ..errors import JsmOpsError
from ..schedule import SCHEDULE_TYPE
from .stack import PulumiStack

# How a secret looks in `pulumi stack export --show-secrets`.
_SECRET_KEY, _SECRET_SIG = "4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270"


class RecoveryFailed(JsmOpsError):
    """Recovery could not be done; the stack is as it was."""


@dataclass
class Recovery:
    """What `recover` did, by URN: the pending creates brought in (with their schedule's id)
    and those dropped (with the id of a different schedule of that name, if there is one)."""

    recovered: dict[str, str] = field(default_factory=dict)
    dropped: dict[str, Optional[str]] = field(default_factory=dict)


def _is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(_SECRET_KEY) == _SECRET_SIG


def _contains_secret(value: Any) -> bool:
    if _is_secret(value):
        return True
    if isinstance(value, dict):
        return any(_contains_secret(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_secret(v) for v in value)
    return False


def reveal(value: Any) -> Any:
    """A value of a `--show-secrets` export with its secrets as plain values."""
    if _is_secret(value):
        return reveal(json.loads(value["plaintext"]))
    if isinstance(value, dict):
        return {k: reveal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [reveal(v) for v in value]
    return value


def _as_secret(value: Any) -> dict[str, Any]:
    return {_SECRET_KEY: _SECRET_SIG, "plaintext": json.dumps(value)}


def recovered_resource(pending: dict[str, Any], schedule_id: str, outputs: dict[str, Any]) -> dict[str, Any]:
    """The state entry of a pending create found done: the engine's own record of the
    resource, with the id and outputs it never heard of. An output whose input holds a
    secret is kept secret, as the engine does."""
    inputs = pending["inputs"]
    outs = {key: _as_secret(value) if _contains_secret(inputs.get(key)) else value for key, value in outputs.items()}
    outs[PROVIDER_KEY] = inputs[PROVIDER_KEY]
    return {**pending, "id": schedule_id, "outputs": outs}


Json = dict[str, Any]


def plan(deployment: Json, find: Callable[[str], Optional[Json]]) -> tuple[Recovery, list[Json]]:
    """Decides each pending create of a Schedule; answers the decisions and the resources
    to add to the state. `find(name)` is the service's schedule of that name, or None."""
    from ..api.models import parse_api_schedule, parse_user_schedule

    recovery, resources = Recovery(), []
    for operation in deployment.get("pending_operations") or []:
        pending = operation["resource"]
        if not _is_schedule_create(operation):
            continue
        desired = parse_user_schedule(user_inputs(reveal(pending.get("inputs") or {})))
        found = find(desired.name)
        schedule = None if found is None else AnswerReader(parse_api_schedule)(found)
        if schedule is not None and is_exactly(desired, schedule):
            resources.append(recovered_resource(pending, str(schedule.id), schedule.to_outputs()))
            recovery.recovered[pending["urn"]] = str(schedule.id)
        else:
            recovery.dropped[pending["urn"]] = found.get("id") if found else None
    return recovery, resources


def _is_schedule_create(operation: Json) -> bool:
    return operation.get("type") == "creating" and operation["resource"].get("type") == SCHEDULE_TYPE


def others_pending(deployment: dict[str, Any]) -> list[str]:
    """Pending operations that are not creates of schedules, as `type urn`."""
    return [f"{op.get('type')} {op['resource'].get('urn')}" for op in deployment.get("pending_operations") or []
            if not _is_schedule_create(op)]


def run_recover(stack: str, project_dir: Path, progress: Callable[[str], None] = print) -> Recovery:
    """Recovers the pending creates of schedules in `stack`; see the module docstring."""
    pulumi = PulumiStack(stack, project_dir, failure=RecoveryFailed)
    export = pulumi.export(secrets=True)
    deployment = export.get("deployment") or {}
    if not any(_is_schedule_create(op) for op in deployment.get("pending_operations") or []):
        progress(f"stack '{stack}' has no pending creates of schedules: nothing to recover")
        return Recovery()
    if others := others_pending(deployment):
        raise RecoveryFailed(
            f"stack '{stack}' also has pending operations of other resources ({', '.join(others)}); "
            "resolve them first (`pulumi refresh` asks about each), then run `jsmops recover` again"
        )
    with pulumi.config().client() as client:
        recovery, resources = plan(deployment, client.find_schedule_by_name)
    deployment["resources"] = [*(deployment.get("resources") or []), *resources]
    deployment["pending_operations"] = []
    # Through stdin: the export holds the stack's secrets in clear, which never touch a disk.
    pulumi.run("stack", "import", stdin=json.dumps(export))
    _report(recovery, progress)
    return recovery


def _report(recovery: Recovery, progress: Callable[[str], None]) -> None:
    for urn, schedule_id in recovery.recovered.items():
        progress(f"'{urn_resource_name(urn)}': its interrupted create had made schedule {schedule_id}, "
                 "now in the stack")
    for urn, other_id in recovery.dropped.items():
        if other_id is None:
            progress(f"'{urn_resource_name(urn)}': its interrupted create made nothing; `pulumi up` creates it")
        else:
            progress(f"'{urn_resource_name(urn)}': the schedule of its name ({other_id}) has other settings, "
                     "so it was not made by this stack and is not taken over")
