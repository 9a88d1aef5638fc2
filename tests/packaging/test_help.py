"""`help(jsmops.Schedule)` and `help(jsmops.ScheduleOverride)` in the user's venv show our
documentation of every input (with its default) and output, not the base class's text about
`__provider` (nor the override's hidden input); each field of the `...Args` types, and each
argument of the lookups (`site` of each among them), is documented too."""

from __future__ import annotations

import json
import re

import pytest

from testkit.user_project import UserProject, run

# Runs in the user's venv: what help() shows, and the documented names beside the real ones.
INSPECT = '''\
import inspect, json, pydoc, re
import pulumi_jsmops as jsmops

PARAM = r":param \\S+ (\\w+): (.+?)(?=\\n\\s*:param|\\n\\s*$|$)"

def params(doc):
    return dict(re.findall(PARAM, doc or "", re.S))

types = ["RotationArgs", "ParticipantArgs", "TimeRestrictionArgs", "TimeOfDayArgs", "DayAndTimeOfDayArgs",
         "OverrideResponderArgs"]

def documented(resource, args, outputs):
    return {
        "help": pydoc.render_doc(resource, renderer=pydoc.plaintext),
        "signature": {name: p.default is not inspect.Parameter.empty
                      for name, p in inspect.signature(resource.__init__).parameters.items() if name != "self"},
        "params": params(resource.__init__.__doc__),
        "outputs": {name: getattr(resource, name).__doc__ for name in [*args.__annotations__, *outputs]},
    }

print(json.dumps({
    "Schedule": documented(jsmops.Schedule, jsmops.ScheduleArgs, []),
    "ScheduleOverride": documented(jsmops.ScheduleOverride, jsmops.ScheduleOverrideArgs, ["alias", "rotation_ids"]),
    "types": {name: [sorted(getattr(jsmops, name).__annotations__), sorted(params(getattr(jsmops, name).__doc__))]
              for name in types},
    "lookups": {name: params(getattr(jsmops, name).__doc__)
                for name in ("get_schedule", "get_schedule_output", "get_on_call", "get_on_call_output", "get_user",
                             "get_user_output")},
}))
'''


@pytest.mark.parametrize(("resource", "declares", "optional"), [
    ("Schedule", "Declares a schedule", {"team_id", "description", "timezone", "enabled", "rotations", "site"}),
    ("ScheduleOverride", "Declares an override", {"rotations", "site"}),
])
def test_help_of_a_resource_documents_each_input_with_its_default_and_each_output(
        user_project: UserProject, resource: str, declares: str, optional: set[str]) -> None:
    found = json.loads(run([str(user_project.python), "-c", INSPECT], user_project.dir))[resource]
    assert "__provider" not in found["help"] and "schedule_rotations" not in found["help"]
    assert declares in found["help"]
    assert set(found["params"]) == set(found["signature"])
    required = {"args", "opts", "name", "schedule_id", "responder", "start_date", "end_date"}
    assert {name for name, has_default in found["signature"].items() if has_default} - required == optional
    for name in optional:
        assert re.search(r"Defaults to \S", found["params"][name]), name
    for name, doc in found["outputs"].items():
        assert doc and doc.strip(), name


def test_the_lookups_document_each_argument(user_project: UserProject) -> None:
    found = json.loads(run([str(user_project.python), "-c", INSPECT], user_project.dir))["lookups"]
    assert set(found["get_on_call"]) == {"schedule_id", "at", "site"} == set(found["get_on_call_output"])
    assert "Defaults to now" in found["get_on_call"]["at"]
    assert set(found["get_schedule"]) == {"name", "site"} == set(found["get_schedule_output"])
    assert set(found["get_user"]) == {"email", "site"} == set(found["get_user_output"])
    for lookup in ("get_schedule", "get_on_call", "get_user"):
        assert "Defaults to the `jsmops:*` settings" in found[lookup]["site"], lookup


def test_each_field_of_the_input_types_is_documented(user_project: UserProject) -> None:
    found = json.loads(run([str(user_project.python), "-c", INSPECT], user_project.dir))
    for type_name, (fields, documented) in found["types"].items():
        assert fields == documented, type_name
