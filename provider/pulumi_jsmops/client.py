"""HTTP client of the JSM operations Schedules API.

One pooled `requests.Session` with basic auth and timeouts. `urllib3.util.Retry` retries
idempotent calls (GET, PATCH, DELETE) on 429, 502, 503 and 504 with capped exponential
backoff, honouring Retry-After. A create is never replayed blindly: it is retried on 429
(the service refused it before doing anything), and when its outcome is unknown (no
answer, or a 502/503/504 from whatever stands in front of the service) the schedule is
first looked up by its exact name, so it is never created twice.
"""

from __future__ import annotations

import logging
from typing import Any, Iterator, Optional
from urllib.parse import quote, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError
from urllib3.util import Retry

from .config import Settings
from .errors import JsmOpsError, NotFoundError, ServerError, TransportError, api_error

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 502, 503, 504})
PAGE_SIZE = 100  # the largest page the service gives


class _ApiRetry(Retry):
    """Retry policy: the default for idempotent methods, plus POST on 429 only."""

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if method.upper() == "POST":
            return status_code == 429
        return super().is_retry(method, status_code, has_retry_after)


class Client:
    """The Schedules API of one cloud site. Thread-safe for concurrent calls."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._retry = _ApiRetry(
            total=settings.max_retries,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=frozenset({"GET", "PATCH", "DELETE"}),
            backoff_factor=settings.backoff_factor,
            backoff_max=settings.backoff_max,
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        self._session = requests.Session()
        self._session.auth = (settings.email, settings.api_token.get_secret_value())
        self._session.headers.update({"Accept": "application/json", "User-Agent": "pulumi-jsmops"})
        adapter = HTTPAdapter(max_retries=self._retry, pool_maxsize=16)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._root = settings.api_root
        self._origin = urlsplit(self._root)[:2]
        self._root_path = urlsplit(self._root).path

    def close(self) -> None:
        self._session.close()

    # --- schedules ------------------------------------------------------------------------

    def get_schedule(self, schedule_id: str) -> dict[str, Any]:
        return self._call("GET", f"/v1/schedules/{quote(schedule_id, safe='')}").json()

    def update_schedule(self, schedule_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._call("PATCH", f"/v1/schedules/{quote(schedule_id, safe='')}", json=body).json()

    def delete_schedule(self, schedule_id: str) -> bool:
        """Deletes a schedule; False when it was already gone."""
        try:
            self._call("DELETE", f"/v1/schedules/{quote(schedule_id, safe='')}")
        except NotFoundError:
            return False
        return True

    def list_schedules(self, query: Optional[str] = None) -> Iterator[dict[str, Any]]:
        """Every schedule (with rotations) whose name contains `query`, following `links.next`."""
        params: Optional[dict[str, Any]] = {"size": PAGE_SIZE, "expand": "rotation"}
        if query:
            params["query"] = query
        target: Optional[str] = "/v1/schedules"
        while target:
            page = self._call("GET", target, params=params).json()
            params = None  # the next link carries them
            yield from page.get("values") or []
            target = (page.get("links") or {}).get("next")

    def find_schedule_by_name(self, name: str) -> Optional[dict[str, Any]]:
        """The schedule with exactly this name, or None (names are unique in a site)."""
        return next((s for s in self.list_schedules(query=name) if s.get("name") == name), None)

    def create_schedule(self, body: dict[str, Any]) -> dict[str, Any]:
        """Creates a schedule, exactly once even when an attempt's outcome is unknown."""
        retry = self._retry.new()
        while True:
            try:
                return self._call("POST", "/v1/schedules", json=body).json()
            except (TransportError, ServerError) as exc:
                if isinstance(exc, ServerError) and exc.status not in RETRY_STATUSES:
                    raise
                log.info("outcome of creating schedule %r unknown (%s); looking it up", body.get("name"), exc)
                existing = self.find_schedule_by_name(body["name"])
                if existing is not None:
                    log.info("schedule %r was created (id %s)", body.get("name"), existing.get("id"))
                    return existing
                try:
                    retry = retry.increment(method="POST", url="/v1/schedules")
                except MaxRetryError:
                    raise exc from None
                retry.sleep()

    # --- plumbing -------------------------------------------------------------------------

    def _call(self, method: str, target: str, **kwargs: Any) -> requests.Response:
        """One call (with the session's retries); `target` is a path below the API root or a full URL."""
        url = self._url(target)
        path = urlsplit(url).path.removeprefix(self._root_path) or "/"
        try:
            response = self._session.request(method, url, timeout=self.settings.timeout, **kwargs)
        except requests.RequestException as exc:
            raise TransportError(method, path, exc) from None
        log.debug("%s %s -> %s", method, path, response.status_code)
        if response.status_code >= 400:
            raise api_error(response.status_code, method, path, _error_titles(response))
        return response

    def _url(self, target: str) -> str:
        if not target.startswith(("http://", "https://")):
            return self._root + target
        # A full `next` link: follow it only to the API's own host, so the
        # credentials never go anywhere else.
        if urlsplit(target)[:2] != self._origin:
            raise JsmOpsError(f"the API sent a link to another site ({urlsplit(target).netloc}); not following it")
        return target


def _error_titles(response: requests.Response) -> list[str]:
    try:
        errors = response.json().get("errors") or []
        return [str(e.get("title")) for e in errors if isinstance(e, dict) and e.get("title")]
    except (ValueError, AttributeError):
        text = response.text.strip()
        return [text[:200]] if text else []
