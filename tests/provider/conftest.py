"""Fixtures for the provider package's own tests: clients of the emulator."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from pulumi_jsmops.client import Client
from pulumi_jsmops.config import Settings
from testkit.emulator_process import Emulator


def settings_for(emulator: Emulator, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "base_url": emulator.base_url, "cloud_id": emulator.cloud_id,
        "email": emulator.admin_auth[0], "api_token": emulator.admin_auth[1],
        "backoff_factor": 0.01, "timeout": 10,
    }
    return Settings(**{**values, **overrides})


@pytest.fixture
def client_for() -> Iterator[Callable[..., Client]]:
    """Makes clients of an emulator (`client_for(emulator, timeout=0.5)`), closed at teardown."""
    made: list[Client] = []

    def make(emulator: Emulator, **overrides: Any) -> Client:
        made.append(Client(settings_for(emulator, **overrides)))
        return made[-1]

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(emulator: Emulator, client_for: Callable[..., Client]) -> Client:
    return client_for(emulator)
