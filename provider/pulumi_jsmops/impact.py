"""`jsmops impact`: what a pending change means for who is on call.

It takes the old and new inputs of every schedule that `pulumi preview --json` would
create, update or delete (the old state's outputs stand for the old inputs: they are what
the service has, with the rotations' ids that overrides refer to), and compares their
timelines (pulumi_jsmops.oncall) over a window from now: who is on call now, the periods
where someone else is on call, the handovers that move, hours per participant, the gaps
that open or close, and for each rotation whose participants change, the start date that
keeps the current turns.

It makes no writes. It reads, per schedule that exists already, its overrides (one
listing), and nothing with `offline` (the preview alone).

The JSON report (`--format json`) has this shape, version 1 (times are ISO 8601 in the
schedule's time zone; hours are numbers, to 0.01; lists are in time order):

    {"version": 1, "now": ..., "days": 14, "new_gaps": <count over all schedules>,
     "participants": {<label>: {"type": ..., "id": ...}},
     "schedules": [{
        "resource": <Pulumi resource name>, "name": ..., "operation": "create|update|delete|replace",
        "time_zone": ..., "window": {"start": ..., "end": ...}, "impact": <bool>,
        "problem": <why it was not computed, or null>,
        "now": {"before": [<label>...], "after": [<label>...]},
        "changes": [{"start": ..., "end": ..., "off": [<no longer on call>...], "on": [<newly on call>...]}],
        "handovers": {"before": <count>, "after": <count>, "gone": [<time>...], "new": [<time>...]},
        "hours": [{"participant": <label>, "before": <hours>, "after": <hours>}],
        "gaps": {"new": [{"start": ..., "end": ...}], "closed": [{"start": ..., "end": ...}]},
        "start_dates": [{"rotation": ..., "holder": <label>, "start_date": <given>, "keeps_turns": <proposed>}]
     }]}

Participants are labelled with the names the stack config gives their ids (any config
object of names to ids, e.g. `people: {alice: <id>}`), else by their id.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Optional, Sequence
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from .errors import JsmOpsError, NotFoundError
from .models import Rotation, Schedule, validation_problems
from .oncall import (
    Override,
    Responder,
    Timeline,
    same_turns,
    schedule_zone,
    start_date_keeping_turns,
    timeline,
    turn_at,
)
from .provider import has_unknowns
from .pulumi_cli import run_pulumi

REPORT_VERSION = 1
LIST_LIMIT = 8  # items shown per list in text and markdown (JSON has them all)
Labels = dict[str, str]  # participant id -> label


class ImpactFailed(JsmOpsError):
    """The impact could not be assessed (the preview or the stack config failed)."""


# --- the schedules a preview changes ---------------------------------------------------


@dataclass(frozen=True)
class ScheduleChange:
    """One schedule of the preview: before (None: created) and after (None: deleted)."""

    resource: str
    operation: str
    schedule_id: Optional[str]
    before: Optional[Schedule]
    after: Optional[Schedule]
    problem: Optional[str] = None


_CHANGING = {"create": "create", "update": "update", "delete": "delete", "replace": "replace",
             "create-replacement": "replace"}


def changes_from_preview(preview: dict[str, Any], schedule_type: str) -> list[ScheduleChange]:
    """The schedules that the preview (`pulumi preview --json`) would create, update or delete."""
    found: list[ScheduleChange] = []
    for step in preview.get("steps") or []:
        operation = _CHANGING.get(step.get("op", ""))
        old, new = step.get("oldState") or {}, step.get("newState") or {}
        if operation is None or (old or new).get("type") != schedule_type:
            continue
        resource = str(step["urn"]).rsplit("::", 1)[-1]
        try:
            before = _schedule(old.get("outputs") or old.get("inputs")) if old else None
            after = _schedule(new.get("inputs")) if new and operation != "delete" else None
        except ValueError as exc:
            found.append(ScheduleChange(resource, operation, old.get("id"), None, None, str(exc)))
            continue
        if before is not None and after is not None:
            after = _carry_over(before, after)
        found.append(ScheduleChange(resource, operation, old.get("id") or None, before, after))
    return found


def _schedule(props: Optional[dict[str, Any]]) -> Schedule:
    """A schedule from a resource's properties, rotations as a list or keyed by name."""
    data = {k: v for k, v in (props or {}).items() if not k.startswith("__") and v is not None}
    rotations = data.get("rotations") or []
    if isinstance(rotations, dict):
        rotations = [{"name": name, **rotation} for name, rotation in rotations.items()]
    data["rotations"] = rotations
    if has_unknowns(data):
        raise ValueError("some inputs are not known until the change is applied")
    try:
        return Schedule.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{path}: {reason}" for path, reason in validation_problems(exc))
        raise ValueError(f"the inputs are not a valid schedule: {problems}") from None


def _carry_over(before: Schedule, after: Schedule) -> Schedule:
    """What the service will have: rotations that stay keep their ids (overrides follow
    them), and a time zone left out stays the one the service has."""
    ids = {r.name: r.id for r in before.rotations}
    return after.model_copy(update={
        "timezone": after.timezone or before.timezone,
        "rotations": [r.model_copy(update={"id": ids.get(r.name)}) for r in after.rotations],
    })


# --- the assessment ------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Difference:
    """A period where some are no longer on call (`off`) or newly on call (`on`)."""

    start: datetime
    end: datetime
    off: tuple[str, ...]
    on: tuple[str, ...]


@dataclass(frozen=True)
class StartDate:
    rotation: str
    holder: str
    start_date: datetime
    keeps_turns: datetime


@dataclass(frozen=True)
class ScheduleImpact:
    resource: str
    name: str
    operation: str
    time_zone: str
    start: datetime
    end: datetime
    problem: Optional[str] = None
    now_before: tuple[str, ...] = ()
    now_after: tuple[str, ...] = ()
    differences: tuple[Difference, ...] = ()
    handovers_before: tuple[datetime, ...] = ()
    handovers_after: tuple[datetime, ...] = ()
    hours: tuple[tuple[str, float, float], ...] = ()
    new_gaps: tuple[Span, ...] = ()
    closed_gaps: tuple[Span, ...] = ()
    start_dates: tuple[StartDate, ...] = ()
    before: Optional[Timeline] = field(default=None, compare=False)
    after: Optional[Timeline] = field(default=None, compare=False)

    @property
    def has_impact(self) -> bool:
        return bool(self.differences or self.new_gaps or self.closed_gaps or self.start_dates
                    or self.handovers_gone or self.handovers_new)

    @property
    def handovers_gone(self) -> tuple[datetime, ...]:
        return tuple(sorted(set(self.handovers_before) - set(self.handovers_after)))

    @property
    def handovers_new(self) -> tuple[datetime, ...]:
        return tuple(sorted(set(self.handovers_after) - set(self.handovers_before)))


def assess(change: ScheduleChange, now: datetime, days: int, overrides: Sequence[Override] = (),
           labels: Optional[Labels] = None) -> ScheduleImpact:
    """The on-call impact of one schedule's change over [now, now + days)."""
    labels = labels or {}
    known = change.after or change.before
    end = now + timedelta(days=days)
    if known is None or change.problem:
        return ScheduleImpact(change.resource, known.name if known else change.resource, change.operation,
                              "", now, end, problem=change.problem or "nothing to compare")
    zone = schedule_zone(change.before or known)
    before = timeline(change.before, now, end, overrides) if change.before else None
    after = timeline(change.after, now, end, overrides) if change.after else None

    def names(responders: Iterable[Responder]) -> tuple[str, ...]:
        return tuple(sorted(labels.get(r.id, r.id) for r in responders))

    hours_before = before.hours() if before else {}
    hours_after = after.hours() if after else {}
    hours = sorted({labels.get(r.id, r.id): (hours_before.get(r, 0.0), hours_after.get(r, 0.0))
                    for r in {*hours_before, *hours_after}}.items())
    gaps_before = [Span(g.start, g.end) for g in before.gaps] if before else [Span(now, end)]
    gaps_after = [Span(g.start, g.end) for g in after.gaps] if after else [Span(now, end)]
    return ScheduleImpact(
        change.resource, known.name, change.operation, zone.key, now, end,
        now_before=names(before.on_call_at(now)) if before else (),
        now_after=names(after.on_call_at(now)) if after else (),
        differences=tuple(_differences(before, after, now, end, names)),
        handovers_before=tuple(h.at for h in before.handovers()) if before else (),
        handovers_after=tuple(h.at for h in after.handovers()) if after else (),
        hours=tuple((label, b, a) for label, (b, a) in hours if b != a or before is None or after is None),
        new_gaps=tuple(_subtract(gaps_after, gaps_before)),
        closed_gaps=tuple(_subtract(gaps_before, gaps_after)) if before else (),
        start_dates=tuple(_start_dates(change.before, change.after, now, labels)),
        before=before, after=after,
    )


def _differences(before: Optional[Timeline], after: Optional[Timeline], start: datetime, end: datetime,
                 names: Callable[[Iterable[Responder]], tuple[str, ...]]) -> list[Difference]:
    cuts = sorted({start, end, *(s.start for t in (before, after) if t for s in t.final)})
    found: list[Difference] = []
    for a, b in itertools.pairwise(cuts):
        was = set(names(before.on_call_at(a)) if before else ())
        will = set(names(after.on_call_at(a)) if after else ())
        off, on = tuple(sorted(was - will)), tuple(sorted(will - was))
        if not (off or on):
            continue
        if found and found[-1].end == a and (found[-1].off, found[-1].on) == (off, on):
            found[-1] = Difference(found[-1].start, b, off, on)
        else:
            found.append(Difference(a, b, off, on))
    return found


def _subtract(spans: list[Span], minus: list[Span]) -> list[Span]:
    """The parts of `spans` not covered by `minus` (both sorted, without overlaps)."""
    result: list[Span] = []
    for span in spans:
        start = span.start
        for cut in minus:
            if cut.end <= start or cut.start >= span.end:
                continue
            if cut.start > start:
                result.append(Span(start, cut.start))
            start = max(start, cut.end)
        if start < span.end:
            result.append(Span(start, span.end))
    return result


def _start_dates(before: Optional[Schedule], after: Optional[Schedule], now: datetime,
                 labels: Labels) -> list[StartDate]:
    if before is None or after is None:
        return []
    zone = schedule_zone(after)
    old: dict[str, Rotation] = {r.name: r for r in before.rotations}
    found = []
    for rotation in after.rotations:
        previous = old.get(rotation.name)
        if previous is None or previous.participants == rotation.participants:
            continue
        proposal = start_date_keeping_turns(previous, rotation, zone, now)
        if proposal is None or same_turns(rotation, rotation.model_copy(update={"start_date": proposal}), zone, now):
            continue
        turn = turn_at(previous, zone, now)
        holder = turn.participant.id if turn is not None else None
        label = "nobody" if holder is None else labels.get(holder, holder)
        found.append(StartDate(rotation.name, label, rotation.start_date.astimezone(zone), proposal))
    return found


# --- rendering -----------------------------------------------------------------------------


def _local(moment: datetime, zone_name: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone_name))


def _span_text(start: datetime, end: datetime, zone: str) -> str:
    a, b = _local(start, zone), _local(end, zone)
    if a.date() == b.date():
        return f"{a:%a %Y-%m-%d %H:%M}–{b:%H:%M}"
    return f"{a:%a %Y-%m-%d %H:%M} – {b:%a %Y-%m-%d %H:%M}"


def _recurring(spans: Sequence[Span], zone: str) -> list[str]:
    """Spans within a day that recur at the same local hours, said once with their weekdays
    (`Sat 00:00–08:00`, `Mon, Tue 20:00–22:00`, `daily 20:00–22:00`); others in full."""
    by_hours: dict[tuple[str, str], list[str]] = {}
    said: list[str | tuple[str, str]] = []
    for span in spans:
        a, b = _local(span.start, zone), _local(span.end, zone)
        if a.date() != b.date():
            said.append(_span_text(span.start, span.end, zone))
            continue
        key = (f"{a:%H:%M}", f"{b:%H:%M}")
        if key not in by_hours:
            by_hours[key] = []
            said.append(key)
        if f"{a:%a}" not in by_hours[key]:
            by_hours[key].append(f"{a:%a}")
    result = []
    for item in said:
        if isinstance(item, str):
            result.append(item)
            continue
        days = by_hours[item]
        result.append(f"{'daily' if len(days) == 7 else ', '.join(days)} {item[0]}–{item[1]}")
    return result


def _people(labels: tuple[str, ...]) -> str:
    return ", ".join(labels) if labels else "nobody"


def _swap(difference: Difference) -> str:
    """`carol → bob`, `erin off`, `dave added` (others on call stay as they were)."""
    if difference.off and difference.on:
        return f"{_people(difference.off)} → {_people(difference.on)}"
    if difference.off:
        return f"{_people(difference.off)} off"
    return f"{_people(difference.on)} added"


def _hours(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _limited(items: list[str]) -> list[str]:
    if len(items) <= LIST_LIMIT:
        return items
    return [*items[:LIST_LIMIT], f"… and {len(items) - LIST_LIMIT} more"]


def summary(impact: ScheduleImpact) -> str:
    """One line, e.g. `Platform On-Call: now alice → bob; Sat 2026-01-24 00:00–08:00 nobody on call (new)`."""
    if impact.problem:
        return f"{impact.name}: not assessed ({impact.problem})"
    if not impact.has_impact:
        return f"{impact.name}: no on-call impact"
    parts = []
    if impact.now_before != impact.now_after:
        parts.append(f"now {_people(impact.now_before)} → {_people(impact.now_after)}")
    gaps = _recurring(impact.new_gaps, impact.time_zone)
    parts += [f"{when} nobody on call (new)" for when in gaps[:3]]
    if len(gaps) > 3:
        parts.append(f"{len(gaps) - 3} more new gaps")
    if impact.closed_gaps:
        parts.append(f"{len(impact.closed_gaps)} gap{'s' if len(impact.closed_gaps) > 1 else ''} closed")
    if not parts:
        parts.append(f"{len(impact.differences)} period{'s' if len(impact.differences) != 1 else ''} "
                     f"with someone else on call")
    return f"{impact.name}: " + "; ".join(parts)


def _detail_lines(impact: ScheduleImpact) -> list[tuple[str, list[str]]]:
    """(heading, items) sections shared by the text and markdown forms."""
    zone = impact.time_zone
    sections: list[tuple[str, list[str]]] = []
    sections.append(("now", [f"{_people(impact.now_before)} → {_people(impact.now_after)}"
                             if impact.now_before != impact.now_after else f"{_people(impact.now_after)} (unchanged)"]))
    if impact.new_gaps or impact.closed_gaps:
        sections.append(("gaps", _limited(
            [f"{_span_text(g.start, g.end, zone)} nobody on call (new)" for g in impact.new_gaps]
            + [f"{_span_text(g.start, g.end, zone)} covered now (gap closed)" for g in impact.closed_gaps])))
    if impact.differences:
        sections.append(("who is on call changes", _limited(
            [f"{_span_text(d.start, d.end, zone)}: {_swap(d)}" for d in impact.differences])))
    if impact.handovers_gone or impact.handovers_new:
        moved = [f"{_local(t, zone):%a %Y-%m-%d %H:%M} (no longer)" for t in impact.handovers_gone]
        moved += [f"{_local(t, zone):%a %Y-%m-%d %H:%M} (new)" for t in impact.handovers_new]
        sections.append((f"handovers {len(impact.handovers_before)} → {len(impact.handovers_after)}",
                         _limited(moved)))
    if impact.hours:
        sections.append(("hours on call", [f"{label}: {_hours(b)} → {_hours(a)}" for label, b, a in impact.hours]))
    for proposal in impact.start_dates:
        sections.append((f"rotation '{proposal.rotation}'", [
            f"start_date {proposal.start_date.isoformat()} gives the turns a new order; "
            f"start_date=\"{proposal.keeps_turns.isoformat()}\" keeps {proposal.holder} on call "
            "until the usual handover"
        ]))
    return sections


def render_text(impacts: Sequence[ScheduleImpact], now: datetime, days: int) -> str:
    lines = [f"On-call impact over {days} days from {now:%Y-%m-%d %H:%M} UTC:"]
    if not impacts:
        lines.append("no schedule changes")
    for impact in impacts:
        lines.append("")
        lines.append(summary(impact))
        if impact.problem or not impact.has_impact:
            continue
        lines.append(f"  ({impact.operation} of {impact.resource}; times in {impact.time_zone})")
        for heading, items in _detail_lines(impact):
            if len(items) == 1:
                lines.append(f"  {heading}: {items[0]}")
            else:
                lines.append(f"  {heading}:")
                lines += [f"    {item}" for item in items]
    return "\n".join(lines) + "\n"


def render_markdown(impacts: Sequence[ScheduleImpact], now: datetime, days: int) -> str:
    lines = [f"### On-call impact over {days} days from {now:%Y-%m-%d %H:%M} UTC", ""]
    lines += [f"- {summary(impact)}" for impact in impacts] or ["No schedule changes."]
    for impact in impacts:
        if impact.problem or not impact.has_impact:
            continue
        lines += ["", f"#### {impact.name}", "",
                  f"`{impact.resource}` ({impact.operation}), times in {impact.time_zone}", ""]
        for heading, items in _detail_lines(impact):
            if heading == "hours on call":
                lines += ["", "| participant | hours before | hours after |", "| --- | ---: | ---: |"]
                lines += [f"| {label} | {_hours(b)} | {_hours(a)} |" for label, b, a in impact.hours]
                lines.append("")
            elif lines[-1].startswith("|"):
                lines += ["", f"- **{heading}**: {items[0]}"] if len(items) == 1 else \
                    ["", f"- **{heading}**:", *[f"  - {item}" for item in items]]
            elif len(items) == 1:
                lines.append(f"- **{heading}**: {items[0]}")
            else:
                lines.append(f"- **{heading}**:")
                lines += [f"  - {item}" for item in items]
    return "\n".join(lines).rstrip() + "\n"


def report_json(impacts: Sequence[ScheduleImpact], now: datetime, days: int,
                participants: dict[str, Responder]) -> dict[str, Any]:
    def when(moment: datetime, zone: str) -> str:
        return _local(moment, zone).isoformat() if zone else moment.isoformat()

    def spans(items: Iterable[Span], zone: str) -> list[dict[str, str]]:
        return [{"start": when(s.start, zone), "end": when(s.end, zone)} for s in items]

    schedules = []
    for i in impacts:
        z = i.time_zone
        schedules.append({
            "resource": i.resource, "name": i.name, "operation": i.operation, "time_zone": z or None,
            "window": {"start": when(i.start, z), "end": when(i.end, z)}, "impact": i.has_impact,
            "problem": i.problem,
            "now": {"before": list(i.now_before), "after": list(i.now_after)},
            "changes": [{"start": when(d.start, z), "end": when(d.end, z), "off": list(d.off), "on": list(d.on)}
                        for d in i.differences],
            "handovers": {"before": len(i.handovers_before), "after": len(i.handovers_after),
                          "gone": [when(t, z) for t in i.handovers_gone], "new": [when(t, z) for t in i.handovers_new]},
            "hours": [{"participant": label, "before": round(b, 2), "after": round(a, 2)} for label, b, a in i.hours],
            "gaps": {"new": spans(i.new_gaps, z), "closed": spans(i.closed_gaps, z)},
            "start_dates": [{"rotation": s.rotation, "holder": s.holder, "start_date": s.start_date.isoformat(),
                             "keeps_turns": s.keeps_turns.isoformat()} for s in i.start_dates],
        })
    return {
        "version": REPORT_VERSION, "now": now.isoformat(), "days": days,
        "new_gaps": sum(len(i.new_gaps) for i in impacts),
        "participants": {label: {"type": r.type, "id": r.id} for label, r in sorted(participants.items())},
        "schedules": schedules,
    }


# --- the command ---------------------------------------------------------------------------


@dataclass
class ImpactOptions:
    stack: str
    project_dir: Path
    days: int = 14
    format: str = "text"
    picture: Optional[Path] = None
    fail_on_gap: bool = False
    at: Optional[datetime] = None
    preview_file: Optional[Path] = None
    offline: bool = False


def labels_from_config(config: dict[str, Any]) -> Labels:
    """Participant ids named by the stack config's objects of names to ids (first name wins)."""
    labels: Labels = {}
    for entry in config.values():
        value = entry.get("objectValue") if isinstance(entry, dict) else None
        if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
            for name, ident in value.items():
                labels.setdefault(ident, name)
    return labels


def print_flushed(text: str) -> None:
    """Prints now, so that a reader who went away is noticed where the output is written."""
    print(text, flush=True)


READER_GONE = 141  # the shell's status of a command stopped by SIGPIPE (128 + 13)


def reader_gone() -> int:
    """After a BrokenPipeError on stdout (`jsmops ... | head`): what is left to write goes
    nowhere (else Python complains again when it flushes stdout at exit); answers the exit
    code."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return READER_GONE


def run_impact(options: ImpactOptions, out: Callable[[str], None] = print_flushed) -> int:
    """Runs the assessment and writes the report; answers the exit code (2: --fail-on-gap
    hit; READER_GONE: the output's reader went away)."""
    from .importer import SCHEDULE_TYPE

    if options.picture is not None:
        from .picture import check_picture

        check_picture(options.picture)
    now = (options.at or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(second=0, microsecond=0)
    if options.preview_file is not None:
        try:
            preview = json.loads(options.preview_file.read_text())
        except (OSError, ValueError) as exc:
            raise ImpactFailed(f"cannot read the preview {options.preview_file}: {exc}") from None
    else:
        try:
            preview = json.loads(run_pulumi(options.stack, options.project_dir, "preview", "--json",
                                           accept_failure=True))
        except ValueError as exc:
            raise ImpactFailed(f"`pulumi preview --json` gave no JSON: {exc}") from None
        errors = [d.get("message", "") for d in preview.get("diagnostics") or [] if d.get("severity") == "error"]
        if errors:
            raise ImpactFailed("the preview failed: " + " ".join(e.strip() for e in errors))
    changes = changes_from_preview(preview, SCHEDULE_TYPE)
    reading = not options.offline and any(c.schedule_id for c in changes)
    shown = ["--show-secrets"] if reading else []
    config = json.loads(run_pulumi(options.stack, options.project_dir, "config", "--json", *shown) or "{}")
    labels = labels_from_config(config)
    overrides = _read_overrides(changes, config) if reading else {}
    impacts = [assess(c, now, options.days, overrides.get(c.schedule_id or "", ()), labels)
               for c in sorted(changes, key=lambda c: c.resource)]
    if options.format == "json":
        participants = {labels.get(r.id, r.id): r for i in impacts for t in (i.before, i.after) if t
                        for s in t.final for r in s.responders}
        report = json.dumps(report_json(impacts, now, options.days, participants), indent=2)
    elif options.format == "markdown":
        report = render_markdown(impacts, now, options.days).rstrip("\n")
    else:
        report = render_text(impacts, now, options.days).rstrip("\n")
    try:
        out(report)
    except BrokenPipeError:
        return reader_gone()
    if options.picture is not None:
        from .picture import draw

        draw(impacts, now, options.picture, labels)
    return 2 if options.fail_on_gap and any(i.new_gaps for i in impacts) else 0


def _read_overrides(changes: Sequence[ScheduleChange], config: dict[str, Any]) -> dict[str, list[Override]]:
    from .client import Client
    from .config import load_settings

    client = Client(load_settings(lambda key: (config.get(key) or {}).get("value")))
    found: dict[str, list[Override]] = {}
    try:
        for change in changes:
            if change.schedule_id:
                try:
                    listed = client.list_overrides(change.schedule_id)
                    found[change.schedule_id] = [Override.from_api(o) for o in listed]
                except NotFoundError:
                    found[change.schedule_id] = []
    finally:
        client.close()
    return found
