"""Typed models of schedule overrides, in their canonical form, and the evidence that tells
a create's own override from a person's.

An override gives a schedule's rotations (named ones, or all of them) to a responder, a
user or nobody (`noone`), from `start_date` to `end_date`. A user declares the rotations
by name; the API takes and answers their ids (`rotationIds`, absent or null for all).

Canonical, as the schedule's models are: dates in UTC (`2027-12-24T08:00:00Z`), rotation
names sorted (their order means nothing), a `noone` responder without an id. Every error
names its field path (`responder.type`, `rotations[1]`).

The service makes an override's `alias` and takes none from the client (Atlassian's
JSDCLOUD-18644): nothing on the service says who made an override. So the only evidence
that an override is a create's own, when the create's answer was lost, is that it was not
there before the create and is identical to what the create sent (`new_identical`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, Literal, Optional

from pydantic import ValidationError, ValidationInfo, field_serializer, field_validator

from .models import (
    USER_INPUT,
    Date,
    Participant,
    RequiredText,
    _Model,
    _reaches_unknown,
    format_date,
    validation_problems,
)

OverrideResponderType = Literal["user", "noone"]


class OverrideResponder(Participant):
    """Who takes the rotations' turns: a user by id, or nobody (`noone`)."""

    role = "responder"
    type: OverrideResponderType  # narrower than a participant's

    @field_validator("type", mode="before")
    @classmethod
    def _no_team_or_escalation(cls, value: Any) -> Any:
        if value in ("team", "escalation"):
            raise ValueError(f"must be 'user' or 'noone': an override's responder cannot be a {value} "
                             "(the service takes only a user, or nobody)")
        return value


class Override(_Model):
    """An override as declared: its schedule, responder, window and rotations by name
    (None: all of them). `alias` and `rotation_ids` are the service's (outputs only)."""

    output_only = frozenset({"alias", "rotation_ids"})
    alias: Optional[str] = None
    schedule_id: RequiredText
    responder: OverrideResponder
    start_date: Date
    end_date: Date
    rotations: Optional[list[RequiredText]] = None
    rotation_ids: Optional[list[str]] = None

    @field_validator("alias", "rotation_ids")
    @classmethod
    def _made_by_the_service(cls, value: Any, info: ValidationInfo) -> Any:
        if value is not None and (info.context or {}).get("user_input"):
            raise ValueError("is set by the service; leave it out")
        return value

    @field_validator("start_date", "end_date")
    @classmethod
    def _whole_seconds(cls, value: datetime) -> datetime:
        if value.microsecond:
            raise ValueError("must be in whole seconds (the service keeps no fractions)")
        return value

    @field_validator("end_date")
    @classmethod
    def _end_after_start(cls, value: datetime, info: ValidationInfo) -> datetime:
        start = info.data.get("start_date")
        if start is not None and value <= start:
            raise ValueError(f"must be after start_date ({format_date(start)})")
        return value

    @field_validator("rotations")
    @classmethod
    def _named_once_each(cls, value: Optional[list[str]]) -> Optional[list[str]]:
        if value is None:
            return None
        if not value:
            raise ValueError("must name at least one rotation; leave it out to override all rotations")
        twice = sorted({name for name in value if value.count(name) > 1})
        if twice:
            raise ValueError(f"names {', '.join(repr(name) for name in twice)} more than once")
        return sorted(value)

    @field_serializer("start_date", "end_date")
    def _serialize_date(self, value: datetime) -> str:
        return format_date(value)

    def has_ended(self, now: datetime) -> bool:
        """Whether the window is over at `now`: the override is history."""
        return self.end_date <= now

    def to_api(self, rotation_ids: Optional[list[str]]) -> dict[str, Any]:
        """The body of a create or a PUT (the whole override) with these rotation ids."""
        return _body(self.responder, self.start_date, self.end_date, rotation_ids)

    def to_canonical_inputs(self) -> dict[str, Any]:
        """The inputs as `check` hands them to the engine: snake_case, no service-made fields."""
        return self.model_dump(mode="json", exclude_none=True, exclude=set(self.output_only))

    def to_outputs(self) -> dict[str, Any]:
        """The canonical inputs with the service's `alias` and `rotation_ids` (each None
        when there is none: an override never made, or one of all rotations)."""
        return {**self.to_canonical_inputs(), "alias": self.alias, "rotation_ids": self.rotation_ids}


class ApiOverride(_Model):
    """An override as the API answers it."""

    alias: RequiredText
    responder: OverrideResponder
    start_date: Date
    end_date: Date
    rotation_ids: Optional[list[str]] = None

    def not_kept(self, body: dict[str, Any]) -> dict[str, Any]:
        """The fields of a create's or PUT's `body` that this override does not hold (rotation
        ids in any order; left out: all rotations), with the values it holds instead."""
        have = _body(self.responder, self.start_date, self.end_date, self.rotation_ids)
        return {key: have.get(key) for key in ("responder", "startDate", "endDate", "rotationIds")
                if _comparable(key, have.get(key)) != _comparable(key, body.get(key))}

    def holds(self, body: dict[str, Any]) -> bool:
        """Whether this override is what `body` asks for."""
        return not self.not_kept(body)


def _body(responder: OverrideResponder, start: datetime, end: datetime,
          rotation_ids: Optional[list[str]]) -> dict[str, Any]:
    """A create's or PUT's body (the whole override); `rotationIds` left out for all
    rotations (the contract types it as an array, not null)."""
    body: dict[str, Any] = {"responder": responder.model_dump(mode="json", exclude_none=True),
                            "startDate": format_date(start), "endDate": format_date(end)}
    if rotation_ids is not None:
        body["rotationIds"] = list(rotation_ids)
    return body


def _comparable(key: str, value: Any) -> Any:
    return frozenset(value) if key == "rotationIds" and isinstance(value, list) else value


def parse_user_override(data: dict[str, Any]) -> Override:
    """An override as a user wrote it (snake_case, no alias: the API's camelCase names are
    unknown fields there); raises ValidationError."""
    return Override.model_validate(data, context=USER_INPUT, extra="forbid", by_alias=False, by_name=True)


def parse_held_override(data: dict[str, Any]) -> Override:
    """An override as the state holds it (its outputs: with alias and rotation ids)."""
    return Override.model_validate(data)


def parse_api_override(data: dict[str, Any]) -> ApiOverride:
    """An override as the API answered it; raises ValidationError."""
    return ApiOverride.model_validate(data)


def override_problems(data: dict[str, Any], is_unknown: Callable[[Any], bool]) -> list[tuple[str, str]]:
    """The problems of a declared override (field path, reason), leaving out those of
    fields whose value is not known yet (`is_unknown`, during a preview)."""
    try:
        parse_user_override(data)
    except ValidationError as exc:
        return validation_problems(exc, lambda loc: not _reaches_unknown(data, loc, is_unknown))
    return []


def new_identical(before: set[str], after: Iterable[dict[str, Any]], body: dict[str, Any]) -> list[dict[str, Any]]:
    """The overrides of `after` (a listing, API form) that were not among the aliases
    `before` and hold exactly what `body` asked for: the candidates for a create's own
    override once its answer was lost. Only a single candidate may be taken."""
    found = []
    for item in after:
        if not isinstance(item, dict) or item.get("alias") in before:
            continue
        try:
            candidate = parse_api_override(item)
        except ValidationError:
            continue  # not an override this create could have made
        if candidate.holds(body):
            found.append(item)
    return found
