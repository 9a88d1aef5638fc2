"""A requests transport (`BoundedAdapter`) on which each attempt of a call, from connecting
to the answer's last byte, ends within the call's timeout.

A socket timeout bounds each read, not the answer: a service that sends a byte at a time
holds a call as long as it likes, and urllib3's `Timeout(total=)` only caps each read at
what is left when the answer is awaited. Here a timeout of N seconds becomes urllib3's
`Timeout(total=N)`, which bounds connecting and sending and hands `getresponse` what is
left; from then on each read of the answer (status line, headers and body) waits at most
until that deadline, and none starts after it: a read past it is a socket timeout, which
urllib3 reports as any read timeout.

requests reads the body after urllib3's retries are done with the call, so a GET whose
body timed out would not be retried; here urllib3 reads the whole answer itself, inside
its retries, and requests gets it from memory (as it would have read it all anyway). A
timeout or cut connection while the body comes is then a read error like any other: the
`Retry` policy decides (GET and DELETE retried; POST, PATCH and PUT not).

The connections of a SOCKS proxy (`SOCKSProxyManager`) keep urllib3's own: each read
bounded, not the call.
"""

from __future__ import annotations

import functools
import http.client
import io
import socket
import time
from collections.abc import Mapping
from typing import Any, Optional, Union

from requests import PreparedRequest, Response
from requests.adapters import HTTPAdapter
from urllib3 import HTTPResponse, PoolManager, poolmanager
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.response import BaseHTTPResponse
from urllib3.util import Timeout


class _ReaderUntil(io.RawIOBase):
    """Reads a socket, each read waiting at most until `deadline` (on `time.monotonic`)."""

    def __init__(self, sock: socket.socket, deadline: float):
        super().__init__()
        self._sock = sock
        # The socket's own reader: it keeps the socket open while the answer is read, also
        # after the connection lets go of it (an answer with `Connection: close`).
        self._reader = sock.makefile("rb", buffering=0)
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> Optional[int]:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise socket.timeout("the whole answer did not come within the timeout")
        self._sock.settimeout(left)
        return self._reader.readinto(buffer)

    def close(self) -> None:
        self._reader.close()
        super().close()


class _ResponseUntil(http.client.HTTPResponse):
    """http.client's response, reading through `_ReaderUntil`."""

    def __init__(self, sock: socket.socket, debuglevel: int = 0, method: Optional[str] = None,
                 url: Optional[str] = None, *, deadline: float):
        super().__init__(sock, debuglevel, method, url)
        plain, self.fp = self.fp, io.BufferedReader(_ReaderUntil(sock, deadline))
        plain.close()  # nothing was read from it


class _ConnectionUntil(HTTPConnection):
    def getresponse(self) -> BaseHTTPResponse:  # type: ignore[override]
        # urllib3 has just set `timeout` to what is left of the call's `Timeout(total=)`.
        if isinstance(self.timeout, (int, float)):
            deadline = time.monotonic() + self.timeout
            self.response_class = functools.partial(_ResponseUntil, deadline=deadline)  # type: ignore[assignment]
        return super().getresponse()


class _HTTPSConnectionUntil(_ConnectionUntil, HTTPSConnection):
    pass


class _WholeAnswers(HTTPConnectionPool):
    """Reads each answer whole within urllib3's retries (see the module docstring)."""

    def urlopen(self, method: str, url: str, *args: Any, **kwargs: Any) -> BaseHTTPResponse:
        if kwargs.get("preload_content", True):
            return super().urlopen(method, url, *args, **kwargs)
        read = super().urlopen(method, url, *args, **{**kwargs, "preload_content": True})
        return HTTPResponse(
            body=io.BytesIO(read.data),  # as sent: requests decodes it as it streams it
            headers=read.headers,
            status=read.status,
            version=read.version,
            reason=read.reason,
            preload_content=False,
            decode_content=bool(kwargs.get("decode_content", True)),
            retries=read.retries,
            request_method=method,
            request_url=url,
        )


class _PoolUntil(_WholeAnswers):
    ConnectionCls = _ConnectionUntil


class _HTTPSPoolUntil(_WholeAnswers, HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnectionUntil


class BoundedAdapter(HTTPAdapter):
    """requests' adapter on which a timeout given as a number bounds the whole call."""

    def send(self, request: PreparedRequest, stream: bool = False, timeout: Any = None, verify: Union[bool, str] = True,
             cert: Any = None, proxies: Optional[Mapping[str, str]] = None) -> Response:
        if isinstance(timeout, (int, float)):
            timeout = Timeout(total=timeout)  # which requests takes as it is, as documented
        return super().send(request, stream, timeout, verify, cert, proxies)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        _bound(self.poolmanager)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        return _bound(super().proxy_manager_for(proxy, **proxy_kwargs))


def _bound(manager: PoolManager) -> PoolManager:
    if manager.pool_classes_by_scheme is poolmanager.pool_classes_by_scheme:  # not SOCKS
        manager.pool_classes_by_scheme = {"http": _PoolUntil, "https": _HTTPSPoolUntil}
    return manager
