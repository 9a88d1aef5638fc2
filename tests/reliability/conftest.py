"""Fixtures of the reliability suite: Pulumi projects on the real CLI against the emulator."""

from __future__ import annotations

from pathlib import Path

import pytest

from testkit.emulator_process import Emulator
from testkit.pulumi_project import PulumiProject


@pytest.fixture
def project(tmp_path: Path, emulator: Emulator) -> PulumiProject:
    """A project whose client gives up fast: short timeout and backoff, few retries."""
    project = PulumiProject(tmp_path, emulator)
    project.env.update({"JSMOPS_TIMEOUT": "1", "JSMOPS_BACKOFF_FACTOR": "0.05", "JSMOPS_MAX_RETRIES": "4"})
    return project
