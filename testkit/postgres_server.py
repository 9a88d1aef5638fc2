"""A throwaway PostgreSQL server for tests, from the binaries of Debian's `postgresql` package.

`PostgresServer()` runs initdb into a fresh temporary directory and starts `postgres` as a child
process listening on 127.0.0.1 only, on a free port, with its unix sockets in that directory.
Loopback TCP connections need a password (scram-sha-256); `create_database()` makes a database
owned by a login role and answers its URL in the form Pulumi's PostgreSQL state backend takes.
`stop()` ends the server and removes the directory.

PostgreSQL refuses to run as root: when the tests run as root, the server's commands run as the
`postgres` OS user (the Debian package creates it) and the directory belongs to that user.
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from testkit.processes import stop_process

INSTALL_HINT = "run .ci/install-postgres.sh (as root) to install Debian's postgresql package"
BIN_GLOB = "/usr/lib/postgresql/*/bin"
SERVER_USER = "postgres"  # the OS user the server runs as when the tests run as root
SUPERUSER = "postgres"  # the database superuser initdb makes
ROLE = "pulumi"  # the login role that owns the databases create_database() makes


class PostgresNotInstalled(RuntimeError):
    pass


class PostgresFailedToStart(RuntimeError):
    pass


def find_bin_dir(pattern: str = BIN_GLOB) -> Path:
    """The bin directory of the newest PostgreSQL under /usr/lib/postgresql that has every
    program this module runs; PostgresNotInstalled if there is none."""
    needed = ("initdb", "postgres", "pg_isready", "psql")
    candidates = [Path(d) for d in glob.glob(pattern) if all((Path(d) / name).is_file() for name in needed)]
    if not candidates:
        raise PostgresNotInstalled(
            f"no PostgreSQL server binaries ({', '.join(needed)}) under {pattern}: {INSTALL_HINT}"
        )

    def version(bin_dir: Path) -> tuple[int, ...]:
        return tuple(int(n) for n in re.findall(r"\d+", bin_dir.parent.name)) or (0,)

    return max(candidates, key=version)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    """One PostgreSQL server of its own; `stop()` ends it and deletes its files."""

    def __init__(self, *, startup_timeout: float = 60.0, bin_dir: Path | None = None):
        self.bin_dir = bin_dir or find_bin_dir()
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self.role_password = secrets.token_hex(16)
        self._superuser_password = secrets.token_hex(16)
        self._run_as = self._server_user()
        self.root = Path(tempfile.mkdtemp(prefix="jsmops-postgres-"))
        try:
            self.data_dir = self.root / "data"
            self.socket_dir = self.root / "sockets"
            self.log_path = self.root / "postgres.log"
            self.socket_dir.mkdir()
            self._chown(self.root, self.socket_dir)
            self._initdb()
            self._start()
            self.psql(f"CREATE ROLE {ROLE} LOGIN PASSWORD '{self.role_password}'", user=SUPERUSER,
                      password=self._superuser_password)
        except BaseException:
            self.stop()
            raise

    # --- setup ---

    @staticmethod
    def _server_user() -> pwd.struct_passwd | None:
        """The OS user to run the server as: `postgres` when we are root, else ourselves (None)."""
        if os.geteuid() != 0:
            return None
        try:
            return pwd.getpwnam(SERVER_USER)
        except KeyError:
            raise PostgresNotInstalled(
                f"running as root, but there is no `{SERVER_USER}` OS user to run PostgreSQL as: {INSTALL_HINT}"
            ) from None

    def _chown(self, *paths: Path) -> None:
        if self._run_as is not None:
            for path in paths:
                os.chown(path, self._run_as.pw_uid, self._run_as.pw_gid)

    def _server_command(self, args: list[str], **kwargs) -> dict:
        """Popen keyword arguments that run `args` as the server's OS user."""
        env = {"PATH": f"{self.bin_dir}{os.pathsep}/usr/bin:/bin", "LC_ALL": "C", "TZ": "UTC"}
        extra: dict = {}
        if self._run_as is not None:
            env["HOME"] = self._run_as.pw_dir
            extra = {"user": self._run_as.pw_uid, "group": self._run_as.pw_gid, "extra_groups": []}
        return {"args": args, "env": env, "cwd": self.root, **extra, **kwargs}

    def _initdb(self) -> None:
        pwfile = self.root / "superuser-password"
        pwfile.write_text(self._superuser_password + "\n")
        self._chown(pwfile)
        result = subprocess.run(**self._server_command([
            str(self.bin_dir / "initdb"), "--pgdata", str(self.data_dir), "--username", SUPERUSER,
            "--pwfile", str(pwfile), "--auth-local", "trust", "--auth-host", "scram-sha-256",
            "--encoding", "UTF8", "--no-locale", "--no-sync",
        ], capture_output=True, text=True, timeout=120))
        pwfile.unlink()
        if result.returncode != 0:
            raise PostgresFailedToStart(f"initdb exited {result.returncode}:\n{result.stdout}\n{result.stderr}")

    def _start(self, attempts: int = 5) -> None:
        # The port is free when chosen but could be taken before the server binds it: then
        # the server exits at once, and another port is tried.
        for _ in range(attempts):
            self.port = free_port()
            with open(self.log_path, "ab") as log:
                self._chown(self.log_path)
                self.process = subprocess.Popen(**self._server_command([
                    str(self.bin_dir / "postgres"), "-D", str(self.data_dir),
                    "-c", "listen_addresses=127.0.0.1", "-c", f"port={self.port}",
                    "-c", f"unix_socket_directories={self.socket_dir}",
                    "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                ], stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT))
            if self._wait_until_ready():
                return
            self.process.wait()
            self.process = None
            if "could not bind" not in self.log_path.read_text(errors="replace"):
                break
        log_text = self.log_path.read_text(errors="replace")
        raise PostgresFailedToStart(f"postgres did not start; log:\n{log_text[-3000:]}")

    def _wait_until_ready(self) -> bool:
        """Poll pg_isready over TCP until the server accepts connections (True), it exits or
        the startup timeout passes (False)."""
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            check = subprocess.run(
                [str(self.bin_dir / "pg_isready"), "--host", "127.0.0.1", "--port", str(self.port),
                 "--dbname", "postgres", "--username", SUPERUSER, "--timeout", "2"],
                capture_output=True, timeout=30,
            )
            if check.returncode == 0:  # 1 = rejecting (starting up), 2 = no response yet
                return True
            time.sleep(0.05)  # polling interval, not a wait for the outcome
        self.process.terminate()
        return False

    # --- use ---

    def psql(self, sql: str, *, database: str = "postgres", user: str = ROLE, password: str | None = None) -> str:
        """Run `sql` over TCP as `user`; answers the rows, unaligned, one per line, `|` between fields."""
        result = subprocess.run(
            [str(self.bin_dir / "psql"), "--no-psqlrc", "--quiet", "--tuples-only", "--no-align",
             "--set", "ON_ERROR_STOP=1", "--host", "127.0.0.1", "--port", str(self.port),
             "--username", user, "--dbname", database, "--command", sql],
            env={**os.environ, "PGPASSWORD": password or self.role_password, "PGSSLMODE": "disable",
                 "PGCONNECT_TIMEOUT": "10"},
            capture_output=True, text=True, timeout=60,
        )
        if result.returncode != 0:
            raise RuntimeError(f"psql exited {result.returncode} for {sql!r}:\n{result.stderr}")
        return result.stdout.strip()

    def create_database(self, name: str) -> str:
        """A new, empty database owned by the login role; answers its URL for `pulumi login`."""
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            raise ValueError(f"not a plain database name: {name!r}")
        self.psql(f"CREATE DATABASE {name} OWNER {ROLE}", user=SUPERUSER, password=self._superuser_password)
        return self.url(name)

    def url(self, database: str) -> str:
        return f"postgres://{ROLE}:{self.role_password}@127.0.0.1:{self.port}/{database}?sslmode=disable"

    def stop(self) -> None:
        """Fast shutdown (SIGINT: ends sessions, no waiting for clients), then delete the files."""
        process, self.process = self.process, None
        if process is not None:
            stop_process(process, sig=signal.SIGINT, timeout=30)
        shutil.rmtree(self.root, ignore_errors=True)
