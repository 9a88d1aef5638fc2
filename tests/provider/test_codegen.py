"""The code `jsmops import` writes: resource names derived from schedule names, and source
as the formatter leaves it, declaring exactly the imported inputs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pulumi_jsmops as jsmops
from pulumi_jsmops.codegen import declaration, module_header, resource_name
from pulumi_jsmops.models import parse_api_schedule, parse_user_schedule


def test_names_are_identifiers_unique_and_never_shadow_the_module() -> None:
    taken: set[str] = set()
    names = [resource_name(n, taken) for n in ["Ops / EU", "Ops EU", "24x7", "class", "jsmops", "!!!", "Jsmops"]]
    assert names == ["ops_eu", "ops_eu_2", "schedule_24x7", "schedule_class", "schedule_jsmops", "schedule",
                     "schedule_jsmops_2"]
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


def generated_module() -> str:
    taken: set[str] = set()
    code = module_header("https://api.atlassian.com/jsm/ops/api/local")
    for data in API_SCHEDULES:
        schedule = parse_api_schedule(data)
        code += declaration(resource_name(schedule.name, taken), schedule)
    return code


def test_generated_code_is_as_ruff_format_leaves_it(tmp_path: Path) -> None:
    module = tmp_path / "imported_schedules.py"
    module.write_text(generated_module())
    ruff = Path(sys.executable).parent / "ruff"
    result = subprocess.run([str(ruff), "format", "--isolated", "--diff", str(module)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_generated_code_declares_the_same_inputs_with_args_types_throughout() -> None:
    code = generated_module()
    assert "{" not in code.split('"""', 2)[2]  # no plain dicts: every nested input is an ...Args call
    for args_type in ("RotationArgs", "ParticipantArgs", "TimeRestrictionArgs", "TimeOfDayArgs", "DayAndTimeOfDayArgs"):
        assert f"jsmops.{args_type}(" in code
    declared: list[dict[str, Any]] = []

    class Recorder:  # stands in for the package: the ...Args types are dicts, Schedule records its inputs
        def __getattr__(self, name: str) -> Any:
            if name == "Schedule":
                return lambda resource_name, **inputs: declared.append(inputs)
            return getattr(jsmops, name)

    exec(compile(code.replace("import pulumi_jsmops as jsmops", ""), "imported_schedules.py", "exec"),
         {"jsmops": Recorder()})
    expected = [parse_api_schedule(data).to_inputs() for data in API_SCHEDULES]
    assert [parse_user_schedule(inputs).to_inputs() for inputs in declared] == expected
