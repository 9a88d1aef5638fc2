"""Fixtures: dynamic-provider host processes (tests/host/provider_host.py)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from provider_host import HERE, Host


@pytest.fixture
def dynamic_host(tmp_path: Path) -> Iterator[Host]:
    host = Host(tmp_path)
    yield host
    host.stop()


@pytest.fixture
def changed_sdk_host(tmp_path: Path) -> Iterator[Host]:
    host = Host(tmp_path, [sys.executable, str(HERE / "changed_sdk_host.py")])
    yield host
    host.stop()
