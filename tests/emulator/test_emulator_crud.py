"""Create, read, update, delete: status codes, defaults, normalisation and the contract payloads."""

from __future__ import annotations

import re

import pytest
from emulator_helpers import UUID4, load_contract, rotation, time_of_day, titles


def without_ids(schedule: dict) -> dict:
    stripped = {key: value for key, value in schedule.items() if key != "id"}
    stripped["rotations"] = [{k: v for k, v in r.items() if k != "id"} for r in schedule["rotations"]]
    return stripped


def key_shape(value):
    """The nested key structure of a JSON value, without the values."""
    if isinstance(value, dict):
        return {key: key_shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [key_shape(item) for item in value]
    return type(value).__name__


def test_contract_create_request_round_trips(admin):
    request = load_contract("create_schedule_request.json")

    created = admin.request("POST", json=request)

    assert created.status_code == 201
    schedule = created.json()
    assert re.match(UUID4, schedule["id"])
    assert [re.match(UUID4, r["id"]) is not None for r in schedule["rotations"]] == [True]
    assert without_ids(schedule) == request
    assert key_shape(schedule) == key_shape(load_contract("schedule_response.json"))
    fetched = admin.request("GET", f"/{schedule['id']}")
    assert fetched.status_code == 200
    assert fetched.json() == schedule


def test_list_has_the_contract_shape_and_next_link_form(admin):
    example = load_contract("list_schedules_response.json")
    request = load_contract("create_schedule_request.json")
    for n in range(51):
        admin.create(**{**request, "name": f"Support Schedule {n:02}"})

    response = admin.request("GET", params={"offset": 25, "size": 25, "expand": "rotation"})

    assert response.status_code == 200
    page = response.json()
    assert set(page) == set(example) == {"values", "links", "_expands"}
    assert page["_expands"] == example["_expands"] == ["rotation"]
    assert page["links"] == {"next": "/v1/schedules?offset=50&size=25&expand=rotation"}
    assert [item["name"] for item in page["values"]] == [f"Support Schedule {n:02}" for n in range(25, 50)]
    assert set(page["values"][0]) == set(example["values"][0])
    assert set(page["values"][0]["rotations"][0]) == set(example["values"][0]["rotations"][0])
    plain = admin.request("GET", params={"offset": 25, "size": 25}).json()
    assert plain["links"] == {"next": "/v1/schedules?offset=50&size=25"}  # exactly the example's form


def test_defaults_are_filled_in(admin):
    schedule = admin.create(
        name="Defaults",
        rotations=[
            rotation(),
            rotation(
                name="Named", participants=[{"type": "noone", "id": "dropped"}, {"type": "escalation", "id": "e1"}]
            ),
            rotation(),
        ],
    )

    assert {k: v for k, v in schedule.items() if k not in ("id", "rotations")} == {
        "name": "Defaults",
        "teamId": "team-1",
        "description": "",
        "timezone": "America/New_York",
        "enabled": True,
    }
    first, second, third = schedule["rotations"]
    assert first == {
        "id": first["id"],
        "name": "Rotation 1",
        "startDate": "2024-01-01T00:00:00Z",
        "type": "weekly",
        "length": 1,
        "participants": [],
    }
    assert second["name"] == "Named"
    assert second["participants"] == [{"type": "noone"}, {"type": "escalation", "id": "e1"}]
    assert third["name"] == "Rotation 3"
    assert admin.create(name="No rotations")["rotations"] == []


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("2023-11-10T05:00:00Z", "2023-11-10T05:00:00Z"),
        ("2023-11-10T05:00:00+00:00", "2023-11-10T05:00:00Z"),
        ("2023-11-10T00:00:00-05:00", "2023-11-10T05:00:00Z"),
        ("2023-11-10T07:00:00.987+02:00", "2023-11-10T05:00:00Z"),
        ("2023-01-01T01:30:00+05:30", "2022-12-31T20:00:00Z"),
    ],
)
def test_dates_are_stored_in_utc_with_seconds_precision(admin, given, stored):
    schedule = admin.create(name="Dates", rotations=[rotation(startDate=given, endDate="2030-01-01T00:00:00+01:00")])

    assert schedule["rotations"][0]["startDate"] == stored
    assert schedule["rotations"][0]["endDate"] == "2029-12-31T23:00:00Z"
    assert admin.request("GET", f"/{schedule['id']}").json() == schedule


def test_open_ended_rotation_and_unset_restriction_are_omitted(admin):
    schedule = admin.create(name="Open", rotations=[rotation(endDate=None, timeRestriction=None)])

    assert "endDate" not in schedule["rotations"][0]
    assert "timeRestriction" not in schedule["rotations"][0]


def test_unknown_fields_are_ignored(admin):
    schedule = admin.create(name="Extra", colour="blue", rotations=[rotation(shape="round")])

    assert "colour" not in schedule and "shape" not in schedule["rotations"][0]


def test_patch_replaces_only_the_given_fields(admin):
    schedule = admin.create(name="Before", description="old", rotations=[rotation()])

    response = admin.request("PATCH", f"/{schedule['id']}", json={"description": "new", "enabled": False})

    assert response.status_code == 200
    assert response.json() == {**schedule, "description": "new", "enabled": False}
    assert admin.request("GET", f"/{schedule['id']}").json() == response.json()


def test_patch_rotations_replace_them_all_with_new_ids(admin):
    other = admin.create(name="Other", rotations=[rotation()])
    schedule = admin.create(name="Main", rotations=[rotation(name="A"), rotation(name="B", length=3)])
    kept_b = {**schedule["rotations"][1], "length": 4}  # its id is not part of a CreateRotationRequest
    new_rotations = [kept_b, rotation(name="Stolen", id=other["rotations"][0]["id"]), rotation()]

    response = admin.request("PATCH", f"/{schedule['id']}", json={"rotations": new_rotations})

    assert response.status_code == 200
    b, stolen, unnamed = response.json()["rotations"]
    assert {k: v for k, v in b.items() if k != "id"} == {k: v for k, v in kept_b.items() if k != "id"}
    assert [stolen["name"], unnamed["name"]] == ["Stolen", "Rotation 3"]
    known = {schedule["rotations"][0]["id"], schedule["rotations"][1]["id"], other["rotations"][0]["id"]}
    assert not {b["id"], stolen["id"], unnamed["id"]} & known
    assert all(re.match(UUID4, r["id"]) for r in (b, stolen, unnamed))
    assert admin.request("GET", f"/{other['id']}").json() == other
    emptied = admin.request("PATCH", f"/{schedule['id']}", json={"rotations": []})
    assert emptied.json()["rotations"] == []


def test_patch_with_an_empty_body_changes_nothing(admin):
    schedule = admin.create(name="Still", rotations=[rotation(timeRestriction=time_of_day())])

    for body in ({"json": {}}, {"data": b""}):
        response = admin.request("PATCH", f"/{schedule['id']}", **body)
        assert response.status_code == 200
        assert response.json() == schedule


def test_delete_answers_204_without_body_and_the_schedule_is_gone(admin):
    schedule = admin.create(name="Doomed")
    keep = admin.create(name="Kept")

    response = admin.request("DELETE", f"/{schedule['id']}")

    assert response.status_code == 204
    assert response.content == b""
    assert admin.request("GET", f"/{schedule['id']}").status_code == 404
    assert [s["id"] for s in admin.emulator.schedules()] == [keep["id"]]


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_unknown_schedule_id_is_404(admin, method):
    response = admin.request(method, "/5c0ffee0-0000-4000-8000-000000000000", json={})

    assert response.status_code == 404
    assert any("5c0ffee0-0000-4000-8000-000000000000" in title for title in titles(response))


def test_same_name_is_409_on_create(admin):
    admin.create(name="Taken")

    response = admin.request("POST", json={"name": "Taken", "teamId": "another"})

    assert response.status_code == 409
    assert titles(response) == ["name: a schedule named 'Taken' already exists"]
    assert admin.create(name="taken")["name"] == "taken"  # exactly the same name only
    assert len(admin.emulator.schedules()) == 2


def test_renaming_onto_another_schedule_is_409(admin):
    admin.create(name="First")
    second = admin.create(name="Second")

    assert admin.request("PATCH", f"/{second['id']}", json={"name": "First"}).status_code == 409
    assert admin.request("GET", f"/{second['id']}").json()["name"] == "Second"
    assert admin.request("PATCH", f"/{second['id']}", json={"name": "Second"}).status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/{id}", "DELETE, GET, PATCH"),
        ("POST", "/{id}", "DELETE, GET, PATCH"),
        ("HEAD", "/{id}", "DELETE, GET, PATCH"),
        ("PUT", "", "GET, POST"),
        ("DELETE", "", "GET, POST"),
        ("PATCH", "", "GET, POST"),
        ("PUT", "/{id}/rotations", "GET, POST"),
        ("PUT", "/{id}/rotations/r", "DELETE, GET, PATCH"),
        ("PATCH", "/{id}/overrides/a", "DELETE, GET, PUT"),
        ("DELETE", "/{id}/overrides", "GET, POST"),
        ("POST", "/{id}/timeline", "GET"),
    ],
)
def test_other_methods_are_405_and_allow_names_every_method_of_the_path(admin, method, path, allowed):
    schedule = admin.create(name="Fixed")

    response = admin.request(method, path.format(id=schedule["id"]), json={})

    assert response.status_code == 405
    assert response.headers["Allow"] == allowed
    if method != "HEAD":
        assert titles(response) == [f"Method Not Allowed: {method} {response.request.path_url}"]


@pytest.mark.parametrize("path", ["/", "/jsm/ops/api/local/v2/schedules", "/jsm/ops/api/local/v1/teams"])
def test_unknown_route_is_404_with_error_body(emulator, path):
    response = emulator.http.get(emulator.base_url + path, auth=emulator.admin_auth, timeout=10)

    assert response.status_code == 404
    assert titles(response) == [f"Not Found: GET {path}"]


def test_only_name_is_required_and_a_schedule_without_team_is_global(admin):
    response = admin.request("POST", json={"name": "Global"})

    assert response.status_code == 201
    assert response.json() == {"id": response.json()["id"], "name": "Global", "description": "",
                               "timezone": "America/New_York", "enabled": True, "rotations": []}  # fmt: skip
    assert admin.request("POST", json={"name": "Also global", "teamId": ""}).json().get("teamId") is None


def test_patch_team_id_empty_makes_the_schedule_global_and_a_team_id_gives_it_a_team(admin):
    schedule = admin.create(name="Teamed", teamId="t1")
    url = f"/{schedule['id']}"

    global_ = admin.request("PATCH", url, json={"teamId": ""})

    assert global_.status_code == 200 and "teamId" not in global_.json()
    assert "teamId" not in admin.request("GET", url).json()
    assert admin.request("PATCH", url, json={"teamId": "t2"}).json() == {**schedule, "teamId": "t2"}


def test_patch_name_onto_its_own_name_or_a_free_one_is_fine(admin):
    schedule = admin.create(name="Mine")

    for name in ("Mine", "MINE", "Yours"):
        response = admin.request("PATCH", f"/{schedule['id']}", json={"name": name})
        assert response.status_code == 200 and response.json()["name"] == name


def test_list_items_carry_rotations_only_with_expand_rotation(admin):
    schedule = admin.create(name="Listed", rotations=[rotation()])

    plain = admin.request("GET").json()["values"]
    expanded = admin.request("GET", params={"expand": "rotation"}).json()["values"]

    assert plain == [{k: v for k, v in schedule.items() if k != "rotations"}]
    assert expanded == [schedule]
    assert admin.request("GET", f"/{schedule['id']}").json() == schedule  # a single schedule always has them


def test_errors_carry_a_code(admin):
    missing = admin.request("GET", "/no-such-schedule")
    invalid = admin.request("POST", json={})

    assert missing.json() == {"errors": [{"title": "id: no schedule with id 'no-such-schedule'", "code": "NOT_FOUND"}]}
    assert invalid.json() == {"errors": [{"title": "name: is required", "code": "UNPROCESSABLE_ENTITY"}]}
