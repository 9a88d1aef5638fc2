"""The console command: announcement, flags, signals, logging."""

from __future__ import annotations

import re
import signal
import subprocess
import sys

import pytest

from testkit.emulator_process import Emulator, contract_session


def test_announces_address_cloud_and_identities(emulator_factory):
    emulator = emulator_factory()

    assert re.fullmatch(r"jsmops-emulator listening on http://127\.0\.0\.1:\d+", emulator.output[0])
    assert emulator.port > 0
    assert emulator.wait_for_line("cloud id: ") == "cloud id: local"
    admin = emulator.wait_for_line("identity: admin@example.com")
    viewer = emulator.wait_for_line("identity: viewer@example.com")
    assert "local-admin-token" in admin and "(read, write)" in admin
    assert "local-viewer-token" in viewer and "(read only)" in viewer
    assert (
        contract_session().get(f"{emulator.api_url}/schedules", auth=emulator.admin_auth, timeout=10).status_code == 200
    )


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_exits_0_on_signal(emulator_factory, signum):
    emulator = emulator_factory()

    emulator.process.send_signal(signum)

    assert emulator.process.wait(timeout=15) == 0
    assert emulator.stop() == 0


class ModuleEmulator(Emulator):
    command = [sys.executable, "-m", "jsmops_emulator"]


def test_runs_as_python_module(tmp_path):
    emulator = ModuleEmulator(tmp_path)
    try:
        assert (
            contract_session().get(f"{emulator.api_url}/schedules", auth=emulator.admin_auth, timeout=10).status_code
            == 200
        )
    finally:
        assert emulator.stop() == 0


def test_credentials_never_reach_the_logs(emulator_factory):
    emulator = emulator_factory("--access-log")
    url = f"{emulator.api_url}/schedules"
    contract_session().get(url, auth=emulator.admin_auth, timeout=10)
    contract_session().post(url, auth=emulator.admin_auth, json={"name": "Logged", "teamId": "t"}, timeout=10)
    contract_session().get(url, auth=("admin@example.com", "secret-wrong-token"), timeout=10)
    emulator.stop()

    banner = max(n for n, line in enumerate(emulator.output) if line.startswith("identity: ")) + 1
    after_banner = "\n".join(emulator.output[banner:])
    log = emulator.log_path.read_text()
    assert '"GET /jsm/ops/api/local/v1/schedules HTTP/1.1" 200' in after_banner  # the access log is on
    assert '"GET /jsm/ops/api/local/v1/schedules HTTP/1.1" 401' in after_banner
    for secret in ("local-admin-token", "secret-wrong-token", "Basic ", "YWRtaW5AZXhhbXBsZS5jb2"):
        assert secret not in after_banner and secret not in log


@pytest.mark.parametrize(
    "flags",
    [("--rate-limit", "0"), ("--latency", "-1"), ("--latency", "nan"), ("--latency-jitter", "-5"), ("--latency", "x")],
    ids=" ".join,
)
def test_refuses_bad_flags(flags):
    command = [*Emulator.command, *flags]

    result = subprocess.run(command, capture_output=True, text=True, timeout=30)

    assert result.returncode == 2
    assert flags[0] in result.stderr
