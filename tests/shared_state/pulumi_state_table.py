"""A view of the table Pulumi's PostgreSQL state backend keeps its files in."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from testkit.postgres_server import PostgresServer

# Where Pulumi's PostgreSQL backend keeps its "files" (v3.259.0: backend/diy/postgres/schema.sql).
TABLE = "pulumi_state"


@dataclass
class SharedState:
    """One database used as a Pulumi state backend. Pulumi stores each file of the DIY
    backend layout as a row of `pulumi_state`, keyed `<database>/.pulumi/...` (the URL's path
    is both the database name and the bucket's key prefix)."""

    server: PostgresServer
    database: str
    url: str

    @property
    def prefix(self) -> str:
        return f"{self.database}/.pulumi/"

    def _rows(self, condition: str, key: str) -> list[tuple[str, str]]:
        """(key, base64 content) of the rows whose key matches `condition` ({key} = the literal)."""
        literal = "'" + (self.prefix + key).replace("'", "''") + "'"
        out = self.server.psql(
            f"SELECT key, data->>'data' FROM {TABLE} WHERE {condition.format(key=literal)} ORDER BY key",
            database=self.database,
        )
        return [tuple(line.split("|", 1)) for line in out.splitlines() if line]

    def keys(self, under: str = "") -> list[str]:
        """The keys that start with `<database>/.pulumi/<under>`, without that prefix, sorted."""
        return [key[len(self.prefix):] for key, _ in self._rows("starts_with(key, {key})", under)]

    def read(self, key: str) -> bytes:
        """The content of `<database>/.pulumi/<key>`."""
        rows = self._rows("key = {key}", key)
        assert len(rows) == 1, f"no row {self.prefix + key!r}"
        return base64.b64decode(rows[0][1])

    def locks(self, stack: str = "organization/e2e/test") -> dict[str, dict[str, Any]]:
        """The lock files of a stack (fully qualified name): key -> content (pid, username,
        hostname, timestamp of the process that wrote it)."""
        return {key: json.loads(self.read(key)) for key in self.keys(f"locks/{stack}/")}
