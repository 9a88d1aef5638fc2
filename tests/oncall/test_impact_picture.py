"""The picture's colours and gaps (`oncall/picture.py`): a person keeps one colour from run
to run, whoever else is drawn; a gap of any length is drawn at least `MIN_GAP_PX` wide."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

from pulumi_jsmops.api.models import Schedule
from pulumi_jsmops.oncall.assessment import ScheduleChange, assess
from pulumi_jsmops.oncall.picture import GAP_COLOUR, MIN_GAP_PX, colours, draw, gap_extent, lanes

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


def test_a_persons_colour_does_not_depend_on_who_else_is_drawn() -> None:
    alone = colours(["id-alice"])
    crowd = colours(["id-zed", "id-alice", "id-bob", "id-carol", "id-dave"])
    assert alone["id-alice"] == crowd["id-alice"] == colours(["id-alice", "id-bob"])["id-alice"]
    assert len(set(crowd.values())) == 5  # distinct within a picture
    # id-aaron's hash gives alice's colour too: the later id in order takes the next free one
    assert colours(["id-alice", "id-aaron"]) == {"id-aaron": alone["id-alice"], "id-alice": crowd["id-zed"]}


def test_a_short_gap_is_widened_around_its_middle_and_a_long_one_kept() -> None:
    assert gap_extent(10.0, 0.25, 1.0) == (9.625, 1.0)
    assert gap_extent(10.0, 1.5, 1.0) == (10.0, 1.5)


def schedule(**restriction: object) -> Schedule:
    """Alice on call daily (UTC), all day or within a time-of-day restriction."""
    rotation: dict[str, object] = {"name": "day", "type": "daily", "start_date": "2026-11-30T00:00:00Z",
                                   "participants": [{"type": "user", "id": "id-alice"}]}
    if restriction:
        rotation["time_restriction"] = {"type": "time-of-day", "restriction": restriction}
    return Schedule.model_validate({"name": "Support", "timezone": "UTC", "rotations": [rotation]})


def test_a_thirty_minute_gap_in_two_weeks_is_drawn_visibly(tmp_path: Path) -> None:
    """Alice's day cut to 00:00–23:30 opens 30-minute gaps (about 1.5 px in 14 days at 980 px)."""
    after = schedule(start_hour=0, start_min=0, end_hour=23, end_min=30)
    impact = assess(ScheduleChange("support", "update", "s1", schedule(), after), NOW, 14)
    assert impact.new_gaps and impact.new_gaps[0].end - impact.new_gaps[0].start == timedelta(minutes=30)
    picture = tmp_path / "gaps.svg"
    draw([impact], NOW, picture, {"id-alice": "alice"})
    svg = picture.read_text()
    gaps = re.findall(r'<path d="([^"]+)" clip-path="[^"]+" style="fill: ' + GAP_COLOUR + '"', svg)  # not the legend
    widths = [max(xs) - min(xs) for xs in ([float(x) for x in re.findall(r"[ML] ([\d.]+) ", d)] for d in gaps)]
    assert len(widths) == len(impact.new_gaps), (len(widths), len(impact.new_gaps))
    assert min(widths) >= MIN_GAP_PX * 0.72 * 0.99, widths  # an SVG point is 0.72 px here


def test_lanes_come_in_the_declared_order_not_by_name() -> None:
    """The program declares 'weekly' before 'backup' (the models keep rotations by name); the
    state keeps the declared order of each side; a rotation it leaves out comes last."""
    def rotation(name: str, who: str) -> dict[str, object]:
        return {"name": name, "type": "weekly", "start_date": "2026-11-30T00:00:00Z",
                "participants": [{"type": "user", "id": who}]}

    before = Schedule.model_validate({"name": "Support", "timezone": "UTC",
                                      "rotations": [rotation("weekly", "id-alice"), rotation("backup", "id-bob")]})
    after = Schedule.model_validate({"name": "Support", "timezone": "UTC", "rotations": [
        rotation("weekly", "id-carol"), rotation("backup", "id-bob"), rotation("again", "id-dave")]})
    assert [r.name for r in after.rotations] == ["again", "backup", "weekly"]  # the model's order: by name
    change = ScheduleChange("support", "update", "s1", before, after, order_before=("weekly", "backup"),
                            order_after=("weekly", "backup"))
    impact = assess(change, NOW, 1)
    assert [label for label, _tl, _index in lanes(impact)] == [
        "before · weekly", "before · backup", "before · final",
        "after · weekly", "after · backup", "after · again", "after · final"]
    # The service's own order (a schedule read from it) is kept the same way; none given: by name.
    unordered = assess(ScheduleChange("support", "update", "s1", before, after), NOW, 1)
    assert [label for label, _tl, _index in lanes(unordered)][:3] == ["before · backup", "before · weekly",
                                                                      "before · final"]
