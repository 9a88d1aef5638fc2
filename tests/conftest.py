"""Shared fixtures: emulator processes reached over real HTTP."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from testkit.emulator_process import Emulator

# The fixtures that several folders share: `project`, `client_for`, `client`.
pytest_plugins = ["testkit.fixtures"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """With `pytest -n` (pytest-xdist, `--dist loadgroup`), a test module runs whole on one
    worker, so the projects and stacks its module-scoped fixtures share are made once; the
    packaging folder shares one wheel and one user project, so it runs whole on one worker.
    Each worker has its own session emulator and temporary directories."""
    for item in items:
        folder = item.path.parent.name
        item.add_marker(pytest.mark.xdist_group(folder if folder == "packaging" else item.nodeid.split("::")[0]))


def pytest_configure(config: pytest.Config) -> None:
    # Started in the background (CI runners, `make test &`), the suite inherits SIGINT
    # ignored, and so would every `pulumi` it starts: the engine then waits 5 s for each
    # stack program it stops with SIGINT. Give the children the default action back.
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(scope="session")
def emulator_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    """One emulator for the whole session; tests take it through `emulator`."""
    emulator = Emulator(tmp_path_factory.mktemp("emulator"))
    yield emulator
    emulator.stop()


@pytest.fixture
def emulator(emulator_session: Emulator) -> Emulator:
    """The session emulator, emptied (schedules, faults, counters) for this test."""
    emulator_session.reset()
    return emulator_session


@pytest.fixture
def emulator_factory(tmp_path: Path) -> Iterator[Callable[..., Emulator]]:
    """Starts extra emulators with their own flags, e.g. `emulator_factory("--strict")`; stops them at teardown."""
    started: list[Emulator] = []

    def start(*extra_args: str) -> Emulator:
        emulator = Emulator(tmp_path / f"emulator-{len(started)}", *extra_args)
        started.append(emulator)
        return emulator

    yield start
    for emulator in started:
        emulator.stop()
