"""A stack takes as its own only the schedules it created: never one that merely has the name
(and settings) asked for. Each case through the real CLI against the emulator, asserting the
service's schedules and the stack's state afterwards."""

from __future__ import annotations

import copy
import re
import sys
from pathlib import Path

import pytest

from testkit.emulator_process import Emulator
from testkit.fixtures import FAST_FAILING_ENV
from testkit.pulumi_project import PulumiProject
from testkit.schedules import OPERATIONS, SUPPORT, TEAM

# schedules.json: resource name -> keyword arguments, plus "aliases" (earlier resource names),
# "replace_on_changes" (the resource option) and "name_as": "secret" (Output.secret), "output"
# (an Output known at preview) or "after:<resource>" (an Output unknown at preview: it waits
# for that resource's id).
PROGRAM = '''\
import json
from pathlib import Path

import pulumi
import pulumi_jsmops as jsmops

declared = {}
for resource_name, spec in json.loads(Path("schedules.json").read_text()).items():
    aliases = [pulumi.Alias(name=alias) for alias in spec.pop("aliases", [])]
    replace_on_changes = spec.pop("replace_on_changes", None)
    name, name_as = spec.pop("name"), spec.pop("name_as", "")
    if name_as == "secret":
        name = pulumi.Output.secret(name)
    elif name_as == "output":
        name = pulumi.Output.from_input(name)
    elif name_as.startswith("after:"):
        name = declared[name_as.removeprefix("after:")].id.apply(lambda _, name=name: name)
    declared[resource_name] = jsmops.Schedule(resource_name, name=name, **spec,
                                              opts=pulumi.ResourceOptions(aliases=aliases,
                                                                          replace_on_changes=replace_on_changes))
'''


@pytest.fixture
def project_program() -> str:
    return PROGRAM


@pytest.fixture
def project_env() -> dict[str, str]:
    return {**FAST_FAILING_ENV, "JSMOPS_MAX_RETRIES": "2"}


def make_by_hand(emulator: Emulator, name: str, description: str = "made by hand") -> dict:
    response = emulator.http.post(f"{emulator.api_url}/schedules", auth=emulator.admin_auth, timeout=10,
                                  json={"name": name, "teamId": TEAM, "description": description})
    response.raise_for_status()
    return response.json()


def failed_up(project: PulumiProject) -> str:
    result = project.pulumi("up", "--yes", "--skip-preview", check=False)
    assert result.returncode != 0
    return result.stdout + result.stderr


def names_both(output: str, first: str, second: str) -> bool:
    """Whether the duplicate-name error names both resources (in either order: checks run in parallel)."""
    pair = f"('{first}' and '{second}'|'{second}' and '{first}')"
    return re.search(f"name: Schedule resources {pair} have the same name", output) is not None


def ids_in_state(project: PulumiProject) -> dict[str, str]:
    return {name: r["id"] for name, r in project.resources().items()}


def test_renaming_a_resource_without_aliases_fails_and_deletes_nothing(project: PulumiProject,
                                                                       emulator: Emulator) -> None:
    project.write_schedules({"support": SUPPORT})
    project.up()
    [made] = emulator.schedules()

    project.write_schedules({"renamed": SUPPORT})
    output = failed_up(project)
    # What happened, read from the stack's state: this stack's schedule, under the earlier resource name.
    assert (f"schedule {made['id']} of this name is this stack's resource 'support', which the program no longer "
            "declares: the resource was renamed to 'renamed'") in output, output
    assert 'aliases=[pulumi.Alias(name="support")]' in output
    assert "did not create it" not in output
    assert emulator.schedules() == [made]  # the old resource was not deleted
    assert ids_in_state(project) == {"support": made["id"]}

    project.write_schedules({"renamed": {**SUPPORT, "aliases": ["support"]}})
    project.up()
    assert emulator.schedules() == [made]  # rotations keep their ids
    assert ids_in_state(project) == {"renamed": made["id"]}
    project.preview("--expect-no-changes")


def test_a_replacement_deletes_before_it_creates(project: PulumiProject, emulator: Emulator) -> None:
    project.write_schedules({"support": SUPPORT})
    project.up()
    [before] = emulator.schedules()
    urn = project.resources()["support"]["urn"]

    project.pulumi("up", "--yes", "--skip-preview", "--replace", urn)
    [after] = emulator.schedules()
    assert after["id"] != before["id"] and after["name"] == SUPPORT["name"]
    assert ids_in_state(project) == {"support": after["id"]}
    project.preview("--expect-no-changes")


def test_a_lost_create_answer_never_takes_over_a_schedule_made_by_hand(project: PulumiProject,
                                                                       emulator: Emulator) -> None:
    hand_made = make_by_hand(emulator, SUPPORT["name"])
    project.write_schedules({"support": SUPPORT})
    emulator.add_fault(method="POST", action="status", status=503, count=1)  # the answer is lost
    output = failed_up(project)
    assert f"(id {hand_made['id']}) with other settings than this create's: it is not taken over" in output
    assert project.resources() == {}

    emulator.add_fault(method="POST", action="delay", delay=3, count=1)  # slower than the 1 s timeout
    output = failed_up(project)
    assert "it is not taken over" in output and project.resources() == {}

    project.pulumi("destroy", "--yes")
    [kept] = emulator.schedules()
    assert kept["id"] == hand_made["id"] and kept["description"] == "made by hand"


def test_a_lost_answer_of_our_own_create_is_recognised(project: PulumiProject, emulator: Emulator) -> None:
    project.write_schedules({"support": SUPPORT})
    emulator.add_fault(method="POST", action="cut", count=1)  # made by the service, answer cut
    project.up()
    [made] = emulator.schedules()
    assert ids_in_state(project) == {"support": made["id"]}
    project.preview("--expect-no-changes")


def test_two_stacks_never_share_a_schedule(tmp_path: Path, project: PulumiProject, emulator: Emulator) -> None:
    project.write_schedules({"support": SUPPORT})
    project.up()
    [mine] = emulator.schedules()

    other = PulumiProject(tmp_path / "other", emulator, program=PROGRAM)
    other.write_schedules({"support": SUPPORT})  # the very same schedule, in another stack
    output = failed_up(other)
    assert f"already exists (id {mine['id']}), and this stack did not create it" in output
    assert other.resources() == {}
    other.pulumi("destroy", "--yes")
    assert [s["id"] for s in emulator.schedules()] == [mine["id"]]
    assert ids_in_state(project) == {"support": mine["id"]}


@pytest.mark.parametrize("name_as", ["", "output"])
def test_duplicate_names_fail_at_preview(project: PulumiProject, emulator: Emulator, name_as: str) -> None:
    project.write_schedules({"support": SUPPORT, "copy": {**OPERATIONS, "name": SUPPORT["name"], "name_as": name_as}})
    result = project.preview(check=False)
    assert result.returncode != 0
    assert names_both(result.stdout, "support", "copy"), result.stdout
    assert emulator.stats()["total"] == 0


def test_a_duplicate_name_known_only_at_up_fails_before_it_is_created(project: PulumiProject,
                                                                      emulator: Emulator) -> None:
    ops = {"ops": OPERATIONS, "support": SUPPORT}
    copy_of_support = {**OPERATIONS, "name": SUPPORT["name"], "name_as": "after:ops"}
    project.write_schedules({**ops, "copy": copy_of_support})
    project.preview()  # unknown at preview: checked again at up, once known
    output = failed_up(project)
    assert names_both(output, "support", "copy"), output
    assert sorted(s["name"] for s in emulator.schedules()) == sorted(s["name"] for s in ops.values())
    assert set(project.resources()) == {"ops", "support"}


def test_a_secret_name_is_not_printed(project: PulumiProject, emulator: Emulator) -> None:
    secret = "Secret Incident Bridge"
    hand_made = make_by_hand(emulator, secret)
    project.write_schedules({"support": {**SUPPORT, "name": secret, "name_as": "secret"}})
    output = failed_up(project)
    assert f"(id {hand_made['id']})" in output
    assert secret not in output

    project.write_schedules({"support": {**SUPPORT, "name": secret, "name_as": "secret"},
                             "copy": {**OPERATIONS, "name": secret, "name_as": "secret"}})
    result = project.preview(check=False)
    assert names_both(result.stdout, "support", "copy") and secret not in result.stdout
    assert [s["id"] for s in emulator.schedules()] == [hand_made["id"]]


def test_two_inline_stacks_in_one_process_both_declare_the_same_name(tmp_path: Path, emulator: Emulator) -> None:
    from pulumi import automation as auto

    import pulumi_jsmops as jsmops

    env = PulumiProject(tmp_path / "env", emulator).env
    work_dir = tmp_path / "inline"
    work_dir.mkdir()
    command = auto.PulumiCommand(root=sys.prefix, skip_version_check=True)  # the venv's pulumi

    def program() -> None:
        jsmops.Schedule("site", name="Site On-Call", team_id=TEAM, rotations=copy.deepcopy(SUPPORT["rotations"]))

    for stack_name in ("first", "second"):
        stack = auto.create_or_select_stack(stack_name, project_name="inline", program=program,
                                            opts=auto.LocalWorkspaceOptions(work_dir=str(work_dir), env_vars=env,
                                                                            pulumi_command=command))
        stack.up(on_output=lambda _: None)
        [site] = emulator.schedules()
        assert site["name"] == "Site On-Call"
        outputs = stack.export_stack().deployment["resources"]
        assert site["id"] in {r.get("id") for r in outputs}
        stack.destroy(on_output=lambda _: None)
        assert emulator.schedules() == []


def test_replace_on_changes_replaces_deleting_first(project: PulumiProject, emulator: Emulator) -> None:
    # The provider's diff names the changed paths (its detailed diff), which the option needs.
    project.write_schedules({"support": {**SUPPORT, "replace_on_changes": ["description"]}})
    project.up()
    [before] = emulator.schedules()
    project.write_schedules({"support": {**SUPPORT, "enabled": False, "replace_on_changes": ["description"]}})
    project.up()
    [edited] = emulator.schedules()
    assert edited["id"] == before["id"] and edited["enabled"] is False  # another field: updated in place
    project.write_schedules({"support": {**SUPPORT, "description": "changed", "replace_on_changes": ["description"]}})
    emulator.reset_stats()
    project.up()
    assert [(r["method"], r["path"]) for r in emulator.requests()] == [  # deleted first: names are unique
        ("DELETE", f"/v1/schedules/{before['id']}"), ("POST", "/v1/schedules")]
    [after] = emulator.schedules()
    assert after["id"] != before["id"] and after["description"] == "changed"  # replaced
    assert ids_in_state(project) == {"support": after["id"]}
    project.assert_clean_preview()
