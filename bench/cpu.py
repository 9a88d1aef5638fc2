"""CPU seconds (and provider memory) per process of a command's process tree, by role.

`TreeCpu(pid)` polls `/proc` for the processes below `pid` (and `pid` itself) until
stopped, keeps for each the last CPU time (user + system, all threads) it read, and
answers the sum per role: the Pulumi engine (the `pulumi` CLI), its Python language host
(`pulumi-language-python`), the stack program, the dynamic-provider process
(`python -m pulumi.dynamic`); `tofu` and its provider plugin. A process's CPU between
the last poll and its exit is missed; `unattributed` (the tree's total from
`getrusage(RUSAGE_CHILDREN)` less what the roles hold) says how much that, and short-lived
helpers never seen, amount to. `run_measured` runs a command under it.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from testkit.emulator_process import Emulator

# role -> column heading of the tables
ROLES = {
    "engine": "engine",
    "langhost": "lang host",
    "pip_list": "pip list",
    "jsmops": "jsmops cli",
    "program": "program",
    "provider": "provider proc",
    "tofu": "tofu",
    "tofu_provider": "tofu provider",
    "other": "other",
}
PULUMI_ROLES = ("engine", "langhost", "pip_list", "program", "provider")
TOFU_ROLES = ("tofu", "tofu_provider")
PROVIDER_ROLES = ("provider", "tofu_provider")  # whose peak resident memory is recorded
TOFU_PROVIDER_BINARY = "terraform-provider-atlassian-operations"
_TICK = os.sysconf("SC_CLK_TCK")


def role(cmdline: list[str]) -> str:
    """Which part of a `pulumi` or `tofu` run a process is, from its command line. The
    `/bin/sh` wrappers the CLI starts (`pulumi-language-python`,
    `pulumi-resource-pulumi-python`) count with what they start; the `pip list` the
    language host runs to find the program's plugins is a role of its own."""
    if not cmdline or not cmdline[0]:
        return "other"
    names = [Path(arg).name for arg in cmdline[:2]]
    exe = names[0]
    if exe == "pulumi":
        return "engine"
    if any(name.startswith("pulumi-language-python") and not name.endswith("-exec") for name in names):
        return "langhost"
    if any(name == "pulumi-resource-pulumi-python" for name in names):
        return "provider"
    if exe == "tofu":
        return "tofu"
    if exe.startswith(TOFU_PROVIDER_BINARY):
        return "tofu_provider"
    if "python" in exe:
        if any(arg.endswith("pulumi-language-python-exec") for arg in cmdline):
            return "program"
        if "pulumi.dynamic" in cmdline:
            return "provider"
        if cmdline[1:4] == ["-m", "pip", "list"]:
            return "pip_list"
        if len(cmdline) > 1 and Path(cmdline[1]).name == "jsmops":
            return "jsmops"
    return "other"


def process_cpu(pid: int) -> Optional[float]:
    """CPU seconds (user + system, all threads) a process has used so far; None once gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / _TICK


def _peak_rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def cmdline(pid: int) -> list[str]:
    """A process's command line; empty once it is gone."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return []


def descendants(pid: int) -> list[int]:
    """The processes below `pid`, from `/proc/<pid>/task/*/children`."""
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = list(Path(f"/proc/{parent}/task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                children = [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
            found += children
            todo += children
    return found


def by_role(last_cpu: Mapping[int, float], roles: Mapping[int, str], total: Optional[float] = None) -> dict[str, float]:
    """The CPU seconds per role of the processes seen, and, given the tree's total, the
    part no role holds (`unattributed`, never below 0)."""
    sums: dict[str, float] = {}
    for pid, seconds in last_cpu.items():
        sums[roles[pid]] = sums.get(roles[pid], 0.0) + seconds
    result = {name: round(seconds, 3) for name, seconds in sums.items()}
    if total is not None:
        result["unattributed"] = round(max(0.0, total - sum(sums.values())), 3)
    return result


class TreeCpu:
    """Polls the CPU of every process below (and including) `root_pid` every `interval`
    seconds until `stop`; `stop` answers the seconds per role (see `by_role`). Also the
    peak resident memory (VmHWM) of the provider processes (`PROVIDER_ROLES`), in KiB."""

    def __init__(self, root_pid: int, interval: float = 0.02):
        self.root_pid, self.interval, self.provider_peak_kib = root_pid, interval, 0
        self.last_cpu: dict[int, float] = {}
        self.roles: dict[int, str] = {}
        self.commands: dict[int, list[str]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _poll(self, pids: Iterable[int]) -> None:
        for pid in pids:
            seconds = process_cpu(pid)
            if seconds is None:
                continue
            # read again at every poll: a child first seen between its fork and its exec
            # still shows its parent's command line
            command = cmdline(pid)
            if command and command != [""]:
                self.roles[pid], self.commands[pid] = role(command), command
            elif pid not in self.roles:
                continue  # gone, or a zombie never seen alive
            self.last_cpu[pid] = max(seconds, self.last_cpu.get(pid, 0.0))
            if self.roles[pid] in PROVIDER_ROLES:
                self.provider_peak_kib = max(self.provider_peak_kib, _peak_rss_kib(pid))

    def _watch(self) -> None:
        while not self._stop.is_set():
            self._poll([self.root_pid, *descendants(self.root_pid)])
            self._stop.wait(self.interval)

    def stop(self, total: Optional[float] = None) -> dict[str, float]:
        self._stop.set()
        self._thread.join()
        return by_role(self.last_cpu, self.roles, total)


def emulator_cpu(emulator: Emulator) -> float:
    """CPU seconds the emulator process has used so far (0 where /proc is not there)."""
    return (process_cpu(emulator.process.pid) if emulator.process else None) or 0.0


def median_by_role(samples: Iterable[Mapping[str, float]]) -> dict[str, float]:
    """The median over runs of each role's CPU seconds (0 in a run where the role was not seen)."""
    runs = list(samples)
    names = {name for run in runs for name in run}
    return {name: round(statistics.median(run.get(name, 0.0) for run in runs), 3) for name in sorted(names)}


def children_cpu() -> float:
    """CPU seconds used by this process's finished children (and theirs, when reaped)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Measured:
    """A command's result, wall time, the CPU of its whole process tree, that CPU per
    role (`by_role`), and the peak resident memory of its provider process."""

    result: subprocess.CompletedProcess[str]
    wall_s: float
    cpu_s: float
    cpu_by_role: dict[str, float] = field(default_factory=dict)
    provider_peak_rss_mib: float = 0.0


def run_measured(command: list[str], cwd: Path, env: Mapping[str, str], timeout: float) -> Measured:
    """Runs a command (stdout and stderr together), watching its process tree."""
    cpu = children_cpu()
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=dict(env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    tree = TreeCpu(process.pid)
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    wall = time.perf_counter() - started
    total = children_cpu() - cpu
    roles = tree.stop(total)
    return Measured(subprocess.CompletedProcess(command, process.returncode, output, ""), wall, total, roles,
                    round(tree.provider_peak_kib / 1024, 1))
