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

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Optional, Sequence
from zoneinfo import ZoneInfo

from ..api.client import Client
from ..api.models import rotation_list
from ..dynamic.base import site_of
from ..dynamic.ownership import urn_resource_name
from ..oncall.assessment import Labels
from ..oncall.engine import Handover, OverrideWindow, Responder, timeline_from_api, zone_named
from ..schedule import SCHEDULE_TYPE
from .output import counted, print_flushed, reader_gone
from .secrets import Secrets, read_state
from .stack import PulumiStack
from .stack_overrides import declared_overrides


@dataclass(frozen=True)
class ScheduleOnCall:
    """Who is on call on one schedule of a stack, as the service answers (declared overrides
    included). Participants are labels: the stack config's name for an id, else the id (a
    secret one as `[secret N]`)."""

    resource: str  # the Pulumi resource name
    schedule_id: str
    name: str  # a secret name as `[secret N]`
    time_zone: str  # the zone its times are shown in (UTC when the schedule's is secret)
    at: datetime
    days: int
    on_call: tuple[str, ...]  # on call at `at`, sorted (empty: nobody)
    overrides_in_effect: tuple[str, ...]  # the declared overrides (resource names) in effect at `at`
    handovers: tuple[Handover, ...]  # after `at`, within `days`, in time order
    declared: tuple[tuple[str, OverrideWindow], ...]  # declared overrides ongoing or to come, by start
    labels: Labels = field(default_factory=dict, compare=False, repr=False)

    @property
    def next(self) -> Optional[Handover]:
        """The first handover after `at` (who takes over, and when), if any within `days`."""
        return self.handovers[0] if self.handovers else None

    def lines(self) -> list[str]:
        """The lines `jsmops oncall` prints for the schedule."""
        zone = ZoneInfo(self.time_zone)
        title = (f"{self.name}: now {', '.join(self.on_call) or 'nobody'}"
                 + (f" (override {', '.join(self.overrides_in_effect)})" if self.overrides_in_effect else ""))
        coming = _declared_lines(self.declared, zone, self.labels)
        if self.next is None:
            return [f"{title}; no handover in the next {counted(self.days, 'day')}", *coming]
        return [
            f"{title}; next: {_names(self.next.after, self.labels)} from {_when(self.next.at, zone)}",
            f"  handovers in the next {counted(self.days, 'day')} (times in {zone.key}): {len(self.handovers)}",
            *[f"    {_when(h.at, zone)}: {_names(h.before, self.labels)} → {_names(h.after, self.labels)}"
              f"{_marks(h.at, self.declared)}" for h in self.handovers],
            *coming,
        ]


def run_oncall(stack: str, project_dir: Path, *, at: Optional[datetime] = None, days: int = 7,
               out: Callable[[str], None] = print_flushed) -> int:
    schedules = on_call_of(PulumiStack(stack, project_dir), at=at, days=days)
    if not schedules:
        out(f"stack {stack} has no schedules")
        return 0
    try:
        for schedule in schedules:
            for line in schedule.lines():
                out(line)
    except BrokenPipeError:
        return reader_gone()
    return 0


def on_call_of(stack: PulumiStack, *, at: Optional[datetime] = None, days: int = 7) -> list[ScheduleOnCall]:
    """Who is on call on each schedule of the stack (by resource name) at `at` (default: now),
    and the handovers of the next `days`. Reads the state, the config, and per schedule its
    on-calls and timeline; writes nothing."""
    moment = (at or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(microsecond=0)
    secrets = Secrets()
    state = read_state(stack, secrets)
    resources = state.get("deployment", {}).get("resources") or []
    schedules = sorted((r for r in resources if r.get("type") == SCHEDULE_TYPE and r.get("id")),
                       key=lambda r: str(r.get("urn")))  # by resource name
    if not schedules:
        return []
    config = stack.config()
    declared = {r["id"]: declared_overrides(state, r["id"]) for r in schedules}
    labels = secrets.labels(config.labels(), _participant_ids(schedules, declared.values()))
    with config.clients() as clients:  # each schedule on the site its state names
        return [_on_call(clients(site_of(resource.get("outputs") or {})), resource, moment, days, labels,
                         declared[resource["id"]], secrets) for resource in schedules]


def _participant_ids(schedules: Sequence[dict[str, Any]],
                     declared: Iterable[Sequence[tuple[str, OverrideWindow]]]) -> list[str]:
    """The ids of the schedules' participants and declared overrides' responders, in order."""
    ids = [p.get("id") for r in schedules for rotation in rotation_list((r.get("outputs") or {}).get("rotations") or [])
           if isinstance(rotation, dict) for p in rotation.get("participants") or [] if isinstance(p, dict)]
    ids += [o.responder.id for overrides in declared for _name, o in overrides if o.responder is not None]
    return [i for i in ids if isinstance(i, str)]


def _marks(at: datetime, declared: Sequence[tuple[str, OverrideWindow]]) -> str:
    """` (xmas starts)`: the declared overrides that start or end at a handover."""
    marks = [f"{name} starts" for name, o in declared if o.start == at]
    marks += [f"{name} ends" for name, o in declared if o.end == at]
    return f" ({', '.join(marks)})" if marks else ""


def _on_call(client: Client, resource: dict[str, Any], moment: datetime, days: int, labels: Labels,
             declared: Sequence[tuple[str, OverrideWindow]], secrets: Secrets) -> ScheduleOnCall:
    """One schedule of the stack: now, the handovers within `days`, and its declared overrides."""
    outputs = resource.get("outputs") or {}
    zone = zone_named(outputs.get("timezone"))
    if zone.key in secrets.values:
        zone = ZoneInfo("UTC")
    date = moment.isoformat()
    now = _participants(client.get_on_calls(resource["id"], date=date).get("onCallParticipants") or [], labels)
    answer = client.get_timeline(resource["id"], date=date, interval=days + 1, interval_unit="days")
    until = moment + timedelta(days=days)
    name = secrets.shown(str(outputs.get("name", resource["id"])))  # numbered before its rotations
    coming = sorted(((name, _shown_rotations(o, secrets)) for name, o in declared if o.end > moment),
                    key=lambda item: item[1].start)
    return ScheduleOnCall(
        resource=urn_resource_name(str(resource.get("urn"))), schedule_id=resource["id"],
        name=name, time_zone=zone.key, at=moment, days=days,
        on_call=tuple(now), overrides_in_effect=tuple(name for name, o in declared if o.start <= moment < o.end),
        handovers=tuple(h for h in timeline_from_api(answer, zone.key).handovers() if moment < h.at <= until),
        declared=tuple(coming), labels=labels)


def _shown_rotations(override: OverrideWindow, secrets: Secrets) -> OverrideWindow:
    """The override with its secret rotation names as `[secret N]`."""
    if override.rotation_names is None:
        return override
    return replace(override, rotation_names=frozenset(secrets.shown(n) for n in override.rotation_names))


def _declared_lines(coming: Sequence[tuple[str, OverrideWindow]], zone: ZoneInfo, labels: Labels) -> list[str]:
    """The declared overrides that are ongoing or to come, in order of their start."""
    if not coming:
        return []
    lines = [f"  overrides declared in the stack, ongoing or to come: {len(coming)}"]
    for name, o in coming:
        who = "nobody" if o.responder is None else labels.get(o.responder.id, o.responder.id)
        rotations = "all rotations" if o.rotation_names is None else ", ".join(sorted(o.rotation_names))
        lines.append(f"    {name}: {who}, {_when(o.start, zone)} – {_when(o.end, zone)} ({rotations})")
    return lines


def _participants(items: Iterable[dict[str, Any]], labels: Labels) -> list[str]:
    return sorted(labels.get(p.get("id", ""), p.get("id", "")) for p in items if p.get("type") != "noone")


def _names(responders: Iterable[Responder], labels: Labels) -> str:
    names = sorted(labels.get(r.id, r.id) for r in responders)
    return ", ".join(names) if names else "nobody"


def _when(moment: datetime, zone: ZoneInfo) -> str:
    return f"{moment.astimezone(zone):%a %Y-%m-%d %H:%M}"
