"""`jsmops oncall`: who is on call now, who is next, and the coming handovers, for each
schedule of a stack, as the service answers them (its on-call and timeline endpoints).
Reads only.

"Next" is the schedule's first handover after the moment: who is on call from then, and
when. (The next-on-calls endpoint answers each rotation's next responder, which may be the
one on call now, back after a restriction's break: no answer to "who takes over".)

The overrides the stack declares count: the service's answers include them, and the lines
say which declared override is in effect now, which starts or ends at a handover, and list
the ongoing and coming ones (`declared_overrides`, from the stack's state).

Secrets of the state are read, never shown (`secrets.py`): a secret name or participant id
is shown as `[secret N]`, and a schedule whose time zone is secret has its times in UTC."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Optional, Sequence
from zoneinfo import ZoneInfo

from ..api.client import Client
from ..api.models import rotation_list
from ..dynamic.base import site_of
from ..oncall.assessment import Labels
from ..oncall.engine import OverrideWindow, Responder, timeline_from_api, zone_named
from ..schedule import SCHEDULE_TYPE
from .output import counted, print_flushed, reader_gone
from .secrets import Secrets, read_state
from .stack import PulumiStack
from .stack_overrides import declared_overrides


def run_oncall(stack: str, project_dir: Path, *, at: Optional[datetime] = None, days: int = 7,
               out: Callable[[str], None] = print_flushed) -> int:
    moment = (at or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(microsecond=0)
    pulumi = PulumiStack(stack, project_dir)
    secrets = Secrets()
    state = read_state(pulumi, secrets)
    resources = state.get("deployment", {}).get("resources") or []
    schedules = sorted((r for r in resources if r.get("type") == SCHEDULE_TYPE and r.get("id")),
                       key=lambda r: str(r.get("urn")))  # by resource name
    if not schedules:
        out(f"stack {stack} has no schedules")
        return 0
    config = pulumi.config()
    declared = {r["id"]: declared_overrides(state, r["id"]) for r in schedules}
    labels = secrets.labels(config.labels(), _participant_ids(schedules, declared.values()))
    try:
        with config.clients() as clients:  # each schedule on the site its state names
            for resource in schedules:
                client = clients(site_of(resource.get("outputs") or {}))
                for line in _on_call(client, resource, moment, days, labels, declared[resource["id"]], secrets):
                    out(line)
    except BrokenPipeError:
        return reader_gone()
    return 0


def _participant_ids(schedules: Sequence[dict[str, Any]],
                     declared: Iterable[Sequence[tuple[str, OverrideWindow]]]) -> list[str]:
    """The ids of the schedules' participants and declared overrides' responders, in order."""
    ids = [p.get("id") for r in schedules for rotation in rotation_list((r.get("outputs") or {}).get("rotations") or [])
           if isinstance(rotation, dict) for p in rotation.get("participants") or [] if isinstance(p, dict)]
    ids += [o.responder.id for overrides in declared for _name, o in overrides if o.responder is not None]
    return [i for i in ids if isinstance(i, str)]


def _on_call(client: Client, resource: dict[str, Any], moment: datetime, days: int, labels: Labels,
             declared: Sequence[tuple[str, OverrideWindow]], secrets: Secrets) -> list[str]:
    """The lines of one schedule of the stack: now, next, the handovers within `days`, and
    its declared overrides."""
    outputs = resource.get("outputs") or {}
    zone = zone_named(outputs.get("timezone"))
    if zone.key in secrets.values:
        zone = ZoneInfo("UTC")
    date = moment.isoformat()
    now = _participants(client.get_on_calls(resource["id"], date=date).get("onCallParticipants") or [], labels)
    answer = client.get_timeline(resource["id"], date=date, interval=days + 1, interval_unit="days")
    until = moment + timedelta(days=days)
    handovers = [h for h in timeline_from_api(answer, zone.key).handovers() if moment < h.at <= until]
    in_effect = [name for name, o in declared if o.start <= moment < o.end]
    title = (f"{secrets.shown(str(outputs.get('name', resource['id'])))}: now {', '.join(now) or 'nobody'}"
             + (f" (override {', '.join(in_effect)})" if in_effect else ""))
    coming = _declared_lines(declared, moment, zone, labels, secrets)
    if not handovers:
        return [f"{title}; no handover in the next {counted(days, 'day')}", *coming]
    return [
        f"{title}; next: {_names(handovers[0].after, labels)} from {_when(handovers[0].at, zone)}",
        f"  handovers in the next {counted(days, 'day')} (times in {zone.key}): {len(handovers)}",
        *[f"    {_when(h.at, zone)}: {_names(h.before, labels)} → {_names(h.after, labels)}{_marks(h.at, declared)}"
          for h in handovers],
        *coming,
    ]


def _marks(at: datetime, declared: Sequence[tuple[str, OverrideWindow]]) -> str:
    """` (xmas starts)`: the declared overrides that start or end at a handover."""
    marks = [f"{name} starts" for name, o in declared if o.start == at]
    marks += [f"{name} ends" for name, o in declared if o.end == at]
    return f" ({', '.join(marks)})" if marks else ""


def _declared_lines(declared: Sequence[tuple[str, OverrideWindow]], moment: datetime, zone: ZoneInfo,
                    labels: Labels, secrets: Secrets) -> list[str]:
    """The declared overrides that are ongoing or to come, in order of their start."""
    coming = sorted(((name, o) for name, o in declared if o.end > moment), key=lambda item: item[1].start)
    if not coming:
        return []
    lines = [f"  overrides declared in the stack, ongoing or to come: {len(coming)}"]
    for name, o in coming:
        who = "nobody" if o.responder is None else labels.get(o.responder.id, o.responder.id)
        rotations = ("all rotations" if o.rotation_names is None
                     else ", ".join(sorted(secrets.shown(n) for n in o.rotation_names)))
        lines.append(f"    {name}: {who}, {_when(o.start, zone)} – {_when(o.end, zone)} ({rotations})")
    return lines


def _participants(items: Iterable[dict[str, Any]], labels: Labels) -> list[str]:
    return sorted(labels.get(p.get("id", ""), p.get("id", "")) for p in items if p.get("type") != "noone")


def _names(responders: Iterable[Responder], labels: Labels) -> str:
    names = sorted(labels.get(r.id, r.id) for r in responders)
    return ", ".join(names) if names else "nobody"


def _when(moment: datetime, zone: ZoneInfo) -> str:
    return f"{moment.astimezone(zone):%a %Y-%m-%d %H:%M}"
