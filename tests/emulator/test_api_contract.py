"""The contract checks themselves (testkit/api_contract.py): each finds what it should."""

from __future__ import annotations

import pytest
from emulator_helpers import load_contract

from testkit import api_contract

ROTATION = {"type": "daily", "startDate": "2024-01-01T00:00:00Z"}


def test_the_fixture_has_the_whole_schedules_api():
    assert len(api_contract.endpoints()) == 20
    assert len(api_contract.CONTRACT["components"]["schemas"]) == 41
    text = api_contract.CONTRACT_PATH.read_text()
    assert '"summary"' not in text and '"example' not in text  # structure only, no prose


@pytest.mark.parametrize(
    ("method", "path", "template"),
    [
        ("GET", "/v1/schedules", "/v1/schedules"),
        ("PATCH", "/v1/schedules/abc", "/v1/schedules/{id}"),
        ("GET", "/jsm/ops/api/local/v1/schedules/abc", "/v1/schedules/{id}"),
        ("GET", "/v1/schedules/abc.ics", "/v1/schedules/{scheduleId}.ics"),
        ("GET", "/v1/schedules/on-calls/u1.ics", "/v1/schedules/on-calls/{userIdentifier}.ics"),
        ("DELETE", "/v1/schedules/s/rotations/r?x=1", "/v1/schedules/{scheduleId}/rotations/{id}"),
        ("PUT", "/v1/schedules/s/overrides/a", "/v1/schedules/{scheduleId}/overrides/{alias}"),
    ],
)
def test_concrete_paths_match_their_template(method, path, template):
    assert api_contract.operation(method, path)[0] == template


@pytest.mark.parametrize(
    ("method", "path", "message"),
    [
        ("PUT", "/v1/schedules/abc", "no PUT on /v1/schedules/{id} (GET, PATCH, DELETE)"),
        ("GET", "/v1/teams", "matches no path"),
        ("GET", "/v1/schedules/a/b/c/d", "matches no path"),
    ],
)
def test_unknown_operations_are_named(method, path, message):
    with pytest.raises(AssertionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        api_contract.operation(method, path)


def test_the_seed_payloads_fit():
    api_contract.validate_request("POST", "/v1/schedules", load_contract("create_schedule_request.json"))
    api_contract.validate_response("GET", "/v1/schedules/x", 200, load_contract("schedule_response.json"))
    api_contract.validate_response("GET", "/v1/schedules", 200, load_contract("list_schedules_response.json"))
    api_contract.validate_response("GET", "/v1/schedules/x", 404, load_contract("error_response.json"))


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"teamId": "t"}, "body: 'name' is a required property"),
        ({"name": ""}, "name: '' should be non-empty"),
        ({"name": "S", "colour": "red"}, "'colour' was unexpected"),
        ({"name": "S", "rotations": []}, "rotations: [] should be non-empty"),
        ({"name": "S", "rotations": [{**ROTATION, "type": "monthly"}]}, "rotations[0].type: 'monthly' is not one of"),
        (
            {"name": "S", "rotations": [{**ROTATION, "length": 2**31}]},
            "rotations[0].length: 2147483648 is not a 'int32'",
        ),
        ({"name": "S", "rotations": [{**ROTATION, "startDate": "2024-02-30T00:00:00Z"}]}, "is not a 'date-time'"),
        ({"name": "S", "rotations": [{**ROTATION, "endDate": "2024-01-01T00:00:00"}]}, "is not a 'date-time'"),
        ({"name": "S", "rotations": [{**ROTATION, "id": "r1"}]}, "'id' was unexpected"),
        (
            {"name": "S", "rotations": [{**ROTATION, "timeRestriction": {"type": "time-of-day", "restriction": {}}}]},
            "'startHour' is a required property",
        ),
        (
            {"name": "S", "rotations": [{**ROTATION, "timeRestriction": {"type": "sometimes"}}]},
            "rotations[0].timeRestriction: {'type': 'sometimes'} is not valid under any of the given schemas",
        ),
    ],
)
def test_request_bodies_are_checked(body, problem):
    with pytest.raises(AssertionError, match="POST /v1/schedules: request body") as failure:
        api_contract.validate_request("POST", "/v1/schedules", body)
    assert problem in str(failure.value)


def test_time_restrictions_are_told_apart_by_their_type():
    weekday = {
        "type": "weekday-and-time-of-day",
        "restrictions": [
            {"startDay": "monday", "endDay": "friday", "startHour": 9, "endHour": 17, "startMin": 0, "endMin": 30}
        ],
    }
    time_of_day = {"type": "time-of-day", "restriction": {"startHour": 9, "endHour": 17, "startMin": 0, "endMin": 0}}
    for restriction in (weekday, time_of_day):
        api_contract.validate_request("PATCH", "/v1/schedules/s/rotations/r", {"timeRestriction": restriction})
    with pytest.raises(AssertionError, match="restrictions"):
        api_contract.validate_request(
            "PATCH", "/v1/schedules/s/rotations/r", {"timeRestriction": {**weekday, "type": "time-of-day"}}
        )


def test_null_is_allowed_where_the_spec_says_so_only():
    override = {"responder": {"type": "noone", "id": None}, "startDate": "2024-01-01T00:00:00Z",
                "endDate": "2024-01-02T00:00:00Z", "rotationIds": None}  # fmt: skip
    api_contract.validate_request("POST", "/v1/schedules/s/overrides", override)
    with pytest.raises(AssertionError, match="endDate: None is not of type 'string'"):
        api_contract.validate_request("PATCH", "/v1/schedules/s/rotations/r", {"endDate": None})


def test_responses_are_checked_by_status():
    api_contract.validate_response("DELETE", "/v1/schedules/x", 204, None)
    api_contract.validate_response("GET", "/v1/schedules", 401, {"code": 401, "message": "unauthorized"})
    api_contract.validate_response("GET", "/v1/schedules/x.ics", 200, "BEGIN:VCALENDAR\r\n")
    api_contract.validate_response("GET", "/v1/schedules/x/on-calls", 200, {"onCallUsers": ["u1"]})
    with pytest.raises(AssertionError, match="status not in the contract"):
        api_contract.validate_response("GET", "/v1/schedules", 400, {"errors": []})
    with pytest.raises(AssertionError, match="documents no body"):
        api_contract.validate_response("DELETE", "/v1/schedules/x", 204, {"deleted": True})
    with pytest.raises(AssertionError, match="code: '401' is not of type 'integer'"):
        api_contract.validate_response("GET", "/v1/schedules", 401, {"code": "401", "message": "no"})
    with pytest.raises(AssertionError, match="not valid under any"):  # both on-call forms at once
        api_contract.validate_response(
            "GET", "/v1/schedules/x/on-calls", 200, {"onCallUsers": [], "onCallParticipants": []}
        )
    with pytest.raises(AssertionError, match="'secret' was unexpected"):
        api_contract.validate_response("GET", "/v1/schedules/x", 200, {"id": "x", "secret": 1})
    api_contract.validate_response("GET", "/v1/schedules/x", 200, {"id": "x", "secret": 1}, closed=False)


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"size": "51"}, "size: 51 is greater than the maximum of 50"),
        ({"size": ["0"]}, "size: 0 is less than the minimum of 1"),
        ({"offset": str(2**31)}, "offset: 2147483648 is not a 'int32'"),
        ({"offset": "ten"}, "offset: 'ten' is not an integer"),
        ({"offset": ["1", "2"]}, "offset: given 2 times"),
        ({"colour": "red"}, "colour: not a query parameter of this operation"),
    ],
)
def test_query_parameters_are_checked(params, problem):
    with pytest.raises(AssertionError, match="GET /v1/schedules: query") as failure:
        api_contract.validate_query("GET", "/v1/schedules", params)
    assert problem in str(failure.value)


def test_good_queries_pass():
    api_contract.validate_query(
        "GET", "/v1/schedules", {"size": ["50"], "offset": 0, "query": "Ops*", "expand": ["rotation"]}
    )
    api_contract.validate_query(
        "GET", "/v1/schedules/s/on-calls", {"flat": "true", "date": "2024-01-01T00:00:00+01:00"}
    )
    with pytest.raises(AssertionError, match="flat: 'yes' is not true or false"):
        api_contract.validate_query("GET", "/v1/schedules/s/on-calls", {"flat": "yes"})


def test_a_journal_of_good_requests_passes_and_a_bad_request_is_named(admin):
    emulator = admin.emulator
    schedule = admin.create(name="Journaled", rotations=[{"type": "daily", "startDate": "2024-01-01T00:00:00Z"}])
    admin.request("GET", params={"size": 50, "query": "Jour*", "expand": "rotation"})
    admin.request("PATCH", f"/{schedule['id']}/rotations/{schedule['rotations'][0]['id']}", json={"length": 2})
    admin.request("DELETE", f"/{schedule['id']}")

    assert api_contract.validate_journal(emulator.requests()) == 4
    admin.request("GET", params={"size": 100})
    admin.request("POST", json={"name": "Extra", "colour": "red"})
    with pytest.raises(AssertionError, match=r"GET /v1/schedules: query: size: 100 is greater than the maximum of 50"):
        api_contract.validate_journal(emulator.requests())
    with pytest.raises(AssertionError, match=r"POST /v1/schedules: request body .*'colour' was unexpected"):
        api_contract.validate_journal(emulator.requests()[-1:])
