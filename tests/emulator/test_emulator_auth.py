"""HTTP basic auth: 401, unknown cloud id 404, viewer 403, and the order of those checks."""

from __future__ import annotations

import base64

import pytest
from emulator_helpers import Api, titles

from testkit.emulator_process import contract_session

WRITES = [
    ("POST", ""), ("PATCH", "/{id}"), ("DELETE", "/{id}"),
    ("POST", "/{id}/rotations"), ("PATCH", "/{id}/rotations/r"), ("DELETE", "/{id}/rotations/r"),
    ("POST", "/{id}/overrides"), ("PUT", "/{id}/overrides/a"), ("DELETE", "/{id}/overrides/a"),
]  # fmt: skip
READS = [("GET", ""), ("GET", "/{id}"), ("GET", "/{id}/rotations"), ("GET", "/{id}/overrides")]


def basic(value: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(value.encode()).decode()}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        basic("admin@example.com:wrong-token"),
        basic("viewer@example.com:local-admin-token"),
        basic("nobody@example.com:local-admin-token"),
        basic("admin@example.com"),
        {"Authorization": "Basic !!not-base64!!"},
        {"Authorization": "Bearer local-admin-token"},
    ],
    ids=["missing", "wrong-token", "other-users-token", "unknown-user", "no-colon", "not-base64", "bearer"],
)
@pytest.mark.parametrize(("method", "path"), READS + WRITES)
def test_bad_or_missing_credentials_are_401(admin, headers, method, path):
    schedule = admin.create(name="Guarded")

    response = contract_session().request(
        method, admin.url + path.format(id=schedule["id"]), headers=headers, data=b"not json", timeout=10
    )

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    assert response.json() == {
        "code": 401,
        "message": "authorization: missing or invalid credentials (HTTP basic with email and API token)",
    }
    assert admin.emulator.schedules() == [schedule]


def test_both_identities_can_read(admin, viewer):
    schedule = admin.create(name="Readable")

    for api in (admin, viewer):
        assert api.request("GET", f"/{schedule['id']}").json() == schedule
        assert api.request("GET").json()["values"] == [{k: v for k, v in schedule.items() if k != "rotations"}]


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_viewer_may_not_write(admin, viewer, method, path):
    schedule = admin.create(name="Read only")

    # Even an invalid body: permission is checked before the request is.
    response = viewer.request(method, path.format(id=schedule["id"]), data=b"{not json")

    assert response.status_code == 403
    assert titles(response) == ["viewer@example.com has no permission to change schedules"]
    assert admin.emulator.schedules() == [schedule]


@pytest.mark.parametrize(("method", "path"), READS + WRITES)
def test_unknown_cloud_id_is_404_after_credentials_before_permission(emulator, method, path):
    elsewhere = emulator.api_url.replace("/api/local/", "/api/other-cloud/") + "/schedules" + path.format(id="x")

    as_viewer = contract_session().request(method, elsewhere, auth=emulator.viewer_auth, data=b"{not json", timeout=10)
    as_nobody = contract_session().request(method, elsewhere, auth=("admin@example.com", "bad"), timeout=10)

    assert as_viewer.status_code == 404
    assert titles(as_viewer) == ["cloudId: no cloud with id 'other-cloud'"]
    assert as_nobody.status_code == 401


def test_admin_sees_request_errors_only_after_access_checks(admin):
    assert admin.request("POST", data=b"{not json").status_code == 422


def test_cloud_id_flag_renames_the_cloud(emulator_factory):
    emulator = emulator_factory("--cloud-id", "acme")
    api = Api(emulator, emulator.admin_auth)

    assert emulator.api_url.endswith("/jsm/ops/api/acme/v1")
    assert api.create(name="Acme")["name"] == "Acme"
    default_cloud = contract_session().get(
        f"{emulator.base_url}/jsm/ops/api/local/v1/schedules", auth=emulator.admin_auth, timeout=10
    )
    assert default_cloud.status_code == 404
