"""Overrides: validation before anything is sent (every error names its field), the canonical
form, the bodies sent, and the evidence that tells a create's own override from a person's."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from pulumi_jsmops.api.models import validation_problems
from pulumi_jsmops.api.overrides import new_identical, parse_api_override, parse_user_override
from pulumi_jsmops.provider import ScheduleOverrideProvider
from testkit.edits import replaced

VALID = {"schedule_id": "s-1", "responder": {"type": "user", "id": "bob"},
         "start_date": "2030-12-24T09:00:00+01:00", "end_date": "2030-12-27T09:00:00+01:00",
         "rotations": ["secondary", "primary"]}


def changed(path: str, value: object) -> dict:
    return replaced(VALID, path, value)


INVALID = [
    (changed("schedule_id", ...), "schedule_id", "is required"),
    (changed("schedule_id", " "), "schedule_id", "must not be blank"),
    (changed("responder", ...), "responder", "is required"),
    (changed("responder.type", "team"), "responder.type",
     "must be 'user' or 'noone': an override's responder cannot be a team"),
    (changed("responder.type", "escalation"), "responder.type", "cannot be a escalation"),
    (changed("responder.type", "robot"), "responder.type", "must be 'user' or 'noone'"),
    (changed("responder.id", ...), "responder.id", "is required for a responder of type 'user'"),
    (changed("responder.id", "  "), "responder.id", "is required for a responder of type 'user'"),
    ({**VALID, "responder": {"type": "noone", "id": "bob"}}, "responder.id", "a 'noone' responder carries no id"),
    (changed("start_date", "2030-12-24T09:00:00"), "start_date", "must have a UTC offset"),
    (changed("start_date", "christmas"), "start_date", "is not a valid date"),
    (changed("end_date", ...), "end_date", "is required"),
    (changed("end_date", "2030-12-24T08:00:00Z"), "end_date", "must be after start_date (2030-12-24T08:00:00Z)"),
    (changed("end_date", "2030-12-27T09:00:00.5+01:00"), "end_date", "must be in whole seconds"),
    (changed("rotations", []), "rotations", "must name at least one rotation; leave it out to override all"),
    (changed("rotations", ["a", "b", "a"]), "rotations", "names 'a' more than once"),
    (changed("rotations", [""]), "rotations[0]", "must not be blank"),
    (changed("rotations", "primary"), "rotations", "must be a list"),
    (changed("alias", "a-1"), "alias", "is set by the service"),
    (changed("colour", "red"), "colour", "unknown field"),
]


@pytest.mark.parametrize(("data", "path", "reason"), INVALID, ids=[f"{p}: {r}" for _, p, r in INVALID])
def test_each_problem_names_its_field(data: dict, path: str, reason: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_user_override(data)
    problems = validation_problems(caught.value)
    assert any(where == path and reason in why for where, why in problems), problems


def test_the_provider_check_reports_them_as_the_engine_shows_them(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"JSMOPS_CLOUD_ID": "local", "JSMOPS_EMAIL": "e@example.com", "JSMOPS_API_TOKEN": "t"}.items():
        monkeypatch.setenv(name, value)  # settings complete: nothing is sent by check anyway
    result = ScheduleOverrideProvider().check({}, changed("responder.type", "team"))
    assert [(f.property, f.reason) for f in result.failures] == [
        ("", "responder.type: must be 'user' or 'noone': an override's responder cannot be a team "
             "(the service takes only a user, or nobody)")]


def test_the_canonical_form_is_the_same_whatever_equivalent_form_was_written() -> None:
    a = parse_user_override(VALID)
    b = parse_user_override({**VALID, "start_date": "2030-12-24T08:00:00Z", "end_date": "2030-12-27T03:00:00-05:00",
                             "rotations": ["primary", "secondary"]})
    assert a == b
    assert a.to_canonical_inputs() == {"schedule_id": "s-1", "responder": {"type": "user", "id": "bob"},
                                       "start_date": "2030-12-24T08:00:00Z", "end_date": "2030-12-27T08:00:00Z",
                                       "rotations": ["primary", "secondary"]}
    nobody = parse_user_override({**VALID, "responder": {"type": "noone"}, "rotations": None})
    assert nobody.to_canonical_inputs()["responder"] == {"type": "noone"} and "rotations" not in \
        nobody.to_canonical_inputs()
    assert nobody.to_outputs()["alias"] is None and nobody.to_outputs()["rotation_ids"] is None


def test_the_body_leaves_rotation_ids_out_for_all_rotations() -> None:
    override = parse_user_override(VALID)
    assert override.to_api(["r-1", "r-2"]) == {"responder": {"type": "user", "id": "bob"},
                                               "startDate": "2030-12-24T08:00:00Z", "endDate": "2030-12-27T08:00:00Z",
                                               "rotationIds": ["r-1", "r-2"]}
    assert "rotationIds" not in override.to_api(None)


def test_an_answer_holds_a_body_regardless_of_the_order_of_rotation_ids() -> None:
    body = parse_user_override(VALID).to_api(["r-1", "r-2"])
    answer = parse_api_override({"alias": "a-1", **body, "rotationIds": ["r-2", "r-1"], "startDate":
                                 "2030-12-24T09:00:00+01:00"})
    assert answer.holds(body)
    assert answer.not_kept({**body, "endDate": "2030-12-28T08:00:00Z"}) == {"endDate": "2030-12-27T08:00:00Z"}
    assert answer.not_kept({**body, "rotationIds": None}) == {"rotationIds": ["r-2", "r-1"]}
    assert parse_api_override({"alias": "a-2", **body, "rotationIds": None}).not_kept(
        parse_user_override(VALID).to_api(None)) == {}


def test_a_lost_create_is_recognised_only_as_one_new_override_identical_to_what_was_sent() -> None:
    body = parse_user_override(VALID).to_api(["r-1"])
    listing = [
        {"alias": "before", **body},  # identical, but there before the create: a person's
        {"alias": "other", **body, "endDate": "2030-12-28T08:00:00Z"},  # new, but another override
        {"alias": "mine", **body, "rotationIds": ["r-1"]},
        {"alias": "broken", "responder": {"type": "team"}},  # not an override this create could have made
        "not even an object",
    ]
    assert [o["alias"] for o in new_identical({"before"}, listing, body)] == ["mine"]
    assert [o["alias"] for o in new_identical(set(), listing, body)] == ["before", "mine"]  # ambiguous
    assert new_identical({"before", "mine"}, listing, body) == []
