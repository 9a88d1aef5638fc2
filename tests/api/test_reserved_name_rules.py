"""Rotation names Pulumi keeps for itself as object keys (`api/reserved_names.py`): a program
may not declare them (the provider's `check` names the field, with no request), and a
schedule the service holds with them reads back with its rotations as a list, never as keys."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_jsmops.api.models import Schedule, parse_api_schedule, parse_user_schedule
from pulumi_jsmops.api.reserved_names import (
    PROVIDER_KEY,
    SIGNATURE_KEY,
    has_reserved_name,
    reserved_name_reason,
)
from pulumi_jsmops.cli.import_command import ImportFailed, declarable
from pulumi_jsmops.dynamic.base import user_inputs
from pulumi_jsmops.dynamic.update_plan import DeleteRotation, plan_update
from pulumi_jsmops.override import rotation_ids_by_name
from pulumi_jsmops.provider import ScheduleProvider
from pulumi_jsmops.schedule import _keyed_by_name

WEEKLY = {"name": "weekly", "type": "weekly", "start_date": "2026-01-05T09:00:00+01:00",
          "participants": [{"type": "user", "id": "u1"}]}
WEEKLY_IN_API = {"id": "r-1", "name": "weekly", "type": "weekly", "length": 1, "startDate": "2026-01-05T08:00:00Z",
                 "participants": [{"type": "user", "id": "u1"}]}
RESERVED = [SIGNATURE_KEY, PROVIDER_KEY, "__night", "__"]


def program(*names: str) -> dict[str, Any]:
    """A schedule as a program declares it, with a rotation of each name (a list, in this order)."""
    return {"name": "Support", "rotations": [{**WEEKLY, "name": name} for name in names]}


def held_by_service(*names: str) -> dict[str, Any]:
    """A schedule as the API answers it, with a rotation of each name, made outside Pulumi."""
    return {"id": "s-1", "name": "Support", "timezone": "Europe/Berlin", "enabled": True, "description": "",
            "rotations": [{**WEEKLY_IN_API, "id": f"r-{index}", "name": name} for index, name in enumerate(names)]}


def keys(value: Any) -> set[str]:
    """Every object key at any depth."""
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in keys(item)}
    if isinstance(value, list):
        return {key for item in value for key in keys(item)}
    return set()


def test_the_reserved_keys_are_the_sdks() -> None:
    from pulumi.dynamic.dynamic import PROVIDER_KEY as SDK_PROVIDER_KEY
    from pulumi.runtime.rpc import _special_sig_key

    assert (SIGNATURE_KEY, PROVIDER_KEY) == (_special_sig_key, SDK_PROVIDER_KEY)


@pytest.mark.parametrize(("name", "says"), [
    (SIGNATURE_KEY, "Pulumi's signature key"),
    (PROVIDER_KEY, "Pulumi keeps a dynamic resource's provider under this key"),
    ("__night", "names starting with '__' are Pulumi's internal keys, which its previews hide"),
    ("__", "names starting with '__'"),
])
def test_reserved_names_say_why(name: str, says: str) -> None:
    reason = reserved_name_reason(name)
    assert reason is not None and reason.startswith(f"{name!r} is reserved: ") and says in reason
    assert reason.endswith("rename the rotation") and "\n" not in reason


@pytest.mark.parametrize("name", ["weekly", "_night", "night__", "a__b", " __night", "provider", "__provider"[1:],
                                  SIGNATURE_KEY.upper(), SIGNATURE_KEY + " ", "c44067f5952c0a294b673a41bacd8c17"])
def test_names_that_only_look_alike_are_free(name: str) -> None:
    assert reserved_name_reason(name) is None
    assert parse_user_schedule(program(name)).rotations[0].name == name


@pytest.mark.parametrize("name", RESERVED)
def test_check_refuses_a_declared_reserved_name_naming_the_field(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from pulumi.output import Unknown

    # Settings that reach nothing: check must not need them beyond their presence.
    for variable, value in {"JSMOPS_BASE_URL": "http://127.0.0.1:9", "JSMOPS_CLOUD_ID": "c",
                            "JSMOPS_EMAIL": "e@example.com", "JSMOPS_API_TOKEN": "t"}.items():
        monkeypatch.setenv(variable, value)
    provider = ScheduleProvider()
    reason = reserved_name_reason(name)
    # As the Schedule resource hands it over (a list: it never makes such a name a key)...
    assert [f.reason for f in provider.check({}, program("weekly", name)).failures] == [f"rotations[1].name: {reason}"]
    # ...also while other values are not known yet (a preview)...
    unknown = {**program("weekly", name), "description": Unknown()}
    assert [f.reason for f in provider.check({}, unknown).failures] == [f"rotations[1].name: {reason}"]
    # ...and keyed by name (a dict given as `rotations`): `__provider` is not dropped as the provider's key.
    keyed = {"name": "Support", "rotations": {name: {k: v for k, v in WEEKLY.items() if k != "name"}}}
    assert [f.reason for f in provider.check({}, keyed).failures] == [f"rotations[0].name: {reason}"]


def test_a_schedule_the_service_holds_with_reserved_names_reads_back_as_a_list() -> None:
    schedule = parse_api_schedule(held_by_service("weekly", *RESERVED))
    for form in (schedule.to_outputs(), schedule.to_canonical_inputs()):
        assert isinstance(form["rotations"], list)
        assert sorted(rotation["name"] for rotation in form["rotations"]) == sorted(["weekly", *RESERVED])
        assert not has_reserved_name(keys(form))  # no reserved name is a key anywhere
        assert Schedule.model_validate(form).to_inputs() == schedule.to_inputs()  # reads back the same
    assert Schedule.model_validate(schedule.to_outputs()) == schedule
    ids = {rotation["name"]: rotation["id"] for rotation in schedule.to_outputs()["rotations"]}
    assert ids == {name: f"r-{index}" for index, name in enumerate(["weekly", *RESERVED])}
    # A program cannot declare it: `jsmops import` refuses it in one line naming the rotation.
    with pytest.raises(ImportFailed) as refused:
        declarable(held_by_service("weekly", PROVIDER_KEY))
    assert str(refused.value) == (f"schedule 'Support' (s-1) cannot be declared as it is: rotations[0].name: "
                                  f"{reserved_name_reason(PROVIDER_KEY)}")


def test_the_next_up_removes_a_reserved_rotation_and_keys_the_rest_by_name() -> None:
    current = Schedule.model_validate(user_inputs(parse_api_schedule(held_by_service("weekly", PROVIDER_KEY))
                                                  .to_outputs()))
    desired = parse_user_schedule(program("weekly"))
    assert plan_update(current, desired) == [DeleteRotation(rotation_id="r-1", name=PROVIDER_KEY)]
    assert ScheduleProvider().diff("s-1", current.to_outputs(), desired.to_canonical_inputs()).changes is True
    assert list(desired.to_outputs()["rotations"]) == ["weekly"]


def test_a_state_keyed_by_a_reserved_name_still_shows_it() -> None:
    """A state an earlier version refreshed keys a `__provider` rotation by name: only the
    top-level `__provider` (the serialized provider) is left out, so the diff sees the rotation."""
    rotation = {"id": "r-9", "type": "weekly", "length": 1, "start_date": "2026-01-05T08:00:00Z"}
    outputs = {PROVIDER_KEY: "serialized", "id": "s-1", "name": "Support", "rotations": {PROVIDER_KEY: rotation}}
    assert user_inputs(outputs) == {"id": "s-1", "name": "Support", "rotations": {PROVIDER_KEY: rotation}}
    assert [r.name for r in Schedule.model_validate(user_inputs(outputs)).rotations] == [PROVIDER_KEY]


def test_the_program_never_makes_a_reserved_name_a_key() -> None:
    """The Schedule resource keys rotations by name for the engine, except when a name is
    reserved (the engine would fail on the signature key before `check` could name it)."""
    weekly = {k: v for k, v in WEEKLY.items() if k != "name"}
    assert _keyed_by_name([WEEKLY], ["rotations.weekly.length"]) == ({"weekly": weekly}, [])
    for name in RESERVED:
        rotations = [WEEKLY, {**WEEKLY, "name": name}]
        assert _keyed_by_name(rotations, ["rotations.weekly.length"]) == (rotations, [])


def test_an_override_is_told_no_rotations_of_a_schedule_with_a_reserved_name() -> None:
    """The override's hidden input keys the schedule's rotations by name: with a reserved name
    there is none (the provider reads the rotations at `up`), keyed or listed."""
    outputs = parse_api_schedule(held_by_service("weekly", "nights")).to_outputs()["rotations"]
    assert rotation_ids_by_name(outputs) == {"nights": {"id": "r-1"}, "weekly": {"id": "r-0"}}
    for name in RESERVED:
        listed = parse_api_schedule(held_by_service("weekly", name)).to_outputs()["rotations"]
        assert rotation_ids_by_name(listed) is None
        assert rotation_ids_by_name({"weekly": {"id": "r-0"}, name: {"id": "r-1"}}) is None
