"""Run-time settings of one emulator instance and its built-in identities."""

from __future__ import annotations

import dataclasses

from .users.models import DirectoryUser

DEFAULT_CLOUD_ID = "local"
API_BASE = "/jsm/ops/api/{cloud_id}"  # links.next paths are relative to this
API_ROOT = API_BASE + "/v1"
JIRA_ROOT = "/rest/api/3"  # the Jira Cloud platform's user routes, at the emulator's root as on a site


@dataclasses.dataclass(frozen=True)
class Identity:
    email: str
    token: str
    can_write: bool


# Public, local-only test credentials: printed on start-up and documented.
DEFAULT_IDENTITIES = (
    Identity("admin@example.com", "local-admin-token", can_write=True),
    Identity("viewer@example.com", "local-viewer-token", can_write=False),
)


@dataclasses.dataclass(frozen=True)
class Settings:
    db_path: str
    cloud_id: str = DEFAULT_CLOUD_ID
    # strict=False reproduces the service's quirks (minute rounding, timezone fallback).
    strict: bool = False
    full_next_links: bool = False
    rate_limit: int | None = None
    # Added to every API request (not to the test controls), in milliseconds.
    latency_ms: float = 0
    latency_jitter_ms: float = 0
    identities: tuple[Identity, ...] = DEFAULT_IDENTITIES
    users: tuple[DirectoryUser, ...] = ()  # the directory at start (`--users FILE`)
