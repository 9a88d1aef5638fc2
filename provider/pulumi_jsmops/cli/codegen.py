"""Python source of `jsmops.Schedule(...)` and `jsmops.ScheduleOverride(...)` declarations,
for `jsmops import`.

The code is written the way a person would write it, and as `ruff format` / `black` (with
their default settings) leave it: keyword arguments, the `...Args` types for every nested
input, values in their canonical form, double quotes, and each call or list on one line
when it fits in 88 columns, else one item per line with a trailing comma.

Ids as names: where the stack config has objects of names to ids (`people`, `teams`,
`escalations`: `ConfigNames`), the code refers to them (`id=people["alice"]`) instead of
pasting the id; an id such an object lacks stays literal, with a comment saying so, on a line
of its own (a call or list holding one is spread one item per line).
"""

from __future__ import annotations

import json
import keyword
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Optional, Union

from ..api.models import Schedule
from ..api.overrides import Override

INDENT = "    "
LINE_LENGTH = 88  # the formatters' default
# Inputs left out of the code when they have these (default) values.
_DEFAULTS: dict[str, Any] = {"description": "", "enabled": True, "length": 1, "participants": [], "rotations": []}
# The `...Args` type of the dicts under each key (of each item, for lists).
_ARGS_TYPES = {
    "rotations": "RotationArgs",
    "participants": "ParticipantArgs",
    "time_restriction": "TimeRestrictionArgs",
    "restriction": "TimeOfDayArgs",
    "restrictions": "DayAndTimeOfDayArgs",
    "responder": "OverrideResponderArgs",
}


# The objects of names to ids a program's stack config may hold, and the kind of id in each.
NAME_OBJECTS = {"people": "user", "teams": "team", "escalations": "escalation"}
# The module's own names: its imports, and the config objects it reads.
_MODULE_NAMES = {"jsmops", "pulumi", "config", *NAME_OBJECTS}


@dataclass
class ConfigNames:
    """The stack config's objects of names to ids (`people: {alice: <id>}`), by object, and
    which of them the code written so far refers to."""

    objects: dict[str, dict[str, str]] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)

    @classmethod
    def from_config(cls, objects: dict[str, Any]) -> ConfigNames:
        """From the config's objects (`people`, `teams`, `escalations`, each name -> id); an id
        with two names takes the first; entries that are not text are left out."""
        names: dict[str, dict[str, str]] = {}
        for obj in NAME_OBJECTS:
            value = objects.get(obj)
            if isinstance(value, dict):
                names[obj] = {}
                for name, ident in value.items():
                    if isinstance(name, str) and isinstance(ident, str):
                        names[obj].setdefault(ident, name)
        return cls(names)

    def node(self, obj: str, ident: str) -> _Node:
        """The id as `obj["name"]` when the object names it; else literal, with a comment
        when the config has that object (then the id stands out as one it lacks)."""
        names = self.objects.get(obj)
        if names is None:
            return _Value(ident)
        if ident not in names:
            return _Value(ident, f"not in the stack config's {obj}")
        self.used.add(obj)
        return _Expression(f"{obj}[{_string(names[ident])}]")

    def block(self, module: str) -> str:
        """The lines that read the used objects from the stack config, those `module` lacks."""
        lines = []
        if self.used and not re.search(r"^import pulumi$", module, re.M):
            lines.append("import pulumi")
        if self.used and not re.search(r"^config = pulumi\.Config\(\)$", module, re.M):
            lines.append("config = pulumi.Config()")
        lines += [f'{obj} = config.require_object("{obj}")' for obj in NAME_OBJECTS
                  if obj in self.used and not re.search(rf"^{obj} = ", module, re.M)]
        return "\n" + "\n".join(lines) + "\n" if lines else ""


def new_resource_name(schedule_name: str, taken: set[str]) -> str:
    """A Python identifier made from a schedule's name, unlike any in `taken` (then added
    to it): "Support Schedule" -> "support_schedule", then "support_schedule_2"."""
    base = re.sub(r"[^0-9a-zA-Z]+", "_", schedule_name).strip("_").lower() or "schedule"
    if base[0].isdigit() or keyword.iskeyword(base) or base in _MODULE_NAMES:
        base = f"schedule_{base}"
    name, number = base, 1
    while name in taken:
        number += 1
        name = f"{base}_{number}"
    taken.add(name)
    return name


def new_override_name(schedule_resource: str, override: Override, taken: set[str]) -> str:
    """A resource name for an imported override, after its schedule's and its start day:
    `support_schedule_override_2027_12_24`."""
    return new_resource_name(f"{schedule_resource} override {override.start_date:%Y-%m-%d}", taken)


def module_header(origin: str, names: Optional[ConfigNames] = None) -> str:
    """The module's docstring and imports, and the config objects its code refers to (`names`).
    `origin` (from `jsmops:baseUrl` and `jsmops:cloudId`) is written as a string literal inside
    it, so no text can end the docstring or run."""
    used = names is not None and bool(names.used)
    reads = "" if names is None else names.block("import pulumi\n")
    return (
        f'"""Schedules imported with `jsmops import` from "{_escaped(origin)}".\n\n'
        "Edit them like any other resource: `pulumi up` applies the changes.\n"
        '"""\n\n'
        + ("import pulumi\n" if used else "")
        + "import pulumi_jsmops as jsmops\n"
        + reads
    )


def declaration(name: str, schedule: Schedule, site: Optional[str] = None,
                names: Optional[ConfigNames] = None) -> str:
    """`name = jsmops.Schedule("name", ...)` for one schedule, after one blank line; on a site
    of `jsmops:sites` when `site` is given; ids as the config's `names` where they have some."""
    names = names or ConfigNames()
    inputs = _without_defaults(schedule.to_inputs())
    arguments: list[_Argument] = [(None, _Value(name))]
    arguments += [(key, names.node("teams", value) if key == "team_id" else _node(key, value, names))
                  for key, value in inputs.items()]
    arguments += [] if site is None else [("site", _Value(site))]
    call = _Call("jsmops.Schedule", arguments)
    return "\n" + "\n".join(_lines(call, 0, f"{name} = ", "", explode=True)) + "\n"


def override_declaration(name: str, override: Override, schedule_variable: Optional[str],
                         site: Optional[str] = None, names: Optional[ConfigNames] = None) -> str:
    """`name = jsmops.ScheduleOverride("name", ...)` for one override, after one blank line:
    on `schedule_variable.id` (a Schedule declared in the same module), else its schedule's id."""
    names = names or ConfigNames()
    schedule: _Node = _Expression(f"{schedule_variable}.id") if schedule_variable else _Value(override.schedule_id)
    inputs = {key: value for key, value in override.to_canonical_inputs().items() if key != "schedule_id"}
    arguments: list[_Argument] = [(None, _Value(name)), ("schedule_id", schedule)]
    arguments += [(key, _node(key, value, names)) for key, value in inputs.items()]
    arguments += [] if site is None else [("site", _Value(site))]
    call = _Call("jsmops.ScheduleOverride", arguments)
    return "\n" + "\n".join(_lines(call, 0, f"{name} = ", "", explode=True)) + "\n"


@dataclass
class _Value:
    """A literal: str, int, bool; with a comment at the end of its line, if any."""

    value: Any
    comment: Optional[str] = None


@dataclass
class _Expression:
    """Python code as it is, e.g. `support.id`."""

    code: str


@dataclass
class _Call:
    """`function(key=node, ...)`; a key of None is a positional argument."""

    function: str
    arguments: list[_Argument]


@dataclass
class _List:
    items: list[_Node]


_Node = Union[_Value, _Expression, _Call, _List]
_Argument = tuple[Optional[str], _Node]


def _node(key: str, value: Any, names: ConfigNames) -> _Node:
    """The code for the input `key` with this value: dicts become calls of their `...Args` type,
    and the id of a participant or responder a name of the config where it has one."""
    if isinstance(value, list):
        return _List([_node(key, item, names) for item in value])
    if isinstance(value, dict):
        fields = _without_defaults(value) if key == "rotations" else value
        obj = next((o for o, kind in NAME_OBJECTS.items() if kind == fields.get("type")), None)
        return _Call(f"jsmops.{_ARGS_TYPES[key]}", [
            (k, names.node(obj, v) if k == "id" and obj and key in ("participants", "responder")
             else _node(k, v, names)) for k, v in fields.items()])
    return _Value(value)


def _lines(node: _Node, depth: int, prefix: str, suffix: str, explode: bool = False) -> list[str]:
    """`prefix + node + suffix` at `depth`: one line if it fits (and holds no comment), else
    spread one item per line."""
    indent = INDENT * depth
    flat = f"{indent}{prefix}{_flat(node)}{suffix}"
    items: list[_Argument]
    if isinstance(node, _List):
        opener, items, closer = "[", [(None, item) for item in node.items], "]"
    elif isinstance(node, _Call):
        opener, items, closer = f"{node.function}(", node.arguments, ")"
    elif isinstance(node, _Value) and node.comment:
        return [f"{flat}  # {node.comment}"]
    else:
        return [flat]  # a literal too long for the line stays whole, as the formatters leave it
    if not items or (not explode and not _has_comment(node) and _width(flat) <= LINE_LENGTH):
        return [flat]
    lines = [f"{indent}{prefix}{opener}"]
    for key, item in items:
        lines += _lines(item, depth + 1, "" if key is None else f"{key}=", ",")
    return lines + [f"{indent}{closer}{suffix}"]


def _has_comment(node: _Node) -> bool:
    if isinstance(node, _Value):
        return node.comment is not None
    if isinstance(node, _List):
        return any(_has_comment(item) for item in node.items)
    if isinstance(node, _Call):
        return any(_has_comment(value) for _key, value in node.arguments)
    return False


def _flat(node: _Node) -> str:
    if isinstance(node, _Value):
        return _literal(node.value)
    if isinstance(node, _Expression):
        return node.code
    if isinstance(node, _List):
        return f"[{', '.join(_flat(item) for item in node.items)}]"
    arguments = (_flat(value) if key is None else f"{key}={_flat(value)}" for key, value in node.arguments)
    return f"{node.function}({', '.join(arguments)})"


def _literal(value: Any) -> str:
    if isinstance(value, str):
        return _string(value)
    return repr(value)


def _string(text: str) -> str:
    """A string literal as the formatters write it: double quotes, unless single quotes
    need fewer escapes."""
    body = _escaped(text)
    if text.count('"') > text.count("'"):
        return "'" + body.replace('\\"', '"').replace("'", "\\'") + "'"
    return f'"{body}"'


def _escaped(text: str) -> str:
    """`text` as the inside of a double-quoted string literal: quotes, backslashes and every
    character that is not printable (line breaks, NUL, bidirectional controls, lone
    surrogates) as escapes, so the text can never end the literal, nor hide what follows."""
    body = json.dumps(text, ensure_ascii=False)[1:-1]  # JSON's escapes are valid Python ones
    return "".join(char if char.isprintable() else char.encode("unicode_escape", "backslashreplace").decode()
                   for char in body)


def _width(line: str) -> int:
    """Columns as the formatters count them (wide East Asian characters take two)."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in line)


def _without_defaults(inputs: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in inputs.items() if value is not None and _DEFAULTS.get(key, ...) != value}
