"""`jsmops oncall`: who is on call now, who is next, and the coming handovers, for each
schedule of a stack, as the service answers them (its on-call and timeline endpoints).
Reads only.

"Next" is the schedule's first handover after the moment: who is on call from then, and
when. (The next-on-calls endpoint answers each rotation's next responder, which may be the
one on call now, back after a restriction's break: no answer to "who takes over".)"""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Optional
from zoneinfo import ZoneInfo

from .impact import Labels, labels_from_config, print_flushed, reader_gone
from .oncall import DEFAULT_TIME_ZONE, Responder, timeline_from_api
from .pulumi_cli import run_pulumi


def parse_time(text: str) -> datetime:
    """A command-line moment: ISO 8601 with an offset (or `Z`); without one, UTC."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not an ISO 8601 time, e.g. 2026-01-21T12:00:00+01:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _participants(items: Iterable[dict[str, Any]], labels: Labels) -> list[str]:
    return sorted(labels.get(p.get("id", ""), p.get("id", "")) for p in items if p.get("type") != "noone")


def _names(responders: Iterable[Responder], labels: Labels) -> str:
    names = sorted(labels.get(r.id, r.id) for r in responders)
    return ", ".join(names) if names else "nobody"


def run_oncall(stack: str, project_dir: Path, *, at: Optional[datetime] = None, days: int = 7,
               out: Callable[[str], None] = print_flushed) -> int:
    from .client import Client
    from .config import load_settings
    from .importer import SCHEDULE_TYPE

    moment = (at or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(microsecond=0)
    state = json.loads(run_pulumi(stack, project_dir, "stack", "export"))
    resources = state.get("deployment", {}).get("resources") or []
    schedules = sorted((r for r in resources if r.get("type") == SCHEDULE_TYPE and r.get("id")),
                       key=lambda r: str(r.get("urn")))  # by resource name
    if not schedules:
        out(f"stack {stack} has no schedules")
        return 0
    config = json.loads(run_pulumi(stack, project_dir, "config", "--json", "--show-secrets") or "{}")
    labels = labels_from_config(config)
    client = Client(load_settings(lambda key: (config.get(key) or {}).get("value")))
    date = moment.isoformat()
    until = moment + timedelta(days=days)
    try:
        for resource in schedules:
            outputs = resource.get("outputs") or {}
            zone = ZoneInfo(outputs.get("timezone") or DEFAULT_TIME_ZONE)
            now = _participants(client.get_on_calls(resource["id"], date=date).get("onCallParticipants") or [], labels)
            answer = client.get_timeline(resource["id"], date=date, interval=days + 1, interval_unit="days")
            handovers = [h for h in timeline_from_api(answer, zone.key).handovers() if moment < h.at <= until]
            title = f"{outputs.get('name', resource['id'])}: now {', '.join(now) or 'nobody'}"
            if not handovers:
                out(f"{title}; no handover in the next {days} days")
                continue
            out(f"{title}; next: {_names(handovers[0].after, labels)} from {_when(handovers[0].at, zone)}")
            out(f"  handovers in the next {days} days (times in {zone.key}): {len(handovers)}")
            for handover in handovers:
                out(f"    {_when(handover.at, zone)}: {_names(handover.before, labels)} → "
                    f"{_names(handover.after, labels)}")
    except BrokenPipeError:
        return reader_gone()
    finally:
        client.close()
    return 0


def _when(moment: datetime, zone: ZoneInfo) -> str:
    return f"{moment.astimezone(zone):%a %Y-%m-%d %H:%M}"

