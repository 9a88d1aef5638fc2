"""Several sites in one program, through the real CLI: each schedule (and override) reaches the
site its `site` names in the stack config's `jsmops:sites` (here two emulator processes), the
state holds the site's name and no credential, `refresh` and `destroy` reach both, moving a
schedule to another site replaces it, and an unknown site fails the preview naming it."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from testkit.emulator_process import Emulator
from testkit.overrides import NEXT_YEAR, PROGRAM, listed_overrides, overrides_in_state, write_stack
from testkit.pulumi_project import PulumiProject
from testkit.schedules import ALICE, BOB, TEAM

pytestmark = pytest.mark.e2e

ROTATION = {"name": "weekly", "type": "weekly", "start_date": f"{NEXT_YEAR}-01-04T09:00:00+01:00",
            "participants": [{"type": "user", "id": ALICE}, {"type": "user", "id": BOB}]}

XMAS = {"schedule": "eu_support", "responder": {"type": "user", "id": BOB},
        "start_date": f"{NEXT_YEAR}-12-24T09:00:00+01:00", "end_date": f"{NEXT_YEAR}-12-27T09:00:00+01:00"}
# On the us schedule, found by a lookup on that site.
PAUSE = {"lookup": {"name": "Support", "site": "us"}, "responder": {"type": "noone"},
         "start_date": f"{NEXT_YEAR}-08-01T00:00:00Z", "end_date": f"{NEXT_YEAR}-08-02T00:00:00Z"}


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
    schedules = {
        "eu_support": {"name": "Support", "team_id": TEAM, "rotations": [ROTATION], "site": "eu"},
        "us_support": {"name": "Support", "team_id": TEAM, "rotations": [ROTATION], "site": "us"},
        "default_ops": {"name": "Ops"},
    }
    write_stack(project, schedules, {"xmas": XMAS})
    project.up()
    write_stack(project, schedules, {"xmas": XMAS, "pause": PAUSE},
                {"on_call_us": {"schedule": "us_support", "at": f"{NEXT_YEAR}-03-01T12:00:00Z", "site": "us"}})
    project.up()

    # Each site holds its own schedules only (one name on two sites is no clash), the overrides
    # are on their schedules' sites (taken from the Schedule, or the site of the lookup), and
    # the jsmops:* settings still reach the default site.
    assert names(eu) == ["Support"] and names(us) == ["Support"] and names(emulator) == ["Ops"]
    state = project.resources()
    eu_id, us_id = state["eu_support"]["id"], state["us_support"]["id"]
    assert (eu_id, us_id) == (eu.schedules()[0]["id"], us.schedules()[0]["id"])
    assert [state[r]["outputs"].get("site") for r in ("eu_support", "us_support", "default_ops")] == ["eu", "us", None]
    overrides = overrides_in_state(project)
    assert {name: (o["inputs"]["site"], o["outputs"]["site"]) for name, o in overrides.items()} == {
        "xmas": ("eu", "eu"), "pause": ("us", "us")}
    assert [o["alias"] for o in listed_overrides(eu, eu_id)] == [overrides["xmas"]["id"]]
    assert [o["alias"] for o in listed_overrides(us, us_id)] == [overrides["pause"]["id"]]
    outputs = json.loads(project.pulumi("stack", "output", "--json").stdout)
    assert sorted(map(tuple, outputs["on_call_us"])) == [("user", ALICE)]

    # The state holds the sites' names, never their settings.
    exported = json.dumps(project.state())
    assert eu.admin_auth[1] not in exported and eu.base_url not in exported and us.base_url not in exported

    for site in (eu, us, emulator):
        site.reset_stats()
    project.preview("--expect-no-changes")
    # Only the lookups ask: get_schedule on us, get_on_call on us.
    assert [site.stats()["total"] for site in (eu, us, emulator)] == [0, 2, 0]

    # Refresh reads each schedule and override from its site: a change made on the eu site
    # outside Pulumi comes into the state, and nothing else changes.
    eu.http.patch(f"{eu.api_url}/schedules/{eu_id}", json={"description": "edited on eu"}, auth=eu.admin_auth,
                  timeout=10).raise_for_status()
    for site in (eu, us, emulator):
        site.reset_stats()
    project.pulumi("refresh", "--yes", "--skip-preview")
    assert {entry["path"] for entry in eu.requests()} == {f"/v1/schedules/{eu_id}",
                                                         f"/v1/schedules/{eu_id}/overrides/{overrides['xmas']['id']}"}
    assert f"/v1/schedules/{us_id}" in {entry["path"] for entry in us.requests()}
    assert [entry["path"] for entry in emulator.requests()] == [f"/v1/schedules/{state['default_ops']['id']}"]
    refreshed = project.resources()
    assert refreshed["eu_support"]["outputs"]["description"] == "edited on eu"
    assert refreshed["us_support"]["outputs"]["description"] == ""
    assert refreshed["eu_support"]["outputs"]["site"] == "eu"

    # Destroy removes every schedule and override from its own site.
    project.pulumi("destroy", "--yes", "--skip-preview")
    assert names(eu) == names(us) == names(emulator) == []
    assert project.resources() == {} and overrides_in_state(project) == {}


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


def test_oncall_and_impact_read_each_schedule_on_its_site(sites: tuple[PulumiProject, Emulator, Emulator],
                                                          emulator: Emulator) -> None:
    project, eu, us = sites
    schedules = {"eu_support": {"name": "Support", "rotations": [ROTATION], "timezone": "UTC", "site": "eu"},
                 "us_support": {"name": "Support", "rotations": [ROTATION], "timezone": "UTC", "site": "us"}}
    write_stack(project, schedules, {"xmas": XMAS})
    project.up()
    state = project.resources()
    eu_id, us_id = state["eu_support"]["id"], state["us_support"]["id"]
    at = f"{NEXT_YEAR}-03-01T12:00:00Z"

    for site in (eu, us, emulator):
        site.reset_stats()
    lines = project.jsmops("oncall", "--stack", "test", "--at", at, "--days", "2").stdout.splitlines()
    assert [line.split(";")[0] for line in lines if not line.startswith(" ")] == ["Support: now " + ALICE] * 2
    assert {entry["path"] for entry in eu.requests()} == {f"/v1/schedules/{eu_id}/on-calls",
                                                         f"/v1/schedules/{eu_id}/timeline"}
    assert {entry["path"] for entry in us.requests()} == {f"/v1/schedules/{us_id}/on-calls",
                                                         f"/v1/schedules/{us_id}/timeline"}
    assert emulator.stats()["total"] == 0

    # A change of the eu schedule: impact reads its overrides on eu, and nothing elsewhere.
    swapped = {**ROTATION, "participants": list(reversed(ROTATION["participants"]))}
    write_stack(project, {**schedules, "eu_support": {**schedules["eu_support"], "rotations": [swapped]}},
                {"xmas": XMAS})
    for site in (eu, us, emulator):
        site.reset_stats()
    report = project.jsmops("impact", "--stack", "test", "--at", at, "--days", "2").stdout
    assert f"now {ALICE} → {BOB}" in report
    assert [entry["path"] for entry in eu.requests()] == [f"/v1/schedules/{eu_id}/overrides"]
    assert us.stats()["total"] == 0 and emulator.stats()["total"] == 0


def test_an_override_on_another_site_than_its_schedule_fails_the_preview(
        sites: tuple[PulumiProject, Emulator, Emulator], emulator: Emulator) -> None:
    project, eu, us = sites
    write_stack(project, {"eu_support": {"name": "Support", "rotations": [ROTATION], "site": "eu"}},
                {"xmas": {**XMAS, "site": "us"}})
    result = project.preview(check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0 and "Traceback" not in output
    assert "resource 'xmas' has a problem: site: 'us' is not the site of its schedule ('eu')" in output
    assert [site.stats()["total"] for site in (eu, us, emulator)] == [0, 0, 0]
