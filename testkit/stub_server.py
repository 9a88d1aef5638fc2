"""A tiny local HTTP server giving answers no real service should (HTML, no id, looping
links, a byte at a time, headers included), for tests of how the client copes. Listens on
127.0.0.1 only."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

ROOT = "/jsm/ops/api/local"  # the API root of cloud id "local"

Answer = tuple[int, dict[str, str], bytes]
Responder = Callable[[str, str, dict[str, list[str]]], Answer]


def json_answer(status: int, value: Any) -> Answer:
    return status, {"Content-Type": "application/json"}, json.dumps(value).encode()


def page(next_link: str | None, *names: str) -> Answer:
    """A list page of schedules named `names` (their ids are their names)."""
    return json_answer(200, {"values": [{"id": n, "name": n} for n in names], "links": {"next": next_link}})


class Stub:
    """Answers every request with `answer(method, path below ROOT, query)`; `requests`
    lists what it was asked, as (method, path with query). With `trickle`, the whole
    answer, status line and headers included, goes a byte at a time, `trickle` seconds
    apart, until the client goes."""

    def __init__(self, answer: Responder, trickle: float = 0):
        self.requests: list[tuple[str, str]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                stub.requests.append((self.command, self.path))
                parts = urlsplit(self.path)
                status, headers, content = answer(self.command, parts.path.removeprefix(ROOT), parse_qs(parts.query))
                head = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}", *(f"{k}: {v}" for k, v in headers.items()),
                        f"Content-Length: {len(content)}", "", ""]
                whole = "\r\n".join(head).encode("latin-1") + content
                if not trickle:
                    self.wfile.write(whole)
                    return
                try:
                    for at in range(len(whole)):
                        self.wfile.write(whole[at:at + 1])
                        self.wfile.flush()
                        time.sleep(trickle)
                except OSError:  # the client gave up
                    self.close_connection = True

            do_GET = do_POST = do_PATCH = do_DELETE = _serve

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join()
