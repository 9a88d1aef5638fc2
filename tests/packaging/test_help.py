"""`help(jsmops.Schedule)` in the user's venv shows our documentation of every input (with
its default) and output, not the base class's text about `__provider`; each field of the
`...Args` types is documented too."""

from __future__ import annotations

import json
import re

from testkit.user_project import UserProject, run

# Runs in the user's venv: what help() shows, and the documented names beside the real ones.
INSPECT = '''\
import inspect, json, pydoc, re
import pulumi_jsmops as jsmops

PARAM = r":param \\S+ (\\w+): (.+?)(?=\\n\\s*:param|\\n\\s*$|$)"

def params(doc):
    return dict(re.findall(PARAM, doc or "", re.S))

types = ["RotationArgs", "ParticipantArgs", "TimeRestrictionArgs", "TimeOfDayArgs", "DayAndTimeOfDayArgs"]
print(json.dumps({
    "help": pydoc.render_doc(jsmops.Schedule, renderer=pydoc.plaintext),
    "signature": {name: p.default is not inspect.Parameter.empty
                  for name, p in inspect.signature(jsmops.Schedule.__init__).parameters.items() if name != "self"},
    "params": params(jsmops.Schedule.__init__.__doc__),
    "outputs": {name: getattr(jsmops.Schedule, name).__doc__ for name in jsmops.ScheduleArgs.__annotations__},
    "types": {name: [sorted(getattr(jsmops, name).__annotations__), sorted(params(getattr(jsmops, name).__doc__))]
              for name in types},
}))
'''


def test_help_of_schedule_documents_each_input_with_its_default_and_each_output(user_project: UserProject) -> None:
    found = json.loads(run([str(user_project.python), "-c", INSPECT], user_project.dir))
    assert "__provider" not in found["help"]
    assert "Declares a schedule" in found["help"]
    assert set(found["params"]) == set(found["signature"])
    optional = {name for name, has_default in found["signature"].items() if has_default} - {"args", "opts", "name"}
    assert optional == {"team_id", "description", "timezone", "enabled", "rotations"}
    for name in optional:
        assert re.search(r"Defaults to \S", found["params"][name]), name
    for name, doc in found["outputs"].items():
        assert doc and doc.strip(), name


def test_each_field_of_the_input_types_is_documented(user_project: UserProject) -> None:
    found = json.loads(run([str(user_project.python), "-c", INSPECT], user_project.dir))
    for type_name, (fields, documented) in found["types"].items():
        assert fields == documented, type_name
