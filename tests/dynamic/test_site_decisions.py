"""The providers' decisions about a resource's site, without a request: which site name passes
`check`, that another site (or one not known yet) is a replacement, that states written before
sites existed (no `site`) are no change, and that the site stays beside the checked inputs."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi.output import Unknown

from pulumi_jsmops.provider import ScheduleOverrideProvider, ScheduleProvider
from testkit.overrides import NEXT_YEAR

SITES = {"jsmops:sites": json.dumps({"eu": {"cloudId": "c-eu", "email": "e@example.com", "apiToken": "t"}}),
         "jsmops:cloudId": "c", "jsmops:email": "e@example.com", "jsmops:apiToken": "t"}
OUTPUTS = {"id": "s-1", "name": "Ops", "team_id": None, "description": "", "timezone": "UTC", "enabled": True,
           "rotations": {}}
INPUTS = {"name": "Ops", "timezone": "UTC"}
OVERRIDE = {"schedule_id": "s-1", "responder": {"type": "noone"}, "start_date": f"{NEXT_YEAR}-08-01T00:00:00Z",
            "end_date": f"{NEXT_YEAR}-08-02T00:00:00Z"}


def configured(provider: Any) -> Any:
    provider._config_get = SITES.get  # what `configure` keeps of the engine's config
    return provider


@pytest.mark.parametrize(("site", "reason"), [
    ("apac", "site: site 'apac' is not in jsmops:sites (its sites: 'eu')"),
    (5, "site: must be the name of a site in jsmops:sites (got 5)"),
    ("", "site: must be the name of a site in jsmops:sites (got '')"),
])
def test_a_site_the_config_lacks_fails_check(site: object, reason: str) -> None:
    for provider, inputs in ((ScheduleProvider(), INPUTS), (ScheduleOverrideProvider(), OVERRIDE)):
        [failure] = configured(provider).check({}, {**inputs, "site": site}).failures
        assert failure.reason.startswith(reason)


def test_the_site_stays_beside_the_checked_inputs_and_may_be_unknown() -> None:
    provider = configured(ScheduleProvider())
    checked = provider.check({}, {**INPUTS, "site": "eu"})
    assert checked.failures == [] and checked.inputs["site"] == "eu" and checked.inputs["name"] == "Ops"
    assert "site" not in provider.check({}, INPUTS).inputs
    unknown = Unknown()
    assert provider.check({}, {**INPUTS, "site": unknown}).inputs["site"] is unknown
    override = configured(ScheduleOverrideProvider()).check({}, {**OVERRIDE, "site": "eu"})
    assert override.failures == [] and override.inputs["site"] == "eu"


def test_another_site_replaces_and_no_site_in_an_older_state_is_no_change() -> None:
    provider = ScheduleProvider()
    assert provider.diff("s-1", OUTPUTS, INPUTS).changes is False  # a state written before sites existed
    assert provider.diff("s-1", {**OUTPUTS, "site": "eu"}, {**INPUTS, "site": "eu"}).changes is False
    for olds, news in (({**OUTPUTS, "site": "eu"}, {**INPUTS, "site": "us"}), (OUTPUTS, {**INPUTS, "site": "eu"}),
                       ({**OUTPUTS, "site": "eu"}, INPUTS), (OUTPUTS, {**INPUTS, "site": Unknown()})):
        moved = provider.diff("s-1", olds, news)
        assert (moved.changes, moved.replaces, moved.delete_before_replace) == (True, ["site"], True)

    overrides = ScheduleOverrideProvider()
    held = {**OVERRIDE, "rotations": None, "alias": "a-1", "rotation_ids": None}
    assert overrides.diff("a-1", {**held, "site": "eu"}, {**OVERRIDE, "site": "eu"}).changes is False
    assert overrides.diff("a-1", {**held, "site": "eu"}, {**OVERRIDE, "site": "us"}).replaces == ["site"]
