"""`jsmops impact --picture FILE`: the window before and after the change, drawn.

A panel per changed schedule, in its own time zone: one lane per rotation plus the final
layer (everyone on call, one band each), the schedule before above the schedule after,
each participant in the same colour everywhere, gaps of the final layer in red, `noone`
turns hatched grey, overrides hatched, and "now" as a vertical line. SVG or PNG by the
file's suffix (matplotlib; `pip install 'pulumi-jsmops[impact]'`). SVG keeps its text as
text, so the lane labels can be read (and searched) in the file.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Sequence
from zoneinfo import ZoneInfo

from ..errors import JsmOpsError
from .assessment import Labels, ScheduleImpact, responders
from .engine import Timeline

WIDTH_PX = 1400
DPI = 100
LANE_PX = 28
SCHEDULE_PX = 70  # a schedule's title and time axis
MARGIN_PX = 60  # the picture's title
LEFT, RIGHT = 0.17, 0.84  # the lanes' horizontal extent (the legend is on the right)
MAX_BARS = 10_000  # about 60 days of two hourly rotations, before and after (a few seconds to draw)
GAP_COLOUR = "#d62728"
NOBODY_COLOUR = "#bbbbbb"
_PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#393b79",
            "#7f7f7f", "#aec7e8", "#ffbb78", "#98df8a", "#c5b0d5", "#c49c94", "#f7b6d2", "#dbdb8d", "#9edae5"]


def colours(names: Iterable[str]) -> dict[str, str]:
    """A colour per participant, by the sorted names: the same in every lane of a picture,
    and from one run to the next for the same people (the first ten are the most distinct)."""
    return {name: _PALETTE[n % len(_PALETTE)] for n, name in enumerate(sorted(set(names)))}


def drawn(impacts: Sequence[ScheduleImpact]) -> list[ScheduleImpact]:
    """The schedules a picture shows: those whose change has an on-call impact."""
    return [i for i in impacts if i.has_impact and not i.problem]


def lanes(impact: ScheduleImpact) -> list[tuple[str, Timeline, int]]:
    """(label, timeline, rotation index or -1 for the final layer), top to bottom."""
    found = []
    for side, tl in (("before", impact.before), ("after", impact.after)):
        if tl is None:
            continue
        found += [(f"{side} · {r.name}", tl, n) for n, r in enumerate(tl.rotations)]
        found.append((f"{side} · final", tl, -1))
    return found


def bars(impacts: Sequence[ScheduleImpact]) -> int:
    """How many bars the picture draws: a period of a rotation, a responder's band of the final layer, a gap."""
    count = 0
    for impact in drawn(impacts):
        for _label, tl, index in lanes(impact):
            if index >= 0:
                count += len(tl.rotations[index].periods)
            else:
                count += sum(max(1, len(part.responders)) for part in tl.final)
    return count


def check_size(impacts: Sequence[ScheduleImpact]) -> None:
    """Refuses a picture of more than `MAX_BARS` bars (before the report is written): more
    than a picture shows, and slow to draw."""
    count = bars(impacts)
    if count > MAX_BARS:
        raise JsmOpsError(f"--picture: the window has {count:,} bars to draw, more than the {MAX_BARS:,} a picture "
                          "shows: look at fewer days")


def size(impacts: Sequence[ScheduleImpact]) -> tuple[int, int]:
    """The picture's size in pixels (PNG; an SVG has the same size in points x 0.72)."""
    shown = drawn(impacts)
    return WIDTH_PX, MARGIN_PX + sum(SCHEDULE_PX + LANE_PX * len(lanes(i)) for i in shown) + (0 if shown else 100)


def check_picture(path: Path) -> None:
    """Refuses a picture that cannot be written (kind, folder, matplotlib missing): called
    before the preview runs, so nothing is done for a report that would then fail."""
    if path.suffix.lower() not in (".svg", ".png"):
        raise JsmOpsError(f"--picture: write a .svg or .png file, not '{path.name}'")
    if not path.parent.is_dir():
        raise JsmOpsError(f"--picture: the folder {path.parent} does not exist")
    try:
        import matplotlib  # noqa: F401  (its presence is what is checked)
    except ImportError:
        raise JsmOpsError("--picture needs matplotlib: pip install 'pulumi-jsmops[impact]'") from None


def draw(impacts: Sequence[ScheduleImpact], now: datetime, path: Path, labels: Labels) -> None:
    """Writes the picture to `path` (.svg or .png)."""
    check_picture(path)
    suffix = path.suffix.lower()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    mdates: Any = matplotlib.dates  # untyped
    matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text in SVG
    width, height = size(impacts)
    figure = plt.figure(figsize=(width / DPI, height / DPI), dpi=DPI)
    shown = drawn(impacts)
    name_of = {r.id: labels.get(r.id, r.id) for r in responders(shown)}
    palette = colours(name_of.values())
    top = height - MARGIN_PX
    for impact in shown:
        rows = lanes(impact)
        lane_height = LANE_PX * len(rows)
        top -= SCHEDULE_PX - 40  # the schedule's title above the lanes
        axes = figure.add_axes((LEFT, (top - lane_height) / height, RIGHT - LEFT, lane_height / height))
        top -= lane_height + 40  # the time axis below
        _draw_schedule(axes, mdates, impact, rows, now, name_of, palette)
    if not shown:
        figure.text(0.5, 0.4, "no on-call impact", ha="center", va="center", fontsize=12)
    handles: list[Any] = [Patch(facecolor=c, label=name) for name, c in sorted(palette.items())]
    handles += [Patch(facecolor=GAP_COLOUR, label="nobody on call"),
                Patch(facecolor=NOBODY_COLOUR, hatch="//", label="noone turn"),
                Patch(facecolor="white", edgecolor="black", hatch="//", label="override")]
    figure.legend(handles=handles, loc="upper left", bbox_to_anchor=(RIGHT + 0.01, 1 - MARGIN_PX / height),
                  fontsize=8, frameon=False)
    figure.suptitle(f"Who is on call before and after the change, from {now:%Y-%m-%d %H:%M} UTC",
                    x=LEFT, y=1 - 15 / height, ha="left", va="top", fontsize=11)
    try:
        figure.savefig(path, format=suffix[1:], dpi=DPI)
    except OSError as exc:
        raise JsmOpsError(f"--picture: cannot write {path}: {exc}") from None
    finally:
        plt.close(figure)


def _draw_schedule(axes: Any, mdates: Any, impact: ScheduleImpact, rows: list[tuple[str, Timeline, int]],
                   now: datetime, name_of: dict[str, str], palette: dict[str, str]) -> None:
    count = len(rows)
    for row, (_label, tl, index) in enumerate(rows):
        y = count - 1 - row  # the first lane on top
        if index >= 0:
            _draw_rotation(axes, mdates, tl, index, y, name_of, palette)
        else:
            _draw_final_layer(axes, mdates, tl, y, name_of, palette)
    axes.set_yticks([y + 0.5 for y in range(count)], [label for label, _tl, _i in reversed(rows)], fontsize=8)
    axes.set_ylim(0, count)
    if impact.before is not None and impact.after is not None:  # the line between before and after
        axes.axhline(len(impact.after.rotations) + 1, color="black", linewidth=1.0)
    axes.set_xlim(_extent(mdates, impact.start, impact.start)[0], _extent(mdates, impact.end, impact.end)[0])
    zone = ZoneInfo(impact.time_zone)
    locator = mdates.AutoDateLocator(tz=zone)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz=zone))
    axes.tick_params(axis="x", labelsize=8)
    at = _extent(mdates, now, now)[0]
    axes.axvline(at, color="black", linewidth=1.5)
    axes.text(at, count, " now", va="bottom", fontsize=8)
    what = [] if impact.operation == "same" else [impact.operation]  # same: only its overrides change
    what += [f"override {o.resource} ({o.operation})" for o in impact.overrides]
    axes.set_title(f"{impact.name} ({'; '.join([*what, f'times in {impact.time_zone}'])})", loc="left",
                   fontsize=9, pad=12)


def _draw_rotation(axes: Any, mdates: Any, tl: Timeline, index: int, y: int, name_of: dict[str, str],
                   palette: dict[str, str]) -> None:
    """A rotation's lane: each period in its responder's colour (hatched: nobody, or an override)."""
    bars: _Bars = {}
    for period in tl.rotations[index].periods:
        who = None if period.responder is None else name_of.get(period.responder.id, period.responder.id)
        style = (y + 0.15, 0.7, NOBODY_COLOUR if who is None else palette.get(who, NOBODY_COLOUR),
                 "//" if who is None or period.overridden else "", 0.5)
        bars.setdefault(style, []).append(_extent(mdates, period.start, period.end))
    _draw_bars(axes, bars)


def _draw_final_layer(axes: Any, mdates: Any, tl: Timeline, y: int, name_of: dict[str, str],
                      palette: dict[str, str]) -> None:
    """The final layer's lane: everyone on call, one band each; gaps in red."""
    bars: _Bars = {}
    for part in tl.final:
        names = sorted(name_of.get(r.id, r.id) for r in part.responders)
        extent = _extent(mdates, part.start, part.end)
        if not names:
            bars.setdefault((y + 0.15, 0.7, GAP_COLOUR, "", 0.0), []).append(extent)
        for k, name in enumerate(names):
            band = 0.7 / len(names)
            bars.setdefault((y + 0.15 + k * band, band, palette.get(name, NOBODY_COLOUR), "", 0.3), []).append(extent)
    _draw_bars(axes, bars)


# Bars by their look (bottom, height, colour, hatch, white edge's width): each look is drawn
# in one call, so a lane of many periods stays quick to draw.
_Bars = dict[tuple[float, float, str, str, float], list[tuple[float, float]]]


def _draw_bars(axes: Any, bars: _Bars) -> None:
    for (bottom, height, colour, hatch, edge), extents in bars.items():
        edges = {"edgecolor": "white", "linewidth": edge} if edge else {}
        axes.broken_barh(extents, (bottom, height), facecolors=colour, hatch=hatch, **edges)


def _extent(mdates: Any, start: datetime, end: datetime) -> tuple[float, float]:
    a = float(mdates.date2num(start))
    return a, float(mdates.date2num(end)) - a
