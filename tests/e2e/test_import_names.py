"""`jsmops import` writes ids as the stack config's names (`people`, `teams`, `escalations`),
imports from a site of `jsmops:sites` (`--site`), and says to add the module before the next
`up`, which would otherwise delete what was just imported. Through the real CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from testkit.emulator_process import Emulator
from testkit.overrides import NEXT_YEAR, make_override
from testkit.pulumi_project import PulumiProject
from testkit.schedules import ALICE, BOB, ESCALATION, TEAM

pytestmark = pytest.mark.e2e

PROGRAM = "import imported_schedules  # noqa: F401 - the schedules `jsmops import` wrote\n"
EMPTY_PROGRAM = "import pulumi\n"

SUPPORT = {"name": "Support", "teamId": TEAM, "rotations": [{
    "name": "weekly", "type": "weekly", "startDate": f"{NEXT_YEAR}-01-04T08:00:00Z",
    "participants": [{"type": "user", "id": ALICE}, {"type": "user", "id": BOB}, {"type": "team", "id": TEAM},
                     {"type": "escalation", "id": ESCALATION}]}]}


@pytest.fixture
def project_program() -> str:
    return EMPTY_PROGRAM


def make_schedule(emulator: Emulator) -> dict:
    response = emulator.http.post(f"{emulator.api_url}/schedules", json=SUPPORT, auth=emulator.admin_auth, timeout=10)
    response.raise_for_status()
    made: dict = response.json()
    return made


def jsmops_import(project: PulumiProject, *args: str) -> str:
    result = subprocess.run([str(Path(sys.executable).parent / "jsmops"), "import", "--stack", "test", *args],
                            cwd=project.dir, env=project.env, capture_output=True, text=True, timeout=600)
    project.transcript += [result.stdout, result.stderr]
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def assert_ruff_format_leaves_it(module: Path) -> None:
    ruff = Path(sys.executable).parent / "ruff"
    result = subprocess.run([str(ruff), "format", "--isolated", "--diff", str(module)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ids_the_config_names_are_written_as_names(project: PulumiProject, emulator: Emulator) -> None:
    project.pulumi("config", "set", "--path", "people.alice", ALICE)
    project.pulumi("config", "set", "--path", "people.alice_again", ALICE)  # an id with two names: the first
    project.pulumi("config", "set", "--path", "teams.platform", TEAM)
    made = make_schedule(emulator)
    make_override(emulator, made["id"], {"responder": {"type": "user", "id": ALICE},
                                         "startDate": f"{NEXT_YEAR}-12-24T08:00:00Z",
                                         "endDate": f"{NEXT_YEAR}-12-27T08:00:00Z"})
    output = jsmops_import(project, "--all", "--overrides")
    assert ("Before the next `pulumi up`, add `import imported_schedules` to the stack program if it is not there "
            "yet: an `up` of a program without it deletes what was just imported") in output

    module = project.dir / "imported_schedules.py"
    code = module.read_text()
    assert 'config = pulumi.Config()\npeople = config.require_object("people")\n' in code
    assert 'teams = config.require_object("teams")\n' in code and "escalations" not in code
    assert 'team_id=teams["platform"],' in code
    assert 'jsmops.ParticipantArgs(type="user", id=people["alice"]),' in code
    assert f'id="{BOB}",  # not in the stack config\'s people' in code
    assert 'jsmops.ParticipantArgs(type="team", id=teams["platform"]),' in code
    assert f'id="{ESCALATION}",\n' in code  # the config has no escalations object: no comment
    assert 'responder=jsmops.OverrideResponderArgs(type="user", id=people["alice"]),' in code
    assert ALICE not in code and TEAM not in code
    assert_ruff_format_leaves_it(module)

    # As the message says: without the module, the next `up` would delete what was imported.
    steps = json.loads(project.preview("--json").stdout)["steps"]
    assert sorted(step["op"] for step in steps if step["op"] != "same") == ["delete", "delete"]

    (project.dir / "__main__.py").write_text(PROGRAM)
    project.assert_clean_preview()
    assert project.resources()["support"]["id"] == made["id"]


def test_import_from_a_site_declares_the_schedules_on_it(project: PulumiProject, emulator: Emulator,
                                                         emulator_factory: Callable[..., Emulator]) -> None:
    eu = emulator_factory()
    for key, value in (("baseUrl", eu.base_url), ("cloudId", eu.cloud_id), ("email", eu.admin_auth[0])):
        project.pulumi("config", "set", "--path", f"jsmops:sites.eu.{key}", value)
    project.pulumi("config", "set", "--secret", "--path", "jsmops:sites.eu.apiToken", eu.admin_auth[1])
    made = make_schedule(eu)
    make_schedule(emulator)  # one of the same name on the default site: not imported

    jsmops_import(project, "--site", "eu", "--name-prefix", "Supp")
    code = (project.dir / "imported_schedules.py").read_text()
    assert code.count("jsmops.Schedule(") == 1 and '    site="eu",\n)' in code
    assert eu.base_url in code.split('"""')[1]  # the origin in the docstring is the site's
    assert "people[" not in code and "import pulumi\n" not in code  # no names in the config: ids as they are
    state = project.resources()["support"]
    assert (state["id"], state["inputs"]["site"], state["outputs"]["site"]) == (made["id"], "eu", "eu")

    (project.dir / "__main__.py").write_text(PROGRAM)
    eu.reset_stats()
    project.assert_clean_preview()
    assert eu.stats()["total"] == 0
