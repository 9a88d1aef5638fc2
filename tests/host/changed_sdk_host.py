"""The SDK's dynamic-provider host as a changed SDK might run it: its gRPC server works
through an executor that is not a ThreadPoolExecutor. `pulumi_jsmops.host` must then
leave the pool as it is, and the host must serve as before.

    python changed_sdk_host.py     # instead of `python -m pulumi.dynamic`
"""

from __future__ import annotations

import runpy
from concurrent import futures
from typing import Any, Callable

import grpc


class OtherExecutor(futures.Executor):
    """Runs calls on a ThreadPoolExecutor it keeps to itself."""

    def __init__(self, pool: futures.ThreadPoolExecutor):
        self._pool = pool

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> futures.Future[Any]:
        return self._pool.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._pool.shutdown(wait, cancel_futures=cancel_futures)


_server = grpc.server


def server(thread_pool: futures.ThreadPoolExecutor, *args: Any, **kwargs: Any) -> grpc.Server:
    return _server(OtherExecutor(thread_pool), *args, **kwargs)


grpc.server = server
runpy.run_module("pulumi.dynamic", run_name="__main__", alter_sys=True)
