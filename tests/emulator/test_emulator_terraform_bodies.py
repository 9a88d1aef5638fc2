"""What Atlassian's own Terraform provider (atlassian-operations v1.1.9) sends: every rotation
without an end date carries `"endDate": ""` and `"id": ""`, on the POST of a schedule, the POST
of a rotation and the PATCH of a rotation. The service accepts them and reads "" as no end
date, so the emulator does too; other strings that are not dates stay 422."""

from __future__ import annotations

import pytest
from emulator_helpers import Api, titles

WEEKDAYS_9_TO_5 = {
    "type": "weekday-and-time-of-day",
    "restrictions": [
        {"startDay": "monday", "endDay": "friday", "startHour": 9, "endHour": 17, "startMin": 0, "endMin": 0}
    ],
}


def terraform_rotation(name: str, **fields) -> dict:
    """A rotation as the provider's DTO serialises it when `end_date` is left out."""
    return {
        "id": "", "name": name, "startDate": "2023-11-10T05:00:00Z", "endDate": "", "type": "weekly",
        "length": 1, "participants": [{"id": "u1", "type": "user"}], "timeRestriction": None, **fields,
    }  # fmt: skip


def test_a_schedule_post_with_an_empty_end_date_and_id_makes_rotations_without_end(admin: Api):
    body = {
        "id": "", "name": "Terraform", "description": "", "timezone": "Europe/Berlin", "enabled": True,
        "teamId": "team-1", "rotations": [terraform_rotation("weekly")],
    }  # fmt: skip

    response = admin.request("POST", json=body)

    assert response.status_code == 201, response.text
    [made] = response.json()["rotations"]
    assert made["id"] != "" and "endDate" not in made
    assert made == {"id": made["id"], "name": "weekly", "startDate": "2023-11-10T05:00:00Z", "type": "weekly",
                    "length": 1, "participants": [{"id": "u1", "type": "user"}]}  # fmt: skip
    assert admin.emulator.schedules()[0]["rotations"] == [made]


def test_a_rotation_post_and_patch_with_an_empty_end_date_and_id(admin: Api):
    schedule = admin.create(name="Terraform")
    url = f"/{schedule['id']}/rotations"

    created = admin.request("POST", url, json=terraform_rotation("R", participants=[], timeRestriction=WEEKDAYS_9_TO_5))
    ended = admin.request("PATCH", f"{url}/{created.json()['id']}", json={"endDate": "2024-01-01T00:00:00Z"})
    patched = admin.request("PATCH", f"{url}/{created.json()['id']}", json=terraform_rotation("R2"))

    assert created.status_code == 201, created.text
    assert "endDate" not in created.json() and created.json()["timeRestriction"] == WEEKDAYS_9_TO_5
    assert ended.json()["endDate"] == "2024-01-01T00:00:00Z"
    assert patched.status_code == 200, patched.text
    # "" removes the end date, as null does; the provider's timeRestriction null removes the restriction.
    assert patched.json() == {
        "id": created.json()["id"], "name": "R2", "startDate": "2023-11-10T05:00:00Z", "type": "weekly",
        "length": 1, "participants": [{"id": "u1", "type": "user"}],
    }  # fmt: skip
    assert admin.emulator.schedules()[0]["rotations"] == [patched.json()]


@pytest.mark.parametrize("end_date", [" ", "never", "2024-01-01", "0"])
def test_other_strings_that_are_not_dates_stay_422(admin: Api, end_date):
    schedule = admin.create(name="Terraform", rotations=[{"startDate": "2024-01-01T00:00:00Z", "type": "daily"}])
    rotation_url = f"/{schedule['id']}/rotations/{schedule['rotations'][0]['id']}"

    answers = [
        admin.request("POST", json={"name": "Other", "rotations": [terraform_rotation("R", endDate=end_date)]}),
        admin.request("POST", f"/{schedule['id']}/rotations", json=terraform_rotation("R", endDate=end_date)),
        admin.request("PATCH", rotation_url, json=terraform_rotation("R", endDate=end_date)),
        admin.request("POST", json={"name": "Other", "rotations": [terraform_rotation("R", startDate="")]}),
    ]

    assert [response.status_code for response in answers] == [422] * 4
    fields = [titles(response)[0].split(":")[0] for response in answers]
    assert fields == ["rotations[0].endDate", "endDate", "endDate", "rotations[0].startDate"]
    assert admin.emulator.schedules() == [schedule]
