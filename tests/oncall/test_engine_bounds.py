"""The on-call engine's work is bounded, counted in intervals (never timed): the worst window
`jsmops` allows (366 days) on the heaviest schedules stops after at most `MAX_WORK`
intervals; what it accepts never holds more; turns too long for the calendar are handled;
the picture refuses more than `MAX_BARS` bars; gaps are subtracted in one pass."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_jsmops.api.models import INT32_MAX, Schedule, parse_user_schedule
from pulumi_jsmops.cli.main import MAX_DAYS
from pulumi_jsmops.errors import JsmOpsError
from pulumi_jsmops.oncall import engine
from pulumi_jsmops.oncall.assessment import ScheduleChange, Span, _subtract, assess
from pulumi_jsmops.oncall.engine import MAX_WORK, OverrideWindow, Responder, WindowTooLarge, timeline
from pulumi_jsmops.oncall.picture import MAX_BARS, bars, check_size

NOW = datetime(2026, 2, 1, tzinfo=timezone.utc)
END = NOW + timedelta(days=MAX_DAYS)


def schedule(rotations: int, kind: str = "hourly", length: int = 1, people: int = 3, stagger_hours: int = 0,
             restriction: dict[str, Any] | None = None) -> Schedule:
    start = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
    return parse_user_schedule({"name": "heavy", "team_id": "t", "timezone": "Europe/Berlin", "rotations": [
        {"name": f"r{n}", "type": kind, "length": length,
         "start_date": (start + timedelta(hours=n * stagger_hours % 168)).isoformat(),
         "participants": [{"type": "user", "id": f"p{n}-{k}"} for k in range(people)] + [{"type": "noone"}],
         **({"time_restriction": restriction} if restriction else {})}
        for n in range(rotations)]})


@pytest.fixture
def spent(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The intervals each timeline made, counted where the engine counts them."""
    counts: list[int] = []
    original_init, original_spend = engine._Budget.__init__, engine._Budget.spend

    def init(self: engine._Budget) -> None:
        original_init(self)
        counts.append(0)

    def spend(self: engine._Budget, count: int = 1) -> None:
        counts[-1] += count
        original_spend(self, count)

    monkeypatch.setattr(engine._Budget, "__init__", init)
    monkeypatch.setattr(engine._Budget, "spend", spend)
    yield counts


HEAVIEST = {
    "500 hourly rotations of 1,000 people": schedule(500, people=1000),
    "500 weekly rotations, staggered by an hour": schedule(500, kind="weekly", stagger_hours=1),
    "500 daily rotations restricted to the evening": schedule(
        500, kind="daily", stagger_hours=1,
        restriction={"type": "time-of-day", "restriction": {"start_hour": 18, "start_min": 0, "end_hour": 23,
                                                            "end_min": 0}}),
}


@pytest.mark.parametrize("name", list(HEAVIEST))
def test_the_worst_window_stops_at_the_bound(spent: list[int], name: str) -> None:
    with pytest.raises(WindowTooLarge):
        timeline(HEAVIEST[name], NOW, END)
    # stopped by the step that crossed the bound: at most a slice of all 500 rotations
    assert len(spent) == 1 and MAX_WORK < spent[0] <= MAX_WORK + 501


def test_many_overrides_count_too(spent: list[int]) -> None:
    """Overrides that each cut every rotation: the pieces they make are counted."""
    overrides = [OverrideWindow(NOW + timedelta(hours=h), NOW + timedelta(hours=h, minutes=30), Responder("user", "x"))
                 for h in range(0, 24 * MAX_DAYS, 2)]
    with pytest.raises(WindowTooLarge):
        timeline(schedule(40, kind="weekly"), NOW, END, overrides)
    assert len(spent) == 1 and MAX_WORK < spent[0] <= MAX_WORK + 4  # an override cuts one piece in three


@settings(max_examples=25, deadline=None)
@given(rotations=st.integers(1, 30), kind=st.sampled_from(["hourly", "daily", "weekly"]), length=st.integers(1, 4),
       stagger=st.integers(0, 5), days=st.integers(1, MAX_DAYS))
def test_what_is_accepted_holds_no_more_than_the_bound(rotations: int, kind: str, length: int, stagger: int,
                                                       days: int) -> None:
    """Periods plus everyone on call at each slice of the final layer: never above MAX_WORK."""
    try:
        found = timeline(schedule(rotations, kind, length, stagger_hours=stagger), NOW, NOW + timedelta(days=days))
    except WindowTooLarge:
        return
    held = sum(len(lane.periods) for lane in found.rotations) + sum(len(part.responders) for part in found.final)
    assert held <= MAX_WORK


def test_a_window_too_large_is_a_problem_of_its_schedule_not_an_error() -> None:
    heavy = HEAVIEST["500 hourly rotations of 1,000 people"]
    impact = assess(ScheduleChange("heavy", "update", "s-1", heavy, heavy), NOW, MAX_DAYS)
    assert impact.problem == (f"the window needs more than {MAX_WORK:,} on-call intervals (shifts, restriction "
                              "windows and who is on call in each): look at fewer days")
    assert isinstance(WindowTooLarge(), JsmOpsError)


@pytest.mark.parametrize("kind", ["hourly", "daily", "weekly"])
def test_turns_longer_than_the_calendar(kind: str) -> None:
    """A length of 2147483647 (the API's largest): one turn covers the window, the next
    would be after the year 9999; a start date keeping the turns would be before the year 1."""
    before = schedule(1, kind, INT32_MAX, people=2)
    after = before.model_copy(update={"rotations": [before.rotations[0].model_copy(update={
        "participants": list(reversed(before.rotations[0].participants[:2]))})]})
    found = timeline(before, NOW, END)
    [period] = found.rotations[0].periods
    assert (period.start, period.end, period.responder) == (NOW, END, Responder("user", "p0-0"))
    impact = assess(ScheduleChange("heavy", "update", "s-1", before, after), NOW, MAX_DAYS)
    assert impact.problem is None and impact.start_dates == ()
    assert impact.now_before == ("p0-0",) and impact.now_after == ("p0-1",)


def test_the_picture_refuses_more_bars_than_it_shows() -> None:
    hourly = schedule(1, people=2)
    fewer = hourly.model_copy(update={"rotations": [hourly.rotations[0].model_copy(update={
        "participants": hourly.rotations[0].participants[:2]})]})
    year = assess(ScheduleChange("hourly", "update", "s-1", hourly, fewer), NOW, MAX_DAYS)
    assert bars([year]) > MAX_BARS
    with pytest.raises(JsmOpsError, match=f"--picture: the window has {bars([year]):,} bars to draw"):
        check_size([year])
    fortnight = assess(ScheduleChange("hourly", "update", "s-1", hourly, fewer), NOW, 14)
    assert 0 < bars([fortnight]) <= MAX_BARS
    check_size([fortnight])


def _naive_subtract(spans: list[Span], minus: list[Span]) -> set[datetime]:
    """The half hours of `spans` that no span of `minus` covers."""
    step = timedelta(minutes=30)
    points = {s.start + k * step for s in spans for k in range(int((s.end - s.start) / step))}
    return {p for p in points if not any(m.start <= p < m.end for m in minus)}


def _spans(draw: st.DrawFn) -> list[Span]:
    cuts = sorted(set(draw(st.lists(st.integers(0, 200), max_size=20))))
    pairs = list(zip(cuts[::2], cuts[1::2], strict=False))
    return [Span(NOW + timedelta(minutes=30 * a), NOW + timedelta(minutes=30 * b)) for a, b in pairs]


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_gaps_are_subtracted_in_one_pass(data: st.DataObject) -> None:
    spans, minus = _spans(data.draw), _spans(data.draw)
    result = _subtract(spans, minus)
    assert _naive_subtract(result, []) == _naive_subtract(spans, minus)
    assert all(a.end <= b.start for a, b in zip(result, result[1:], strict=False))
