"""A throwaway PostgreSQL server for test sessions: initdb and pg_ctl on a temporary directory.

PostgreSQL refuses to run as root, so when the tests run as root (as CI
does) the server runs as the ``postgres`` system user that Debian's
``postgresql`` package creates.  Nothing here touches an existing cluster.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType

__all__ = ["PostgresNotAvailable", "TemporaryPostgres", "find_postgres_bindir"]


class PostgresNotAvailable(RuntimeError):
    """No PostgreSQL server binaries (initdb, pg_ctl) could be found or started."""


def find_postgres_bindir() -> Path | None:
    """The directory holding ``initdb`` and ``pg_ctl``, newest version first, or ``None``."""
    env = os.environ.get("CAMBRIDGE_RESULTS_PG_BINDIR")
    candidates = [env] if env else []
    candidates += sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[4]), reverse=True
    )
    found = shutil.which("pg_ctl")
    if found:
        candidates.append(str(Path(found).resolve().parent))
    for c in candidates:
        if c and (Path(c) / "initdb").exists() and (Path(c) / "pg_ctl").exists():
            return Path(c)
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class TemporaryPostgres:
    """Start a private PostgreSQL server on 127.0.0.1; ``url`` connects to it.

    Use as a context manager; the server and its directory are removed on exit.
    ``fsync=True`` makes commits durable (the default is off, for tests).
    """

    def __init__(self, bindir: Path | None = None, *, fsync: bool = False) -> None:
        found = bindir or find_postgres_bindir()
        if found is None:
            raise PostgresNotAvailable(
                "PostgreSQL server binaries (initdb, pg_ctl) were not found; install Debian's "
                "'postgresql' package or set CAMBRIDGE_RESULTS_PG_BINDIR"
            )
        self.bindir = found
        #: Tests run with fsync off (nothing needs to survive a power cut); a
        #: benchmark comparing with SQLite's synchronous=FULL turns it on.
        self.fsync = fsync
        self.port = _free_port()
        self._tmp = Path(tempfile.mkdtemp(prefix="cr-pg-"))
        self.datadir = self._tmp / "data"
        self._run_as: list[str] = []
        if os.geteuid() == 0:
            try:
                user = pwd.getpwnam("postgres")
            except KeyError as exc:
                raise PostgresNotAvailable(
                    "running as root needs the 'postgres' system user to run the server"
                ) from exc
            os.chown(self._tmp, user.pw_uid, user.pw_gid)
            self._run_as = ["runuser", "-u", "postgres", "--"]

    @property
    def url(self) -> str:
        """A ``postgresql://`` URL for the server's ``postgres`` database."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        result = subprocess.run(  # noqa: S603 - fixed binaries from the PostgreSQL bindir
            [*self._run_as, *args], capture_output=True, text=True, check=False, cwd=self._tmp
        )
        if result.returncode != 0:
            raise PostgresNotAvailable(
                f"{Path(args[0]).name} failed ({result.returncode}): "
                f"{(result.stderr or result.stdout).strip()[-2000:]}"
            )

    def start(self) -> TemporaryPostgres:
        """Create the cluster and start the server; wait until it accepts connections."""
        self._run(
            str(self.bindir / "initdb"),
            "-D", str(self.datadir), "-U", "postgres", "-A", "trust", "-E", "UTF8",
            "--no-sync",
        )  # fmt: skip
        options = (
            f"-p {self.port} -k {self._tmp} -c listen_addresses=127.0.0.1 "
            f"-c fsync={'on' if self.fsync else 'off'} -c max_connections=200"
        )
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D", str(self.datadir), "-o", options, "-l", str(self._tmp / "server.log"),
            "-w", "-t", "60", "start",
        )  # fmt: skip
        return self

    def stop(self) -> None:
        """Stop the server at once and remove its directory."""
        try:
            if (self.datadir / "postmaster.pid").exists():
                self._run(
                    str(self.bindir / "pg_ctl"),
                    "-D",
                    str(self.datadir),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                )
        finally:
            shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self) -> TemporaryPostgres:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
