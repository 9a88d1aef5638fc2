"""`make bench-peer`: pulumi-jsmops side by side with the `atlassian-operations` Terraform
provider under OpenTofu, against one emulator.

    python -m bench.peer [--n 100] [--repeat 3] [--latency 0,200] [--large-n 1000] [--quick]
                         [--series main,defaults,small,large] [--before-cuts] [--large-refresh]
                         [--loaded [--load 1x0.5]] [--import-n N] [--overrides NxK]

Builds both peer tools into the toolchain cache first (toolchain/install-tofu.sh,
toolchain/install-atlassian-operations.sh). Then the same N schedules (name, team,
time zone, description, enabled: what both providers manage in one request) go through
create / no-op plan / refresh / destroy with each tool, taking turns, at every latency:

| operation | OpenTofu | pulumi-jsmops |
| --- | --- | --- |
| create | `apply -auto-approve` | `up --yes --skip-preview` |
| no-op | `plan -detailed-exitcode` | `preview --expect-no-changes` |
| refresh | `apply -refresh-only -auto-approve` | `refresh --yes --skip-preview --expect-no-changes` |
| destroy | `destroy -auto-approve` | `destroy --yes --skip-preview` |

both at `-parallelism=10` / `--parallel 10`, and at added latency with a third stack, the
*floor*: the waiting baseline of bench/noop.py (a dynamic provider that costs nothing but
one bare request per call), the fastest a Python dynamic provider can be on this engine.
Then once more with each tool's defaults
(our `--parallel` default is 4 x CPUs, theirs 10), at N = `--large-n` (create, no-op and
destroy, once; again with PULUMI_SKIP_CHECKPOINTS=true for pulumi) and at N = 10, for how
time and the provider process's memory grow. These series share one emulator, so the site
holds every tool's schedules. `--large-refresh` measures `refresh` at N = `--large-n`
with each tool on an emulator of its own (same latency, taking turns), holding only that
tool's N schedules, made and deleted outside the figures: our refresh lists the site
(at most 1000 schedules) instead of reading each one, so a site holding the other tools'
schedules too would not be the user's case.
Each figure is the median of `--repeat` runs. Wall time, the emulator's request counts
and in-flight figures, the peak RSS of the provider process, the CPU of the whole process
tree and of each process in it (bench/cpu.py) are recorded; results go to
`bench/peer-results.json`. The options add rows (bench/README.md): ours before the cuts,
a series beside a fixed CPU load, refresh at `--large-n`, a bulk import, overrides.
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
from collections.abc import Sequence
from contextlib import ExitStack
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Optional

import requests

from bench import let_children_be_interrupted
from bench.cpu import PULUMI_ROLES, ROLES, TOFU_ROLES, Measured, emulator_cpu, median_by_role, run_measured
from bench.load import BusyLoad
from bench.noop import WAIT_URL_ENV
from bench.run import BASELINE_PROGRAM
from bench.workload import overrides, plain_schedules, schedules
from testkit.emulator_process import Emulator
from testkit.overrides import PROGRAM as OVERRIDES_PROGRAM
from testkit.overrides import write_stack
from testkit.pulumi_project import PROGRAM as SCHEDULE_PROGRAM
from testkit.pulumi_project import PulumiProject

ROOT = Path(__file__).resolve().parent.parent

PARALLEL = 10
OPERATIONS = ("create", "noop", "refresh", "destroy")
LARGE_OPERATIONS = ("create", "noop", "destroy")
# (operation, which N) -> our time / tofu's time at 200 ms must be at most this
TARGET_N, TARGET_LARGE_N, TARGET_LATENCY_MS = 100, 1000, 200
TARGETS: dict[tuple[str, str], float] = {
    ("create", "main"): 1.0,
    ("refresh", "main"): 1.0,
    ("destroy", "main"): 0.8,
    ("noop", "main"): 0.6,
    ("create", "large"): 0.8,
    ("noop", "large"): 0.8,
    ("destroy", "large"): 0.8,
    ("refresh", "large"): 0.5,
}
LARGE_REFRESH = "large-refresh"  # the series of `--large-refresh`: an emulator per tool
PROVIDER_ADDRESS = "registry.terraform.io/atlassian/atlassian-operations"
# `--before-cuts`: a fourth stack, ours as it was before the cuts of bench/README.md ("Cuts"):
# the SDK's whole stack trace in the state for every resource (pulumi_jsmops/registration.py
# not installed).
BEFORE = "before cuts"
BEFORE_CUTS_PREAMBLE = "import pulumi_jsmops.registration as _registration\n_registration._installed = True\n"
# and `jsmops import` with the engine's checkpoint after each imported resource
BEFORE_CUTS_IMPORT = ("import sys\nfrom pulumi_jsmops.cli import import_command, main\n"
                      "import_command.IMPORT_ENV.clear()\nsys.argv[0] = 'jsmops'\nsys.exit(main.main())\n")


def _install(script: str) -> str:
    """Runs a toolchain script (it builds on first use) and answers the path it prints."""
    result = subprocess.run([str(ROOT / "toolchain" / script)], stdout=subprocess.PIPE, text=True, check=True)
    return result.stdout.strip().splitlines()[-1]


class TofuStack:
    """An OpenTofu working directory of N `atlassian-operations_schedule` resources, the
    provider taken from the cache through a `dev_overrides` CLI config (no registry)."""

    tool = "tofu"

    def __init__(self, root: Path, emulator: Emulator, n: int, tofu: str, provider_dir: str):
        self.dir, self.n, self.tofu, self.emulator = root / f"tofu-{n}", n, tofu, emulator
        self.dir.mkdir(parents=True)
        (self.dir / "tofurc").write_text(
            f'provider_installation {{\n  dev_overrides {{\n    "{PROVIDER_ADDRESS}" = "{provider_dir}"\n  }}\n'
            "  direct {}\n}\n"
        )
        blocks = [
            f'terraform {{\n  required_providers {{\n    atlassian-operations = {{ source = "{PROVIDER_ADDRESS}" }}\n'
            "  }\n}\n",
            'provider "atlassian-operations" {}\n',
        ]
        for name, spec in plain_schedules(n, prefix="tofu").items():
            blocks.append(f'resource "atlassian-operations_schedule" "{name}" {{\n'
                          + "".join(f"  {k} = {json.dumps(v)}\n" for k, v in spec.items()) + "}\n")
        (self.dir / "main.tf").write_text("\n".join(blocks))
        self.env = {
            **os.environ,
            "TF_CLI_CONFIG_FILE": str(self.dir / "tofurc"),
            "TF_IN_AUTOMATION": "1",
            "CHECKPOINT_DISABLE": "1",
            "ATLASSIAN_OPS_API_BASE": emulator.base_url,  # see toolchain/install-atlassian-operations.sh
            "ATLASSIAN_OPS_CLOUD_ID": emulator.cloud_id,
            "ATLASSIAN_OPS_DOMAIN_NAME": "localhost",
            "ATLASSIAN_OPS_API_EMAIL_ADDRESS": emulator.admin_auth[0],
            "ATLASSIAN_OPS_API_TOKEN": emulator.admin_auth[1],
        }
        self.timeout = 300 + 2 * n

    def command(self, operation: str, defaults: bool) -> list[str]:
        parallel = [] if defaults else [f"-parallelism={PARALLEL}"]
        return [self.tofu, *{
            "create": ["apply", "-auto-approve", "-input=false", *parallel],
            "noop": ["plan", "-detailed-exitcode", "-input=false", *parallel],
            "refresh": ["apply", "-refresh-only", "-auto-approve", "-input=false", *parallel],
            "destroy": ["destroy", "-auto-approve", "-input=false", *parallel],
        }[operation]]

    @property
    def cwd(self) -> Path:
        return self.dir

    def prepare(self, operation: str, defaults: bool = False) -> Measured:
        """`operation` outside the figures: making or clearing the stack."""
        return run_measured(self.command(operation, defaults), self.dir, self.env, self.timeout)


class PulumiStack:
    """A Pulumi project of the same N schedules, on the real CLI (testkit/pulumi_project.py).

    As the `floor`, the same N resources of the waiting baseline (bench/noop.py: a dynamic
    provider that costs nothing but one bare request per call): the fastest any Python
    dynamic provider can be on this engine at this latency."""

    def __init__(self, root: Path, emulator: Emulator, n: int, floor: bool = False, before: bool = False):
        self.n, self.emulator = n, emulator
        self.tool = "floor" if floor else BEFORE if before else "pulumi"
        program = (BASELINE_PROGRAM.replace("MODULE", "noop") if floor
                   else BEFORE_CUTS_PREAMBLE + SCHEDULE_PROGRAM if before else SCHEDULE_PROGRAM)
        self.project = PulumiProject(root / f"{self.tool}-{n}", emulator, program=program)
        if floor:
            path = self.project.env.get("PYTHONPATH")
            self.project.env["PYTHONPATH"] = str(ROOT) + (os.pathsep + path if path else "")
            self.project.env[WAIT_URL_ENV] = f"{emulator.api_url}/schedules/waiting-baseline"
        self.project.write_schedules(plain_schedules(n, prefix=self.tool))
        self.timeout = 300 + 2 * n

    def command(self, operation: str, defaults: bool) -> list[str]:
        parallel = [] if defaults else ["--parallel", str(PARALLEL)]
        return ["pulumi", *{
            "create": ["up", "--yes", "--skip-preview"],
            "noop": ["preview", "--expect-no-changes"],
            "refresh": ["refresh", "--yes", "--skip-preview", "--expect-no-changes"],
            "destroy": ["destroy", "--yes", "--skip-preview"],
        }[operation], *parallel, "--non-interactive"]

    @property
    def cwd(self) -> Path:
        return self.project.dir

    @property
    def env(self) -> dict[str, str]:
        return self.project.env

    def prepare(self, operation: str, defaults: bool = False) -> Measured:
        """`operation` outside the figures: making or clearing the stack, with the state saved
        once, at the end (the same state, without the engine's save after each step)."""
        return run_measured(self.command(operation, defaults), self.project.dir,
                            {**self.project.env, "PULUMI_SKIP_CHECKPOINTS": "true"}, self.timeout)


Stack = TofuStack | PulumiStack


def measure(stack: Stack, operation: str, defaults: bool = False) -> dict[str, Any]:
    """One command of the stack's tool, against the stack's emulator."""
    return _measure_command(stack.command(operation, defaults), stack.cwd, stack.env, stack.timeout, stack.emulator)


def _median(values: list[float]) -> Optional[float]:
    return round(statistics.median(values), 3) if values else None


def _requests(by_method: dict[str, int]) -> str:
    return " ".join(f"{c} {m}" for m, c in sorted(by_method.items())) or "0"


def _take_turns(label: str, n: int, latency_ms: int, repeat: int, operations: tuple[str, ...],
                stacks: list[Stack], defaults: bool) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """The rounds of a series: each operation by each stack, who goes first rotating; the
    samples by operation and tool. A sample taken on a stack made outside the figures
    records how many schedules its site held (`site_schedules`)."""
    samples: dict[str, dict[str, list[dict[str, Any]]]] = {op: {s.tool: [] for s in stacks} for op in operations}
    for k in range(repeat):
        held: dict[str, int] = {}
        if "create" not in operations:
            for stack in stacks:
                _prepare(stack, "create", defaults)
            held = {stack.tool: len(stack.emulator.schedules()) for stack in stacks}
        for i, operation in enumerate(operations):
            shift = (k + i) % len(stacks)
            for stack in stacks[shift:] + stacks[:shift]:
                sample = measure(stack, operation, defaults)
                if held:
                    sample["site_schedules"] = held[stack.tool]
                samples[operation][stack.tool].append(sample)
                print(f"  {label:<8} N={n:<5} {latency_ms:>3} ms  run {k + 1}/{repeat}  {operation:<8} "
                      f"{stack.tool:<7}{sample['wall_s']:7.2f} s  requests {_requests(sample['by_method'])}, "
                      f"in flight max {sample['in_flight_max']} mean {sample['in_flight_mean']:.1f}, "
                      f"provider RSS {sample['provider_peak_rss_mib']} MiB"
                      + (f", site of {held[stack.tool]} schedules" if held else ""), flush=True)
        if "destroy" not in operations or any(not s["ok"] for op in operations for t in samples[op].values()
                                              for s in t[-1:]):
            for stack in stacks:
                _prepare(stack, "destroy", defaults)
    return samples


def _prepare(stack: Stack, operation: str, defaults: bool) -> None:
    """Makes or clears a stack outside the figures; a failure is shown, and the figures
    that follow tell it (a site of fewer schedules, failed runs)."""
    result = stack.prepare(operation, defaults).result
    if result.returncode:
        print(f"\n  ! {stack.tool} {operation} (outside the figures) exited {result.returncode}:\n"
              + "\n".join("    " + line for line in result.stdout[-1500:].splitlines()), flush=True)


def series(label: str, n: int, latency_ms: int, repeat: int, operations: tuple[str, ...], root: Path,
           emulator: Emulator, tofu: str, provider_dir: str, defaults: bool = False,
           floor: bool = False, pulumi_env: Optional[dict[str, str]] = None,
           before: bool = False, own_emulators: bool = False) -> list[dict[str, Any]]:
    """Both tools (and the floor, if asked) through `operations` on N schedules, `repeat`
    times, taking turns (who goes first rotates); one row per operation. `pulumi_env` goes
    to the environment of the pulumi commands. With `own_emulators`, each tool works against
    a new emulator of its own, at the same latency, instead of `emulator`. Without `create`
    in `operations`, each round makes the stacks first, outside the figures."""
    where = root / f"{label}-{n}-{latency_ms}ms"
    with ExitStack() as cleanup:

        def emulator_for(tool: str) -> Emulator:
            if not own_emulators:
                return emulator
            own = Emulator(where / f"emulator-{tool.replace(' ', '-')}")
            cleanup.callback(own.stop)
            own.set_latency(latency_ms)
            return own

        emulator.set_latency(latency_ms)
        stacks: list[Stack] = [TofuStack(where, emulator_for("tofu"), n, tofu, provider_dir),
                               PulumiStack(where, emulator_for("pulumi"), n)]
        if floor:
            stacks.append(PulumiStack(where, emulator_for("floor"), n, floor=True))
        if before:
            stacks.append(PulumiStack(where, emulator_for(BEFORE), n, before=True))
        for stack in stacks:
            if isinstance(stack, PulumiStack):
                stack.project.env.update(pulumi_env or {})
        samples = _take_turns(label, n, latency_ms, repeat, operations, stacks, defaults)
    rows = []
    for operation in operations:
        row: dict[str, Any] = {"series": label, "operation": operation, "n": n, "latency_ms": latency_ms,
                               "repeat": repeat, "defaults": defaults, "pulumi_env": pulumi_env or {}}
        for tool, runs in samples[operation].items():
            row[tool] = {
                "wall_s": _median([s["wall_s"] for s in runs]),
                "cpu_s": _median([s["cpu_s"] for s in runs]),
                "cpu_by_role": median_by_role(s["cpu_by_role"] for s in runs),
                "emulator_cpu_s": _median([s["emulator_cpu_s"] for s in runs]),
                "load_avg_1m": _median([s["load_avg_1m"] for s in runs]),
                "provider_peak_rss_mib": max(s["provider_peak_rss_mib"] for s in runs),
                "requests": runs[-1]["by_method"],
                "in_flight_max": max(s["in_flight_max"] for s in runs),
                "in_flight_mean": _median([s["in_flight_mean"] for s in runs]),
                "ok": all(s["ok"] for s in runs),
                "samples": runs,
            }
        tofu_s, ours_s = row["tofu"]["wall_s"], row["pulumi"]["wall_s"]
        row["ratio"] = round(ours_s / tofu_s, 3) if tofu_s and ours_s else None
        tofu_cpu, ours_cpu = row["tofu"]["cpu_s"], row["pulumi"]["cpu_s"]
        row["cpu_ratio"] = round(ours_cpu / tofu_cpu, 3) if tofu_cpu and ours_cpu else None
        if floor:
            floor_s = row["floor"]["wall_s"]
            row["floor_ratio"] = round(floor_s / tofu_s, 3) if tofu_s and floor_s else None
        rows.append(row)
    shutil.rmtree(where, ignore_errors=True)
    return rows


def _extra(name: str, tool: str, sample: dict[str, Any], n: int) -> dict[str, Any]:
    return {"row": name, "tool": tool, "n": n, **sample}


def _sum_samples(samples: list[dict[str, Any]]) -> dict[str, Any]:
    """Commands run one after another as one figure: times, CPU and requests added up; the
    most in flight; the mean in flight of the longest."""
    by_method: dict[str, int] = {}
    cpu_by_role: dict[str, float] = {}
    for sample in samples:
        for method, count in sample["by_method"].items():
            by_method[method] = by_method.get(method, 0) + count
        for role, seconds in sample["cpu_by_role"].items():
            cpu_by_role[role] = round(cpu_by_role.get(role, 0.0) + seconds, 3)
    longest = max(samples, key=lambda s: s["wall_s"])
    return {
        "wall_s": round(sum(s["wall_s"] for s in samples), 3),
        "cpu_s": round(sum(s["cpu_s"] for s in samples), 3),
        "cpu_by_role": cpu_by_role,
        "emulator_cpu_s": round(sum(s["emulator_cpu_s"] for s in samples), 3),
        "load_avg_1m": longest["load_avg_1m"],
        "provider_peak_rss_mib": max(s["provider_peak_rss_mib"] for s in samples),
        "exit": next((s["exit"] for s in samples if s["exit"]), 0),
        "ok": all(s["ok"] for s in samples),
        "by_method": by_method,
        "in_flight_max": max(s["in_flight_max"] for s in samples),
        "in_flight_mean": longest["in_flight_mean"],
        "steps": samples,
    }


def bench_import(n: int, latency_ms: int, root: Path, emulator: Emulator, tofu: str,
                 provider_dir: str, before: bool = False) -> list[dict[str, Any]]:
    """N schedules made through the API, then brought under each tool: tofu `import` blocks,
    `plan -generate-config-out` and `apply`; `jsmops import --all` (a preview of the
    program, the listing of the site, `pulumi import --file`); with `before`, also `jsmops
    import` as before the cuts (checkpoints after each resource). Checked: N in each state."""
    from pulumi_jsmops.api.models import parse_user_schedule

    emulator.reset()
    emulator.set_latency(0)
    session = requests.Session()
    session.auth = emulator.admin_auth
    ids = [session.post(f"{emulator.api_url}/schedules", json=parse_user_schedule(spec).to_api(), timeout=30)
           .json()["id"] for spec in plain_schedules(n, prefix="imported").values()]
    session.close()
    emulator.set_latency(latency_ms)
    where = root / f"import-{n}"
    tofu_stack = TofuStack(where, emulator, 0, tofu, provider_dir)
    (tofu_stack.dir / "main.tf").write_text(
        f'terraform {{\n  required_providers {{\n    atlassian-operations = {{ source = "{PROVIDER_ADDRESS}" }}\n'
        '  }\n}\n\nprovider "atlassian-operations" {}\n\n'
        + "".join(f'import {{\n  to = atlassian-operations_schedule.s{i:04d}\n  id = "{schedule_id}"\n}}\n'
                  for i, schedule_id in enumerate(ids)))
    tofu_stack.timeout = 300 + 2 * n
    parallel = f"-parallelism={PARALLEL}"
    tofu_steps = [
        _measure_command([tofu, "plan", "-input=false", parallel, "-generate-config-out=generated.tf"],
                         tofu_stack.dir, tofu_stack.env, tofu_stack.timeout, emulator),
        _measure_command([tofu, "apply", "-auto-approve", "-input=false", parallel],
                         tofu_stack.dir, tofu_stack.env, tofu_stack.timeout, emulator),
    ]
    tofu_sample = _sum_samples(tofu_steps)
    state = subprocess.run([tofu, "state", "list"], cwd=tofu_stack.dir, env=tofu_stack.env, capture_output=True,
                           text=True)
    tofu_sample["in_state"] = len(state.stdout.split())

    measured = [("tofu", tofu_sample)]
    commands = [("pulumi", [str(Path(sys.executable).parent / "jsmops")])]
    if before:
        commands.append((BEFORE, [sys.executable, "-c", BEFORE_CUTS_IMPORT]))
    for tool, command in commands:
        ours = PulumiStack(where / tool.replace(" ", "-"), emulator, 0)
        sample = _measure_command([*command, "import", "--stack", "test", "--all"], ours.project.dir,
                                  ours.project.env, ours.timeout + 2 * n, emulator)
        sample["in_state"] = len(ours.project.resources())
        measured.append((tool, sample))
    for tool, sample in measured:
        sample["ok"] = sample["ok"] and sample["in_state"] == n
        print(f"  import   N={n:<5} {latency_ms:>3} ms  {tool:<7}{sample['wall_s']:7.2f} s  "
              f"cpu {sample['cpu_s']:.2f} s  requests {_requests(sample['by_method'])}, {sample['in_state']} in state",
              flush=True)
    emulator.reset()
    shutil.rmtree(where, ignore_errors=True)
    return [_extra(f"import, {latency_ms} ms", tool, sample, n) for tool, sample in measured]


def _measure_command(command: list[str], cwd: Path, env: dict[str, str], timeout: float,
                     emulator: Emulator) -> dict[str, Any]:
    emulator.reset_stats()
    emulator_before = emulator_cpu(emulator)
    measured = run_measured(command, cwd, env, timeout)
    stats = emulator.stats()
    ok = measured.result.returncode == 0
    if not ok:
        print(f"\n  ! {' '.join(command[:3])} exited {measured.result.returncode}:\n"
              + "\n".join("    " + line for line in measured.result.stdout[-1500:].splitlines()), flush=True)
    return {**({} if ok else {"output_tail": measured.result.stdout[-3000:]}),
        "wall_s": round(measured.wall_s, 3), "cpu_s": round(measured.cpu_s, 3), "cpu_by_role": measured.cpu_by_role,
        "emulator_cpu_s": round(emulator_cpu(emulator) - emulator_before, 3), "load_avg_1m": os.getloadavg()[0],
        "provider_peak_rss_mib": measured.provider_peak_rss_mib, "exit": measured.result.returncode, "ok": ok,
        "by_method": stats["by_method"], "in_flight_max": stats["in_flight_max"],
        "in_flight_mean": stats["in_flight_mean"],
    }


def bench_overrides(n: int, per_schedule: int, latency_ms: int, root: Path,
                    emulator: Emulator) -> list[dict[str, Any]]:
    """`up`, unchanged `preview` and `destroy` of N schedules with `per_schedule` overrides
    each (pulumi only: the Terraform provider has no override resource)."""
    emulator.reset()
    emulator.set_latency(latency_ms)
    project = PulumiProject(root / f"overrides-{n}", emulator, program=OVERRIDES_PROGRAM)
    plain = plain_schedules(n, prefix="overridden")
    for name, spec in plain.items():
        spec["rotations"] = schedules(n)[name]["rotations"]
    write_stack(project, plain, overrides(list(plain), per_schedule))
    rows = []
    for operation, arguments in (("create", ["up", "--yes", "--skip-preview"]),
                                 ("noop", ["preview", "--expect-no-changes"]),
                                 ("destroy", ["destroy", "--yes", "--skip-preview"])):
        sample = _measure_command(["pulumi", *arguments, "--parallel", str(PARALLEL), "--non-interactive"],
                                  project.dir, project.env, 300 + 3 * n * per_schedule, emulator)
        print(f"  overrides N={n} x {per_schedule} {latency_ms:>3} ms  {operation:<8}{sample['wall_s']:7.2f} s  "
              f"cpu {sample['cpu_s']:.2f} s  requests {_requests(sample['by_method'])}", flush=True)
        rows.append(_extra(f"{operation}, {n} schedules + {n * per_schedule} overrides, {latency_ms} ms", "pulumi",
                           sample, n))
    emulator.reset()
    shutil.rmtree(project.root, ignore_errors=True)
    return rows


def extra_table(extras: list[dict[str, Any]]) -> str:
    """The rows of `--import-n` and `--overrides`: one line per tool."""
    lines: list[tuple[str, ...]] = [(
        "row", "N", "tool", "wall s", "cpu s", *(ROLES[r] for r in TOFU_ROLES + PULUMI_ROLES + ("jsmops",)),
        "requests", "in flight max / mean", "emulator", "load 1m", "ok",
    )]
    for extra in extras:
        roles = extra["cpu_by_role"]
        lines.append((
            extra["row"], str(extra["n"]), extra["tool"], f"{extra['wall_s']:.2f}", f"{extra['cpu_s']:.2f}",
            *(f"{roles[r]:.2f}" if r in roles else "" for r in TOFU_ROLES + PULUMI_ROLES + ("jsmops",)),
            _requests(extra["by_method"]), f"{extra['in_flight_max']} / {extra['in_flight_mean']:.1f}",
            f"{extra['emulator_cpu_s']:.2f}", f"{extra['load_avg_1m']:.1f}", "yes" if extra["ok"] else "NO",
        ))
    return _columns(lines)


def _target(row: dict[str, Any]) -> Optional[float]:
    if (row["defaults"] or row["pulumi_env"] or row["latency_ms"] != TARGET_LATENCY_MS
            or row["series"] not in ("main", "large", LARGE_REFRESH)):
        return None
    which = "main" if row["n"] == TARGET_N else "large" if row["n"] == TARGET_LARGE_N else None
    return TARGETS.get((row["operation"], which)) if which else None


def table(rows: list[dict[str, Any]]) -> str:
    lines = [("series", "operation", "N", "latency", "tofu s", "ours s", "ratio", "target", "floor s (ratio)",
              "requests tofu / ours", "in flight max tofu / ours", "mean tofu / ours (floor)",
              "provider RSS MiB tofu / ours")]
    for row in rows:
        tofu, ours = row["tofu"], row["pulumi"]
        target = _target(row)
        verdict = "-" if target is None else (f"<= {target} " + ("met" if row["ratio"] and row["ratio"] <= target
                                                                  else "MISSED"))
        failed = "" if all(row[t]["ok"] for t in ("tofu", "pulumi", "floor") if t in row) else " (FAILED runs)"
        floor = row.get("floor")
        lines.append((
            row["series"], row["operation"], str(row["n"]), f"{row['latency_ms']} ms",
            f"{tofu['wall_s']:.2f}", f"{ours['wall_s']:.2f}", f"{row['ratio']:.2f}" if row["ratio"] else "-",
            verdict, f"{floor['wall_s']:.2f} ({row['floor_ratio']:.2f})" if floor else "-",
            f"{_requests(tofu['requests'])} / {_requests(ours['requests'])}{failed}",
            f"{tofu['in_flight_max']} / {ours['in_flight_max']}",
            f"{tofu['in_flight_mean']:.1f} / {ours['in_flight_mean']:.1f}"
            + (f" ({floor['in_flight_mean']:.1f})" if floor else ""),
            f"{tofu['provider_peak_rss_mib']:.0f} / {ours['provider_peak_rss_mib']:.0f}",
        ))
    return _columns(lines)


def _columns(lines: Sequence[tuple[str, ...]]) -> str:
    widths = [max(len(line[c]) for line in lines) for c in range(len(lines[0]))]
    out = ["  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip() for line in lines]
    out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(out)


def cpu_table(rows: list[dict[str, Any]]) -> str:
    """Per row and tool: wall and CPU seconds (medians), CPU as a share of tofu's, and the
    CPU per process: tofu's two, Pulumi's five; the part of the tree's total no process was
    seen holding; the emulator's; and the machine's load average while they ran."""
    lines: list[tuple[str, ...]] = [(
        "series", "operation", "N", "latency", "tool", "wall s", "cpu s", "cpu / tofu",
        *(ROLES[r] for r in TOFU_ROLES + PULUMI_ROLES), "unattributed", "emulator", "load 1m",
    )]
    for row in rows:
        tofu_cpu = row["tofu"]["cpu_s"]
        for tool in ("tofu", "pulumi", "floor", BEFORE):
            if tool not in row:
                continue
            figures, roles = row[tool], row[tool]["cpu_by_role"]
            lines.append((
                row["series"], row["operation"], str(row["n"]), f"{row['latency_ms']} ms", tool,
                f"{figures['wall_s']:.2f}", f"{figures['cpu_s']:.2f}",
                f"{figures['cpu_s'] / tofu_cpu:.2f}" if tofu_cpu else "-",
                *(f"{roles[r]:.2f}" if r in roles else "" for r in TOFU_ROLES + PULUMI_ROLES),
                f"{roles.get('unattributed', 0.0):.2f}", f"{figures['emulator_cpu_s']:.2f}",
                f"{figures['load_avg_1m']:.1f}",
            ))
    return _columns(lines)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.peer", description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100, help="schedules of the main series (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the main series (default: %(default)s)")
    parser.add_argument("--latency", default="0,200", help="added latencies in ms (default: %(default)s)")
    parser.add_argument("--large-n", type=int, default=1000,
                        help="N of the one large run, at 200 ms; 0 to skip (default: %(default)s)")
    parser.add_argument("--small-n", type=int, default=10,
                        help="N of the one small run, at 200 ms, for growth; 0 to skip (default: %(default)s)")
    parser.add_argument("--quick", action="store_true", help="one run each, no default-settings, small or large run")
    parser.add_argument("--before-cuts", action="store_true",
                        help="a fourth stack in the main and large series: ours before the cuts (bench/README.md)")
    parser.add_argument("--large-refresh", action="store_true",
                        help="refresh of --large-n schedules, at 200 ms, each tool on an emulator of its own")
    parser.add_argument("--loaded", action="store_true",
                        help="the main series at 200 ms once more, beside a fixed CPU load (--load)")
    parser.add_argument("--load", default="1x0.5",
                        help="the fixed load of --loaded: PROCESSESxDUTY busy loops (default: %(default)s)")
    parser.add_argument("--import-n", type=int, default=0,
                        help="bulk import of this many schedules, at 200 ms: tofu import blocks vs jsmops import --all")
    parser.add_argument("--overrides", default="",
                        help="NxK: up/preview/destroy of N schedules with K overrides each, at 200 ms (pulumi only)")
    parser.add_argument("--series", default="main,defaults,small,large",
                        help="which of the standard series run (default: %(default)s; empty for none)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "peer-results.json")
    args = parser.parse_args(argv)
    let_children_be_interrupted()
    chosen = {name.strip() for name in args.series.split(",") if name.strip()}
    if args.quick:
        args.repeat, args.large_n, args.small_n = 1, 0, 0
        chosen.discard("defaults")
    latencies = [int(s) for s in args.latency.split(",") if s.strip()]

    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
    print("building the peer tools (cached after the first run) ...", flush=True)
    tofu = _install("install-tofu.sh")
    provider_dir = _install("install-atlassian-operations.sh")
    began = time.perf_counter()
    root = Path(tempfile.mkdtemp(prefix="jsmops-bench-peer-"))
    emulator = Emulator(root / "emulator")
    rows: list[dict[str, Any]] = []
    extras: list[dict[str, Any]] = []
    load_used = None
    try:
        if "main" in chosen:
            for latency_ms in latencies:
                rows += series("main", args.n, latency_ms, args.repeat, OPERATIONS, root, emulator, tofu,
                               provider_dir, floor=latency_ms > 0, before=args.before_cuts)
        if "defaults" in chosen:
            rows += series("defaults", args.n, 200, 1, OPERATIONS, root, emulator, tofu, provider_dir, defaults=True)
        if args.loaded:
            processes, duty = args.load.split("x")
            load = BusyLoad(int(processes), float(duty))
            load_used = load.describe()
            try:
                rows += series("loaded", args.n, 200, args.repeat, OPERATIONS, root, emulator, tofu, provider_dir,
                               floor=True)
            finally:
                load.stop()
        if "small" in chosen and args.small_n:
            rows += series("small", args.small_n, 200, 1, LARGE_OPERATIONS, root, emulator, tofu, provider_dir)
        if "large" in chosen and args.large_n:
            rows += series("large", args.large_n, 200, 1, LARGE_OPERATIONS, root, emulator, tofu, provider_dir,
                           before=args.before_cuts)
            # The engine's per-step checkpoint of the whole state (file backend) grows with N:
            # the same again with PULUMI_SKIP_CHECKPOINTS (the state is saved once, at the end).
            rows += series("large-skip-checkpoints", args.large_n, 200, 1, LARGE_OPERATIONS, root, emulator, tofu,
                           provider_dir, pulumi_env={"PULUMI_SKIP_CHECKPOINTS": "true"})
        if args.large_refresh and args.large_n:
            rows += series(LARGE_REFRESH, args.large_n, 200, 1, ("refresh",), root, emulator, tofu, provider_dir,
                           before=args.before_cuts, own_emulators=True)
        if args.import_n:
            extras += bench_import(args.import_n, 200, root, emulator, tofu, provider_dir, before=args.before_cuts)
        if args.overrides:
            n, per_schedule = (int(x) for x in args.overrides.split("x"))
            extras += bench_overrides(n, per_schedule, 200, root, emulator)
    finally:
        emulator.stop()
        shutil.rmtree(root, ignore_errors=True)
    elapsed = time.perf_counter() - began
    targets = {f"{r['operation']} N={r['n']}": {"ratio": r["ratio"], "target": t, "met": bool(r["ratio"]) and
                                                r["ratio"] <= t}
               for r in rows if (t := _target(r)) is not None}
    results = {
        "meta": {
            "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
            "tofu": subprocess.run([tofu, "version"], capture_output=True, text=True).stdout.splitlines()[0],
            "pulumi": subprocess.run(["pulumi", "version"], capture_output=True, text=True).stdout.strip(),
            "parallel": PARALLEL,
            "elapsed_s": round(elapsed, 1),
            "load_avg_at_end": os.getloadavg(),
            "fixed_load": load_used,
        },
        "rows": rows,
        "extra_rows": extras,
        "targets": targets,
    }
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print()
    print(table(rows))
    print()
    if extras:
        print(extra_table(extras))
        print()
    print("CPU seconds per process (tofu: tofu, its provider plugin; ours: engine, language host, stack "
          "program, dynamic-provider process), medians:")
    print(cpu_table(rows))
    print()
    for name, t in targets.items():
        print(f"  {name}: ratio {t['ratio']} (target <= {t['target']}): {'met' if t['met'] else 'MISSED'}")
    if load_used:
        print(f"  series `loaded`: beside a fixed load of {load_used} (bench/load.py)")
    print(f"  load average at the end (1, 5, 15 min): {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"results: {args.out}  ({elapsed / 60:.1f} min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
