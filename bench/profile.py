"""Where the time of one operation goes: py-spy on every Python process of a `pulumi` run.

    python -m bench.profile --n 100 --operation preview [--kind provider] [--rate 250] [--latency MS] [--out DIR]

Sets up a stack of N schedules against the emulator (an unprofiled `up` first, unless the
operation is `up`), then runs the operation and attaches `py-spy record --gil` to each
Python process the CLI starts: the program (`pulumi-language-python-exec`) and the
dynamic-provider process (`python -m pulumi.dynamic`). `--gil` keeps only samples of a
thread holding the GIL, i.e. Python doing work, not threads waiting on gRPC or sockets.
Writes the raw stacks (`<operation>-<role>-<pid>.txt`, py-spy's "raw" format, the input
of flamegraph.pl or speedscope) and prints, for each process, the share of samples with
our package on the stack and the functions with the most samples.

Needs py-spy (in the `dev` extra, so `make venv` installs it). Attaching
needs ptrace (root, or kernel.yama.ptrace_scope = 0). The first tens of milliseconds of
each process (part of its imports) can be missed while py-spy attaches; bench/startup.py
measures imports.
"""

from __future__ import annotations

import argparse
import collections
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Optional

from bench import let_children_be_interrupted
from bench.cpu import cmdline, descendants
from bench.cpu import role as process_role
from bench.run import KINDS, OPERATIONS, Stack
from testkit.emulator_process import Emulator

ROOT = Path(__file__).resolve().parent.parent

OURS = "pulumi_jsmops/"
PYTHON_ROLES = ("program", "provider")  # the Python processes of a `pulumi` run (bench/cpu.py)


class Spy:
    """Attaches py-spy to each new Python process below `root_pid` until stopped."""

    def __init__(self, py_spy: str, root_pid: int, out: Path, operation: str, rate: int):
        self.py_spy, self.root_pid, self.out, self.operation, self.rate = py_spy, root_pid, out, operation, rate
        self.recorders: list[tuple[str, Path, subprocess.Popen[bytes]]] = []
        self._seen: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.is_set():
            for pid in descendants(self.root_pid):
                if pid in self._seen:
                    continue
                role = process_role(cmdline(pid))
                if role not in PYTHON_ROLES:
                    continue  # a shell or the Go binaries; its Python child shows up later
                self._seen.add(pid)
                path = self.out / f"{self.operation}-{role}-{pid}.txt"
                recorder = subprocess.Popen(
                    [self.py_spy, "record", "--pid", str(pid), "--gil", "--rate", str(self.rate),
                     "--format", "raw", "--output", str(path)],
                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                )
                self.recorders.append((role, path, recorder))
            time.sleep(0.005)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        for _, _, recorder in self.recorders:
            try:
                recorder.wait(timeout=30)
            except subprocess.TimeoutExpired:
                recorder.terminate()
                recorder.wait()


def summarize(path: Path, rate: int, top: int = 25) -> str:
    """Samples of one process: total, with our package on the stack, and the top functions."""
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = ours = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        n = int(count)
        frames = [f for f in stack.split(";") if not f.startswith(("process ", "thread "))]
        if not frames:
            continue
        total += n
        if any(OURS in f for f in frames):
            ours += n
        for frame in set(frames):
            inclusive[frame] += n
        own[frames[-1]] += n
    if not total:
        return f"{path.name}: no samples"
    lines = [f"{path.name}: {total} samples ~ {total / rate:.2f} s holding the GIL; "
             f"{ours} ({100 * ours / total:.0f}%) with {OURS} on the stack"]
    lines.append("  most samples, inclusive:")
    lines += [f"    {n:6d} {100 * n / total:5.1f}%  {frame[:150]}" for frame, n in inclusive.most_common(top)]
    lines.append("  most samples, own (leaf):")
    lines += [f"    {n:6d} {100 * n / total:5.1f}%  {frame[:150]}" for frame, n in own.most_common(top // 2)]
    return "\n".join(lines)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--operation", choices=list(OPERATIONS), default="up")
    parser.add_argument("--kind", choices=list(KINDS), default="provider",
                        help="the stack to profile: ours, or a baseline of bench/run.py (default: %(default)s)")
    parser.add_argument("--rate", type=int, default=250, help="samples per second (default: %(default)s)")
    parser.add_argument("--latency", type=int, default=0, help="ms the emulator adds to each request (default: 0)")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "profiles")
    args = parser.parse_args(argv)
    let_children_be_interrupted()
    py_spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if not py_spy:
        parser.error("py-spy is not installed: .venv/bin/pip install py-spy")
    args.out.mkdir(parents=True, exist_ok=True)

    root = Path(tempfile.mkdtemp(prefix="jsmops-profile-"))
    emulator = Emulator(root / "emulator", "--latency", str(args.latency))
    try:
        stack = Stack(args.kind, root, emulator, args.n)
        if args.operation != "up":
            stack.project.pulumi(*OPERATIONS["up"], timeout=stack.timeout)
        command = ["pulumi", *OPERATIONS[args.operation], "--non-interactive"]
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=stack.project.dir, env=stack.project.env,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        spy = Spy(py_spy, process.pid, args.out, f"{args.operation}-{args.kind.replace('+', '-')}", args.rate)
        output, _ = process.communicate(timeout=stack.timeout)
        wall = time.perf_counter() - started
        spy.stop()
        if process.returncode:
            print(output.decode(errors="replace")[-3000:])
        print(f"pulumi {args.operation} of the {args.kind} stack, N={args.n}: {wall:.2f} s (under py-spy), "
              f"exit {process.returncode}\n")
        for role, path, recorder in spy.recorders:
            if path.exists():
                print(summarize(path, args.rate, args.top))
            else:
                print(f"{role}: py-spy wrote nothing: {recorder.stderr.read().decode(errors='replace')[-500:]}")
            print()
        if args.operation != "destroy":
            stack.project.pulumi(*OPERATIONS["destroy"], check=False, timeout=stack.timeout)
        return process.returncode
    finally:
        emulator.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
