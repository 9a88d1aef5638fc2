"""The Schedule resource through the real `pulumi` CLI and engine, against the emulator.

What the service holds is checked through the API (the emulator's HTTP interface), and
request counts through the emulator's counters.
"""

from __future__ import annotations

import base64
import copy

import requests

from testkit.emulator_process import Emulator
from testkit.pulumi_project import PulumiProject
from testkit.schedules import DATA, OPERATIONS, SUPPORT, SUPPORT_IN_API, TEAM, without_ids

TYPE = "pulumi-python:dynamic/jsmops:Schedule"


def remote_by_name(emulator: Emulator) -> dict[str, dict]:
    return {s["name"]: s for s in emulator.schedules()}


def requests_by_method(emulator: Emulator) -> dict[str, int]:
    return emulator.stats()["by_method"]


def test_up_preview_update_refresh_remove_destroy(project: PulumiProject, emulator: Emulator) -> None:
    project.write_schedules({"support": SUPPORT, "operations": OPERATIONS, "data": DATA})

    # up creates every schedule exactly as declared, one POST each and nothing else.
    project.up()
    assert requests_by_method(emulator) == {"POST": 3}
    remote = remote_by_name(emulator)
    assert set(remote) == {"Support Schedule", "Operations", "Data Platform"}
    assert without_ids(remote["Support Schedule"]) == SUPPORT_IN_API
    operations = remote["Operations"]
    assert [r["name"] for r in operations["rotations"]] == ["business days", "nights"]
    days, nights = operations["rotations"]
    assert days["startDate"] == "2026-02-02T13:00:00Z" and days["endDate"] == "2026-12-31T22:00:00Z"
    assert days["participants"] == OPERATIONS["rotations"][0]["participants"]
    assert days["timeRestriction"]["restrictions"] == [
        {"startDay": "monday", "startHour": 8, "startMin": 0, "endDay": "friday", "endHour": 18, "endMin": 30}]
    assert (nights["type"], nights["length"], "timeRestriction" in nights) == ("hourly", 12, False)
    assert remote["Data Platform"]["enabled"] is False and remote["Data Platform"]["rotations"] == []

    # The outputs carry the ids of the schedule and of each rotation.
    support_state = project.resources()["support"]
    assert support_state["id"] == remote["Support Schedule"]["id"]
    remote_rotation = remote["Support Schedule"]["rotations"][0]
    assert support_state["outputs"]["rotations"][remote_rotation["name"]]["id"] == remote_rotation["id"]

    # An immediate preview has nothing to do and asks the API nothing.
    project.assert_clean_preview()

    # One changed field: one PATCH of that schedule only.
    changed = copy.deepcopy(SUPPORT)
    changed["description"] = "Support, now with a longer description"
    project.write_schedules({"support": changed, "operations": OPERATIONS, "data": DATA})
    project.up()
    assert requests_by_method(emulator) == {"PATCH": 1}
    after = remote_by_name(emulator)
    assert after["Support Schedule"]["description"] == "Support, now with a longer description"
    assert after["Support Schedule"]["rotations"] == remote["Support Schedule"]["rotations"]  # ids kept
    assert after["Operations"] == remote["Operations"] and after["Data Platform"] == remote["Data Platform"]

    # A change made directly through the API is reported by refresh...
    response = requests.patch(f"{emulator.api_url}/schedules/{remote['Operations']['id']}",
                              json={"enabled": False}, auth=emulator.admin_auth, timeout=10)
    response.raise_for_status()
    refresh = project.pulumi("refresh", "--yes", "--diff")
    assert "operations" in refresh.stdout and "enabled" in refresh.stdout
    assert project.resources()["operations"]["outputs"]["enabled"] is False
    # What refresh records as inputs keeps rotations keyed by name, as check gives them.
    assert list(project.resources()["operations"]["inputs"]["rotations"]) == ["business days", "nights"]
    # ...and the next up puts the declared value back.
    drifted = project.preview("--expect-no-changes", check=False)
    assert drifted.returncode != 0 and "operations" in drifted.stdout
    emulator.reset_stats()
    project.up()
    assert requests_by_method(emulator) == {"PATCH": 1}
    assert remote_by_name(emulator)["Operations"]["enabled"] is True

    # Removing a schedule from the program deletes it.
    emulator.reset_stats()
    project.write_schedules({"support": changed, "operations": OPERATIONS})
    project.up()
    assert requests_by_method(emulator) == {"DELETE": 1}
    assert set(remote_by_name(emulator)) == {"Support Schedule", "Operations"}

    # destroy leaves the service empty.
    project.pulumi("destroy", "--yes")
    assert emulator.schedules() == []


def test_equivalent_forms_make_no_changes(project: PulumiProject, emulator: Emulator) -> None:
    """Other offsets, left-out defaults, reordered rotations and restrictions, and whole
    numbers written as floats all mean the same schedule."""
    project.write_schedules({"ops": OPERATIONS, "support": SUPPORT})
    project.up()

    ops = copy.deepcopy(OPERATIONS)
    ops["rotations"].reverse()
    ops["rotations"][0]["start_date"] = "2026-02-03T05:00:00+09:00"  # 2026-02-02T20:00:00Z
    ops["rotations"][0]["length"] = 12.0
    ops["rotations"][1]["start_date"] = "2026-02-02T13:00:00Z"
    ops["rotations"][1]["end_date"] = "2026-12-31T22:00:00+00:00"
    ops["rotations"][1]["time_restriction"]["restrictions"][0]["start_hour"] = 8.0
    ops["enabled"] = True
    ops["description"] = ""
    support = copy.deepcopy(SUPPORT)
    del support["enabled"]
    del support["rotations"][0]["length"]
    support["rotations"][0]["start_date"] = "2026-01-05T08:00:00Z"
    project.write_schedules({"ops": ops, "support": support})

    project.assert_clean_preview()


def test_invalid_input_fails_at_preview_naming_the_field(project: PulumiProject, emulator: Emulator) -> None:
    bad = copy.deepcopy(SUPPORT)
    bad["rotations"][0]["time_restriction"]["restriction"]["start_min"] = 15
    bad["rotations"][0]["participants"][1] = {"type": "user"}
    project.write_schedules({"support": bad})
    emulator.reset_stats()
    result = project.preview(check=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "rotations[0].time_restriction.restriction.start_min: must be 0 or 30" in output
    assert "rotations[0].participants[1].id: is required for a participant of type 'user'" in output
    # Read as the engine prints it: the resource, the path once, the reason in plain words.
    assert "resource 'support' has a problem: rotations[0].time_restriction.restriction.start_min:" in output
    assert "<nil>" not in output and "property rotations" not in output
    assert emulator.stats()["total"] == 0


def test_pydantic_words_never_reach_the_user(project: PulumiProject, emulator: Emulator) -> None:
    bad = copy.deepcopy(SUPPORT)
    del bad["name"]
    bad["enabled"] = "yes"
    bad["rotations"][0]["start_date"] = "2026-01-05T09:00:00"
    project.write_schedules({"support": bad})
    result = project.preview(check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "name: is required" in output and "enabled: must be true or false" in output
    assert "rotations[0].start_date: must have a UTC offset, e.g. 2026-01-05T09:00:00+01:00" in output
    assert not any(words in output for words in ("Field required", "Input should", "Value error", "Traceback"))


def test_schedule_deleted_outside_pulumi_is_recreated(project: PulumiProject, emulator: Emulator) -> None:
    project.write_schedules({"data": DATA})
    project.up()
    schedule_id = project.resources()["data"]["id"]
    requests.delete(f"{emulator.api_url}/schedules/{schedule_id}", auth=emulator.admin_auth,
                    timeout=10).raise_for_status()

    project.pulumi("refresh", "--yes")
    assert "data" not in project.resources()

    emulator.reset_stats()
    project.up()
    assert requests_by_method(emulator) == {"POST": 1}
    assert [s["name"] for s in emulator.schedules()] == ["Data Platform"]
    project.preview("--expect-no-changes")

    # Deleting a schedule that is already gone succeeds.
    requests.delete(f"{emulator.api_url}/schedules/{project.resources()['data']['id']}",
                    auth=emulator.admin_auth, timeout=10).raise_for_status()
    project.pulumi("destroy", "--yes")
    assert project.resources() == {}


def test_lookup_by_name(tmp_path, emulator: Emulator) -> None:
    response = requests.post(f"{emulator.api_url}/schedules", json={"name": "Made by hand", "teamId": TEAM},
                             auth=emulator.admin_auth, timeout=10)
    response.raise_for_status()
    program = (
        "import pulumi, pulumi_jsmops as jsmops\n"
        "found = jsmops.get_schedule(name='Made by hand')\n"
        "pulumi.export('id', found.id)\n"
        "pulumi.export('team', found.team_id)\n"
    )
    project = PulumiProject(tmp_path, emulator, program=program)
    project.up()
    outputs = project.pulumi("stack", "output", "--json").stdout
    assert response.json()["id"] in outputs and TEAM in outputs


def test_api_token_is_in_no_state_and_no_output(tmp_path, emulator: Emulator) -> None:
    project = PulumiProject(tmp_path, emulator, token_in_env=False)
    token = emulator.admin_auth[1]
    project.pulumi("config", "set", "--secret", "jsmops:apiToken", token)
    project.write_schedules({"support": SUPPORT})
    project.up()
    project.preview("--diff")
    project.pulumi("refresh", "--yes")
    project.pulumi("stack", "output", "--show-secrets")

    assert emulator.schedules()[0]["name"] == "Support Schedule"  # the token from the config was used
    assert token not in project.state_files_text()
    assert token not in "".join(project.transcript)
    # The serialized provider in the state holds no credentials either.
    provider = project.resources()["support"]["outputs"]["__provider"]
    assert isinstance(provider, str)
    assert token.encode() not in base64.b64decode(provider)
    assert emulator.admin_auth[0].encode() not in base64.b64decode(provider)


def test_a_schedule_without_team_is_global(project: PulumiProject, emulator: Emulator) -> None:
    global_data = {key: value for key, value in DATA.items() if key != "team_id"}
    project.write_schedules({"data": global_data})
    project.up()
    [held] = emulator.schedules()
    assert not held.get("teamId")
    project.preview("--expect-no-changes")

    project.write_schedules({"data": DATA})
    emulator.reset_stats()
    project.up()
    assert emulator.requests()[0]["body"] == {"teamId": TEAM}
    assert emulator.schedules()[0]["teamId"] == TEAM

    # Leaving the team out again makes it global again: the API's `teamId: ""`.
    project.write_schedules({"data": global_data})
    emulator.reset_stats()
    project.up()
    assert emulator.requests()[0]["body"] == {"teamId": ""}
    assert not emulator.schedules()[0].get("teamId")
    project.preview("--expect-no-changes")
