"""Adjustments to the Python SDK's dynamic-provider host (`python -m pulumi.dynamic`).

The engine serves a dynamic provider through a gRPC server that the SDK starts in that
process. Two of its behaviours cost our users, and `install` (called once, from the
provider's `configure`) adjusts the running server:

- its thread pool has 4 workers whatever `--parallel` says, so at most 4 API requests
  are ever in flight: the pool may grow to `jsmops:maxConcurrency` instead (the engine
  still sends no more than `--parallel` requests at once);
- an exception of ours reaches the engine as `Exception calling application: ...`, with
  a traceback in the log (newer SDKs send the traceback itself as the message): our own
  errors (`JsmOpsError`) now end the call with their message alone (`report_own_errors`;
  for the calls the server took before `install` ran, such as the first call of a
  `refresh` or `destroy`, which loads the provider: `filter_own_errors`, and
  `shorten_own_aborts` for newer SDKs);
- a Diff can only say whether a resource changes, so a preview prints every input of a
  changed schedule: `add_detailed_diff` hands the engine the paths that change, as the
  provider recorded them (`record_changed_paths`; see `preview_diff.py`);
- an Update can only fail whole: the state keeps the old outputs, even when some of its
  requests landed. A `PartialUpdateError` now ends the call with the outputs that landed,
  as the engine takes them (`send_partial_state`; see `partial_update.py`).

It also records which request each thread serves, for `current_urn`.

Both rely on the SDK and grpcio internals, so `install` checks each thing it relies on
and leaves the host as it is (logging why, at debug level) when one is not what it
expects. Then everything still works, at the SDK's pace and with grpc's wording.
"""

from __future__ import annotations

import functools
import gc
import logging
import sys
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Mapping, Optional, TypeAlias

import grpc
from pulumi.dynamic.dynamic import PROVIDER_KEY  # the SDK's key of the serialized provider

from ..errors import ConfigurationError, JsmOpsError
from .partial_update import PartialUpdateError

SERVICE = "pulumirpc.ResourceProvider"

_log = logging.getLogger(__name__)
_install_lock = threading.Lock()
_installed = False
_serving = threading.local()  # .request: the gRPC request this thread is serving

Behavior = Callable[[Any, grpc.ServicerContext], Any]
MethodHandler: TypeAlias = "grpc.RpcMethodHandler[Any, Any]"  # generic in the stubs only


def install(config_get: Callable[[str], Any] = lambda key: None) -> None:
    """Adjusts the dynamic-provider host this process runs, once; later calls do nothing.

    `config_get` reads the stack config (`jsmops:maxConcurrency`), as `load_settings` does.
    Never raises: whatever it cannot adjust stays as the SDK made it.
    """
    global _installed
    with _install_lock:
        if _installed:
            return
        _installed = True
        server = _guarded(find_server)
        if server is None:
            return
        _guarded(report_own_errors, server)
        _guarded(filter_own_errors)
        _guarded(shorten_own_aborts)
        cap = _guarded(max_concurrency, config_get)
        if cap is not None:
            _guarded(lift_worker_cap, server, cap)


def _guarded(adjust: Callable[..., Any], *args: Any) -> Any:
    """`adjust(*args)`, or None when it fails: the safe path, the host as the SDK made it."""
    try:
        return adjust(*args)
    except Exception:
        _log.debug("%s failed: that part of the dynamic-provider host is left as it is", adjust.__name__, exc_info=True)
        return None


def current_urn() -> Optional[str]:
    """The URN of the resource whose request this thread serves, None when unknown."""
    urn = getattr(_current_request(), "urn", None)
    return urn if isinstance(urn, str) and urn else None


def max_concurrency(config_get: Callable[[str], Any]) -> int:
    """The `jsmops:maxConcurrency` setting, or its default when the settings are incomplete
    (the provider reports that at its first API request, not here)."""
    from ..api.config import Settings, load_settings

    try:
        return int(load_settings(config_get).max_concurrency)
    except ConfigurationError:
        return int(Settings.model_fields["max_concurrency"].default)


def find_server() -> Optional[Any]:
    """The one gRPC server of this process that serves the ResourceProvider service, if
    it is grpcio's synchronous server as the SDK starts it today."""
    try:
        from grpc import _server
    except ImportError:
        _log.debug("grpcio has no grpc._server module")
        return None
    server_type = getattr(_server, "_Server", None)
    if not isinstance(server_type, type):
        _log.debug("grpcio has no grpc._server._Server class")
        return None
    servers = [o for o in gc.get_objects() if type(o) is server_type and _serves_provider(o)]
    if len(servers) != 1:
        _log.debug("found %d gRPC servers of the %s service, expected 1", len(servers), SERVICE)
        return None
    return servers[0]


def _serves_provider(server: Any) -> bool:
    state = getattr(server, "_state", None)
    handlers = getattr(state, "generic_handlers", None)
    if not isinstance(handlers, list):
        return False
    return any(_service_name(h) == SERVICE for h in handlers)


def _service_name(handler: Any) -> Optional[str]:
    name = getattr(handler, "service_name", None)
    try:
        return name() if callable(name) else None
    except Exception:
        return None


def lift_worker_cap(server: Any, cap: int) -> bool:
    """Lets the server's thread pool grow to `cap` workers (never shrinks it); whether it could.

    A ThreadPoolExecutor starts a worker at each submitted call while it has fewer than
    `_max_workers` and none idle. Raising that bound takes effect at the next call; the
    calls already queued behind the old bound get their workers here.
    """
    pool = getattr(getattr(server, "_state", None), "thread_pool", None)
    if not (
        isinstance(pool, ThreadPoolExecutor)
        and isinstance(getattr(pool, "_max_workers", None), int)
        and callable(getattr(pool, "_adjust_thread_count", None))
        and callable(getattr(getattr(pool, "_work_queue", None), "qsize", None))
        and hasattr(getattr(pool, "_shutdown_lock", None), "__enter__")
    ):
        _log.debug("the gRPC server's thread pool is not a ThreadPoolExecutor as expected: %r", pool)
        return False
    with pool._shutdown_lock:  # as in ThreadPoolExecutor.submit
        if pool._max_workers < cap:
            _log.debug("dynamic-provider host: up to %d workers, was %d", cap, pool._max_workers)
            pool._max_workers = cap
            for _ in range(pool._work_queue.qsize()):
                pool._adjust_thread_count()
    return True


def report_own_errors(server: Any) -> bool:
    """Puts a handler in front of the server's ResourceProvider handlers that serves each
    call through `_serve`; whether it could."""
    state = getattr(server, "_state", None)
    handlers = getattr(state, "generic_handlers", None)
    lock = getattr(state, "lock", None)
    if not isinstance(handlers, list) or lock is None:
        _log.debug("the gRPC server keeps its handlers elsewhere")
        return False
    registered = getattr(state, "registered_method_handlers", None)
    if isinstance(registered, dict) and any(name.startswith(f"/{SERVICE}/") for name in registered):
        # Newer generated code registers methods directly: they would bypass our handler.
        _log.debug("the %s methods are registered handlers, left as they are", SERVICE)
        return False
    with lock:
        if not any(isinstance(h, _OwnErrorsHandler) for h in handlers):
            handlers.insert(0, _OwnErrorsHandler([h for h in handlers if _service_name(h) == SERVICE]))
    return True


class _OwnErrorsHandler(grpc.GenericRpcHandler):
    """Finds each method's handler among the SDK's and serves it through `_serve`."""

    def __init__(self, originals: list[grpc.GenericRpcHandler]):
        self._originals = originals
        self._wrapped: dict[str, Optional[MethodHandler]] = {}
        self._lock = threading.Lock()

    def service(self, handler_call_details: grpc.HandlerCallDetails) -> Optional[MethodHandler]:
        method: str = handler_call_details.method
        with self._lock:
            if method not in self._wrapped:
                self._wrapped[method] = self._wrap(handler_call_details)
            return self._wrapped[method]

    def _wrap(self, details: grpc.HandlerCallDetails) -> Optional[MethodHandler]:
        for original in self._originals:
            handler: Optional[MethodHandler] = original.service(details)
            if handler is None:
                continue
            behavior = getattr(handler, "unary_unary", None)
            replace = getattr(handler, "_replace", None)  # the handlers are namedtuples
            if behavior is None or not callable(replace):
                return handler  # not a plain unary method: served as the SDK serves it
            wrapped: MethodHandler = replace(unary_unary=_serve(behavior, details.method))
            return wrapped
        return None


def _serve(behavior: Behavior, method: str = "") -> Behavior:
    """Serves a call, recording its request for `current_urn`; our own errors end the call
    with their message (no grpc prefix, no traceback), others are left to grpc. A
    `PartialUpdateError` of an Update also hands the engine the outputs that landed."""

    @functools.wraps(behavior)
    def serve(request: Any, context: grpc.ServicerContext) -> Any:
        _serving.request, _serving.changed_paths = request, None
        try:
            response = behavior(request, context)
            if method == f"/{SERVICE}/Diff" and _serving.changed_paths is not None:
                _guarded(add_detailed_diff, response, _serving.changed_paths)
            return response
        except Exception as exc:
            own = _own_error(exc)
            if own is None:
                raise
            message = str(own)
            if (isinstance(own, PartialUpdateError) and method == f"/{SERVICE}/Update"
                    and _guarded(send_partial_state, context, request, own)):
                message = own.recorded_message
            context.abort(grpc.StatusCode.UNKNOWN, message)
        finally:
            _serving.request = _serving.changed_paths = None

    return serve


def record_changed_paths(paths: Mapping[str, str]) -> None:
    """Records, for the Diff this thread serves, the property paths that change (kinds `add`,
    `delete`, `update`); `_serve` adds them to its answer. Without the adjusted host, nothing."""
    _serving.changed_paths = paths


def add_detailed_diff(response: Any, paths: Mapping[str, str]) -> bool:
    """Adds the paths to a DiffResponse as the engine's detailed diff (old values taken from
    the state's outputs, new ones from the checked inputs)."""
    from pulumi.runtime.proto import provider_pb2

    kinds = {"add": provider_pb2.PropertyDiff.ADD, "delete": provider_pb2.PropertyDiff.DELETE,
             "update": provider_pb2.PropertyDiff.UPDATE}
    for path, kind in paths.items():
        response.detailedDiff[path].CopyFrom(provider_pb2.PropertyDiff(kind=kinds[kind], inputDiff=False))
    response.hasDetailedDiff = True
    return True


def send_partial_state(context: grpc.ServicerContext, request: Any, error: PartialUpdateError) -> bool:
    """Ends an Update call with the engine's partial-state detail (`ErrorResourceInitFailed`
    in the call's `grpc-status-details-bin` trailer): the engine then keeps `error.outputs`
    as the resource's outputs, with the error as an init error. The outputs are serialized
    as the SDK's own Update serializes its result, the serialized provider included."""
    import asyncio

    from pulumi.runtime import rpc
    from pulumi.runtime.proto import provider_pb2, status_pb2

    news = rpc.deserialize_properties(request.news)
    loop = asyncio.new_event_loop()
    try:
        properties = loop.run_until_complete(
            rpc.serialize_properties({**error.outputs, PROVIDER_KEY: news[PROVIDER_KEY]}, {}))
    finally:
        loop.close()
    status = status_pb2.Status(code=grpc.StatusCode.UNKNOWN.value[0], message=error.recorded_message)
    status.details.add().Pack(provider_pb2.ErrorResourceInitFailed(
        id=request.id, properties=properties, reasons=[error.recorded_message], inputs=request.news))
    context.set_trailing_metadata((("grpc-status-details-bin", status.SerializeToString()),))
    return True


def _own_error(exc: Optional[BaseException]) -> Optional[JsmOpsError]:
    """Our error, as raised or as the context of the exception that ended the call: newer
    SDKs catch every exception in the servicer method and abort the call with its
    traceback; the exception `abort` raises then has ours as its context, and a second
    `abort` puts our message in place of the traceback."""
    seen: Optional[BaseException] = exc
    while seen is not None:
        if isinstance(seen, JsmOpsError):
            return seen
        seen = seen.__context__
    return None


def _current_request() -> Any:
    """The request this thread serves: recorded by `_serve`, else (a call that the server
    took before `install` ran, or a host left as it is) found on the stack, in the
    servicer method that has the request and its gRPC context as arguments."""
    request = getattr(_serving, "request", None)
    if request is not None:
        return request
    return _serving_locals("request").get("request")


def _serving_locals(name: str) -> dict[str, Any]:
    """The local variables of the innermost frame of this thread that has the gRPC
    context of a call, and `name`; empty when there is none."""
    frame = sys._getframe(1)
    while frame is not None:
        local = frame.f_locals
        if isinstance(local.get("context"), grpc.ServicerContext) and name in local:
            return local
        frame = frame.f_back  # type: ignore[assignment]
    return {}


class _OwnErrorsLogFilter(logging.Filter):
    """Our errors in calls that the server took before `install` ran (they go to the SDK's
    handlers): grpc logs such an exception, traceback included, then ends the call with the
    details its context holds, else with "Exception calling application: ...". The record
    is dropped, and the details set to the error's message."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if not isinstance(error, JsmOpsError):
            return True
        context = _serving_locals("context").get("context")
        if context is not None:
            context.set_details(str(error))
        return False


def filter_own_errors() -> bool:
    """Adds `_OwnErrorsLogFilter` to grpc's server logger; whether it could."""
    from grpc import _server

    logger = getattr(_server, "_LOGGER", None)
    if not isinstance(logger, logging.Logger):
        _log.debug("grpc._server has no logger: %r", logger)
        return False
    if not any(isinstance(f, _OwnErrorsLogFilter) for f in logger.filters):
        # First, so that it sees the record even when another filter drops it.
        logger.filters.insert(0, _OwnErrorsLogFilter())
    return True


def shorten_own_aborts() -> bool:
    """Makes grpc's servicer context end a call with our error's message where newer SDKs
    end it with the traceback of the exception being handled (`context.abort(UNKNOWN,
    traceback.format_exc())` in the servicer method). `_serve` does this for the calls it
    serves; the calls the server took before `install` ran bypass it, and their context
    is made only when they run, so the context's class is adjusted. Whether it could."""
    from grpc import _server

    context_type = getattr(_server, "_Context", None)
    abort = getattr(context_type, "abort", None)
    if not isinstance(context_type, type) or not callable(abort):
        _log.debug("grpc._server has no _Context class with an abort method")
        return False
    if getattr(abort, "shortens_own_aborts", False):
        return True

    @functools.wraps(abort)
    def abort_with_own_message(self: Any, code: grpc.StatusCode, details: str) -> Any:
        own = _own_error(sys.exc_info()[1])
        if own is not None and details == traceback.format_exc():
            details = str(own)
        return abort(self, code, details)

    abort_with_own_message.shortens_own_aborts = True  # type: ignore[attr-defined]
    context_type.abort = abort_with_own_message  # type: ignore[attr-defined]
    return True
