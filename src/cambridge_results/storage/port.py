"""The storage port: the :class:`Store` protocol and the :class:`UnitOfWork`.

A use case opens one unit of work, reads and writes through it, and leaves
the ``with`` block: a clean exit commits, an exception rolls everything
back (storage is left unchanged) and propagates::

    with store.unit_of_work(actor="centre:GB123") as uow:
        uow.candidates.add(candidate)
        uow.events.append(at=now, kind="candidate-added", subject="centre:GB123", details={})

:class:`UnitOfWork` holds the shared behaviour once: argument checking,
canonical values, repositories and the event log.  A backend implements only
the small ``_``-prefixed primitives, which receive checked arguments.
:class:`BaseStore` holds the shared transaction bracket.
"""

from __future__ import annotations

import abc
import random
import threading
import time
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol, Self, TypeVar, runtime_checkable

from cambridge_results.errors import (
    ConcurrencyError,
    InvalidValue,
    NotFound,
    StorageError,
    WriteRefused,
)
from cambridge_results.storage.migrations import Catalog, Migration, build_catalog
from cambridge_results.storage.query import Order, Where, check_order, check_where
from cambridge_results.storage.schema import INT_MAX, INT_MIN, ColumnType, Key, Row, Table, Value

if TYPE_CHECKING:
    from types import TracebackType

    from cambridge_results.storage.events import EventLog
    from cambridge_results.storage.repositories import (
        AssociateRepository,
        CandidateRepository,
        CentreRepository,
        EntryRepository,
        SyllabusRepository,
    )

__all__ = [
    "MULTI_PROCESS",
    "PERSISTENT",
    "BaseStore",
    "Store",
    "UnitOfWork",
]

#: Capability: data survives closing the store and opening its URL again.
PERSISTENT = "persistent"
#: Capability: several OS processes may use one store at once, safely.
MULTI_PROCESS = "multi-process"

MAX_ACTOR = 200
MAX_SEQUENCE_NAME = 100
DEFAULT_BATCH = 500
#: How many times :meth:`BaseStore.run` tries a unit of work by default.
DEFAULT_ATTEMPTS = 5
#: The first retry pause of :meth:`BaseStore.run` is at most twice this (seconds).
BACKOFF = 0.01

T = TypeVar("T")


@runtime_checkable
class Store(Protocol):
    """A storage backend, opened with :func:`cambridge_results.storage.open_store`."""

    @property
    def url(self) -> str:
        """The URL that opens this store again (in another process too, if multi-process)."""
        ...

    @property
    def capabilities(self) -> frozenset[str]:
        """What this backend can do beyond the basics: :data:`PERSISTENT`, :data:`MULTI_PROCESS`."""
        ...

    def unit_of_work(
        self, *, actor: str, read_only: bool = False
    ) -> AbstractContextManager[UnitOfWork]:
        """A context manager giving a :class:`UnitOfWork` (one transaction)."""
        ...

    def run(
        self,
        work: Callable[[UnitOfWork], T],
        *,
        actor: str,
        read_only: bool = False,
        attempts: int = DEFAULT_ATTEMPTS,
    ) -> T:
        """``work(uow)`` in a unit of work, run again from the start on ConcurrencyError."""
        ...

    def migrate(self) -> int:
        """Apply pending migrations, each in its own transaction; return the schema version."""
        ...

    def schema_version(self) -> int:
        """The highest migration version applied to this store."""
        ...

    def close(self) -> None:
        """Release connections; the store cannot be used afterwards."""
        ...


def _check_actor(actor: object) -> str:
    if not isinstance(actor, str) or not actor.strip():
        raise InvalidValue("actor", "every unit of work names its actor (who is acting)")
    if len(actor) > MAX_ACTOR or "\x00" in actor:
        raise InvalidValue("actor", f"must be at most {MAX_ACTOR} characters of text")
    return actor


class UnitOfWork(abc.ABC):
    """One transaction: the primitives, the event log and the repositories.

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

    def insert(self, table: str, row: Mapping[str, Value]) -> Row:
        """Insert ``row``; return it as stored (defaults and auto key filled in)."""
        self._ready(write=True)
        t = self.table(table)
        return self._insert(t, t.check_row(row))

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
        changes: Mapping[str, Value],
        *,
        expect: Mapping[str, Value] | None = None,
    ) -> bool:
        """Change the row with ``key``; return whether a row was updated.

        With ``expect`` the update is a compare-and-set: it happens only if
        the row's current values equal ``expect`` (``None`` meaning NULL).
        False means no row has that key, or ``expect`` did not hold.
        """
        self._ready(write=True)
        t = self.table(table)
        checked_key = t.check_key(key)
        checked = t.check_changes(changes)
        expected = t.check_values(expect or {})
        for name in expected:
            if t.column(name).type is ColumnType.JSON:
                raise InvalidValue(f"expect.{name}", "a JSON column cannot be compared")
        if not checked:
            raise InvalidValue("changes", "name at least one column to change")
        return self._update(t, checked_key, checked, expected)

    def delete(self, table: str, key: Key) -> bool:
        """Delete the row with ``key``; return whether there was one."""
        self._ready(write=True)
        t = self.table(table)
        return self._delete(t, t.check_key(key))

    def select(
        self,
        table: str,
        where: Mapping[str, Any] | None = None,
        order_by: Sequence[str] = (),
        limit: int | None = None,
    ) -> list[Row]:
        """The rows matching ``where`` in ``order_by`` order (see :mod:`.query`)."""
        self._ready(write=False)
        t = self.table(table)
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)):
            raise InvalidValue("limit", "must be a whole number or None")
        if limit is not None and limit < 0:
            raise InvalidValue("limit", "must not be negative")
        return self._select(t, check_where(t, where), check_order(t, order_by), limit)

    def count(self, table: str, where: Mapping[str, Any] | None = None) -> int:
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
        if (
            not isinstance(sequence_name, str)
            or not sequence_name
            or len(sequence_name) > MAX_SEQUENCE_NAME
            or "\x00" in sequence_name
        ):
            raise InvalidValue("sequence_name", f"must be 1 to {MAX_SEQUENCE_NAME} characters")
        return self._next_number(sequence_name)

    def stream(
        self,
        table: str,
        where: Mapping[str, Any] | None = None,
        order_by: Sequence[str] = (),
        batch_size: int = DEFAULT_BATCH,
    ) -> Generator[Row, None, None]:
        """Iterate over matching rows in order, ``batch_size`` rows fetched at a time.

        Consume it inside the unit of work, and do not write to ``table``
        while streaming it.
        """
        self._ready(write=False)
        t = self.table(table)
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise InvalidValue("batch_size", "must be a whole number of at least 1")
        rows = self._stream(t, check_where(t, where), check_order(t, order_by), batch_size)
        return self._guarded(rows)

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

    # -- the event log and the repositories ------------------------------

    @cached_property
    def events(self) -> EventLog:
        """The append-only event log, written in this transaction."""
        from cambridge_results.storage.events import EventLog

        return EventLog(self)

    @cached_property
    def associates(self) -> AssociateRepository:
        """Cambridge Associates."""
        from cambridge_results.storage.repositories import AssociateRepository

        return AssociateRepository(self)

    @cached_property
    def centres(self) -> CentreRepository:
        """Centres, including Associate Centres."""
        from cambridge_results.storage.repositories import CentreRepository

        return CentreRepository(self)

    @cached_property
    def candidates(self) -> CandidateRepository:
        """Candidates of centres."""
        from cambridge_results.storage.repositories import CandidateRepository

        return CandidateRepository(self)

    @cached_property
    def syllabuses(self) -> SyllabusRepository:
        """Syllabuses with their components."""
        from cambridge_results.storage.repositories import SyllabusRepository

        return SyllabusRepository(self)

    @cached_property
    def entries(self) -> EntryRepository:
        """Candidates' entries per series and syllabus."""
        from cambridge_results.storage.repositories import EntryRepository

        return EntryRepository(self)

    # -- the primitives a backend implements -----------------------------

    @abc.abstractmethod
    def _insert(self, table: Table, row: Row) -> Row:
        """Insert a checked full row (auto column absent); return the stored row."""

    @abc.abstractmethod
    def _get(self, table: Table, key: Row, *, for_update: bool) -> Row | None:
        """The row with the checked key, or None."""

    @abc.abstractmethod
    def _update(self, table: Table, key: Row, changes: Row, expect: Row) -> bool:
        """Apply checked changes if the row exists and matches ``expect``."""

    @abc.abstractmethod
    def _delete(self, table: Table, key: Row) -> bool:
        """Delete by checked key; whether a row was deleted."""

    @abc.abstractmethod
    def _select(self, table: Table, where: Where, order: Order, limit: int | None) -> list[Row]:
        """Matching rows in the (total) order."""

    @abc.abstractmethod
    def _count(self, table: Table, where: Where) -> int:
        """The number of matching rows."""

    @abc.abstractmethod
    def _increment(self, table: Table, key: Row, column: str, by: int) -> int | None:
        """Atomically add ``by``; the new value, or None if there is no such row.

        Raise :class:`InvalidValue` (and change nothing) if the result would
        leave the 64-bit range.
        """

    @abc.abstractmethod
    def _next_number(self, name: str) -> int:
        """The next value of the named sequence."""

    @abc.abstractmethod
    def _stream(self, table: Table, where: Where, order: Order, batch_size: int) -> Iterator[Row]:
        """Matching rows in order, fetched in batches."""

    @abc.abstractmethod
    def _commit(self) -> None:
        """Make every write of this unit of work durable."""

    @abc.abstractmethod
    def _rollback(self) -> None:
        """Undo every write of this unit of work."""


class BaseStore(abc.ABC):
    """Shared store behaviour: actor checks, one open unit of work per thread, the bracket.

    A backend implements :meth:`_begin` (start a transaction, return its
    :class:`UnitOfWork`), :meth:`migrate`, :meth:`schema_version` and
    :meth:`close`, and sets ``url``, ``capabilities`` and ``migrations``.
    """

    url: str
    capabilities: frozenset[str]

    def __init__(self, migrations: Sequence[Migration]) -> None:
        self.migrations: tuple[Migration, ...] = tuple(migrations)
        self.catalog: Catalog = build_catalog(self.migrations)
        self._local = threading.local()
        self._closed = False

    @contextmanager
    def unit_of_work(self, *, actor: str, read_only: bool = False) -> Iterator[UnitOfWork]:
        """One transaction: commit on clean exit, roll back on any exception."""
        _check_actor(actor)
        if not isinstance(read_only, bool):
            raise InvalidValue("read_only", "must be True or False")
        if self._closed:
            raise StorageError(f"the store {self.url} is closed")
        if getattr(self._local, "active", False):
            raise StorageError("a unit of work is already open on this store in this thread")
        self._local.active = True
        try:
            uow = self._begin(actor=actor, read_only=read_only)
            try:
                yield uow
            except BaseException:
                uow._open = False
                uow._rollback()
                raise
            uow._open = False
            uow._commit()
        finally:
            self._local.active = False

    def run(
        self,
        work: Callable[[UnitOfWork], T],
        *,
        actor: str,
        read_only: bool = False,
        attempts: int = DEFAULT_ATTEMPTS,
    ) -> T:
        """Run ``work(uow)`` in a unit of work and return its result, retrying on conflict.

        When the backend reports a :class:`ConcurrencyError` (a deadlock, a
        serialization failure, a lock it could not get in time) the unit of
        work is rolled back and ``work`` runs again from the start in a new
        one, after a short random pause, up to ``attempts`` times in all; the
        last error propagates.  Any other exception rolls back and propagates
        at once.  ``work`` may therefore run more than once: keep side effects
        outside the store (mail, files) until ``run`` has returned.
        """
        if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
            raise InvalidValue("attempts", "must be a whole number of at least 1")
        attempt = 1
        while True:
            try:
                with self.unit_of_work(actor=actor, read_only=read_only) as uow:
                    return work(uow)
            except ConcurrencyError:
                if attempt >= attempts:
                    raise
            # Jittered exponential backoff, so that the same writers do not collide again.
            time.sleep(random.uniform(0, min(1.0, BACKOFF * 2**attempt)))  # noqa: S311 - not crypto
            attempt += 1

    @abc.abstractmethod
    def _begin(self, *, actor: str, read_only: bool) -> UnitOfWork:
        """Start a transaction and return its unit of work."""

    @abc.abstractmethod
    def migrate(self) -> int:
        """Apply pending migrations; return the schema version."""

    @abc.abstractmethod
    def schema_version(self) -> int:
        """The highest applied migration version."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release resources."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.url!r})"
