"""Property: any valid schedule, written in any equivalent form, round-trips through the
provider's create and read (against the emulator) without a diff."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_jsmops.api.models import parse_user_schedule
from pulumi_jsmops.provider import ScheduleProvider
from testkit.emulator_process import Emulator

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
ZONES = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Adelaide", "UTC"]
_names = itertools.count()

text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x2FF, categories=["L", "N", "P", "Zs"]), min_size=1,
               max_size=30).filter(str.strip)
hours = st.integers(0, 23).flatmap(lambda h: st.sampled_from([h, float(h)]))
minutes = st.sampled_from([0, 30, 0.0, 30.0])


@st.composite
def dates(draw) -> tuple[str, datetime]:
    """An ISO 8601 date in a random offset, and the instant it means."""
    instant = datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(minutes=draw(st.integers(0, 60 * 24 * 700)))
    offset = timedelta(minutes=draw(st.integers(-12 * 4, 14 * 4)) * 15)
    local = instant.astimezone(timezone(offset))
    written = local.isoformat()
    if offset == timedelta(0) and draw(st.booleans()):
        written = local.strftime("%Y-%m-%dT%H:%M:%SZ")
    return written, instant


participants = st.one_of(
    st.builds(lambda kind, id_: {"type": kind, "id": id_}, st.sampled_from(["user", "team", "escalation"]),
              st.uuids().map(str)),
    st.just({"type": "noone"}),
)
time_of_day = st.fixed_dictionaries({"type": st.just("time-of-day"), "restriction": st.fixed_dictionaries(
    {"start_hour": hours, "start_min": minutes, "end_hour": hours, "end_min": minutes})})
weekdays = st.fixed_dictionaries({"type": st.just("weekday-and-time-of-day"), "restrictions": st.lists(
    st.fixed_dictionaries({"start_day": st.sampled_from(WEEKDAYS), "start_hour": hours, "start_min": minutes,
                           "end_day": st.sampled_from(WEEKDAYS), "end_hour": hours, "end_min": minutes}),
    min_size=1, max_size=4)})


@st.composite
def rotations(draw, names=text) -> dict:
    start, instant = draw(dates())
    rotation = {"name": draw(names), "type": draw(st.sampled_from(["daily", "weekly", "hourly"])), "start_date": start}
    if draw(st.booleans()):
        rotation["length"] = draw(st.integers(1, 12).flatmap(lambda n: st.sampled_from([n, float(n)])))
    if draw(st.booleans()):
        end = instant + timedelta(hours=draw(st.integers(1, 24 * 400)))
        rotation["end_date"] = end.astimezone(timezone(timedelta(hours=draw(st.integers(-11, 13))))).isoformat()
    if draw(st.booleans()):
        rotation["participants"] = draw(st.lists(participants, max_size=5))
    if draw(st.booleans()):
        rotation["time_restriction"] = draw(st.one_of(time_of_day, weekdays))
    return rotation


@st.composite
def schedules(draw, rotation_names=text) -> dict:
    schedule = {"name": f"{draw(text)} #{next(_names)}"}
    if draw(st.integers(0, 4)):  # now and then a global schedule, of no team
        schedule["team_id"] = str(draw(st.uuids()))
    for key, strategy in [("description", st.one_of(st.just(""), text)), ("timezone", st.sampled_from(ZONES)),
                          ("enabled", st.booleans())]:
        if draw(st.booleans()):
            schedule[key] = draw(strategy)
    rotation_list = draw(st.lists(rotations(rotation_names), max_size=3, unique_by=lambda r: r["name"]))
    if rotation_list or draw(st.booleans()):
        schedule["rotations"] = rotation_list
    return schedule


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(schedule=schedules())
def test_valid_schedules_round_trip_without_a_diff(schedule: dict, emulator_session: Emulator, monkeypatch) -> None:
    for name, value in {"JSMOPS_BASE_URL": emulator_session.base_url, "JSMOPS_CLOUD_ID": emulator_session.cloud_id,
                        "JSMOPS_EMAIL": emulator_session.admin_auth[0],
                        "JSMOPS_API_TOKEN": emulator_session.admin_auth[1]}.items():
        monkeypatch.setenv(name, value)
    provider = ScheduleProvider()
    checked = provider.check({}, schedule)
    assert checked.failures == []

    created = provider.create(checked.inputs)
    read = provider.read(created.id, created.outs)
    assert read.id == created.id and read.outs == created.outs
    assert provider.diff(created.id, read.outs, checked.inputs).changes is False
    # What a refresh records as inputs is the same schedule, with the service's time zone
    # filled in where the program left it out; its dates are the service's (UTC), the
    # program's as written: the same instants, so no change.
    refreshed = provider.check({}, read.inputs).inputs
    assert provider.diff(created.id, read.outs, refreshed).changes is False
    if "timezone" not in schedule:
        assert refreshed.pop("timezone") == "America/New_York"
    assert parse_user_schedule(refreshed) == parse_user_schedule(checked.inputs)
    provider.delete(created.id, read.outs)


def _provider_for(emulator: Emulator, monkeypatch) -> ScheduleProvider:
    for name, value in {"JSMOPS_BASE_URL": emulator.base_url, "JSMOPS_CLOUD_ID": emulator.cloud_id,
                        "JSMOPS_EMAIL": emulator.admin_auth[0], "JSMOPS_API_TOKEN": emulator.admin_auth[1]}.items():
        monkeypatch.setenv(name, value)
    return ScheduleProvider()


# Few rotation names, so that the two schedules of an update share some.
shared_names = st.sampled_from(["days", "nights", "weekends", "holidays"])


def _replaced(old: dict, new: dict) -> bool:
    """Whether an update replaces the rotation: it loses a field the contract cannot clear."""
    return any(key in old and key not in new for key in ("end_date", "time_restriction"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=schedules(shared_names), second=schedules(shared_names), renamed=st.booleans())
def test_any_update_converges_and_rotations_that_stay_keep_their_ids(
    first: dict, second: dict, renamed: bool, emulator_session: Emulator, monkeypatch
) -> None:
    provider = _provider_for(emulator_session, monkeypatch)
    if not renamed:
        second = {**second, "name": first["name"]}
    old_inputs, new_inputs = provider.check({}, first).inputs, provider.check({}, second).inputs
    created = provider.create(old_inputs)
    updated = provider.update(created.id, created.outs, new_inputs)

    read = provider.read(created.id, updated.outs)
    assert read.outs == updated.outs  # the outputs are what the service holds
    assert provider.diff(created.id, read.outs, new_inputs).changes is False
    before = created.outs["rotations"]  # keyed by name
    after = {name: r["id"] for name, r in read.outs["rotations"].items()}
    declared = {r["name"]: r for r in first.get("rotations", [])}
    for rotation in second.get("rotations", []):
        name = rotation["name"]
        if name in before and not _replaced(declared[name], rotation):
            assert after[name] == before[name]["id"], name
    provider.delete(created.id, read.outs)
