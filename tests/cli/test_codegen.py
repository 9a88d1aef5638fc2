"""The code `jsmops import` writes: resource names derived from schedule names, and source
as the formatter leaves it, declaring exactly the imported inputs."""

from __future__ import annotations

import ast
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import pulumi_jsmops as jsmops
from pulumi_jsmops.api.models import parse_api_schedule, parse_user_schedule
from pulumi_jsmops.api.overrides import parse_user_override
from pulumi_jsmops.api.reserved_names import reserved_name_reason
from pulumi_jsmops.cli.codegen import (
    ConfigNames,
    declaration,
    module_header,
    new_override_name,
    new_resource_name,
    override_declaration,
)


def test_names_are_identifiers_unique_and_never_shadow_the_module() -> None:
    taken: set[str] = set()
    names = [new_resource_name(n, taken) for n in ["Ops / EU", "Ops EU", "24x7", "class", "jsmops", "!!!", "Jsmops",
                                                   "People", "config", "Pulumi"]]
    assert names == ["ops_eu", "ops_eu_2", "schedule_24x7", "schedule_class", "schedule_jsmops", "schedule",
                     "schedule_jsmops_2", "schedule_people", "schedule_config", "schedule_pulumi"]
    assert all(name.isidentifier() for name in names)


# Schedules as the API holds them, covering every kind of input and awkward text.
API_SCHEDULES = [
    {"id": "s1", "name": "Ops / EU", "teamId": "cd68207b-c55d-4611-ab25-72fd0c439e9f", "description": "",
     "timezone": "Europe/Berlin", "enabled": True, "rotations": []},
    {"id": "s2", "name": 'He said "hi"', "description": "it's \"quoted\" \\ and\nmultiline\ttabbed " + "x" * 100,
     "timezone": "Asia/Tokyo", "enabled": False, "rotations": [
         {"id": "r1", "name": "weekdays", "type": "daily", "length": 1, "startDate": "2026-01-05T08:00:00Z",
          "participants": [{"type": "user", "id": "14a994fd-78c6-4236-8b83-d107e5d32d6a"},
                           {"type": "noone"}, {"type": "team", "id": "cd68207b-c55d-4611-ab25-72fd0c439e9f"}],
          "timeRestriction": {"type": "weekday-and-time-of-day", "restrictions": [
              {"startDay": d, "startHour": 8, "startMin": 0, "endDay": d, "endHour": 18, "endMin": 30}
              for d in ("monday", "tuesday")]}},
         {"id": "r2", "name": "nights", "type": "hourly", "length": 12, "startDate": "2026-01-05T20:00:00Z",
          "endDate": "2027-01-01T00:00:00Z", "participants": [{"type": "escalation", "id": "e"}],
          "timeRestriction": {"type": "time-of-day",
                              "restriction": {"startHour": 20, "startMin": 0, "endHour": 8, "endMin": 0}}},
         {"id": "r3", "name": "s", "type": "weekly", "length": 1, "startDate": "2026-01-05T08:00:00Z",
          "participants": []},
     ]},
    {"id": "s3", "name": "東京 デスク 24x7", "teamId": "t", "description": "幅の広い文字" * 8, "timezone": "Asia/Tokyo",
     "enabled": True, "rotations": [
         {"id": "r4", "name": "x", "type": "weekly", "length": 2, "startDate": "2026-01-05T08:00:00Z",
          "participants": [{"type": "user", "id": "u" * 40}]}]},
]


def generated_module(api_schedules: list[dict[str, Any]] = API_SCHEDULES) -> str:
    taken: set[str] = set()
    code = module_header("https://api.atlassian.com/jsm/ops/api/local")
    for data in api_schedules:
        schedule = parse_api_schedule(data)
        code += declaration(new_resource_name(schedule.name, taken), schedule)
    return code


def assert_ruff_format_leaves_it(code: str, directory: Path) -> None:
    module = directory / "imported_schedules.py"
    module.write_text(code)
    ruff = Path(sys.executable).parent / "ruff"
    result = subprocess.run([str(ruff), "format", "--isolated", "--diff", str(module)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def declared_inputs(code: str, **config_objects: dict[str, str]) -> list[dict[str, Any]]:
    """The inputs of each `jsmops.Schedule(...)` the code declares, found by running it (with
    the config's objects of names it refers to)."""
    declared: list[dict[str, Any]] = []

    class Recorder:  # stands in for the package: the ...Args types are dicts, Schedule records its inputs
        def __getattr__(self, name: str) -> Any:
            if name == "Schedule":
                return lambda resource_name, **inputs: declared.append(inputs)
            return getattr(jsmops, name)

    exec(compile(code.replace("import pulumi_jsmops as jsmops", ""), "imported_schedules.py", "exec"),
         {"jsmops": Recorder(), **config_objects})
    return declared


def test_generated_code_is_as_ruff_format_leaves_it(tmp_path: Path) -> None:
    assert_ruff_format_leaves_it(generated_module(), tmp_path)


# names and ids are never blank; rotation names Pulumi reserves as keys are refused (api.reserved_names)
NAMES = st.text(min_size=1, max_size=60).filter(lambda text: bool(text.strip()) and reserved_name_reason(text) is None)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.tuples(NAMES, st.text(max_size=150), NAMES), min_size=1, max_size=20))
def test_any_text_is_written_as_the_formatter_leaves_it_and_reads_back(texts: list[tuple[str, str, str]]) -> None:
    schedules = [{"id": f"s{n}", "name": name, "description": description, "timezone": "UTC", "enabled": True,
                  "rotations": [{"id": "r", "name": name, "type": "daily", "length": 1,
                                 "startDate": "2026-01-05T08:00:00Z", "participants": [{"type": "user", "id": user}]}]}
                 for n, (name, description, user) in enumerate(texts)]
    code = generated_module(schedules)
    with tempfile.TemporaryDirectory() as directory:
        assert_ruff_format_leaves_it(code, Path(directory))
    declared = [parse_user_schedule(inputs).to_inputs() for inputs in declared_inputs(code)]
    assert declared == [parse_api_schedule(data).to_inputs() for data in schedules]


def test_generated_code_declares_the_same_inputs_with_args_types_throughout() -> None:
    code = generated_module()
    assert "{" not in code.split('"""', 2)[2]  # no plain dicts: every nested input is an ...Args call
    for args_type in ("RotationArgs", "ParticipantArgs", "TimeRestrictionArgs", "TimeOfDayArgs", "DayAndTimeOfDayArgs"):
        assert f"jsmops.{args_type}(" in code
    expected = [parse_api_schedule(data).to_inputs() for data in API_SCHEDULES]
    assert [parse_user_schedule(inputs).to_inputs() for inputs in declared_inputs(code)] == expected


# Text that would end the docstring or a string literal and run code, were it written as it is.
CRAFTED = ['x"""\nraise SystemExit("ran")\n"""', "x'''\nraise SystemExit('ran')\n'''",
           'x\\"""; raise SystemExit("ran") #', "x\\\nraise SystemExit('ran')", "x\r\nraise SystemExit('ran')\r\n",
           'x\\', '\\N{', "x\u2028\u202e\ud800\x00"]


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(CRAFTED), st.sampled_from(CRAFTED), st.text(max_size=40))
def test_crafted_settings_and_texts_never_run_as_code(base: str, cloud_id: str, text: str) -> None:
    """`jsmops:baseUrl` and `jsmops:cloudId` go into the module's docstring, schedule texts
    into literals: whatever they hold, the module runs nothing of them and reads back as written."""
    origin = f"https://api.atlassian.com/{base}/jsm/ops/api/{cloud_id}{text}"
    name = f"{cloud_id}{text}{base}".strip() or "x"
    schedule = parse_api_schedule({"id": "s", "name": name, "description": f"{base}{text}{cloud_id}", "rotations": [
        {"id": "r", "name": name, "type": "daily", "startDate": "2026-01-05T08:00:00Z",
         "participants": [{"type": "user", "id": name}]}]})
    code = module_header(origin) + declaration(new_resource_name(name, set()), schedule)
    code.encode("utf-8")  # writable as it is (no lone surrogate)
    tree = ast.parse(code)
    assert origin in (ast.get_docstring(tree, clean=False) or "")
    assert [type(node).__name__ for node in tree.body] == ["Expr", "Import", "Assign"]  # no statement of theirs
    [declared] = declared_inputs(code)
    assert parse_user_schedule(declared).to_inputs() == schedule.to_inputs()


def test_an_override_is_declared_on_its_schedule_variable_or_by_id(tmp_path: Path) -> None:
    override = parse_user_override({"schedule_id": "s1", "responder": {"type": "user", "id": "bob"},
                                    "start_date": "2030-12-24T08:00:00Z", "end_date": "2030-12-27T08:00:00Z",
                                    "rotations": ["primary"]})
    taken = {"ops_eu"}
    name = new_override_name("ops_eu", override, taken)
    assert name == "ops_eu_override_2030_12_24" and new_override_name("ops_eu", override, taken).endswith("_2")
    on_variable = override_declaration(name, override, "ops_eu")
    assert 'schedule_id=ops_eu.id,' in on_variable and "jsmops.OverrideResponderArgs(" in on_variable
    by_id = override_declaration(name, override.model_copy(update={"rotations": None}), None)
    assert 'schedule_id="s1",' in by_id and "rotations" not in by_id
    module = generated_module(API_SCHEDULES[:1]) + on_variable + by_id
    assert_ruff_format_leaves_it(module, tmp_path)


def test_ids_the_config_names_are_names_and_others_stay_with_a_comment(tmp_path: Path) -> None:
    """Names with quotes and backslashes are literals; the module reads the objects it refers to
    and no other; what it declares is what the service holds; the formatter leaves it."""
    names = ConfigNames.from_config({
        "people": {'al "the" pal': API_SCHEDULES[1]["rotations"][0]["participants"][0]["id"], "x": 1},
        "teams": {"core\\team": "cd68207b-c55d-4611-ab25-72fd0c439e9f"},
        "other": {"ignored": "e"},
    })
    schedules = [parse_api_schedule(data) for data in API_SCHEDULES]
    code = "".join(declaration(new_resource_name(s.name, set()), s, "eu", names) for s in schedules)
    module = module_header("https://api.atlassian.com/jsm/ops/api/local", names) + code
    assert names.used == {"people", "teams"}
    assert 'people = config.require_object("people")\nteams = config.require_object("teams")\n' in module
    assert "id=people['al \"the\" pal']" in module and 'team_id=teams["core\\\\team"],' in module
    assert 'id="e",  # not in the stack config\'s' not in module  # no escalations object: no comment
    assert 'id="uuuu' in module and "# not in the stack config's people" in module
    assert module.count('site="eu",') == len(schedules)
    assert names.block(module) == ""  # nothing to add to a module that reads them already
    assert_ruff_format_leaves_it(module, tmp_path)

    people = {'al "the" pal': API_SCHEDULES[1]["rotations"][0]["participants"][0]["id"]}
    teams = {"core\\team": "cd68207b-c55d-4611-ab25-72fd0c439e9f"}
    body = module.split("teams = config.require_object(\"teams\")\n", 1)[1]
    declared = declared_inputs(body, people=people, teams=teams)
    assert [inputs.pop("site") for inputs in declared] == ["eu"] * len(schedules)
    assert [parse_user_schedule(inputs).to_inputs() for inputs in declared] == [s.to_inputs() for s in schedules]


def test_a_module_without_the_objects_gets_them_before_the_new_code() -> None:
    names = ConfigNames.from_config({"people": {"bob": "b"}})
    names.node("people", "b")
    old = module_header("https://x")  # written before names were used
    assert names.block(old) == ('\nimport pulumi\nconfig = pulumi.Config()\npeople = config.require_object("people")\n')
    assert names.block(old + names.block(old)) == ""
