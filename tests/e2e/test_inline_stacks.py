"""Two inline Automation API stacks in one process, each on a site of its own, declare a
schedule of the same name under different resource names: both come up. Nothing of one
stack run (such as which names were declared) leaks into the next."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from testkit.emulator_process import Emulator
from testkit.pulumi_project import PulumiProject
from testkit.schedules import TEAM


def test_two_inline_stacks_in_one_process_declare_the_same_schedule_name(
    tmp_path: Path, emulator_factory: Callable[..., Emulator]
) -> None:
    from pulumi import automation as auto

    import pulumi_jsmops as jsmops

    command = auto.PulumiCommand(root=sys.prefix, skip_version_check=True)  # the venv's pulumi
    sites = {"east": emulator_factory(), "west": emulator_factory()}
    stacks = []
    for stack_name, site in sites.items():
        env = PulumiProject(tmp_path / stack_name, site).env  # that site's credentials and a backend

        def program(resource_name: str = f"{stack_name}_on_call") -> None:
            jsmops.Schedule(resource_name, name="Site On-Call", team_id=TEAM)

        work_dir = tmp_path / f"{stack_name}-inline"
        work_dir.mkdir()
        stack = auto.create_or_select_stack(stack_name, project_name="sites", program=program,
                                            opts=auto.LocalWorkspaceOptions(work_dir=str(work_dir), env_vars=env,
                                                                            pulumi_command=command))
        stack.up(on_output=lambda _: None)
        stacks.append(stack)

    for site in sites.values():
        assert [s["name"] for s in site.schedules()] == ["Site On-Call"]
    for stack in stacks:
        stack.destroy(on_output=lambda _: None)
    assert all(site.schedules() == [] for site in sites.values())
