"""Helpers of the emulator suite: an API client bound to an emulator, payload builders, contract files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import requests

from testkit.emulator_process import contract_session

# Copies of the example payloads of the API reference pages (the project's contract).
CONTRACT = Path(__file__).parent / "contract"
UUID4 = r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"


class Api:
    """`requests` against one emulator's /schedules, as one identity."""

    def __init__(self, emulator: Any, auth: tuple[str, str] | None):
        self.emulator = emulator
        self.url = f"{emulator.api_url}/schedules"
        self.session = contract_session()
        self.session.auth = auth

    def request(self, method: str, path: str = "", **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 10)
        return self.session.request(method, self.url + path, **kwargs)

    def create(self, **fields: Any) -> dict[str, Any]:
        response = self.request("POST", json={"teamId": "team-1", **fields})
        assert response.status_code == 201, response.text
        return response.json()


def titles(response: requests.Response) -> list[str]:
    """The error titles (a 401's message), after checking the body is exactly the API's error shape."""
    body = response.json()
    if response.status_code == 401:
        assert set(body) == {"code", "message"} and body["code"] == 401, body
        return [body["message"]]
    assert set(body) == {"errors"} and body["errors"], body
    assert all(set(error) == {"title", "code"} and isinstance(error["title"], str) for error in body["errors"]), body
    return [error["title"] for error in body["errors"]]


def rotation(**fields: Any) -> dict[str, Any]:
    return {"startDate": "2024-01-01T00:00:00Z", "type": "weekly", **fields}


def time_of_day(start_hour: int = 9, start_min: int = 0, end_hour: int = 17, end_min: int = 30) -> dict[str, Any]:
    return {
        "type": "time-of-day",
        "restriction": {"startHour": start_hour, "startMin": start_min, "endHour": end_hour, "endMin": end_min},
    }


def load_contract(name: str) -> dict[str, Any]:
    return json.loads((CONTRACT / name).read_text())
