"""HTTP client of the JSM operations Schedules API.

One pooled `requests.Session` with basic auth; `urllib3.util.Retry` does the retries that
are safe by themselves:

- A connection that cannot be made is retried at most twice, whatever the method (the
  service never saw the request); the error then names the call and `jsmops:baseUrl`.
- GET and DELETE (idempotent) are retried on 429, 502, 503, 504 and on a timeout or cut
  connection. POST, PATCH and PUT are retried by it only on 429 (and PATCH and PUT also
  on 503): the service refused the request before acting on it.
- Every wait is capped at `backoffMax`; a `Retry-After` longer than that is not waited
  for: the call fails, naming the requested wait.
- Each attempt, from connecting to the answer's last byte, ends within `timeout`
  (`transport.py`): a service that trickles its answer times out like a silent one.

A change whose outcome is unknown (sent, but no answer, a timeout, a 502/504, or an answer
that cannot be read) is never replayed blindly; `create_*` and `update_*` read back first
(see their docstrings; `create_override` has its own evidence: an override has no name).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import Any, NoReturn, Optional, TypeVar
from urllib.parse import parse_qs, quote, urlencode, urljoin, urlsplit, urlunsplit

import requests
from urllib3 import BaseHTTPResponse
from urllib3.connectionpool import ConnectionPool
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError, ResponseError
from urllib3.exceptions import TimeoutError as Urllib3Timeout
from urllib3.util import Retry

from ..errors import (
    ApiError,
    CallError,
    ConfigurationError,
    ConflictError,
    InvalidResponseError,
    JsmOpsError,
    NotFoundError,
    TransportError,
    UnknownOutcomeError,
    api_error,
)
from ..redaction import protect
from .config import Settings, how_to_set, named_setting, setting_key
from .transport import BoundedAdapter

log = logging.getLogger(__name__)

PAGE_SIZE = 50  # the largest page the service allows
MAX_PAGES = 10_000  # a list longer than this is taken for a pagination loop
CONNECT_RETRIES = 2
RETRY_STATUSES = frozenset({429, 502, 503, 504})
# Answers after which a change may or may not have been applied.
UNKNOWN_OUTCOME_STATUSES = frozenset({502, 503, 504})

Json = dict[str, Any]
Predicate = Callable[[Json], bool]
Found = TypeVar("Found")  # what a lookup after an unknown outcome answers


class _ApiRetry(Retry):
    """The retry policy described in the module docstring."""

    _REFUSED_BEFORE_ACTING = {"POST": frozenset({429}), "PATCH": frozenset({429, 503}), "PUT": frozenset({429, 503})}

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        refused = self._REFUSED_BEFORE_ACTING.get(method.upper())
        if refused is not None:
            return status_code in refused and bool(self.total)
        return super().is_retry(method, status_code, has_retry_after)

    def increment(
        self,
        method: Optional[str] = None,
        url: Optional[str] = None,
        response: Optional[BaseHTTPResponse] = None,
        error: Optional[Exception] = None,
        _pool: Optional[ConnectionPool] = None,
        _stacktrace: Optional[TracebackType] = None,
    ) -> _ApiRetry:
        if response is not None:
            wait = self.get_retry_after(response)
            if wait is not None and wait > self.backoff_max:
                # Not waited for: the answer goes back to the caller, which names the wait.
                raise MaxRetryError(_pool, url or "", ResponseError(f"Retry-After {wait:g} s"))  # type: ignore[arg-type]
        return super().increment(method, url, response, error, _pool, _stacktrace)


class Client:
    """The Schedules API of one cloud site. Thread-safe for concurrent calls. A context
    manager: `with Client(settings) as client:` closes its connections at the end.

    `root` is where the paths hang from: the Schedules API's root unless given
    (`settings.site_root` for the Jira platform API of the site, `api/users.py`)."""

    def __init__(self, settings: Settings, *, root: Optional[str] = None):
        self.settings = settings
        self._retry = _ApiRetry(
            total=settings.max_retries,
            connect=min(CONNECT_RETRIES, settings.max_retries),
            status_forcelist=RETRY_STATUSES,
            allowed_methods=frozenset({"GET", "DELETE"}),
            backoff_factor=settings.backoff_factor,
            backoff_max=settings.backoff_max,
            respect_retry_after_header=True,
            raise_on_status=False,
            raise_on_redirect=False,
        )
        token = settings.api_token.get_secret_value()
        protect(settings.email, token)  # no message shows it, whatever the service echoes
        self._session = requests.Session()
        self._session.auth = (settings.email, token)
        self._session.headers.update({"Accept": "application/json", "User-Agent": "pulumi-jsmops"})
        adapter = BoundedAdapter(max_retries=self._retry, pool_maxsize=settings.max_concurrency)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._root = root or settings.api_root
        self._origin = urlsplit(self._root)[:2]
        self._root_path = urlsplit(self._root).path
        # Set once a call that may change something (any method but GET) has begun.
        self.sent_changes = threading.Event()

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- schedules ------------------------------------------------------------------------

    def list_schedules(self, query: Optional[str] = None, *, expand_rotations: bool = True) -> Iterator[Json]:
        """Every schedule matching `query` (sent as given: the service matches it exactly and
        case-insensitively, or as a name prefix when it ends with `*`), page by page."""
        params: dict[str, Any] = {"size": PAGE_SIZE}
        if query is not None:
            params["query"] = query
        if expand_rotations:
            params["expand"] = "rotation"
        return self._pages(SCHEDULES_PATH, params)

    def find_schedule_by_name(self, name: str) -> Optional[Json]:
        """The schedule with exactly this name (case included), or None."""
        return next((s for s in self.list_schedules(query=name) if s.get("name") == name), None)

    def get_schedule(self, schedule_id: str) -> Json:
        with self._site_checked_on_404():
            return self._read("GET", schedule_path(schedule_id), require_id=True)

    def create_schedule(self, body: Json, *, is_own: Predicate) -> Json:
        """Creates a schedule; see `_create` for a create whose outcome is unknown."""
        name = str(body.get("name"))
        # Messages say "of that name", never the name: it may be a secret, which this SDK's
        # dynamic providers receive in clear.
        with self._site_checked_on_404():
            return self._create(SCHEDULES_PATH, body, is_own, lambda: self.find_schedule_by_name(name),
                                "a schedule of that name")

    def update_schedule(self, schedule_id: str, body: Json, *, is_applied: Predicate) -> Json:
        """PATCHes a schedule; see `_update` for an update whose outcome is unknown."""
        with self._site_checked_on_404():
            return self._update(schedule_path(schedule_id), body, is_applied)

    def delete_schedule(self, schedule_id: str) -> bool:
        """Deletes a schedule; False when it was already gone."""
        if self._delete(schedule_path(schedule_id)):
            return True
        self._check_site_exists()
        return False

    def _check_site_exists(self) -> None:
        """After a schedule's 404: a 404 for the whole site means a wrong cloud id, not a
        schedule deleted elsewhere (which `refresh` would drop from the state)."""
        try:
            self._call("GET", SCHEDULES_PATH, params={"size": 1})
        except NotFoundError:
            raise ConfigurationError(
                f"the service knows no site with the cloud id '{self.settings.cloud_id}' (GET {SCHEDULES_PATH} "
                f"answered 404): check {setting_key('cloud_id', self.settings.site)} "
                f"({how_to_set('cloud_id', self.settings.site)})"
            ) from None

    def check_site_readable(self) -> None:
        """One read (a page of one schedule): the site exists, and the credentials may read it.
        Raises what a call raises; a wrong cloud id as `ConfigurationError` naming it."""
        self._check_site_exists()

    @contextmanager
    def _site_checked_on_404(self) -> Iterator[None]:
        """A 404 of the call inside is a wrong cloud id when the site itself answers 404
        (`_check_site_exists`); else it stays what it is (the schedule is gone)."""
        try:
            yield
        except NotFoundError:
            self._check_site_exists()
            raise

    # --- rotations ------------------------------------------------------------------------

    def list_rotations(self, schedule_id: str) -> list[Json]:
        return list(self._pages(rotations_path(schedule_id), {"size": PAGE_SIZE}))

    def create_rotation(self, schedule_id: str, body: Json, *, is_own: Predicate) -> Json:
        """Creates a rotation; a lost answer is resolved by the rotation's name in the schedule."""
        name = str(body.get("name"))
        with self._site_checked_on_404():
            return self._create(rotations_path(schedule_id), body, is_own,
                                lambda: self.find_rotation_by_name(schedule_id, name), "a rotation of that name")

    def find_rotation_by_name(self, schedule_id: str, name: str) -> Optional[Json]:
        """The schedule's rotation of exactly this name, or None."""
        return next((r for r in self.list_rotations(schedule_id) if r.get("name") == name), None)

    def update_rotation(self, schedule_id: str, rotation_id: str, body: Json, *, is_applied: Predicate) -> Json:
        with self._site_checked_on_404():
            return self._update(rotation_path(schedule_id, rotation_id), body, is_applied)

    def delete_rotation(self, schedule_id: str, rotation_id: str) -> bool:
        """Deletes a rotation; False when it was already gone."""
        if self._delete(rotation_path(schedule_id, rotation_id)):
            return True
        self._check_site_exists()
        return False

    # --- overrides ------------------------------------------------------------------------

    def get_override(self, schedule_id: str, alias: str) -> Json:
        with self._site_checked_on_404():
            return self._read("GET", override_path(schedule_id, alias), require_id=True, id_key="alias")

    def create_override(self, schedule_id: str, body: Json, *, known_before: Optional[set[str]] = None) -> Json:
        """Creates an override, never making it twice and never taking over a person's.

        The create carries no alias of the client's (the service makes it), so a lost
        answer cannot be looked up by one. The evidence is a listing of the schedule's
        overrides taken just before the POST (`known_before` instead: the aliases already
        known to be there, e.g. none for a schedule this process has just created); after
        the POST:

        - 429 or 503 (refused before acting): sent again after the usual backoff, but first
          the listing is read once; whatever new turned up there is a person's.
        - Outcome unknown (no answer, a timeout, a cut connection, 502/504, an unreadable
          answer): never sent again (it may still land: there is no 409 to stop a second
          one). The listing is read back at once and up to `maxRetries` more times,
          `timeout` seconds apart: exactly one override that was not there before and holds
          `body` is this create's; two or more are ambiguous (one may be a person's), and
          none is taken: the error names them. None ever turning up: `UnknownOutcomeError`.
        """
        with self._site_checked_on_404():
            return self._create_override(schedule_id, body, known_before)

    def _create_override(self, schedule_id: str, body: Json, known_before: Optional[set[str]]) -> Json:
        path = overrides_path(schedule_id)
        before = known_before if known_before is not None else {
            str(item.get("alias")) for item in self.list_overrides(schedule_id)}
        retry = self._retry.new()
        while True:
            try:
                return self._read("POST", path, json=body, require_id=True, id_key="alias")
            except ApiError as exc:
                if exc.status != 503:
                    if not _outcome_unknown(exc):
                        raise
                    return self._read_back_create(schedule_id, before, body, exc)
                refused: CallError = exc
            except (TransportError, InvalidResponseError) as exc:
                if not _outcome_unknown(exc):
                    raise
                return self._read_back_create(schedule_id, before, body, exc)
            # Refused: anything new identical to `body` is a person's, never taken.
            before |= {str(item.get("alias")) for item in
                       self._lookup(lambda: self.list_overrides(schedule_id), refused)}
            try:
                retry = retry.increment(method="POST", url=path)
            except MaxRetryError:
                raise refused from None
            retry.sleep()

    def _read_back_create(self, schedule_id: str, before: set[str], body: Json, unknown: CallError) -> Json:
        """The override a create whose outcome is unknown made, found by reading the listing back."""
        from .overrides import new_identical

        path = overrides_path(schedule_id)
        log.info("outcome of POST %s unknown (%s); reading the overrides back", path, unknown.reason)
        for attempt in range(self.settings.max_retries + 1):
            if attempt:
                time.sleep(self.settings.timeout)
            made = new_identical(before, self._lookup(lambda: self.list_overrides(schedule_id), unknown), body)
            if len(made) == 1:
                log.info("POST %s: override %s was made by this create", path, made[0].get("alias"))
                return made[0]
            if made:
                aliases = ", ".join(str(item.get("alias")) for item in made)
                raise CallError("POST", path, (
                    f"the outcome of this create was unknown ({unknown.reason}), and {len(made)} overrides identical "
                    f"to it appeared meanwhile (aliases {aliases}): one may be this create's, the others a person's, "
                    "so none is taken over. Delete the ones nobody wants from the schedule, then run `pulumi up` "
                    "again (it makes its own), or bring one under the stack with `jsmops import --overrides`"))
        raise UnknownOutcomeError("POST", path, (
            f"{unknown.reason}; reading the overrides back {self.settings.max_retries + 1} times shows none made by "
            "this create. It was not made, or it may still be made later: if an override identical to this one "
            "turns up on the schedule, delete it or bring it in with `jsmops import --overrides` before the next "
            "`pulumi up`"))

    def replace_override(self, schedule_id: str, alias: str, body: Json, *, is_applied: Predicate) -> Json:
        """PUTs the whole override; an unknown outcome is read back (see `_update`)."""
        with self._site_checked_on_404():
            return self._update(override_path(schedule_id, alias), body, is_applied, method="PUT", id_key="alias")

    def delete_override(self, schedule_id: str, alias: str) -> bool:
        """Deletes an override; False when it (or its schedule) was already gone."""
        if self._delete(override_path(schedule_id, alias)):
            return True
        self._check_site_exists()
        return False

    # --- reads of who is on call ----------------------------------------------------------

    def list_overrides(self, schedule_id: str) -> list[Json]:
        """The schedule's ongoing and future overrides (the service lists no ended ones)."""
        return list(self._pages(overrides_path(schedule_id), {"size": PAGE_SIZE}))

    def get_on_calls(self, schedule_id: str, *, date: Optional[str] = None, flat: bool = False) -> Json:
        return self._read("GET", f"{schedule_path(schedule_id)}/on-calls", params=_on_call_params(date, flat))

    def get_next_on_calls(self, schedule_id: str, *, date: Optional[str] = None, flat: bool = False) -> Json:
        return self._read("GET", f"{schedule_path(schedule_id)}/next-on-calls", params=_on_call_params(date, flat))

    def get_timeline(
        self,
        schedule_id: str,
        *,
        date: Optional[str] = None,
        interval: int = 1,
        interval_unit: str = "weeks",
        expand: Sequence[str] = (),
    ) -> Json:
        params: dict[str, Any] = {"interval": interval, "intervalUnit": interval_unit}
        if date is not None:
            params["date"] = date
        if expand:
            params["expand"] = list(expand)
        return self._read("GET", f"{schedule_path(schedule_id)}/timeline", params=params)

    # --- changes whose outcome may be unknown ---------------------------------------------

    def _create(self, path: str, body: Json, is_own: Predicate, find: Callable[[], Optional[Json]], what: str) -> Json:
        """POSTs `body`, never making it twice and never taking over what it did not make.

        - 409 on the first attempt: `ConflictError` (the name is someone else's).
        - Outcome unknown (sent but no answer, a timeout, 502/503/504, or a 2xx that cannot
          be read): the object is looked up with `find`. Found and `is_own(found)` (the
          caller's test that it is identical to `body`): that is this create's, returned.
          Found but different: someone else's, never taken over; a clear error names its
          id. Not found: the POST is sent again, up to `maxRetries` times; a 409 to such a
          retry is resolved by the same lookup.
        """
        retry = self._retry.new()
        unknown: Optional[CallError] = None  # why an earlier attempt's outcome is unknown
        while True:
            try:
                return self._read("POST", path, json=body, require_id=True)
            except ConflictError:
                if unknown is None:
                    raise
                found = self._lookup(find, unknown)
                if found is None:
                    raise
                return self._claim(path, what, is_own, found, unknown)
            except (TransportError, ApiError, InvalidResponseError) as exc:
                if not _outcome_unknown(exc):
                    raise
                unknown = exc
            log.info("outcome of POST %s for %s unknown (%s); looking it up", path, what, unknown.reason)
            found = self._lookup(find, unknown)
            if found is not None:
                return self._claim(path, what, is_own, found, unknown)
            try:
                retry = retry.increment(method="POST", url=path)
            except MaxRetryError:
                raise unknown from None
            retry.sleep()

    @staticmethod
    def _claim(path: str, what: str, is_own: Predicate, found: Json, unknown: CallError) -> Json:
        """The object found after an unknown outcome, if it is this create's; else a clear error."""
        if is_own(found):
            log.info("POST %s: %s was made by this create (id %s)", path, what, found.get("id"))
            return found
        raise CallError(
            "POST",
            path,
            f"the outcome of this create was unknown ({unknown.reason}), and {what} exists "
            f"(id {found.get('id')}) with other settings than this create's: it is not taken over. "
            "If it is yours, bring it under the stack with `jsmops import`, or give this one another name",
        )

    def _lookup(self, find: Callable[[], Found], cause: CallError) -> Found:
        """`find()`, with a failure reported under the call whose outcome it should tell."""
        try:
            return find()
        except CallError as failed:
            raise CallError(
                cause.method, cause.path, f"{cause.reason}; looking up its outcome failed too: {failed}"
            ) from None

    def _update(self, path: str, body: Json, is_applied: Predicate, *, method: str = "PATCH",
                id_key: str = "id") -> Json:
        """PATCHes (or PUTs) `body` to `path`, and never sends it twice once it may have been applied.

        A PATCH that got no usable answer (no answer within `timeout`, a cut connection,
        a 502/504, an unreadable 2xx) may still be held somewhere and applied later, even
        after a newer change; resending it would only add a second such request. So it is
        never resent. Instead the object is read back (GET) at once and then up to
        `maxRetries` more times, `timeout` seconds apart (the time the retries would have
        taken): once `is_applied(current)` holds, `current` is the answer. If it never
        does, `UnknownOutcomeError` says the change may still land and to run `pulumi
        refresh` before changing the object again. A 429 or 503 (refused before acting)
        is retried as usual.
        """
        try:
            return self._read(method, path, json=body, require_id=True, id_key=id_key)
        except (TransportError, ApiError, InvalidResponseError) as exc:
            if not _outcome_unknown(exc) or (isinstance(exc, ApiError) and exc.status == 503):
                raise
            unknown: CallError = exc
        log.info("outcome of %s %s unknown (%s); reading it back", method, path, unknown.reason)
        for attempt in range(self.settings.max_retries + 1):
            if attempt:
                time.sleep(self.settings.timeout)
            current = self._lookup(lambda: self._read("GET", path, require_id=True, id_key=id_key), unknown)
            if current is not None and is_applied(current):
                return current
        raise UnknownOutcomeError(
            method,
            path,
            f"{unknown.reason}; reading it back {self.settings.max_retries + 1} times does not show the change. "
            "It was not applied, or it may still be applied later: run `pulumi refresh` once the service "
            "has caught up, before changing this again",
        )

    def _delete(self, path: str) -> bool:
        try:
            self._call("DELETE", path)
        except NotFoundError:
            return False
        return True

    # --- plumbing -------------------------------------------------------------------------

    def _pages(self, path: str, params: dict[str, Any]) -> Iterator[Json]:
        """The `values` of every page, following `links.next` (a path below the API root or
        a URL of the same site); a link seen before, or more than MAX_PAGES pages, fail."""
        target: Optional[str] = f"{path}?{urlencode(params, doseq=True, quote_via=quote)}"  # next links carry theirs
        seen: set[str] = set()
        while target is not None:
            url = self._url(target, "GET", path)
            if url in seen or len(seen) >= MAX_PAGES:
                why = "links back to a page already read" if url in seen else f"goes past {MAX_PAGES} pages"
                raise InvalidResponseError("GET", path, f"the pagination {why} (next: {target}); not following it")
            seen.add(url)
            page = self._read("GET", _with_params(url, params))
            values = page.get("values") or []
            if not isinstance(values, list):
                raise InvalidResponseError("GET", path, "the answer's `values` is not a list")
            yield from values
            links = page.get("links")
            next_link = links.get("next") if isinstance(links, dict) else None
            target = next_link if isinstance(next_link, str) and next_link else None

    def read_array(self, path: str, params: dict[str, Any]) -> list[Any]:
        """One GET whose answer is a JSON array (the Jira platform's user search answers one)."""
        response, answer = self._json("GET", path, params=params)
        if not isinstance(answer, list):
            what = f"a JSON {type(answer).__name__}, not an array"
            raise InvalidResponseError("GET", path, f"the API answered {response.status_code} with {what}")
        return answer

    def _read(self, method: str, target: str, *, require_id: bool = False, id_key: str = "id",
              **kwargs: Any) -> Json:
        """One call whose answer is a JSON object (with an `id_key` when `require_id`: an
        override's is its `alias`)."""
        response, answer = self._json(method, target, **kwargs)
        path = self._path(response.request.url or target)
        if not isinstance(answer, dict):
            what = f"a JSON {type(answer).__name__}, not an object"
            raise InvalidResponseError(method, path, f"the API answered {response.status_code} with {what}")
        if require_id and not (isinstance(answer.get(id_key), str) and answer[id_key]):
            raise InvalidResponseError(method, path, f"the API answered {response.status_code} without an {id_key}")
        return answer

    def _json(self, method: str, target: str, **kwargs: Any) -> tuple[requests.Response, Any]:
        """One call, and its answer read as JSON."""
        response = self._call(method, target, **kwargs)
        try:
            return response, response.json()
        except ValueError:
            kind = response.headers.get("Content-Type") or "no content type"
            text = response.text.strip()
            shown = f": {text[:80]!r}" if text else " (empty)"
            raise InvalidResponseError(
                method, self._path(response.request.url or target),
                f"the API answered {response.status_code} with a body that is not JSON ({kind}){shown}"
            ) from None

    def _call(self, method: str, target: str, **kwargs: Any) -> requests.Response:
        """One call (with the session's retries); `target` is a path below the API root or a URL of the site."""
        url = self._url(target, method, target)
        path = self._path(url)
        if method != "GET":
            self.sent_changes.set()
        try:
            response = self._session.request(
                method, url, timeout=self.settings.timeout, allow_redirects=False, **kwargs
            )
        except requests.RequestException as exc:
            _raise_transport(method, path, exc, self.settings)
        log.debug("%s %s -> %s", method, path, response.status_code)
        if response.status_code >= 400:
            raise api_error(response.status_code, method, path, _error_titles(response), self._wait_hint(response))
        if response.status_code >= 300:
            raise InvalidResponseError(
                method, path, f"the API answered {response.status_code} (a redirect): not followed"
            )
        return response

    def _wait_hint(self, response: requests.Response) -> str:
        header = response.headers.get("Retry-After")
        if response.status_code not in RETRY_STATUSES or not header:
            return ""
        try:
            wait = self._retry.parse_retry_after(header)
        except Exception:  # urllib3 raises InvalidHeader for a value it cannot read
            return ""
        if wait <= self.settings.backoff_max:
            return ""
        return (
            f"; the service asked to wait {wait:g} s before trying again, more than jsmops:backoffMax "
            f"({self.settings.backoff_max:g} s): not waited for. Try again later"
        )

    def _url(self, target: str, method: str, path: str) -> str:
        if not target.startswith(("http://", "https://")):
            if target.startswith(self._root_path + "/"):
                return urljoin(self._root, target)  # a link with the root path in it
            return self._root + target
        # A full link: follow it only to the API's own site, so the credentials go nowhere else.
        if urlsplit(target)[:2] != self._origin:
            site = urlsplit(target).netloc
            raise InvalidResponseError(method, path, f"the API sent a link to another site ({site}); not following it")
        return target

    def _path(self, url: str) -> str:
        """The path of a URL, relative to the API root (what errors name)."""
        return urlsplit(url).path.removeprefix(self._root_path) or "/"


def _with_params(url: str, params: dict[str, Any]) -> str:
    """`url` with those of the first page's parameters it lacks: the spec does not say that a
    `next` link keeps `query` and `expand`, and a page without them would hold schedules
    outside the query, or schedules without their rotations."""
    parts = urlsplit(url)
    present = parse_qs(parts.query)
    missing = {key: value for key, value in params.items() if key not in present}
    if not missing:
        return url
    query = "&".join(filter(None, [parts.query, urlencode(missing, doseq=True, quote_via=quote)]))
    return urlunsplit(parts._replace(query=query))


# The paths of the API, below its root; errors name their calls by them.


SCHEDULES_PATH = "/v1/schedules"


def schedule_path(schedule_id: str) -> str:
    return f"{SCHEDULES_PATH}/{quote(schedule_id, safe='')}"


def rotations_path(schedule_id: str) -> str:
    return f"{schedule_path(schedule_id)}/rotations"


def rotation_path(schedule_id: str, rotation_id: str) -> str:
    return f"{rotations_path(schedule_id)}/{quote(rotation_id, safe='')}"


def overrides_path(schedule_id: str) -> str:
    return f"{schedule_path(schedule_id)}/overrides"


def override_path(schedule_id: str, alias: str) -> str:
    return f"{overrides_path(schedule_id)}/{quote(alias, safe='')}"


def _on_call_params(date: Optional[str], flat: bool) -> dict[str, Any]:
    params: dict[str, Any] = {"flat": "true" if flat else "false"}
    if date is not None:
        params["date"] = date
    return params


def _outcome_unknown(exc: JsmOpsError) -> bool:
    """Whether a change may have been applied although this error came back."""
    if isinstance(exc, TransportError):
        return exc.sent
    if isinstance(exc, ApiError):
        return exc.status in UNKNOWN_OUTCOME_STATUSES
    return isinstance(exc, InvalidResponseError)


def _raise_transport(method: str, path: str, exc: requests.RequestException, settings: Settings) -> NoReturn:
    cause: BaseException = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc
    if isinstance(cause, MaxRetryError) and cause.reason is not None:
        cause = cause.reason  # the last attempt's
    not_connected = isinstance(exc, requests.ConnectTimeout) or isinstance(
        cause, (NewConnectionError, ConnectTimeoutError)
    )
    if isinstance(cause, NewConnectionError):  # a ConnectTimeoutError too, in urllib3's tree
        reason = str(cause).rsplit(": ", 1)[-1]  # e.g. "[Errno 111] Connection refused"
    elif isinstance(exc, requests.Timeout) or isinstance(cause, Urllib3Timeout):
        reason = f"timed out after {settings.timeout:g} s, {setting_key('timeout', settings.site)}"
    else:
        reason = f"{type(cause).__name__}: {cause}"
    raise TransportError(method, path, reason, sent=not not_connected, base_url=settings.base_url,
                         base_url_setting=named_setting("base_url", settings.site)) from None


def _error_titles(response: requests.Response) -> list[str]:
    try:
        answer = response.json()
    except ValueError:
        text = response.text.strip()
        return [text[:200]] if text else []
    if not isinstance(answer, dict):
        return []
    errors = answer.get("errors")
    if not isinstance(errors, list):
        errors = []
    titles = [str(e["title"]) for e in errors if isinstance(e, dict) and e.get("title")]
    if not titles and answer.get("message"):
        titles = [str(answer["message"])]  # the 401 shape: {"code", "message"}
    if not titles and isinstance(answer.get("errorMessages"), list):  # the Jira platform's ErrorCollection
        titles = [str(message) for message in answer["errorMessages"] if message]
    return titles
