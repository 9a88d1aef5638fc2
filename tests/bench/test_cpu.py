"""The per-process CPU figures of the benchmarks (bench/cpu.py, bench/peer.py): which
process is which, how readings add up, and one real process tree measured."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bench.cpu import by_role, median_by_role, role, run_measured
from bench.peer import _sum_samples

CACHE = "/root/.cache/pulumi-jsmops/toolchain/pulumi-v3.259.0/bin"
VENV = "/work/x/.venv/bin"


@pytest.mark.parametrize(("cmdline", "expected"), [
    (["pulumi", "up", "--yes"], "engine"),
    (["/bin/sh", f"{VENV}/pulumi-language-python", "127.0.0.1:1"], "langhost"),
    ([f"{CACHE}/pulumi-language-python-v3.79.0", "-root", "/p"], "langhost"),
    ([f"{VENV}/python", "-m", "pip", "list", "-v", "--format", "json"], "pip_list"),
    ([f"{VENV}/python", f"{CACHE}/pulumi-language-python-exec", "--monitor", "x"], "program"),
    (["/bin/sh", f"{VENV}/pulumi-resource-pulumi-python", "127.0.0.1:1"], "provider"),
    ([f"{VENV}/python", "-u", "-m", "pulumi.dynamic", "127.0.0.1:1"], "provider"),
    ([f"{VENV}/python", f"{VENV}/jsmops", "import", "--all"], "jsmops"),
    (["/cache/opentofu-v1.10.6/bin/tofu", "apply"], "tofu"),
    (["/cache/atlassian-operations-v1.1.9/terraform-provider-atlassian-operations_v1.1.9"], "tofu_provider"),
    (["/usr/bin/git", "status"], "other"),
    ([""], "other"),
    ([], "other"),
])
def test_each_process_has_its_role(cmdline: list[str], expected: str) -> None:
    assert role(cmdline) == expected


def test_roles_add_up_and_the_rest_is_unattributed() -> None:
    last_cpu = {1: 1.25, 2: 0.5, 3: 0.25, 4: 0.125}
    roles = {1: "engine", 2: "provider", 3: "provider", 4: "program"}

    assert by_role(last_cpu, roles, total=2.5) == {
        "engine": 1.25, "provider": 0.75, "program": 0.125, "unattributed": 0.375}
    # polling can read a little more than the kernel's total: never below 0
    assert by_role(last_cpu, roles, total=2.0)["unattributed"] == 0.0


def test_the_median_of_a_role_counts_runs_without_it_as_zero() -> None:
    runs = [{"engine": 1.0, "pip_list": 0.3}, {"engine": 3.0}, {"engine": 2.0, "pip_list": 0.2}]

    assert median_by_role(runs) == {"engine": 2.0, "pip_list": 0.2}


def test_steps_of_one_row_add_up() -> None:
    def step(wall: float, cpu: float, by_method: dict[str, int], mean: float, ok: bool = True) -> dict[str, object]:
        return {"wall_s": wall, "cpu_s": cpu, "cpu_by_role": {"tofu": cpu / 2, "tofu_provider": cpu / 2},
                "emulator_cpu_s": 0.5, "load_avg_1m": 3.0, "provider_peak_rss_mib": wall * 10,
                "exit": 0 if ok else 1, "ok": ok, "by_method": by_method, "in_flight_max": 10, "in_flight_mean": mean}

    total = _sum_samples([step(2.0, 1.0, {"GET": 100}, 9.5), step(3.0, 2.0, {"GET": 100, "POST": 1}, 4.0, ok=False)])

    assert (total["wall_s"], total["cpu_s"], total["emulator_cpu_s"]) == (5.0, 3.0, 1.0)
    assert total["cpu_by_role"] == {"tofu": 1.5, "tofu_provider": 1.5}
    assert total["by_method"] == {"GET": 200, "POST": 1}
    assert (total["in_flight_mean"], total["provider_peak_rss_mib"], total["ok"], total["exit"]) == (4.0, 30.0,
                                                                                                      False, 1)


SPIN = "import time\nwhile time.process_time() < 0.4:\n    pass\n"


def test_a_real_tree_is_measured_per_process(tmp_path: Path) -> None:
    # a shell (role "other") starting a Python process whose arguments name the provider's module
    script = tmp_path / "spin.py"
    script.write_text(SPIN)
    command = ["/bin/sh", "-c", f'"{sys.executable}" "{script}" pulumi.dynamic; true']

    measured = run_measured(command, tmp_path, {}, timeout=60)

    assert measured.result.returncode == 0
    assert measured.cpu_s >= 0.4  # the kernel's account of the whole tree
    # what the polls saw of the spinning process, give or take the last poll
    assert 0.3 <= measured.cpu_by_role.get("provider", 0.0) <= measured.cpu_s
