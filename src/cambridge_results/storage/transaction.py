"""One transaction's primitives: the checked row operations every backend implements.

:class:`Transaction` holds the shared behaviour once: argument checking
against the catalog and canonical values.  A backend implements only the
small ``_``-prefixed primitives of :class:`~.primitives.Primitives`, which
receive checked arguments.  The
repositories and the event log are written over it;
:class:`~cambridge_results.storage.port.UnitOfWork` adds them.
"""

from __future__ import annotations

import itertools
from collections.abc import Generator, Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cached_property
from typing import Any

from cambridge_results.errors import (
    InvalidValue,
    NotFound,
    StorageError,
    WriteRefused,
)
from cambridge_results.storage.later import Later
from cambridge_results.storage.migrations import Catalog
from cambridge_results.storage.primitives import Prepared, Primitives
from cambridge_results.storage.query import (
    Delete,
    Insert,
    Order,
    Select,
    Update,
    Where,
    WhereInput,
    check_copies,
    check_order,
    check_where,
)
from cambridge_results.storage.schema import INT_MAX, INT_MIN, ColumnType, Key, Row, RowInput, Table

__all__ = ["DEFAULT_BATCH", "MAX_ACTOR", "PREPARED_LIMIT", "Later", "Transaction", "check_actor"]

MAX_ACTOR = 200
MAX_SEQUENCE_NAME = 100
DEFAULT_BATCH = 500
#: How many prepared selects a store keeps before starting afresh (a key per ``In`` length).
PREPARED_LIMIT = 1024


def check_actor(actor: object) -> str:
    if not isinstance(actor, str) or not actor.strip():
        raise InvalidValue("actor", "every unit of work names its actor (who is acting)")
    if len(actor) > MAX_ACTOR or "\x00" in actor:
        raise InvalidValue("actor", f"must be at most {MAX_ACTOR} characters of text")
    return actor


class Transaction(Primitives):
    """One transaction's primitives: checked reads and writes of rows.

    Every public method checks its arguments against the catalog and raises
    :class:`InvalidValue` before touching storage.  Unique violations raise
    :class:`DuplicateError`; writes in a read-only unit of work, and updates
    or deletes of an append-only table, raise :class:`WriteRefused`.
    """

    def __init__(self, *, catalog: Catalog, actor: str, read_only: bool) -> None:
        self.catalog = catalog
        self.actor = actor
        self.read_only = read_only
        self._open = True

    #: True in a provisional unit of work: every statement commits on its own
    #: (:meth:`~cambridge_results.storage.port.BaseStore.unit_of_work`).  The class
    #: attributes are the defaults: a unit of work sets only what differs.
    provisional = False
    #: True in an ordinary writing unit of a store that declares
    #: :data:`~cambridge_results.storage.port.SERIAL_WRITES`: no other writing
    #: unit runs until this one ends, so it needs no lock of its own.
    writes_alone = False

    #: The backend's prepared selects, shared by its units of work (:meth:`_bound_select`),
    #: or None where the backend prepares none.
    _prepared: dict[Hashable, Prepared | None] | None = None

    @cached_property
    def _savepoint_numbers(self) -> itertools.count[int]:
        """Savepoint names are unique within the unit of work, so nesting never shadows."""
        return itertools.count(1)

    # -- shared behaviour -------------------------------------------------

    def table(self, name: str) -> Table:
        """The current definition of table ``name``."""
        try:
            return self.catalog[name]
        except (KeyError, TypeError):
            raise InvalidValue("table", f"there is no table {name!r}") from None

    def _ready(self, *, write: bool) -> None:
        if not self._open:
            raise StorageError("this unit of work has ended; open a new one")
        if write and self.read_only:
            raise WriteRefused("this unit of work is read-only")

    def insert(self, table: str, row: RowInput) -> Row:
        """Insert ``row``; return it as stored (defaults and auto key filled in)."""
        self._ready(write=True)
        t = self.table(table)
        return self._insert(t, t.check_row(row))

    def insert_later(self, table: str, row: RowInput) -> None:
        """Insert ``row``, whose stored form the caller does not need, perhaps a little later.

        The row is checked now (:class:`InvalidValue` at once).  A backend
        may hold the insert back and send it with this unit of work's next
        statement, or with its commit, in the same round trip (PostgreSQL);
        the others insert it at once.  Either way it is inserted before
        anything after it runs, so later reads see it; but an error of the
        insert itself (a :class:`DuplicateError`) may be raised by that next
        statement or by the commit instead of here, and the unit of work is
        then rolled back.  For rows nothing can refuse: an event, rows keyed
        by a key just made.
        """
        self._ready(write=True)
        t = self.table(table)
        self._insert_later(t, t.check_row(row))

    def insert_if_absent(self, table: str, row: RowInput) -> Row | None:
        """Insert ``row`` unless a row already holds its key or a unique value; one statement.

        Returns the row as stored, or ``None`` when a row was already there
        (``INSERT ... ON CONFLICT DO NOTHING``): no
        :class:`DuplicateError`, and the unit of work stays usable on every
        backend without a savepoint.  Of any number of simultaneous
        ``insert_if_absent`` of one key, exactly one returns a row.
        """
        self._ready(write=True)
        t = self.table(table)
        return self._insert_if_absent(t, t.check_row(row))

    def insert_if_absent_later(self, table: str, row: RowInput) -> Later[Row | None]:
        """:meth:`insert_if_absent`, whose answer may come with this unit's next statement.

        The row is checked now (:class:`InvalidValue` at once).  A backend
        may hold the insert back and send it with the unit of work's next
        statement (PostgreSQL: a count in advance and the read after it in
        one round trip), or with its end; the others run it at once.  Either
        way it runs before anything after it, and the returned
        :class:`Later`'s ``value`` is what :meth:`insert_if_absent` returns
        (reading it earlier sends the insert then).
        """
        self._ready(write=True)
        t = self.table(table)
        return self._insert_if_absent_later(t, t.check_row(row))

    def get(self, table: str, key: Key, *, for_update: bool = False) -> Row | None:
        """The row with primary key ``key``, or ``None``.

        ``for_update`` locks the row against other writers until the unit of
        work ends, where the backend locks rows at all (SQLite locks the whole
        database for every writing unit of work anyway).
        """
        self._ready(write=for_update)
        t = self.table(table)
        return self._get(t, t.check_key(key), for_update=for_update)

    def require(self, table: str, key: Key, *, for_update: bool = False) -> Row:
        """Like :meth:`get` but :class:`NotFound` when there is no such row."""
        row = self.get(table, key, for_update=for_update)
        if row is None:
            raise NotFound(f"{table}: no row with that key")
        return row

    def update(
        self,
        table: str,
        key: Key,
        changes: RowInput,
        *,
        expect: RowInput | None = None,
    ) -> bool:
        """Change the row with ``key``; return whether a row was updated.

        With ``expect`` the update is a compare-and-set: it happens only if
        the row's current values equal ``expect`` (``None`` meaning NULL).
        False means no row has that key, or ``expect`` did not hold.
        """
        self._ready(write=True)
        return self._update(*self._checked_update(table, key, changes, expect))

    def update_many(self, updates: Sequence[Update]) -> list[bool]:
        """Each :class:`~.query.Update`'s result, as :meth:`update` gives it, in order.

        For updates that do not depend on each other's results: every one is
        checked before any runs, and a backend may send them together
        (PostgreSQL sends them in one round trip).  An update refused by a
        unique index raises :class:`DuplicateError` as :meth:`update` does:
        that one is undone and the unit of work stays usable, the updates
        before it stay done and those after it do not run.
        """
        self._ready(write=True)
        if not isinstance(updates, Sequence):
            raise InvalidValue("updates", "must be a sequence of Update")
        checked = []
        for u in updates:
            if not isinstance(u, Update):
                raise InvalidValue("updates", f"must hold Update values, not {type(u).__name__}")
            checked.append(self._checked_update(u.table, u.key, u.changes, u.expect))
        return self._update_many(checked)

    def update_where(
        self,
        table: str,
        where: WhereInput | None,
        changes: RowInput,
        *,
        copy: Mapping[str, str] | None = None,
    ) -> int:
        """Change every row matching ``where`` in one statement; return how many changed.

        ``changes`` sets columns to values; ``copy`` sets each column named
        as a key to what the column named as its value held before the
        statement (``{"password_hash": "pending_hash"}``), so a copied
        column can be cleared in the same call.  Neither may name a column
        of the primary key or of a unique index (a set-based write has no
        one row to blame for a clash: use :meth:`update`), nor one column
        twice; a copy's two columns have one type, and a column that cannot
        be NULL copies only one that cannot either.  An append-only table
        with a matching row is refused (:class:`WriteRefused`), unchanged.
        """
        self._ready(write=True)
        t = self.table(table)
        checked_where = check_where(t, where)
        checked = t.check_changes(changes)
        copies = check_copies(t, copy, checked)
        if not checked and not copies:
            raise InvalidValue("changes", "name at least one column to change")
        unique = {c for index in t.unique for c in index.columns}
        for name in (*checked, *copies):
            if name in unique:
                raise InvalidValue(
                    f"{table}.{name}", "a column of a unique index changes only by update"
                )
        return self._update_where(t, checked_where, checked, copies)

    def _checked_update(
        self, table: str, key: Key, changes: RowInput, expect: RowInput | None
    ) -> tuple[Table, Row, Row, Row]:
        """The table, key, changes and ``expect`` of an update, checked."""
        t = self.table(table)
        checked_key = t.check_key(key)
        checked = t.check_changes(changes)
        expected = t.check_values(expect or {})
        by_name = t.columns_by_name
        for name in expected:
            if by_name[name].type is ColumnType.JSON:
                raise InvalidValue(f"expect.{name}", "a JSON column cannot be compared")
        if not checked:
            raise InvalidValue("changes", "name at least one column to change")
        return t, checked_key, checked, expected

    def delete(self, table: str, key: Key) -> bool:
        """Delete the row with ``key``; return whether there was one."""
        self._ready(write=True)
        t = self.table(table)
        return self._delete(t, t.check_key(key))

    def select(
        self,
        table: str,
        where: WhereInput | None = None,
        order_by: Sequence[str] = (),
        limit: int | None = None,
    ) -> list[Row]:
        """The rows matching ``where`` in ``order_by`` order (see :mod:`.query`)."""
        self._ready(write=False)
        if self._prepared is not None:
            bound = self._bound_select(table, where, order_by, limit)
            if bound is not None:
                return self._select_prepared([bound])[0]
        return self._select(*self._checked_select(table, where, order_by, limit))

    def select_many(self, selects: Sequence[Select]) -> list[list[Row]]:
        """The rows of each :class:`~.query.Select`, as :meth:`select` gives them, in order.

        For reads that do not depend on each other: every one is checked
        before any runs, and a backend may send them together (PostgreSQL
        sends them in one round trip; the others run them one after
        another).  Each sees what this unit of work wrote before the call.
        """
        self._ready(write=False)
        if type(selects) is not list and (
            isinstance(selects, Select) or not isinstance(selects, Sequence)
        ):
            raise InvalidValue("selects", "must be a sequence of Select")
        if self._prepared is not None:
            bound = []
            for s in selects:
                if type(s) is not Select:
                    break
                one = self._bound_select(s.table, s.where, s.order_by, s.limit)
                if one is None:
                    break
                bound.append(one)
            else:
                return self._select_prepared(bound)
        checked = []
        for s in selects:
            if not isinstance(s, Select):
                raise InvalidValue("selects", f"must hold Select values, not {type(s).__name__}")
            checked.append(self._checked_select(s.table, s.where, s.order_by, s.limit))
        return self._select_many(checked)

    def write_many(self, writes: Sequence[Insert | Delete]) -> list[Row | bool]:
        """Each :class:`~.query.Insert`'s stored row and each :class:`~.query.Delete`'s result.

        For writes that do not depend on each other's results, in order, as
        :meth:`insert` and :meth:`delete` do them: every one is checked
        before any runs, and a backend may send them together (PostgreSQL
        sends them in one round trip).  In a provisional unit of work the SQL
        backends commit them together, as one transaction.  An insert refused as a duplicate raises
        :class:`DuplicateError`; the writes after it may have run (roll the
        unit back), so use it where no duplicate is expected.  A delete of an
        append-only table is refused as :meth:`delete` refuses it.
        """
        self._ready(write=True)
        return self._write_many(self._checked_writes(writes))

    def send_many(self, writes: Sequence[Insert | Delete]) -> None:
        """:meth:`write_many` whose answer nobody waits for: checked now, perhaps run just after.

        For writes nothing refuses (a row keyed by an auto key, a delete) whose
        results the caller does not need.  Every one is checked before any
        runs (:class:`InvalidValue` at once, nothing sent).  In a provisional
        unit of work a backend may send them and return before they have run:
        PostgreSQL sends them as one statement string, which the server runs
        and commits as one transaction, and reads its answer when this
        thread next uses the store (so this thread's next unit of work sees
        them, as does every statement the server runs after them); an error
        of theirs is then logged (``cambridge_results.storage``, WARNING)
        rather than raised, and undoes them all.  In an ordinary unit of
        work, and on the other backends, it is :meth:`write_many`.
        """
        self._ready(write=True)
        self._send_many(self._checked_writes(writes))

    def _checked_writes(self, writes: Sequence[Insert | Delete]) -> list[tuple[Table, Row, bool]]:
        if type(writes) is not list and not isinstance(writes, Sequence):
            raise InvalidValue("writes", "must be a sequence of Insert and Delete")
        checked: list[tuple[Table, Row, bool]] = []
        for w in writes:
            if isinstance(w, Insert):
                t = self.table(w.table)
                checked.append((t, t.check_row(w.row), True))
            elif isinstance(w, Delete):
                t = self.table(w.table)
                checked.append((t, t.check_key(w.key), False))
            else:
                raise InvalidValue("writes", f"must hold Insert and Delete, not {type(w).__name__}")
        return checked

    def _checked_select(
        self, table: str, where: WhereInput | None, order_by: Sequence[str], limit: int | None
    ) -> tuple[Table, Where, Order, int | None]:
        t = self.table(table)
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)):
            raise InvalidValue("limit", "must be a whole number or None")
        if limit is not None and limit < 0:
            raise InvalidValue("limit", "must not be negative")
        return t, check_where(t, where), check_order(t, order_by), limit

    def _bound_select(
        self, table: str, where: WhereInput | None, order_by: Sequence[str], limit: int | None
    ) -> tuple[Prepared, list[Any]] | None:
        """A read as its backend's prepared select and parameters, or ``None`` for the general
        path (arguments of another kind, or a shape or value the prepared path does not take).

        Prepared selects are keyed by table, ``order_by``, whether limited and the
        ``where``'s columns in order; the first read of a key is checked by the general
        path, which raises what it raises, and prepares the key (or marks it unprepared).
        """
        prepared = self._prepared
        assert prepared is not None
        if (
            type(order_by) is not tuple
            or (where is not None and type(where) is not dict)
            or (limit is not None and (type(limit) is not int or limit < 0))
        ):
            return None
        key = (table, order_by, limit is not None, *(where or ()))
        try:
            found = prepared[key]
        except TypeError:  # an unhashable table or column of order_by: the general path says
            return None
        except KeyError:
            found = self._prepare_select(*self._checked_select(table, where, order_by, limit))
            if len(prepared) >= PREPARED_LIMIT:
                prepared.clear()
            prepared[key] = found
        if found is None:
            return None
        params = found.bind(where, limit)
        return None if params is None else (found, params)

    def count(self, table: str, where: WhereInput | None = None) -> int:
        """How many rows match ``where``."""
        self._ready(write=False)
        t = self.table(table)
        return self._count(t, check_where(t, where))

    def increment(self, table: str, key: Key, column: str, by: int = 1) -> int:
        """Add ``by`` to an int column atomically and return the new value.

        Concurrent units of work (threads or processes) lose no increment.
        :class:`NotFound` if there is no row with ``key``; :class:`InvalidValue`
        if the result would leave the 64-bit range (the row is left as it was).
        """
        self._ready(write=True)
        t = self.table(table)
        checked_key = t.check_key(key)
        c = t.column(column)
        if c.type is not ColumnType.INT or c.name in t.primary_key:
            raise InvalidValue(f"{table}.{column}", "only a non-key int column can be incremented")
        if isinstance(by, bool) or not isinstance(by, int) or not INT_MIN <= by <= INT_MAX:
            raise InvalidValue("by", "must be a whole number in the 64-bit range")
        value = self._increment(t, checked_key, c.name, by)
        if value is None:
            raise NotFound(f"{table}: no row with that key")
        return value

    def next_number(self, sequence_name: str) -> int:
        """The next number of a named sequence: 1, 2, 3, ...; unique across processes.

        Callers must tolerate gaps: a backend may skip numbers (a rolled-back
        unit of work may or may not give its number back).
        """
        self._ready(write=True)
        return self._next_number(self._sequence_name(sequence_name))

    def _sequence_name(self, sequence_name: object) -> str:
        if (
            not isinstance(sequence_name, str)
            or not sequence_name
            or len(sequence_name) > MAX_SEQUENCE_NAME
            or "\x00" in sequence_name
        ):
            raise InvalidValue("sequence_name", f"must be 1 to {MAX_SEQUENCE_NAME} characters")
        return sequence_name

    def bump(self, sequence_name: str) -> None:
        """Take the next number of a sequence without reading it: :meth:`next_number`
        for its lock.

        The sequence's row stays locked against other units of work until
        this one ends, as after :meth:`next_number`; a backend may send the
        statement with this unit of work's next one, in the same round trip
        (PostgreSQL), so that the lock is taken before that statement runs.
        """
        self._ready(write=True)
        self._bump(self._sequence_name(sequence_name))

    def stream(
        self,
        table: str,
        where: WhereInput | None = None,
        order_by: Sequence[str] = (),
        batch_size: int = DEFAULT_BATCH,
    ) -> Generator[Row, None, None]:
        """Iterate over matching rows in order, ``batch_size`` rows fetched at a time.

        Consume it inside the unit of work, and do not write to ``table``
        while streaming it.
        """
        self._ready(write=False)
        if self.provisional:
            raise StorageError("a provisional unit of work cannot stream: use select")
        t = self.table(table)
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise InvalidValue("batch_size", "must be a whole number of at least 1")
        rows = self._stream(t, check_where(t, where), check_order(t, order_by), batch_size)
        return self._guarded(rows)

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A block whose writes are undone on their own if it raises.

        ::

            with uow.savepoint():
                uow.insert("things", row)
                check(row)  # raising here undoes only the insert

        A clean exit keeps the block's writes in the unit of work (they
        commit or roll back with it).  If the block raises, every write made
        in it (nested savepoints included) is undone, the exception
        propagates, and the unit of work goes on as it was before the block.
        Savepoints nest.  A stream opened inside the block must be finished
        inside it.
        """
        self._ready(write=False)
        if self.provisional:
            raise StorageError("a provisional unit of work has no savepoints: statements commit")
        name = f"cr_savepoint_{next(self._savepoint_numbers)}"
        self._savepoint(name)
        try:
            yield
        except BaseException:
            if self._open:
                self._rollback_to(name)
            raise
        if self._open:
            self._release(name)

    def _guarded(self, rows: Iterator[Row]) -> Generator[Row, None, None]:
        # Checked before every fetch, not after: once the unit of work has
        # ended, the backend's cursor must not be touched again (its
        # connection may be in another unit of work by then).
        try:
            while True:
                if not self._open:
                    raise StorageError("this unit of work ended while its rows were being streamed")
                try:
                    row = next(rows)
                except StopIteration:
                    return
                yield row
        finally:
            close = getattr(rows, "close", None)
            if close is not None:
                close()
