"""The report of `jsmops impact`: an assessment (`assessment.py`) as text, markdown or JSON.

The JSON report (`--format json`) has this shape, version 4 (times are ISO 8601 in the
schedule's time zone; hours are numbers, to 0.01; lists are in time order; version 2 added
`overrides` and the operation `same`; version 3 a start date's `keeps_turns` null with
`why_none` when no start date keeps the turns; version 4 `causes` of each change, gap,
handover and hours, handovers as objects, and `fails`):

    {"version": 4, "now": ..., "days": 14, "new_gaps": <count over all schedules>,
     "participants": {<label>: {"type": ..., "id": ... ("[secret]" when it is a secret)}},
     "schedules": [{
        "resource": <Pulumi resource name>, "name": ...,
        "operation": "create|update|delete|replace|same|rename" (same: only its overrides change;
                     rename: a resource renamed without `aliases`, assessed as it is with them),
        "time_zone": ..., "window": {"start": ..., "end": ...}, "impact": <bool>,
        "problem": <why it was not computed, or null>,
        "fails": <why this `up` will fail, or null>,
        "now": {"before": [<label>...], "after": [<label>...]},
        "changes": [{"start": ..., "end": ..., "off": [<no longer on call>...], "on": [<newly on call>...],
                     "causes": [<cause>...]}],
        "handovers": {"before": <count>, "after": <count>, "gone": [{"at": <time>, "causes": [<cause>...]}],
                      "new": [{"at": <time>, "causes": [<cause>...]}]},
        "hours": [{"participant": <label>, "before": <hours>, "after": <hours>, "causes": [<cause>...]}],
        "gaps": {"new": [{"start": ..., "end": ..., "causes": [<cause>...]}],
                 "closed": [{"start": ..., "end": ..., "causes": [<cause>...]}]},
        "start_dates": [{"rotation": ..., "holder": <label>, "start_date": <given>,
                         "keeps_turns": <proposed, or null>, "why_none": <why none is, or null>}],
        "overrides": [{"resource": <Pulumi resource name>, "operation": "create|update|delete|replace",
                       "responder": <label, or null: nobody>, "start": ..., "end": ...,
                       "rotations": [<name>...] or null (all), "takes_over": [<label>...]}]
     }]}

A cause says what about the schedule's inputs, old against new, makes the change: a
participant added to or removed from a rotation, a restriction narrowed or widened, a
rotation added, removed or replaced, its start date, length, type or end date, the time
zone, an override cut off (its rotation removed or replaced) or a declared override
changed (`causes.py`); none is given for a create or a delete.

`takes_over` are those on call in the override's window, on its rotations, without it:
whose shifts it takes (for a deleted override: who gets them back), over its whole window.

Participants are labelled with the names the stack config gives their ids (any config
object of names to ids, e.g. `people: {alice: <id>}`), else by their id (a secret id as
`[secret N]`); a team or an escalation with its kind first (`team data`). A schedule
whose time zone is secret has its times, and `time_zone`, in UTC. Pure: it only formats.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Any, Collection, Iterable, Optional, Sequence
from zoneinfo import ZoneInfo

from .assessment import (
    OVERRIDE_VERBS,
    Difference,
    Labels,
    OverrideImpact,
    ScheduleImpact,
    Span,
    StartDate,
    named,
    responders,
)

REPORT_VERSION = 4
FOLDED_AFTER = 8  # markdown folds a longer list into <details> (nothing is cut)
FORMATS = ("text", "markdown", "json")


def render(impacts: Sequence[ScheduleImpact], now: datetime, days: int, form: str, labels: Labels,
           hidden: Collection[str] = ()) -> str:
    """The report in one of `FORMATS`, without a final newline; `hidden`: ids shown as `[secret]`."""
    if form == "json":
        return json.dumps(report_json(impacts, now, days, labels, hidden), indent=2)
    if form == "markdown":
        return render_markdown(impacts, now, days).rstrip("\n")
    return render_text(impacts, now, days).rstrip("\n")



def _local(moment: datetime, zone_name: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone_name))


def span_text(start: datetime, end: datetime, zone: str, window_end: Optional[datetime] = None) -> str:
    """`Wed 2026-01-21 20:00–22:00`; a span the window's end cuts: `from Wed 2026-01-21 20:00 on`
    (the window's end is where the report stops looking, not a change)."""
    a, b = _local(start, zone), _local(end, zone)
    if window_end is not None and end >= window_end:
        return f"from {a:%a %Y-%m-%d %H:%M} on"
    if a.date() == b.date():
        return f"{a:%a %Y-%m-%d %H:%M}–{b:%H:%M}"
    return f"{a:%a %Y-%m-%d %H:%M} – {b:%a %Y-%m-%d %H:%M}"


def _days_text(days: Sequence[date]) -> tuple[str, str]:
    """The days a recurring span falls on, as words before and after its hours, said so that
    they do not read as a weekly pattern: `daily …, 14 times from Wed 2026-01-21 to Tue
    2026-02-03`, `weekdays …, 10 times from …`, else each date (`… on Thu 2026-12-03, Wed 2026-12-09`)."""
    first, last = f"{days[0]:%a %Y-%m-%d}", f"{days[-1]:%a %Y-%m-%d}"
    every = [days[0] + timedelta(days=n) for n in range((days[-1] - days[0]).days + 1)]
    if len(days) > 2 and list(days) == every:
        return "daily ", f", {len(days)} times from {first} to {last}"
    if len(days) > 2 and list(days) == [d for d in every if d.weekday() < 5]:
        return "weekdays ", f", {len(days)} times from {first} to {last}"
    return "", " on " + ", ".join(f"{d:%a %Y-%m-%d}" for d in days)


GROUPED_FROM = 2  # a change recurring this many times or more is said once, with its days


def _grouped(items: Sequence[tuple[datetime, Optional[datetime], str]], zone: str, window_end: datetime) -> list[str]:
    """Items (start, end or None for a moment, what happens) as lines, in time order; those at
    the same local hours with the same text, `GROUPED_FROM` times or more, said once where they
    first occur, with their days (`daily 20:00–22:00, 3 times from …: heidi off`). A span of a
    day or longer, or cut by the window's end, is said on its own."""
    keys: list[Optional[tuple[str, str]]] = []
    days: dict[tuple[str, str], list[date]] = {}
    for start, end, what in items:
        a = _local(start, zone)
        if end is not None and (end >= window_end or end - start >= timedelta(days=1)):
            keys.append(None)
            continue
        hours = f"{a:%H:%M}"
        if end is not None:
            b = _local(end, zone)
            hours += f"–{b:%H:%M}" + (" (next day)" if b.date() != a.date() and b.time() != time(0) else "")
        keys.append((hours, what))
        found = days.setdefault((hours, what), [])
        if a.date() not in found:
            found.append(a.date())
    lines, said = [], set()
    for (start, end, what), key in zip(items, keys, strict=True):
        if key is None or len(days[key]) < GROUPED_FROM:
            when = f"{_local(start, zone):%a %Y-%m-%d %H:%M}" if end is None else span_text(start, end, zone,
                                                                                              window_end)
            lines.append(f"{when}{what}")
        elif key not in said:
            said.add(key)
            before, after = _days_text(days[key])
            lines.append(f"{before}{key[0]}{after}{key[1]}")
    return lines


def _people(labels: tuple[str, ...]) -> str:
    return ", ".join(labels) if labels else "nobody"


def _swap(difference: Difference) -> str:
    """`carol → bob`, `erin off`, `dave added` (others on call stay as they were)."""
    if difference.off and difference.on:
        return f"{_people(difference.off)} → {_people(difference.on)}"
    if difference.off:
        return f"{_people(difference.off)} off"
    return f"{_people(difference.on)} added"


def _because(causes: Sequence[str]) -> str:
    """`, because bob removed from rotation 'primary'; ...` (nothing when no cause is known)."""
    return f", because {'; '.join(causes)}" if causes else ""


def _hours(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def summary(impact: ScheduleImpact) -> str:
    """One line, e.g. `Platform On-Call: now alice → bob; Sat 2026-01-24 00:00–08:00 nobody on call (new)`;
    an `up` known to fail says so first."""
    if impact.fails:
        return f"{impact.name}: {impact.fails}"
    return _impact_summary(impact)


def _impact_summary(impact: ScheduleImpact) -> str:
    if impact.problem:  # its name when known, and its resource beside it
        named = impact.resource if impact.name == impact.resource else f"{impact.name} ({impact.resource})"
        return f"{named}: not assessed ({impact.problem})"
    if not impact.has_impact:
        return f"{impact.name}: no on-call impact"
    parts = []
    if impact.now_before != impact.now_after:
        parts.append(f"now {_people(impact.now_before)} → {_people(impact.now_after)}")
    gaps = _grouped([(g.start, g.end, " nobody on call (new)") for g in impact.new_gaps], impact.time_zone, impact.end)
    parts += gaps[:3]
    if len(gaps) > 3:
        parts.append(f"more new gaps ({len(impact.new_gaps)} in all)")
    if impact.closed_gaps:
        parts.append(f"{len(impact.closed_gaps)} gap{'s' if len(impact.closed_gaps) > 1 else ''} closed")
    if impact.overrides:
        parts.append("overrides: " + ", ".join(f"{o.resource} {OVERRIDE_VERBS.get(o.operation, o.operation)}"
                                                for o in impact.overrides))
    if not parts:
        parts.append(f"{len(impact.differences)} period{'s' if len(impact.differences) != 1 else ''} "
                     f"with someone else on call")
    return f"{impact.name}: " + "; ".join(parts)


def _detail_lines(impact: ScheduleImpact) -> list[tuple[str, list[str]]]:
    """(heading, items) sections shared by the text and markdown forms."""
    zone = impact.time_zone
    now = (f"{_people(impact.now_before)} → {_people(impact.now_after)}" if impact.now_before != impact.now_after
           else f"{_people(impact.now_after)} (unchanged)")
    sections: list[tuple[str, list[str]]] = [("now", [now])]
    if impact.new_gaps or impact.closed_gaps:
        sections.append(("gaps", _grouped(
            [(g.start, g.end, f": nobody on call (new){_because(g.causes)}") for g in impact.new_gaps]
            + [(g.start, g.end, f": covered now (gap closed){_because(g.causes)}") for g in impact.closed_gaps],
            zone, impact.end)))
    if impact.differences:
        sections.append(("who is on call changes", _grouped(
            [(d.start, d.end, f": {_swap(d)}{_because(d.causes)}") for d in impact.differences], zone, impact.end)))
    moved: list[tuple[datetime, Optional[datetime], str]] = [
        (t, None, f" ({'new' if t in impact.handovers_new else 'no longer'}){_because(impact.causes_of_handover(t))}")
        for t in sorted({*impact.handovers_gone, *impact.handovers_new})]
    if moved:
        sections.append((f"handovers {len(impact.handovers_before)} → {len(impact.handovers_after)}",
                         _grouped(moved, zone, impact.end)))
    if impact.hours:
        sections.append(("hours on call", [
            f"{label}: {_hours(b)} → {_hours(a)}{_because(impact.causes_of_hours(label))}"
            for label, b, a in impact.hours]))
    if impact.overrides:
        sections.append(("overrides", [_override_line(o, zone) for o in impact.overrides]))
    sections += [(f"rotation '{proposal.rotation}'", [_start_date_line(proposal)]) for proposal in impact.start_dates]
    return sections


def _start_date_line(proposal: StartDate) -> str:
    given = f"start_date {proposal.start_date.isoformat()} gives the turns a new order; "
    if proposal.keeps_turns is None:
        return f"{given}no start_date keeps them: {proposal.why_none}"
    return (f"{given}start_date=\"{proposal.keeps_turns.isoformat()}\" keeps {proposal.holder} on call "
            "until the usual handover")


def _override_line(override: OverrideImpact, zone: str) -> str:
    """`xmas (added): bob takes over from alice, Fri 2027-12-24 09:00 – Mon 2027-12-27 09:00 (primary)`."""
    when = span_text(override.start, override.end, zone)  # its own times, not cut by the window
    rotations = "all rotations" if override.rotations is None else ", ".join(override.rotations)
    verb = OVERRIDE_VERBS.get(override.operation, override.operation)
    if override.operation == "delete":
        what = f"{_people(override.takes_over)} on call again"
    else:
        what = f"{override.responder or 'nobody'} takes over from {_people(override.takes_over)}"
    return f"{override.resource} ({verb}): {what}, {when} ({rotations})"


def _section(lead: str, items: list[str], indent: str) -> list[str]:
    """`lead: item` for one item, else the lead and one line per item."""
    if len(items) == 1:
        return [f"{lead}: {items[0]}"]
    return [f"{lead}:", *[f"{indent}{item}" for item in items]]


def _operation(impact: ScheduleImpact, *, of: bool = True) -> str:
    """`update of platform` (or `update`), `overrides of platform` for a schedule whose only change is its overrides."""
    what = "overrides" if impact.operation == "same" else impact.operation
    return f"{what} of {impact.resource}" if of else what


def _shows_details(impact: ScheduleImpact) -> bool:
    """Whether the report details the impact: it was assessed, and there is one."""
    return not impact.problem and impact.has_impact


def render_text(impacts: Sequence[ScheduleImpact], now: datetime, days: int) -> str:
    lines = [f"On-call impact over {days} day{'' if days == 1 else 's'} from {now:%Y-%m-%d %H:%M} UTC:"]
    if not impacts:
        lines.append("no schedule changes")
    for impact in impacts:
        lines += ["", summary(impact)]
        if impact.fails:
            lines.append(f"  with the alias, {_impact_summary(impact).removeprefix(f'{impact.name}: ')}")
        if _shows_details(impact):
            lines.append(f"  ({_operation(impact)}; times in {impact.time_zone})")
            for heading, items in _detail_lines(impact):
                lines += _section(f"  {heading}", items, "    ")
    return "\n".join(lines) + "\n"


def render_markdown(impacts: Sequence[ScheduleImpact], now: datetime, days: int) -> str:
    lines = [f"### On-call impact over {days} day{'' if days == 1 else 's'} from {now:%Y-%m-%d %H:%M} UTC", ""]
    lines += [f"- {summary(impact)}" for impact in impacts] or ["No schedule changes."]
    for impact in filter(_shows_details, impacts):
        lines += ["", f"#### {impact.name}", "",
                  f"`{impact.resource}` ({_operation(impact, of=False)}), times in {impact.time_zone}", ""]
        if impact.fails:
            lines += [f"**{impact.fails[0].upper()}{impact.fails[1:]}.**", ""]
        for heading, items in _detail_lines(impact):
            if heading == "hours on call":
                lines += ["", "| participant | hours before | hours after | because |", "| --- | ---: | ---: | --- |",
                          *[f"| {label} | {_hours(b)} | {_hours(a)} | {'; '.join(impact.causes_of_hours(label))} |"
                            for label, b, a in impact.hours], ""]
            elif len(items) > FOLDED_AFTER:
                lines += [f"- **{heading}** ({len(items)})", "", "  <details><summary>show all</summary>", "",
                          *[f"  - {item}" for item in items], "", "  </details>", ""]
            else:
                lines += _section(f"- **{heading}**", items, "  - ")
    return "\n".join(lines).rstrip() + "\n"


def report_json(impacts: Sequence[ScheduleImpact], now: datetime, days: int, labels: Labels,
                hidden: Collection[str] = ()) -> dict[str, Any]:
    participants = {named(r.type, r.id, labels): r for r in responders(impacts)}
    return {
        "version": REPORT_VERSION, "now": now.isoformat(), "days": days,
        "new_gaps": sum(len(i.new_gaps) for i in impacts),
        "participants": {label: {"type": r.type, "id": "[secret]" if r.id in hidden else r.id}
                         for label, r in sorted(participants.items())},
        "schedules": [_schedule_json(impact) for impact in impacts],
    }


def _schedule_json(i: ScheduleImpact) -> dict[str, Any]:
    z = i.time_zone

    def when(moment: datetime) -> str:
        return _local(moment, z).isoformat() if z else moment.isoformat()

    def spans(items: Iterable[Span]) -> list[dict[str, Any]]:
        return [{"start": when(s.start), "end": when(s.end), "causes": list(s.causes)} for s in items]

    def moments(items: Iterable[datetime]) -> list[dict[str, Any]]:
        return [{"at": when(t), "causes": list(i.causes_of_handover(t))} for t in items]

    return {
        "resource": i.resource, "name": i.name, "operation": i.operation, "time_zone": z or None,
        "window": {"start": when(i.start), "end": when(i.end)}, "impact": i.has_impact,
        "problem": i.problem, "fails": i.fails,
        "now": {"before": list(i.now_before), "after": list(i.now_after)},
        "changes": [{"start": when(d.start), "end": when(d.end), "off": list(d.off), "on": list(d.on),
                     "causes": list(d.causes)} for d in i.differences],
        "handovers": {"before": len(i.handovers_before), "after": len(i.handovers_after),
                      "gone": moments(i.handovers_gone), "new": moments(i.handovers_new)},
        "hours": [{"participant": label, "before": round(b, 2), "after": round(a, 2),
                   "causes": list(i.causes_of_hours(label))} for label, b, a in i.hours],
        "gaps": {"new": spans(i.new_gaps), "closed": spans(i.closed_gaps)},
        "start_dates": [{"rotation": s.rotation, "holder": s.holder, "start_date": s.start_date.isoformat(),
                         "keeps_turns": None if s.keeps_turns is None else s.keeps_turns.isoformat(),
                         "why_none": s.why_none} for s in i.start_dates],
        "overrides": [{"resource": o.resource, "operation": o.operation, "responder": o.responder,
                       "start": when(o.start), "end": when(o.end),
                       "rotations": None if o.rotations is None else list(o.rotations),
                       "takes_over": list(o.takes_over)} for o in i.overrides],
    }
