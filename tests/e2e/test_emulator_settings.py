"""The emulator's banner as a new user reads it: its API line pasted as `jsmops:baseUrl`
fails the preview saying what to set, before any request; the settings line it prints
works as it is."""

from __future__ import annotations

import re

from testkit.emulator_process import Emulator
from testkit.pulumi_project import PulumiProject
from testkit.schedules import SUPPORT


def test_the_banners_api_line_as_base_url_says_what_to_set(project: PulumiProject, emulator: Emulator) -> None:
    api_line = emulator.wait_for_line("API: ").removeprefix("API: ")
    assert api_line == emulator.api_url
    project.write_schedules({"support": SUPPORT})
    project.pulumi("config", "set", "jsmops:baseUrl", api_line)
    emulator.reset_stats()
    preview = project.preview(check=False)
    output = preview.stdout + preview.stderr
    assert preview.returncode != 0
    assert (f"jsmops:baseUrl is invalid: is the API's address, not the site's: set it to {emulator.base_url} "
            "(the part before /jsm/ops/api/), and jsmops:cloudId to local") in output, output
    assert "Traceback" not in output and "404" not in output
    assert emulator.stats()["total"] == 0

    settings = emulator.wait_for_line("pulumi-jsmops settings: ")
    base_url, cloud_id = re.search(r"jsmops:baseUrl (\S+) .*jsmops:cloudId (\S+),", settings).groups()
    project.pulumi("config", "set", "jsmops:baseUrl", base_url)
    project.pulumi("config", "set", "jsmops:cloudId", cloud_id)
    project.up()
    assert [schedule["name"] for schedule in emulator.schedules()] == [SUPPORT["name"]]
