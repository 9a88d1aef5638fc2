"""A fixed CPU load beside a benchmark: `--loaded` of bench/peer.py.

`BusyLoad(processes, duty)` starts `processes` Python processes, each of which spins for
`duty` of every 100 ms and sleeps for the rest, until stopped: the same steady demand
on the CPU for both tools, as on a shared CI runner (where the other jobs' demand is not
steady, but this one can be repeated)."""

from __future__ import annotations

import subprocess
import sys

PERIOD_S = 0.1
_SPIN = """
import sys, time
duty, period = float(sys.argv[1]), float(sys.argv[2])
while True:
    start = time.perf_counter()
    while time.perf_counter() - start < duty * period:
        pass
    time.sleep(max(0.0, period - (time.perf_counter() - start)))
"""


class BusyLoad:
    """`processes` busy loops at `duty` (0 to 1) of a core each, running until `stop`."""

    def __init__(self, processes: int, duty: float):
        if processes < 0 or not 0 < duty <= 1:
            raise ValueError("a load is 0 or more processes at a duty above 0 and at most 1")
        self.processes, self.duty = processes, duty
        self._running = [subprocess.Popen([sys.executable, "-c", _SPIN, str(duty), str(PERIOD_S)])
                         for _ in range(processes)]

    def describe(self) -> str:
        return f"{self.processes} x {self.duty:.0%} of a core"

    def stop(self) -> None:
        for process in self._running:
            process.terminate()
        for process in self._running:
            process.wait()
        self._running = []
