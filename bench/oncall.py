"""How long the on-call engine takes: a year of timeline for a schedule of 10 rotations.

    .venv/bin/python -m bench.oncall [--repeat 5] [--days 365]

The rotations mix what costs most: hourly shifts of 1 to 8 hours (thousands of shifts
each), daily and weekly ones cut by restrictions that cross midnight and the end of the
week, a `noone` slot, an end date, in a zone with daylight saving, plus overrides. Prints
the median and the slowest of the runs, and how many periods and final-layer slices the
year has. (Timings are reported here, never asserted in tests.)
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import datetime, timedelta, timezone

from pulumi_jsmops.api.models import Schedule, parse_user_schedule
from pulumi_jsmops.oncall.engine import OverrideWindow, Responder, timeline


def users(*names: str) -> list[dict[str, str]]:
    return [{"type": "user", "id": name} for name in names]


def weekly_windows(pairs: list[tuple[str, int, str, int]]) -> dict[str, object]:
    return {"type": "weekday-and-time-of-day", "restrictions": [
        {"start_day": a, "start_hour": h, "start_min": 0, "end_day": b, "end_hour": k, "end_min": 30}
        for a, h, b, k in pairs]}


def daily_window(start: int, end: int) -> dict[str, object]:
    return {"type": "time-of-day", "restriction": {"start_hour": start, "start_min": 0, "end_hour": end, "end_min": 0}}


def ten_rotations() -> Schedule:
    start = "2026-01-05T09:00:00+01:00"
    rotations = [
        {"name": "hourly 1", "type": "hourly", "length": 1, "start_date": start, "participants": users("a", "b", "c")},
        {"name": "hourly 8", "type": "hourly", "length": 8, "start_date": start,
         "participants": users("d", "e") + [{"type": "noone"}]},
        {"name": "hourly 4 nights", "type": "hourly", "length": 4, "start_date": start,
         "participants": users("f", "g"), "time_restriction": daily_window(22, 6)},
        {"name": "daily", "type": "daily", "start_date": start, "participants": users("a", "d", "f", "a")},
        {"name": "daily office", "type": "daily", "start_date": start, "participants": users("b", "e"),
         "time_restriction": daily_window(9, 17)},
        {"name": "daily evenings", "type": "daily", "length": 2, "start_date": start,
         "participants": users("c", "g"), "time_restriction": daily_window(18, 23)},
        {"name": "weekly", "type": "weekly", "start_date": start, "participants": users("a", "b", "c", "d")},
        {"name": "weekends", "type": "weekly", "start_date": start, "participants": users("e", "f"),
         "time_restriction": weekly_windows([("friday", 18, "monday", 8)])},
        {"name": "weekdays", "type": "daily", "start_date": start, "participants": users("g", "a", "b"),
         "time_restriction": weekly_windows([(d, 8, d, 18) for d in ("monday", "tuesday", "wednesday",
                                                                      "thursday", "friday")])},
        {"name": "project", "type": "weekly", "length": 2, "start_date": start,
         "end_date": "2026-09-01T09:00:00+02:00", "participants": users("c", "e")},
    ]
    return parse_user_schedule({"name": "bench", "team_id": "t", "timezone": "Europe/Berlin", "rotations": rotations})


def overrides(start: datetime, days: int) -> list[OverrideWindow]:
    return [OverrideWindow(start + timedelta(days=d, hours=3), start + timedelta(days=d, hours=30),
                           Responder("user", "z"))
            for d in range(0, days, 14)]


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--repeat", type=int, default=5)
    options.add_argument("--days", type=int, default=365)
    args = options.parse_args()
    schedule = ten_rotations()
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    end = start + timedelta(days=args.days)
    given = overrides(start, args.days)
    samples = []
    for _ in range(args.repeat):
        began = time.perf_counter()
        result = timeline(schedule, start, end, given)
        samples.append(time.perf_counter() - began)
    periods = sum(len(r.periods) for r in result.rotations)
    print(f"timeline of {len(schedule.rotations)} rotations over {args.days} days, {len(given)} overrides: "
          f"{periods} periods, {len(result.final)} final slices, {len(result.gaps)} gaps")
    print(f"median {statistics.median(samples):.3f} s, slowest {max(samples):.3f} s ({args.repeat} runs)")


if __name__ == "__main__":
    main()
