"""HTTP handlers: authenticate, parse and validate, call the backend, shape the response."""

from __future__ import annotations

import base64
import binascii
import hmac
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request, Response

from .config import API_BASE, API_ROOT, Identity, Settings
from .exceptions import ApiError
from .faults import FaultRegistry, FaultSpec, Latency, LatencySpec, RequestCounters, RequestJournal
from .models import Schedule, ScheduleBackend
from .validation import ScheduleCreate, ScheduleUpdate, parse_body

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
EXPANDABLE = ["rotation"]

api = APIRouter(prefix=API_ROOT)
controls = APIRouter(prefix="/_emulator")


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _backend(request: Request) -> ScheduleBackend:
    return request.app.state.backend


def _faults(request: Request) -> FaultRegistry:
    return request.app.state.faults


def _counters(request: Request) -> RequestCounters:
    return request.app.state.counters


def _journal(request: Request) -> RequestJournal:
    return request.app.state.journal


def _latency(request: Request) -> Latency:
    return request.app.state.latency


# --- access: credentials (401), then cloud id (404), then permission (403) ---


def reader(request: Request, cloud_id: str) -> Identity:
    settings = _settings(request)
    identity = _identify(settings.identities, request.headers.get("authorization"))
    if identity is None:
        raise ApiError(
            401,
            "authorization: missing or invalid credentials (HTTP basic with email and API token)",
            headers={"WWW-Authenticate": 'Basic realm="jsm-ops"'},
        )
    if cloud_id != settings.cloud_id:
        raise ApiError(404, f"cloudId: no cloud with id '{cloud_id}'")
    return identity


def writer(identity: Identity = Depends(reader)) -> Identity:
    if not identity.can_write:
        raise ApiError(403, f"{identity.email} has no permission to change schedules")
    return identity


async def body(request: Request, _: Identity = Depends(writer)) -> bytes:
    """The raw body, read only once the caller may write; an empty body counts as `{}`."""
    return await request.body() or b"{}"


def _identify(identities: tuple[Identity, ...], authorization: str | None) -> Identity | None:
    scheme, _, encoded = (authorization or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        email, separator, token = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    if not separator:
        return None
    for identity in identities:
        if identity.email == email and hmac.compare_digest(identity.token, token):
            return identity
    return None


# --- the Schedules API ---


@api.get("/schedules", dependencies=[Depends(reader)])
def list_schedules(
    request: Request,
    cloud_id: str,
    offset: int = Query(0, ge=0),
    size: int = Query(DEFAULT_PAGE_SIZE, ge=1),
    query: str | None = None,
    expand: list[str] = Query([]),
) -> dict:
    size = min(size, MAX_PAGE_SIZE)
    # Repeated and comma-separated forms alike; first mention wins the order.
    expands = list(dict.fromkeys(name.strip() for value in expand for name in value.split(",") if name.strip()))
    page = _backend(request).list(offset, size + 1, query)
    values = page[:size]
    if "rotation" not in expands:
        values = [{key: value for key, value in schedule.items() if key != "rotations"} for schedule in values]
    links = {}
    if len(page) > size:
        params = {"offset": offset + size, "size": size}
        if query is not None:
            params["query"] = query
        if expands:
            params["expand"] = ",".join(expands)
        links["next"] = _link(request, cloud_id, "/v1/schedules?" + urlencode(params))
    return {"values": values, "links": links, "_expands": EXPANDABLE}


def _link(request: Request, cloud_id: str, path: str) -> str:
    """`path` is relative to the API base; by default links stay in that form, as the service's do."""
    if not _settings(request).full_next_links:
        return path
    return str(request.base_url).rstrip("/") + API_BASE.format(cloud_id=cloud_id) + path


@api.post("/schedules", status_code=201)
def create_schedule(request: Request, raw: bytes = Depends(body)) -> Schedule:
    fields = parse_body(ScheduleCreate, raw, strict=_settings(request).strict)
    return _backend(request).create(fields.document())


@api.get("/schedules/{schedule_id}", dependencies=[Depends(reader)])
def get_schedule(request: Request, schedule_id: str) -> Schedule:
    return _backend(request).get(schedule_id)


@api.patch("/schedules/{schedule_id}")
def update_schedule(request: Request, schedule_id: str, raw: bytes = Depends(body)) -> Schedule:
    changes = parse_body(ScheduleUpdate, raw, strict=_settings(request).strict).changes()
    return _backend(request).update(schedule_id, changes)


@api.delete("/schedules/{schedule_id}", status_code=204, dependencies=[Depends(writer)])
def delete_schedule(request: Request, schedule_id: str) -> Response:
    _backend(request).delete(schedule_id)
    return Response(status_code=204)


# --- test controls: no auth, never counted, limited or faulted ---


@controls.get("/stats")
def stats(request: Request) -> dict:
    return _counters(request).snapshot()


@controls.post("/stats/reset", status_code=204)
def reset_stats(request: Request) -> Response:
    _counters(request).reset()
    _journal(request).clear()
    return Response(status_code=204)


@controls.get("/requests")
def journal(request: Request) -> list[dict]:
    return _journal(request).entries()


@controls.get("/latency")
def get_latency(request: Request) -> LatencySpec:
    return _latency(request).spec


@controls.put("/latency")
def set_latency(request: Request, spec: LatencySpec) -> LatencySpec:
    _latency(request).set(spec)
    return spec


@controls.post("/faults", status_code=201)
def add_fault(request: Request, spec: FaultSpec) -> dict:
    return _faults(request).add(spec).to_json()


@controls.get("/faults")
def list_faults(request: Request) -> dict:
    return {"faults": [fault.to_json() for fault in _faults(request).pending()]}


@controls.delete("/faults", status_code=204)
def clear_faults(request: Request) -> Response:
    _faults(request).clear()
    return Response(status_code=204)


@controls.post("/reset", status_code=204)
def reset(request: Request) -> Response:
    """Back to an empty emulator: no schedules, faults or journal, zero counters, the start-up latency."""
    _backend(request).reset()
    _faults(request).clear()
    _counters(request).reset()
    _journal(request).clear()
    _latency(request).reset()
    return Response(status_code=204)
