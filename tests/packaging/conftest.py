"""The wheel and a user's own project with it installed, made once per session: the
packaging tests share them."""

from __future__ import annotations

from pathlib import Path

import pytest

from testkit.user_project import REPO, UserProject, build_wheel


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("wheel-build"))


@pytest.fixture(scope="session")
def user_project(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> UserProject:
    root = tmp_path_factory.mktemp("user")
    assert REPO not in root.parents  # outside the checkout
    return UserProject.create(root, wheel)
