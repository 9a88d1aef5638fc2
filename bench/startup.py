"""Start-up cost of the provider process: how long importing our package takes there.

The engine starts a dynamic provider as `python -m pulumi.dynamic`, which imports
pulumi's runtime, grpc and dill; the first request then unpickles the provider, which
imports `pulumi_jsmops.provider` (and with it `pulumi_jsmops`, pydantic, requests...).
Each sample is a fresh interpreter that imports the same modules in the same order and
times both steps: "pulumi" (what any dynamic provider pays) and "ours" (what importing
our package adds on top). A second pass under `-X importtime` splits "ours" by
top-level package.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from collections import defaultdict
from typing import Any

# What `python -m pulumi.dynamic` (pulumi/dynamic/__main__.py of the SDK) imports.
PULUMI_DYNAMIC_IMPORTS = (
    "dill", "grpc", "google.protobuf.empty_pb2", "pulumi.metadata", "pulumi.runtime._serialization",
    "pulumi.runtime", "pulumi.runtime.proto", "pulumi.runtime._grpc_settings",
    "pulumi.runtime.proto.provider_pb2_grpc", "pulumi.dynamic",
)
OURS = "pulumi_jsmops.provider"
MARKER = "--- ours ---"

_TIMED = f"""
import importlib, json, sys, time
t0 = time.perf_counter()
for name in {PULUMI_DYNAMIC_IMPORTS!r}:
    importlib.import_module(name)
t1 = time.perf_counter()
print({MARKER!r}, file=sys.stderr, flush=True)
importlib.import_module({OURS!r})
t2 = time.perf_counter()
print(json.dumps({{"pulumi": t1 - t0, "ours": t2 - t1}}))
"""


def _run(*flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *flags, "-c", _TIMED], capture_output=True, text=True, check=True)


def _importtime_by_package(stderr: str) -> dict[str, float]:
    """Self time (seconds) by top-level package, of the imports after the marker."""
    after = stderr.split(MARKER, 1)[1]
    totals: dict[str, float] = defaultdict(float)
    for line in after.splitlines():
        if not line.startswith("import time:") or "[us]" in line:
            continue
        self_us, _cumulative, module = (part.strip() for part in line[len("import time:"):].split("|"))
        totals[module.split(".")[0]] += int(self_us) / 1e6
    return dict(totals)


def measure(runs: int = 7) -> dict[str, Any]:
    _run()  # warm the bytecode and file caches
    samples = [json.loads(_run().stdout) for _ in range(runs)]
    pulumi_s = statistics.median(s["pulumi"] for s in samples)
    ours_s = statistics.median(s["ours"] for s in samples)
    breakdowns = [_importtime_by_package(_run("-X", "importtime").stderr) for _ in range(max(3, runs // 2))]
    packages = sorted({p for b in breakdowns for p in b})
    by_package = {p: statistics.median(b.get(p, 0.0) for b in breakdowns) for p in packages}
    by_package = dict(sorted(by_package.items(), key=lambda kv: -kv[1]))
    return {
        "runs": runs,
        "pulumi_s": pulumi_s,
        "ours_s": ours_s,
        "samples": samples,
        # under -X importtime, which inflates every figure a little
        "ours_by_package_s": by_package,
    }


if __name__ == "__main__":
    print(json.dumps(measure(), indent=2))
