"""Fixtures of the emulator suite: API clients for the session emulator's two identities."""

from __future__ import annotations

import pytest
from emulator_helpers import Api


@pytest.fixture
def admin(emulator) -> Api:
    return Api(emulator, emulator.admin_auth)


@pytest.fixture
def viewer(emulator) -> Api:
    return Api(emulator, emulator.viewer_auth)
