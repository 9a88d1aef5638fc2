"""A dynamic provider that probes the host serving it (for tests/host/).

The dynamic-provider host imports this module by name when it unpickles the provider, so
the host process needs tests/host/ on its PYTHONPATH. `configure` installs our host
adjustments as the Schedule provider does (unless PROBE_SKIP_INSTALL is set). `create`
holds each call until `gate` calls are in it at once (or `hold_s` passes: the host may
never let that many in), and returns
the most it saw, the URN `current_urn` reported, the kind of the host's pool and its
worker bound (when it has one); `fail` makes it raise instead. `update` fails with a
`PartialUpdateError` whose outputs say `landed: True`, or succeeds with `landed: False`.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from pulumi.dynamic import ConfigureRequest, CreateResult, ResourceProvider, UpdateResult

from pulumi_jsmops.dynamic import host
from pulumi_jsmops.dynamic.partial_update import PartialUpdateError
from pulumi_jsmops.errors import JsmOpsError

SKIP_INSTALL = "PROBE_SKIP_INSTALL"  # set: the host as the SDK made it

_changed = threading.Condition()
_in_flight = 0
_peak = 0


class ProbeProvider(ResourceProvider):
    serialize_as_secret_always = False

    def configure(self, req: ConfigureRequest) -> None:
        logging.basicConfig()  # what grpc logs goes to stderr, for the tests to read
        if not os.environ.get(SKIP_INSTALL):
            host.install(req.config.get)

    def create(self, props: dict[str, Any]) -> CreateResult:
        global _in_flight, _peak
        urn = host.current_urn()
        if props.get("fail") == "ours":
            raise JsmOpsError(f"probe failure of {urn}")
        if props.get("fail") == "other":
            raise ValueError(f"probe failure of {urn}")
        with _changed:
            _in_flight += 1
            _peak = max(_peak, _in_flight)
            _changed.notify_all()
            _changed.wait_for(lambda: _peak >= props.get("gate", 1), timeout=props.get("hold_s", 20))
            peak = _peak
            _in_flight -= 1
        server = host.find_server()
        pool = server._state.thread_pool if server else None
        outputs = {"peak": peak, "urn": urn, "pool": type(pool).__name__}
        if isinstance(getattr(pool, "_max_workers", None), int):
            outputs["workers"] = pool._max_workers
        return CreateResult(f"probe-{props['index']}", outputs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        if news.get("fail") == "partial":
            raise PartialUpdateError(id_, {"landed": True}, JsmOpsError("probe failure"), [], [])
        return UpdateResult({"landed": False})
