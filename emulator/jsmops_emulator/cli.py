"""`jsmops-emulator`: serve the emulated API until SIGTERM or SIGINT, then exit 0."""

from __future__ import annotations

import argparse
import signal
import socket
from collections.abc import Sequence
from pathlib import Path

import uvicorn
from pydantic import ValidationError

from .app import create_app
from .config import API_ROOT, DEFAULT_CLOUD_ID, JIRA_ROOT, Settings
from .users.models import USER_LIST, DirectoryUser
from .validation import format_location

# Requests still running this long after SIGTERM (e.g. held by a delay fault) are cancelled.
SHUTDOWN_GRACE_SECONDS = 2


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="jsmops-emulator",
        description="Local emulator of the Jira Service Management operations Schedules REST API.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080, help="0 picks a free port (default: %(default)s)")
    parser.add_argument("--db", default="./jsmops-emulator.db", help="SQLite file (default: %(default)s)")
    parser.add_argument("--cloud-id", default=DEFAULT_CLOUD_ID, help="default: %(default)s")
    parser.add_argument(
        "--rate-limit",
        type=_positive_int,
        metavar="N",
        help="at most N API requests in any sliding one-second window; beyond that 429 with Retry-After",
    )
    parser.add_argument(
        "--latency", type=_non_negative_float, default=0, metavar="MS", help="added to every API request (default: 0)"
    )
    parser.add_argument(
        "--latency-jitter",
        type=_non_negative_float,
        default=0,
        metavar="MS",
        help="each request's latency varies uniformly by up to this much either way (default: 0)",
    )
    parser.add_argument(
        "--full-next-links", action="store_true", help="links.next as full URLs instead of paths below the API base"
    )
    parser.add_argument(
        "--strict", action="store_true", help="answer 422 instead of rounding minutes and replacing unknown timezones"
    )
    parser.add_argument("--access-log", action="store_true", help="log every request (never its credentials)")
    parser.add_argument(
        "--users",
        type=_users_file,
        default=(),
        metavar="FILE",
        help='the directory of users at start: a JSON list of {"accountId", "displayName", "emailAddress", "active"}',
    )
    return parser.parse_args(argv)


def _users_file(path: str) -> tuple[DirectoryUser, ...]:
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"cannot read {path}: {exc.strerror}") from None
    try:
        return tuple(USER_LIST.validate_json(raw))
    except ValidationError as exc:
        problems = "; ".join(f"{format_location(error['loc']) or 'the list'}: {error['msg']}" for error in exc.errors())
        raise argparse.ArgumentTypeError(f"{path}: {problems}") from None


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _non_negative_float(text: str) -> float:
    value = float(text)
    if not value >= 0:  # also refuses nan
        raise argparse.ArgumentTypeError("must be a number of milliseconds, at least 0")
    return value


class _Server(uvicorn.Server):
    """Announces the bound address (the real port when asked for port 0) once it listens."""

    def __init__(self, config: uvicorn.Config, settings: Settings):
        super().__init__(config)
        self.settings = settings

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        port = self.servers[0].sockets[0].getsockname()[1]
        host = f"[{self.config.host}]" if ":" in self.config.host else self.config.host
        base_url = f"http://{host}:{port}"
        lines = [f"jsmops-emulator listening on {base_url}"]
        lines.append(f"API: {base_url}{API_ROOT.format(cloud_id=self.settings.cloud_id)}")
        lines.append(f"cloud id: {self.settings.cloud_id}")
        lines.append(f"pulumi-jsmops settings: jsmops:baseUrl {base_url} (the address above the API's), "
                     f"jsmops:cloudId {self.settings.cloud_id}, and an identity below as jsmops:email and "
                     "jsmops:apiToken")
        lines.append(f"Jira user search: {base_url}{JIRA_ROOT}/user/search ({len(self.settings.users)} users)")
        for identity in self.settings.identities:
            access = "read, write" if identity.can_write else "read only"
            lines.append(f"identity: {identity.email} token {identity.token} ({access})")
        print("\n".join(lines), flush=True)


def _exit_cleanly(signum: int, frame: object) -> None:
    raise SystemExit(0)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    settings = Settings(
        db_path=args.db,
        cloud_id=args.cloud_id,
        strict=args.strict,
        full_next_links=args.full_next_links,
        rate_limit=args.rate_limit,
        latency_ms=args.latency,
        latency_jitter_ms=args.latency_jitter,
        users=args.users,
    )
    config = uvicorn.Config(
        create_app(settings),
        host=args.host,
        port=args.port,
        access_log=args.access_log,
        timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,
    )
    # uvicorn shuts down gracefully on these signals and then re-raises them
    # against the previous handlers: make those end the process with status 0.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, _exit_cleanly)
    _Server(config, settings).run()
    return 0
