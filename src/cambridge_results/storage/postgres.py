"""The PostgreSQL store (``postgresql://...``): psycopg 3, installed with the ``postgres`` extra.

This module, :mod:`.postgres_unit` (the unit of work), :mod:`.postgres_support`
(URLs and error translation, re-exported here) and :mod:`.postgres_migrations`
are the only ones that import :mod:`psycopg`; ``open_store`` imports them only for a
``postgresql://`` or ``postgres://`` URL, and says which extra to install
when the driver is missing.

URLs are libpq connection URIs, plus one parameter of ours::

    postgresql://user@db.example.org:5432/results
    postgresql://user@db.example.org/results?sslmode=require&application_name=board
    postgresql:///results?host=/var/run/postgresql          (a Unix socket)
    postgresql://user@db.example.org/results?schema=board_2026

Every libpq parameter is passed through unchanged.  ``schema=NAME`` (a
lower-case SQL name) keeps the store's tables in that schema: it is put
first on the connections' ``search_path`` and created by the first
migration.  Give passwords through ``PGPASSWORD`` or a ``.pgpass`` file
rather than in the URL: :attr:`PostgresStore.url` has to reopen the store in
other processes, so it keeps the URL as given (``repr`` masks a password).

Behaviour, and why:

* The schema, values and results are exactly the SQLite store's (the
  conformance suite checks it): ``text`` compares and sorts with
  ``COLLATE "C"`` (code-point order), NULLs first ascending, instants are
  ``timestamptz`` read back in UTC, JSON is ``json`` (kept as written: ``jsonb``
  would turn ``1e16`` into an integer).
* Writing units of work run at READ COMMITTED, read-only ones at REPEATABLE
  READ (one consistent snapshot, which never fails to serialise).  The
  concurrency primitives are single statements that are atomic at READ
  COMMITTED: ``increment``, compare-and-set ``update(..., expect=...)``,
  ``next_number`` and unique indexes; ``get(..., for_update=True)`` locks
  the row; ``lock(name)`` takes a transaction-level advisory lock (no row
  written) with the unit's next statement.  Unlike SQLite, writers run
  side by side; a use case that reads and then writes without these
  primitives is not protected against a concurrent writer (docs/storage.md).
* Inserts use ``ON CONFLICT DO NOTHING``: a refused row leaves the
  transaction usable with no savepoint, because thousands of savepoints in
  one bulk unit of work overflow PostgreSQL's per-backend subtransaction
  cache and slow the whole server.  Updates that touch a uniquely indexed
  column run inside a savepoint for the same reason SQLite undoes just the
  statement: a caught :class:`DuplicateError` leaves the unit of work usable.
  Updates and deletes of append-only tables are refused before any SQL runs
  (a trigger refuses them too, whoever connects).
* Deadlocks, serialization failures and lock timeouts raise
  :class:`ConcurrencyError`, which :meth:`BaseStore.run` retries with the
  whole unit of work; migrations retry themselves.
* Migrators take a transaction-level advisory lock keyed by the schema, so
  two processes migrating one database apply each migration once: the
  second waits, then finds nothing (or less) to do.
* A provisional unit of work (``BaseStore.unit_of_work(provisional=True)``)
  sends its statements in autocommit, so each commits on its own with no
  ``BEGIN`` or ``COMMIT`` round trip, under ``synchronous_commit = off``:
  visible at once, on disk within the server's WAL writer delay or with
  the next ordinary commit, whose flush covers every earlier WAL record.
  The setting is made once per connection; from then on that connection's
  ordinary writing units begin with ``SET LOCAL synchronous_commit TO on``
  in the same round trip as their ``BEGIN``.
* Fewer round trips (pipeline mode): a unit of work's ``BEGIN`` goes with
  its first statement; a statement in its own savepoint goes with its
  ``SAVEPOINT`` and ``RELEASE``; ``select_many``, ``update_many`` and
  ``write_many`` send theirs together (a provisional unit's writes are one
  implicit transaction: they commit together, at the pipeline's end); an
  ``insert_if_absent_later`` goes with the unit's next statement; what a
  provisional ``send_many`` sent is answered after the thread's next
  statements are sent, while the server runs them.
  Statements sent one at a time share one cursor per unit of work.
* One connection per thread and per process (autocommit mode; we issue
  ``BEGIN`` and ``COMMIT``), opened on first use with ``TimeZone=UTC``, the
  schema's ``search_path`` and a ``lock_timeout``; a forked child opens its
  own and never touches (or closes) its parent's.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

import psycopg

from cambridge_results.errors import InvalidValue, StorageError
from cambridge_results.storage.migrations import Migration, check_history
from cambridge_results.storage.port import MULTI_PROCESS, PERSISTENT, BaseStore, UnitOfWork
from cambridge_results.storage.postgres_migrations import migrate_all, recorded_versions
from cambridge_results.storage.postgres_support import (
    connect,
    parse_url,
    redacted,
    translate_error,
)
from cambridge_results.storage.postgres_unit import PostgresUnitOfWork
from cambridge_results.storage.postgres_wire import wire
from cambridge_results.storage.primitives import Prepared

__all__ = ["PostgresStore", "PostgresUnitOfWork", "parse_url", "redacted", "translate_error"]

T = TypeVar("T")
DEFAULT_LOCK_TIMEOUT = 30.0
_BEGIN_WRITE = ("BEGIN ISOLATION LEVEL READ COMMITTED, READ WRITE",)
_BEGIN_READ = ("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY",)
#: An ordinary writing unit on a connection a provisional one set to asynchronous commits.
_BEGIN_WRITE_SYNCED = (*_BEGIN_WRITE, "SET LOCAL synchronous_commit TO on")
# Connections inherited across fork(): never used, and kept referenced so that
# garbage collection cannot close them, which would end the parent's session.
_INHERITED: list[psycopg.Connection[Any]] = []


class PostgresStore(BaseStore):
    """A PostgreSQL database (or one schema of it); safe for many threads and processes."""

    capabilities: frozenset[str] = frozenset({PERSISTENT, MULTI_PROCESS})

    def __init__(
        self,
        url: str,
        *,
        migrations: Sequence[Migration],
        migrate: bool = True,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    ) -> None:
        super().__init__(migrations)
        self._conninfo, self.schema = parse_url(url)
        self.url = url
        if isinstance(lock_timeout, bool) or not isinstance(lock_timeout, int | float):
            raise InvalidValue("lock_timeout", "must be a number of seconds")
        if lock_timeout <= 0:
            raise InvalidValue("lock_timeout", "must be more than 0 seconds")
        self.lock_timeout = float(lock_timeout)
        # (process id, connection): a forked child closes only its own.
        self._connections: list[tuple[int, psycopg.Connection[Any]]] = []
        self._connections_lock = threading.Lock()
        #: Selects prepared per shape, shared by this store's units of work.
        self.prepared_selects: dict[Hashable, Prepared | None] = {}
        try:
            if migrate:
                self.migrate()
            else:
                self.schema_version()
        except BaseException:
            self.close()
            raise

    @classmethod
    def from_url(
        cls, url: str, *, migrations: Sequence[Migration], migrate: bool = True
    ) -> PostgresStore:
        """Open a ``postgresql://`` or ``postgres://`` URL (see the module docstring)."""
        return cls(url, migrations=migrations, migrate=migrate)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({redacted(self.url)!r})"

    # -- connections -------------------------------------------------------

    def _connect(self) -> psycopg.Connection[Any]:
        conn = connect(self._conninfo, lock_timeout=self.lock_timeout, schema=self.schema)
        with self._connections_lock:
            self._connections.append((os.getpid(), conn))
        return conn

    def _connection(self, *, read: bool = True) -> psycopg.Connection[Any]:
        """This thread's connection; ``read=False`` leaves a send's answer to the unit's wire."""
        if self._closed:
            raise StorageError(f"the store {redacted(self.url)} is closed")
        local = self._local
        conn: psycopg.Connection[Any] | None = getattr(local, "conn", None)
        if conn is not None and getattr(local, "pid", None) != os.getpid():
            _INHERITED.append(conn)
            conn = None
        if conn is None or conn.closed:
            conn = self._connect()
            local.conn = conn
            local.pid = os.getpid()
            local.wire = wire(conn)
        # What a unit sent without waiting (send_many) is read before psycopg itself
        # uses the connection; a unit's wire reads it after sending its own statements.
        if read:
            local.wire.read_unread()
        return conn

    def _begin_write(self, conn: psycopg.Connection[Any]) -> tuple[str, ...]:
        """An ordinary writing unit's ``BEGIN``: synced, even where provisional ones are not."""
        unsynced = getattr(self._local, "unsynced", None) is conn
        return _BEGIN_WRITE_SYNCED if unsynced else _BEGIN_WRITE

    def _begin_provisional(self, *, actor: str) -> UnitOfWork:
        conn = self._connection(read=False)
        if getattr(self._local, "unsynced", None) is not conn:
            self._local.wire.read_unread()
            self._run(lambda: conn.execute("SET synchronous_commit TO off"))
            self._local.unsynced = conn
        return PostgresUnitOfWork(self, conn, actor=actor, read_only=False, provisional=True)

    def _begin(self, *, actor: str, read_only: bool) -> UnitOfWork:
        conn = self._connection(read=False)
        # The BEGIN goes with the unit's first statement, in one round trip; a
        # connection the server dropped while idle (a restart, a timeout) is
        # replaced then (PostgresUnitOfWork._pipelined).
        begin = _BEGIN_READ if read_only else self._begin_write(conn)
        return PostgresUnitOfWork(self, conn, actor=actor, read_only=read_only, begin=begin)

    def _run(self, action: Callable[[], T]) -> T:
        try:
            return action()
        except psycopg.Error as exc:
            raise translate_error(exc, self.catalog) from exc

    # -- migrations ----------------------------------------------------------

    def schema_version(self) -> int:
        """The highest applied migration; :class:`SchemaTooNew` if the code is older."""
        return check_history(recorded_versions(self._connection(), self._run), self.migrations)

    def migrate(self) -> int:
        """Apply pending migrations, each in its own transaction under the migration lock.

        Two processes migrating one database (or schema) at once: the second
        waits for the first's advisory lock, then applies only what is still
        pending, or nothing.  A migration that hits a deadlock or lock
        timeout is retried a few times before :class:`ConcurrencyError`.
        """
        conn = self._connection()
        begin = functools.partial(self._begin_write, conn)
        return migrate_all(conn, self.migrations, schema=self.schema, begin=begin, run=self._run)

    def close(self) -> None:
        """Close every connection this store opened in this process (reading what was sent)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None and not conn.closed:
            wire(conn).read_unread()
        self._closed = True
        with self._connections_lock:
            connections, self._connections = self._connections, []
        mine = os.getpid()
        for pid, conn in connections:
            if pid == mine:
                conn.close()
            else:
                _INHERITED.append(conn)
