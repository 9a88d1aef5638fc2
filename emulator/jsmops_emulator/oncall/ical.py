"""iCalendar (RFC 5545) files of on-call periods, built with the `icalendar` library."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import icalendar

from .models import Period, RotationTimeline

PRODUCT_ID = "-//jsmops-emulator//on-call//EN"


def calendar(name: str, events: Iterable[tuple[str, RotationTimeline, Period]], stamp: dt.datetime) -> bytes:
    """A calendar named `name` with one event per (schedule id, rotation, period); `noone` periods are left out."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODUCT_ID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for schedule_id, rotation, period in events:
        if period.responder.is_nobody:
            continue
        event = icalendar.Event()
        event.add("uid", f"{schedule_id}-{rotation.id}-{period.start:%Y%m%dT%H%M%SZ}@jsmops-emulator")
        event.add("dtstamp", stamp)
        event.add("dtstart", period.start)
        event.add("dtend", period.end)
        event.add("summary", f"{period.responder.type} {period.responder.id} on call ({rotation.name})")
        event.add("categories", [period.kind])
        cal.add_component(event)
    ical_bytes: bytes = cal.to_ical()
    return ical_bytes
