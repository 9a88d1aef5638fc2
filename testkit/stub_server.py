"""A tiny local HTTP server giving answers no real service should (HTML, no id, looping
links), for tests of how the client copes. Listens on 127.0.0.1 only."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
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
    lists what it was asked, as (method, path with query)."""

    def __init__(self, answer: Responder):
        self.requests: list[tuple[str, str]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                stub.requests.append((self.command, self.path))
                parts = urlsplit(self.path)
                status, headers, content = answer(self.command, parts.path.removeprefix(ROOT), parse_qs(parts.query))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

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
