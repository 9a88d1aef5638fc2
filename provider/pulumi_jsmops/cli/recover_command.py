"""`jsmops recover`: settle the schedule operations of an interrupted `pulumi up` or
`pulumi destroy`, from the evidence the engine kept.

When a run dies while creates, updates or deletes are in flight, the engine keeps each of
them in the state as a pending operation (`creating` with the resource's inputs, `updating`
or `deleting` of a resource the state holds), and no later run settles them as they were:
the next `up` drops them. The service may have done any of them without the engine hearing
of it. So, for each pending operation of a Schedule:

- a create: the schedule of that name is looked up; if it has exactly the name and settings
  of the pending create, it is that create's and goes into the state as the resource;
  otherwise (absent, or different: someone else's) the pending create is dropped and
  nothing is taken over. Nothing else is ever brought in;
- an update or a delete: the schedule is read by its id, as a refresh reads it; gone, it
  leaves the state; there, the state holds it as the service does (the next `up` makes it
  what the program says).

The state is edited through `pulumi stack export` and `pulumi stack import`: the CLI's
own `refresh --import-pending-creates` (v3.259) marks the operations as imports, but no
refresh then turns them into resources, so they are lost. `stack import` drops every
pending operation, so a stack with pending operations of other resources is left alone.

A `pulumi` command running on the stack meanwhile is never overwritten: the state is
exported again after the lookups and must not have changed, and `stack import` takes the
stack's lock (every backend's ImportDeployment does), so it fails while an `up`,
`refresh` or `destroy` holds it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional

from ..dynamic.base import PROVIDER_KEY, AnswerReader, site_of, user_inputs, with_site, without_site
from ..dynamic.ownership import is_exactly, urn_resource_name
from ..errors import JsmOpsError, NotFoundError
from ..schedule import SCHEDULE_TYPE
from .stack import PulumiStack

if TYPE_CHECKING:
    from ..api.client import Client

# How a secret looks in `pulumi stack export --show-secrets`.
_SECRET_KEY, _SECRET_SIG = "4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270"


class RecoveryFailed(JsmOpsError):
    """Recovery could not be done; the stack is as it was."""


@dataclass
class Recovery:
    """What `recover` did, by URN: the pending creates brought in (with their schedule's id)
    and those dropped (with the id of a different schedule of that name, if there is one);
    the resources of pending updates and deletes whose schedule is gone (`removed`) or was
    read back (`read_back`)."""

    recovered: dict[str, str] = field(default_factory=dict)
    dropped: dict[str, Optional[str]] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    read_back: list[str] = field(default_factory=list)


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
    resource, with the id and outputs it never heard of."""
    return {**pending, "id": schedule_id, "outputs": state_outputs(pending["inputs"], outputs)}


def state_outputs(inputs: dict[str, Any], outputs: dict[str, Any]) -> dict[str, Any]:
    """A resource's outputs as the state keeps them: with the serialized provider, and each
    output whose input holds a secret kept secret, as the engine does."""
    outs = {key: _as_secret(value) if _contains_secret(inputs.get(key)) else value for key, value in outputs.items()}
    outs[PROVIDER_KEY] = inputs[PROVIDER_KEY]
    return outs


Json = dict[str, Any]


def plan(deployment: Json, find: Callable[[str, Optional[str]], Optional[Json]]) -> tuple[Recovery, list[Json]]:
    """Decides each pending create of a Schedule; answers the decisions and the resources
    to add to the state. `find(name, site)` is the site's schedule of that name, or None."""
    from ..api.models import parse_api_schedule, parse_user_schedule

    recovery, resources = Recovery(), []
    for operation in deployment.get("pending_operations") or []:
        pending = operation["resource"]
        if not _is_schedule_create(operation):
            continue
        inputs = user_inputs(reveal(pending.get("inputs") or {}))
        site = site_of(inputs)
        desired = parse_user_schedule(without_site(inputs))
        found = find(desired.name, site)
        schedule = None if found is None else AnswerReader(parse_api_schedule)(found)
        if schedule is not None and is_exactly(desired, schedule):
            resources.append(recovered_resource(pending, str(schedule.id), with_site(schedule.to_outputs(), site)))
            recovery.recovered[pending["urn"]] = str(schedule.id)
        else:
            recovery.dropped[pending["urn"]] = found.get("id") if found else None
    return recovery, resources


def _is_schedule_create(operation: Json) -> bool:
    return operation.get("type") == "creating" and operation["resource"].get("type") == SCHEDULE_TYPE


def _is_schedule_change(operation: Json) -> bool:
    """A pending update or delete of a schedule the state holds."""
    return operation.get("type") in ("updating", "deleting") and operation["resource"].get("type") == SCHEDULE_TYPE


def settle_changes(deployment: Json, get: Callable[[str, Optional[str]], Optional[Json]],
                   recovery: Recovery) -> list[Json]:
    """The state's resources once its pending updates and deletes of schedules are settled
    against the service (`get(id, site)`: the schedule, None when it is gone), noted in `recovery`."""
    from ..api.models import parse_api_schedule

    resources = list(deployment.get("resources") or [])
    for operation in deployment.get("pending_operations") or []:
        if not _is_schedule_change(operation):
            continue
        pending = operation["resource"]
        at = _resource_of(resources, pending)
        held = resources[at] if at is not None else pending
        schedule_id = held.get("id")
        if not schedule_id:
            continue  # no schedule to settle: the state holds none
        site = site_of(reveal(held.get("outputs") or held.get("inputs") or {}))
        found = get(str(schedule_id), site)
        if found is None:  # the service no longer has it: neither does the state
            if at is not None:
                del resources[at]
            recovery.removed.append(pending["urn"])
            continue
        schedule = AnswerReader(parse_api_schedule)(found)
        if schedule is None:
            raise RecoveryFailed(f"'{urn_resource_name(pending['urn'])}': schedule {schedule_id} as the service "
                                 "holds it cannot be declared with this provider; change it on the service, "
                                 "then run `jsmops recover` again")
        entry = {**held, "outputs": state_outputs(held["inputs"], with_site(schedule.to_outputs(), site))}
        if at is None:
            resources.append(entry)
        else:
            resources[at] = entry
        recovery.read_back.append(pending["urn"])
    return resources


def _resource_of(resources: list[Json], pending: Json) -> Optional[int]:
    """Where the state holds the resource of a pending operation: same URN, and same id when
    the operation has one (the engine records some updates without it)."""
    for index, resource in enumerate(resources):
        if resource.get("urn") == pending.get("urn") and pending.get("id") in (None, "", resource.get("id")):
            return index
    return None


def others_pending(deployment: dict[str, Any]) -> list[str]:
    """Pending operations that are not creates, updates or deletes of schedules, as `type urn`."""
    return [f"{op.get('type')} {op['resource'].get('urn')}" for op in deployment.get("pending_operations") or []
            if not (_is_schedule_create(op) or _is_schedule_change(op))]


def run_recover(stack: str, project_dir: Path, progress: Callable[[str], None] = print) -> Recovery:
    """Settles the pending operations of schedules in `stack`; see the module docstring."""
    pulumi = PulumiStack(stack, project_dir, failure=RecoveryFailed)
    export = pulumi.export(secrets=True)
    deployment = export.get("deployment") or {}
    operations = deployment.get("pending_operations") or []
    if not any(_is_schedule_create(op) or _is_schedule_change(op) for op in operations):
        progress(f"stack '{stack}' has no pending creates, updates or deletes of schedules: nothing to recover")
        return Recovery()
    if others := others_pending(deployment):
        raise RecoveryFailed(
            f"stack '{stack}' also has pending operations of other resources ({', '.join(others)}); "
            "resolve them first (`pulumi refresh` asks about each), then run `jsmops recover` again"
        )
    with pulumi.config().clients() as clients:  # each schedule on the site its inputs name
        recovery, created = plan(deployment, lambda name, site: clients(site).find_schedule_by_name(name))
        resources = settle_changes(deployment, lambda schedule_id, site: _schedule_or_none(clients(site), schedule_id),
                                   recovery)
    if pulumi.export(secrets=True).get("deployment") != deployment:
        raise RecoveryFailed(f"stack '{stack}' changed while `jsmops recover` read the service (a `pulumi` "
                             "command ran on it): nothing was changed; run `jsmops recover` again once it is done")
    edited = {**export, "deployment": {**deployment, "resources": [*resources, *created], "pending_operations": []}}
    try:
        # Through stdin: the export holds the stack's secrets in clear, which never touch a disk.
        pulumi.run("stack", "import", stdin=json.dumps(edited))
    except RecoveryFailed as exc:
        if "locked" not in str(exc):
            raise
        raise RecoveryFailed(f"stack '{stack}' is locked: a `pulumi` command is running on it (if one was "
                             "killed, `pulumi cancel` drops its lock): nothing was changed; run `jsmops recover` "
                             "again once it is done") from None
    _report(recovery, progress)
    return recovery


def _schedule_or_none(client: Client, schedule_id: str) -> Optional[Json]:
    try:
        return client.get_schedule(schedule_id)
    except NotFoundError:
        return None


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
    for urn in recovery.removed:
        progress(f"'{urn_resource_name(urn)}': its schedule is gone (an interrupted delete was done): "
                 "dropped from the stack")
    for urn in recovery.read_back:
        progress(f"'{urn_resource_name(urn)}': its interrupted change was read back: the stack holds the "
                 "schedule as the service does, and `pulumi up` makes it what the program says")
