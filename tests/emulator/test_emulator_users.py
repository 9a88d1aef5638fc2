"""The directory of users: the Jira Cloud platform's user search and lookup, the `/_emulator/users`
control, `--users FILE`, and unknown users as participants or responders.

The facts of Jira's published OpenAPI (`swagger-v3.v3.json`) these tests rely on:
- `GET /rest/api/3/user/search` returns a bare JSON array of User, only active users;
- `query` matches a prefix of `displayName` or `emailAddress` ("john" finds "John Smith" and
  "johnson@example.com"); `accountId` matches exactly; one of them is required, both are a 400;
- `startAt` (default 0) and `maxResults` (default 50) page the filtered users;
- `GET /rest/api/3/user?accountId=` returns one User, 404 if it is not found.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest
import requests
from emulator_helpers import Api, rotation, titles
from jsonschema import Draft7Validator

from testkit.emulator_process import Emulator, contract_session

# The User fields we rely on, as the spec types them (User has additionalProperties false).
USER = {
    "type": "object",
    "additionalProperties": False,
    "required": ["accountId", "displayName", "active"],
    "properties": {
        "self": {"type": "string"},
        "accountId": {"type": "string", "maxLength": 128},
        "accountType": {"enum": ["atlassian", "app", "customer", "unknown"]},
        "emailAddress": {"type": "string"},
        "displayName": {"type": "string"},
        "active": {"type": "boolean"},
    },
}
JIRA_ERROR = {
    "type": "object",
    "additionalProperties": False,
    "required": ["errorMessages", "errors"],
    "properties": {"errorMessages": {"type": "array", "items": {"type": "string"}}, "errors": {"type": "object"}},
}

ALICE = {"accountId": "a-1", "displayName": "Alice Smith", "emailAddress": "alice@example.com", "active": True}
ALINA = {"accountId": "a-2", "displayName": "Alina Jones", "emailAddress": "alina@example.com", "active": True}
BOB = {"accountId": "b-1", "displayName": "Bob Alison", "emailAddress": "bob@corp.example", "active": True}
CAROL = {"accountId": "c-1", "displayName": "Carol Gone", "emailAddress": "carol@example.com", "active": False}
HIDDEN = {"accountId": "h-1", "displayName": "Hidden Email", "emailAddress": None, "active": True}


class Jira:
    """The emulator as a Jira site, as one identity."""

    def __init__(self, emulator: Emulator, auth: tuple[str, str] | None):
        self.emulator = emulator
        self.auth = auth
        self.session = contract_session()

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.session.get(f"{self.emulator.site_url}/rest/api/3{path}", params=params, auth=self.auth, timeout=10)

    def search(self, **params: Any) -> list[str]:
        """The account ids found, after checking the answer is a bare array of Users."""
        response = self.get("/user/search", **params)
        assert response.status_code == 200, response.text
        found = response.json()
        assert isinstance(found, list)
        for user in found:
            Draft7Validator(USER).validate(user)
        return [user["accountId"] for user in found]

    def error(self, path: str, status: int, **params: Any) -> list[str]:
        response = self.get(path, **params)
        assert response.status_code == status, response.text
        Draft7Validator(JIRA_ERROR).validate(response.json())
        return response.json()["errorMessages"]


@pytest.fixture
def jira(emulator: Emulator) -> Jira:
    emulator.add_users(ALICE, ALINA, BOB, CAROL, HIDDEN)
    return Jira(emulator, emulator.admin_auth)


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("ali", ["a-1", "a-2", "b-1"]),  # two emails and names, and a word of Bob's name
        ("ALI", ["a-1", "a-2", "b-1"]),
        ("alice@example.com", ["a-1"]),
        ("ALICE@Example.COM", ["a-1"]),
        ("alice smith", ["a-1"]),
        ("smi", ["a-1"]),
        ("bob@", ["b-1"]),
        ("example.com", []),  # not a prefix
        ("carol", []),  # inactive
        ("hidden", ["h-1"]),
        ("nobody", []),
    ],
)
def test_query_matches_a_prefix_of_the_name_a_word_of_it_or_the_email_ignoring_case(jira, query, found):
    assert jira.search(query=query) == found


def test_account_id_matches_exactly_and_only_active_users_are_found(jira):
    assert jira.search(accountId="a-1") == ["a-1"]
    assert jira.search(accountId="a-") == []
    assert jira.search(accountId="c-1") == []  # inactive


def test_the_user_fields(jira, emulator):
    [alice] = jira.get("/user/search", query="alice").json()
    [hidden] = jira.get("/user/search", query="hidden").json()

    assert alice == {
        "self": f"{emulator.site_url}/rest/api/3/user?accountId=a-1", "accountId": "a-1",
        "accountType": "atlassian", "emailAddress": "alice@example.com", "displayName": "Alice Smith", "active": True,
    }  # fmt: skip
    assert "emailAddress" not in hidden


def test_get_user_finds_any_user_by_account_id_and_404_for_none(jira):
    carol = jira.get("/user", accountId="c-1")

    assert carol.status_code == 200 and carol.json()["active"] is False
    Draft7Validator(USER).validate(carol.json())
    assert jira.get("/user", accountId="a-2", expand="groups").json()["displayName"] == "Alina Jones"
    assert jira.error("/user", 404, accountId="nobody") == ["accountId: no user with account id 'nobody'"]
    assert jira.error("/user", 400) == ["accountId is required"]


def test_paging_by_start_at_and_max_results(emulator):
    emulator.add_users(*({"accountId": f"u{n:02}", "displayName": f"User {n:02}"} for n in range(60)))
    jira = Jira(emulator, emulator.admin_auth)
    everyone = [f"u{n:02}" for n in range(60)]

    assert jira.search(query="user") == everyone[:50]  # maxResults defaults to 50
    assert jira.search(query="user", startAt=50) == everyone[50:]
    assert jira.search(query="user", startAt=3, maxResults=5) == everyone[3:8]
    assert jira.search(query="user", maxResults=0) == []
    assert jira.search(query="user", startAt=60) == []


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "query or accountId is required (the emulator does not search by property)"),
        ({"query": ""}, "query or accountId is required (the emulator does not search by property)"),
        ({"property": "a.b=1"}, "query or accountId is required (the emulator does not search by property)"),
        ({"query": "a", "accountId": "a-1"}, "query and accountId may not be given together"),
        ({"query": "a", "startAt": "-1"}, "startAt: must be between 0 and 2147483647"),
        ({"query": "a", "maxResults": "ten"}, "maxResults: 'ten' is not an integer"),
    ],
)
def test_bad_search_parameters_are_400_in_jira_error_shape(jira, params, message):
    assert jira.error("/user/search", 400, **params) == [message]


def test_both_identities_may_search_and_others_get_401(jira, emulator):
    viewer = Jira(emulator, emulator.viewer_auth)
    anonymous = Jira(emulator, None)
    wrong = Jira(emulator, ("admin@example.com", "wrong-token"))

    assert viewer.search(query="alice") == ["a-1"]
    for client in (anonymous, wrong):
        response = client.get("/user/search", query="alice")
        assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Basic")
        Draft7Validator(JIRA_ERROR).validate(response.json())
        assert client.get("/user", accountId="a-1").status_code == 401


def test_the_users_control_adds_replaces_lists_and_clears(emulator):
    assert emulator.users() == []

    added = emulator.add_users({"accountId": "x", "displayName": "X"}, ALICE, {**ALICE, "active": False})

    assert added[0] == {"accountId": "x", "displayName": "X", "emailAddress": None, "active": True}
    assert emulator.users() == [added[0], {**ALICE, "active": False}]  # the same account id is replaced
    emulator.clear_users()
    assert emulator.users() == []
    emulator.add_users(ALICE)
    emulator.reset()
    assert emulator.users() == []


@pytest.mark.parametrize(
    "user",
    [
        {"displayName": "No id"},
        {"accountId": " ", "displayName": "Blank"},
        {"accountId": "x" * 129, "displayName": "Long"},
        {"accountId": "x"},
        {"accountId": "x", "displayName": "X", "active": "yes"},
        {"accountId": "x", "displayName": "X", "email": "x@example.com"},
    ],
)
def test_a_bad_user_is_400_and_adds_nothing(emulator, user):
    response = emulator.http.post(f"{emulator.base_url}/_emulator/users", json=user, timeout=10)

    assert response.status_code == 400
    assert titles(response)
    assert emulator.users() == []


def test_users_file_fills_the_directory_at_start(emulator_factory, tmp_path):
    path = tmp_path / "users.json"
    path.write_text(json.dumps([ALICE, HIDDEN]))

    emulator = emulator_factory("--users", str(path))

    assert emulator.users() == [ALICE, HIDDEN]
    assert Jira(emulator, emulator.admin_auth).search(query="alice") == ["a-1"]
    assert emulator.wait_for_line("Jira user search: ") == (
        f"Jira user search: {emulator.site_url}/rest/api/3/user/search (2 users)"
    )


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('[{"accountId": "a"}]', "[0].displayName: Field required"),
        ('{"accountId": "a", "displayName": "A"}', "the list: Input should be a valid array"),
        ("[", "the list: Invalid JSON"),
    ],
)
def test_a_bad_users_file_is_refused_naming_the_problem(tmp_path, content, problem):
    path = tmp_path / "users.json"
    path.write_text(content)

    result = subprocess.run([*Emulator.command, "--users", str(path)], capture_output=True, text=True, timeout=30)

    assert result.returncode == 2
    assert f"argument --users: {path}: {problem}" in result.stderr
    missing = subprocess.run(
        [*Emulator.command, "--users", str(tmp_path / "none.json")], capture_output=True, text=True, timeout=30
    )
    assert missing.returncode == 2 and "cannot read" in missing.stderr


# --- unknown users as participants and responders ---

GHOST = {"type": "user", "id": "ghost"}
CAROL_PARTICIPANT = {"type": "user", "id": "c-1"}
KNOWN = [{"type": "user", "id": "a-1"}, {"type": "team", "id": "any-team"}, {"type": "noone"}]


def test_a_user_the_directory_does_not_know_is_422_naming_the_field(admin: Api, emulator):
    emulator.add_users(ALICE)
    schedule = admin.create(name="Known", rotations=[rotation(participants=KNOWN)])
    rotation_url = f"/{schedule['id']}/rotations"
    rotation_id = schedule["rotations"][0]["id"]
    with_ghost = [*KNOWN, GHOST]

    answers = {
        "schedule POST": admin.request("POST", json={"name": "S", "rotations": [rotation(participants=with_ghost)]}),
        "schedule PATCH": admin.request(
            "PATCH", f"/{schedule['id']}", json={"rotations": [rotation(), rotation(participants=with_ghost)]}
        ),
        "rotation POST": admin.request("POST", rotation_url, json=rotation(participants=with_ghost)),
        "rotation PATCH": admin.request("PATCH", f"{rotation_url}/{rotation_id}", json={"participants": with_ghost}),
        "override POST": admin.request("POST", f"/{schedule['id']}/overrides", json=_override(GHOST)),
    }
    override = admin.request("POST", f"/{schedule['id']}/overrides", json=_override({"type": "user", "id": "a-1"}))
    answers["override PUT"] = admin.request(
        "PUT", f"/{schedule['id']}/overrides/{override.json()['alias']}", json=_override(GHOST)
    )

    assert {name: response.status_code for name, response in answers.items()} == dict.fromkeys(answers, 422)
    assert {name: titles(response) for name, response in answers.items()} == {
        "schedule POST": ["rotations[0].participants[3].id: no user with account id 'ghost'"],
        "schedule PATCH": ["rotations[1].participants[3].id: no user with account id 'ghost'"],
        "rotation POST": ["participants[3].id: no user with account id 'ghost'"],
        "rotation PATCH": ["participants[3].id: no user with account id 'ghost'"],
        "override POST": ["responder.id: no user with account id 'ghost'"],
        "override PUT": ["responder.id: no user with account id 'ghost'"],
    }
    assert override.status_code == 201
    assert emulator.schedules() == [schedule]
    assert admin.request("GET", f"/{schedule['id']}/overrides").json()["values"] == [override.json()]


def test_an_inactive_user_is_known_and_an_empty_directory_knows_everyone(admin: Api, emulator):
    emulator.add_users(CAROL)
    assert admin.request("POST", json={"name": "Carol", "rotations": [rotation(participants=[CAROL_PARTICIPANT])]}).ok

    emulator.clear_users()

    anyone = admin.request("POST", json={"name": "Anyone", "rotations": [rotation(participants=[GHOST])]})
    assert anyone.status_code == 201
    assert anyone.json()["rotations"][0]["participants"] == [GHOST]


def _override(responder: dict[str, Any]) -> dict[str, Any]:
    return {"responder": responder, "startDate": "2030-01-01T00:00:00Z", "endDate": "2030-01-02T00:00:00Z"}


def test_the_jira_routes_are_journaled_and_faulted_and_err_in_their_own_shape(jira, emulator):
    emulator.reset_stats()
    emulator.add_fault(method="GET", path="^/rest/api/3/user/search$", action="status", status=429, retry_after=2)

    limited = jira.get("/user/search", query="alice")
    answered = jira.search(query="alice")
    unknown = jira.error("/nowhere", 404)

    assert limited.status_code == 429 and limited.headers["Retry-After"] == "2"
    assert limited.json() == {"errorMessages": ["injected fault: HTTP 429"], "errors": {}}
    assert answered == ["a-1"]
    assert unknown == ["Not Found: GET /rest/api/3/nowhere"]
    assert [(entry["path"], entry["query"], entry["status"]) for entry in emulator.requests()] == [
        ("/rest/api/3/user/search", {"query": ["alice"]}, 429),
        ("/rest/api/3/user/search", {"query": ["alice"]}, 200),
        ("/rest/api/3/nowhere", {}, 404),
    ]
