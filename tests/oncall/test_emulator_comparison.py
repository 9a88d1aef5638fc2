"""The library's on-call engine against the emulator's, over HTTP: the same generated
schedules (daylight-saving changes, restrictions across midnight and the end of the week,
hourly rotations, end dates, overrides) are made in the emulator through the API, and its
`/timeline` and `/on-calls` answers are compared with what `pulumi_jsmops.oncall` computes
from the schedule the API returned. The two implementations share no code."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from generated_schedules import WINDOW_DAYS, Case, cases
from hypothesis import HealthCheck, given, settings

from pulumi_jsmops.api.models import parse_api_schedule
from pulumi_jsmops.oncall.engine import OverrideWindow, Period, Responder, Timeline, timeline, timeline_from_api
from testkit.emulator_process import Emulator

ON_CALL_PROBES = 8  # instants per example asked of /on-calls


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    emulator = Emulator(tmp_path_factory.mktemp("oncall-comparison"))
    yield emulator
    emulator.stop()


def _call(service: Emulator, method: str, path: str, **kwargs: Any) -> Any:
    response = service.http.request(method, f"{service.api_url}{path}", auth=service.admin_auth, timeout=30,
                                    **kwargs)
    assert response.status_code < 300, (method, path, response.status_code, response.text)
    return response.json() if response.content else None


def _periods(periods: tuple[Period, ...]) -> list[tuple[str, str, Any, bool]]:
    return [(p.start.isoformat(), p.end.isoformat(), p.responder, p.overridden) for p in periods]


def _final(tl: Timeline) -> list[tuple[str, str, list[Responder]]]:
    return [(s.start.isoformat(), s.end.isoformat(), sorted(s.responders)) for s in tl.final]


def disagreements(service: Emulator, case: Case) -> list[str]:
    """What the emulator answers differently from the library for this case (empty: none)."""
    created = _call(service, "POST", "/schedules", json={**case.body, "teamId": "team"})
    try:
        ids = {r["name"]: r["id"] for r in created["rotations"]}
        overrides = []
        for override in case.overrides:
            names = override["rotationNames"]
            body = {"responder": override["responder"], "startDate": override["startDate"],
                    "endDate": override["endDate"], "rotationIds": None if names is None else [ids[n] for n in names]}
            overrides.append(OverrideWindow.from_api(_call(service, "POST", f"/schedules/{created['id']}/overrides",
                                                     json=body)))
        answer = _call(service, "GET", f"/schedules/{created['id']}/timeline",
                       params={"date": case.start.isoformat(), "interval": WINDOW_DAYS, "intervalUnit": "days"})
        theirs = timeline_from_api(answer, case.body["timezone"])
        ours = timeline(parse_api_schedule(created), theirs.start, theirs.end, overrides)
        found = []
        lanes = {lane.id: lane for lane in theirs.rotations}
        for lane in ours.rotations:
            if _periods(lane.periods) != _periods(lanes[lane.id].periods if lane.id in lanes else ()):
                found.append(f"timeline of {lane.name}: ours {_periods(lane.periods)} theirs "
                             f"{_periods(lanes[lane.id].periods) if lane.id in lanes else 'missing'}")
        if _final(ours) != _final(theirs):
            found.append(f"final layer: ours {_final(ours)} theirs {_final(theirs)}")
        step = (theirs.end - theirs.start) / ON_CALL_PROBES
        for n in range(ON_CALL_PROBES):
            moment: datetime = theirs.start + step * n + timedelta(minutes=15)
            on_call = _call(service, "GET", f"/schedules/{created['id']}/on-calls", params={"date": moment.isoformat()})
            answered = {Responder(p["type"], p["id"]) for p in on_call.get("onCallParticipants") or []}
            if answered != set(ours.on_call_at(moment)):
                found.append(f"on-calls at {moment.isoformat()}: ours {sorted(ours.on_call_at(moment))} "
                             f"theirs {sorted(answered)}")
        return found
    finally:
        _call(service, "DELETE", f"/schedules/{created['id']}")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases())
def test_library_and_emulator_agree(service: Emulator, case: Case) -> None:
    assert disagreements(service, case) == []
