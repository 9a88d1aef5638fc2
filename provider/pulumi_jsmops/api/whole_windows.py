"""Time-restriction windows whose end equals their start.

The service reads such a window as lasting a whole cycle: around the clock for a
`time-of-day` restriction (Atlassian's documentation: an end equal to the start is a
24-hour window), and the whole week for a weekday window (the emulator's choice where the
sources are silent, `emulator/jsmops_emulator/oncall/RULES.md`). That is a valid schedule,
the same as no restriction, but rarely what `09:00`-`09:00` was meant to say: the program
warns (`whole_window_warnings`), it does not refuse, so a schedule made so elsewhere can
still be declared. Pure and light: the stack program runs it, without pydantic.
"""

from __future__ import annotations

from typing import Any

_TIMES = ("start_hour", "start_min", "end_hour", "end_min")


def whole_window_warnings(rotations: Any) -> list[str]:
    """A warning per window of the rotations (as a program gives them: a list of dicts) whose
    start and end are known and equal, naming its field path."""
    warnings = []
    for index, rotation in enumerate(rotations if isinstance(rotations, (list, tuple)) else []):
        restriction = rotation.get("time_restriction") if isinstance(rotation, dict) else None
        if not isinstance(restriction, dict):
            continue
        path = f"rotations[{index}].time_restriction"
        daily = restriction.get("restriction")
        if restriction.get("type") == "time-of-day" and _starts_where_it_ends(daily, ()):
            warnings.append(f"{path}.restriction: starts and ends at {_clock(daily)}, which the service reads as "
                            "around the clock (24 hours a day), the same as no time_restriction; give the window's "
                            "real end, or leave time_restriction out")
        weekly = restriction.get("restrictions")
        for number, window in enumerate(weekly if restriction.get("type") == "weekday-and-time-of-day"
                                        and isinstance(weekly, (list, tuple)) else []):
            if _starts_where_it_ends(window, ("start_day", "end_day")):
                warnings.append(f"{path}.restrictions[{number}]: starts and ends at {window['start_day']} "
                                f"{_clock(window)}, which the service reads as the whole week; give the window's "
                                "real end")
    return warnings


def _starts_where_it_ends(window: Any, days: tuple[str, ...]) -> bool:
    if not isinstance(window, dict):
        return False
    values = [window.get(key) for key in (*_TIMES, *days)]
    if not all(isinstance(value, (int, float, str)) and not isinstance(value, bool) for value in values):
        return False  # not known while the program runs, or not valid (the provider says so)
    start_hour, start_min, end_hour, end_min = values[:4]
    return (start_hour, start_min) == (end_hour, end_min) and (not days or values[4] == values[5])


def _clock(window: Any) -> str:
    return f"{int(window['start_hour']):02d}:{int(window['start_min']):02d}"
