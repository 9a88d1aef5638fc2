"""Stopping a process that the tests or benchmarks started."""

from __future__ import annotations

import signal
import subprocess
from typing import Any


def stop_process(process: subprocess.Popen[Any], *, sig: int = signal.SIGTERM, timeout: float = 15) -> int:
    """Asks a running process to end (`sig`), waits up to `timeout` seconds, then kills it;
    answers its exit status."""
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode
