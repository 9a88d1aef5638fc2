"""The pytest fixtures that several test folders share (a plugin: tests/conftest.py loads it).

- `project`: a throwaway Pulumi project on the real CLI against the session emulator. A
  test module (or folder's conftest) tailors it by overriding `project_program` (the
  program, default `pulumi_project.PROGRAM`) and `project_env` (extra environment).
- `client_for`, `client`: API clients of an emulator, closed at teardown (`settings_for`
  makes their settings).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pulumi_jsmops.api.client import Client
from pulumi_jsmops.api.config import Settings
from testkit.emulator_process import Emulator
from testkit.pulumi_project import PROGRAM, PulumiProject

# A client that gives up fast: short timeout and backoff, few retries (the reliability tests).
FAST_FAILING_ENV = {"JSMOPS_TIMEOUT": "1", "JSMOPS_BACKOFF_FACTOR": "0.05", "JSMOPS_MAX_RETRIES": "4"}


@pytest.fixture
def project_program() -> str:
    return PROGRAM


@pytest.fixture
def project_env() -> dict[str, str]:
    return {}


@pytest.fixture
def project(tmp_path: Path, emulator: Emulator, project_program: str, project_env: dict[str, str]) -> PulumiProject:
    project = PulumiProject(tmp_path, emulator, program=project_program)
    project.env.update(project_env)
    return project


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
