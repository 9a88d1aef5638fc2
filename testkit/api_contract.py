"""The Schedules API contract, checked against the project's structural fixture `api_contract.json`.

The fixture holds the structural facts of Atlassian's published OpenAPI description (paths,
methods, parameters, request and response schemas per status, components), without its
prose or examples. Paths given here are concrete and below the API base, e.g.
"/v1/schedules/123/rotations/9" (a leading "/jsm/ops/api/{cloudId}" is dropped too); they
are matched to the spec's templates. Every check raises AssertionError naming the operation
and each problem.

Some readings go beyond the bare JSON Schema of the spec, stated here so that a test
failure is never a surprise:

- Facts the spec states only in prose are in the fixture as structure: `rotationIds` of
  overrides and the `id` of a responder may be null (`nullable`, as in OpenAPI 3.0), and a
  schedule's `name` on create must not be empty (`minLength`).

- Objects are *closed* (a property the spec does not declare is an error) unless
  `closed=False`: the spec declares no `additionalProperties`, yet a client that sends, or an
  emulator that answers, a field the spec does not have is exactly what these checks are for.
- The spec's `oneOf` alternatives overlap as written (no required fields, no discriminator),
  so every instance would match several and fail. They are read as discriminated: by the
  default of their `type` property where each alternative has a distinct one (time
  restrictions), else by which alternative's properties are present (on-call answers).
"""

from __future__ import annotations

import copy
import datetime
import functools
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

CONTRACT_PATH = Path(__file__).with_name("api_contract.json")
CONTRACT: dict[str, Any] = json.loads(CONTRACT_PATH.read_text())
_URI = "urn:jsmops:api-contract"
_API_BASE = re.compile(r"^/jsm/ops/api/[^/]+(?=/)")
_INT32 = (-(2**31), 2**31 - 1)
# Statuses the spec leaves out for an operation although its parameters have limits: the
# lists of rotations and overrides document no 422 for a `size` or `offset` out of range.
# The emulator answers them as the list of schedules does, and these checks accept that.
CHOSEN_STATUSES = {
    ("GET", "/v1/schedules/{scheduleId}/rotations"): {"422": "ErrorResponses"},
    ("GET", "/v1/schedules/{scheduleId}/overrides"): {"422": "ErrorResponses"},
}
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def endpoints() -> list[tuple[str, str]]:
    """Every (METHOD, template) of the contract."""
    return [(method.upper(), template) for template, item in CONTRACT["paths"].items() for method in item]


def operation(method: str, path: str) -> tuple[str, dict[str, Any]]:
    """The template a concrete path matches, and the operation of `method` on it."""
    path = _API_BASE.sub("", path.split("?", 1)[0], count=1)
    template = _template_of(path)
    item = CONTRACT["paths"][template]
    op = item.get(method.lower())
    if op is None:
        documented = ", ".join(m.upper() for m in item)
        raise AssertionError(
            f"{method.upper()} {path}: the contract has no {method.upper()} on {template} ({documented})"
        )
    return template, op


def documents(method: str, path: str, status: int | str) -> bool:
    """Whether the contract has an answer with this status for the operation (CHOSEN_STATUSES included)."""
    template, op = operation(method, path)
    return str(status) in op["responses"] or str(status) in CHOSEN_STATUSES.get((method.upper(), template), {})


def validate_response(method: str, path: str, status: int | str, body: Any, *, closed: bool = True) -> None:
    """`body` (parsed JSON, text, or None when empty) is what the spec documents for that status."""
    template, op = operation(method, path)
    where = f"{method.upper()} {template} -> {status}"
    response = op["responses"].get(str(status))
    chosen = CHOSEN_STATUSES.get((method.upper(), template), {}).get(str(status))
    if response is None and chosen is not None:
        _check(where, "response body", f"/components/schemas/{chosen}", body, closed)
        return
    if response is None:
        raise AssertionError(f"{where}: status not in the contract (documented: {', '.join(op['responses'])})")
    if "schema" not in response:
        if body not in (None, "", b""):
            raise AssertionError(f"{where}: the contract documents no body, got {body!r:.200}")
        return
    if response["contentType"] != "application/json":
        if not isinstance(body, str) or not body:
            raise AssertionError(f"{where}: expected a {response['contentType']} text body, got {body!r:.200}")
        return
    pointer = f"/paths/{_escape(template)}/{method.lower()}/responses/{status}/schema"
    _check(where, "response body", pointer, body, closed)


def validate_error(status: int, body: Any) -> None:
    """An error body of a status the spec does not document for the operation (an unknown
    route, a wrong method, a rate limit, a server error) still has the spec's error shape."""
    component = "UnauthorizedErrorResponse" if status == 401 else "ErrorResponses"
    _check(f"HTTP {status}", "error body", f"/components/schemas/{component}", body, closed=True)


def validate_request(method: str, path: str, body: Any, *, closed: bool = True) -> None:
    """`body` (parsed JSON) is a request body the spec accepts for that operation."""
    template, op = operation(method, path)
    where = f"{method.upper()} {template}"
    if "requestBody" not in op:
        if body is not None:
            raise AssertionError(f"{where}: the contract takes no request body, got {body!r:.200}")
        return
    pointer = f"/paths/{_escape(template)}/{method.lower()}/requestBody/schema"
    _check(where, "request body", pointer, body, closed)


def validate_query(method: str, path: str, params: Mapping[str, Any]) -> None:
    """`params` (name -> value or list of values, as strings or already typed, e.g. a
    journal's `query`) are query parameters the spec declares for that operation, each valid."""
    template, op = operation(method, path)
    where = f"{method.upper()} {template}"
    declared = {p["name"]: p for p in op["parameters"] if p["in"] == "query"}
    problems = [f"{name}: not a query parameter of this operation" for name in params if name not in declared]
    for name, parameter in declared.items():
        if name not in params:
            if parameter["required"]:
                problems.append(f"{name}: is required")
            continue
        schema = parameter["schema"]
        try:
            value = _typed(params[name], schema)
        except ValueError as exc:
            problems.append(f"{name}: {exc}")
            continue
        validator = Draft7Validator(schema, format_checker=_FORMATS)
        problems.extend(f"{name}: {error.message}" for error in validator.iter_errors(value))
    if problems:
        raise AssertionError(f"{where}: query: " + "; ".join(problems))


def validate_journal(entries: Iterable[Mapping[str, Any]]) -> int:
    """Every request of an emulator's journal (`Emulator.requests()`) is one the spec accepts:
    a known operation, declared and valid query parameters, a valid body where one is sent.
    Answers how many requests were checked; the first bad one raises."""
    checked = 0
    for entry in entries:
        method, path = entry["method"], entry["path"]
        validate_query(method, path, entry["query"])
        if entry["body"] is not None or method in ("POST", "PUT"):
            validate_request(method, path, entry["body"])
        checked += 1
    return checked


# --- internals ---


def _template_of(path: str) -> str:
    matches = [template for template, pattern in _patterns().items() if pattern.fullmatch(path)]
    if not matches:
        raise AssertionError(f"{path}: matches no path of the contract")
    # The most specific template wins: "/v1/schedules/{scheduleId}.ics" over "/v1/schedules/{id}".
    return max(matches, key=lambda template: len(re.sub(r"\{[^}]+\}", "", template)))


@functools.cache
def _patterns() -> dict[str, re.Pattern[str]]:
    def pattern(template: str) -> re.Pattern[str]:
        parts = re.split(r"(\{[^}]+\})", template)
        return re.compile("".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts))

    return {template: pattern(template) for template in CONTRACT["paths"]}


def _escape(template: str) -> str:
    return template.replace("~", "~0").replace("/", "~1")


def _check(where: str, what: str, pointer: str, instance: Any, closed: bool) -> None:
    validator = Draft7Validator({"$ref": f"{_URI}#{pointer}"}, registry=_registry(closed), format_checker=_FORMATS)
    errors = sorted(validator.iter_errors(instance), key=lambda error: list(map(str, error.absolute_path)))
    if errors:
        details = "; ".join(f"{_location(error) or 'body'}: {_message(error)}" for error in errors)
        raise AssertionError(f"{where}: {what} does not match the contract: {details}")


def _location(error: ValidationError) -> str:
    text = ""
    for part in error.absolute_path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _message(error: ValidationError) -> str:
    if error.validator in ("oneOf", "anyOf") and error.context:
        # Say why the closest alternative (the one that got deepest) failed, not only that none fitted.
        by_alternative: dict[Any, list[ValidationError]] = {}
        for sub in error.context:
            by_alternative.setdefault(sub.relative_schema_path[0], []).append(sub)
        closest = max(by_alternative.values(), key=lambda subs: max(len(sub.absolute_path) for sub in subs))
        reasons = "; ".join(f"{_location(sub) or 'value'}: {sub.message[:200]}" for sub in closest)
        return f"{error.message[:200]} (closest: {reasons})"
    return error.message[:300]


@functools.cache
def _registry(closed: bool) -> Registry:
    document = copy.deepcopy(CONTRACT)
    _nullable(document)
    if closed:
        _close(document)
    _discriminate(document, document["components"]["schemas"])
    return Registry().with_resource(_URI, Resource.from_contents(document, default_specification=DRAFT7))


def _nullable(node: Any) -> None:
    """OpenAPI 3.0's `nullable: true` in JSON Schema terms."""
    if isinstance(node, dict):
        if node.pop("nullable", False) and "type" in node:
            node["type"] = [node["type"], "null"]
        for value in node.values():
            _nullable(value)
    elif isinstance(node, list):
        for item in node:
            _nullable(item)


def _close(node: Any) -> None:
    if isinstance(node, dict):
        if isinstance(node.get("properties"), dict) and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for key, value in node.items():
            if key == "properties":
                for schema in value.values():
                    _close(schema)
            else:
                _close(value)
    elif isinstance(node, list):
        for item in node:
            _close(item)


def _discriminate(node: Any, components: dict[str, Any]) -> None:
    if isinstance(node, dict):
        for value in node.values():
            _discriminate(value, components)
        if "oneOf" in node:
            node["oneOf"] = _discriminated(node["oneOf"], components)
    elif isinstance(node, list):
        for item in node:
            _discriminate(item, components)


def _discriminated(alternatives: list[dict[str, Any]], components: dict[str, Any]) -> list[dict[str, Any]]:
    resolved = [_resolve(alternative, components) for alternative in alternatives]
    kinds = [schema.get("properties", {}).get("type", {}).get("default") for schema in resolved]
    if all(isinstance(kind, str) for kind in kinds) and len(set(kinds)) == len(kinds):
        return [
            {"allOf": [{"properties": {"type": {"const": kind}}}, alternative]}
            for kind, alternative in zip(kinds, alternatives, strict=True)
        ]
    names = [set(schema.get("properties", {})) for schema in resolved]
    if all(names) and sum(map(len, names)) == len(set().union(*names)):
        return [
            {"allOf": [{"anyOf": [{"required": [name]} for name in sorted(own)]}, alternative]}
            for own, alternative in zip(names, alternatives, strict=True)
        ]
    return alternatives


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref", "")
    prefix = "#/components/schemas/"
    return components[ref[len(prefix) :]] if ref.startswith(prefix) else schema


def _typed(value: Any, schema: Mapping[str, Any]) -> Any:
    """A query value (string, list of strings, or typed already) as the JSON value its schema describes."""
    kind = schema.get("type")
    if kind == "array":
        values = value if isinstance(value, list) else [value]
        return [_typed(item, schema.get("items", {})) for item in values]
    if isinstance(value, list):
        if len(value) != 1:
            raise ValueError(f"given {len(value)} times, but it is not a list")
        value = value[0]
    if not isinstance(value, str):
        return value
    if kind == "integer":
        if not re.fullmatch(r"[+-]?\d+", value):
            raise ValueError(f"{value!r} is not an integer")
        return int(value)
    if kind == "boolean":
        if value not in ("true", "false"):
            raise ValueError(f"{value!r} is not true or false")
        return value == "true"
    return value


_FORMATS = FormatChecker(formats=())


@_FORMATS.checks("int32")
def _is_int32(value: object) -> bool:
    return not isinstance(value, int) or isinstance(value, bool) or _INT32[0] <= value <= _INT32[1]


@_FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    match = _DATE_TIME.match(value)
    if not match:
        return False
    # A real date and time (no 2023-02-30T25:00:00Z); the fraction is left out for Python 3.10.
    whole = value[: match.start(1)] if match.group(1) else value[: match.start(2)]
    datetime.datetime.fromisoformat(whole.upper())
    return True
