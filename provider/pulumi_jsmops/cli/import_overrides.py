"""`jsmops import --overrides`: the ongoing and future overrides of the selected schedules,
brought in beside them, as code and in the state.

An override of a schedule imported in the same run is declared on that schedule's
resource (`schedule_id=support.id`: its rotation names are checked at preview and resolved
without a request); one of a schedule the stack already has, on its id. An override whose
rotations the schedule no longer has cannot be declared: the import fails before the stack
is touched. Overrides the stack holds already (by alias) are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional

from pulumi.dynamic.dynamic import serialize_provider
from pydantic import ValidationError

from ..api.client import Client
from ..api.models import Schedule, described_problems
from ..api.overrides import Override, parse_api_override
from ..dynamic.base import PROVIDER_KEY, with_site
from ..dynamic.override_plan import names_by_id, with_hidden
from ..dynamic.ownership import urn_resource_name
from ..errors import JsmOpsError, NotFoundError
from ..override import OVERRIDE_TYPE, rotation_ids_by_name
from ..provider import ScheduleOverrideProvider
from ..schedule import SCHEDULE_TYPE
from . import codegen
from .output import counted

Json = dict[str, Any]


@dataclass(frozen=True)
class OverrideToImport:
    """An override to bring in: its resource name, the override (with its alias and rotation
    ids), the variable of its schedule in the generated module (None: declared by id), and
    the schedule's rotations as the program will know them (None: it will not)."""

    name: str
    override: Override
    schedule_variable: Optional[str]
    known_rotations: Optional[dict[str, Any]]


def fetch_overrides(client: Client, schedules: list[Json], progress: Callable[[str], None]) -> dict[str, list[Json]]:
    """The ongoing and future overrides of each schedule, by schedule id (one listing each)."""
    found: dict[str, list[Json]] = {}
    for schedule in schedules:
        try:
            found[schedule["id"]] = client.list_overrides(schedule["id"])
        except NotFoundError:
            found[schedule["id"]] = []  # deleted meanwhile: it has none
    progress(f"read the overrides of {counted(len(schedules), 'schedule')}: {sum(map(len, found.values()))}")
    return found


def unmanaged_overrides(found: dict[str, list[Json]], schedules: list[Json], imported: list[tuple[str, Schedule]],
                        state: Json, failure: type[JsmOpsError],
                        progress: Callable[[str], None], declared: set[str]) -> list[OverrideToImport]:
    """The overrides the stack does not hold yet, each with a resource name of its own:
    none the state, the imported schedules or the program (`declared`) uses."""
    resources = state.get("deployment", {}).get("resources") or []
    held = {(r.get("outputs") or {}).get("alias") for r in resources if r.get("type") == OVERRIDE_TYPE}
    managed_schedules = {r.get("id"): urn_resource_name(r["urn"]) for r in resources if r.get("type") == SCHEDULE_TYPE}
    taken = {urn_resource_name(r["urn"]) for r in resources} | {name for name, _ in imported} | declared
    imported_now = {str(schedule.id): (name, schedule) for name, schedule in imported}
    result = []
    for schedule in schedules:
        schedule_id = schedule["id"]
        variable, model = imported_now.get(schedule_id, (None, None))
        owner = variable or managed_schedules.get(schedule_id, "schedule")
        for item in found.get(schedule_id, []):
            if item.get("alias") in held:
                progress(f"override {item.get('alias')} of schedule {schedule_id} is already in the stack: skipped")
                continue
            override = declarable_override(item, schedule, failure)
            result.append(OverrideToImport(
                codegen.new_override_name(owner, override, taken), override, variable,
                None if model is None else rotation_ids_by_name(model.to_outputs()["rotations"])))
    return result


def declarable_override(item: Json, schedule: Json, failure: type[JsmOpsError]) -> Override:
    """An override as the API lists it, as a program declares it (rotation ids as names)."""
    try:
        held = parse_api_override(item)
    except ValidationError as exc:
        raise failure(f"override {item.get('alias')} of schedule {schedule['id']} cannot be declared: "
                      f"{described_problems(exc)}") from None
    names = None
    if held.rotation_ids is not None:
        names = names_by_id(held.rotation_ids, schedule.get("rotations") or [])
        gone = [name for name in names if name.startswith("(deleted rotation ")]
        if gone:
            raise failure(f"override {held.alias} of schedule {schedule['id']} applies to rotations the schedule no "
                          f"longer has ({', '.join(gone)}), so it cannot be declared: point it at rotations the "
                          "schedule has, or delete it, then import again")
    return Override(alias=held.alias, schedule_id=schedule["id"], responder=held.responder,
                    start_date=held.start_date, end_date=held.end_date,
                    rotations=None if names is None else sorted(names), rotation_ids=held.rotation_ids)


def override_resources(items: list[OverrideToImport], site: Optional[str]) -> list[Json]:
    """The entries of `pulumi import --file`: each override's inputs as its provider's check
    makes them from the generated code, and its outputs (with the site, if any)."""
    provider = serialize_provider(ScheduleOverrideProvider())
    return [{
        "type": OVERRIDE_TYPE, "name": item.name, "id": item.override.alias,
        "inputs": {**with_site(with_hidden(item.override.to_canonical_inputs(), item.known_rotations), site),
                   PROVIDER_KEY: provider},
        "outputs": {**with_site(with_hidden(item.override.to_outputs(), item.known_rotations), site),
                    PROVIDER_KEY: provider},
    } for item in items]


def override_code(items: list[OverrideToImport], site: Optional[str], names: codegen.ConfigNames) -> str:
    return "".join(codegen.override_declaration(item.name, item.override, item.schedule_variable, site, names)
                   for item in items)
