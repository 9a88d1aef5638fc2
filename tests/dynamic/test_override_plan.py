"""What the provider of overrides decides without a request: the checks with the schedule's
rotations as the program knows them, when a change is one (and a replacement), what an
edit sends, ended overrides, and rotation names and ids both ways."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from pulumi.runtime import rpc

from pulumi_jsmops.api.overrides import parse_held_override
from pulumi_jsmops.dynamic.base import is_unknown
from pulumi_jsmops.dynamic.override_plan import (
    SCHEDULE_ROTATIONS,
    MadeHere,
    RotationNotFound,
    check_override,
    ids_by_name,
    is_made_anew,
    known_rotations,
    names_by_id,
    override_diff,
    resolved_ids,
    sends_delete,
    sends_put,
)

NOW = datetime(2030, 6, 1, tzinfo=timezone.utc)
DECLARED = {"schedule_id": "s-1", "responder": {"type": "user", "id": "bob"},
            "start_date": "2030-12-24T09:00:00+01:00", "end_date": "2030-12-27T09:00:00+01:00",
            "rotations": ["primary"]}
KNOWN = {"primary": {"id": "r-1"}, "secondary": {"id": "r-2"}}
# The outputs after the create of DECLARED: canonical, with the service's alias and ids.
HELD = {"schedule_id": "s-1", "responder": {"type": "user", "id": "bob"}, "start_date": "2030-12-24T08:00:00Z",
        "end_date": "2030-12-27T08:00:00Z", "rotations": ["primary"], "alias": "a-1", "rotation_ids": ["r-1"]}
ENDED = {**HELD, "start_date": "2029-12-24T08:00:00Z", "end_date": "2029-12-27T08:00:00Z"}


def diff(olds: dict[str, Any], news: dict[str, Any], now: datetime = NOW) -> tuple[bool, list[str]]:
    canonical, problems = check_override(news, is_unknown)
    assert problems == []
    return override_diff(olds, canonical, is_unknown, now)


def test_check_knows_the_rotation_names_of_the_schedule_in_the_program() -> None:
    _, problems = check_override({**DECLARED, "rotations": ["primary", "nights"], SCHEDULE_ROTATIONS: KNOWN},
                                 is_unknown)
    assert problems == [("rotations[1]", "the schedule has no rotation named 'nights' "
                                         "(its rotations: 'primary', 'secondary')")]
    # Known names with ids not known yet (a preview of the schedule being changed) are checked too.
    _, problems = check_override({**DECLARED, "rotations": ["nights"], SCHEDULE_ROTATIONS: {"primary": {}}},
                                 is_unknown)
    assert problems == [("rotations[0]", "the schedule has no rotation named 'nights' (its rotations: 'primary')")]
    # Without them (a schedule by id), or while they are not known, names are not checked.
    assert check_override({**DECLARED, "rotations": ["nights"]}, is_unknown)[1] == []
    assert check_override({**DECLARED, "rotations": ["nights"], SCHEDULE_ROTATIONS: rpc.UNKNOWN}, is_unknown)[1] == []


def test_check_puts_known_inputs_in_canonical_form_and_leaves_unknown_ones() -> None:
    canonical, _ = check_override({**DECLARED, SCHEDULE_ROTATIONS: KNOWN}, is_unknown)
    assert canonical == {**{k: v for k, v in HELD.items() if k not in ("alias", "rotation_ids")},
                         SCHEDULE_ROTATIONS: KNOWN}
    pending = {**DECLARED, "schedule_id": rpc.UNKNOWN, "responder": {"type": "team"}}
    _, problems = check_override(pending, is_unknown)
    assert [path for path, _ in problems] == ["responder.type"]  # known parts are still checked
    assert check_override({**DECLARED, "schedule_id": rpc.UNKNOWN}, is_unknown) == (
        {**DECLARED, "schedule_id": rpc.UNKNOWN}, [])


def test_no_change_for_the_same_override_in_any_equivalent_form() -> None:
    assert diff(HELD, {**DECLARED, SCHEDULE_ROTATIONS: KNOWN}) == (False, [])
    assert diff(HELD, {**DECLARED, "start_date": "2030-12-24T08:00:00Z"}) == (False, [])  # ids as held


def test_changes_and_replacements() -> None:
    assert diff(HELD, {**DECLARED, "responder": {"type": "noone"}}) == (True, [])
    assert diff(HELD, {**DECLARED, "rotations": ["primary", "secondary"]}) == (True, [])
    assert diff(HELD, {**DECLARED, "rotations": None}) == (True, [])  # all rotations
    assert diff(HELD, {**DECLARED, "schedule_id": "s-2"}) == (True, ["schedule_id"])
    # A schedule id not known yet: the schedule is being replaced, and so may the override.
    assert override_diff(HELD, {**DECLARED, "schedule_id": rpc.UNKNOWN}, is_unknown, NOW) == (True, ["schedule_id"])
    assert override_diff(HELD, {**DECLARED, "responder": rpc.UNKNOWN}, is_unknown, NOW) == (True, [])


def test_a_rotation_replaced_in_the_program_is_a_change_once_its_new_id_is_known() -> None:
    assert diff(HELD, {**DECLARED, SCHEDULE_ROTATIONS: {"primary": {"id": "r-9"}}}) == (True, [])
    assert diff(HELD, {**DECLARED, SCHEDULE_ROTATIONS: {"primary": {}}}) == (False, [])  # a preview: ids as held


def test_ended_overrides_are_history() -> None:
    ended_inputs = {**DECLARED, "start_date": "2029-12-24T09:00:00+01:00", "end_date": "2029-12-27T09:00:00+01:00"}
    # New ids of its rotations do not matter any more; an edit is a change of the state only.
    assert diff(ENDED, {**ended_inputs, SCHEDULE_ROTATIONS: {"primary": {"id": "r-9"}}}) == (False, [])
    edited = {**ended_inputs, "responder": {"type": "noone"}}
    assert diff(ENDED, edited) == (True, [])
    current, desired = parse_held_override(ENDED), parse_held_override({**ENDED, "responder": {"type": "noone"}})
    assert not sends_put(current, desired, NOW) and not sends_delete(current, NOW)
    # Moved back into the future, it is made anew (a replacement: it gets a new alias).
    assert diff(ENDED, DECLARED) == (True, ["start_date", "end_date"])
    assert is_made_anew(current, parse_held_override(HELD), NOW)
    # One that has not ended is edited with a PUT, even into the past, and deleted with a DELETE.
    live = parse_held_override(HELD)
    assert sends_put(live, desired, NOW) and sends_delete(live, NOW)
    assert not is_made_anew(live, desired, NOW)
    # One never made (declared after it had ended) has no alias: nothing to send, ever.
    never = parse_held_override({**ENDED, "alias": None, "rotation_ids": None})
    assert not sends_put(never, desired, NOW) and not sends_delete(never, NOW)
    assert is_made_anew(never, live, NOW)
    assert diff({**ENDED, "alias": None, "rotation_ids": None}, {**ended_inputs, SCHEDULE_ROTATIONS: KNOWN}) == (
        False, [])


def test_resolved_ids_come_from_the_program_only_when_all_are_known() -> None:
    known = known_rotations(KNOWN, is_unknown)
    assert resolved_ids(None, None) == (True, None)  # all rotations need no ids
    assert resolved_ids(["secondary", "primary"], known) == (True, ["r-2", "r-1"])
    assert resolved_ids(["primary"], None) == (False, None)
    assert resolved_ids(["primary"], known_rotations({"primary": {}}, is_unknown)) == (False, None)
    assert known_rotations(rpc.UNKNOWN, is_unknown) is None and known_rotations(None, is_unknown) is None


def test_names_and_ids_from_the_schedules_rotations_as_listed() -> None:
    listed = [{"id": "r-1", "name": "primary"}, {"id": "r-2", "name": "nights"}, {"id": "r-3", "name": "nights"}]
    assert ids_by_name(["nights", "primary"], listed, "s-1") == ["r-2", "r-1"]  # the first of one name
    with pytest.raises(RotationNotFound, match=r"rotations\[1\]: schedule s-1 has no rotation named 'days' "
                                               r"\(its rotations: 'nights', 'primary'\)"):
        ids_by_name(["primary", "days"], listed, "s-1")
    assert names_by_id(["r-3", "r-gone"], listed) == ["nights", "(deleted rotation r-gone)"]


def test_a_schedule_made_here_has_only_the_overrides_made_here() -> None:
    made = MadeHere()
    made.add_override("elsewhere", "a-0")
    assert made.overrides_of("elsewhere") is None  # not made here: its overrides are listed
    made.add_schedule("s-1")
    assert made.overrides_of("s-1") == set()
    made.add_override("s-1", "a-1")
    assert made.overrides_of("s-1") == {"a-1"}
