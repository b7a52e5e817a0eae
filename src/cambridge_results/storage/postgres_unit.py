"""A PostgreSQL store's unit of work: its statements, pipelined (:mod:`.postgres_wire`).

:class:`~.postgres.PostgresStore` begins one per unit of work on this
thread's connection; the behaviour and its reasons are in :mod:`.postgres`'s
docstring.  Like that module, this one imports :mod:`psycopg`, and is
imported only for a ``postgresql://`` or ``postgres://`` URL.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
from collections.abc import Hashable, Iterator, Mapping, Sequence
from typing import Any, Protocol

import psycopg
from psycopg.pq import TransactionStatus

from cambridge_results.errors import InvalidValue, StorageError, WriteRefused
from cambridge_results.storage import sql
from cambridge_results.storage.later import Later
from cambridge_results.storage.migrations import Catalog
from cambridge_results.storage.port import UnitOfWork
from cambridge_results.storage.postgres_support import (
    SAVEPOINT,
    alone,
    equalities,
    stored_row,
    touches_unique,
    translate_error,
)
from cambridge_results.storage.postgres_wire import Answer, wire
from cambridge_results.storage.prepared import PreparedSelect, prepare_select
from cambridge_results.storage.primitives import Prepared
from cambridge_results.storage.query import Order, Where
from cambridge_results.storage.schema import Row, Table

__all__ = ["PostgresUnitOfWork"]

D = sql.POSTGRESQL
#: UnitOfWork.lock: a transaction-level advisory lock on a 64-bit hash of the name and
#: the schema the store's tables are in (current_schema(), however the URL named it).
_LOCK = (
    "SELECT pg_advisory_xact_lock(hashtextextended("
    "'cambridge_results.lock:' || coalesce(current_schema(), '') || ':' || %s::text, 0))"
)
_CURSOR_NUMBERS = itertools.count(1)


class _Store(Protocol):
    """What a unit of work uses of its :class:`~.postgres.PostgresStore` (no import cycle)."""

    @property
    def catalog(self) -> Catalog: ...
    @property
    def _local(self) -> threading.local: ...
    @property
    def prepared_selects(self) -> dict[Hashable, Prepared | None]: ...
    def _connection(self, *, read: bool = True) -> psycopg.Connection[Any]: ...


class PostgresUnitOfWork(UnitOfWork):
    """A unit of work inside one PostgreSQL transaction."""

    def __init__(
        self,
        store: _Store,
        conn: psycopg.Connection[Any],
        *,
        actor: str,
        read_only: bool,
        provisional: bool = False,
        begin: tuple[str, ...] | None = None,
    ) -> None:
        super().__init__(catalog=store.catalog, actor=actor, read_only=read_only)
        self._store = store
        self._prepared = store.prepared_selects
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

    def _prepare_select(
        self, table: Table, where: Where, order: Order, limit: int | None
    ) -> PreparedSelect | None:
        return prepare_select(D, table, where, order, limit)

    def _select_prepared(self, bound: Sequence[tuple[Prepared, list[Any]]]) -> list[list[Row]]:
        statements: list[sql.Statement] = []
        selects: list[PreparedSelect] = []
        for prepared, params in bound:
            assert isinstance(prepared, PreparedSelect)  # made by _prepare_select
            selects.append(prepared)
            statements.append((prepared.text, params))
        if len(statements) == 1:
            return [selects[0].rows(self._execute(statements[0]).fetchall())]
        cursors = self._pipelined(statements) if statements else []
        return [p.rows(c.fetchall()) for p, c in zip(selects, cursors, strict=True)]

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
