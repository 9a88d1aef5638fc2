"""The stack trace our resources leave in the state: the user's line, not the whole stack
(pulumi_jsmops/registration.py), through the real CLI and engine; and the cut itself on the
SDK's own message type."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pulumi.runtime.proto import source_pb2

from pulumi_jsmops import registration
from testkit.emulator_process import Emulator
from testkit.pulumi_project import PulumiProject
from testkit.schedules import SUPPORT

# Line 9 declares the schedule through a helper of the user's (line 17 calls it); a
# component of the user's own (line 18) keeps the SDK's full trace.
PROGRAM = '''\
import json
from pathlib import Path

import pulumi
import pulumi_jsmops as jsmops


def team_schedule(name, spec):
    return jsmops.Schedule(name, **spec)


class Group(pulumi.ComponentResource):
    def __init__(self, name):
        super().__init__("user:index:Group", name)


schedule = team_schedule("support", json.loads(Path("schedules.json").read_text())["support"])
group = Group("group")
pulumi.export("id", schedule.id)
'''


@pytest.fixture
def project_program() -> str:
    return PROGRAM


def _trace(resource: dict[str, Any]) -> list[str]:
    return [frame.get("sourcePosition", "") for frame in resource.get("stackTrace", [])]


def test_a_schedule_registers_the_users_line_only(project: PulumiProject, emulator: Emulator) -> None:
    project.write_schedules({"support": SUPPORT})
    project.up()
    resources = {r["urn"].rsplit("::", 1)[1]: r for r in project.state()["deployment"]["resources"]}

    schedule = resources["support"]
    assert _trace(schedule) == ["project:///__main__.py#9"]
    assert schedule["sourcePosition"] == "project:///__main__.py#9"
    # What the SDK sends for any other resource is left whole.
    group = _trace(resources["group"])
    assert len(group) > 3 and group[0] == "project:///__main__.py#18"

    # The schedule's record is none the worse for it: nothing to change, nothing asked.
    project.assert_clean_preview()


def _frame(path: str, line: int) -> source_pb2.StackFrame:
    return source_pb2.StackFrame(pc=source_pb2.SourcePosition(uri=Path(path).resolve().as_uri(), line=line))


def test_the_cut_keeps_the_first_frame_outside_the_package() -> None:
    ours = Path(registration.__file__).parent / "schedule.py"
    trace = source_pb2.StackTrace(frames=[
        _frame(str(ours), 274), source_pb2.StackFrame(), _frame("/srv/app/__main__.py", 8),
        _frame("/usr/lib/python3/asyncio/events.py", 80),
    ])

    cut = registration.declaring_frame_only(trace)

    assert [(f.pc.uri, f.pc.line) for f in cut.frames] == [(Path("/srv/app/__main__.py").as_uri(), 8)]


def test_a_trace_of_our_frames_only_is_left_whole() -> None:
    ours = Path(registration.__file__).parent / "schedule.py"
    trace = source_pb2.StackTrace(frames=[_frame(str(ours), 274), source_pb2.StackFrame()])

    assert len(registration.declaring_frame_only(trace).frames) == 2


def test_an_unexpected_trace_reaches_the_engine_as_the_sdk_made_it() -> None:
    unexpected = object()
    get_stack_trace = registration._shortened(lambda: unexpected)

    with registration.declaring():
        assert get_stack_trace() is unexpected
