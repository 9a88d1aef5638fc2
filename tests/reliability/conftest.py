"""Fixtures of the reliability suite: its projects' clients give up fast."""

from __future__ import annotations

import pytest

from testkit.fixtures import FAST_FAILING_ENV


@pytest.fixture
def project_env() -> dict[str, str]:
    """A client that gives up fast: short timeout and backoff, few retries."""
    return FAST_FAILING_ENV
