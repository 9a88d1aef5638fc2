"""Request bodies of the Schedules API, validated the way the service does.

Every body that fails validation is answered 422 (the spec documents no 400),
with one error per problem naming the field: malformed JSON, a JSON type that
does not fit, a missing required field, a date without an offset, a blank name,
an unknown enum value, a number out of range.

With `strict` in the validation context off (the default) two of the service's
quirks apply: minutes other than 0 and 30 are rounded to the half hour and an
unknown timezone becomes `DEFAULT_TIMEZONE`. With it on, both answer 422.
"""

from __future__ import annotations

import datetime
import functools
import zoneinfo
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from .exceptions import ApiError

DEFAULT_TIMEZONE = "America/New_York"
ROTATION_TYPES = ("daily", "weekly", "hourly")
PARTICIPANT_TYPES = ("user", "team", "escalation", "noone")
OVERRIDE_RESPONDER_TYPES = ("user", "noone")
MAX_ROTATIONS = 500  # per schedule create
INT32_MAX = 2**31 - 1
TIME_OF_DAY = "time-of-day"
WEEKDAY_AND_TIME_OF_DAY = "weekday-and-time-of-day"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

UNPROCESSABLE = "unprocessable"

# Plain wording for the pydantic errors a client can cause; others keep pydantic's message.
_MESSAGES = {
    "missing": "is required",
    "string_type": "must be a string",
    "int_type": "must be an integer",
    "int_parsing": "must be an integer",
    "bool_type": "must be a boolean",
    "list_type": "must be a list",
    "model_type": "must be a JSON object",
    # The limits of query parameters (FastAPI's checks), worded like the body's own.
    "greater_than_equal": "must be at least {ge}",
    "less_than_equal": "must be at most {le}",
}


def _unprocessable(message: str) -> PydanticCustomError:
    # The message is a template: it must not carry client text (braces would be formatted).
    return PydanticCustomError(UNPROCESSABLE, message)


def _strict(info: ValidationInfo) -> bool:
    return bool(info.context and info.context.get("strict"))


def _not_blank(value: str) -> str:
    if not value.strip():
        raise _unprocessable("must not be blank")
    return value


def _one_of(*allowed: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value not in allowed:
            raise _unprocessable("must be one of " + ", ".join(allowed))
        return value

    return check


def _between(low: int, high: int) -> Callable[[int], int]:
    def check(value: int) -> int:
        if not low <= value <= high:
            raise _unprocessable(f"must be between {low} and {high}")
        return value

    return check


def _positive(value: int) -> int:
    if value < 1:
        raise _unprocessable("must be at least 1")
    if value > INT32_MAX:
        raise _unprocessable(f"must be at most {INT32_MAX}")
    return value


def _items_between(low: int, high: int) -> Callable[[list[Any]], list[Any]]:
    def check(value: list[Any]) -> list[Any]:
        if not low <= len(value) <= high:
            raise _unprocessable(f"must have {low} to {high} items")
        return value

    return check


def _team_id(value: str) -> str | None:
    if value == "":
        return None  # a global schedule
    if not value.strip():
        raise _unprocessable("must not be blank (an empty string makes the schedule global)")
    return value


def _not_empty(value: list[Any]) -> list[Any]:
    if not value:
        raise _unprocessable("must not be empty")
    return value


def _not_null(value: Any) -> Any:
    if value is None:
        raise _unprocessable("must not be null")
    return value


def _half_hour_if_strict(minute: int, info: ValidationInfo) -> int:
    if _strict(info) and minute not in (0, 30):
        raise _unprocessable("must be 0 or 30")
    return minute


def _known_timezone(name: str, info: ValidationInfo) -> str:
    if name in _iana_timezones():
        return name
    if _strict(info):
        raise _unprocessable(f"must be an IANA timezone name such as {DEFAULT_TIMEZONE}")
    return DEFAULT_TIMEZONE


@functools.cache
def _iana_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def utc_timestamp(value: str) -> str:
    """Normalise an ISO 8601 date-time with offset to `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole seconds)."""
    if value.endswith("Z"):  # Python 3.10's fromisoformat does not read "Z"
        value = value[:-1] + "+00:00"
    try:
        moment = datetime.datetime.fromisoformat(value)
        if moment.utcoffset() is None:
            raise ValueError("no offset")
        utc = moment.astimezone(datetime.timezone.utc)
    except (ValueError, OverflowError):
        raise PydanticCustomError(
            "date_format", "must be an ISO 8601 date-time with an offset, e.g. 2023-11-10T05:00:00Z"
        ) from None
    return utc.replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def rotation_end(value: str) -> str | None:
    """A rotation's `endDate`: "" is no end date. The spec's letter is a date-time, but
    Atlassian's Terraform provider sends "" for every rotation without an end, and the
    service accepts it and answers it as none."""
    return None if value == "" else utc_timestamp(value)


def round_to_half_hour(hour: int, minute: int) -> tuple[int, int]:
    """The service's rounding: :00-:14 -> :00, :15-:44 -> :30, :45-:59 -> next hour :00 (23 wraps to 0)."""
    if minute < 15:
        return hour, 0
    if minute < 45:
        return hour, 30
    return (hour + 1) % 24, 0


NonBlank = Annotated[str, AfterValidator(_not_blank)]
Hour = Annotated[int, AfterValidator(_between(0, 23))]
Minute = Annotated[int, AfterValidator(_between(0, 59)), AfterValidator(_half_hour_if_strict)]
Weekday = Annotated[str, AfterValidator(_one_of(*WEEKDAYS))]
Timestamp = Annotated[str, AfterValidator(utc_timestamp)]
RotationEnd = Annotated[str, AfterValidator(rotation_end)]
Timezone = Annotated[str, AfterValidator(_known_timezone)]
Length = Annotated[int, AfterValidator(_positive)]
TeamId = Annotated[str, AfterValidator(_team_id)]  # None for "": a global schedule

T = TypeVar("T")
# A field a request may leave out (it is None then), but not send as null.
Omissible = Annotated[T | None, BeforeValidator(_not_null)]


# (where in the body, account id) of each responder of type user a body names.
UserIds = Iterator[tuple[str, str]]


class _Body(BaseModel):
    # strict: no coercion, so "2", true or 2.0 for an integer are type errors.
    model_config = ConfigDict(strict=True, extra="ignore", alias_generator=to_camel)

    def user_ids(self) -> UserIds:
        """The users the body names as participants or responder, with where it names them."""
        return iter(())

    def present(self) -> dict[str, Any]:
        """The fields the request carried, in API form (explicit nulls included)."""
        return self.model_dump(by_alias=True, include=self.model_fields_set)


class Participant(_Body):
    type: Annotated[str, AfterValidator(_one_of(*PARTICIPANT_TYPES))]
    id: str | None = None

    @model_validator(mode="after")
    def _id_fits_type(self) -> Participant:
        if self.type == "noone":
            self.id = None
        elif not (self.id and self.id.strip()):
            raise _unprocessable(f"id is required for participant type {self.type}")
        return self


class TimeOfDay(_Body):
    start_hour: Hour
    start_min: Minute
    end_hour: Hour
    end_min: Minute

    @model_validator(mode="after")
    def _round_minutes(self) -> TimeOfDay:
        self.start_hour, self.start_min = round_to_half_hour(self.start_hour, self.start_min)
        self.end_hour, self.end_min = round_to_half_hour(self.end_hour, self.end_min)
        return self


class WeekdayTimeOfDay(TimeOfDay):
    start_day: Weekday
    end_day: Weekday


class TimeRestriction(_Body):
    type: Annotated[str, AfterValidator(_one_of(TIME_OF_DAY, WEEKDAY_AND_TIME_OF_DAY))]
    restriction: TimeOfDay | None = None
    restrictions: Annotated[list[WeekdayTimeOfDay], AfterValidator(_not_empty)] | None = None

    @model_validator(mode="after")
    def _shape_fits_type(self) -> TimeRestriction:
        """Require the shape `type` names and drop the other one."""
        if self.type == TIME_OF_DAY:
            self.restrictions = None
            wanted, missing = "restriction", self.restriction is None
        else:
            self.restriction = None
            wanted, missing = "restrictions", self.restrictions is None
        if missing:
            raise PydanticCustomError("incomplete", f"{wanted} is required when type is {self.type}")
        return self


class RotationCreate(_Body):
    """CreateRotationRequest. An `id` is not part of it: like any unknown field, it is ignored
    (Atlassian's Terraform provider sends `"id": ""`)."""

    name: NonBlank | None = None
    start_date: Timestamp
    end_date: RotationEnd | None = None
    type: Annotated[str, AfterValidator(_one_of(*ROTATION_TYPES))]
    length: Length = 1
    participants: list[Participant] = []
    time_restriction: TimeRestriction | None = None

    @model_validator(mode="after")
    def _ends_after_start(self) -> RotationCreate:
        check_rotation_dates(self.start_date, self.end_date)
        return self

    def user_ids(self, prefix: str = "") -> UserIds:
        return _users_of(self.participants, prefix)

    def document(self) -> dict[str, Any]:
        """The rotation in API form (unset optional fields left out; no name if none was given)."""
        return self.model_dump(by_alias=True, exclude_none=True)


class RotationUpdate(_Body):
    """UpdateRotationRequest: absent fields stay; `endDate` (null or "") or `timeRestriction` null removes them."""

    name: Omissible[NonBlank] = None
    start_date: Omissible[Timestamp] = None
    end_date: RotationEnd | None = None
    type: Omissible[Annotated[str, AfterValidator(_one_of(*ROTATION_TYPES))]] = None
    length: Omissible[Length] = None
    participants: Omissible[list[Participant]] = None
    time_restriction: TimeRestriction | None = None

    def user_ids(self) -> UserIds:
        return _users_of(self.participants, "")

    def changes(self) -> tuple[dict[str, Any], set[str]]:
        """(fields to set, in API form, fields to remove)."""
        present = self.present()
        cleared = {key for key, value in present.items() if value is None}
        changes = {key: _without_nulls(value) for key, value in present.items() if value is not None}
        return changes, cleared


def _users_of(participants: list[Participant] | None, prefix: str) -> UserIds:
    for n, participant in enumerate(participants or []):
        if participant.type == "user" and participant.id is not None:
            yield f"{prefix}participants[{n}].id", participant.id


def _users_of_rotations(rotations: list[RotationCreate] | None) -> UserIds:
    for n, rotation in enumerate(rotations or []):
        yield from rotation.user_ids(f"rotations[{n}].")


def check_rotation_dates(start_date: str, end_date: str | None) -> None:
    # Both are in the same fixed-width UTC form, so string order is time order.
    if end_date is not None and end_date <= start_date:
        raise _unprocessable("endDate must be after startDate")


def check_rotation(rotation: dict[str, Any]) -> None:
    """A rotation after an update is still possible (422 if not)."""
    try:
        check_rotation_dates(rotation["startDate"], rotation.get("endDate"))
    except PydanticCustomError as exc:
        raise ApiError(422, f"body: {exc.message()}") from None


class ScheduleCreate(_Body):
    """CreateScheduleRequest. `teamId` "" or absent: a global schedule."""

    name: NonBlank
    team_id: Omissible[TeamId] = None
    description: str = ""
    timezone: Timezone = DEFAULT_TIMEZONE
    enabled: bool = True
    rotations: Omissible[Annotated[list[RotationCreate], AfterValidator(_items_between(1, MAX_ROTATIONS))]] = None

    def fields(self) -> dict[str, Any]:
        """The schedule's own fields in API form (no `teamId` for a global schedule)."""
        return self.model_dump(by_alias=True, exclude_none=True, exclude={"rotations"})

    def rotation_documents(self) -> list[dict[str, Any]]:
        return _named(self.rotations or [])

    def user_ids(self) -> UserIds:
        return _users_of_rotations(self.rotations)


class ScheduleUpdate(_Body):
    """UpdateScheduleRequest: absent fields stay (an explicit null is refused); `teamId`
    "" makes the schedule global; `rotations` replace all rotations."""

    name: Omissible[NonBlank] = None
    team_id: Omissible[TeamId] = None
    description: Omissible[str] = None
    timezone: Omissible[Timezone] = None
    enabled: Omissible[bool] = None
    rotations: Omissible[list[RotationCreate]] = None

    def changes(self) -> dict[str, Any]:
        """The schedule fields the request carried; `teamId` None for "make it global"."""
        return {key: value for key, value in self.present().items() if key != "rotations"}

    def rotation_documents(self) -> list[dict[str, Any]] | None:
        return None if self.rotations is None else _named(self.rotations)

    def user_ids(self) -> UserIds:
        return _users_of_rotations(self.rotations)


def _named(rotations: list[RotationCreate]) -> list[dict[str, Any]]:
    """API documents; an unnamed rotation is called after its place, "Rotation 1", "Rotation 2"..."""
    return [{"name": f"Rotation {n}", **rotation.document()} for n, rotation in enumerate(rotations, start=1)]


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


class OverrideResponder(_Body):
    type: Annotated[str, AfterValidator(_one_of(*OVERRIDE_RESPONDER_TYPES))]
    id: str | None = None

    @model_validator(mode="after")
    def _id_fits_type(self) -> OverrideResponder:
        if self.type == "noone":
            self.id = None
        elif not (self.id and self.id.strip()):
            raise _unprocessable(f"id is required for responder type {self.type}")
        return self


class OverrideBody(_Body):
    """CreateOverrideRequest and UpdateOverrideRequest (a PUT: the whole override)."""

    responder: OverrideResponder
    start_date: Timestamp
    end_date: Timestamp
    rotation_ids: Annotated[list[NonBlank], AfterValidator(_not_empty)] | None = None

    @model_validator(mode="after")
    def _ends_after_start(self) -> OverrideBody:
        if self.end_date <= self.start_date:
            raise _unprocessable("endDate must be after startDate")
        return self

    def user_ids(self) -> UserIds:
        if self.responder.type == "user" and self.responder.id is not None:
            yield "responder.id", self.responder.id

    def document(self) -> dict[str, Any]:
        """API form: `rotationIds` None means every rotation of the schedule."""
        document = self.model_dump(by_alias=True)
        document["responder"] = self.responder.model_dump(by_alias=True, exclude_none=True)
        if self.rotation_ids is not None:
            document["rotationIds"] = list(dict.fromkeys(self.rotation_ids))
        return document


Body = TypeVar("Body", bound=_Body)


def parse_body(model: type[Body], raw: bytes, *, strict: bool) -> Body:
    try:
        return model.model_validate_json(raw, context={"strict": strict})
    except ValidationError as exc:
        raise invalid_request(exc.errors()) from None


def invalid_request(errors: Iterable[Mapping[str, Any]]) -> ApiError:
    """422 with one title per problem."""
    return ApiError(422, *(_title(error) for error in errors))


def _title(error: Mapping[str, Any]) -> str:
    if error["type"] == "json_invalid":
        return f"body: malformed JSON ({error.get('ctx', {}).get('error', error['msg'])})"
    template = _MESSAGES.get(error["type"])
    message = error["msg"] if template is None else template.format(**error.get("ctx", {}))
    return f"{format_location(error['loc']) or 'body'}: {message}"


def format_location(loc: Iterable[int | str]) -> str:
    """('rotations', 0, 'length') -> 'rotations[0].length'."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
