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

from datetime import datetime, timezone
from functools import lru_cache
from typing import Annotated, Any, ClassVar, Literal, Optional, get_args
from zoneinfo import ZoneInfo

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
from pydantic.alias_generators import to_camel

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
Hour = Annotated[int, BeforeValidator(_whole_number), Field(ge=0, le=23)]
Minute = Annotated[int, BeforeValidator(_whole_number), AfterValidator(_half_hour)]
RequiredText = Annotated[StrictStr, AfterValidator(_not_blank)]
Date = Annotated[AwareDatetime, BeforeValidator(_iso_date)]


def format_date(value: datetime) -> str:
    """The canonical (and the service's) form of a date: UTC, whole seconds, `Z`."""
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@lru_cache(maxsize=None)
def is_time_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (KeyError, ValueError, OSError):  # not found (a KeyError), malformed, or a directory
        return False
    return True


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

    type: ParticipantType
    id: Optional[StrictStr] = Field(None, validate_default=True)

    @field_validator("id")
    @classmethod
    def _id_matches_type(cls, value: Optional[str], info: ValidationInfo) -> Optional[str]:
        kind = info.data.get("type")
        if kind == "noone":
            if value:
                raise ValueError("a 'noone' participant carries no id")
            return None
        if kind is not None and not (value and value.strip()):
            raise ValueError(f"is required for a participant of type '{kind}'")
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
    length: Annotated[WholeNumber, Field(ge=1)] = 1
    start_date: Date
    end_date: Optional[Date] = None
    participants: list[Participant] = []
    time_restriction: Optional[TimeRestriction] = None

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


class Schedule(_Model):
    """A schedule with its rotations. `id` is made by the service.

    `timezone` left out (None) means "whatever the service picks": it is not sent, and
    the value the service reports is not a change.
    """

    output_only = frozenset({"id"})
    id: Optional[str] = None
    name: RequiredText
    team_id: RequiredText
    description: StrictStr = ""
    timezone: Optional[StrictStr] = None
    enabled: StrictBool = True
    rotations: list[Rotation] = []

    @field_validator("description", mode="before")
    @classmethod
    def _no_description_is_empty(cls, value: Any) -> Any:
        return "" if value is None else value

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

    @field_validator("rotations")
    @classmethod
    def _unique_sorted_rotations(cls, value: list[Rotation]) -> list[Rotation]:
        seen: set[str] = set()
        for rotation in value:
            if rotation.name in seen:
                raise ValueError(f"two rotations are named '{rotation.name}'; rotation names must be unique")
            seen.add(rotation.name)
        return sorted(value, key=lambda r: r.name)

    # --- the forms this schedule is sent and stored in ---------------------------------

    def to_api(self, *, with_ids: bool = False) -> dict[str, Any]:
        """The API's JSON for a create (no ids) or an update (`with_ids`: rotations keep theirs)."""
        body = self.model_dump(mode="json", by_alias=True, exclude_none=True, exclude={"id"})
        if not with_ids:
            for rotation in body.get("rotations", []):
                rotation.pop("id", None)
        return body

    def to_inputs(self) -> dict[str, Any]:
        """What a user writes for this schedule: snake_case, no ids."""
        data = self.model_dump(mode="json", exclude_none=True, exclude={"id"})
        for rotation in data.get("rotations", []):
            rotation.pop("id", None)
        return data

    def to_outputs(self) -> dict[str, Any]:
        """The resource's outputs: the inputs plus the ids of the schedule and each rotation."""
        return self.model_dump(mode="json", exclude_none=True)

    def differences(self, actual: "Schedule") -> list[str]:
        """The top-level fields where `actual` differs from this (desired) schedule."""
        desired, current = self.to_inputs(), actual.to_inputs()
        if self.timezone is None:
            desired.pop("timezone", None)
            current.pop("timezone", None)
        return [key for key in sorted(desired.keys() | current.keys()) if desired.get(key) != current.get(key)]


def field_path(loc: tuple[Any, ...]) -> str:
    """`('rotations', 1, 'time_restriction')` -> `rotations[1].time_restriction`."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + str(part)
    return path


def validation_problems(error: ValidationError) -> list[tuple[str, str]]:
    """(field path, reason) for each problem of a ValidationError, reasons in plain words."""
    problems = []
    for item in error.errors():
        reason = "unknown field" if item["type"] == "extra_forbidden" else item["msg"].removeprefix("Value error, ")
        problems.append((field_path(item["loc"]), reason))
    return problems


def parse_user_schedule(data: dict[str, Any]) -> Schedule:
    """A schedule as a user wrote it (snake_case, no ids); raises ValidationError."""
    return Schedule.model_validate(data, context=USER_INPUT, extra="forbid")


def parse_api_schedule(data: dict[str, Any]) -> Schedule:
    """A schedule as the API returned it (camelCase, with ids; fields unknown here are ignored)."""
    return Schedule.model_validate(data)
