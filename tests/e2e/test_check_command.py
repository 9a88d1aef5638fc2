"""`jsmops check` through the real CLI: the stack's settings against the service with one read,
for a new user whose unchanged preview sends no request and so cannot tell a wrong token."""

from __future__ import annotations

from testkit.emulator_process import Emulator
from testkit.pulumi_project import PulumiProject
from testkit.schedules import SUPPORT


def test_check_reads_once_and_names_the_setting_to_fix(project: PulumiProject, emulator: Emulator) -> None:
    project.write_schedules({"support": SUPPORT})
    project.up()
    project.pulumi("config", "set", "--secret", "jsmops:apiToken", "a-wrong-token")
    emulator.reset_stats()
    project.preview("--expect-no-changes")  # the preview cannot tell: it asks nothing
    assert emulator.stats()["total"] == 0

    wrong = project.jsmops("check", "--stack", "test", check=False)
    assert wrong.returncode == 1
    assert "GET /v1/schedules failed with 401 (the email or API token is not valid" in wrong.stderr, wrong.stderr
    assert "a-wrong-token" not in wrong.stdout + wrong.stderr and "Traceback" not in wrong.stderr
    assert emulator.stats()["by_method"] == {"GET": 1}

    project.pulumi("config", "set", "--secret", "jsmops:apiToken", emulator.admin_auth[1])
    emulator.reset_stats()
    right = project.jsmops("check", "--stack", "test")
    assert (f"stack 'test': jsmops:baseUrl {emulator.base_url}, jsmops:cloudId {emulator.cloud_id}, "
            f"jsmops:email {emulator.admin_auth[0]}") in right.stdout
    assert "the site exists, and this email and token can read its schedules" in right.stdout
    assert "not checked: whether the token may change schedules" in right.stdout
    assert emulator.admin_auth[1] not in right.stdout
    assert emulator.stats()["by_method"] == {"GET": 1}  # one read, no write

    expectations = {
        ("jsmops:cloudId", "no-such-site"): "the service knows no site with the cloud id 'no-such-site'",
        ("jsmops:baseUrl", "http://127.0.0.1:9"): "cannot connect to the API at http://127.0.0.1:9",
        ("jsmops:baseUrl", emulator.api_url): "is the API's address, not the site's",
    }
    for (key, value), says in expectations.items():
        project.pulumi("config", "set", key, value)
        failed = project.jsmops("check", "--stack", "test", check=False)
        assert failed.returncode == 1 and says in failed.stderr and key in failed.stderr, failed.stderr
        project.pulumi("config", "rm", key)
    assert [schedule["name"] for schedule in emulator.schedules()] == [SUPPORT["name"]]  # nothing changed


def test_check_takes_a_site_of_the_stack_config(project: PulumiProject, emulator: Emulator) -> None:
    site = {"baseUrl": emulator.base_url, "cloudId": emulator.cloud_id, "email": emulator.admin_auth[0]}
    for key, value in site.items():
        project.pulumi("config", "set", "--path", f"jsmops:sites.eu.{key}", value)
    project.pulumi("config", "set", "--secret", "--path", "jsmops:sites.eu.apiToken", emulator.admin_auth[1])
    emulator.reset_stats()
    checked = project.jsmops("check", "--stack", "test", "--site", "eu")
    assert f"jsmops:sites.eu.cloudId {emulator.cloud_id}" in checked.stdout and "(jsmops:sites.eu)" in checked.stdout
    assert emulator.stats()["by_method"] == {"GET": 1}
    unknown = project.jsmops("check", "--stack", "test", "--site", "apac", check=False)
    assert unknown.returncode == 1 and "site 'apac' is not in jsmops:sites (its sites: 'eu')" in unknown.stderr
