"""Traffic control in front of the API: latency, request counters and journal, rate limiting
and injected faults.

`TrafficControl` wraps the whole ASGI application. Requests under `/_emulator/`
pass straight through: they are never delayed, counted, journaled, rate limited or faulted.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import collections
import dataclasses
import itertools
import json
import random
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any, Literal
from urllib.parse import parse_qs, quote

import regex
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .exceptions import error_response_for

CONTROL_PREFIX = "/_emulator/"
# Journal paths are given below the API base, as `links.next` paths are: "/v1/schedules/...".
_API_BASE_PATH = re.compile(r"^/jsm/ops/api/[^/]+(?=/)")
JOURNAL_SIZE = 20_000
# The path patterns of all pending faults together may take this long on one request: a
# pattern that backtracks catastrophically cannot hold up the emulator, however many there are.
PATH_MATCH_BUDGET = 0.05  # seconds
MAX_FAULTS = 100  # pending at once; more is refused
DEFAULT_FAULT_TTL = 600.0  # seconds a fault stays pending unless it is used up first
MAX_FAULT_TTL = 86_400.0

# Returning anything but None from an ASGI app breaks the protocol; uvicorn
# answers that by closing the connection at once. With no response started,
# the client gets not a single byte: a connection-level error, no status code.
# (uvicorn logs this text in its "should return None" error line.)
_CUT = "connection cut by an injected fault"
# An endless trickle ends when its client goes, or after this long.
ENDLESS_TRICKLE_LIMIT = 600.0  # seconds
# How an error answer may echo the request's credentials, as some proxies and gateways do.
EchoForm = Literal["header", "header-cut", "header-percent", "headers-json", "token", "base64url"]


class FaultSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: Literal["GET", "POST", "PATCH", "DELETE", "*"] = "*"
    path: str | None = Field(None, description="regular expression searched in the request path; none = any")
    count: int = Field(1, ge=1)
    action: Literal["status", "delay", "cut", "trickle"]
    status: int | None = Field(None, ge=400, le=599, description="for action status; default 503")
    retry_after: int | None = Field(None, ge=0)
    echo: list[EchoForm] = Field([], description="for action status: the request's credentials, in the error")
    delay: float | None = Field(None, gt=0, description="for delay, seconds before serving; for trickle, between bytes")
    endless: bool = Field(False, description="for trickle: the body never ends")
    ttl: float = Field(DEFAULT_FAULT_TTL, gt=0, le=MAX_FAULT_TTL, description="seconds until it expires unused")

    @field_validator("path")
    @classmethod
    def _is_regex(cls, path: str | None) -> str | None:
        if path is not None:
            try:
                regex.compile(path)
            except regex.error as exc:
                raise ValueError(f"not a regular expression: {exc}") from None
        return path

    @model_validator(mode="after")
    def _action_complete(self) -> FaultSpec:
        if self.action in ("delay", "trickle") and self.delay is None:
            raise ValueError(f"delay is required for action {self.action}")
        if self.echo and self.action != "status":
            raise ValueError("echo is for action status only")
        if self.endless and self.action != "trickle":
            raise ValueError("endless is for action trickle only")
        if self.action == "status" and self.status is None:
            self.status = 503
        return self


@dataclasses.dataclass
class Fault:
    id: str
    spec: FaultSpec
    remaining: int
    expires: float  # on the registry's clock

    def __post_init__(self) -> None:
        self._path = None if self.spec.path is None else regex.compile(self.spec.path)

    def matches(self, method: str, path: str, time_left: float) -> bool:
        """A path pattern that does not finish within `time_left` seconds (catastrophic
        backtracking, e.g. `(a|aa)+$`) does not match this path."""
        if self.spec.method not in ("*", method):
            return False
        if self._path is None:
            return True
        if time_left <= 0:
            return False
        try:
            return self._path.search(path, timeout=time_left) is not None
        except TimeoutError:
            return False

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, **self.spec.model_dump(), "count": self.remaining}


class FaultRegistryFull(Exception):
    pass


class FaultRegistry:
    """The pending faults, oldest first: at most MAX_FAULTS, each until it is used up or its
    `ttl` runs out."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, match_budget: float = PATH_MATCH_BUDGET) -> None:
        self._clock = clock
        self._match_budget = match_budget
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, spec: FaultSpec) -> Fault:
        with self._lock:
            now = self._drop_expired()
            if len(self._faults) >= MAX_FAULTS:
                raise FaultRegistryFull(f"faults: at most {MAX_FAULTS} may be pending; DELETE /_emulator/faults")
            fault = Fault(str(uuid.uuid4()), spec, spec.count, expires=now + spec.ttl)
            self._faults.append(fault)
        return fault

    def pending(self) -> list[Fault]:
        with self._lock:
            self._drop_expired()
            return list(self._faults)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, method: str, path: str) -> FaultSpec | None:
        """Use up one application of the oldest fault matching this request, if any. The path
        patterns share PATH_MATCH_BUDGET: once it is spent, the remaining ones do not match."""
        with self._lock:
            deadline = self._drop_expired() + self._match_budget
            for fault in self._faults:
                if fault.matches(method, path, deadline - self._clock()):
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                    return fault.spec
        return None

    def _drop_expired(self) -> float:
        """Now, on the registry's clock, after dropping the faults that expired (lock held)."""
        now = self._clock()
        self._faults = [fault for fault in self._faults if fault.expires > now]
        return now


class RateLimiter:
    """At most `per_second` admitted requests in any sliding one-second window.

    Refused requests do not use up the allowance. `admit` answers None to let a
    request through, else the whole seconds to wait (Retry-After): always 1, as
    the oldest admitted request leaves the window within a second.
    """

    def __init__(self, per_second: int, clock: Callable[[], float] = time.monotonic):
        self._per_second = per_second
        self._clock = clock
        self._admitted: collections.deque[float] = collections.deque()
        self._lock = threading.Lock()

    def admit(self) -> int | None:
        with self._lock:
            now = self._clock()
            while self._admitted and self._admitted[0] <= now - 1:
                self._admitted.popleft()
            if len(self._admitted) < self._per_second:
                self._admitted.append(now)
                return None
            return 1


class RequestCounters:
    """Finished API requests by method and status, and the requests being served (e.g. held by
    a delay fault after their client gave up, so tests can wait for quiet): how many now, the
    most at once, and the time-weighted mean between the first start and the last end since
    the last reset, so benchmarks can tell how busy a client kept the service."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._counts: collections.Counter[tuple[str, int]] = collections.Counter()
        self._in_flight = 0
        self._restart_busy_period()

    def _restart_busy_period(self) -> None:
        """Zero the in-flight statistics, counting the requests still in flight from now on."""
        now = self._clock()
        self._in_flight_max = self._in_flight
        self._first_start: float | None = now if self._in_flight else None
        self._last_change = now
        self._last_end: float | None = None
        self._area = 0.0  # integral of in_flight over time, up to _last_change
        self._area_at_last_end = 0.0

    def _advance(self) -> float:
        now = self._clock()
        self._area += self._in_flight * (now - self._last_change)
        self._last_change = now
        return now

    def enter(self) -> None:
        with self._lock:
            now = self._advance()
            if self._first_start is None:
                self._first_start = now
            self._in_flight += 1
            self._in_flight_max = max(self._in_flight_max, self._in_flight)

    def leave(self) -> None:
        with self._lock:
            self._last_end = self._advance()
            self._area_at_last_end = self._area
            self._in_flight -= 1

    def record(self, method: str, status: int) -> None:
        with self._lock:
            self._counts[(method, status)] += 1

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()
            self._restart_busy_period()

    def _in_flight_mean(self) -> float:
        if self._first_start is None or self._last_end is None or self._last_end <= self._first_start:
            return 0.0
        return round(self._area_at_last_end / (self._last_end - self._first_start), 3)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            counts = dict(self._counts)
            in_flight, in_flight_max, in_flight_mean = self._in_flight, self._in_flight_max, self._in_flight_mean()
        by_method: collections.Counter[str] = collections.Counter()
        by_status: collections.Counter[str] = collections.Counter()
        by_method_status: dict[str, dict[str, int]] = {}
        for (method, status), n in sorted(counts.items()):
            by_method[method] += n
            by_status[str(status)] += n
            by_method_status.setdefault(method, {})[str(status)] = n
        return {
            "total": sum(counts.values()),
            "by_method": dict(by_method),
            "by_status": dict(sorted(by_status.items())),
            "by_method_status": by_method_status,
            "in_flight": in_flight,
            "in_flight_max": in_flight_max,
            "in_flight_mean": in_flight_mean,
        }


class RequestJournal:
    """The most recent API requests in order of arrival: method, path below the API base,
    query, parsed JSON body (None if empty or not JSON) and final status (None until answered)."""

    def __init__(self, size: int = JOURNAL_SIZE) -> None:
        self._lock = threading.Lock()
        self._entries: collections.deque[dict[str, Any]] = collections.deque(maxlen=size)

    def start(self, method: str, path: str, query_string: bytes, body: bytes) -> dict[str, Any]:
        entry = {
            "method": method,
            "path": _API_BASE_PATH.sub("", path, count=1),
            "query": parse_qs(query_string.decode("latin-1"), keep_blank_values=True),
            "body": _json_or_none(body),
            "status": None,
        }
        with self._lock:
            self._entries.append(entry)
        return entry

    def answered(self, entry: dict[str, Any], status: int) -> None:
        with self._lock:
            entry["status"] = status

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(entry) for entry in self._entries]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def _json_or_none(body: bytes) -> Any:
    try:
        return json.loads(body) if body else None
    except (ValueError, RecursionError):  # not JSON, or nested too deeply to parse
        return None


class LatencySpec(BaseModel):
    """Added to every API request: `ms` plus or minus up to `jitter_ms` (uniform), never below 0."""

    model_config = ConfigDict(extra="forbid")

    ms: float = Field(0, ge=0)
    jitter_ms: float = Field(0, ge=0)


class Latency:
    """The current latency setting; the start-up one comes back on reset."""

    def __init__(self, initial: LatencySpec, rng: random.Random | None = None) -> None:
        self._initial = initial
        self._spec = initial
        self._rng = rng or random.Random()

    @property
    def spec(self) -> LatencySpec:
        return self._spec

    def set(self, spec: LatencySpec) -> None:
        self._spec = spec

    def reset(self) -> None:
        self._spec = self._initial

    def seconds(self) -> float:
        spec = self._spec  # one read: a concurrent set never mixes two settings
        jitter = self._rng.uniform(-spec.jitter_ms, spec.jitter_ms) if spec.jitter_ms else 0.0
        return max(0.0, spec.ms + jitter) / 1000


async def _discard(message: Message) -> None:
    """A `send` that drops the response."""


async def _trickled(app: ASGIApp, scope: Scope, receive: Receive, send: Send, delay: float, endless: bool) -> None:
    """Serves the request in full (it is committed), then sends its answer's status and
    headers at once and its body chunked, a byte per chunk, `delay` seconds apart. `endless`:
    blanks instead of the body, until the client goes (or ENDLESS_TRICKLE_LIMIT)."""
    answer: list[Message] = []

    async def keep(message: Message) -> None:
        answer.append(message)

    await app(scope, receive, keep)
    start, *rest = answer
    body = b"".join(message.get("body", b"") for message in rest)
    headers = [(key, value) for key, value in start.get("headers", []) if key.lower() != b"content-length"]
    pieces: Iterable[bytes] = (
        itertools.repeat(b" ", int(ENDLESS_TRICKLE_LIMIT / delay)) if endless
        else (body[at:at + 1] for at in range(len(body)))
    )
    gone = asyncio.ensure_future(_disconnected(receive))
    try:
        await send({**start, "headers": headers})  # no Content-Length: the server sends the body chunked
        for piece in pieces:
            if gone.done():
                return
            await send({"type": "http.response.body", "body": piece, "more_body": True})
            await asyncio.sleep(delay)
        await send({"type": "http.response.body", "body": b"", "more_body": False})
    finally:
        gone.cancel()


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


def _echoed(form: EchoForm, scope: Scope) -> str:
    """The request's credentials as an error that echoes them in `form` shows them."""
    headers: dict[str, str] = {
        key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope.get("headers", [])
    }
    header = headers.get("authorization", "")
    try:
        credentials = base64.b64decode(header.partition(" ")[2], validate=True)
    except binascii.Error:
        credentials = b""
    return {
        "header": header,
        "header-cut": header[:14] + "…",
        "header-percent": quote(header, safe=""),
        "headers-json": json.dumps({"Authorization": header}).replace("/", "\\/"),
        "token": credentials.partition(b":")[2].decode("latin-1"),
        "base64url": base64.urlsafe_b64encode(credentials).decode("ascii").rstrip("="),
    }[form]


async def _read_body(receive: Receive) -> bytes:
    body = b""
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return body
        chunk: bytes = message.get("body", b"")
        body += chunk
        if not message.get("more_body"):
            return body


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands over the already read body, then the connection's own events."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def replay() -> Message:
        return pending.pop() if pending else await receive()

    return replay


class TrafficControl:
    """ASGI middleware: journals and counts every API request by method and final status,
    waits the configured latency (without blocking other requests), then applies the rate
    limit, then the oldest matching injected fault.

    It must be the outermost layer, so that the value it returns for a cut
    reaches the server (Starlette's own middlewares drop return values).
    """

    def __init__(
        self,
        app: ASGIApp,
        faults: FaultRegistry,
        counters: RequestCounters,
        limiter: RateLimiter | None,
        journal: RequestJournal,
        latency: Latency,
    ):
        self.app = app
        self.faults = faults
        self.counters = counters
        self.limiter = limiter
        self.journal = journal
        self.latency = latency

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> str | None:
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return None
        self.counters.enter()
        try:
            return await self._serve(scope, receive, send)
        finally:
            self.counters.leave()

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> str | None:
        method = scope["method"]
        # The whole request is read first: a slow service has the request already, so it is
        # served even if the client gives up (or dies) while waiting, as a real one would.
        body = await _read_body(receive)
        receive = _replaying(body, receive)
        entry = self.journal.start(method, scope["path"], scope.get("query_string", b""), body)
        counted = self._counting(method, entry, send)

        delay = self.latency.seconds()
        if delay:
            await asyncio.sleep(delay)

        retry_after = self.limiter.admit() if self.limiter else None
        if retry_after is not None:
            response = error_response_for(
                scope["path"],
                429,
                ["rate limit exceeded: too many requests per second"],
                {"Retry-After": str(retry_after)},
            )
            await response(scope, receive, counted)
            return None

        fault = self.faults.take(method, scope["path"])
        if fault is None:
            await self.app(scope, receive, counted)
            return None
        if fault.action == "status":
            assert fault.status is not None  # FaultSpec sets the default
            headers = {} if fault.retry_after is None else {"Retry-After": str(fault.retry_after)}
            titles = [f"injected fault: HTTP {fault.status}"]
            titles += [f"could not verify '{_echoed(form, scope)}'" for form in fault.echo]
            response = error_response_for(scope["path"], fault.status, titles, headers)
            await response(scope, receive, counted)
            return None
        if fault.action == "delay":
            assert fault.delay is not None  # FaultSpec requires it
            await asyncio.sleep(fault.delay)
            await self.app(scope, receive, counted)
            return None
        if fault.action == "trickle":
            assert fault.delay is not None  # FaultSpec requires it
            await _trickled(self.app, scope, receive, counted, fault.delay, fault.endless)
            return None
        # cut: the request is processed (and committed) in full, its response dropped.
        await self.app(scope, receive, self._counting(method, entry, _discard))
        return _CUT

    def _counting(self, method: str, entry: dict[str, Any], send: Send) -> Send:
        async def counted(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.counters.record(method, message["status"])
                self.journal.answered(entry, message["status"])
            await send(message)

        return counted
