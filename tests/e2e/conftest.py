"""End-to-end fixtures: a Pulumi project on the real CLI, against the emulator."""

from __future__ import annotations

from pathlib import Path

import pytest

from testkit.emulator_process import Emulator
from testkit.pulumi_project import PulumiProject


@pytest.fixture
def project(tmp_path: Path, emulator: Emulator) -> PulumiProject:
    return PulumiProject(tmp_path, emulator)
