"""People by email (`jsmops.get_user`) in a real program against the emulator's Jira user
search, and an unknown user in a rotation: the service's 422 names the field at `up`.

What the tests rely on from Jira's published OpenAPI (`findUsers`): `query` matches a prefix of
the display name or the email address, ignoring case; the answer is a bare array of users paged
by `startAt`/`maxResults`; only active users are found; a user may hide the email address."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from testkit.emulator_process import Emulator
from testkit.pulumi_project import PulumiProject
from testkit.schedules import ALICE, BOB

pytestmark = pytest.mark.e2e

LOOKUPS = '''\
import json
from pathlib import Path

import pulumi
import pulumi_jsmops as jsmops

for label, email in json.loads(Path("emails.json").read_text()).items():
    found = jsmops.get_user(email=email) if isinstance(email, str) else jsmops.get_user(**email)
    pulumi.export(label, [found.account_id, found.display_name, found.email, found.active])
'''

SEARCH = "/rest/api/3/user/search"


def user(account_id: str, name: str, email: str | None, active: bool = True) -> dict[str, object]:
    return {"accountId": account_id, "displayName": name, "emailAddress": email, "active": active}


@pytest.fixture
def people(tmp_path, emulator: Emulator) -> PulumiProject:
    """A program looking up the emails of `emails.json`, and a directory where the address asked
    for comes after two longer ones it is a prefix of (the first answer is not the one asked for)."""
    emulator.add_users(
        user("al-au", "Al Australia", "al@example.com.au"),
        user("al-org", "Al Org", "AL@example.com.org"),
        user("al", "Al Smith", "al@example.com"),
        user("bea", "Bea Jones", "Bea.Jones@Example.com"),
        user("old", "Old Timer", "old@example.com", active=False),
        user("twin-1", "Twin One", "twin@example.com"),
        user("twin-2", "Twin Two", "twin@example.com"),
        user("pre-1", "Pre One", "pre@example.com.one"),
        user("pre-2", "Pre Two", "pre@example.com.two"),
    )
    project = PulumiProject(tmp_path, emulator, program=LOOKUPS)
    project.env["JSMOPS_SITE_URL"] = emulator.site_url
    return project


def look_up(project: PulumiProject, emails: dict[str, object], check: bool = True) -> str:
    """Previews the program looking these emails up; its output."""
    (project.dir / "emails.json").write_text(json.dumps(emails))
    project.emulator.reset_stats()
    result = project.preview(check=check)
    if not check:
        assert result.returncode != 0
        assert "Traceback" not in result.stdout + result.stderr
    return result.stdout + result.stderr


def searches(emulator: Emulator) -> list[dict[str, list[str]]]:
    return [entry["query"] for entry in emulator.requests() if entry["path"] == SEARCH]


def test_an_email_finds_exactly_its_account(people: PulumiProject, emulator: Emulator) -> None:
    (people.dir / "emails.json").write_text(json.dumps({"al": "al@example.com", "bea": "bea.jones@example.COM"}))
    people.up()
    outputs = json.loads(people.pulumi("stack", "output", "--json").stdout)
    # Not the first answer (al@example.com.au): the address as a whole; another case is the same address.
    assert outputs["al"] == ["al", "Al Smith", "al@example.com", True]
    assert outputs["bea"] == ["bea", "Bea Jones", "Bea.Jones@Example.com", True]

    # At preview, one request per page: here one page each.
    look_up(people, {"al": "al@example.com"})
    assert searches(emulator) == [{"query": ["al@example.com"], "startAt": ["0"], "maxResults": ["50"]}]
    assert emulator.stats()["total"] == 1


def test_every_page_is_read(people: PulumiProject, emulator: Emulator) -> None:
    """55 accounts whose address starts with the one asked for, listed before it: two pages."""
    emulator.add_users(*(user(f"ops-{n}", f"Ops {n}", f"ops@example.com.{n}") for n in range(55)))
    emulator.add_users(user("ops", "Ops Desk", "ops@example.com"))
    look_up(people, {"ops": "ops@example.com"})
    assert [(query["startAt"], query["maxResults"]) for query in searches(emulator)] == [(["0"], ["50"]),
                                                                                      (["50"], ["50"])]
    assert emulator.stats()["total"] == 2


@pytest.mark.parametrize(("email", "message"), [
    ("nobody@example.com", "get_user(email='nobody@example.com'): no active account of the site has this email "
                           "address (the search finds active accounts only"),
    ("pre@example.com", "get_user(email='pre@example.com'): no active account of the site has this email address"),
    ("old@example.com", "get_user(email='old@example.com'): no active account of the site has this email address "
                        "(the search finds active accounts only"),
    ("twin@example.com", "get_user(email='twin@example.com'): 2 accounts have this email address (account ids "
                         "twin-1, twin-2)"),
])
def test_no_match_an_inactive_account_or_several_stop_the_program_in_one_line(
        people: PulumiProject, email: str, message: str) -> None:
    # `pre@...` is a prefix of two addresses, and `old@...` an inactive account the search does not return.
    output = look_up(people, {"x": email}, check=False)
    lines = [line for line in output.splitlines() if "get_user(" in line]
    assert lines and all(message in line for line in lines)  # one line (the CLI shows it twice)


def test_a_site_of_the_config_is_searched_with_its_own_settings(people: PulumiProject, emulator: Emulator,
                                                              emulator_factory: Callable[..., Emulator]) -> None:
    eu = emulator_factory()
    eu.add_users(user("eu-al", "Al in the EU", "al@example.com"))
    for key, value in (("baseUrl", eu.base_url), ("cloudId", eu.cloud_id), ("email", eu.admin_auth[0]),
                       ("siteUrl", eu.site_url)):
        people.pulumi("config", "set", "--path", f"jsmops:sites.eu.{key}", value)
    people.pulumi("config", "set", "--secret", "--path", "jsmops:sites.eu.apiToken", eu.admin_auth[1])
    (people.dir / "emails.json").write_text(json.dumps({"eu": {"email": "al@example.com", "site": "eu"},
                                                        "default": "al@example.com"}))
    people.up()
    outputs = json.loads(people.pulumi("stack", "output", "--json").stdout)
    assert outputs["eu"][0] == "eu-al" and outputs["default"][0] == "al"
    assert [entry["path"] for entry in eu.requests()] == [SEARCH]

    eu.reset_stats()
    output = look_up(people, {"x": {"email": "al@example.com", "site": "apac"}}, check=False)
    assert ("get_user(email='al@example.com', site='apac'): site 'apac' is not in jsmops:sites (its sites: 'eu')"
            in output)
    assert eu.stats()["total"] == 0 and emulator.stats()["total"] == 0


def test_a_missing_site_url_is_named_before_any_request(people: PulumiProject, emulator: Emulator) -> None:
    del people.env["JSMOPS_SITE_URL"]
    output = look_up(people, {"al": "al@example.com"}, check=False)
    assert ("get_user(email='al@example.com'): jsmops:siteUrl is not set (the address of the Jira site, "
            "https://<name>.atlassian.net); run `pulumi config set jsmops:siteUrl <value>` or set the environment "
            "variable JSMOPS_SITE_URL") in output
    assert emulator.stats()["total"] == 0


def test_an_address_that_is_not_an_email_is_named_before_any_request(people: PulumiProject,
                                                                     emulator: Emulator) -> None:
    output = look_up(people, {"al": "al"}, check=False)
    assert "get_user(email='al'): email: must be an email address, e.g. alice@example.com" in output
    assert emulator.stats()["total"] == 0


def test_an_unknown_user_in_a_rotation_fails_the_up_naming_the_field(project: PulumiProject,
                                                                     emulator: Emulator) -> None:
    """Only the service knows its users: its 422 names the participant, and nothing is recorded."""
    emulator.add_users(user(ALICE, "Alice", "alice@example.com"), user(BOB, "Bob", "bob@example.com"))
    project.write_schedules({"support": {"name": "Support", "rotations": [{
        "name": "weekly", "type": "weekly", "start_date": "2027-01-04T09:00:00+01:00",
        "participants": [{"type": "user", "id": ALICE}, {"type": "user", "id": "ghost"}]}]}})
    result = project.up(check=False)
    assert result.returncode != 0
    assert "rotations[0].participants[1].id: no user with account id 'ghost'" in result.stdout + result.stderr
    assert project.resources() == {} and emulator.schedules() == []
