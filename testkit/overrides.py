"""Stacks of schedules and their overrides for the tests, and the service's side of overrides.

`PROGRAM` declares what `stack.json` says (`write_stack`):

- `schedules`: resource name -> a `jsmops.Schedule`'s keyword arguments;
- `overrides`: resource name -> a `jsmops.ScheduleOverride`'s keyword arguments, where
  `"schedule": <resource name>` stands for `schedule_id=<that Schedule>.id` and
  `"lookup": <schedule name>` (or `{"name", "site"}`) for `schedule_id=jsmops.get_schedule(<name>).id`;
- `on_call`: export name -> `{"schedule": <resource name>, "at": ..., "site": ...}`, exported as the
  `[type, id]` pairs `jsmops.get_on_call_output` answers.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from testkit.emulator_process import Emulator
from testkit.pulumi_project import PulumiProject

PROGRAM = '''\
import json
from pathlib import Path

import pulumi
import pulumi_jsmops as jsmops

spec = json.loads(Path("stack.json").read_text())
schedules = {name: jsmops.Schedule(name, **args) for name, args in spec.get("schedules", {}).items()}
for name, args in spec.get("overrides", {}).items():
    args = dict(args)
    if "schedule" in args:
        args["schedule_id"] = schedules[args.pop("schedule")].id
    elif "lookup" in args:
        lookup = args.pop("lookup")
        lookup = lookup if isinstance(lookup, dict) else {"name": lookup}
        args["schedule_id"] = jsmops.get_schedule(lookup["name"], site=lookup.get("site")).id
    override = jsmops.ScheduleOverride(name, **args)
    pulumi.export(f"{name}_alias", override.alias)
for name, args in spec.get("on_call", {}).items():
    found = jsmops.get_on_call_output(schedules[args["schedule"]].id, args.get("at"), args.get("site"))
    pulumi.export(name, found.apply(lambda result: [[p.type, p.id] for p in result.participants]))
'''

OVERRIDE_TYPE_SUFFIX = ":ScheduleOverride"
# The year the tests' overrides take place in: always to come (an override that has ended is
# never made), so the dates are written f"{NEXT_YEAR}-12-24T09:00:00+01:00".
NEXT_YEAR = datetime.now(timezone.utc).year + 1


def write_stack(project: PulumiProject, schedules: dict[str, Any], overrides: dict[str, Any] | None = None,
                on_call: dict[str, Any] | None = None) -> None:
    (project.dir / "stack.json").write_text(json.dumps(
        {"schedules": schedules, "overrides": overrides or {}, "on_call": on_call or {}}, indent=2))


def overrides_in_state(project: PulumiProject) -> dict[str, dict[str, Any]]:
    """The stack's overrides in the state, by resource name."""
    return project.resources(OVERRIDE_TYPE_SUFFIX)


def listed_overrides(emulator: Emulator, schedule_id: str) -> list[dict[str, Any]]:
    """The schedule's ongoing and future overrides, as the API lists them."""
    response = emulator.http.get(f"{emulator.api_url}/schedules/{schedule_id}/overrides", params={"size": 50},
                                 auth=emulator.admin_auth, timeout=10)
    response.raise_for_status()
    values: list[dict[str, Any]] = response.json()["values"]
    return values


def get_override(emulator: Emulator, schedule_id: str, alias: str) -> dict[str, Any] | None:
    """The override with this alias (ended ones too), or None when the service has none."""
    response = emulator.http.get(f"{emulator.api_url}/schedules/{schedule_id}/overrides/{alias}",
                                 auth=emulator.admin_auth, timeout=10)
    if response.status_code == 404:
        return None
    response.raise_for_status()
    found: dict[str, Any] = response.json()
    return found


def make_override(emulator: Emulator, schedule_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """An override made through the API, as a person would make it."""
    response = emulator.http.post(f"{emulator.api_url}/schedules/{schedule_id}/overrides", json=body,
                                  auth=emulator.admin_auth, timeout=10)
    response.raise_for_status()
    made: dict[str, Any] = response.json()
    return made


def delete_override(emulator: Emulator, schedule_id: str, alias: str) -> None:
    response = emulator.http.delete(f"{emulator.api_url}/schedules/{schedule_id}/overrides/{alias}",
                                    auth=emulator.admin_auth, timeout=10)
    response.raise_for_status()


def journal(emulator: Emulator) -> list[tuple[str, str]]:
    """(method, path) of every API request since the journal was last cleared."""
    return [(entry["method"], entry["path"]) for entry in emulator.requests()]
