"""toolchain/patches/pulumi-dynamic-max-workers.patch: the change that belongs in the SDK
applies to the SDK installed here, and its host then serves as many calls at once as it
is told, without pulumi_jsmops.host."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from provider_host import Host

PATCH = Path(__file__).resolve().parents[2] / "toolchain" / "patches" / "pulumi-dynamic-max-workers.patch"


@pytest.fixture
def patched_sdk_host(tmp_path: Path) -> Iterator[Host]:
    spec = importlib.util.find_spec("pulumi.dynamic.__main__")
    assert spec is not None and spec.origin is not None
    copy = tmp_path / "sdk" / "pulumi" / "dynamic" / "__main__.py"
    copy.parent.mkdir(parents=True)
    shutil.copy(spec.origin, copy)
    result = subprocess.run(
        ["patch", "-p1", "--batch", "--forward", "--fuzz=0", "-d", str(tmp_path / "sdk"), "-i", str(PATCH)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    host = Host(
        tmp_path,
        [sys.executable, str(copy)],
        env={"PULUMI_DYNAMIC_PROVIDER_MAX_WORKERS": "9", "PROBE_SKIP_INSTALL": "1"},
    )
    yield host
    host.stop()


def test_patched_sdk_host_serves_max_workers_calls_at_once(patched_sdk_host: Host) -> None:
    patched_sdk_host.configure({})
    with ThreadPoolExecutor(9) as engine:
        outputs = list(engine.map(lambda i: patched_sdk_host.create(i, gate=9), range(9)))
    assert max(o["peak"] for o in outputs) == 9
    assert {o["workers"] for o in outputs} == {9}
