"""HTTP handlers: authenticate, parse and validate, call the backend, shape the response."""

from __future__ import annotations

import base64
import binascii
import datetime
import hmac
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request, Response

from .config import API_BASE, API_ROOT, Identity, Settings
from .exceptions import ApiError, NotFound, Unauthorized
from .faults import FaultRegistry, FaultRegistryFull, FaultSpec, Latency, LatencySpec, RequestCounters, RequestJournal
from .models import Document, ScheduleBackend
from .users.models import UserDirectory
from .validation import (
    INT32_MAX,
    Body,
    OverrideBody,
    RotationCreate,
    RotationUpdate,
    ScheduleCreate,
    ScheduleUpdate,
    check_rotation,
    parse_body,
)

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 50
EXPANDABLE = ["rotation"]

api = APIRouter(prefix=API_ROOT)
controls = APIRouter(prefix="/_emulator")


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _backend(request: Request) -> ScheduleBackend:
    backend: ScheduleBackend = request.app.state.backend
    return backend


def _faults(request: Request) -> FaultRegistry:
    faults: FaultRegistry = request.app.state.faults
    return faults


def _counters(request: Request) -> RequestCounters:
    counters: RequestCounters = request.app.state.counters
    return counters


def _journal(request: Request) -> RequestJournal:
    journal: RequestJournal = request.app.state.journal
    return journal


def _latency(request: Request) -> Latency:
    latency: Latency = request.app.state.latency
    return latency


def _directory(request: Request) -> UserDirectory:
    directory: UserDirectory = request.app.state.directory
    return directory


# --- access: credentials (401), then cloud id (404), then permission (403) ---


def reader(request: Request, cloud_id: str) -> Identity:
    settings = _settings(request)
    identity = identify(settings.identities, request.headers.get("authorization"))
    if identity is None:
        raise Unauthorized("authorization: missing or invalid credentials (HTTP basic with email and API token)")
    if cloud_id != settings.cloud_id:
        raise NotFound(f"cloudId: no cloud with id '{cloud_id}'")
    return identity


def writer(identity: Identity = Depends(reader)) -> Identity:
    if not identity.can_write:
        raise ApiError(403, f"{identity.email} has no permission to change schedules")
    return identity


async def body(request: Request, _: Identity = Depends(writer)) -> bytes:
    """The raw body, read only once the caller may write; an empty body counts as `{}`."""
    return await request.body() or b"{}"


def identify(identities: tuple[Identity, ...], authorization: str | None) -> Identity | None:
    """The identity whose email and token an `Authorization: Basic ...` header carries, if any."""
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


def _parse(request: Request, model: type[Body], raw: bytes) -> Body:
    """A valid body whose users the directory knows (any user while it is empty)."""
    parsed = parse_body(model, raw, strict=_settings(request).strict)
    directory = _directory(request)
    unknown = [
        f"{where}: no user with account id '{account_id}'"
        for where, account_id in parsed.user_ids()
        if not directory.knows(account_id)
    ]
    if unknown:
        raise ApiError(422, *unknown)
    return parsed


# --- paging: offset and size as the spec limits them, links.next as a path below the API base ---

Offset = Annotated[int, Query(ge=0, le=INT32_MAX)]
Size = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]


def _page(
    request: Request, cloud_id: str, path: str, items: list[Document], offset: int, size: int, **params: str
) -> dict[str, Any]:
    """`items` holds up to size + 1 entries from `offset` on: one more than a page means there is a next."""
    links: dict[str, str] = {}
    if len(items) > size:
        query = urlencode({"offset": offset + size, "size": size, **params})
        links["next"] = _link(request, cloud_id, f"{path}?{query}")
    return {"values": items[:size], "links": links}


def _link(request: Request, cloud_id: str, path: str) -> str:
    """`path` is relative to the API base; by default links stay in that form, as the service's do."""
    if not _settings(request).full_next_links:
        return path
    return str(request.base_url).rstrip("/") + API_BASE.format(cloud_id=cloud_id) + path


# --- schedules ---


@api.get("/schedules", dependencies=[Depends(reader)])
def list_schedules(
    request: Request,
    cloud_id: str,
    offset: Offset = 0,
    size: Size = DEFAULT_PAGE_SIZE,
    query: str | None = None,
    expand: list[str] = Query([]),
) -> dict[str, Any]:
    # Repeated and comma-separated forms alike; first mention wins the order.
    expands = list(dict.fromkeys(name.strip() for value in expand for name in value.split(",") if name.strip()))
    with_rotations = "rotation" in expands
    query = query or None  # an empty query filters nothing
    items = _backend(request).list(offset, size + 1, query, with_rotations=with_rotations)
    params = {}
    if query is not None:
        params["query"] = query
    if expands:
        params["expand"] = ",".join(expands)
    page = _page(request, cloud_id, "/v1/schedules", items, offset, size, **params)
    return {**page, "_expands": EXPANDABLE}


@api.post("/schedules", status_code=201)
def create_schedule(request: Request, raw: bytes = Depends(body)) -> Document:
    fields = _parse(request, ScheduleCreate, raw)
    return _backend(request).create(fields.fields(), fields.rotation_documents())


@api.get("/schedules/{schedule_id}", dependencies=[Depends(reader)])
def get_schedule(request: Request, schedule_id: str) -> Document:
    return _backend(request).get(schedule_id)


@api.patch("/schedules/{schedule_id}")
def update_schedule(request: Request, schedule_id: str, raw: bytes = Depends(body)) -> Document:
    update = _parse(request, ScheduleUpdate, raw)
    return _backend(request).update(schedule_id, update.changes(), update.rotation_documents())


@api.delete("/schedules/{schedule_id}", status_code=204, dependencies=[Depends(writer)])
def delete_schedule(request: Request, schedule_id: str) -> Response:
    _backend(request).delete(schedule_id)
    return Response(status_code=204)


# --- rotations ---


@api.get("/schedules/{schedule_id}/rotations", dependencies=[Depends(reader)])
def list_rotations(
    request: Request, cloud_id: str, schedule_id: str, offset: Offset = 0, size: Size = DEFAULT_PAGE_SIZE
) -> dict[str, Any]:
    items = _backend(request).list_rotations(schedule_id, offset, size + 1)
    return _page(request, cloud_id, f"/v1/schedules/{quote(schedule_id)}/rotations", items, offset, size)


@api.post("/schedules/{schedule_id}/rotations", status_code=201)
def create_rotation(request: Request, schedule_id: str, raw: bytes = Depends(body)) -> Document:
    rotation = _parse(request, RotationCreate, raw)
    return _backend(request).create_rotation(schedule_id, rotation.document())


@api.get("/schedules/{schedule_id}/rotations/{rotation_id}", dependencies=[Depends(reader)])
def get_rotation(request: Request, schedule_id: str, rotation_id: str) -> Document:
    return _backend(request).get_rotation(schedule_id, rotation_id)


@api.patch("/schedules/{schedule_id}/rotations/{rotation_id}")
def update_rotation(request: Request, schedule_id: str, rotation_id: str, raw: bytes = Depends(body)) -> Document:
    changes, cleared = _parse(request, RotationUpdate, raw).changes()
    return _backend(request).update_rotation(schedule_id, rotation_id, changes, cleared, check=check_rotation)


@api.delete("/schedules/{schedule_id}/rotations/{rotation_id}", status_code=204, dependencies=[Depends(writer)])
def delete_rotation(request: Request, schedule_id: str, rotation_id: str) -> Response:
    _backend(request).delete_rotation(schedule_id, rotation_id)
    return Response(status_code=204)


# --- overrides ---


@api.get("/schedules/{schedule_id}/overrides", dependencies=[Depends(reader)])
def list_overrides(
    request: Request, cloud_id: str, schedule_id: str, offset: Offset = 0, size: Size = DEFAULT_PAGE_SIZE
) -> dict[str, Any]:
    """The ongoing and future overrides (ending after now), by start date."""
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    items = _backend(request).list_overrides(schedule_id, ending_after=now)[offset : offset + size + 1]
    return _page(request, cloud_id, f"/v1/schedules/{quote(schedule_id)}/overrides", items, offset, size)


@api.post("/schedules/{schedule_id}/overrides", status_code=201)
def create_override(request: Request, schedule_id: str, raw: bytes = Depends(body)) -> Document:
    override = _override(request, schedule_id, raw)
    return _backend(request).create_override(schedule_id, override)


@api.get("/schedules/{schedule_id}/overrides/{alias}", dependencies=[Depends(reader)])
def get_override(request: Request, schedule_id: str, alias: str) -> Document:
    return _backend(request).get_override(schedule_id, alias)


@api.put("/schedules/{schedule_id}/overrides/{alias}")
def replace_override(request: Request, schedule_id: str, alias: str, raw: bytes = Depends(body)) -> Document:
    override = _override(request, schedule_id, raw)
    return _backend(request).replace_override(schedule_id, alias, override)


@api.delete("/schedules/{schedule_id}/overrides/{alias}", status_code=204, dependencies=[Depends(writer)])
def delete_override(request: Request, schedule_id: str, alias: str) -> Response:
    _backend(request).delete_override(schedule_id, alias)
    return Response(status_code=204)


def _override(request: Request, schedule_id: str, raw: bytes) -> Document:
    """A valid override body whose `rotationIds` are rotations of the schedule (404 first if it is unknown)."""
    known = _backend(request).rotation_ids(schedule_id)
    override = _parse(request, OverrideBody, raw).document()
    unknown = [
        f"rotationIds[{n}]: no rotation with id '{rotation_id}' in this schedule"
        for n, rotation_id in enumerate(override["rotationIds"] or [])
        if rotation_id not in known
    ]
    if unknown:
        raise ApiError(422, *unknown)
    return override


# --- test controls: no auth, never counted, limited or faulted ---


@controls.get("/stats")
def stats(request: Request) -> dict[str, Any]:
    return _counters(request).snapshot()


@controls.post("/stats/reset", status_code=204)
def reset_stats(request: Request) -> Response:
    _counters(request).reset()
    _journal(request).clear()
    return Response(status_code=204)


@controls.get("/requests")
def journal(request: Request) -> list[dict[str, Any]]:
    return _journal(request).entries()


@controls.get("/latency")
def get_latency(request: Request) -> LatencySpec:
    return _latency(request).spec


@controls.put("/latency")
def set_latency(request: Request, spec: LatencySpec) -> LatencySpec:
    _latency(request).set(spec)
    return spec


@controls.post("/faults", status_code=201)
def add_fault(request: Request, spec: FaultSpec) -> dict[str, Any]:
    try:
        return _faults(request).add(spec).to_json()
    except FaultRegistryFull as exc:
        raise ApiError(409, str(exc)) from None


@controls.get("/faults")
def list_faults(request: Request) -> dict[str, Any]:
    return {"faults": [fault.to_json() for fault in _faults(request).pending()]}


@controls.delete("/faults", status_code=204)
def clear_faults(request: Request) -> Response:
    _faults(request).clear()
    return Response(status_code=204)


@controls.post("/reset", status_code=204)
def reset(request: Request) -> Response:
    """Back to an empty emulator: no schedules, users, faults or journal, zero counters, the start-up latency."""
    _backend(request).reset()
    _directory(request).clear()
    _faults(request).clear()
    _counters(request).reset()
    _journal(request).clear()
    _latency(request).reset()
    return Response(status_code=204)
