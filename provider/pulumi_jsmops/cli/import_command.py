"""`jsmops import`: bring schedules made outside Pulumi under a stack, as code and in state.

Pulumi cannot import resources of dynamic providers by itself (pulumi/pulumi#16175: the
engine's Read of an import has no serialized provider to run). So the schedules are read
through the API here, and handed to `pulumi import --file` with their inputs and outputs
(CLI >= 3.254), which skips that Read. The generated module declares them with exactly
those inputs, so a preview afterwards has nothing to do. Their resource names are ones
neither the state nor the program uses: a `pulumi preview --json` first tells the names the
program declares, including those not created yet.

All or nothing: everything is read and checked before the stack is touched, the stack is
restored from a backup if `pulumi import` fails, and the module is staged beforehand and
moved into place only after the import succeeded.

With `overrides`, the selected schedules' ongoing and future overrides come too, beside
them (`import_overrides.py`); off by default, as many overrides are made by hand on purpose.
With a `site`, the schedules are read from that site of `jsmops:sites` and declared on it.
Ids the stack config names (its `people`, `teams` and `escalations` objects) are written as
those names (`codegen.ConfigNames`).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

import yaml
from pulumi.dynamic.dynamic import serialize_provider
from pydantic import ValidationError

from ..api.client import Client
from ..api.models import Schedule, parse_api_schedule, parse_user_schedule, validation_problems
from ..dynamic.base import PROVIDER_KEY, with_site
from ..dynamic.ownership import urn_resource_name, urn_type
from ..errors import JsmOpsError, NotFoundError
from ..override import OVERRIDE_TYPE
from ..provider import ScheduleProvider
from ..schedule import SCHEDULE_TYPE
from . import codegen
from .import_overrides import fetch_overrides, override_code, override_resources, unmanaged_overrides
from .output import counted
from .stack import PulumiStack


class ImportFailed(JsmOpsError):
    """The import could not be done; the stack and the code are as they were."""


@dataclass
class Selection:
    """Which schedules to import: by id, by name prefix (case-insensitive, as the service
    matches it), by team, or all."""

    ids: list[str] = field(default_factory=list)
    name_prefix: Optional[str] = None
    team_id: Optional[str] = None
    all: bool = False
    overrides: bool = False  # their overrides too

    def is_empty(self) -> bool:
        return not (self.ids or self.name_prefix is not None or self.team_id is not None or self.all)


def project_settings(project_dir: Path) -> tuple[Path, str]:
    """Where the project's program lives (Pulumi.yaml's `main`, else the project itself), and
    the project's name (the namespace of its own config, e.g. `people`)."""
    project_file = project_dir / "Pulumi.yaml"
    if not project_file.is_file():
        raise ImportFailed(f"{project_dir} has no Pulumi.yaml: run `jsmops import` in the Pulumi project "
                           "directory, or name it with --cwd")
    project = yaml.safe_load(project_file.read_text()) or {}
    main = project_dir / str(project.get("main", "."))
    return (main if main.is_dir() else main.parent), str(project.get("name", ""))


def fetch(client: Client, selection: Selection, progress: Callable[[str], None]) -> list[dict[str, Any]]:
    """The selected schedules, as the API has them."""
    found: dict[str, dict[str, Any]] = {}
    for number, schedule_id in enumerate(selection.ids, 1):
        try:
            found[schedule_id] = client.get_schedule(schedule_id)
        except NotFoundError:
            raise ImportFailed(f"no schedule has the id '{schedule_id}'") from None
        progress(f"read schedule {number}/{len(selection.ids)}: {found[schedule_id]['name']}")
    if selection.name_prefix is not None or selection.team_id is not None or selection.all:
        query = None if selection.name_prefix is None else f"{selection.name_prefix}*"  # the service's prefix match
        for schedule in client.list_schedules(query=query):
            if selection.team_id is None or schedule.get("teamId") == selection.team_id:
                found[schedule["id"]] = schedule
                if len(found) % 25 == 0:
                    progress(f"read {counted(len(found), 'schedule')}")
    return list(found.values())


def declarable(data: dict[str, Any]) -> Schedule:
    """The schedule as a program can declare it; ImportFailed if the provider could not."""
    schedule = parse_api_schedule(data)
    try:
        parse_user_schedule(schedule.to_inputs())
    except ValidationError as exc:
        problems = "; ".join(f"{path}: {reason}" for path, reason in validation_problems(exc))
        raise ImportFailed(
            f"schedule '{schedule.name}' ({schedule.id}) cannot be declared as it is: {problems}"
        ) from None
    return schedule


def run_import(stack: str, selection: Selection, project_dir: Path, output: Optional[Path] = None,
               progress: Callable[[str], None] = print, site: Optional[str] = None) -> int:
    """Imports the selected schedules (of a site of `jsmops:sites`, with `site`); answers how many were imported."""
    pulumi = PulumiStack(stack, project_dir, failure=ImportFailed)
    main, project = project_settings(project_dir)
    output = output or main / "imported_schedules.py"
    config = pulumi.config()
    names = codegen.ConfigNames.from_config(config.objects(project))
    with config.client(site) as client:
        schedules = fetch(client, selection, progress)
        found_overrides = fetch_overrides(client, schedules, progress) if selection.overrides and schedules else {}
    if not schedules:
        raise ImportFailed("no schedule matches the selection")
    state = pulumi.export()
    declared = declared_names(pulumi)
    to_import = unmanaged(schedules, state, stack, progress, declared)
    overrides = unmanaged_overrides(found_overrides, schedules, to_import, state, ImportFailed, progress, declared)
    if not to_import and not overrides:
        progress("nothing to import")
        return 0
    # The code is staged before the import and moved into place after it (an atomic
    # rename), so a failure can leave neither state without code nor code without state.
    code = ("".join(codegen.declaration(name, schedule, site, names) for name, schedule in to_import)
            + override_code(overrides, site, names))
    existing = output.read_text() if output.exists() else codegen.module_header(client.settings.api_root, names)
    staged = output.with_name(f".{output.name}.tmp")
    staged.write_text(existing + names.block(existing) + code)
    try:
        import_resources(pulumi, resources(to_import, site) + override_resources(overrides, site), state, progress)
    except ImportFailed:
        staged.unlink()
        raise
    os.replace(staged, output)
    also = f" and {counted(len(overrides), 'override')}" if selection.overrides else ""
    progress(f"imported {counted(len(to_import), 'schedule')}{also}; their code is in {output}. Before the next "
             f"`pulumi up`, add `import {output.stem}` to the stack program if it is not there yet: an `up` of a "
             "program without it deletes what was just imported")
    return len(to_import)


def declared_names(pulumi: PulumiStack) -> set[str]:
    """The resource names of the Schedules and overrides the program declares, created or not yet
    (`pulumi preview --json`: a step per resource); an imported schedule must get another
    one, or the next `up` would make it what the program declares under that name."""
    try:
        preview = json.loads(pulumi.run("preview", "--json", accept_failure=True))
        steps, diagnostics = preview.get("steps") or [], preview.get("diagnostics") or []
    except (ValueError, AttributeError):
        raise ImportFailed("`pulumi preview --json` gave no JSON; it tells the names the program uses") from None
    failed = [str(d.get("message", "")).strip() for d in diagnostics if d.get("severity") == "error"]
    if failed:
        raise ImportFailed("the program's preview fails, and it tells the names the program uses: fix it first ("
                           + " ".join(failed) + ")")
    return {urn_resource_name(step["urn"]) for step in steps
            if isinstance(step, dict) and urn_type(str(step.get("urn", ""))) in (SCHEDULE_TYPE, OVERRIDE_TYPE)}


def unmanaged(schedules: list[dict[str, Any]], state: dict[str, Any], stack: str,
              progress: Callable[[str], None], declared: set[str]) -> list[tuple[str, Schedule]]:
    """The schedules the stack does not manage yet, each with a resource name of its own:
    none the state or the program (`declared`) uses."""
    managed = {r.get("id"): urn_resource_name(r["urn"])
               for r in state.get("deployment", {}).get("resources", []) if r["type"] == SCHEDULE_TYPE}
    taken = set(managed.values()) | declared
    found: list[tuple[str, Schedule]] = []
    for data in schedules:
        if data["id"] in managed:
            resource = managed[data["id"]]
            progress(f"'{data['name']}' ({data['id']}) is already in stack '{stack}' as '{resource}': skipped")
            continue
        schedule = declarable(data)
        found.append((codegen.new_resource_name(schedule.name, taken), schedule))
    return found


def resources(to_import: list[tuple[str, Schedule]], site: Optional[str]) -> list[dict[str, Any]]:
    """The entries of `pulumi import --file`: each schedule's inputs as the provider's check
    makes them from the generated code, and its outputs (with the site, if any)."""
    provider = serialize_provider(ScheduleProvider())
    return [{
        "type": SCHEDULE_TYPE, "name": name, "id": schedule.id,
        "inputs": {**with_site(schedule.to_canonical_inputs(), site), PROVIDER_KEY: provider},
        "outputs": {**with_site(schedule.to_outputs(), site), PROVIDER_KEY: provider},
    } for name, schedule in to_import]


# The engine saves the state once, at the end, instead of after each imported resource:
# with a file or object-store backend each save encodes the whole state again, most of the
# CPU of an import of many (bench/README.md). An import changes nothing at the service, so
# one cut short has nothing to record: the state is put back, and running it again imports
# what is missing.
IMPORT_ENV = {"PULUMI_SKIP_CHECKPOINTS": "true"}


def import_resources(pulumi: PulumiStack, entries: list[dict[str, Any]], state: dict[str, Any],
                     progress: Callable[[str], None]) -> None:
    """`pulumi import --file` of the entries; a failed import puts the state back as it was."""
    with tempfile.TemporaryDirectory(prefix="jsmops-import-") as work:
        import_file, backup = Path(work) / "import.json", Path(work) / "backup.json"
        import_file.write_text(json.dumps({"resources": entries}))
        backup.write_text(json.dumps(state))
        schedules = sum(entry["type"] == SCHEDULE_TYPE for entry in entries)
        overrides = f" and {counted(len(entries) - schedules, 'override')}" if len(entries) > schedules else ""
        progress(f"importing {counted(schedules, 'schedule')}{overrides} into stack '{pulumi.name}'")
        try:
            pulumi.run("import", "--file", str(import_file), "--yes", "--skip-preview",
                       "--generate-code=false", "--protect=false", stream=True, env=IMPORT_ENV)
        except ImportFailed:
            pulumi.run("stack", "import", "--file", str(backup), "--force")
            raise
