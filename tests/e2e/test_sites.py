"""Several sites in one program, through the real CLI: each schedule (and override) reaches the
site its `site` names in the stack config's `jsmops:sites` (here two emulator processes), the
state holds the site's name and no credential, `refresh` and `destroy` reach both, moving a
schedule to another site replaces it, and an unknown site fails the preview naming it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from testkit.emulator_process import Emulator
from testkit.overrides import NEXT_YEAR
from testkit.pulumi_project import PulumiProject
from testkit.schedules import ALICE, BOB, TEAM

pytestmark = pytest.mark.e2e

ROTATION = {"name": "weekly", "type": "weekly", "start_date": f"{NEXT_YEAR}-01-04T09:00:00+01:00",
            "participants": [{"type": "user", "id": ALICE}, {"type": "user", "id": BOB}]}

# Two Schedules and an override, on two sites; the override takes its schedule's site.
PROGRAM = f'''\
import json
from pathlib import Path

import pulumi
import pulumi_jsmops as jsmops

spec = json.loads(Path("stack.json").read_text())
made = {{}}
for resource_name, inputs in spec["schedules"].items():
    made[resource_name] = jsmops.Schedule(resource_name, **inputs)
    pulumi.export(resource_name, made[resource_name].id)
for resource_name, inputs in spec.get("overrides", {{}}).items():
    schedule = made[inputs.pop("schedule")]
    jsmops.ScheduleOverride(resource_name, schedule_id=schedule.id, **inputs)
for label, lookup in spec.get("lookups", {{}}).items():
    pulumi.export(label, jsmops.get_schedule(lookup["name"], site=lookup.get("site")).id)
'''

XMAS = {"schedule": "eu_support", "responder": {"type": "user", "id": BOB},
        "start_date": f"{NEXT_YEAR}-12-24T09:00:00+01:00", "end_date": f"{NEXT_YEAR}-12-27T09:00:00+01:00"}


def write_stack(project: PulumiProject, schedules: dict[str, dict[str, Any]],
                overrides: dict[str, dict[str, Any]] | None = None,
                lookups: dict[str, dict[str, Any]] | None = None) -> None:
    (project.dir / "stack.json").write_text(json.dumps({"schedules": schedules, "overrides": overrides or {},
                                                        "lookups": lookups or {}}))


def set_site(project: PulumiProject, name: str, emulator: Emulator) -> None:
    """The site `name` in `jsmops:sites`, reaching `emulator`; its token set as a secret."""
    for key, value in (("baseUrl", emulator.base_url), ("cloudId", emulator.cloud_id),
                       ("email", emulator.admin_auth[0]), ("timeout", "10")):
        project.pulumi("config", "set", "--path", f"jsmops:sites.{name}.{key}", value)
    project.pulumi("config", "set", "--secret", "--path", f"jsmops:sites.{name}.apiToken", emulator.admin_auth[1])


@pytest.fixture
def sites(tmp_path, emulator: Emulator, emulator_factory: Callable[..., Emulator]
          ) -> tuple[PulumiProject, Emulator, Emulator]:
    """A project whose stack config names two sites, `eu` and `us`, each an emulator of its own;
    the `jsmops:*` settings (the environment) reach the session emulator."""
    eu, us = emulator_factory(), emulator_factory()
    project = PulumiProject(tmp_path, emulator, program=PROGRAM)
    write_stack(project, {})
    set_site(project, "eu", eu)
    set_site(project, "us", us)
    return project, eu, us


def names(emulator: Emulator) -> list[str]:
    return sorted(schedule["name"] for schedule in emulator.schedules())


def test_each_schedule_reaches_its_own_site(sites: tuple[PulumiProject, Emulator, Emulator],
                                            emulator: Emulator) -> None:
    project, eu, us = sites
    write_stack(project, {
        "eu_support": {"name": "Support", "team_id": TEAM, "rotations": [ROTATION], "site": "eu"},
        "us_support": {"name": "Support", "team_id": TEAM, "rotations": [ROTATION], "site": "us"},
        "default_ops": {"name": "Ops"},
    }, {"xmas": XMAS})
    project.up()

    # Each site holds its own schedules only (one name on two sites is no clash), the override
    # is on the eu schedule's site, and the jsmops:* settings still reach the default site.
    assert names(eu) == ["Support"] and names(us) == ["Support"] and names(emulator) == ["Ops"]
    state = project.resources()
    assert state["eu_support"]["id"] == eu.schedules()[0]["id"]
    assert state["us_support"]["id"] == us.schedules()[0]["id"]
    assert [state[r]["outputs"].get("site") for r in ("eu_support", "us_support", "default_ops")] == ["eu", "us", None]
    [override] = project.resources(":ScheduleOverride").values()
    assert override["outputs"]["site"] == "eu" and override["inputs"]["site"] == "eu"
    overrides = eu.http.get(f"{eu.api_url}/schedules/{state['eu_support']['id']}/overrides", auth=eu.admin_auth,
                            timeout=10).json()["values"]
    assert [o["alias"] for o in overrides] == [override["id"]]

    # The state holds the sites' names, never their settings.
    exported = json.dumps(project.state())
    assert eu.admin_auth[1] not in exported and eu.base_url not in exported and us.base_url not in exported

    for site in (eu, us, emulator):
        site.reset_stats()
    project.preview("--expect-no-changes")
    assert [site.stats()["total"] for site in (eu, us, emulator)] == [0, 0, 0]

    # A lookup on each site finds that site's schedule.
    write_stack(project, {
        "eu_support": {"name": "Support", "team_id": TEAM, "rotations": [ROTATION], "site": "eu"},
        "us_support": {"name": "Support", "team_id": TEAM, "rotations": [ROTATION], "site": "us"},
        "default_ops": {"name": "Ops"},
    }, {"xmas": XMAS}, {"found_eu": {"name": "Support", "site": "eu"}, "found_us": {"name": "Support", "site": "us"}})
    project.up()
    outputs = json.loads(project.pulumi("stack", "output", "--json").stdout)
    assert (outputs["found_eu"], outputs["found_us"]) == (state["eu_support"]["id"], state["us_support"]["id"])

    # Refresh reads each schedule from its site: a change made on the eu site outside Pulumi
    # comes into the state, and nothing else changes.
    eu_id = state["eu_support"]["id"]
    eu.http.patch(f"{eu.api_url}/schedules/{eu_id}", json={"description": "edited on eu"}, auth=eu.admin_auth,
                  timeout=10).raise_for_status()
    for site in (eu, us, emulator):
        site.reset_stats()
    project.pulumi("refresh", "--yes", "--skip-preview")
    assert eu.stats()["by_method"].get("GET", 0) >= 2 and us.stats()["by_method"].get("GET", 0) >= 1
    assert emulator.stats()["by_method"].get("GET", 0) >= 1
    refreshed = project.resources()
    assert refreshed["eu_support"]["outputs"]["description"] == "edited on eu"
    assert refreshed["us_support"]["outputs"]["description"] == ""
    assert refreshed["eu_support"]["outputs"]["site"] == "eu"

    # Destroy removes every schedule and the override from its own site.
    project.pulumi("destroy", "--yes", "--skip-preview")
    assert names(eu) == names(us) == names(emulator) == []
    assert project.resources() == {}


def test_moving_a_schedule_to_another_site_replaces_it(sites: tuple[PulumiProject, Emulator, Emulator]) -> None:
    project, eu, us = sites
    support = {"name": "Support", "team_id": TEAM, "rotations": [ROTATION], "site": "eu"}
    write_stack(project, {"support": support})
    project.up()
    old_id = project.resources()["support"]["id"]

    write_stack(project, {"support": {**support, "site": "us"}})
    preview = project.preview("--diff").stdout
    assert "+-" in preview and "replace" in preview and "site" in preview
    project.up()
    assert names(eu) == [] and names(us) == ["Support"]
    [moved] = us.schedules()
    assert moved["id"] != old_id and project.resources()["support"]["id"] == moved["id"]
    assert project.resources()["support"]["outputs"]["site"] == "us"
    project.assert_clean_preview()


def test_an_unknown_site_fails_the_preview_naming_it_and_the_sites(sites: tuple[PulumiProject, Emulator, Emulator],
                                                                   emulator: Emulator) -> None:
    project, eu, us = sites
    write_stack(project, {"support": {"name": "Support", "site": "apac"}})
    result = project.preview(check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "site: site 'apac' is not in jsmops:sites (its sites: 'eu', 'us')" in output
    assert "Traceback" not in output
    assert [site.stats()["total"] for site in (eu, us, emulator)] == [0, 0, 0]


def test_a_site_missing_a_setting_fails_the_preview_naming_the_key(sites: tuple[PulumiProject, Emulator, Emulator],
                                                                   emulator: Emulator) -> None:
    project, eu, us = sites
    project.pulumi("config", "rm", "--path", "jsmops:sites.eu.cloudId")
    write_stack(project, {"support": {"name": "Support", "site": "eu"}})
    result = project.preview(check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert ("jsmops:sites.eu.cloudId is not set; run `pulumi config set --path 'jsmops:sites.eu.cloudId' <value>`"
            in output)
    assert [site.stats()["total"] for site in (eu, us, emulator)] == [0, 0, 0]
