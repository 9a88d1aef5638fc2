"""The declared order of a schedule's rotations (`__rotation_order`, which the `Schedule`
resource adds beside rotations keyed by name): `check` keeps it in the checked inputs, where
`jsmops impact` reads it, and it decides nothing: the models never see it and another order
is no change."""

from __future__ import annotations

from typing import Any

from pulumi.output import Unknown

from pulumi_jsmops.dynamic.base import ROTATION_ORDER, rotation_order, user_inputs
from pulumi_jsmops.provider import ScheduleProvider

SETTINGS = {"jsmops:cloudId": "c", "jsmops:email": "e@example.com", "jsmops:apiToken": "t"}


def rotation(who: str) -> dict[str, Any]:
    return {"type": "weekly", "start_date": "2026-01-05T09:00:00Z", "participants": [{"type": "user", "id": who}]}


KEYED = {"name": "Ops", "timezone": "UTC", "rotations": {"weekly": rotation("alice"), "backup": rotation("bob")}}


def provider() -> ScheduleProvider:
    found = ScheduleProvider()
    found._config_get = SETTINGS.get  # type: ignore[attr-defined]  # what `configure` keeps
    return found


def test_check_keeps_the_declared_order_beside_the_checked_inputs() -> None:
    checked = provider().check({}, {**KEYED, ROTATION_ORDER: ["weekly", "backup"]})
    assert checked.failures == [] and checked.inputs[ROTATION_ORDER] == ["weekly", "backup"]
    assert rotation_order(checked.inputs) == ("weekly", "backup")
    assert ROTATION_ORDER not in provider().check({}, KEYED).inputs  # none given (a list, or an older program)
    pending = {**KEYED, "description": Unknown(), ROTATION_ORDER: ["weekly", "backup"]}
    assert provider().check({}, pending).inputs[ROTATION_ORDER] == ["weekly", "backup"]


def test_the_order_is_no_input_of_the_schedule_and_no_change() -> None:
    assert ROTATION_ORDER not in user_inputs({**KEYED, ROTATION_ORDER: ["backup", "weekly"]})
    checked = provider().check({}, {**KEYED, ROTATION_ORDER: ["weekly", "backup"]}).inputs
    outputs = {**checked, "id": "s-1", "rotations": {name: {**value, "id": f"r-{name}"}
                                                     for name, value in checked["rotations"].items()}}
    assert provider().diff("s-1", outputs, {**KEYED, ROTATION_ORDER: ["backup", "weekly"]}).changes is False
    assert rotation_order({ROTATION_ORDER: "weekly"}) == () and rotation_order({}) == ()
