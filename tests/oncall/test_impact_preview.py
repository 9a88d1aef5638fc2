"""How `jsmops impact` reads a preview: the schedules it changes, from both forms of the
checked inputs (rotations as a list, or keyed by name), and what it cannot know yet."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from pulumi.runtime import rpc

from pulumi_jsmops.cli.impact_command import changes_from_preview
from pulumi_jsmops.cli.stack_overrides import after_changes, declared_changes, unreadable_overrides
from pulumi_jsmops.oncall.assessment import assess
from pulumi_jsmops.oncall.engine import OverrideWindow
from pulumi_jsmops.oncall.report import summary

TYPE = "pulumi-python:dynamic/jsmops:Schedule"
ROTATION = {"type": "weekly", "length": 1, "start_date": "2026-01-05T08:00:00Z",
            "participants": [{"type": "user", "id": "alice"}, {"type": "user", "id": "bob"}]}


def step(op: str, name: str, old: dict[str, Any] | None, new: dict[str, Any] | None,
         id_: str = "s-1") -> dict[str, Any]:
    found: dict[str, Any] = {"op": op, "urn": f"urn:pulumi:test::p::{TYPE}::{name}"}
    if old is not None:
        found["oldState"] = {"type": TYPE, "id": id_, "inputs": {"__provider": "x", **old},
                             "outputs": {**old, "id": id_}}
    if new is not None:
        found["newState"] = {"type": TYPE, "inputs": {"__provider": "x", **new}}
    return found


def schedule(rotations: Any, **fields: Any) -> dict[str, Any]:
    return {"name": "Platform", "team_id": "t", "timezone": "Europe/Berlin", "description": "", "enabled": True,
            "rotations": rotations, **fields}


def test_rotations_as_a_list_or_keyed_by_name_read_the_same() -> None:
    listed = schedule([{"name": "primary", "id": "r-1", **ROTATION}])
    keyed = schedule({"primary": ROTATION})
    preview = {"steps": [step("update", "platform", listed, keyed), {"op": "same", "urn": "urn:x::y"}]}
    [change] = changes_from_preview(preview)
    assert change.operation == "update" and change.schedule_id == "s-1" and change.problem is None
    assert change.before is not None and change.after is not None
    assert change.before.rotations == change.after.rotations  # the rotation keeps its id
    assert change.after.rotations[0].id == "r-1"


def test_creates_deletes_and_other_types() -> None:
    preview = {"steps": [
        step("create", "new", None, schedule({"primary": ROTATION}, name="Platform Backup")),
        step("delete", "old", schedule({"primary": ROTATION}), None, id_="s-2"),
        {"op": "create", "urn": "urn:pulumi:test::p::random:index:Pet::x", "newState": {"type": "random:index:Pet"}},
    ]}
    created, deleted = changes_from_preview(preview)
    assert (created.resource, created.before is None, created.after is not None) == ("new", True, True)
    assert (deleted.resource, deleted.schedule_id, deleted.after is None) == ("old", "s-2", True)
    # One schedule name on one site, created under one resource and deleted under another: a
    # rename without `aliases`, one change assessed as the update it is with the alias.
    preview["steps"][0] = step("create", "new", None, schedule({"primary": ROTATION}))
    [renamed] = changes_from_preview(preview)
    assert (renamed.resource, renamed.operation, renamed.schedule_id) == ("new", "rename", "s-2")
    assert renamed.before is not None and renamed.after is not None and renamed.fails is not None
    assert renamed.before.rotations == renamed.after.rotations and "Alias(name=\"old\")" in renamed.fails
    # On another site, it is another schedule.
    preview["steps"][0] = step("create", "new", None, schedule({"primary": ROTATION}, site="eu"))
    assert [c.operation for c in changes_from_preview(preview)] == ["create", "delete"]


def test_unknown_inputs_are_reported_not_guessed() -> None:
    """A participant not known until the apply: not assessed, naming it."""
    unknown = {**ROTATION, "participants": [{"type": "escalation", "id": rpc.UNKNOWN}]}
    preview = {"steps": [step("update", "platform", schedule({"primary": ROTATION}), schedule({"primary": unknown}))]}
    [change] = changes_from_preview(preview)
    assert change.problem == "rotations.primary.participants[0].id is not known until the change is applied"
    impact = assess(change, datetime(2026, 1, 21, tzinfo=timezone.utc), 14)
    assert impact.problem == change.problem and not impact.has_impact
    # Named by its schedule name, its resource beside it; by the name it has when the new one is not known yet.
    assert summary(impact) == f"Platform (platform): not assessed ({change.problem})"
    renamed = step("update", "platform", schedule({"primary": ROTATION}),
                   schedule({"primary": unknown}, name=rpc.UNKNOWN))
    assert summary(assess(changes_from_preview({"steps": [renamed]})[0], impact.start, 14)) == (
        f"Platform (platform): not assessed ({change.problem})")
    created = step("create", "platform", None, schedule({"primary": unknown}, name=rpc.UNKNOWN))
    assert summary(assess(changes_from_preview({"steps": [created]})[0], impact.start, 14)) == (
        f"platform: not assessed ({change.problem})")


def test_unknown_inputs_that_do_not_decide_who_is_on_call_are_assessed() -> None:
    """An unknown description, team or name (from another resource) changes nobody's shift:
    the schedule is assessed (its name shown as not known yet)."""
    after = schedule({"primary": {**ROTATION, "participants": ROTATION["participants"][:1]}},
                     team_id=rpc.UNKNOWN, description=rpc.UNKNOWN, name=rpc.UNKNOWN)
    preview = {"steps": [step("update", "platform", schedule({"primary": ROTATION}), after)]}
    [change] = changes_from_preview(preview)
    assert change.problem is None and change.after is not None
    impact = assess(change, datetime(2026, 1, 21, tzinfo=timezone.utc), 14)
    assert impact.name == "(a name not known yet)" and impact.now_after == ("alice",) and impact.has_impact


def test_a_deleted_schedule_leaves_the_whole_window_uncovered() -> None:
    preview = {"steps": [step("delete", "old", schedule({"primary": ROTATION}), None)]}
    [change] = changes_from_preview(preview)
    now = datetime(2026, 1, 21, tzinfo=timezone.utc)
    impact = assess(change, now, 2)
    assert [(g.start, g.end) for g in impact.new_gaps] == [(now, datetime(2026, 1, 23, tzinfo=timezone.utc))]
    assert impact.now_before == ("alice",)  # the third week: alice again and impact.now_after == ()


def test_no_start_date_is_proposed_when_it_would_give_the_same_turns() -> None:
    """alice alone -> [bob, alice], weekly from 2026-01-05 09:00 (+01:00): on 2026-12-01 it
    is turn 47, alice's with either list, so the given start date keeps her until the usual
    handover; a start date one week before this turn's would be the same turns, not a fix."""
    alone = {**ROTATION, "start_date": "2026-01-05T09:00:00+01:00", "participants": [{"type": "user", "id": "alice"}]}
    both = {**alone, "participants": [{"type": "user", "id": "bob"}, {"type": "user", "id": "alice"}]}
    preview = {"steps": [step("update", "platform", schedule({"primary": alone}), schedule({"primary": both}))]}
    [change] = changes_from_preview(preview)
    impact = assess(change, datetime(2026, 12, 1, 9, tzinfo=timezone.utc), 14)
    assert (impact.now_before, impact.now_after, impact.start_dates) == (("alice",), ("alice",), ())
    assert impact.differences and impact.has_impact  # bob's turns next week are still reported


def test_a_start_date_is_proposed_when_the_turns_would_move() -> None:
    """[alice, bob] -> [bob, alice] on the same date moves who is on call now (turn 47 is
    bob's, then alice's): the proposal starts the new order with bob's shift under way."""
    pair = {**ROTATION, "start_date": "2026-01-05T09:00:00+01:00"}
    swapped = {**pair, "participants": [{"type": "user", "id": "bob"}, {"type": "user", "id": "alice"}]}
    preview = {"steps": [step("update", "platform", schedule({"primary": pair}), schedule({"primary": swapped}))]}
    [change] = changes_from_preview(preview)
    impact = assess(change, datetime(2026, 12, 1, 9, tzinfo=timezone.utc), 14)
    assert (impact.now_before, impact.now_after) == (("bob",), ("alice",))
    [proposal] = impact.start_dates
    assert (proposal.holder, proposal.keeps_turns.isoformat()) == ("bob", "2026-11-30T09:00:00+01:00")


OVERRIDE_TYPE = "pulumi-python:dynamic/jsmops:ScheduleOverride"
HOLIDAY = {"responder": {"type": "user", "id": "carol"}, "start_date": "2030-01-08T00:00:00+01:00",
           "end_date": "2030-01-09T00:00:00+01:00", "rotations": ["primary"]}


def override_step(op: str, name: str, old: dict[str, Any] | None, new: dict[str, Any] | None,
                  depends_on: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"op": op, "urn": f"urn:pulumi:test::p::{OVERRIDE_TYPE}::{name}"}
    if old is not None:
        found["oldState"] = {"type": OVERRIDE_TYPE, "id": old["alias"], "outputs": {"__provider": "x", **old}}
    if new is not None:
        found["newState"] = {"type": OVERRIDE_TYPE, "inputs": {"__provider": "x", **new},
                             "propertyDependencies": {"schedule_id": [depends_on] if depends_on else []}}
    return found


def test_override_steps_name_their_schedule_by_id_or_by_dependency() -> None:
    held = {**HOLIDAY, "schedule_id": "s-1", "start_date": "2030-01-07T23:00:00Z", "end_date": "2030-01-08T23:00:00Z",
            "alias": "a-1", "rotation_ids": ["r-1"]}
    preview = {"steps": [
        override_step("update", "holiday", held, {**HOLIDAY, "schedule_id": "s-1", "responder": {"type": "noone"}}),
        override_step("create", "fresh", None, {**HOLIDAY, "schedule_id": rpc.UNKNOWN},
                      depends_on=f"urn:pulumi:test::p::{TYPE}::new"),
        override_step("create", "pending", None, {**HOLIDAY, "schedule_id": "s-1", "responder": rpc.UNKNOWN}),
    ]}
    edited, fresh = declared_changes(preview)  # "pending" cannot be known before it is applied
    assert unreadable_overrides(preview) == ["pending"]  # and fails --fail-on-gap
    assert (edited.schedule_id, edited.schedule_resource, edited.alias) == ("s-1", None, "a-1")
    assert edited.change.before is not None and edited.change.before.rotation_names == frozenset({"primary"})
    assert edited.change.after is not None and edited.change.after.responder is None
    assert (fresh.schedule_id, fresh.schedule_resource, fresh.alias) == (None, "new", None)
    # After the change, the service's copy of the edited override gives way to the declared one.
    listed = [OverrideWindow.from_api({"alias": "a-1", "responder": {"type": "user", "id": "carol"},
                                       "startDate": "2030-01-07T23:00:00Z", "endDate": "2030-01-08T23:00:00Z"}),
              OverrideWindow.from_api({"alias": "by-hand", "responder": {"type": "noone"},
                                       "startDate": "2030-02-01T00:00:00Z", "endDate": "2030-02-02T00:00:00Z"})]
    assert [o.alias for o in after_changes(listed, [edited])] == ["by-hand", None]
