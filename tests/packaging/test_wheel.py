"""pulumi-jsmops as a user gets it: the wheel, installed with the newest Pulumi SDK on PyPI
into a fresh venv outside the checkout, in a Pulumi project of the user's own, set up as
the README's "Install into your own project" says, against the emulator."""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path

from testkit.emulator_process import Emulator
from testkit.schedules import ALICE, TEAM
from testkit.user_project import UserProject

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # how the engine writes an unknown value in JSON

PROGRAM = f'''\
import pulumi
import pulumi_jsmops as jsmops

config = pulumi.Config()
team = config.require("team")

primary = jsmops.Schedule(
    "primary",
    name="Platform On-Call",
    team_id=team,
    timezone="Europe/Berlin",
    rotations=[
        jsmops.RotationArgs(
            name="weekly",
            type="weekly",
            start_date="2026-01-05T09:00:00+01:00",
            participants=[jsmops.ParticipantArgs(type="user", id="{ALICE}")],
        )
    ],
)
# Unknown at the first preview: the primary schedule does not exist yet.
backup = jsmops.Schedule(
    "backup",
    name="Platform Backup",
    team_id=team,
    description=primary.id.apply(lambda primary_id: f"backs up {{primary_id}}"),
)
pulumi.export("primary_id", primary.id)
'''


def test_the_wheel_carries_the_plugin_marker_types_and_license(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert json.loads(archive.read("pulumi_jsmops/pulumi-plugin.json")) == {"resource": False}
        assert "pulumi_jsmops/py.typed" in names
        (metadata,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        meta = archive.read(metadata).decode()
        (license_file,) = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
        assert "Apache License" in archive.read(license_file).decode()
    assert "License-Expression: Apache-2.0" in meta
    assert "Project-URL: Source, " in meta
    assert "Requires-Dist: pulumi<4,>=3.259.0" in meta
    assert not any(n.startswith(("tests/", "bench/")) for n in names)


def test_a_new_project_previews_unknowns_then_up_and_destroy(user_project: UserProject, emulator: Emulator) -> None:
    assert user_project.sdk_version == user_project.newest_sdk
    project = user_project
    (project.dir / "__main__.py").write_text(PROGRAM)
    project.pulumi("stack", "init", "dev")
    project.pulumi("config", "set", "jsmops:baseUrl", emulator.base_url)
    project.pulumi("config", "set", "jsmops:cloudId", emulator.cloud_id)
    project.pulumi("config", "set", "jsmops:email", emulator.admin_auth[0])
    project.pulumi("config", "set", "--secret", "jsmops:apiToken", emulator.admin_auth[1])
    project.pulumi("config", "set", "team", TEAM)

    preview = json.loads(project.pulumi("preview", "--json"))
    creates = {step["urn"].rsplit("::", 1)[1]: step for step in preview["steps"]
               if step["op"] == "create" and step["urn"].endswith(("::primary", "::backup"))}
    assert set(creates) == {"primary", "backup"}, preview
    assert creates["backup"]["newState"]["inputs"]["description"] == UNKNOWN  # shown as unknown, not rejected
    assert emulator.stats()["total"] == 0

    project.pulumi("up", "--yes", "--skip-preview")
    by_name = {s["name"]: s for s in emulator.schedules()}
    assert set(by_name) == {"Platform On-Call", "Platform Backup"}
    assert by_name["Platform Backup"]["description"] == f"backs up {by_name['Platform On-Call']['id']}"

    emulator.reset_stats()
    project.pulumi("preview", "--expect-no-changes")
    assert emulator.stats()["total"] == 0

    about = json.loads(project.pulumi("about", "--json"))
    plugins = [plugin["name"] for plugin in about.get("plugins") or []]
    assert "jsmops" not in plugins, about.get("plugins")
    project.pulumi("plugin", "install")  # the project's plugins: none to fetch, so nothing fails

    project.pulumi("destroy", "--yes", "--skip-preview")
    assert emulator.schedules() == []


def test_the_emulator_command_says_what_to_install_without_its_extra(user_project: UserProject) -> None:
    result = subprocess.run([str(user_project.python.parent / "jsmops-emulator"), "--port", "0"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "pip install 'pulumi-jsmops[emulator]'" in result.stderr
    assert "Traceback" not in result.stderr
