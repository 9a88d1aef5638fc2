"""One schedule whose rotation has many participants (issue 11.12): `up`, an unchanged
`preview`, `refresh`, with the real CLI against the emulator, timed at two sizes so that a
step quadratic in the participants would show as a ratio far above the sizes' ratio.
`bench/run.py` runs it (`large_rotation` in bench/results.json).
"""

from __future__ import annotations

import copy
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from testkit.emulator_process import Emulator
from testkit.pulumi_project import PulumiProject
from testkit.schedules import SUPPORT

OPERATIONS = (("up", ("up", "--yes", "--skip-preview")), ("preview", ("preview", "--expect-no-changes")),
              ("refresh", ("refresh", "--yes", "--skip-preview")))
# 4x the participants may cost at most this much more (linear is 4; quadratic would be 16).
MAX_GROWTH = 8.0


def schedule(participants: int) -> dict[str, Any]:
    spec = copy.deepcopy(SUPPORT)
    spec["rotations"][0]["participants"] = [{"type": "user", "id": f"user-{i:05}"} for i in range(participants)]
    return spec


def run_size(root: Path, emulator: Emulator, participants: int) -> dict[str, Any]:
    emulator.reset()
    project = PulumiProject(root / f"p{participants}", emulator)
    project.write_schedules({"large": schedule(participants)})
    row: dict[str, Any] = {"participants": participants}
    for name, args in OPERATIONS:
        emulator.reset_stats()
        began = time.perf_counter()
        project.pulumi(*args)
        row[f"{name}_s"] = round(time.perf_counter() - began, 2)
        row[f"{name}_requests"] = emulator.stats()["total"]
    project.pulumi("destroy", "--yes", "--skip-preview")
    return row


def measure(participants: int = 1000) -> dict[str, Any]:
    """Timings at `participants` // 4 and `participants`, and whether the growth stays linear."""
    root = Path(tempfile.mkdtemp(prefix="jsmops-bench-rotation-"))
    emulator = Emulator(root / "emulator")
    try:
        small, large = (run_size(root, emulator, n) for n in (participants // 4, participants))
    finally:
        emulator.stop()
        shutil.rmtree(root, ignore_errors=True)
    # A CLI run costs about a second whatever the size: the growth is measured above that floor.
    growth = {name: round(max(large[f"{name}_s"] - 1, 0.01) / max(small[f"{name}_s"] - 1, 0.01), 1)
              for name, _ in OPERATIONS}
    checks = {"preview makes no request": large["preview_requests"] == 0,
              **{f"{name} grows at most {MAX_GROWTH}x for 4x participants": g <= MAX_GROWTH
                 for name, g in growth.items()}}
    return {"rows": [small, large], "growth": growth, "checks": checks}
