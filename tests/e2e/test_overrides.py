"""Schedule overrides through the real CLI and engine against the emulator: the checks at
preview, the requests each step sends (counted in the emulator's journal), what the service
and the state hold afterwards, drift, rotations replaced or renamed, ended overrides, and
`get_on_call`. One stack per test, each doing many checks."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from pulumi_jsmops.dynamic.override_plan import NEVER_MADE_ID
from testkit.api_contract import validate_query, validate_request
from testkit.emulator_process import Emulator
from testkit.overrides import (
    NEXT_YEAR,
    PROGRAM,
    delete_override,
    get_override,
    journal,
    listed_overrides,
    make_override,
    overrides_in_state,
    write_stack,
)
from testkit.pulumi_project import PulumiProject
from testkit.schedules import ALICE, BOB, TEAM

pytestmark = pytest.mark.e2e

CAROL = "c4c0c4c0-0000-4000-8000-00000000ca01"
PRIMARY = {"name": "primary", "type": "weekly", "start_date": f"{NEXT_YEAR}-01-04T09:00:00+01:00",
           "participants": [{"type": "user", "id": ALICE}]}
SECONDARY = {"name": "secondary", "type": "weekly", "start_date": f"{NEXT_YEAR}-01-04T09:00:00+01:00",
             "participants": [{"type": "user", "id": CAROL}],
             "time_restriction": {"type": "time-of-day",
                                  "restriction": {"start_hour": 8, "start_min": 0, "end_hour": 20, "end_min": 0}}}
SUPPORT = {"name": "Support", "team_id": TEAM, "timezone": "Europe/Berlin",
           "rotations": [PRIMARY, SECONDARY]}
XMAS = {"schedule": "support", "responder": {"type": "user", "id": BOB},
        "start_date": f"{NEXT_YEAR}-12-24T09:00:00+01:00", "end_date": f"{NEXT_YEAR}-12-27T09:00:00+01:00",
        "rotations": ["primary"]}
PAUSE = {"schedule": "support", "responder": {"type": "noone"},
         "start_date": f"{NEXT_YEAR}-08-01T00:00:00Z", "end_date": f"{NEXT_YEAR}-08-02T00:00:00Z"}


@pytest.fixture
def project_program() -> str:
    return PROGRAM


def by_method(emulator: Emulator) -> dict[str, int]:
    counts: dict[str, int] = emulator.stats()["by_method"]
    return counts


def failed_preview(project: PulumiProject) -> str:
    result = project.preview(check=False)
    assert result.returncode != 0
    return result.stdout + result.stderr


def up_following_the_contract(project: PulumiProject) -> None:
    """`pulumi up`; every request it sent has a body and query the contract accepts."""
    project.up()
    for entry in project.emulator.requests():
        validate_request(entry["method"], entry["path"], entry["body"])
        if entry["query"]:
            validate_query(entry["method"], entry["path"], entry["query"])


def add_rotation(emulator: Emulator, schedule_id: str, name: str) -> str:
    """A rotation added to a schedule through the API; its id."""
    response = emulator.http.post(f"{emulator.api_url}/schedules/{schedule_id}/rotations", auth=emulator.admin_auth,
                                  json={"name": name, "type": "daily", "startDate": f"{NEXT_YEAR}-01-04T08:00:00Z",
                                        "participants": [{"type": "user", "id": ALICE}]}, timeout=10)
    response.raise_for_status()
    return str(response.json()["id"])


def rotation_ids(emulator: Emulator, schedule_id: str) -> dict[str, str]:
    response = emulator.http.get(f"{emulator.api_url}/schedules/{schedule_id}", auth=emulator.admin_auth, timeout=10)
    response.raise_for_status()
    return {r["name"]: r["id"] for r in response.json()["rotations"]}


@pytest.mark.parametrize(("override", "message"), [
    ({**XMAS, "responder": {"type": "team", "id": TEAM}},
     "responder.type: must be 'user' or 'noone': an override's responder cannot be a team"),
    ({**XMAS, "end_date": f"{NEXT_YEAR}-12-23T09:00:00+01:00"},
     f"end_date: must be after start_date ({NEXT_YEAR}-12-24T08:00:00Z)"),
    ({**XMAS, "start_date": f"{NEXT_YEAR}-12-24T09:00:00"}, "start_date: must have a UTC offset"),
    ({**XMAS, "rotations": ["primary", "tertiary"]},
     "rotations[1]: the schedule has no rotation named 'tertiary' (its rotations: 'primary', 'secondary')"),
], ids=["team responder", "window backwards", "no offset", "unknown rotation"])
def test_a_bad_override_fails_at_preview_naming_the_field_with_no_request(
        project: PulumiProject, emulator: Emulator, override: dict[str, Any], message: str) -> None:
    """`check` fails naming the resource and the field; the preview asks the service nothing
    (the schedule's rotation names are known from the program; more cases in tests/api)."""
    write_stack(project, {"support": SUPPORT}, {"holiday": override})
    emulator.reset_stats()
    output = failed_preview(project)
    assert f"resource 'holiday' has a problem: {message}" in output, output
    assert emulator.stats()["total"] == 0


def test_override_lifecycle_with_request_counts(project: PulumiProject, emulator: Emulator) -> None:
    """Every step's requests, counted and checked against the contract, and what the service
    and the state hold after it."""
    other_id = emulator.make_schedules(1, "Other", TEAM)[0]  # a schedule this program does not declare
    other_days, other_nights = (add_rotation(emulator, other_id, name) for name in ("days", "nights"))
    external = {"schedule_id": other_id, "responder": {"type": "user", "id": CAROL},
                "start_date": f"{NEXT_YEAR}-07-01T08:00:00Z", "end_date": f"{NEXT_YEAR}-07-02T08:00:00Z",
                "rotations": ["days"]}
    overrides = {"xmas": XMAS, "pause": PAUSE, "external": external}

    # Create: a schedule made by this very `up` has no overrides to list first, so each of its
    # overrides is one POST; the other schedule's rotations are read once to resolve "days",
    # and its overrides listed once (the evidence a lost answer would need).
    write_stack(project, {"support": SUPPORT}, overrides)
    emulator.reset_stats()
    up_following_the_contract(project)
    support_id = project.resources()["support"]["id"]
    sent = journal(emulator)
    ids = rotation_ids(emulator, support_id)
    assert sorted(sent) == sorted([
        ("POST", "/v1/schedules"),
        ("POST", f"/v1/schedules/{support_id}/overrides"),
        ("POST", f"/v1/schedules/{support_id}/overrides"),
        ("GET", f"/v1/schedules/{other_id}/rotations"),
        ("GET", f"/v1/schedules/{other_id}/overrides"),
        ("POST", f"/v1/schedules/{other_id}/overrides"),
    ])
    state = overrides_in_state(project)
    held = {o["alias"]: o for o in listed_overrides(emulator, support_id)}
    assert held == {
        state["xmas"]["id"]: {"alias": state["xmas"]["id"], "responder": {"type": "user", "id": BOB},
                              "startDate": f"{NEXT_YEAR}-12-24T08:00:00Z", "endDate": f"{NEXT_YEAR}-12-27T08:00:00Z",
                              "rotationIds": [ids["primary"]]},
        state["pause"]["id"]: {"alias": state["pause"]["id"], "responder": {"type": "noone"},
                               "startDate": f"{NEXT_YEAR}-08-01T00:00:00Z", "endDate": f"{NEXT_YEAR}-08-02T00:00:00Z",
                               "rotationIds": None},
    }
    assert state["xmas"]["outputs"]["alias"] == state["xmas"]["id"]
    assert state["xmas"]["outputs"]["rotation_ids"] == [ids["primary"]]
    assert "rotation_ids" not in state["pause"]["outputs"]  # all rotations (None is not kept in the state)
    assert [o["rotationIds"] for o in listed_overrides(emulator, other_id)] == [[other_days]]
    project.assert_clean_preview()

    # Equivalent forms are no change: other offsets, rotation names in another order.
    write_stack(project, {"support": SUPPORT}, {
        **overrides,
        "xmas": {**XMAS, "start_date": f"{NEXT_YEAR}-12-24T08:00:00Z", "end_date": f"{NEXT_YEAR}-12-27T03:00:00-05:00"},
        "external": {**external, "rotations": ["days"], "start_date": f"{NEXT_YEAR}-07-01T10:00:00+02:00"}})
    project.assert_clean_preview()

    # An edit is one PUT that keeps the alias; a new rotation name of a schedule the program
    # does not declare is resolved with one read of its rotations.
    xmas = {**XMAS, "responder": {"type": "user", "id": CAROL}, "rotations": ["secondary", "primary"]}
    overrides["external"] = external = {**external, "rotations": ["nights", "days"]}
    write_stack(project, {"support": SUPPORT}, {**overrides, "xmas": xmas})
    emulator.reset_stats()
    up_following_the_contract(project)
    alias = state["xmas"]["id"]
    assert sorted(journal(emulator)) == sorted([
        ("PUT", f"/v1/schedules/{support_id}/overrides/{alias}"),
        ("GET", f"/v1/schedules/{other_id}/rotations"),
        ("PUT", f"/v1/schedules/{other_id}/overrides/{state['external']['id']}")])
    assert set(listed_overrides(emulator, other_id)[0]["rotationIds"]) == {other_days, other_nights}
    assert get_override(emulator, support_id, alias) == {
        "alias": alias, "responder": {"type": "user", "id": CAROL}, "startDate": f"{NEXT_YEAR}-12-24T08:00:00Z",
        "endDate": f"{NEXT_YEAR}-12-27T08:00:00Z", "rotationIds": [ids["primary"], ids["secondary"]]}
    assert overrides_in_state(project)["xmas"]["outputs"]["rotations"] == ["primary", "secondary"]
    project.assert_clean_preview()

    # A rotation replaced (its end date removed: the contract can only DELETE and POST it, so it
    # gets a new id): the same `up` points the override at the new id.
    support = copy.deepcopy(SUPPORT)
    support["rotations"][0] = {**PRIMARY, "end_date": f"{NEXT_YEAR + 1}-06-30T00:00:00Z"}
    write_stack(project, {"support": support}, {**overrides, "xmas": xmas})
    project.up()
    emulator.reset_stats()
    write_stack(project, {"support": SUPPORT}, {**overrides, "xmas": xmas})
    project.up()
    sent = journal(emulator)
    new_ids = rotation_ids(emulator, support_id)
    assert new_ids["primary"] != ids["primary"]
    assert sent == [
        ("DELETE", f"/v1/schedules/{support_id}/rotations/{ids['primary']}"),
        ("POST", f"/v1/schedules/{support_id}/rotations"),
        ("PUT", f"/v1/schedules/{support_id}/overrides/{alias}"),
    ]
    assert set(get_override(emulator, support_id, alias)["rotationIds"]) == {new_ids["primary"], ids["secondary"]}
    assert overrides_in_state(project)["xmas"]["outputs"]["rotation_ids"] == sorted(
        [new_ids["primary"], ids["secondary"]], key=[new_ids["primary"], ids["secondary"]].index)
    project.assert_clean_preview()

    # A rotation renamed in the program while an override names it: the preview fails naming
    # the override, before any request.
    renamed = copy.deepcopy(SUPPORT)
    renamed["rotations"][0]["name"] = "first line"
    write_stack(project, {"support": renamed}, {**overrides, "xmas": xmas})
    emulator.reset_stats()
    output = failed_preview(project)
    assert ("resource 'xmas' has a problem: rotations[1]: the schedule has no rotation named 'primary' "
            "(its rotations: 'first line', 'secondary')") in output
    assert emulator.stats()["total"] == 0

    # Drift: one deleted outside Pulumi drops from the state at refresh, and the next `up`
    # makes it again (its overrides listed first: this process did not make the schedule).
    write_stack(project, {"support": SUPPORT}, {**overrides, "xmas": xmas})
    delete_override(emulator, support_id, alias)
    project.pulumi("refresh", "--yes")
    assert "xmas" not in overrides_in_state(project)
    emulator.reset_stats()
    up_following_the_contract(project)
    assert journal(emulator) == [("GET", f"/v1/schedules/{support_id}/overrides"),
                                 ("POST", f"/v1/schedules/{support_id}/overrides")]
    again = overrides_in_state(project)["xmas"]["id"]
    assert again != alias and get_override(emulator, support_id, again)["responder"] == {"type": "user", "id": CAROL}
    project.assert_clean_preview()

    # A hand-made override identical to one of the stack's is never taken over, edited or deleted.
    by_hand = make_override(emulator, other_id, {"responder": {"type": "user", "id": CAROL},
                                                 "startDate": f"{NEXT_YEAR}-07-01T08:00:00Z",
                                                 "endDate": f"{NEXT_YEAR}-07-02T08:00:00Z",
                                                 "rotationIds": [other_days, other_nights]})

    # Delete: one DELETE each; one already gone (deleted by hand) counts as done once a page of
    # the site's schedules shows the cloud id is right (a wrong one answers 404 to everything).
    delete_override(emulator, other_id, overrides_in_state(project)["external"]["id"])
    write_stack(project, {"support": SUPPORT}, {"xmas": xmas})
    emulator.reset_stats()
    up_following_the_contract(project)
    assert sorted(journal(emulator)) == sorted([
        ("DELETE", f"/v1/schedules/{support_id}/overrides/{overrides_in_state_id(state, 'pause')}"),
        ("DELETE", f"/v1/schedules/{other_id}/overrides/{state['external']['id']}"),
        ("GET", "/v1/schedules"),
    ])
    assert set(overrides_in_state(project)) == {"xmas"}
    assert [o["alias"] for o in listed_overrides(emulator, support_id)] == [again]
    assert listed_overrides(emulator, other_id) == [by_hand]

    # The schedule replaced (deleted first: names are unique): its override goes first, and is
    # made again on the new schedule.
    emulator.reset_stats()
    project.pulumi("up", "--yes", "--skip-preview", "--replace", project.resources()["support"]["urn"])
    new_id = project.resources()["support"]["id"]
    sent = journal(emulator)
    (made,) = listed_overrides(emulator, new_id)
    assert sorted(sent) == sorted([
        ("DELETE", f"/v1/schedules/{support_id}/overrides/{again}"), ("DELETE", f"/v1/schedules/{support_id}"),
        ("POST", "/v1/schedules"), ("POST", f"/v1/schedules/{new_id}/overrides")])
    assert overrides_in_state(project)["xmas"]["id"] == made["alias"]
    project.assert_clean_preview()

    project.pulumi("destroy", "--yes")
    assert listed_overrides(emulator, other_id) == [by_hand]


def test_a_rotation_replaced_outside_pulumi_is_followed(project: PulumiProject, emulator: Emulator) -> None:
    """A schedule the program looks up (`get_schedule`) tells its rotations' ids at every run,
    so the next `up` points the override at a replacement; one known by id only learns it at
    `refresh`, which reads the deleted rotation back as no name the program declares."""
    looked_up, by_id = emulator.make_schedules(2, "Other", TEAM)  # "Other 0" is looked up by name
    days = {schedule_id: add_rotation(emulator, schedule_id, "days") for schedule_id in (looked_up, by_id)}
    window = {"responder": {"type": "user", "id": CAROL}, "start_date": f"{NEXT_YEAR}-07-01T08:00:00Z",
              "end_date": f"{NEXT_YEAR}-07-02T08:00:00Z", "rotations": ["days"]}
    write_stack(project, {}, {"by_lookup": {**window, "lookup": "Other 0"},
                              "by_id": {**window, "schedule_id": by_id}})
    emulator.reset_stats()
    project.up()
    # The lookup's listing spares "by_lookup" the read of its schedule's rotations.
    assert sorted(journal(emulator)) == sorted([
        ("GET", "/v1/schedules"),
        ("GET", f"/v1/schedules/{looked_up}/overrides"), ("POST", f"/v1/schedules/{looked_up}/overrides"),
        ("GET", f"/v1/schedules/{by_id}/rotations"), ("GET", f"/v1/schedules/{by_id}/overrides"),
        ("POST", f"/v1/schedules/{by_id}/overrides")])

    # Replaced by hand: deleted and made again under its name (a new id).
    new_days = {}
    for schedule_id, rotation_id in days.items():
        emulator.http.delete(f"{emulator.api_url}/schedules/{schedule_id}/rotations/{rotation_id}",
                             auth=emulator.admin_auth, timeout=10).raise_for_status()
        new_days[schedule_id] = add_rotation(emulator, schedule_id, "days")
    project.pulumi("refresh", "--yes")
    state = overrides_in_state(project)
    assert state["by_id"]["outputs"]["rotations"] == [f"(deleted rotation {days[by_id]})"]
    emulator.reset_stats()
    project.up()
    assert sorted(journal(emulator)) == sorted([
        ("GET", "/v1/schedules"), ("PUT", f"/v1/schedules/{looked_up}/overrides/{state['by_lookup']['id']}"),
        ("GET", f"/v1/schedules/{by_id}/rotations"),
        ("PUT", f"/v1/schedules/{by_id}/overrides/{state['by_id']['id']}")])
    for schedule_id in (looked_up, by_id):
        assert [o["rotationIds"] for o in listed_overrides(emulator, schedule_id)] == [[new_days[schedule_id]]]
    emulator.reset_stats()
    project.preview("--expect-no-changes")
    assert journal(emulator) == [("GET", "/v1/schedules")]  # the lookup alone


def overrides_in_state_id(state: dict[str, Any], name: str) -> str:
    return str(state[name]["id"])


def test_ended_overrides_are_history(project: PulumiProject, emulator: Emulator) -> None:
    """An override whose end has passed gets no request: never made in the past, never edited
    or deleted, and kept at refresh whether the service still has it or not."""
    past = {"schedule": "support", "responder": {"type": "user", "id": BOB},
            "start_date": "2021-12-24T09:00:00+01:00", "end_date": "2021-12-27T09:00:00+01:00"}
    write_stack(project, {"support": SUPPORT}, {"past": past, "cover": XMAS})
    emulator.reset_stats()
    project.up()
    assert by_method(emulator) == {"POST": 2}  # the schedule and "cover"; "past" is never made
    support_id = project.resources()["support"]["id"]
    state = overrides_in_state(project)
    assert state["past"]["id"] == NEVER_MADE_ID and "alias" not in state["past"]["outputs"]
    project.assert_clean_preview()
    project.pulumi("refresh", "--yes")
    assert overrides_in_state(project)["past"]["id"] == NEVER_MADE_ID
    project.assert_clean_preview()

    # "cover" moved into the past (it is not ended as held, so the PUT is sent): from then on it is history.
    alias = state["cover"]["id"]
    ended = {**XMAS, "start_date": "2022-12-24T09:00:00+01:00", "end_date": "2022-12-27T09:00:00+01:00"}
    write_stack(project, {"support": SUPPORT}, {"past": past, "cover": ended})
    emulator.reset_stats()
    project.up()
    assert journal(emulator) == [("PUT", f"/v1/schedules/{support_id}/overrides/{alias}")]
    assert listed_overrides(emulator, support_id) == []  # the service lists no ended override...
    assert get_override(emulator, support_id, alias)["endDate"] == "2022-12-27T08:00:00Z"  # ...but has it
    project.pulumi("refresh", "--yes")
    project.assert_clean_preview()

    # The service drops it: refresh keeps it, and nothing is made again.
    delete_override(emulator, support_id, alias)
    project.pulumi("refresh", "--yes")
    assert overrides_in_state(project)["cover"]["id"] == alias
    project.assert_clean_preview()

    # An edit of an ended override changes only the state.
    edited = {**ended, "responder": {"type": "noone"}, "rotations": ["secondary"]}
    write_stack(project, {"support": SUPPORT}, {"past": past, "cover": edited})
    emulator.reset_stats()
    project.up()
    assert emulator.stats()["total"] == 0
    assert overrides_in_state(project)["cover"]["outputs"]["responder"] == {"type": "noone"}
    project.assert_clean_preview()

    # Moved back into the future, it is made anew, replacing the ended one (left as history).
    write_stack(project, {"support": SUPPORT}, {"past": past, "cover": XMAS})
    emulator.reset_stats()
    project.up()
    assert journal(emulator) == [("GET", f"/v1/schedules/{support_id}/overrides"),
                                 ("POST", f"/v1/schedules/{support_id}/overrides")]
    (made,) = listed_overrides(emulator, support_id)
    assert overrides_in_state(project)["cover"]["id"] == made["alias"] != alias
    project.assert_clean_preview()

    # Removing ended overrides from the program sends nothing; the service keeps its history.
    historic = make_override(emulator, support_id, {"responder": {"type": "user", "id": ALICE},
                                                    "startDate": "2023-01-01T00:00:00Z",
                                                    "endDate": "2023-01-02T00:00:00Z"})
    write_stack(project, {"support": SUPPORT}, {"past": past, "cover": {**ended, "rotations": None}})
    project.up()  # "cover" ended again: a PUT (it was not ended as held)
    state = overrides_in_state(project)
    write_stack(project, {"support": SUPPORT}, {})
    emulator.reset_stats()
    project.up()
    assert emulator.stats()["total"] == 0
    assert overrides_in_state(project) == {}
    assert get_override(emulator, support_id, state["cover"]["id"]) is not None
    assert get_override(emulator, support_id, historic["alias"]) is not None


def test_get_on_call_counts_the_declared_overrides(project: PulumiProject, emulator: Emulator) -> None:
    """`get_on_call_output` asks the service (its on-calls endpoint): during the override, its
    responder is on call for the rotation it names, the other rotation's person beside."""
    during, before = f"{NEXT_YEAR}-12-25T10:00:00Z", f"{NEXT_YEAR}-12-23T10:00:00+01:00"
    write_stack(project, {"support": SUPPORT}, {"xmas": XMAS},
                {"during": {"schedule": "support", "at": during}, "before": {"schedule": "support", "at": before}})
    preview = project.preview()
    assert emulator.stats()["total"] == 0 and "[unknown]" in preview.stdout  # no schedule id yet: no request
    project.up()
    project.up()  # the lookups of the first ran beside the override's create; these run after it
    outputs = json.loads(project.pulumi("stack", "output", "--json").stdout)
    assert sorted(map(tuple, outputs["during"])) == sorted([("user", BOB), ("user", CAROL)])
    assert sorted(map(tuple, outputs["before"])) == sorted([("user", ALICE), ("user", CAROL)])

    # A moment that cannot be read stops the program with one line naming the lookup.
    write_stack(project, {"support": SUPPORT}, {"xmas": XMAS}, {"later": {"schedule": "support", "at": "tomorrow"}})
    output = failed_preview(project)
    schedule_id = project.resources()["support"]["id"]
    assert (f"get_on_call(schedule_id='{schedule_id}', at='tomorrow'): at: must be an ISO 8601 date with a UTC "
            "offset, e.g. 2027-12-24T10:00:00+01:00") in output
    assert "Traceback" not in output


def test_an_unknown_user_as_responder_fails_the_up_naming_the_field(project: PulumiProject,
                                                                    emulator: Emulator) -> None:
    """Only the service knows its users: its 422 names the field, and nothing is recorded."""
    emulator.add_users(*({"accountId": account, "displayName": name}
                         for account, name in ((ALICE, "Alice"), (BOB, "Bob"), (CAROL, "Carol"))))
    write_stack(project, {"support": SUPPORT}, {"xmas": {**XMAS, "responder": {"type": "user", "id": "ghost"}}})
    result = project.up(check=False)
    assert result.returncode != 0
    assert "responder.id: no user with account id 'ghost'" in result.stdout + result.stderr
    assert overrides_in_state(project) == {}
    assert listed_overrides(emulator, project.resources()["support"]["id"]) == []
