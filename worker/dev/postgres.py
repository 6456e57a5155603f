"""A throwaway PostgreSQL server for tests and benchmarks: a cluster of engine nodes needs one
database they all share, which H2 in memory cannot be.

Debian's `postgresql` package provides the programs (under /usr/lib/postgresql/<major>/bin);
`.ci/run` installs it. The server gets a fresh data folder in a temporary directory and a free
loopback port, trusts local connections (no password), and is deleted again on `stop()`::

    with ThrowawayPostgres().start() as db:
        db.create_database("camunda")
        engine_env = db.jdbc_env("camunda")   # ENGINE_JDBC_URL, ENGINE_JDBC_USER, ...

PostgreSQL refuses to run as root; when we are root it runs as the `postgres` user (created by
the package), or `nobody`, through `runuser`.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

__all__ = ["PostgresError", "ThrowawayPostgres", "postgres_bin_dir"]

START_TIMEOUT_S = 60.0
DB_USER = "camunda"  # the role the engines connect as (a superuser: it is a throwaway)


class PostgresError(RuntimeError):
    """PostgreSQL is not installed, or the throwaway server could not start."""


def postgres_bin_dir() -> Path:
    """Where initdb and pg_ctl are: pg_ctl on PATH, else the newest /usr/lib/postgresql/*/bin."""
    on_path = shutil.which("pg_ctl")
    if on_path is not None:
        return Path(on_path).resolve().parent
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda path: int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0,
    )
    if not found:
        raise PostgresError(
            "PostgreSQL is not installed (no pg_ctl on PATH or under /usr/lib/postgresql): "
            "apt-get install -y postgresql"
        )
    return found[-1].parent


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_user() -> str | None:
    """The user to run the server as: None (ourselves) unless we are root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise PostgresError("running as root, and neither user postgres nor nobody exists")


class ThrowawayPostgres:
    """One PostgreSQL server in a temporary folder, on a free loopback port."""

    def __init__(self) -> None:
        self.bin_dir = postgres_bin_dir()
        self.port = 0
        self._user = _server_user()
        self._root: Path | None = None

    @property
    def data_dir(self) -> Path:
        if self._root is None:
            raise PostgresError("not started")
        return self._root / "data"

    def start(self) -> ThrowawayPostgres:
        if self._root is not None:
            raise PostgresError("already started")
        self._root = Path(tempfile.mkdtemp(prefix="sms-postgres-"))
        if self._user is not None:
            owner = pwd.getpwnam(self._user)
            os.chown(self._root, owner.pw_uid, owner.pw_gid)
        self.port = _free_port()
        # pg_ctl leaves the server running on its own: stop it even when the caller forgets.
        atexit.register(self.stop)
        try:
            self._run(
                "initdb", "-D", str(self.data_dir), "-U", DB_USER, "--auth=trust",
                "--encoding=UTF8", "--no-sync",
            )  # fmt: skip
            # No durability: a throwaway server need not survive a crash of its own, and is faster.
            options = (
                f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self._root} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            )
            self._run(
                "pg_ctl", "-D", str(self.data_dir), "-l", str(self._root / "server.log"),
                "-o", options, "-w", "-t", str(int(START_TIMEOUT_S)), "start",
            )  # fmt: skip
        except PostgresError:
            self.stop()
            raise
        return self

    def create_database(self, name: str) -> str:
        """A new empty database; returns its name."""
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", DB_USER, name)
        return name

    def jdbc_url(self, database: str) -> str:
        return f"jdbc:postgresql://127.0.0.1:{self.port}/{database}"

    def jdbc_env(self, database: str) -> dict[str, str]:
        """The environment `dev/engine` reads its database from (see its application.yaml)."""
        return {
            "ENGINE_JDBC_URL": self.jdbc_url(database),
            "ENGINE_JDBC_USER": DB_USER,
            "ENGINE_JDBC_PASSWORD": "",
        }

    def stop(self) -> None:
        """Stop the server at once and delete its folder. Safe to call twice."""
        root, self._root = self._root, None
        if root is None:
            return
        atexit.unregister(self.stop)
        if (root / "data" / "postmaster.pid").exists():
            with contextlib.suppress(PostgresError):
                self._run("pg_ctl", "-D", str(root / "data"), "-m", "immediate", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin_dir / program), *args]
        if self._user is not None:
            command = ["runuser", "-u", self._user, "--", *command]
        started = time.monotonic()
        done = subprocess.run(  # noqa: S603 (fixed programs, our arguments)
            command,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=START_TIMEOUT_S + 10,
            check=False,
            # Not in our process group: a test's Ctrl-C reaches us, and stop() ends the server.
            start_new_session=True,
        )
        if done.returncode != 0:
            elapsed = time.monotonic() - started
            raise PostgresError(
                f"{program} failed ({done.returncode}, {elapsed:.1f} s): "
                f"{(done.stderr or done.stdout)[-2000:]}"
            )

    def __enter__(self) -> ThrowawayPostgres:
        return self if self._root is not None else self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
