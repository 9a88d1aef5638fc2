"""`make bench`: the cost of previews and deployments of N schedules, against the emulator.

For each N, a stack of N schedules (the provider) and a stack of N no-op dynamic resources
with the same inputs (the baseline, `bench/noop.py`) go through `up` (all new), `preview`
(nothing changed), `refresh` and `destroy` with the real `pulumi` CLI. Each operation is
timed (wall clock of the CLI command, as a user waits for it) and its API requests are
counted by the emulator. Baseline and provider runs alternate, in an order that rotates
from one operation to the next, so that drift of the machine hits both alike; each figure
is the median of `--repeat` runs, and the provider's cost shows as its ratio to the
baseline. Every operation runs with `--parallel 10` and records the requests in flight.
Then the same with the emulator answering each request 200 ms later (`--latency`), the
provider's stack taking turns with the waiting baseline; an `up` of N = 100 schedules
against an emulator limited to 10 requests per second; and the provider's start-up (see
bench/startup.py).

    python -m bench.run [--sizes 10,100] [--large] [--repeat K] [--latency 200] [--latency-repeat K]
                        [--out bench/results.json]

Prints a table and writes the results, with every sample, to `bench/results.json`.
The table says which targets are met; with `--strict` a missed one makes the exit status 1.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Optional

import requests

from bench import large_rotation, let_children_be_interrupted, startup
from bench.cpu import PULUMI_ROLES, ROLES, emulator_cpu, median_by_role, run_measured
from bench.noop import WAIT_URL_ENV
from bench.workload import schedules
from testkit.emulator_process import Emulator
from testkit.pulumi_project import PROGRAM as SCHEDULE_PROGRAM
from testkit.pulumi_project import PulumiProject

ROOT = Path(__file__).resolve().parent.parent

BASELINE_PROGRAM = '''\
import json
from pathlib import Path

import pulumi
from bench.MODULE import NoopResource

for resource_name, spec in json.loads(Path("schedules.json").read_text()).items():
    resource = NoopResource(resource_name, spec)
    pulumi.export(resource_name, resource.id)
'''

# operation -> CLI arguments. `up` skips its preview so that it measures the deployment
# alone; `preview` and `refresh` expect no changes, so a spurious diff fails them.
OPERATIONS: dict[str, tuple[str, ...]] = {
    "up": ("up", "--yes", "--skip-preview"),
    "preview": ("preview", "--expect-no-changes"),
    "refresh": ("refresh", "--yes", "--skip-preview", "--expect-no-changes"),
    "destroy": ("destroy", "--yes", "--skip-preview"),
}
# The most requests each operation may make, for N schedules: one per schedule (a refresh of
# many reads most of them from one listing of the site, so it makes fewer).
EXPECTED_REQUESTS = {
    "up": lambda n: {"POST": n},
    "preview": lambda n: {},
    "refresh": lambda n: {"GET": n},
    "destroy": lambda n: {"DELETE": n},
}
MAX_RATIO = 1.3
RATIO_AT = 100  # the N the ratio and busy-slot targets apply to
# Every operation runs with `--parallel PARALLEL` (tofu's default parallelism, and the default
# of jsmops:maxConcurrency): the most requests the provider may have in flight.
PARALLEL = 10
LATENCIES_MS = (200,)  # the series against an emulator that answers that much later
MIN_BUSY = 0.9  # mean requests in flight / PARALLEL, during up with latency
BUSY_OPERATIONS = ("up",)  # a refresh of 100 makes about 11 requests: no slots to keep busy
MAX_STARTUP_S = 0.5
RATE_LIMIT = 10
RATE_LIMITED_N = 100
# kind of stack -> (program, resource type)
KINDS = {
    "provider": (SCHEDULE_PROGRAM, "pulumi-python:dynamic/jsmops:Schedule"),
    "baseline": (BASELINE_PROGRAM.replace("MODULE", "noop"), "pulumi-python:dynamic/bench:Noop"),
    "baseline+import": (BASELINE_PROGRAM.replace("MODULE", "noop_importing"),
                        "pulumi-python:dynamic/bench:NoopImporting"),
}


class Stack:
    """One throwaway project and stack, the provider's or the baseline's."""

    def __init__(self, kind: str, root: Path, emulator: Emulator, n: int, parallel: int = PARALLEL):
        self.kind, self.n, self.parallel = kind, n, parallel
        program, self.type = KINDS[kind]
        self.project = PulumiProject(root / f"{kind.replace('+', '-')}-{n}", emulator, program=program)
        # The baseline's provider is imported by reference, like ours: from the repo root.
        path = self.project.env.get("PYTHONPATH")
        self.project.env["PYTHONPATH"] = str(ROOT) + (os.pathsep + path if path else "")
        self.project.write_schedules(schedules(n))
        self.timeout = 300 + 3 * n

    def run(self, operation: str, emulator: Emulator) -> dict[str, Any]:
        """Runs one operation; its wall time, exit status and the API requests it made."""
        emulator.reset_stats()
        emulator_before = emulator_cpu(emulator)
        measured = run_measured(["pulumi", *OPERATIONS[operation], "--parallel", str(self.parallel),
                                 "--non-interactive"], self.project.dir, self.project.env, self.timeout)
        emulator_used = emulator_cpu(emulator) - emulator_before
        result = measured.result
        stats = emulator.stats()
        sample = {
            "wall_s": round(measured.wall_s, 4),
            # CPU of the whole `pulumi` process tree (engine, language host, program,
            # provider process), per process, and of the emulator: steadier than wall time
            # on a busy machine
            "cpu_s": round(measured.cpu_s, 3),
            "cpu_by_role": measured.cpu_by_role,
            "emulator_cpu_s": round(emulator_used, 3),
            "load_avg_1m": os.getloadavg()[0],
            "exit": result.returncode,
            "by_method": stats["by_method"],
            "by_status": stats["by_status"],
            # requests being served at once: the most, and the mean from the first
            # request's start to the last one's end (the emulator's time-weighted figure)
            "in_flight_max": stats["in_flight_max"],
            "in_flight_mean": stats["in_flight_mean"],
        }
        if result.returncode != 0:
            sample["output_tail"] = result.stdout[-3000:]
            print(f"\n  ! {self.kind} {operation} N={self.n} exited {result.returncode}:\n"
                  + _indent(sample["output_tail"][-1500:]), flush=True)
        return sample

    def resource_count(self) -> int:
        state = json.loads(self.project.pulumi("stack", "export").stdout)
        return sum(1 for r in state["deployment"].get("resources") or [] if r["type"] == self.type)

    def clean_up(self) -> None:
        """After a failed run: empties the stack (no-op when it is empty)."""
        self.project.pulumi("destroy", "--yes", "--skip-preview", check=False, timeout=self.timeout)


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


def _median(values: list[float]) -> Optional[float]:
    return round(statistics.median(values), 4) if values else None


def _distinct(samples: list[dict[str, Any]]) -> list[dict[str, int]]:
    seen: list[dict[str, int]] = []
    for sample in samples:
        if sample["by_method"] not in seen:
            seen.append(sample["by_method"])
    return seen


Samples = dict[str, dict[str, list[dict[str, Any]]]]  # operation -> stack kind -> runs


def bench_size(n: int, repeat: int, root: Path, emulator: Emulator, kinds: tuple[str, ...]) -> list[dict[str, Any]]:
    stacks = {kind: Stack(kind, root, emulator, n) for kind in kinds}
    samples, consistency = _size_runs(stacks, n, repeat, emulator)
    rows = [_size_row(operation, n, repeat, samples[operation], consistency.get(operation)) for operation in OPERATIONS]
    for stack in stacks.values():
        shutil.rmtree(stack.project.root, ignore_errors=True)
    return rows


def _size_runs(stacks: dict[str, Stack], n: int, repeat: int,
               emulator: Emulator) -> tuple[Samples, dict[str, list[str]]]:
    """Every operation `repeat` times on each stack, taking turns; and what the stacks and
    the emulator held after each up and destroy, when not as expected."""
    samples: Samples = {op: {kind: [] for kind in stacks} for op in OPERATIONS}
    consistency: dict[str, list[str]] = {"up": [], "destroy": []}
    for k in range(repeat):
        for i, operation in enumerate(OPERATIONS):
            for kind in _turns(stacks, k + i):
                sample = stacks[kind].run(operation, emulator)
                samples[operation][kind].append(sample)
                print(f"  N={n:<4} run {k + 1}/{repeat} {operation:<8} {kind:<15} {sample['wall_s']:7.2f} s  "
                      f"{_requests_text(sample['by_method'])}", flush=True)
            if operation == "up":
                consistency["up"] += _after_up(stacks, emulator, n, k)
        consistency["destroy"] += _after_destroy(stacks, emulator, k)
        _clean_up_a_failed_round(stacks, emulator, samples)
    return samples, consistency


def _turns(stacks: dict[str, Stack], shift: int) -> list[str]:
    """The stacks' kinds in the order they run: who goes first rotates from one operation
    (and run) to the next."""
    kinds = list(stacks)
    shift %= len(kinds)
    return kinds[shift:] + kinds[:shift]


def _after_up(stacks: dict[str, Stack], emulator: Emulator, n: int, k: int) -> list[str]:
    """What is wrong with what the stacks and the service hold after an up (these API reads
    are not counted against any operation: the counters are reset before each one)."""
    remote = len(emulator.schedules())
    held = {kind: stack.resource_count() for kind, stack in stacks.items()}
    if remote == n and set(held.values()) == {n}:
        return []
    return [f"run {k + 1}: after up, {remote} schedules in the emulator, {held} resources in the stacks "
            f"(expected {n} each)"]


def _after_destroy(stacks: dict[str, Stack], emulator: Emulator, k: int) -> list[str]:
    remote = len(emulator.schedules())
    held = {kind: stack.resource_count() for kind, stack in stacks.items()}
    if not (remote or any(held.values())):
        return []
    return [f"run {k + 1}: after destroy, {remote} schedules left in the emulator, {held} resources in the stacks"]


def _clean_up_a_failed_round(stacks: dict[str, Stack], emulator: Emulator, samples: Samples) -> None:
    """After a round where a command failed or schedules are left: empty stacks, empty emulator."""
    if any(samples[op][kind][-1]["exit"] for op in OPERATIONS for kind in stacks) or emulator.schedules():
        for stack in stacks.values():
            stack.clean_up()
        emulator.reset()


def _median_of(samples: list[dict[str, Any]], key: str) -> Optional[float]:
    return _median([s[key] for s in samples])


def _ratio(a: Optional[float], b: Optional[float]) -> Optional[float]:
    return round(a / b, 3) if a and b else None


def _size_row(operation: str, n: int, repeat: int, by_kind: dict[str, list[dict[str, Any]]],
              consistency: Optional[list[str]]) -> dict[str, Any]:
    """One operation at one N: the provider's figures beside the baseline's, and the checks."""
    provider, baseline = by_kind["provider"], by_kind["baseline"]
    p_wall, b_wall = _median_of(provider, "wall_s"), _median_of(baseline, "wall_s")
    p_cpu, b_cpu = _median_of(provider, "cpu_s"), _median_of(baseline, "cpu_s")
    expected = EXPECTED_REQUESTS[operation](n)
    with_import = by_kind.get("baseline+import")
    row: dict[str, Any] = {
        "operation": operation,
        "n": n,
        "repeat": repeat,
        "provider": {"wall_s": p_wall, "cpu_s": p_cpu, "emulator_cpu_s": _median_of(provider, "emulator_cpu_s"),
                     "cpu_by_role": median_by_role(s["cpu_by_role"] for s in provider), "samples": provider},
        "baseline": {"wall_s": b_wall, "cpu_s": b_cpu,
                     "cpu_by_role": median_by_role(s["cpu_by_role"] for s in baseline), "samples": baseline},
        "load_avg_1m": _median([s["load_avg_1m"] for s in provider + baseline]),
        **({"baseline+import": {"wall_s": _median_of(with_import, "wall_s"), "cpu_s": _median_of(with_import, "cpu_s"),
                                "samples": with_import}} if with_import is not None else {}),
        "ratio": _ratio(p_wall, b_wall),
        "cpu_ratio": _ratio(p_cpu, b_cpu),
        # the median of the ratios of runs made side by side: less sensitive to drift
        "pairwise_ratio": _median([p["wall_s"] / b["wall_s"] for p, b in zip(provider, baseline, strict=True)]),
        "requests": _distinct(provider),
        "baseline_requests": _distinct(baseline),
        "in_flight_max": max(s["in_flight_max"] for s in provider),
        "in_flight_mean": _median_of(provider, "in_flight_mean"),
        "expected_requests": expected,
        "checks": {
            "requests": all(s["by_method"] == expected for s in provider),
            "exit": not any(s["exit"] for runs in by_kind.values() for s in runs),
            # no-op resources must not reach the API at all
            "baseline_silent": all(not s["by_method"] for kind, runs in by_kind.items() if kind != "provider"
                                   for s in runs),
        },
    }
    if consistency is not None:
        row["consistency"] = consistency
        row["checks"]["consistent"] = not consistency
    if n == RATIO_AT:
        row["checks"]["ratio"] = row["ratio"] is not None and row["ratio"] <= MAX_RATIO
    return row


def bench_latency(n: int, repeat: int, root: Path, emulator: Emulator, latency_ms: int) -> list[dict[str, Any]]:
    """The provider's stack through the same operations against an emulator that answers
    each request `latency_ms` later, taking turns with the *waiting* baseline (bench/noop.py:
    a provider that costs nothing but one bare request per call): their ratio is what the
    provider adds to Pulumi's own pace at that latency, and its requests in flight are as
    many as the engine keeps busy. Checked: requests and exit status as
    at 0 ms; at N = RATIO_AT, the mean number of requests in flight during up
    at least MIN_BUSY of the allowed PARALLEL."""
    stacks = {kind: Stack(kind, root / f"latency-{latency_ms}ms", emulator, n) for kind in ("baseline", "provider")}
    stacks["baseline"].project.env[WAIT_URL_ENV] = f"{emulator.api_url}/schedules/waiting-baseline"
    samples: Samples = {op: {kind: [] for kind in stacks} for op in OPERATIONS}
    for k in range(repeat):
        for i, operation in enumerate(OPERATIONS):
            for kind in _turns(stacks, k + i):
                sample = stacks[kind].run(operation, emulator)
                samples[operation][kind].append(sample)
                print(f"  N={n:<4} run {k + 1}/{repeat} {operation:<8} {kind:<9} {latency_ms} ms  "
                      f"{sample['wall_s']:7.2f} s  {_requests_text(sample['by_method'])}, in flight max "
                      f"{sample['in_flight_max']} mean {sample['in_flight_mean']:.1f}", flush=True)
        _clean_up_a_failed_round(stacks, emulator, samples)
    rows = []
    for operation in OPERATIONS:
        runs, waiting = samples[operation]["provider"], samples[operation]["baseline"]
        mean = _median_of(runs, "in_flight_mean")
        p_wall, b_wall = _median_of(runs, "wall_s"), _median_of(waiting, "wall_s")
        row: dict[str, Any] = {
            "operation": operation,
            "n": n,
            "latency_ms": latency_ms,
            "repeat": repeat,
            "parallel": PARALLEL,
            "wall_s": p_wall,
            "cpu_s": _median_of(runs, "cpu_s"),
            "cpu_by_role": median_by_role(s["cpu_by_role"] for s in runs),
            "waiting_baseline_cpu_s": _median_of(waiting, "cpu_s"),
            "waiting_baseline_cpu_by_role": median_by_role(s["cpu_by_role"] for s in waiting),
            "load_avg_1m": _median([s["load_avg_1m"] for s in runs + waiting]),
            "waiting_baseline_wall_s": b_wall,
            "ratio": _ratio(p_wall, b_wall),
            "in_flight_max": max(s["in_flight_max"] for s in runs),
            "in_flight_mean": mean,
            "waiting_baseline_in_flight_max": max(s["in_flight_max"] for s in waiting),
            "waiting_baseline_in_flight_mean": _median_of(waiting, "in_flight_mean"),
            "samples": runs,
            "waiting_baseline_samples": waiting,
            "checks": {
                "requests": all(_at_most(s["by_method"], EXPECTED_REQUESTS[operation](n)) for s in runs),
                "exit": not any(s["exit"] for s in runs + waiting),
            },
        }
        if n == RATIO_AT and operation in BUSY_OPERATIONS:
            row["checks"]["busy"] = mean is not None and mean >= MIN_BUSY * PARALLEL
        rows.append(row)
    for stack in stacks.values():
        shutil.rmtree(stack.project.root, ignore_errors=True)
    return rows


def bench_rate_limited(n: int, root: Path) -> dict[str, Any]:
    """`up` then `destroy` of n schedules against an emulator allowing RATE_LIMIT requests a second."""
    emulator = Emulator(root / "emulator-rate-limited", "--rate-limit", str(RATE_LIMIT))
    try:
        stack = Stack("provider", root / "rate-limited", emulator, n)
        result: dict[str, Any] = {"n": n, "rate_limit_per_s": RATE_LIMIT,
                                  "floor_s": round(max(0, n - RATE_LIMIT) / RATE_LIMIT, 1)}
        for operation in ("up", "destroy"):
            sample = stack.run(operation, emulator)
            stats = emulator.stats()
            sample["by_method_status"] = stats["by_method_status"]
            time.sleep(1.1)  # let the window empty before the reads below
            sample["resources_in_state"] = stack.resource_count()
            sample["schedules_in_emulator"] = _count_remote(emulator)
            result[operation] = sample
            print(f"  N={n:<4} rate limit {RATE_LIMIT}/s {operation:<8} {sample['wall_s']:7.2f} s  "
                  f"{_status_text(stats['by_method_status'])}", flush=True)
        up, destroy = result["up"], result["destroy"]
        result["checks"] = {
            "up_completed": up["exit"] == 0 and up["resources_in_state"] == n and up["schedules_in_emulator"] == n,
            "destroy_completed": destroy["exit"] == 0 and destroy["resources_in_state"] == 0
            and destroy["schedules_in_emulator"] == 0,
            # each schedule created exactly once: n POSTs answered 201, whatever was refused with 429
            "one_create_each": up["by_method_status"].get("POST", {}).get("201") == n,
        }
        return result
    finally:
        emulator.stop()


def _count_remote(emulator: Emulator) -> int:
    for _ in range(10):
        try:
            return len(emulator.schedules())
        except requests.HTTPError as exc:
            if exc.response is None or exc.response.status_code != 429:
                raise
            time.sleep(1)
    raise RuntimeError("the rate-limited emulator kept refusing the check of its schedules")


def bench_api_direct(n: int, emulator: Emulator, threads: int = PARALLEL) -> dict[str, Any]:
    """N creates, reads and deletes straight through HTTP (no Pulumi, no provider), with
    the concurrency the benchmark allows the provider (PARALLEL threads): what the
    emulator itself takes, a floor under the provider's share of `up`, `refresh` and `destroy`."""
    from bench.workload import schedule
    from pulumi_jsmops.api.models import parse_user_schedule

    bodies = [parse_user_schedule(schedule(i)).to_api() for i in range(n)]
    session = requests.Session()
    session.auth = emulator.admin_auth
    session.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=threads))
    url = f"{emulator.api_url}/schedules"
    timings: dict[str, float] = {}
    emulator.reset()
    with ThreadPoolExecutor(threads) as pool:
        started = time.perf_counter()
        ids = list(pool.map(lambda b: session.post(url, json=b, timeout=30).json()["id"], bodies))
        timings["POST"] = time.perf_counter() - started
        started = time.perf_counter()
        list(pool.map(lambda i: session.get(f"{url}/{i}", timeout=30).raise_for_status(), ids))
        timings["GET"] = time.perf_counter() - started
        started = time.perf_counter()
        list(pool.map(lambda i: session.delete(f"{url}/{i}", timeout=30).raise_for_status(), ids))
        timings["DELETE"] = time.perf_counter() - started
    session.close()
    emulator.reset()
    return {"n": n, "threads": threads, "wall_s": {k: round(v, 3) for k, v in timings.items()}}


# --- output -------------------------------------------------------------------------------

def _at_most(seen: dict[str, int], most: dict[str, int]) -> bool:
    return all(count <= most.get(method, 0) for method, count in seen.items())


def _requests_text(by_method: dict[str, int]) -> str:
    return ", ".join(f"{m} {c}" for m, c in sorted(by_method.items())) or "none"


def _status_text(by_method_status: dict[str, dict[str, int]]) -> str:
    return ", ".join(f"{m} " + "/".join(f"{c}x{s}" for s, c in sorted(st.items()))
                     for m, st in sorted(by_method_status.items())) or "none"


def _num(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:.2f}"


def _ok(value: Optional[bool]) -> str:
    return "-" if value is None else ("pass" if value else "FAIL")


def table(rows: list[dict[str, Any]], rate_limited: Optional[dict[str, Any]], start: dict[str, Any],
          api_direct: list[dict[str, Any]]) -> str:
    with_import = any("baseline+import" in row for row in rows)
    header = ("operation", "N", "provider s", "baseline s", "ratio", "pair ratio", "cpu s p/b", "cpu ratio",
              "emu cpu s", "requests (provider)", "expected", "in flight max/mean", "checks", f"ratio<={MAX_RATIO}")
    if with_import:
        header += ("base+import s",)
    lines = [header]
    for row in rows:
        requests_seen = " | ".join(_requests_text(r) for r in row["requests"])
        if not row["checks"]["exit"]:
            requests_seen += " (some runs FAILED)"
        lines.append((
            row["operation"], str(row["n"]), f"{row['provider']['wall_s']:.2f}", f"{row['baseline']['wall_s']:.2f}",
            f"{row['ratio']:.2f}", f"{row['pairwise_ratio']:.2f}",
            f"{row['provider']['cpu_s']:.2f}/{row['baseline']['cpu_s']:.2f}", _num(row["cpu_ratio"]),
            f"{row['provider']['emulator_cpu_s']:.2f}", requests_seen,
            _requests_text(row["expected_requests"]),
            f"{row['in_flight_max']}/{row['in_flight_mean']:.1f}",
            _ok(all(ok for name, ok in row["checks"].items() if name != "ratio")),
            _ok(row["checks"].get("ratio")),
        ) + ((f"{row['baseline+import']['wall_s']:.2f}",) if with_import else ()))
    out = _columns(lines)
    if api_direct:
        out.append("")
        for d in api_direct:
            out.append(f"API alone (emulator over HTTP, {d['threads']} threads, N={d['n']}): "
                       + ", ".join(f"{m} {s:.2f} s" for m, s in d["wall_s"].items()))
    if rate_limited:
        up, destroy, checks = rate_limited["up"], rate_limited["destroy"], rate_limited["checks"]
        out.append("")
        out.append(f"rate limit {rate_limited['rate_limit_per_s']}/s, N={rate_limited['n']} "
                   f"(floor {rate_limited['floor_s']} s of API time):")
        out.append(f"  up       {up['wall_s']:7.2f} s  exit {up['exit']}  {up['resources_in_state']} in state, "
                   f"{up['schedules_in_emulator']} in emulator  requests {_status_text(up['by_method_status'])}  "
                   f"zero failed: {_ok(checks['up_completed'])}  one create each: {_ok(checks['one_create_each'])}")
        out.append(f"  destroy  {destroy['wall_s']:7.2f} s  exit {destroy['exit']}  "
                   f"{destroy['schedules_in_emulator']} left  requests {_status_text(destroy['by_method_status'])}  "
                   f"completed: {_ok(checks['destroy_completed'])}")
    out.append("")
    out.append(f"start-up of the provider process (median of {start['runs']} fresh interpreters): "
               f"pulumi's own imports {start['pulumi_s']:.3f} s, then ours (import pulumi_jsmops.provider) "
               f"{start['ours_s']:.3f} s  <{MAX_STARTUP_S} s: {_ok(start['ours_s'] < MAX_STARTUP_S)}")
    top = list(start["ours_by_package_s"].items())[:6]
    out.append("  ours by package (-X importtime, self time): "
               + ", ".join(f"{p} {s * 1000:.0f} ms" for p, s in top))
    return "\n".join(out)


def _columns(lines: list[tuple[str, ...]]) -> list[str]:
    """Rows of cells as text in aligned columns, the first row a header."""
    widths = [max(len(line[c]) for line in lines) for c in range(len(lines[0]))]
    out = ["  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip() for line in lines]
    out.insert(1, "  ".join("-" * w for w in widths))
    return out


def latency_table(rows: list[dict[str, Any]], latency_rows: list[dict[str, Any]]) -> str:
    """The latency series next to the provider's figures at 0 ms."""
    at_zero = {(r["operation"], r["n"]): r for r in rows}
    lines: list[tuple[str, ...]] = [(
        "operation", "N", "latency", "provider s", "waiting baseline s", "ratio", "at 0 ms s",
        "in flight max/mean", "waiting baseline", "at 0 ms", "requests", "checks",
        f"mean>={MIN_BUSY:.0%} of {PARALLEL}",
    )]
    for row in latency_rows:
        zero = at_zero.get((row["operation"], row["n"]))
        requests_seen = " | ".join(_requests_text(r) for r in _distinct(row["samples"]))
        lines.append((
            row["operation"], str(row["n"]), f"{row['latency_ms']} ms", f"{row['wall_s']:.2f}",
            _num(row["waiting_baseline_wall_s"]), _num(row["ratio"]),
            _num(zero["provider"]["wall_s"] if zero else None),
            f"{row['in_flight_max']}/{row['in_flight_mean']:.1f}",
            f"{row['waiting_baseline_in_flight_max']}/{row['waiting_baseline_in_flight_mean']:.1f}",
            f"{zero['in_flight_max']}/{zero['in_flight_mean']:.1f}" if zero else "-",
            requests_seen, _ok(row["checks"]["requests"] and row["checks"]["exit"]), _ok(row["checks"].get("busy")),
        ))
    return "\n".join(_columns(lines))


def cpu_table(rows: list[dict[str, Any]], latency_rows: list[dict[str, Any]]) -> str:
    """CPU seconds per process of the `pulumi` tree (medians), the provider's stack beside
    its baseline, at 0 ms and with latency; and the machine's load while they ran."""
    lines: list[tuple[str, ...]] = [("operation", "N", "latency", "stack", "cpu s", *(ROLES[r] for r in PULUMI_ROLES),
                                     "unattributed", "load 1m")]

    def line(row: dict[str, Any], latency: str, stack: str, cpu: float, by_role: dict[str, float]) -> None:
        lines.append((row["operation"], str(row["n"]), latency, stack, f"{cpu:.2f}",
                      *(f"{by_role.get(r, 0.0):.2f}" for r in PULUMI_ROLES), f"{by_role.get('unattributed', 0.0):.2f}",
                      f"{row['load_avg_1m']:.1f}"))

    for row in rows:
        line(row, "0 ms", "provider", row["provider"]["cpu_s"], row["provider"]["cpu_by_role"])
        line(row, "0 ms", "baseline", row["baseline"]["cpu_s"], row["baseline"]["cpu_by_role"])
    for row in latency_rows:
        latency = f"{row['latency_ms']} ms"
        line(row, latency, "provider", row["cpu_s"], row["cpu_by_role"])
        line(row, latency, "waiting baseline", row["waiting_baseline_cpu_s"], row["waiting_baseline_cpu_by_role"])
    return "\n".join(_columns(lines))


def _pulumi_version() -> str:
    try:
        return subprocess.run(["pulumi", "version"], capture_output=True, text=True, timeout=60).stdout.strip()
    except OSError:
        return "unknown"


def _git_commit() -> str:
    result = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return result.stdout.strip() or "unknown"


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,100", help="comma-separated N (default: %(default)s)")
    parser.add_argument("--large", action="store_true", help="add N = 300")
    parser.add_argument("--repeat", type=int, default=5,
                        help="runs per measurement, median taken (default: %(default)s)")
    parser.add_argument("--latency", default=",".join(map(str, LATENCIES_MS)),
                        help="comma-separated added latencies in ms for the provider-only series "
                        "(default: %(default)s; empty for none)")
    parser.add_argument("--latency-repeat", type=int, default=3,
                        help="runs per measurement of the latency series (default: %(default)s)")
    parser.add_argument("--no-rate-limited", dest="rate_limited", action="store_false",
                        help=f"skip the N = {RATE_LIMITED_N} up against the emulator limited to "
                        f"{RATE_LIMIT} requests/s")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    parser.add_argument("--import-baseline", action="store_true",
                        help="add a third stack: the baseline plus the import of pulumi_jsmops "
                        "(bench/noop_importing.py)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (projects, states, logs)")
    args = parser.parse_args(argv)
    let_children_be_interrupted()
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()} | ({300} if args.large else set()))
    latencies = sorted({int(s) for s in args.latency.split(",") if s.strip()})
    if args.repeat < 1 or args.latency_repeat < 1 or not sizes or min(sizes) < 1 or min(latencies, default=1) < 1:
        parser.error("--repeat, --latency-repeat, every size and every latency must be at least 1")

    venv_bin = str(Path(sys.executable).parent)
    os.environ["PATH"] = venv_bin + os.pathsep + os.environ.get("PATH", "")
    began = time.perf_counter()
    root = Path(tempfile.mkdtemp(prefix="jsmops-bench-"))
    print(f"work directory: {root}", flush=True)
    try:
        print("start-up ...", flush=True)
        start = startup.measure()
        emulator = Emulator(root / "emulator")
        rows: list[dict[str, Any]] = []
        api_direct: list[dict[str, Any]] = []
        try:
            for n in sizes:
                print(f"N = {n} ...", flush=True)
                kinds = ("baseline", "provider") + (("baseline+import",) if args.import_baseline else ())
                rows += bench_size(n, args.repeat, root, emulator, kinds)
                api_direct.append(bench_api_direct(n, emulator))
        finally:
            emulator.stop()
        latency_rows: list[dict[str, Any]] = []
        for latency_ms in latencies:
            slow = Emulator(root / f"emulator-{latency_ms}ms", "--latency", str(latency_ms))
            try:
                for n in sizes:
                    print(f"N = {n}, {latency_ms} ms per request ...", flush=True)
                    latency_rows += bench_latency(n, args.latency_repeat, root, slow, latency_ms)
            finally:
                slow.stop()
        rate_limited = None
        if args.rate_limited:
            print(f"rate-limited up, N = {RATE_LIMITED_N} ...", flush=True)
            rate_limited = bench_rate_limited(RATE_LIMITED_N, root)
    finally:
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)

    elapsed = time.perf_counter() - began
    checks = {f"{r['operation']} N={r['n']} {name}": ok for r in rows for name, ok in r["checks"].items()}
    checks.update({f"{r['operation']} N={r['n']} {r['latency_ms']} ms {name}": ok
                   for r in latency_rows for name, ok in r["checks"].items()})
    if rate_limited:
        checks.update({f"rate-limited {name}": ok for name, ok in rate_limited["checks"].items()})
    checks["start-up"] = start["ours_s"] < MAX_STARTUP_S
    results = {
        "meta": {
            "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "git_commit": _git_commit(),
            "pulumi": _pulumi_version(),
            "python": platform.python_version(),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}",
            "sizes": sizes,
            "repeat": args.repeat,
            "parallel": PARALLEL,
            "latencies_ms": latencies,
            "latency_repeat": args.latency_repeat,
            "elapsed_s": round(elapsed, 1),
            "targets": {"max_ratio": MAX_RATIO, "ratio_at_n": RATIO_AT, "max_startup_s": MAX_STARTUP_S,
                        "rate_limit_per_s": RATE_LIMIT, "min_busy": MIN_BUSY},
        },
        "operations": rows,
        "latency_series": latency_rows,
        "api_direct": api_direct,
        "rate_limited": rate_limited,
        "startup": start,
        "large_rotation": large_rotation.measure(),  # issue 11.12: one rotation of 1000 participants
        "checks": checks,
        "missed": [name for name, ok in checks.items() if not ok],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print()
    print(table(rows, rate_limited, start, api_direct))
    if latency_rows:
        print()
        print(latency_table(rows, latency_rows))
    print()
    print("CPU seconds per process of the pulumi tree (engine, language host, stack program, dynamic-provider "
          "process), medians:")
    print(cpu_table(rows, latency_rows))
    print()
    missed = results["missed"]
    print(f"{len(checks) - len(missed)}/{len(checks)} targets met"
          + (f"; missed: {', '.join(missed)}" if missed else ""))
    print(f"results: {args.out}  ({elapsed / 60:.1f} min)")
    return 1 if missed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
