"""The rotation endpoints: list, create, get, PATCH (keeps the id), DELETE."""

from __future__ import annotations

import re

import pytest
from emulator_helpers import UUID4, Api, rotation, time_of_day, titles


@pytest.fixture
def schedule(admin: Api) -> dict:
    return admin.create(
        name="With rotations", rotations=[rotation(name="First"), rotation(name="Second", type="daily")]
    )


def test_list_gives_the_rotations_in_order(admin, schedule):
    response = admin.request("GET", f"/{schedule['id']}/rotations")

    assert response.status_code == 200
    assert response.json() == {"values": schedule["rotations"], "links": {}}


def test_list_pages_with_offset_and_size_and_a_path_link(admin):
    schedule = admin.create(name="Many", rotations=[rotation(name=f"R{n:02}") for n in range(30)])
    base = f"/{schedule['id']}/rotations"

    first = admin.request("GET", base).json()
    second = admin.session.get(admin.emulator.resolve(first["links"]["next"]), timeout=10).json()
    small = admin.request("GET", base, params={"offset": 28, "size": 1}).json()

    assert [r["name"] for r in first["values"]] == [f"R{n:02}" for n in range(25)]  # default size 25
    assert first["links"] == {"next": f"/v1/schedules/{schedule['id']}/rotations?offset=25&size=25"}
    assert [r["name"] for r in second["values"]] == [f"R{n:02}" for n in range(25, 30)] and second["links"] == {}
    assert small == {
        "values": [schedule["rotations"][28]],
        "links": {"next": f"/v1/schedules/{schedule['id']}/rotations?offset=29&size=1"},
    }


@pytest.mark.parametrize(
    "params", [{"size": 51}, {"size": 0}, {"offset": -1}, {"offset": 2**31}, {"size": "x"}], ids=str
)
def test_list_limits_are_422(admin, schedule, params):
    response = admin.request("GET", f"/{schedule['id']}/rotations", params=params)

    assert response.status_code == 422
    assert titles(response)[0].startswith(next(iter(params)) + ": ")


def test_create_appends_a_rotation_with_a_new_id(admin, schedule):
    body = rotation(name="Third", length=2, participants=[{"type": "user", "id": "u1"}, {"type": "noone"}],
                    timeRestriction=time_of_day(), endDate="2025-01-01T01:00:00+01:00")  # fmt: skip

    response = admin.request("POST", f"/{schedule['id']}/rotations", json=body)

    assert response.status_code == 201
    created = response.json()
    assert re.match(UUID4, created["id"]) and created["id"] not in {r["id"] for r in schedule["rotations"]}
    assert created == {**body, "id": created["id"], "endDate": "2025-01-01T00:00:00Z"}
    assert admin.request("GET", f"/{schedule['id']}").json()["rotations"] == [*schedule["rotations"], created]
    assert admin.request("GET", f"/{schedule['id']}/rotations/{created['id']}").json() == created


def test_create_names_an_unnamed_rotation_with_the_first_free_number(admin):
    schedule = admin.create(name="Numbered", rotations=[rotation(), rotation(name="Rotation 3")])
    url = f"/{schedule['id']}/rotations"

    names = [admin.request("POST", url, json=rotation()).json()["name"] for _ in range(2)]

    assert schedule["rotations"][0]["name"] == "Rotation 1"
    assert names == ["Rotation 2", "Rotation 4"]


def test_create_with_a_name_taken_in_that_schedule_is_409(admin, schedule):
    other = admin.create(name="Other", rotations=[rotation(name="Elsewhere")])

    taken = admin.request("POST", f"/{schedule['id']}/rotations", json=rotation(name="First"))
    other_schedules_name = admin.request("POST", f"/{schedule['id']}/rotations", json=rotation(name="Elsewhere"))

    assert taken.status_code == 409
    assert titles(taken) == ["name: a rotation named 'First' already exists in this schedule"]
    assert other_schedules_name.status_code == 201  # names are unique per schedule only
    assert admin.request("GET", f"/{other['id']}").json() == other


@pytest.mark.parametrize(
    ("body", "title"),
    [
        ({"type": "daily"}, "startDate: is required"),
        (rotation(type="monthly"), "type: must be one of daily, weekly, hourly"),
        (rotation(length=0), "length: must be at least 1"),
        (rotation(length=2**31), "length: must be at most 2147483647"),
        (rotation(name=""), "name: must not be blank"),
        (rotation(endDate="2023-12-31T00:00:00Z"), "body: endDate must be after startDate"),
    ],
)
def test_create_validates_like_a_schedules_rotation(admin, schedule, body, title):
    response = admin.request("POST", f"/{schedule['id']}/rotations", json=body)

    assert response.status_code == 422
    assert titles(response) == [title]
    assert admin.request("GET", f"/{schedule['id']}").json() == schedule


def test_patch_changes_only_the_given_fields_and_keeps_id_and_place(admin, schedule):
    first, second = schedule["rotations"]

    response = admin.request(
        "PATCH",
        f"/{schedule['id']}/rotations/{first['id']}",
        json={"length": 3, "participants": [{"type": "team", "id": "t9"}]},
    )

    assert response.status_code == 200
    assert response.json() == {**first, "length": 3, "participants": [{"type": "team", "id": "t9"}]}
    assert admin.request("GET", f"/{schedule['id']}").json()["rotations"] == [response.json(), second]


def test_patch_with_null_removes_end_date_and_time_restriction(admin):
    schedule = admin.create(
        name="Ending", rotations=[rotation(endDate="2030-01-01T00:00:00Z", timeRestriction=time_of_day())]
    )
    current = schedule["rotations"][0]

    response = admin.request(
        "PATCH", f"/{schedule['id']}/rotations/{current['id']}", json={"endDate": None, "timeRestriction": None}
    )

    assert response.status_code == 200
    assert response.json() == {k: v for k, v in current.items() if k not in ("endDate", "timeRestriction")}


def test_patch_rename_onto_another_rotation_is_409_onto_itself_is_fine(admin, schedule):
    first, second = schedule["rotations"]
    url = f"/{schedule['id']}/rotations/{second['id']}"

    clash = admin.request("PATCH", url, json={"name": "First"})
    same = admin.request("PATCH", url, json={"name": "Second"})

    assert clash.status_code == 409
    assert titles(clash) == ["name: a rotation named 'First' already exists in this schedule"]
    assert same.status_code == 200 and same.json() == second


@pytest.mark.parametrize(
    ("body", "title"),
    [
        ({"endDate": "2023-06-01T00:00:00Z"}, "body: endDate must be after startDate"),  # checked on the result
        ({"startDate": "2031-01-01T00:00:00Z", "endDate": "2030-01-01T00:00:00Z"}, "endDate must be after startDate"),
        ({"name": None}, "name: must not be null"),
        ({"length": -1}, "length: must be at least 1"),
        ({"type": "yearly"}, "type: must be one of daily, weekly, hourly"),
    ],
)
def test_patch_that_fails_validation_is_422_and_changes_nothing(admin, schedule, body, title):
    first = schedule["rotations"][0]

    response = admin.request("PATCH", f"/{schedule['id']}/rotations/{first['id']}", json=body)

    assert response.status_code == 422
    assert title in titles(response)[0]
    assert admin.request("GET", f"/{schedule['id']}").json() == schedule


def test_delete_removes_only_that_rotation(admin, schedule):
    first, second = schedule["rotations"]

    response = admin.request("DELETE", f"/{schedule['id']}/rotations/{first['id']}")

    assert response.status_code == 204 and response.content == b""
    assert admin.request("GET", f"/{schedule['id']}/rotations/{first['id']}").status_code == 404
    assert admin.request("GET", f"/{schedule['id']}").json()["rotations"] == [second]


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_unknown_rotation_or_one_of_another_schedule_is_404(admin, schedule, method):
    other = admin.create(name="Other", rotations=[rotation()])
    foreign = other["rotations"][0]["id"]

    for rotation_id in ("5c0ffee0-0000-4000-8000-000000000000", foreign):
        response = admin.request(method, f"/{schedule['id']}/rotations/{rotation_id}", json={})
        assert response.status_code == 404
        assert titles(response) == [f"id: no rotation with id '{rotation_id}' in this schedule"]
    assert admin.request("GET", f"/{other['id']}").json() == other


@pytest.mark.parametrize(
    ("method", "path"), [("GET", ""), ("POST", ""), ("GET", "/r"), ("PATCH", "/r"), ("DELETE", "/r")]
)
def test_unknown_schedule_is_404(admin, method, path):
    response = admin.request(method, f"/5c0ffee0-0000-4000-8000-000000000000/rotations{path}", json=rotation())

    assert response.status_code == 404
    assert titles(response) == ["id: no schedule with id '5c0ffee0-0000-4000-8000-000000000000'"]


@pytest.mark.parametrize(("method", "path"), [("POST", ""), ("PATCH", "/{id}"), ("DELETE", "/{id}")])
def test_viewer_may_read_but_not_write(admin, viewer, schedule, method, path):
    url = f"/{schedule['id']}/rotations" + path.format(id=schedule["rotations"][0]["id"])

    assert viewer.request("GET", f"/{schedule['id']}/rotations").status_code == 200
    response = viewer.request(method, url, json=rotation(name="Viewer's"))

    assert response.status_code == 403
    assert admin.request("GET", f"/{schedule['id']}").json() == schedule


def test_quirks_apply_to_the_rotation_endpoints_too(admin, schedule, emulator_factory):
    created = admin.request(
        "POST", f"/{schedule['id']}/rotations", json=rotation(timeRestriction=time_of_day(start_min=10))
    )
    strict = emulator_factory("--strict")
    strict_api = Api(strict, strict.admin_auth)
    strict_schedule = strict_api.create(name="Strict", rotations=[rotation()])

    refused = strict_api.request(
        "POST", f"/{strict_schedule['id']}/rotations", json=rotation(timeRestriction=time_of_day(start_min=10))
    )

    assert created.json()["timeRestriction"]["restriction"]["startMin"] == 0
    assert refused.status_code == 422
    assert titles(refused) == ["timeRestriction.restriction.startMin: must be 0 or 30"]


def test_patch_replaces_a_time_restriction_whole(admin):
    schedule = admin.create(name="Restricted", rotations=[rotation(timeRestriction=time_of_day())])
    current = schedule["rotations"][0]
    weekdays = {
        "type": "weekday-and-time-of-day",
        "restrictions": [
            {"startDay": "friday", "startHour": 18, "startMin": 0, "endDay": "monday", "endHour": 8, "endMin": 30}
        ],
    }

    response = admin.request(
        "PATCH", f"/{schedule['id']}/rotations/{current['id']}", json={"timeRestriction": weekdays}
    )

    assert response.status_code == 200
    assert response.json() == {**current, "timeRestriction": weekdays}
