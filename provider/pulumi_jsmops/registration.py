"""The stack trace our resources register with: the line of the program that declared them.

With every resource it registers, the Python SDK sends the engine the program's whole
stack at that moment (`pulumi.runtime.resource._get_stack_trace`: 10 to 15 frames, ours,
the SDK's and asyncio's), and the engine keeps it in the state: about 1.3 KB per
schedule, a third of its entry. The file and object-store backends write the whole state
after every step, so each of those bytes is encoded again at every later step: at N = 300
the full traces cost the engine about a fifth of its CPU in `up` and `destroy`
(bench/README.md, "Cuts").

`declaring()` wraps the SDK's function, once per process, so that a resource declared
inside it registers one frame: the first outside this package, i.e. the user's line
(which also becomes its `sourcePosition`, instead of our constructor's line). Every other
resource keeps the SDK's trace. The wrapper relies on an SDK internal, so it checks what
it finds and changes nothing (logging why, at debug level) when that is not what it
expects; then the state simply holds the SDK's full traces.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable

_log = logging.getLogger(__name__)
_OURS = Path(__file__).resolve().parent.as_uri() + "/"
_declaring: contextvars.ContextVar[bool] = contextvars.ContextVar("jsmops_declaring", default=False)
_install_lock = threading.Lock()
_installed = False


@contextlib.contextmanager
def declaring() -> Iterator[None]:
    """The resources registered inside register the user's line as their stack trace."""
    install()
    token = _declaring.set(True)
    try:
        yield
    finally:
        _declaring.reset(token)


def install() -> None:
    """Wraps the SDK's `_get_stack_trace`, once; later calls do nothing. Never raises."""
    global _installed
    with _install_lock:
        if _installed:
            return
        _installed = True
        try:
            from pulumi.runtime import resource
        except ImportError:
            _log.debug("the SDK has no pulumi.runtime.resource: stack traces left as they are")
            return
        original = getattr(resource, "_get_stack_trace", None)
        if not callable(original):
            _log.debug("the SDK has no _get_stack_trace: stack traces left as they are")
            return
        resource._get_stack_trace = _shortened(original)


def _shortened(original: Callable[[], Any]) -> Callable[[], Any]:
    @functools.wraps(original)
    def get_stack_trace() -> Any:
        trace = original()
        if not _declaring.get():
            return trace
        try:
            return declaring_frame_only(trace)
        except Exception:
            _log.debug("the SDK's stack trace is not as expected: left as it is", exc_info=True)
            return trace

    return get_stack_trace


def declaring_frame_only(trace: Any) -> Any:
    """`trace` (a `pulumirpc.StackTrace`, top frame first) cut, in place, to its first
    frame with a position outside this package; unchanged when it has none."""
    frames = trace.frames
    for frame in frames:
        uri = frame.pc.uri
        if uri and not uri.startswith(_OURS):
            keep = type(frame)()
            keep.CopyFrom(frame)
            del frames[:]
            frames.add().CopyFrom(keep)
            return trace
    return trace
