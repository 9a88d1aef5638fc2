"""The override endpoints: list (ongoing and future), create (server-made alias), get, PUT, DELETE."""

from __future__ import annotations

import datetime
import re

import pytest
from emulator_helpers import UUID4, Api, rotation, titles

from testkit import api_contract


def moment(days: float) -> str:
    """Now plus `days`, in the API's UTC form."""
    when = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=days)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def override(start: float = 1, end: float = 2, **fields) -> dict:
    return {"responder": {"type": "user", "id": "u1"}, "startDate": moment(start), "endDate": moment(end), **fields}


@pytest.fixture
def schedule(admin: Api) -> dict:
    return admin.create(name="Overridden", rotations=[rotation(name="A"), rotation(name="B")])


def test_create_answers_the_override_with_a_new_alias(admin, schedule):
    body = override(rotationIds=[schedule["rotations"][1]["id"]])

    first = admin.request("POST", f"/{schedule['id']}/overrides", json=body)
    second = admin.request("POST", f"/{schedule['id']}/overrides", json=body)

    assert first.status_code == second.status_code == 201
    assert re.match(UUID4, first.json()["alias"]) and first.json()["alias"] != second.json()["alias"]
    assert first.json() == {"alias": first.json()["alias"], **body}
    fetched = admin.request("GET", f"/{schedule['id']}/overrides/{first.json()['alias']}")
    assert fetched.status_code == 200 and fetched.json() == first.json()


def test_rotation_ids_null_or_absent_mean_every_rotation(admin, schedule):
    absent = admin.request("POST", f"/{schedule['id']}/overrides", json=override()).json()
    null = admin.request("POST", f"/{schedule['id']}/overrides", json=override(rotationIds=None)).json()

    assert absent["rotationIds"] is None and null["rotationIds"] is None


def test_dates_are_stored_in_utc_and_a_noone_responder_has_no_id(admin, schedule):
    body = {"responder": {"type": "noone", "id": "ignored"}, "startDate": "2030-01-01T10:00:00+02:00",
            "endDate": "2030-01-01T12:30:00.5+02:00"}  # fmt: skip

    created = admin.request("POST", f"/{schedule['id']}/overrides", json=body).json()

    assert created == {"alias": created["alias"], "responder": {"type": "noone"}, "startDate": "2030-01-01T08:00:00Z",
                       "endDate": "2030-01-01T10:30:00Z", "rotationIds": None}  # fmt: skip


@pytest.mark.parametrize(
    ("body", "title"),
    [
        ({**override(), "responder": {"type": "team", "id": "t1"}}, "responder.type: must be one of user, noone"),
        ({**override(), "responder": {"type": "user"}}, "responder: id is required for responder type user"),
        ({"responder": {"type": "user", "id": "u"}, "startDate": moment(1)}, "endDate: is required"),
        (override(start=2, end=2), "body: endDate must be after startDate"),
        (override(start=3, end=2), "body: endDate must be after startDate"),
        (override(rotationIds=[]), "rotationIds: must not be empty"),
        (override(rotationIds="all"), "rotationIds: must be a list"),
        (
            override(rotationIds=["5c0ffee0-0000-4000-8000-000000000000"]),
            "rotationIds[0]: no rotation with id '5c0ffee0-0000-4000-8000-000000000000' in this schedule",
        ),
        ({**override(), "startDate": "tomorrow"}, "startDate: must be an ISO 8601 date-time"),
    ],
)
def test_create_and_put_refuse_what_fails_validation_with_422(admin, schedule, body, title):
    existing = admin.request("POST", f"/{schedule['id']}/overrides", json=override()).json()

    created = admin.request("POST", f"/{schedule['id']}/overrides", json=body)
    replaced = admin.request("PUT", f"/{schedule['id']}/overrides/{existing['alias']}", json=body)

    for response in (created, replaced):
        assert response.status_code == 422
        assert titles(response)[0].startswith(title), titles(response)
    assert admin.request("GET", f"/{schedule['id']}/overrides").json()["values"] == [existing]


def test_a_rotation_of_another_schedule_is_not_one_of_this_schedule(admin, schedule):
    other = admin.create(name="Other", rotations=[rotation()])

    response = admin.request(
        "POST", f"/{schedule['id']}/overrides", json=override(rotationIds=[other["rotations"][0]["id"]])
    )

    assert response.status_code == 422


def test_put_replaces_the_whole_override_and_keeps_its_alias(admin, schedule):
    created = admin.request(
        "POST", f"/{schedule['id']}/overrides", json=override(rotationIds=[schedule["rotations"][0]["id"]])
    ).json()
    replacement = override(start=5, end=6, responder={"type": "user", "id": "u2"})

    response = admin.request("PUT", f"/{schedule['id']}/overrides/{created['alias']}", json=replacement)

    assert response.status_code == 200
    assert response.json() == {"alias": created["alias"], **replacement, "rotationIds": None}
    assert admin.request("GET", f"/{schedule['id']}/overrides/{created['alias']}").json() == response.json()


def test_delete_removes_the_override(admin, schedule):
    kept = admin.request("POST", f"/{schedule['id']}/overrides", json=override()).json()
    doomed = admin.request("POST", f"/{schedule['id']}/overrides", json=override()).json()

    response = admin.request("DELETE", f"/{schedule['id']}/overrides/{doomed['alias']}")

    assert response.status_code == 204 and response.content == b""
    assert admin.request("GET", f"/{schedule['id']}/overrides/{doomed['alias']}").status_code == 404
    assert admin.request("GET", f"/{schedule['id']}/overrides").json()["values"] == [kept]


def test_list_has_the_ongoing_and_future_overrides_by_start_date(admin, schedule):
    url = f"/{schedule['id']}/overrides"
    later = admin.request("POST", url, json=override(start=10, end=11)).json()
    admin.request("POST", url, json=override(start=-3, end=-2))  # over
    ongoing = admin.request("POST", url, json=override(start=-1, end=1)).json()
    soon = admin.request("POST", url, json=override(start=1, end=2)).json()

    response = admin.request("GET", url)

    assert response.status_code == 200
    assert response.json() == {"values": [ongoing, soon, later], "links": {}}


def test_list_pages_with_offset_and_size(admin, schedule):
    url = f"/{schedule['id']}/overrides"
    created = [admin.request("POST", url, json=override(start=n + 1, end=n + 2)).json() for n in range(27)]

    first = admin.request("GET", url).json()
    rest = admin.session.get(admin.emulator.resolve(first["links"]["next"]), timeout=10).json()
    two = admin.request("GET", url, params={"offset": 5, "size": 2}).json()

    assert first["values"] == created[:25]
    assert first["links"] == {"next": f"/v1/schedules/{schedule['id']}/overrides?offset=25&size=25"}
    assert rest == {"values": created[25:], "links": {}}
    assert two["values"] == created[5:7]
    assert admin.request("GET", url, params={"size": 51}).status_code == 422
    assert admin.request("GET", url, params={"offset": 10**20}).status_code == 422


def test_unknown_alias_or_one_of_another_schedule_is_404(admin, schedule):
    other = admin.create(name="Other", rotations=[rotation()])
    foreign = admin.request("POST", f"/{other['id']}/overrides", json=override()).json()["alias"]

    for alias in ("no-such-alias", foreign):
        for method in ("GET", "PUT", "DELETE"):
            response = admin.request(method, f"/{schedule['id']}/overrides/{alias}", json=override())
            assert response.status_code == 404
            assert titles(response) == [f"alias: no override with alias '{alias}' in this schedule"]
    assert len(admin.request("GET", f"/{other['id']}/overrides").json()["values"]) == 1


@pytest.mark.parametrize(
    ("method", "path"), [("GET", ""), ("POST", ""), ("GET", "/a"), ("PUT", "/a"), ("DELETE", "/a")]
)
def test_unknown_schedule_is_404(admin, method, path):
    response = admin.request(method, f"/5c0ffee0-0000-4000-8000-000000000000/overrides{path}", json=override())

    assert response.status_code == 404
    assert titles(response) == ["id: no schedule with id '5c0ffee0-0000-4000-8000-000000000000'"]


def test_viewer_may_read_but_not_write(admin, viewer, schedule):
    created = admin.request("POST", f"/{schedule['id']}/overrides", json=override()).json()
    url = f"/{schedule['id']}/overrides"

    assert viewer.request("GET", url).json()["values"] == [created]
    assert viewer.request("GET", f"{url}/{created['alias']}").json() == created
    for method, path in (("POST", ""), ("PUT", f"/{created['alias']}"), ("DELETE", f"/{created['alias']}")):
        assert viewer.request(method, url + path, json=override()).status_code == 403
    assert admin.request("GET", url).json()["values"] == [created]


def test_a_deleted_rotation_stays_named_by_its_overrides(admin, schedule):
    first = schedule["rotations"][0]["id"]
    created = admin.request("POST", f"/{schedule['id']}/overrides", json=override(rotationIds=[first])).json()

    admin.request("DELETE", f"/{schedule['id']}/rotations/{first}")

    assert admin.request("GET", f"/{schedule['id']}/overrides/{created['alias']}").json()["rotationIds"] == [first]


def test_a_schedule_patch_of_rotations_leaves_the_overrides_naming_the_old_ids(admin, schedule):
    """The pitfall of a schedule PATCH with `rotations`: every rotation gets a new id, so an
    override that named one no longer applies to any."""
    old = schedule["rotations"][0]["id"]
    created = admin.request("POST", f"/{schedule['id']}/overrides", json=override(rotationIds=[old])).json()

    patched = admin.request(
        "PATCH", f"/{schedule['id']}", json={"rotations": [rotation(name="A"), rotation(name="B")]}
    ).json()

    assert old not in {r["id"] for r in patched["rotations"]}
    assert admin.request("GET", f"/{schedule['id']}/overrides/{created['alias']}").json()["rotationIds"] == [old]


def test_every_override_request_and_answer_fits_the_spec(admin, schedule):
    """The answers are checked by the session's hook (testkit.emulator_process.check_contract), the
    requests here from the journal; the spec itself refuses a team responder."""
    url = f"/{schedule['id']}/overrides"
    admin.emulator.reset_stats()
    named = admin.request("POST", url, json=override(rotationIds=[schedule["rotations"][0]["id"]])).json()
    admin.request("POST", url, json=override(responder={"type": "noone"}, rotationIds=None))
    admin.request("GET", url, params={"offset": 1, "size": 1})
    admin.request("GET", f"{url}/{named['alias']}")
    admin.request("PUT", f"{url}/{named['alias']}", json=override(start=3, end=4))
    admin.request("DELETE", f"{url}/{named['alias']}")

    assert [entry["status"] for entry in admin.emulator.requests()] == [201, 201, 200, 200, 200, 204]
    assert api_contract.validate_journal(admin.emulator.requests()) == 6
    team = {**override(), "responder": {"type": "team", "id": "t1"}}
    with pytest.raises(AssertionError, match="responder.type: 'team' is not one of"):
        api_contract.validate_request("POST", f"/v1/schedules{url}", team)


def test_an_ended_override_leaves_the_list_but_its_alias_still_finds_it(admin, schedule):
    """The spec lists only ongoing and future overrides and is silent on ended ones: the emulator
    keeps them, for GET, PUT and DELETE by alias and for the timelines of the past."""
    url = f"/{schedule['id']}/overrides"
    ended = admin.request("POST", url, json=override(start=-3, end=-2))

    assert ended.status_code == 201
    alias = ended.json()["alias"]
    assert admin.request("GET", url).json()["values"] == []
    assert admin.request("GET", f"{url}/{alias}").json() == ended.json()
    moved = admin.request("PUT", f"{url}/{alias}", json=override(start=-5, end=-4))
    assert moved.status_code == 200 and moved.json()["alias"] == alias
    assert admin.request("GET", url).json()["values"] == []
    assert admin.request("DELETE", f"{url}/{alias}").status_code == 204
    assert admin.request("GET", f"{url}/{alias}").status_code == 404
