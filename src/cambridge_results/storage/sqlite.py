"""The SQLite store (``sqlite:///relative.db``, ``sqlite:////absolute.db``): stdlib ``sqlite3``.

The embedded default.  Settings and why:

* WAL journal: readers never block the writer, nor the writer readers.
* ``synchronous=FULL``: a committed unit of work survives power loss.
  A provisional unit of work (``BaseStore.unit_of_work(provisional=True)``)
  runs each statement in SQLite's autocommit under ``synchronous=NORMAL``:
  visible at once, its WAL frames on disk with the next ``FULL`` commit's
  fsync (or a checkpoint).  The setting is switched only when it changes:
  the connection stays at ``NORMAL`` after a provisional unit, and the next
  ordinary writing unit (or migration) sets ``FULL`` again before its
  ``BEGIN``, so a run of provisional units costs no ``PRAGMA``.  A
  provisional unit's ``write_many`` commits its writes together, in one
  transaction.
* ``foreign_keys=ON``: raw-SQL migrations may declare references.
* Writing units of work start with ``BEGIN IMMEDIATE`` (the write lock is
  taken up front, so two writers never deadlock upgrading read locks, and an
  ``increment`` or ``next_number`` cannot lose an update); read-only ones use
  a deferred ``BEGIN`` (a consistent snapshot, no lock).
* A busy timeout: a writer waits for the lock instead of failing at once;
  if it still cannot get it, :class:`ConcurrencyError` (retry the use case).
* One connection per thread and per process, opened on first use; a forked
  child opens its own instead of using its parent's.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import pendulum

from cambridge_results.errors import (
    ConcurrencyError,
    DuplicateError,
    InvalidValue,
    StorageError,
    WriteRefused,
)
from cambridge_results.storage import sql
from cambridge_results.storage.migrations import (
    Migration,
    check_history,
)
from cambridge_results.storage.port import (
    MULTI_PROCESS,
    PERSISTENT,
    SERIAL_WRITES,
    BaseStore,
    UnitOfWork,
)
from cambridge_results.storage.prepared import PreparedSelect, prepare_select
from cambridge_results.storage.primitives import Prepared
from cambridge_results.storage.query import Order, Where
from cambridge_results.storage.schema import Row, Table

__all__ = ["SQLiteStore", "SQLiteUnitOfWork", "translate_error"]

T = TypeVar("T")
D = sql.SQLITE
DEFAULT_BUSY_TIMEOUT = 30.0
_UNIQUE = re.compile(r"UNIQUE constraint failed: (.+)")


def translate_error(exc: sqlite3.Error) -> StorageError:
    """The library's error for a driver error; the text names tables and columns, never values."""
    message = str(exc)
    if isinstance(exc, sqlite3.IntegrityError):
        if (m := _UNIQUE.search(message)) is not None:
            parts = [p.strip() for p in m.group(1).split(",")]
            table = parts[0].split(".", 1)[0]
            columns = ", ".join(p.split(".", 1)[-1] for p in parts)
            return DuplicateError(f"{table}: duplicate value for ({columns})")
        if "is append-only" in message:
            return WriteRefused(message)
    # The primary result code (the low byte) covers the extended ones, such as
    # SQLITE_BUSY_SNAPSHOT and SQLITE_LOCKED_SHAREDCACHE; the text is a fallback
    # for errors raised without a code.
    code = getattr(exc, "sqlite_errorcode", None)
    busy = code is not None and code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    if busy or (
        isinstance(exc, sqlite3.OperationalError) and ("locked" in message or "busy" in message)
    ):
        return ConcurrencyError(
            f"the SQLite database stayed busy or locked by another unit of work ({message})"
        )
    return StorageError(f"SQLite: {message}")


def _run(action: Callable[[], T]) -> T:
    try:
        return action()
    except sqlite3.Error as exc:
        raise translate_error(exc) from exc


#: ``?mode=`` of a SQLite URL: read-only, read-write (the file must exist), or
#: read-write-create (the default).
MODES = ("ro", "rw", "rwc")


def _split_url(url: str) -> tuple[str, str]:
    prefix = "sqlite:///"
    if not isinstance(url, str) or not url.startswith(prefix) or len(url) == len(prefix):
        raise InvalidValue("url", "a SQLite URL looks like sqlite:///results.db")
    raw, _, query = url[len(prefix) :].partition("?")
    if not raw or raw == ":memory:" or raw.startswith("file:"):
        raise InvalidValue("url", "use memory:// for a store in memory; SQLite URLs name a file")
    return raw, query


def path_from_url(url: str) -> Path:
    """The file of a ``sqlite:///`` URL (four slashes for an absolute path), without
    its options (``?mode=ro``)."""
    return Path(_split_url(url)[0])


def mode_from_url(url: str) -> str:
    """The ``mode`` option of a ``sqlite:///`` URL (``?mode=ro``; default ``rwc``).

    Any other option, or another mode, is an :class:`InvalidValue`.
    """
    mode = "rwc"
    _, query = _split_url(url)
    for option in filter(None, query.split("&")):
        name, _, value = option.partition("=")
        if name != "mode" or value not in MODES:
            raise InvalidValue(
                "url", f"a SQLite URL takes only ?mode=ro, rw or rwc, not {option!r}"
            )
        mode = value
    return mode


class SQLiteUnitOfWork(UnitOfWork):
    """A unit of work inside one SQLite transaction."""

    def __init__(
        self,
        store: SQLiteStore,
        conn: sqlite3.Connection,
        *,
        actor: str,
        read_only: bool,
        provisional: bool = False,
        cursor: sqlite3.Cursor | None = None,
    ):
        super().__init__(catalog=store.catalog, actor=actor, read_only=read_only)
        self._conn = conn
        if provisional:
            self.provisional = True
        #: The cursor of every statement whose answer is read at once (all but a
        #: stream's): a cursor of its own per statement (``conn.execute``) costs about
        #: a fifth of a short statement.  Its next statement resets the last one.
        self._cursor = conn.cursor() if cursor is None else cursor
        self._prepared = store.prepared_selects

    def _execute(self, statement: sql.Statement) -> sqlite3.Cursor:
        """Run ``statement`` on the unit's cursor: read its answer before the next one."""
        try:
            return self._cursor.execute(*statement)
        except sqlite3.Error as exc:
            raise translate_error(exc) from exc

    def _fetch(self, statement: sql.Statement) -> list[tuple[object, ...]]:
        """Every row ``statement`` gives."""
        try:
            return self._cursor.execute(*statement).fetchall()
        except sqlite3.Error as exc:
            raise translate_error(exc) from exc

    def _insert(self, table: Table, row: Row) -> Row:
        stored = self._inserted(table, row, self._execute(sql.insert(D, table, row)))
        assert stored is not None  # a refused insert raised DuplicateError
        return stored

    def _insert_later(self, table: Table, row: Row) -> None:
        # Inserted at once, as the port allows; nobody reads it back, so no RETURNING.
        self._execute(sql.insert(D, table, row, returning=False))

    def _insert_if_absent(self, table: Table, row: Row) -> Row | None:
        cursor = self._execute(sql.insert(D, table, row, skip_conflicts=True))
        return self._inserted(table, row, cursor)

    def _inserted(self, table: Table, row: Row, cursor: sqlite3.Cursor) -> Row | None:
        """The stored row of an insert (its auto key read back), or None if it was skipped."""
        if table.auto_column is None:
            return sql.stored_row(table, row) if cursor.rowcount == 1 else None
        # Every row fetched: in autocommit the statement commits only once it is done.
        try:
            rows = cursor.fetchall()
        except sqlite3.Error as exc:
            raise translate_error(exc) from exc
        return sql.stored_row(table, row, rows[0][0]) if rows else None

    def _get(self, table: Table, key: Row, *, for_update: bool) -> Row | None:
        rows = self._fetch(sql.get(D, table, key, for_update=for_update))
        return sql.decode_row(D, table, rows[0]) if rows else None

    def _update(self, table: Table, key: Row, changes: Row, expect: Row) -> bool:
        return self._execute(sql.update(D, table, key, changes, expect)).rowcount == 1

    def _update_where(
        self, table: Table, where: Where, changes: Row, copies: Mapping[str, str]
    ) -> int:
        return self._execute(sql.update_where(D, table, where, changes, copies)).rowcount

    def _delete(self, table: Table, key: Row) -> bool:
        return self._execute(sql.delete(D, table, key)).rowcount == 1

    def _select(self, table: Table, where: Where, order: Order, limit: int | None) -> list[Row]:
        return sql.decode_rows(D, table, self._fetch(sql.select(D, table, where, order, limit)))

    def _prepare_select(
        self, table: Table, where: Where, order: Order, limit: int | None
    ) -> PreparedSelect | None:
        return prepare_select(D, table, where, order, limit)

    def _select_prepared(self, bound: Sequence[tuple[Prepared, list[Any]]]) -> list[list[Row]]:
        execute = self._cursor.execute
        done = []
        try:
            for prepared, params in bound:
                assert isinstance(prepared, PreparedSelect)  # made by _prepare_select
                done.append(prepared.rows(execute(prepared.text, params).fetchall()))
        except sqlite3.Error as exc:
            raise translate_error(exc) from exc
        return done

    def _write_many(self, writes: Sequence[tuple[Table, Row, bool]]) -> list[Row | bool]:
        if not self.provisional or len(writes) < 2:
            return super()._write_many(writes)
        # A provisional unit's writes commit together, as on PostgreSQL: one WAL commit.
        _run(lambda: self._conn.execute("BEGIN IMMEDIATE"))
        try:
            done = super()._write_many(writes)
        except BaseException:
            _run(lambda: self._conn.execute("ROLLBACK"))
            raise
        _run(lambda: self._conn.execute("COMMIT"))
        return done

    def _count(self, table: Table, where: Where) -> int:
        (value,) = _run(self._execute(sql.count(D, table, where)).fetchone)
        return int(value)

    def _increment(self, table: Table, key: Row, column: str, by: int) -> int | None:
        raw = _run(self._execute(sql.increment(D, table, key, column, by)).fetchone)
        if raw is not None:
            return int(raw[0])
        if self._get(table, key, for_update=False) is not None:
            raise InvalidValue(f"{table.name}.{column}", "would leave the 64-bit integer range")
        return None

    def _next_number(self, name: str) -> int:
        statement = sql.next_number(D, self.table("sequences"), name)
        (value,) = _run(self._execute(statement).fetchone)
        return int(value)

    def _stream(self, table: Table, where: Where, order: Order, batch_size: int) -> Iterator[Row]:
        # A cursor of its own: the caller runs other statements between batches.
        cursor = _run(lambda: self._conn.execute(*sql.select(D, table, where, order, None)))
        try:
            while batch := _run(lambda: cursor.fetchmany(batch_size)):
                for raw in batch:
                    yield sql.decode_row(D, table, raw)
        finally:
            cursor.close()

    def _savepoint(self, name: str) -> None:
        _run(lambda: self._conn.execute(f"SAVEPOINT {name}"))

    def _release(self, name: str) -> None:
        _run(lambda: self._conn.execute(f"RELEASE SAVEPOINT {name}"))

    def _rollback_to(self, name: str) -> None:
        # ROLLBACK TO keeps the savepoint on SQLite's stack; RELEASE takes it off.
        _run(lambda: self._conn.execute(f"ROLLBACK TO SAVEPOINT {name}"))
        _run(lambda: self._conn.execute(f"RELEASE SAVEPOINT {name}"))

    def _commit(self) -> None:
        if self.provisional:
            self._end_provisional()
            return
        try:
            self._cursor.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            raise translate_error(exc) from exc

    def _rollback(self) -> None:
        if self._conn.in_transaction:
            _run(lambda: self._conn.execute("ROLLBACK"))
        if self.provisional:
            self._end_provisional()

    def _end_provisional(self) -> None:
        # A statement still open (a stream left unfinished) ends with the unit.  The
        # connection stays at synchronous=NORMAL: SQLiteStore._durable sets FULL again.
        if self._conn.in_transaction:
            _run(lambda: self._conn.execute("COMMIT"))


class SQLiteStore(BaseStore):
    """A SQLite database file; safe for several threads and processes at once."""

    capabilities: frozenset[str] = frozenset({PERSISTENT, MULTI_PROCESS, SERIAL_WRITES})

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        migrations: Sequence[Migration],
        migrate: bool = True,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        mode: str = "rwc",
    ) -> None:
        super().__init__(migrations)
        if mode not in MODES:
            raise InvalidValue("mode", f"must be one of {', '.join(MODES)}")
        self.path = Path(path).resolve()
        self.mode = mode
        self.url = f"sqlite:///{self.path}" + ("" if mode == "rwc" else f"?mode={mode}")
        self.busy_timeout = busy_timeout
        self._connections: list[sqlite3.Connection] = []
        self._inherited: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        #: Selects prepared per shape, shared by this store's units of work.
        self.prepared_selects: dict[Hashable, Prepared | None] = {}
        if migrate:
            self.migrate()
        else:
            self.schema_version()

    @classmethod
    def from_url(
        cls, url: str, *, migrations: Sequence[Migration], migrate: bool = True
    ) -> SQLiteStore:
        """Open ``sqlite:///path.db`` (created if missing; ``?mode=rw``: must exist,
        ``?mode=ro``: read only)."""
        return cls(
            path_from_url(url),
            migrations=migrations,
            migrate=migrate,
            mode=mode_from_url(url),
        )

    # -- connections -------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(
                f"{self.path.as_uri()}?mode={self.mode}",
                uri=True,
                timeout=self.busy_timeout,
                isolation_level=None,  # we issue BEGIN/COMMIT ourselves
                check_same_thread=False,  # one per thread still; close() may run elsewhere
            )
        except sqlite3.Error as exc:
            # The path is what a user needs to see: a mistyped name, a missing directory.
            raise StorageError(f"cannot open the SQLite database {self.path}: {exc}") from exc

        def configure() -> None:
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")

        try:
            _run(configure)
        except BaseException:
            conn.close()
            raise
        with self._connections_lock:
            self._connections.append(conn)
        return conn

    def _connection(self) -> sqlite3.Connection:
        if self._closed:
            raise StorageError(f"the store {self.url} is closed")
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            if getattr(local, "conn", None) is not None:
                # A forked child must not use (or close) its parent's connection.
                self._inherited.append(local.conn)
            local.conn = self._connect()
            local.pid = os.getpid()
            local.waits = True  # synchronous=FULL, as _connect set it
        conn: sqlite3.Connection = local.conn
        return conn

    def _waiting(self, conn: sqlite3.Connection, waits: bool) -> None:
        """Set this thread's ``conn`` to ``synchronous=FULL`` (``waits``) or ``NORMAL``.

        Only when it changes: the thread's last setting is remembered.
        """
        if self._local.waits is not waits:
            _run(lambda: conn.execute(f"PRAGMA synchronous = {'FULL' if waits else 'NORMAL'}"))
            self._local.waits = waits

    def _begin_provisional(self, *, actor: str) -> UnitOfWork:
        conn = self._connection()
        self._waiting(conn, False)
        return SQLiteUnitOfWork(self, conn, actor=actor, read_only=False, provisional=True)

    def _begin(self, *, actor: str, read_only: bool) -> UnitOfWork:
        conn = self._connection()
        if not read_only:
            self._waiting(conn, True)
        cursor = conn.cursor()
        _run(lambda: cursor.execute("BEGIN DEFERRED" if read_only else "BEGIN IMMEDIATE"))
        return SQLiteUnitOfWork(self, conn, actor=actor, read_only=read_only, cursor=cursor)

    # -- migrations ----------------------------------------------------------

    def _recorded(self, conn: sqlite3.Connection) -> dict[int, str]:
        exists = _run(
            lambda: conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                (sql.SCHEMA_VERSION_TABLE,),
            ).fetchone()
        )
        if exists is None:
            return {}
        rows = _run(lambda: conn.execute(sql.recorded_versions(D)).fetchall())
        return {int(v): str(n) for v, n in rows}

    def schema_version(self) -> int:
        """The highest applied migration; :class:`SchemaTooNew` if the code is older."""
        conn = self._connection()
        return check_history(self._recorded(conn), self.migrations)

    def migrate(self) -> int:
        """Apply pending migrations, each in its own ``BEGIN IMMEDIATE`` transaction.

        Two processes migrating one file at once: one takes the write lock and
        applies a migration; the other waits, then sees it applied and goes on
        with the next pending one, or does nothing.
        """
        conn = self._connection()
        self._waiting(conn, True)
        while True:
            _run(lambda: conn.execute("BEGIN IMMEDIATE"))
            try:
                _run(lambda: conn.execute(sql.schema_version_ddl(D)))
                current = check_history(self._recorded(conn), self.migrations)
                if current < len(self.migrations):
                    self._apply(conn, self.migrations[current])
                _run(lambda: conn.execute("COMMIT"))
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            if current == len(self.migrations):
                return current

    def _apply(self, conn: sqlite3.Connection, migration: Migration) -> None:
        for statement, _ in sql.migration_statements(D, self.migrations, migration):
            try:
                conn.execute(statement)
            except sqlite3.Error as exc:
                raise translate_error(exc) from exc
        text, params = sql.record_version(D, migration.version, migration.name, pendulum.now("UTC"))
        _run(lambda: conn.execute(text, params))

    def close(self) -> None:
        """Close every connection this store opened in this process."""
        self._closed = True
        with self._connections_lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            if conn not in self._inherited:
                conn.close()
