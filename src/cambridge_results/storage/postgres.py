"""The PostgreSQL store (``postgresql://...``): psycopg 3, installed with the ``postgres`` extra.

This module, :mod:`.postgres_support` (URLs and error translation,
re-exported here) and :mod:`.postgres_migrations` are the only ones that
import :mod:`psycopg`; ``open_store`` imports them only for a
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

import contextlib
import functools
import itertools
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

import psycopg
from psycopg.pq import TransactionStatus

from cambridge_results.errors import InvalidValue, StorageError, WriteRefused
from cambridge_results.storage import sql
from cambridge_results.storage.later import Later
from cambridge_results.storage.migrations import Migration, check_history
from cambridge_results.storage.port import MULTI_PROCESS, PERSISTENT, BaseStore, UnitOfWork
from cambridge_results.storage.postgres_migrations import migrate_all, recorded_versions
from cambridge_results.storage.postgres_support import (
    SAVEPOINT,
    alone,
    connect,
    equalities,
    parse_url,
    redacted,
    stored_row,
    touches_unique,
    translate_error,
)
from cambridge_results.storage.postgres_wire import Answer, wire
from cambridge_results.storage.query import Order, Where
from cambridge_results.storage.schema import Row, Table

__all__ = ["PostgresStore", "PostgresUnitOfWork", "parse_url", "redacted", "translate_error"]

T = TypeVar("T")
D = sql.POSTGRESQL
DEFAULT_LOCK_TIMEOUT = 30.0
_BEGIN_WRITE = ("BEGIN ISOLATION LEVEL READ COMMITTED, READ WRITE",)
_BEGIN_READ = ("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY",)
#: An ordinary writing unit on a connection a provisional one set to asynchronous commits.
_BEGIN_WRITE_SYNCED = (*_BEGIN_WRITE, "SET LOCAL synchronous_commit TO on")
#: UnitOfWork.lock: a transaction-level advisory lock on a 64-bit hash of the name and
#: the schema the store's tables are in (current_schema(), however the URL named it).
_LOCK = (
    "SELECT pg_advisory_xact_lock(hashtextextended("
    "'cambridge_results.lock:' || coalesce(current_schema(), '') || ':' || %s::text, 0))"
)
_CURSOR_NUMBERS = itertools.count(1)
# Connections inherited across fork(): never used, and kept referenced so that
# garbage collection cannot close them, which would end the parent's session.
_INHERITED: list[psycopg.Connection[Any]] = []


class PostgresUnitOfWork(UnitOfWork):
    """A unit of work inside one PostgreSQL transaction."""

    def __init__(
        self,
        store: PostgresStore,
        conn: psycopg.Connection[Any],
        *,
        actor: str,
        read_only: bool,
        provisional: bool = False,
        begin: tuple[str, ...] | None = None,
    ) -> None:
        super().__init__(catalog=store.catalog, actor=actor, read_only=read_only)
        self._store = store
        self._conn = conn
        local = store._local
        self._wire = local.wire if getattr(local, "conn", None) is conn else wire(conn)
        self.provisional = provisional
        #: The ``BEGIN`` not sent yet: it goes with the first statement, in one round trip.
        self._begin_text = begin
        #: Writes held back (insert_later, bump): they go with the next statement or COMMIT.
        self._pending: list[sql.Statement] = []
        #: Held-back inserts whose answer is awaited: (index in _pending, table, row, answer).
        self._awaited: list[tuple[int, Table, Row, Later[Row | None]]] = []

    # -- executing -----------------------------------------------------------

    def _execute(self, statement: sql.Statement) -> Answer:
        return self._pipelined([statement])[0]

    def _pipelined(self, statements: Sequence[sql.Statement]) -> list[Answer]:
        """Run ``statements`` in order in one round trip (:mod:`.postgres_wire`); their answers.

        The ``BEGIN`` not sent yet goes first, then the writes held back.  The first statement that
        fails raises (translated) once all have been answered, and those
        after it did not run.  A connection the server dropped while idle is
        replaced when nothing of this unit of work has run yet, as
        :meth:`PostgresStore._begin` did when it sent the ``BEGIN`` itself.
        """
        begin, self._begin_text = self._begin_text, None
        held: list[sql.Statement] = [(command, []) for command in begin or ()]
        first = len(held)
        held += self._pending
        statements, self._pending, skip = [*held, *statements], [], len(held)
        awaited, self._awaited = self._awaited, []
        try:
            answers = self._wire.run(statements)
        except psycopg.Error as exc:
            if begin is None or not (
                isinstance(exc, psycopg.OperationalError) and self._conn.closed
            ):
                raise translate_error(exc, self.catalog) from exc
            self._conn = self._store._connection()
            self._wire = wire(self._conn)
            try:
                answers = self._wire.run(statements)
            except psycopg.Error as exc:
                raise translate_error(exc, self.catalog) from exc
        for at, table, row, later in awaited:
            later.set(stored_row(table, row, answers[first + at]))
        return answers[skip:]

    def _in_savepoint(self, statement: sql.Statement) -> Answer:
        """Run one statement so that, if it fails, only it is undone (one round trip)."""
        try:
            return self._pipelined(alone(statement))[1]
        except StorageError:
            self._undo_statement()
            raise

    def _undo_statement(self) -> None:
        """Undo the statement that failed in its savepoint (``SAVEPOINT``), and only it."""
        if not self._conn.closed:
            with contextlib.suppress(psycopg.Error):
                self._conn.execute(f"ROLLBACK TO SAVEPOINT {SAVEPOINT}")

    def _exists(self, table: Table, where: Where) -> bool:
        return self._execute(sql.exists(D, table, where)).fetchone() is not None

    def _refuse_append_only(self, table: Table, where: Where) -> bool:
        # Refused before SQL, as SQLite's trigger and the memory store do: an
        # existing row is WriteRefused, a missing one is just "no row".
        if self._exists(table, where):
            raise WriteRefused(f"{table.name} is append-only")
        return False

    # -- the primitives ------------------------------------------------------

    def _insert(self, table: Table, row: Row) -> Row:
        stored = self._insert_if_absent(table, row)
        if stored is None:
            raise table.duplicate(self._conflict(table, row))
        return stored

    def _conflict(self, table: Table, row: Row) -> tuple[str, ...]:
        """The columns of the unique index a skipped insert ran into."""
        if table.auto_column is None:
            key = {name: row[name] for name in table.primary_key}
            if self._exists(table, equalities(key)):
                return table.primary_key
        for index in table.unique:
            if not index.applies_to(row):
                continue
            where = equalities({c: row[c] for c in index.columns})
            where.update(equalities(dict(index.where or ())))
            if self._exists(table, where):
                return index.columns
        # The clashing row went away after the insert skipped it (deleted meanwhile).
        return tuple(c for index in table.key_indexes for c in index.columns)

    def _insert_later(self, table: Table, row: Row) -> None:
        if self.provisional:
            self._insert(table, row)  # every statement commits as it runs
        else:
            self._pending.append(sql.insert(D, table, row, returning=False))

    def _insert_if_absent_later(self, table: Table, row: Row) -> Later[Row | None]:
        later: Later[Row | None] = Later(self._send_held)
        self._awaited.append((len(self._pending), table, row, later))
        self._pending.append(sql.insert(D, table, row, skip_conflicts=True))
        return later

    def _send_held(self) -> None:
        """Send the writes held back now (a :class:`Later` read before the next statement)."""
        if self._open and self._pending:
            self._pipelined([])

    def _insert_if_absent(self, table: Table, row: Row) -> Row | None:
        return stored_row(table, row, self._execute(sql.insert(D, table, row, skip_conflicts=True)))

    def _get(self, table: Table, key: Row, *, for_update: bool) -> Row | None:
        raw = self._execute(sql.get(D, table, key, for_update=for_update)).fetchone()
        return None if raw is None else sql.decode_row(D, table, raw)

    def _update(self, table: Table, key: Row, changes: Row, expect: Row) -> bool:
        if table.append_only:
            if any(name in key and key[name] != value for name, value in expect.items()):
                return False
            return self._refuse_append_only(table, equalities({**expect, **key}))
        statement = sql.update(D, table, key, changes, expect)
        if touches_unique(table, changes):
            return self._in_savepoint(statement).rowcount == 1
        return self._execute(statement).rowcount == 1

    def _update_many(self, updates: Sequence[tuple[Table, Row, Row, Row]]) -> list[bool]:
        if len(updates) < 2 or any(t.append_only for t, *_ in updates):
            return super()._update_many(updates)
        # In one round trip; one touching a unique column in its savepoint, as in _update.
        statements: list[sql.Statement] = []
        at, savepoints = list[int](), False
        for table, key, changes, expect in updates:
            update = sql.update(D, table, key, changes, expect)
            unique = touches_unique(table, changes)
            savepoints = savepoints or unique
            at.append(len(statements) + unique)
            statements += alone(update) if unique else [update]
        try:
            cursors = self._pipelined(statements)
        except StorageError:
            if savepoints:  # the update that failed, if it had a savepoint
                self._undo_statement()
            raise
        return [cursors[i].rowcount == 1 for i in at]

    def _update_where(
        self, table: Table, where: Where, changes: Row, copies: Mapping[str, str]
    ) -> int:
        if table.append_only:
            return int(self._refuse_append_only(table, where))
        return int(self._execute(sql.update_where(D, table, where, changes, copies)).rowcount)

    def _delete(self, table: Table, key: Row) -> bool:
        if table.append_only:
            return self._refuse_append_only(table, equalities(key))
        return self._execute(sql.delete(D, table, key)).rowcount == 1

    def _select(self, table: Table, where: Where, order: Order, limit: int | None) -> list[Row]:
        rows = self._execute(sql.select(D, table, where, order, limit)).fetchall()
        return sql.decode_rows(D, table, rows)

    def _select_many(
        self, selects: Sequence[tuple[Table, Where, Order, int | None]]
    ) -> list[list[Row]]:
        if len(selects) < 2:
            return [self._select(*s) for s in selects]
        cursors = self._pipelined([sql.select(D, *s) for s in selects])
        return [
            sql.decode_rows(D, s[0], cursor.fetchall())
            for s, cursor in zip(selects, cursors, strict=True)
        ]

    def _write_many(self, writes: Sequence[tuple[Table, Row, bool]]) -> list[Row | bool]:
        if len(writes) < 2 or any(t.append_only and not ins for t, _, ins in writes):
            return super()._write_many(writes)
        cursors = self._pipelined(
            [
                sql.insert(D, t, values, skip_conflicts=True) if ins else sql.delete(D, t, values)
                for t, values, ins in writes
            ]
        )
        done: list[Row | bool] = []
        for (t, values, ins), cursor in zip(writes, cursors, strict=True):
            if not ins:
                done.append(cursor.rowcount == 1)
            elif (stored := stored_row(t, values, cursor)) is not None:
                done.append(stored)
            else:
                raise t.duplicate(self._conflict(t, values))
        return done

    def _send_many(self, writes: Sequence[tuple[Table, Row, bool]]) -> None:
        sendable = not self._pending and not any(t.append_only and not i for t, _, i in writes)
        if self.provisional and sendable:  # else held-back writes or a refusal come first
            statements = [sql.insert(D, t, v) if i else sql.delete(D, t, v) for t, v, i in writes]
            try:
                self._wire.send(statements)
            except psycopg.Error as exc:
                raise translate_error(exc, self.catalog) from exc
            self._begin_text = ()  # this unit's next statement reads the answer first
        else:
            super()._send_many(writes)

    def _count(self, table: Table, where: Where) -> int:
        row = self._execute(sql.count(D, table, where)).fetchone()
        return 0 if row is None else int(row[0])

    def _increment(self, table: Table, key: Row, column: str, by: int) -> int | None:
        if table.append_only:
            self._refuse_append_only(table, equalities(key))
            return None
        raw = self._execute(sql.increment(D, table, key, column, by)).fetchone()
        if raw is not None:
            return int(raw[0])
        if self._exists(table, equalities(key)):
            raise InvalidValue(f"{table.name}.{column}", "would leave the 64-bit integer range")
        return None

    def _next_number(self, name: str) -> int:
        statement = sql.next_number(D, self.table("sequences"), name)
        row = self._execute(statement).fetchone()
        assert row is not None  # an upsert with RETURNING always returns its row
        return int(row[0])

    def _bump(self, name: str) -> None:
        if self.provisional:
            self._next_number(name)
        else:
            self._pending.append(sql.next_number(D, self.table("sequences"), name))

    def _lock(self, name: str) -> None:
        # An advisory lock: no tuple written, so no WAL (unlike bump's upsert).
        statement: sql.Statement = (_LOCK, [name])
        if self.provisional:
            self._execute(statement)
        else:
            self._pending.append(statement)

    def _stream(self, table: Table, where: Where, order: Order, batch_size: int) -> Iterator[Row]:
        # A server-side cursor: only batch_size rows are held in memory at a time.
        name = f"cr_stream_{next(_CURSOR_NUMBERS)}"
        text, params = sql.select(D, table, where, order, None)
        self._execute((f"DECLARE {name} NO SCROLL CURSOR FOR {text}", params))
        try:
            while rows := self._execute((f"FETCH FORWARD {batch_size} FROM {name}", [])).fetchall():
                for raw in rows:
                    yield sql.decode_row(D, table, raw)
        finally:
            # After the unit of work ended the cursor is gone with its
            # transaction, and the connection may be in another one by now.
            if self._open and not self._conn.closed:
                with contextlib.suppress(psycopg.Error):
                    self._conn.execute(f"CLOSE {name}")

    def _savepoint(self, name: str) -> None:
        self._execute((f"SAVEPOINT {name}", []))

    def _release(self, name: str) -> None:
        self._execute((f"RELEASE SAVEPOINT {name}", []))

    def _rollback_to(self, name: str) -> None:
        # Also recovers a transaction that a failed statement inside the block left
        # in error: the unit of work goes on from the savepoint.
        self._pipelined([(f"ROLLBACK TO SAVEPOINT {name}", []), (f"RELEASE SAVEPOINT {name}", [])])

    def _commit(self) -> None:
        if self.provisional and self._pending:
            self._pipelined([])  # a held-back insert: it commits as it runs
        if self.provisional or (self._begin_text is not None and not self._pending):
            return  # every statement committed as it ran, or none ran
        status = self._conn.info.transaction_status
        if status == TransactionStatus.INERROR:
            # PostgreSQL would answer COMMIT with a silent ROLLBACK here.
            self._rollback()
            raise StorageError(
                "PostgreSQL: a statement of this unit of work failed, so nothing was committed"
            )
        try:
            # The writes held back, if any, then COMMIT, in one round trip.
            cursor = self._pipelined([("COMMIT", [])])[0]
        except StorageError:
            self._rollback()
            raise
        except psycopg.Error as exc:
            self._rollback()
            raise translate_error(exc, self.catalog) from exc
        if cursor.statusmessage == "ROLLBACK":
            raise StorageError("PostgreSQL rolled this unit of work back instead of committing it")

    def _rollback(self) -> None:
        self._pending.clear()
        self._awaited.clear()
        if self._conn.closed:
            return
        self._wire.read_unread()
        if self._conn.info.transaction_status == TransactionStatus.IDLE:
            return
        try:
            self._conn.execute("ROLLBACK")
        except psycopg.Error:
            # The session is unusable; the server rolls back when it closes.
            self._conn.close()


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
