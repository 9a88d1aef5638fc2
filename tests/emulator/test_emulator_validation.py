"""Request validation: 422 for whatever the API does not accept, each problem named,
and the service's quirks (minute rounding, timezone fallback) with and without --strict."""

from __future__ import annotations

import pytest
from emulator_helpers import Api, rotation, time_of_day, titles


def weekday(**fields):
    return {
        "startDay": "monday", "startHour": 8, "startMin": 0,
        "endDay": "friday", "endHour": 18, "endMin": 0,
        **fields,
    }  # fmt: skip


def without(mapping, key):
    return {k: v for k, v in mapping.items() if k != key}


def with_rotation(**fields):
    return {"name": "S", "teamId": "t", "rotations": [rotation(**fields)]}


def with_hours(**restriction):
    tr = time_of_day()
    tr["restriction"].update(restriction)
    return with_rotation(timeRestriction=tr)


BAD_REQUESTS = {
    "malformed JSON": (b'{"name": ', "body: malformed JSON"),
    "body is a list": (b"[]", "body: must be a JSON object"),
    "body is a string": (b'"schedule"', "body: must be a JSON object"),
    "missing name": ({"teamId": "t"}, "name: is required"),
    "name is null": ({"name": None, "teamId": "t"}, "name: must be a string"),
    "name is a number": ({"name": 7, "teamId": "t"}, "name: must be a string"),
    "description is a number": ({"name": "S", "teamId": "t", "description": 1}, "description: must be a string"),
    "enabled is a string": ({"name": "S", "teamId": "t", "enabled": "yes"}, "enabled: must be a boolean"),
    "enabled is a number": ({"name": "S", "teamId": "t", "enabled": 1}, "enabled: must be a boolean"),
    "rotations not a list": ({"name": "S", "teamId": "t", "rotations": {"a": 1}}, "rotations: must be a list"),
    "rotation not an object": ({"name": "S", "teamId": "t", "rotations": ["r"]}, "rotations[0]: must be a JSON object"),
    "length is a string": (with_rotation(length="2"), "rotations[0].length: must be an integer"),
    "length is a boolean": (with_rotation(length=True), "rotations[0].length: must be an integer"),
    "length is a float": (with_rotation(length=2.5), "rotations[0].length: must be an integer"),
    "participant not an object": (
        with_rotation(participants=["u1"]),
        "rotations[0].participants[0]: must be a JSON object",
    ),
    "participant id is a number": (
        with_rotation(participants=[{"type": "user", "id": 5}]),
        "rotations[0].participants[0].id: must be a string",
    ),
    "hour is a string": (
        with_hours(startHour="10"),
        "rotations[0].timeRestriction.restriction.startHour: must be an integer",
    ),
    "minute is a float": (
        with_hours(endMin=0.5),
        "rotations[0].timeRestriction.restriction.endMin: must be an integer",
    ),
    "date without offset": (
        with_rotation(startDate="2023-11-10T05:00:00"),
        "rotations[0].startDate: must be an ISO 8601",
    ),
    "date only": (with_rotation(startDate="2023-11-10"), "rotations[0].startDate: must be an ISO 8601"),
    "date is prose": (with_rotation(endDate="next tuesday"), "rotations[0].endDate: must be an ISO 8601"),
    "date is a number": (with_rotation(startDate=1700000000), "rotations[0].startDate: must be a string"),
    "missing startDate": (
        {"name": "S", "teamId": "t", "rotations": [{"type": "daily"}]},
        "rotations[0].startDate: is required",
    ),
    "missing type": (
        {"name": "S", "teamId": "t", "rotations": [{"startDate": "2024-01-01T00:00:00Z"}]},
        "rotations[0].type: is required",
    ),
    "missing restriction field": (
        with_rotation(
            timeRestriction={"type": "time-of-day", "restriction": {"startHour": 1, "startMin": 0, "endHour": 2}}
        ),
        "rotations[0].timeRestriction.restriction.endMin: is required",
    ),
    "missing restriction": (
        with_rotation(timeRestriction={"type": "time-of-day", "restrictions": [weekday()]}),
        "rotations[0].timeRestriction: restriction is required when type is time-of-day",
    ),
    "missing restrictions": (
        with_rotation(timeRestriction={"type": "weekday-and-time-of-day"}),
        "rotations[0].timeRestriction: restrictions is required when type is weekday-and-time-of-day",
    ),
    "missing weekday field": (
        with_rotation(
            timeRestriction={
                "type": "weekday-and-time-of-day",
                "restrictions": [weekday(), without(weekday(), "startHour")],
            }
        ),
        "rotations[0].timeRestriction.restrictions[1].startHour: is required",
    ),
    "missing timeRestriction type": (
        with_rotation(timeRestriction={"restriction": time_of_day()["restriction"]}),
        "rotations[0].timeRestriction.type: is required",
    ),
}

ONE_OF_THE_DAYS = "must be one of monday, tuesday, wednesday, thursday, friday, saturday, sunday"

UNPROCESSABLE = {
    "blank name": ({"name": "  ", "teamId": "t"}, "name: must not be blank"),
    "blank teamId": (
        {"name": "S", "teamId": "  "},
        "teamId: must not be blank (an empty string makes the schedule global)",
    ),
    "teamId is null": ({"name": "S", "teamId": None}, "teamId: must not be null"),
    "rotations empty": ({"name": "S", "rotations": []}, "rotations: must have 1 to 500 items"),
    "501 rotations": ({"name": "S", "rotations": [rotation()] * 501}, "rotations: must have 1 to 500 items"),
    "length beyond int32": (with_rotation(length=2**31), "rotations[0].length: must be at most 2147483647"),
    "unknown rotation type": (with_rotation(type="monthly"), "rotations[0].type: must be one of daily, weekly, hourly"),
    "unknown participant type": (
        with_rotation(participants=[{"type": "robot", "id": "r"}]),
        "rotations[0].participants[0].type: must be one of user, team, escalation, noone",
    ),
    "user without id": (
        with_rotation(participants=[{"type": "noone"}, {"type": "user"}]),
        "rotations[0].participants[1]: id is required for participant type user",
    ),
    "team with blank id": (
        with_rotation(participants=[{"type": "team", "id": " "}]),
        "rotations[0].participants[0]: id is required for participant type team",
    ),
    "escalation with null id": (
        with_rotation(participants=[{"type": "escalation", "id": None}]),
        "rotations[0].participants[0]: id is required for participant type escalation",
    ),
    "endDate equals startDate": (
        with_rotation(startDate="2024-01-01T00:00:00Z", endDate="2024-01-01T01:00:00+01:00"),
        "rotations[0]: endDate must be after startDate",
    ),
    "endDate before startDate": (
        with_rotation(startDate="2024-01-02T00:00:00Z", endDate="2024-01-01T00:00:00Z"),
        "rotations[0]: endDate must be after startDate",
    ),
    "length 0": (with_rotation(length=0), "rotations[0].length: must be at least 1"),
    "negative length": (with_rotation(length=-3), "rotations[0].length: must be at least 1"),
    "hour 24": (
        with_hours(startHour=24),
        "rotations[0].timeRestriction.restriction.startHour: must be between 0 and 23",
    ),
    "hour -1": (with_hours(endHour=-1), "rotations[0].timeRestriction.restriction.endHour: must be between 0 and 23"),
    "minute 60": (
        with_hours(startMin=60),
        "rotations[0].timeRestriction.restriction.startMin: must be between 0 and 59",
    ),
    "minute -1": (with_hours(endMin=-1), "rotations[0].timeRestriction.restriction.endMin: must be between 0 and 59"),
    "unknown timeRestriction type": (
        with_rotation(timeRestriction={**time_of_day(), "type": "sometimes"}),
        "rotations[0].timeRestriction.type: must be one of time-of-day, weekday-and-time-of-day",
    ),
    "unknown weekday": (
        with_rotation(timeRestriction={"type": "weekday-and-time-of-day", "restrictions": [weekday(endDay="funday")]}),
        "rotations[0].timeRestriction.restrictions[0].endDay: " + ONE_OF_THE_DAYS,
    ),
    "capitalised weekday": (
        with_rotation(
            timeRestriction={"type": "weekday-and-time-of-day", "restrictions": [weekday(startDay="Monday")]}
        ),
        "rotations[0].timeRestriction.restrictions[0].startDay: " + ONE_OF_THE_DAYS,
    ),
    "weekday hour 25": (
        with_rotation(timeRestriction={"type": "weekday-and-time-of-day", "restrictions": [weekday(endHour=25)]}),
        "rotations[0].timeRestriction.restrictions[0].endHour: must be between 0 and 23",
    ),
    "empty restrictions": (
        with_rotation(timeRestriction={"type": "weekday-and-time-of-day", "restrictions": []}),
        "rotations[0].timeRestriction.restrictions: must not be empty",
    ),
}


def send(api: Api, method: str, payload, path: str = ""):
    if isinstance(payload, bytes):
        return api.request(method, path, data=payload, headers={"Content-Type": "application/json"})
    return api.request(method, path, json=payload)


@pytest.mark.parametrize(("payload", "title"), BAD_REQUESTS.values(), ids=BAD_REQUESTS.keys())
def test_create_rejects_what_the_api_does_not_accept_with_422(admin, payload, title):
    response = send(admin, "POST", payload)

    assert response.status_code == 422
    assert len(titles(response)) == 1 and titles(response)[0].startswith(title), titles(response)
    assert admin.emulator.schedules() == []


@pytest.mark.parametrize(("payload", "title"), UNPROCESSABLE.values(), ids=UNPROCESSABLE.keys())
def test_create_rejects_impossible_values_with_422(admin, payload, title):
    response = send(admin, "POST", payload)

    assert response.status_code == 422
    assert titles(response) == [title]
    assert admin.emulator.schedules() == []


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"enabled": "yes"}, 422),
        ({"name": None}, 422),
        ({"rotations": [{"type": "daily"}]}, 422),
        (b"[1, 2]", 422),
        ({"name": " "}, 422),
        ({"rotations": [rotation(length=0)]}, 422),
    ],
)
def test_patch_validates_like_create(admin, payload, status):
    schedule = admin.create(name="Valid")

    response = send(admin, "PATCH", payload, f"/{schedule['id']}")

    assert response.status_code == status
    assert titles(response)
    assert admin.emulator.schedules() == [schedule]


def test_every_problem_gets_its_own_title(admin):
    payload = {"name": "", "teamId": " ", "rotations": [rotation(length=0, type="yearly")]}

    response = admin.request("POST", json=payload)

    assert response.status_code == 422
    assert sorted(titles(response)) == [
        "name: must not be blank",
        "rotations[0].length: must be at least 1",
        "rotations[0].type: must be one of daily, weekly, hourly",
        "teamId: must not be blank (an empty string makes the schedule global)",
    ]


def test_a_shape_error_among_impossible_values_is_422_too(admin):
    response = admin.request("POST", json={"name": "", "teamId": "t", "enabled": "no"})

    assert response.status_code == 422
    assert sorted(titles(response)) == ["enabled: must be a boolean", "name: must not be blank"]


# --- quirks ---

ROUNDING = [
    # (hour, minute) given -> stored
    ((10, 0), (10, 0)),
    ((10, 14), (10, 0)),
    ((10, 15), (10, 30)),
    ((10, 30), (10, 30)),
    ((10, 44), (10, 30)),
    ((10, 45), (11, 0)),
    ((10, 59), (11, 0)),
    ((23, 50), (0, 0)),
]


@pytest.mark.parametrize(("given", "stored"), ROUNDING)
def test_minutes_are_rounded_to_the_half_hour(admin, given, stored):
    payload = with_hours(startHour=given[0], startMin=given[1], endHour=given[0], endMin=given[1])

    schedule = admin.create(**payload)

    restriction = schedule["rotations"][0]["timeRestriction"]["restriction"]
    assert restriction == {"startHour": stored[0], "startMin": stored[1], "endHour": stored[0], "endMin": stored[1]}
    assert admin.request("GET", f"/{schedule['id']}").json() == schedule


def test_weekday_restriction_minutes_are_rounded_too(admin):
    restrictions = [weekday(startMin=10, endHour=23, endMin=47), weekday(startDay="sunday", startMin=29, endMin=31)]

    schedule = admin.create(
        **with_rotation(timeRestriction={"type": "weekday-and-time-of-day", "restrictions": restrictions})
    )

    assert schedule["rotations"][0]["timeRestriction"] == {
        "type": "weekday-and-time-of-day",
        "restrictions": [
            weekday(startMin=0, endHour=0, endMin=0),
            weekday(startDay="sunday", startMin=30, endMin=30),
        ],
    }


def test_unknown_timezone_is_replaced_with_the_default(admin):
    assert admin.create(name="Atlantis", timezone="Atlantis/Capital")["timezone"] == "America/New_York"
    assert admin.create(name="Berlin", timezone="Europe/Berlin")["timezone"] == "Europe/Berlin"
    patched = admin.request(
        "PATCH", f"/{admin.create(name='UTC', timezone='UTC')['id']}", json={"timezone": "Mars/Olympus"}
    )
    assert patched.json()["timezone"] == "America/New_York"


def test_strict_rejects_the_quirks_with_422(emulator_factory):
    emulator = emulator_factory("--strict")
    api = Api(emulator, emulator.admin_auth)

    odd_minutes = api.request("POST", json=with_hours(startMin=15, endMin=45))
    odd_timezone = api.request("POST", json={"name": "Atlantis", "teamId": "t", "timezone": "Atlantis/Capital"})

    assert odd_minutes.status_code == 422
    assert sorted(titles(odd_minutes)) == [
        "rotations[0].timeRestriction.restriction.endMin: must be 0 or 30",
        "rotations[0].timeRestriction.restriction.startMin: must be 0 or 30",
    ]
    assert odd_timezone.status_code == 422
    assert titles(odd_timezone) == ["timezone: must be an IANA timezone name such as America/New_York"]
    assert emulator.schedules() == []
    kept = api.create(**with_hours(startMin=30, endMin=0), timezone="Europe/Berlin")
    assert kept["timezone"] == "Europe/Berlin"
    assert kept["rotations"][0]["timeRestriction"] == time_of_day(start_min=30, end_min=0)


DEEP_JSON = b"[" * 100_000  # nested far beyond any parser's limit


def test_json_nested_too_deeply_is_422_in_the_error_shape_and_journaled(admin):
    schedule = admin.create(name="Deep", rotations=[rotation()])
    rotation_url = f"/{schedule['id']}/rotations/{schedule['rotations'][0]['id']}"
    admin.emulator.reset_stats()

    answers = [
        send(admin, "POST", DEEP_JSON),
        send(admin, "PATCH", DEEP_JSON, f"/{schedule['id']}"),
        send(admin, "PATCH", DEEP_JSON, rotation_url),
        send(admin, "POST", DEEP_JSON, f"/{schedule['id']}/overrides"),
    ]

    for response in answers:
        assert response.status_code == 422
        [title] = titles(response)
        assert title.startswith("body: malformed JSON (recursion limit exceeded"), title
    assert [(entry["status"], entry["body"]) for entry in admin.emulator.requests()] == [(422, None)] * 4
    assert admin.emulator.schedules() == [schedule]
    control = admin.emulator.http.post(
        f"{admin.emulator.base_url}/_emulator/faults", data=DEEP_JSON, headers={"Content-Type": "application/json"}
    )
    assert control.status_code == 400 and titles(control)
    assert admin.emulator.faults() == []
