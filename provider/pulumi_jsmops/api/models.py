"""Typed models of schedules, in their canonical form.

Validation happens here, before anything is sent: every error names its field path,
e.g. `rotations[1].time_restriction.restriction.start_min`.

Every validated model is canonical: two inputs that mean the same schedule give equal
models. Dates are UTC (`2026-01-05T08:00:00Z` for `2026-01-05T09:00:00+01:00`), left-out
defaults are filled in, rotations are ordered by name and weekday restrictions by day and
time (their order means nothing to the service; participants' order does and is kept).

Python code uses snake_case names; the API's camelCase names are the aliases.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from difflib import get_close_matches
from functools import lru_cache
from typing import Annotated, Any, ClassVar, Literal, Optional, get_args
from zoneinfo import available_timezones

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    ValidationError,
    ValidationInfo,
    field_serializer,
    field_validator,
)
from pydantic.alias_generators import to_camel, to_snake

from .reserved_names import has_reserved_name, reserved_name_reason

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[str, ...] = get_args(Weekday)
RotationType = Literal["daily", "weekly", "hourly"]
ParticipantType = Literal["user", "team", "escalation", "noone"]

# Validation context marking data written by a user (a stack program, generated code):
# ids are made by the service, so they are errors there.
USER_INPUT = {"user_input": True}


def _whole_number(value: Any) -> Any:
    # Pulumi carries numbers as floats: 9.0 is 9, but 9.5, "9" and True are not whole numbers.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("must be a whole number")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("must be a whole number")
        return int(value)
    return value


def _half_hour(value: int) -> int:
    if value not in (0, 30):
        raise ValueError("must be 0 or 30 (the service only has half-hour steps)")
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


def _iso_date(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise ValueError("must be an ISO 8601 date string with a UTC offset, e.g. 2026-01-05T09:00:00+01:00")
    return value


WholeNumber = Annotated[int, BeforeValidator(_whole_number)]
INT32_MAX = 2**31 - 1  # the largest `length` the API takes (the spec's `format: int32`)
Hour = Annotated[int, BeforeValidator(_whole_number), Field(ge=0, le=23)]
Minute = Annotated[int, BeforeValidator(_whole_number), AfterValidator(_half_hour)]
RequiredText = Annotated[StrictStr, AfterValidator(_not_blank)]
def _in_utc_range(value: datetime) -> datetime:
    try:
        value.astimezone(timezone.utc)
    except OverflowError:
        raise ValueError("is out of range: in UTC it falls outside the years 1 to 9999") from None
    return value


Date = Annotated[AwareDatetime, BeforeValidator(_iso_date), AfterValidator(_in_utc_range)]


def format_date(value: datetime) -> str:
    """The canonical (and the service's) form of a date: UTC, whole seconds, `Z`, and
    always a four-digit year (`0999-...`, as RFC 3339 has it)."""
    return value.astimezone(timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


# A schedule's description is shorter than this. The published spec names no limit;
# Opsgenie's own Terraform provider, for the API the service grew from, refuses a schedule
# description of 10,000 characters or more (its `validateOpsgenieScheduleDescription`).
DESCRIPTION_LIMIT = 10_000

# The time zone of a schedule that names none: the API's documented default (the OpenAPI
# description's `timezone` default).
DEFAULT_TIME_ZONE = "America/New_York"

# Zone files that are not zone names the service keeps: the `posix/` and `right/` copies,
# the rules template and the local zone (it replaces them with its default zone).
_NOT_ZONE_NAMES = ("posix/", "right/", "posixrules", "localtime", "Factory")


@lru_cache(maxsize=1)
def time_zone_names() -> frozenset[str]:
    """The IANA zone names (canonical and links, e.g. `US/Eastern`) of the tz database."""
    return frozenset(name for name in available_timezones() if not name.startswith(_NOT_ZONE_NAMES))


def is_time_zone(name: str) -> bool:
    return name in time_zone_names()


class _Model(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, frozen=True, extra="ignore", loc_by_alias=False
    )
    output_only: ClassVar[frozenset[str]] = frozenset()

    @field_validator("id", check_fields=False)
    @classmethod
    def _id_is_made_by_the_service(cls, value: Optional[str], info: ValidationInfo) -> Optional[str]:
        if value is not None and "id" in cls.output_only and (info.context or {}).get("user_input"):
            raise ValueError("is set by the service; leave it out")
        return value


class Participant(_Model):
    """Who is on call in a rotation slot: a user, team or escalation by id, or `noone`."""

    role: ClassVar[str] = "participant"  # what errors call it
    type: ParticipantType
    id: Optional[StrictStr] = Field(None, validate_default=True)

    @field_validator("id")
    @classmethod
    def _id_matches_type(cls, value: Optional[str], info: ValidationInfo) -> Optional[str]:
        kind = info.data.get("type")
        if kind == "noone":
            if value:
                raise ValueError(f"a 'noone' {cls.role} carries no id")
            return None
        if kind is not None and not (value and value.strip()):
            raise ValueError(f"is required for a {cls.role} of type '{kind}'")
        return value


class TimeOfDay(_Model):
    start_hour: Hour
    start_min: Minute
    end_hour: Hour
    end_min: Minute


class DayAndTimeOfDay(_Model):
    start_day: Weekday
    start_hour: Hour
    start_min: Minute
    end_day: Weekday
    end_hour: Hour
    end_min: Minute

    def sort_key(self) -> tuple[int, int, int, int, int, int]:
        return (WEEKDAYS.index(self.start_day), self.start_hour, self.start_min,
                WEEKDAYS.index(self.end_day), self.end_hour, self.end_min)


class TimeRestriction(_Model):
    """When a rotation is on call: every day (`time-of-day`) or per weekday."""

    type: Literal["time-of-day", "weekday-and-time-of-day"]
    restriction: Optional[TimeOfDay] = Field(None, validate_default=True)
    restrictions: Optional[list[DayAndTimeOfDay]] = Field(None, validate_default=True)

    @field_validator("restriction")
    @classmethod
    def _restriction_for_time_of_day(cls, value: Optional[TimeOfDay], info: ValidationInfo) -> Optional[TimeOfDay]:
        kind = info.data.get("type")
        if kind == "time-of-day" and value is None:
            raise ValueError("is required when type is 'time-of-day'")
        if kind == "weekday-and-time-of-day" and value is not None:
            raise ValueError("belongs to type 'time-of-day'; use 'restrictions' for 'weekday-and-time-of-day'")
        return value

    @field_validator("restrictions")
    @classmethod
    def _restrictions_for_weekdays(
        cls, value: Optional[list[DayAndTimeOfDay]], info: ValidationInfo
    ) -> Optional[list[DayAndTimeOfDay]]:
        kind = info.data.get("type")
        if kind == "weekday-and-time-of-day":
            if not value:
                raise ValueError("needs at least one entry when type is 'weekday-and-time-of-day'")
            return sorted(value, key=DayAndTimeOfDay.sort_key)
        if kind == "time-of-day" and value is not None:
            raise ValueError("belongs to type 'weekday-and-time-of-day'; use 'restriction' for 'time-of-day'")
        return value


class Rotation(_Model):
    """One rotation of a schedule. `id` is made by the service."""

    output_only = frozenset({"id"})
    id: Optional[str] = None
    name: RequiredText
    type: RotationType
    length: Annotated[WholeNumber, Field(ge=1, le=INT32_MAX)] = 1
    start_date: Date
    end_date: Optional[Date] = None
    participants: list[Participant] = []
    time_restriction: Optional[TimeRestriction] = None

    @field_validator("name")
    @classmethod
    def _not_reserved(cls, value: str, info: ValidationInfo) -> str:
        # Only a program is held to this: a name the service holds must read back (reserved_names.py).
        reason = reserved_name_reason(value) if (info.context or {}).get("user_input") else None
        if reason is not None:
            raise ValueError(reason)
        return value

    @field_validator("start_date", "end_date")
    @classmethod
    def _whole_seconds(cls, value: Optional[datetime]) -> Optional[datetime]:
        if value is not None and value.microsecond:
            raise ValueError("must be in whole seconds (the service keeps no fractions)")
        return value

    @field_validator("end_date")
    @classmethod
    def _end_after_start(cls, value: Optional[datetime], info: ValidationInfo) -> Optional[datetime]:
        start = info.data.get("start_date")
        if value is not None and start is not None and value <= start:
            raise ValueError(f"must be after start_date ({format_date(start)})")
        return value

    @field_serializer("start_date", "end_date")
    def _serialize_date(self, value: Optional[datetime]) -> Optional[str]:
        return None if value is None else format_date(value)

    def to_api(self) -> dict[str, Any]:
        """The API's JSON of this rotation, without its id (a create's or an update's body)."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True, exclude={"id"})

    def is_replaced_by(self, desired: "Rotation") -> bool:
        """Whether becoming `desired` takes a new rotation (and id): `desired` leaves out a field
        this one has, and the contract has no way to clear one (a PATCH takes no nulls)."""
        want = desired.to_api()
        return any(key not in want for key in self.to_api())


class Schedule(_Model):
    """A schedule with its rotations. `id` is made by the service.

    `timezone` left out (None) means "whatever the service picks": it is not sent, and
    the value the service reports is not a change. `team_id` left out (None) is a global
    schedule, one of no team.
    """

    output_only = frozenset({"id"})
    id: Optional[str] = None
    name: RequiredText
    team_id: Optional[RequiredText] = None
    description: StrictStr = ""
    timezone: Optional[StrictStr] = None
    enabled: StrictBool = True
    rotations: list[Rotation] = []

    @field_validator("team_id", mode="before")
    @classmethod
    def _no_team_is_global(cls, value: Any, info: ValidationInfo) -> Any:
        # The service may report a global schedule's team as "", which a user may not write.
        return None if value == "" and not (info.context or {}).get("user_input") else value

    @field_validator("description", mode="before")
    @classmethod
    def _no_description_is_empty(cls, value: Any) -> Any:
        return "" if value is None else value

    @field_validator("description")
    @classmethod
    def _description_the_service_takes(cls, value: str, info: ValidationInfo) -> str:
        # Only a program is held to this: what the service holds must read back.
        if len(value) >= DESCRIPTION_LIMIT and (info.context or {}).get("user_input"):
            raise ValueError(f"has {len(value):,} characters; the service takes fewer than {DESCRIPTION_LIMIT:,}")
        return value

    @field_validator("enabled", mode="before")
    @classmethod
    def _enabled_by_default(cls, value: Any) -> Any:
        return True if value is None else value

    @field_validator("timezone")
    @classmethod
    def _iana_time_zone(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and not is_time_zone(value):
            raise ValueError(f"'{value}' is not an IANA time zone name (e.g. 'Europe/Berlin')")
        return value

    @field_validator("rotations", mode="before")
    @classmethod
    def _rotations_by_name(cls, value: Any) -> Any:
        # The canonical inputs (`to_canonical_inputs`) key rotations by name; a dict whose
        # values are not all rotations is one rotation given without its list.
        if isinstance(value, dict):
            if not all(isinstance(rotation, dict) for rotation in value.values()):
                raise ValueError("must be a list of rotations, not one rotation: write rotations=[...]")
            return rotation_list(value)
        return value

    @field_validator("rotations")
    @classmethod
    def _unique_sorted_rotations(cls, value: list[Rotation], info: ValidationInfo) -> list[Rotation]:
        seen: set[str] = set()
        for rotation in value:
            # Only a user's own program is held to this: what the service holds must read back.
            if rotation.name in seen and (info.context or {}).get("user_input"):
                raise ValueError(f"two rotations are named '{rotation.name}'; rotation names must be unique")
            seen.add(rotation.name)
        return sorted(value, key=lambda r: r.name)

    # --- the forms this schedule is sent and stored in ---------------------------------

    def to_api(self) -> dict[str, Any]:
        """The API's JSON for a create: no ids, and no `rotations` when there are none
        (the service takes 1 to 500)."""
        body = self.model_dump(mode="json", by_alias=True, exclude_none=True, exclude={"id", "rotations"})
        if self.rotations:
            body["rotations"] = [rotation.to_api() for rotation in self.rotations]
        return body

    def to_inputs(self) -> dict[str, Any]:
        """What a user writes for this schedule: snake_case, no ids."""
        data = self.model_dump(mode="json", exclude_none=True, exclude={"id"})
        for rotation in data.get("rotations", []):
            rotation.pop("id", None)
        return data

    def to_canonical_inputs(self) -> dict[str, Any]:
        """The inputs as `check` hands them to the engine and the state keeps them: like
        `to_inputs`, with rotations keyed by name. The engine compares inputs field by field,
        so a preview then shows the rotation that was added, removed or edited (a list
        would be compared by position)."""
        return self._rotations_keyed_by_name(self.to_inputs())

    def to_outputs(self) -> dict[str, Any]:
        """The resource's outputs: the canonical inputs plus the ids of the schedule and each
        rotation. Rotations are keyed by name as in the inputs: a preview hands the program a
        changed resource's inputs as its outputs, so the program sees one shape either way."""
        return self._rotations_keyed_by_name(self.model_dump(mode="json", exclude_none=True))

    def _rotations_keyed_by_name(self, data: dict[str, Any]) -> dict[str, Any]:
        # Names the service holds may repeat, or be keys Pulumi reserves (made outside Pulumi):
        # those stay a list.
        names = [rotation.name for rotation in self.rotations]
        if len(set(names)) == len(names) and not has_reserved_name(names):
            data["rotations"] = {rotation.pop("name"): rotation for rotation in data["rotations"]}
        return data


def field_path(loc: tuple[Any, ...]) -> str:
    """`('rotations', 1, 'time_restriction')` -> `rotations[1].time_restriction`."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + str(part)
    return path


DATE_EXAMPLE = "2026-01-05T09:00:00+01:00"

# Pydantic's error types -> reasons in the words of this API's fields.
_REASONS: dict[str, str] = {
    "missing": "is required",
    "extra_forbidden": "unknown field",
    "string_type": "must be a string",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "list_type": "must be a list",
    "model_type": "must be an object (a dict or the matching ...Args)",
    "model_attributes_type": "must be an object (a dict or the matching ...Args)",
    "dict_type": "must be an object (a dict or the matching ...Args)",
    "timezone_aware": f"must have a UTC offset, e.g. {DATE_EXAMPLE}",
    "datetime_type": f"must be an ISO 8601 date with a UTC offset, e.g. {DATE_EXAMPLE}",
}
_DATE_PARSING = ("datetime_parsing", "datetime_from_date_parsing")


def _reason(item: Any, root: Optional[type[BaseModel]] = None) -> str:
    """An error of pydantic in plain words; an unknown field of `root` (the model validated)
    with the field meant, when one is close (`startDate`: `start_date`; `participant`: `participants`)."""
    kind, ctx = item["type"], item.get("ctx") or {}
    if kind == "extra_forbidden" and root is not None:
        return _unknown_field(root, item["loc"])
    if kind in _REASONS:
        return _REASONS[kind]
    if kind in _DATE_PARSING:
        why = ctx.get("error", "unreadable")
        return f"is not a valid date ({why}): use ISO 8601 with a UTC offset, e.g. {DATE_EXAMPLE}"
    if kind == "literal_error":
        return f"must be {ctx['expected']}"
    if kind == "greater_than_equal":
        return f"must be at least {ctx['ge']}"
    if kind == "less_than_equal":
        return f"must be at most {ctx['le']}"
    return str(item["msg"]).removeprefix("Value error, ")


def _unknown_field(root: type[BaseModel], loc: tuple[Any, ...]) -> str:
    fields = _fields_at(root, loc[:-1])
    if not fields:
        return _REASONS["extra_forbidden"]
    meant = _meant_field(root, loc)
    if meant is not None:
        return f"unknown field; did you mean {meant}?"
    return f"unknown field (the fields here: {', '.join(fields)})"


def _meant_field(root: Optional[type[BaseModel]], loc: tuple[Any, ...]) -> Optional[str]:
    """The field an unknown key at `loc` stands for: its snake_case spelling, or the closest name."""
    fields = _fields_at(root, loc[:-1]) if root is not None else []
    key = str(loc[-1])
    return to_snake(key) if to_snake(key) in fields else next(iter(get_close_matches(key, fields, n=1)), None)


def _fields_at(root: type[BaseModel], path: tuple[Any, ...]) -> list[str]:
    """The names a user may write in the model at `path` below `root` (list indexes skipped)."""
    model: Optional[type[BaseModel]] = root
    for part in path:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part)) if model is not None else None
        model = _model_in(field.annotation) if field is not None else None
    if model is None:
        return []
    hidden: frozenset[str] = getattr(model, "output_only", frozenset())
    return [name for name in model.model_fields if name not in hidden]


def _model_in(annotation: Any) -> Optional[type[BaseModel]]:
    """The model a field's type holds (`Optional[list[Rotation]]` -> `Rotation`), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next((found for arg in get_args(annotation) if (found := _model_in(arg)) is not None), None)


def validation_problems(error: ValidationError,
                        concerns: Callable[[tuple[Any, ...]], bool] = lambda loc: True) -> list[tuple[str, str]]:
    """(field path, reason) for each problem of a ValidationError whose place `concerns` the
    caller, reasons in plain words. A required field given in another spelling (the API's
    `startDate`, a typo) is one problem, that spelling, not two."""
    root = next((model for model in _user_models() if model.__name__ == error.title), None)
    items = [item for item in error.errors() if concerns(item["loc"])]
    misspelt = {(*item["loc"][:-1], _meant_field(root, item["loc"])) for item in items
                if item["type"] == "extra_forbidden"}
    return [(field_path(item["loc"]), _reason(item, root)) for item in items
            if not (item["type"] == "missing" and tuple(item["loc"]) in misspelt)]


def _user_models() -> list[type[BaseModel]]:
    """The models a user's inputs are validated with (for the fields of an unknown one)."""
    found: list[type[BaseModel]] = []
    pending: list[type[BaseModel]] = [_Model]
    while pending:
        found += (subclasses := pending.pop().__subclasses__())
        pending += subclasses
    return found


def described_problems(error: ValidationError) -> str:
    """The problems of a ValidationError in one line: `path: reason; path: reason`."""
    return "; ".join(f"{path}: {reason}" for path, reason in validation_problems(error))


def parse_user_schedule(data: dict[str, Any]) -> Schedule:
    """A schedule as a user wrote it (snake_case, no ids: the API's camelCase names are
    unknown fields there); raises ValidationError."""
    return Schedule.model_validate(data, context=USER_INPUT, extra="forbid", by_alias=False, by_name=True)


def parse_api_schedule(data: dict[str, Any]) -> Schedule:
    """A schedule as the API returned it (camelCase, with ids; fields unknown here are ignored)."""
    return Schedule.model_validate(data)


def check_known_parts(
    data: dict[str, Any], is_unknown: Callable[[Any], bool]
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """A schedule whose inputs hold values not known yet (`is_unknown`, during a preview):
    its canonical inputs as far as they are known (each field holding an unknown value kept
    as it is), and the problems of the known values (as `validation_problems`)."""
    try:
        parse_user_schedule(data)
        problems: list[tuple[str, str]] = []
    except ValidationError as exc:
        problems = validation_problems(exc, lambda loc: not _reaches_unknown(data, loc, is_unknown))
    if problems:
        return data, problems
    rotations = data.get("rotations", [])
    known = _canonical_fields(Schedule, {k: v for k, v in data.items() if k != "rotations"}, is_unknown)
    if is_unknown(rotations):
        return {**known, "rotations": rotations}, []
    items = rotation_list(rotations)
    canonical = [item if is_unknown(item) else _canonical_fields(Rotation, item, is_unknown) for item in items]
    if any(is_unknown(item) or is_unknown(item["name"]) for item in canonical):
        return {**known, "rotations": canonical}, []  # no names to key them all by
    return {**known, "rotations": {item.pop("name"): item for item in canonical}}, []


# Stand-ins for required fields whose value is not known yet, so the known ones can be
# put in canonical form (the stand-ins themselves are dropped again).
_STAND_INS: dict[type[_Model], dict[str, Any]] = {
    Schedule: {"name": "-"},
    Rotation: {"name": "-", "type": "daily", "start_date": "1970-01-01T00:00:00Z"},
}


def _canonical_fields(model: type[_Model], item: dict[str, Any], is_unknown: Callable[[Any], bool]) -> dict[str, Any]:
    """`item` (valid as far as known) in canonical form, but each field that holds an unknown value as it is."""
    known = {key: value for key, value in item.items() if not holds_unknown(value, is_unknown)}
    stand_ins = {key: value for key, value in _STAND_INS[model].items() if key not in known}
    try:
        dumped = model.model_validate({**stand_ins, **known}, context=USER_INPUT).model_dump(
            mode="json", exclude_none=True, exclude={"id", "rotations"})
    except ValidationError:  # a check across fields that needed an unknown one
        return item
    return {**{key: value for key, value in dumped.items() if key not in stand_ins},
            **{key: value for key, value in item.items() if key not in known}}


def rotation_list(rotations: Any) -> list[Any]:
    """Rotations as a list: those keyed by name (the canonical inputs, the outputs) get their
    name back; a list stays as it is."""
    if isinstance(rotations, dict):
        return [{**value, "name": name} if isinstance(value, dict) else value for name, value in rotations.items()]
    return list(rotations)


ROTATION_DATES = ("start_date", "end_date")


def with_written_dates(canonical: dict[str, Any], written: dict[str, Any]) -> dict[str, Any]:
    """The canonical inputs with each rotation's dates as the program wrote them
    (`2026-11-30T08:00:00-05:00`, not `2026-11-30T13:00:00Z`), for the state's inputs and the
    preview to show. Only for showing: the provider compares schedules as models (dates as
    instants), so an equivalent date in another form is no change. `written` are the checked
    inputs; a date not written as a string, or not known yet, stays as it is."""
    rotations = canonical.get("rotations")
    if not isinstance(rotations, dict):  # not known yet, or a list (names that cannot be keys)
        return canonical
    by_name = {r.get("name"): r for r in rotation_list(written.get("rotations") or [])
               if isinstance(r, dict) and isinstance(r.get("name"), str)}
    shown = {}
    for name, rotation in rotations.items():
        own = by_name.get(name)
        if isinstance(rotation, dict) and own is not None:
            rotation = {**rotation, **{field: own[field] for field in ROTATION_DATES
                                       if isinstance(own.get(field), str) and isinstance(rotation.get(field), str)}}
        shown[name] = rotation
    return {**canonical, "rotations": shown}


def holds_unknown(value: Any, is_unknown: Callable[[Any], bool]) -> bool:
    """Whether `value` is, or holds at any depth, a value that `is_unknown`."""
    if isinstance(value, dict):
        return any(holds_unknown(v, is_unknown) for v in value.values())
    if isinstance(value, list):
        return any(holds_unknown(v, is_unknown) for v in value)
    return is_unknown(value)


def _reaches_unknown(data: Any, loc: tuple[Any, ...], is_unknown: Callable[[Any], bool]) -> bool:
    """Whether the path of a validation error passes through (or ends at) an unknown value."""
    node = data
    for part in loc:
        if is_unknown(node):
            return True
        if isinstance(node, dict) and isinstance(part, int):  # rotations keyed by name
            node = list(node.values())
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return False
    return is_unknown(node)
