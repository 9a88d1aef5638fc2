"""`make bench-peer`'s refresh at `--large-n` (bench/peer.py): each tool against an emulator
holding only its own schedules, with the real tools (tofu and its provider from the
toolchain cache, the real `pulumi`)."""

from __future__ import annotations

from pathlib import Path

from bench.peer import LARGE_REFRESH, _install, _target, series
from testkit.emulator_process import Emulator


def test_each_tool_refreshes_against_a_site_of_its_own_schedules(emulator: Emulator, tmp_path: Path) -> None:
    tofu, provider_dir = _install("install-tofu.sh"), _install("install-atlassian-operations.sh")

    [row] = series(LARGE_REFRESH, 3, 0, 1, ("refresh",), tmp_path, emulator, tofu, provider_dir,
                   own_emulators=True)

    for tool in ("tofu", "pulumi"):
        [sample] = row[tool]["samples"]
        assert sample["ok"], sample.get("output_tail")
        assert sample["site_schedules"] == 3  # one shared site would hold 6
        assert sample["by_method"] == {"GET": 3}  # each read its schedule, on its own site
    assert emulator.schedules() == []  # the shared emulator was not used
    assert row["ratio"] is not None


def test_refresh_at_the_large_n_has_its_target() -> None:
    row = {"series": LARGE_REFRESH, "operation": "refresh", "n": 1000, "latency_ms": 200, "defaults": False,
           "pulumi_env": {}}

    assert _target(row) == 0.5
    assert _target({**row, "latency_ms": 0}) is None
