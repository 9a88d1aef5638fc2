"""One listing of all the site's schedules, for a provider process asked to read many.

`pulumi refresh` reads each schedule of the stack: one GET each, which at the real
service's latency is most of the command. Once a process has been asked for `START_AFTER`
reads, it lists the whole site (`GET /v1/schedules`, pages of 50 with their rotations) in
the background; reads arriving meanwhile wait for it (at most `PATIENCE` seconds), and
reads find their schedule in it once it has arrived. What keeps that as safe as a GET:

- the listing is this process's own (one provider process serves one pulumi command), and
  it serves only while the client has sent no change (a read after a write of this
  command gets a GET, whatever the order of the two);
- a schedule the listing lacks is never taken for deleted: it gets its own GET (a listing
  by offset skips schedules when others are deleted between two pages, and misses those
  made after it);
- an item is used only as a GET would answer it (with an id and its rotations), and the
  caller parses it as it parses a GET's answer;
- a stack of fewer schedules pays nothing, a big site at most `MAX_SCHEDULES` (and the page
  telling there are more; then every read gets its GET), and a listing that fails leaves
  every read to its GET.
"""

from __future__ import annotations

import itertools
import logging
import threading
import weakref
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    from ..api.client import Client

Json = dict[str, Any]

START_AFTER = 10  # the read that starts the listing
MAX_SCHEDULES = 1000  # 20 pages of 50; a site with more is read schedule by schedule
PATIENCE = 10.0  # seconds a read waits for a listing under way, before taking its GET

_log = logging.getLogger(__name__)


class ScheduleListing:
    """The listing of one client's site. Thread-safe: reads arrive concurrently."""

    def __init__(self, client: "Client", *, start_after: int = START_AFTER, max_schedules: int = MAX_SCHEDULES,
                 patience: float = PATIENCE):
        self._client = client
        self._start_after = start_after
        self._max_schedules = max_schedules
        self._patience = patience
        self._lock = threading.Lock()
        self._reads = 0
        self._started = False
        self._waited_too_long = False
        self._ended = threading.Event()  # taken or given up
        self._schedules: dict[str, Json] = {}

    def lookup(self, schedule_id: str) -> Optional[Json]:
        """The schedule as the listing holds it, or None: then read it with its own GET."""
        if self._client.sent_changes.is_set():
            return None
        with self._lock:
            self._reads += 1
            start = not self._started and self._reads >= self._start_after
            self._started = self._started or start
            wait = self._started and not self._waited_too_long
        if start:
            threading.Thread(target=self._take, name="jsmops-listing", daemon=True).start()
        if wait and not self._ended.wait(self._patience):
            with self._lock:
                self._waited_too_long = True  # later reads take their GET at once
        if not self._ended.is_set() or self._client.sent_changes.is_set():
            return None
        return self._schedules.get(schedule_id)

    def wait(self, timeout: float) -> bool:
        """Whether the listing ended (taken or given up) within `timeout` seconds."""
        return self._ended.wait(timeout)

    def _take(self) -> None:
        try:
            items = list(itertools.islice(self._client.list_schedules(expand_rotations=True), self._max_schedules + 1))
            if len(items) > self._max_schedules:
                _log.debug("the site holds more than %d schedules: each is read with its own GET",
                           self._max_schedules)
                return
            self._schedules = {item["id"]: item for item in items if _as_a_get_answers(item)}
            _log.debug("listed %d schedules: reads use them", len(self._schedules))
        except Exception as exc:  # whatever went wrong, each read still has its own GET
            _log.debug("listing the schedules failed (%s): each is read with its own GET", exc)
        finally:
            self._ended.set()


def _as_a_get_answers(item: Any) -> bool:
    """Whether a listed item holds what `GET /v1/schedules/{id}` answers: an id and the rotations."""
    return (isinstance(item, dict) and isinstance(item.get("id"), str) and bool(item["id"])
            and isinstance(item.get("rotations"), list))


_listings: "weakref.WeakKeyDictionary[Client, ScheduleListing]" = weakref.WeakKeyDictionary()
_listings_lock = threading.Lock()


def listing_of(client: "Client") -> ScheduleListing:
    """The listing of this client's site, made on first use (one per client, for this process)."""
    with _listings_lock:
        listing = _listings.get(client)
        if listing is None:
            listing = _listings[client] = ScheduleListing(client)
        return listing
