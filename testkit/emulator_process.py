"""Run `jsmops-emulator` as a subprocess for tests (the emulator, provider and end-to-end suites)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from testkit import api_contract
from testkit.processes import stop_process

LISTENING = "jsmops-emulator listening on "
ADMIN_AUTH = ("admin@example.com", "local-admin-token")
VIEWER_AUTH = ("viewer@example.com", "local-viewer-token")


# Statuses any API request may get whatever the operation, which the spec therefore does
# not list per operation: unknown route or cloud, wrong method, rate limit, server errors.
ANY_OPERATION_STATUSES = {404, 405, 429, 500, 502, 503, 504}


class EmulatorFailedToStart(RuntimeError):
    pass


def check_contract(response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
    """A `requests` response hook: every API response (not the test controls) is one the spec
    documents for its operation and status, with a body that fits (testkit/api_contract.py)."""
    path = urlsplit(response.request.url).path
    if not path.startswith("/jsm/ops/api/"):
        return response
    method, status = response.request.method, response.status_code
    body = _body(response)
    try:
        documented = api_contract.documents(method, path, status)
    except AssertionError:
        documented = False  # an unknown route or method: answered as any operation may be
    if documented:
        api_contract.validate_response(method, path, status, body)
    elif status in ANY_OPERATION_STATUSES:
        if method != "HEAD":
            api_contract.validate_error(status, body)
    else:
        raise AssertionError(f"{method} {path} answered {status}, which the contract does not document: {body!r:.300}")
    return response


def _body(response: requests.Response) -> Any:
    if not response.content:
        return None
    if response.headers.get("content-type", "").startswith("application/json"):
        return response.json()
    return response.text


def contract_session() -> requests.Session:
    """A `requests` session whose every API response is checked against the contract."""
    session = requests.Session()
    session.hooks["response"].append(check_contract)
    return session


class Emulator:
    """One emulator process on a free port, with its SQLite file in `tmp_dir`.

    `extra_args` go to the command line as they are, e.g. ("--rate-limit", "5").
    """

    # The console script of the venv running the tests.
    command = [str(Path(sys.executable).parent / "jsmops-emulator")]

    def __init__(self, tmp_dir: Path | str, *extra_args: str, startup_timeout: float = 30.0):
        self.tmp_dir = Path(tmp_dir)
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        self.db_path = self.tmp_dir / "emulator.db"
        self.log_path = self.tmp_dir / "emulator.log"
        self.extra_args = extra_args
        self.startup_timeout = startup_timeout
        self.cloud_id = _option(extra_args, "--cloud-id", "local")
        self.admin_auth = ADMIN_AUTH
        self.viewer_auth = VIEWER_AUTH
        self.output: list[str] = []  # stdout lines, kept for assertions and failure reports
        self._output_ended = False
        self._output_changed = threading.Condition()
        self.process: subprocess.Popen[str] | None = None
        self.http = contract_session()
        self._start(port=0)

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/jsm/ops/api/{self.cloud_id}/v1"

    @property
    def site_url(self) -> str:
        """The Jira site the emulator also is: its user search is `{site_url}/rest/api/3/user/search`."""
        return self.base_url

    @property
    def port(self) -> int:
        return int(self.base_url.rsplit(":", 1)[1])

    def _start(self, port: int) -> None:
        command = [
            *self.command,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--db",
            str(self.db_path),
            *self.extra_args,
        ]
        with self._output_changed:
            self.output, self._output_ended = [], False
        with open(self.log_path, "a") as log:
            self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True, bufsize=1)
        # Drain stdout for the whole life of the process, so it can never block on a full pipe.
        self._reader = threading.Thread(target=self._read_output, args=(self.process,), daemon=True)
        self._reader.start()
        announcement = self.wait_for_line(LISTENING, self.startup_timeout)
        if announcement is None:
            self.stop()
            raise EmulatorFailedToStart(
                f"{' '.join(command)} did not report listening; stdout: {self.output!r}; "
                f"log: {self.log_path.read_text()[-2000:]}"
            )
        self.base_url = announcement[len(LISTENING) :].strip()

    def _read_output(self, process: subprocess.Popen[str]) -> None:
        for line in process.stdout:
            with self._output_changed:
                self.output.append(line.rstrip("\n"))
                self._output_changed.notify_all()
        with self._output_changed:
            self._output_ended = True
            self._output_changed.notify_all()

    def wait_for_line(self, prefix: str, timeout: float = 10.0) -> str | None:
        """The first stdout line starting with `prefix`, waited for up to `timeout` seconds;
        None if it did not come (the process ended or the time ran out)."""

        def found() -> str | None:
            return next((line for line in self.output if line.startswith(prefix)), None)

        with self._output_changed:
            self._output_changed.wait_for(lambda: found() is not None or self._output_ended, timeout)
            return found()

    def stop(self) -> int | None:
        """SIGTERM and wait; answers the exit status (None if it was not running)."""
        if self.process is None:
            return None
        process, self.process = self.process, None
        status = stop_process(process)
        self._reader.join(timeout=5)
        self.http.close()  # drops pooled connections; the session stays usable
        return status

    def restart(self) -> None:
        """Stop and start again on the same database, on the same port if it is still free."""
        port = self.port
        self.stop()
        try:
            self._start(port=port)
        except EmulatorFailedToStart:
            self._start(port=0)

    # --- test controls ---

    def _control(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        response = self.http.request(method, f"{self.base_url}/_emulator/{path}", timeout=10, **kwargs)
        response.raise_for_status()
        return response

    def stats(self) -> dict[str, Any]:
        return self._control("GET", "stats").json()

    def wait_until_idle(self, timeout: float = 60) -> None:
        """Waits until no API request is being served, e.g. ones held by a delay fault
        after their client gave up (they are counted only when they finish)."""
        deadline = time.monotonic() + timeout
        while self.stats()["in_flight"]:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the emulator still serves requests after {timeout} s")
            time.sleep(0.05)

    def reset_stats(self) -> None:
        self._control("POST", "stats/reset")

    def reset(self) -> None:
        self._control("POST", "reset")

    def add_fault(self, **spec: Any) -> dict[str, Any]:
        return self._control("POST", "faults", json=spec).json()

    def faults(self) -> list[dict[str, Any]]:
        return self._control("GET", "faults").json()["faults"]

    def clear_faults(self) -> None:
        self._control("DELETE", "faults")

    def requests(self) -> list[dict[str, Any]]:
        """The journal of recent API requests, oldest first: `method`, `path` below the API base
        (e.g. "/v1/schedules/abc/rotations"), `query` (dict of lists), `body` (parsed JSON or
        None) and `status`; `reset()` and `reset_stats()` clear it."""
        return self._control("GET", "requests").json()

    def add_users(self, *users: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Adds each `{"accountId", "displayName", "emailAddress" (optional, null: hidden),
        "active" (default true)}` to the directory (replacing one with the same account id); once
        it has users, participants and responders of type user must be among them."""
        return [self._control("POST", "users", json=dict(user)).json() for user in users]

    def users(self) -> list[dict[str, Any]]:
        return self._control("GET", "users").json()["users"]

    def clear_users(self) -> None:
        self._control("DELETE", "users")

    def set_latency(self, ms: float, jitter_ms: float = 0) -> None:
        """Adds `ms` (plus or minus up to `jitter_ms`) to every API request until `reset()`."""
        self._control("PUT", "latency", json={"ms": ms, "jitter_ms": jitter_ms})

    def latency(self) -> dict[str, float]:
        return self._control("GET", "latency").json()

    # --- the API ---

    def resolve(self, link: str) -> str:
        """A `links.next` value as a URL: full URLs as they are, paths below the API base made absolute."""
        if link.startswith(("http://", "https://")):
            return link
        return f"{self.base_url}/jsm/ops/api/{self.cloud_id}{link}"

    def make_schedules(self, count: int, prefix: str, team_id: str) -> list[str]:
        """Creates `count` schedules named "<prefix> <i>" through the API, as made outside
        Pulumi; their ids."""
        ids = []
        for i in range(count):
            response = self.http.post(f"{self.api_url}/schedules", json={"name": f"{prefix} {i}", "teamId": team_id},
                                      auth=self.admin_auth, timeout=10)
            response.raise_for_status()
            ids.append(response.json()["id"])
        return ids

    def schedules(self) -> list[dict[str, Any]]:
        """Every schedule, rotations included, following the pagination."""
        found: list[dict[str, Any]] = []
        url: str | None = f"{self.api_url}/schedules?expand=rotation&size=50"
        while url:
            response = self.http.get(url, auth=self.admin_auth, timeout=10)
            response.raise_for_status()
            page = response.json()
            found.extend(page["values"])
            url = self.resolve(page["links"]["next"]) if page["links"].get("next") else None
        return found


def _option(args: tuple[str, ...], name: str, default: str) -> str:
    for index, arg in enumerate(args):
        if arg == name and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return default
