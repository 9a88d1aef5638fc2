"""The baseline: a dynamic resource whose provider makes no API call and does no work.

A stack of N `NoopResource`s, declared with the same inputs as N schedules, costs what
the Pulumi engine, the language host and the dynamic-provider machinery cost on their
own; the Schedule provider's time over it is what the provider adds.

With `BENCH_NOOP_WAIT_URL` in its environment it is the *waiting* baseline: create, read,
update and delete each make one bare GET of that URL (the emulator with added latency,
answering 404) and ignore the answer, and the provider process gets as many workers as
ours (`pulumi_jsmops.dynamic.host`). Pulumi's own pace with a provider that costs nothing but
the wait for an answer; the emulator counts its requests in flight as it counts ours.

It echoes its inputs as outputs (as the Schedule provider returns its inputs plus ids),
so both stacks carry state of about the same size. The program and the provider process
import it by reference (`bench.noop`, with the repository root on PYTHONPATH), as they
import `pulumi_jsmops.provider`, so both serialized providers are small.
"""

from __future__ import annotations

import itertools
import os
import urllib.error
import urllib.request
from typing import Any

from pulumi.dynamic import (
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    ResourceProvider,
    UpdateResult,
)

PROVIDER_KEY = "__provider"
WAIT_URL_ENV = "BENCH_NOOP_WAIT_URL"

_ids = itertools.count(1)


def _plain(props: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if k != PROVIDER_KEY}


def _wait() -> None:
    """One request answered after the emulator's latency, in the waiting baseline."""
    url = os.environ.get(WAIT_URL_ENV)
    if url:
        try:
            urllib.request.urlopen(url, timeout=60).close()
        except urllib.error.HTTPError:
            pass  # the answer does not matter, only that it took as long as an API call


class NoopProvider(ResourceProvider):
    serialize_as_secret_always = False

    def configure(self, req: ConfigureRequest) -> None:
        if os.environ.get(WAIT_URL_ENV):
            from pulumi_jsmops.dynamic import host

            host.install(req.config.get)

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return CheckResult(news, [])

    def diff(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> DiffResult:
        return DiffResult(changes=False, replaces=[], stables=[], delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        _wait()
        return CreateResult(f"noop-{next(_ids)}", _plain(props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        _wait()
        plain = _plain(props)
        return ReadResult(id_, plain, inputs=plain)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        _wait()
        return UpdateResult(_plain(news))

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        _wait()


class NoopResource(Resource, module="bench", name="Noop"):
    def __init__(self, resource_name: str, props: dict[str, Any]) -> None:
        super().__init__(NoopProvider(), resource_name, dict(props), None)
