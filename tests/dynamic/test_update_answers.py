"""The provider's update against a service that answers without keeping what was sent
(a local stub: the emulator keeps what it takes)."""

from __future__ import annotations

import pytest

from pulumi_jsmops.errors import JsmOpsError
from pulumi_jsmops.provider import ScheduleProvider
from testkit.stub_server import Stub, json_answer

HELD = {"id": "s-1", "name": "Ops", "timezone": "America/New_York", "enabled": True, "description": "",
        "rotations": [{"id": "r-1", "name": "days", "type": "daily", "length": 1,
                       "startDate": "2026-01-05T08:00:00Z", "participants": []}]}
OUTPUTS = {"id": "s-1", "name": "Ops", "timezone": "America/New_York", "enabled": True, "description": "",
           "rotations": [{"id": "r-1", "name": "days", "type": "daily", "length": 1,
                          "start_date": "2026-01-05T08:00:00Z", "participants": []}]}


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch):
    """Answers every change with the schedule (or its rotation) as it was: nothing kept."""
    def answer(method: str, path: str, query: dict) -> tuple:
        return json_answer(200, HELD["rotations"][0] if "/rotations/" in path else HELD)

    server = Stub(answer)
    for name, value in {"JSMOPS_BASE_URL": server.base_url, "JSMOPS_CLOUD_ID": "local", "JSMOPS_EMAIL": "a@b.c",
                        "JSMOPS_API_TOKEN": "t", "JSMOPS_MAX_RETRIES": "0"}.items():
        monkeypatch.setenv(name, value)
    yield server
    server.stop()


def test_a_change_the_service_did_not_keep_fails_the_update_naming_it(stub) -> None:
    provider = ScheduleProvider()
    news = provider.check({}, {"name": "Ops", "timezone": "Asia/Kolkata", "rotations": [
        {"name": "days", "type": "daily", "start_date": "2026-01-05T08:00:00Z"}]}).inputs
    with pytest.raises(JsmOpsError) as failed:
        provider.update("s-1", OUTPUTS, news)
    assert str(failed.value) == ("PATCH /v1/schedules/s-1: the service did not keep timezone 'Asia/Kolkata' "
                                 "(it holds 'America/New_York'); declare a value it keeps")
    assert [method for method, _ in stub.requests] == ["PATCH"]

    news = provider.check({}, {"name": "Ops", "timezone": "America/New_York", "rotations": [
        {"name": "days", "type": "daily", "length": 2, "start_date": "2026-01-05T08:00:00Z"}]}).inputs
    with pytest.raises(JsmOpsError, match=r"rotations/r-1: the service did not keep length 2 \(it holds 1\)"):
        provider.update("s-1", OUTPUTS, news)
