"""The impact report's wording, exactly (`oncall/report.py`, pure): recurring changes said
once with their days (never as a weekly pattern), nothing cut in markdown (a long list is
folded into <details>), the window's end is not shown as a boundary, and a start date is
proposed or the report says why none keeps the turns."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

from pulumi_jsmops.api.models import Schedule
from pulumi_jsmops.oncall.assessment import Difference, ScheduleChange, ScheduleImpact, Span, assess
from pulumi_jsmops.oncall.report import render_markdown, render_text, report_json, summary

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
DAY = timedelta(days=1)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A time of December 2026, UTC (the schedules here are in UTC)."""
    return datetime(2026, 12, day, hour, minute, tzinfo=timezone.utc)


def impact(**fields: object) -> ScheduleImpact:
    return ScheduleImpact("support", "Customer Support", "update", "UTC", NOW, NOW + 14 * DAY, **fields)  # type: ignore[arg-type]


def test_gaps_on_scattered_days_name_their_dates_not_weekdays() -> None:
    gaps = tuple(Span(at(day, 8), at(day, 8, 30)) for day in (3, 9, 15))
    assert summary(impact(new_gaps=gaps)) == (
        "Customer Support: 08:00–08:30 on Thu 2026-12-03, Wed 2026-12-09, Tue 2026-12-15 nobody on call (new)")


def test_a_daily_change_is_said_once_with_its_count_and_nothing_is_cut() -> None:
    nights = tuple(Difference(at(day, 23, 30), at(day + 1, 0), ("bob",), ()) for day in range(1, 15))
    weekdays = tuple(Span(at(day, 20), at(day, 22)) for day in (1, 2, 3, 4, 7, 8, 9, 10, 11))
    handovers = tuple(at(day, 22) for day in (1, 2, 3, 4, 7, 8, 9, 10, 11))
    shown = impact(differences=nights, new_gaps=weekdays, handovers_after=handovers, now_before=("bob",),
                   now_after=("bob",))
    assert render_text([shown], NOW, 14) == """\
On-call impact over 14 days from 2026-12-01 12:00 UTC:

Customer Support: weekdays 20:00–22:00, 9 times from Tue 2026-12-01 to Fri 2026-12-11 nobody on call (new)
  (update of support; times in UTC)
  now: bob (unchanged)
  gaps: weekdays 20:00–22:00, 9 times from Tue 2026-12-01 to Fri 2026-12-11: nobody on call (new)
  who is on call changes: daily 23:30–00:00, 14 times from Tue 2026-12-01 to Mon 2026-12-14: bob off
  handovers 0 → 9: weekdays 22:00, 9 times from Tue 2026-12-01 to Fri 2026-12-11 (new)
"""


def test_the_windows_end_is_not_a_boundary() -> None:
    cut = (Difference(at(14, 9), NOW + 14 * DAY, ("alice",), ("bob",)),)
    gap = (Span(at(15, 8), NOW + 14 * DAY),)
    text = render_text([impact(differences=cut, new_gaps=gap, now_before=("alice",), now_after=("alice",))], NOW, 14)
    assert text.splitlines()[2:] == [
        "Customer Support: from Tue 2026-12-15 08:00 on nobody on call (new)",
        "  (update of support; times in UTC)",
        "  now: alice (unchanged)",
        "  gaps: from Tue 2026-12-15 08:00 on: nobody on call (new)",
        "  who is on call changes: from Mon 2026-12-14 09:00 on: alice → bob",
    ]


def test_markdown_folds_a_long_list_into_details_and_keeps_every_item() -> None:
    one_offs = tuple(Difference(at(day, day), at(day, day + 1), ("carol",), ()) for day in range(2, 12))
    lines = render_markdown([impact(differences=one_offs, now_before=("carol",), now_after=("carol",))],
                            NOW, 14).splitlines()
    assert lines[lines.index("- **now**: carol (unchanged)"):] == [
        "- **now**: carol (unchanged)",
        "- **who is on call changes** (10)",
        "",
        "  <details><summary>show all</summary>",
        "",
        *[f"  - {at(day, 0):%a %Y-%m-%d} {day:02}:00–{day + 1:02}:00: carol off" for day in range(2, 12)],
        "",
        "  </details>",
    ]


def rotation_of(*people: str) -> dict[str, object]:
    return {"name": "primary", "type": "weekly", "start_date": "2026-11-30T09:00:00Z",
            "participants": [{"type": "user", "id": f"id-{p}"} for p in people]}


def test_removing_the_person_on_call_says_why_no_start_date_keeps_the_turns() -> None:
    """alice has the turn now (week 1 of alice, bob, carol); without her, none keeps it."""
    before, after = (Schedule.model_validate({"name": "Support", "timezone": "UTC", "rotations": [rotation]})
                     for rotation in (rotation_of("alice", "bob", "carol"), rotation_of("bob", "carol")))
    labels = {"id-alice": "alice", "id-bob": "bob", "id-carol": "carol"}
    shown = assess(ScheduleChange("support", "update", "s1", before, after), NOW, 14, labels=labels)
    assert render_text([shown], NOW, 14).splitlines()[-1] == (
        "  rotation 'primary': start_date 2026-11-30T09:00:00+00:00 gives the turns a new order; "
        "no start_date keeps them: alice, on call now, is no longer a participant")
    assert report_json([shown], NOW, 14, labels)["schedules"][0]["start_dates"] == [{
        "rotation": "primary", "holder": "alice", "start_date": "2026-11-30T09:00:00+00:00", "keeps_turns": None,
        "why_none": "alice, on call now, is no longer a participant"}]


def test_a_team_and_an_escalation_are_named_with_their_kind() -> None:
    def support(*participants: tuple[str, str]) -> Schedule:
        rotation = {"name": "primary", "type": "weekly", "start_date": "2026-11-30T09:00:00Z",
                    "participants": [{"type": kind, "id": ident} for kind, ident in participants]}
        return Schedule.model_validate({"name": "Support", "timezone": "UTC", "rotations": [rotation]})

    labels = {"id-alice": "alice", "id-data": "data", "id-data-esc": "data"}
    shown = assess(ScheduleChange("support", "update", "s1", support(("user", "id-alice")),
                                  support(("team", "id-data"), ("escalation", "id-data-esc"))), NOW, 14, labels=labels)
    assert summary(shown) == "Support: now alice → team data"
    assert report_json([shown], NOW, 14, labels)["participants"] == {
        "alice": {"type": "user", "id": "id-alice"}, "escalation data": {"type": "escalation", "id": "id-data-esc"},
        "team data": {"type": "team", "id": "id-data"}}


def test_two_saturdays_are_said_once_with_both_dates() -> None:
    """The demo's change: Saturday coverage starts at 08:00 instead of 00:00."""
    saturdays = (5, 12)
    shown = impact(new_gaps=tuple(Span(at(day, 0), at(day, 8)) for day in saturdays),
                   handovers_before=tuple(at(day, 0) for day in saturdays),
                   handovers_after=tuple(at(day, 8) for day in saturdays), now_before=("bob",), now_after=("bob",))
    assert render_text([shown], NOW, 14).splitlines()[2:] == [
        "Customer Support: 00:00–08:00 on Sat 2026-12-05, Sat 2026-12-12 nobody on call (new)",
        "  (update of support; times in UTC)",
        "  now: bob (unchanged)",
        "  gaps: 00:00–08:00 on Sat 2026-12-05, Sat 2026-12-12: nobody on call (new)",
        "  handovers 2 → 2:",
        "    00:00 on Sat 2026-12-05, Sat 2026-12-12 (no longer)",
        "    08:00 on Sat 2026-12-05, Sat 2026-12-12 (new)",
    ]


def test_a_window_of_one_day_is_said_in_the_singular() -> None:
    assert render_text([], NOW, 1).splitlines()[0] == "On-call impact over 1 day from 2026-12-01 12:00 UTC:"
    assert render_markdown([], NOW, 1).splitlines()[0] == "### On-call impact over 1 day from 2026-12-01 12:00 UTC"
    assert render_text([], NOW, 2).splitlines()[0] == "On-call impact over 2 days from 2026-12-01 12:00 UTC:"


def test_an_up_known_to_fail_says_so_first_in_each_form() -> None:
    fails = "this `up` will fail with 409: 'db' is 'database' renamed without `aliases`"
    swap = Difference(NOW, NOW + 14 * DAY, ("alice",), ("bob",), ("bob added to rotation 'main'",))
    shown = dataclasses.replace(impact(fails=fails, now_before=("alice",), now_after=("bob",), differences=(swap,)),
                                operation="rename")
    assert render_text([shown], NOW, 14).splitlines()[2:6] == [
        f"Customer Support: {fails}",
        "  with the alias, now alice → bob",
        "  (rename of support; times in UTC)",
        "  now: alice → bob",
    ]
    assert render_markdown([shown], NOW, 14).splitlines()[2:9] == [
        f"- Customer Support: {fails}",
        "",
        "#### Customer Support",
        "",
        "`support` (rename), times in UTC",
        "",
        "**This `up` will fail with 409: 'db' is 'database' renamed without `aliases`.**",
    ]
    assert report_json([shown], NOW, 14, {})["schedules"][0]["fails"] == fails
