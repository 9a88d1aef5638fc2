"""Fixtures of the shared-state suite: a PostgreSQL server for Pulumi's state backend.

One throwaway server for the session (testkit/postgres_server.py); each test gets an empty
database of its own, as a `postgres://` backend URL and a view of the table Pulumi keeps there.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from pulumi_state_table import SharedState
from testkit.postgres_server import PostgresNotInstalled, PostgresServer


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """Fails (never skips) the tests that use it when PostgreSQL is not installed."""
    try:
        server = PostgresServer()
    except PostgresNotInstalled as exc:
        missing = str(exc)
    else:
        yield server
        server.stop()
        return
    pytest.fail(missing, pytrace=False)


@pytest.fixture
def shared_state(postgres_server: PostgresServer) -> SharedState:
    """An empty database of its own for this test; the backend makes its table on first use."""
    database = f"state_{uuid.uuid4().hex[:12]}"
    return SharedState(postgres_server, database, postgres_server.create_database(database))
