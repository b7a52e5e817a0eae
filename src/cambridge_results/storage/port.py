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
import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from functools import cached_property
from typing import TYPE_CHECKING, Protocol, Self, TypeVar, runtime_checkable

from cambridge_results.errors import ConcurrencyError, InvalidValue, StorageError
from cambridge_results.storage.events import EventLog
from cambridge_results.storage.migrations import Catalog, Migration, build_catalog
from cambridge_results.storage.repositories import (
    AssociateRepository,
    CandidateRepository,
    CentreRepository,
    EntryRepository,
    SyllabusRepository,
)
from cambridge_results.storage.transaction import Transaction, check_actor

if TYPE_CHECKING:
    from types import TracebackType

__all__ = [
    "MULTI_PROCESS",
    "PERSISTENT",
    "SERIAL_WRITES",
    "BaseStore",
    "Store",
    "UnitOfWork",
]

#: Capability: data survives closing the store and opening its URL again.
PERSISTENT = "persistent"
#: Capability: several OS processes may use one store at once, safely.
MULTI_PROCESS = "multi-process"
#: Capability: writing units of work run one at a time, each from its start to its end
#: (SQLite's ``BEGIN IMMEDIATE``, the memory store's lock); a lock of a unit's own, such
#: as a bumped sequence row, is then redundant (:attr:`UnitOfWork.writes_alone`).
SERIAL_WRITES = "serial-writes"

#: How many times :meth:`BaseStore.run` tries a unit of work by default.
DEFAULT_ATTEMPTS = 5
#: The first retry pause of :meth:`BaseStore.run` is at most twice this (seconds).
BACKOFF = 0.01

T = TypeVar("T")

#: Units of work: begin, commit and rollback at DEBUG, retries at INFO (docs/logging.md).
_log = logging.getLogger("cambridge_results.storage")


def _check_unit(actor: str, read_only: bool, provisional: bool) -> None:
    """Refuse a unit of work's arguments before it begins."""
    check_actor(actor)
    if not isinstance(read_only, bool):
        raise InvalidValue("read_only", "must be True or False")
    if not isinstance(provisional, bool) or (provisional and read_only):
        raise InvalidValue("provisional", "must be True or False, and only for a writing unit")


@runtime_checkable
class Store(Protocol):
    """A storage backend, opened with :func:`cambridge_results.storage.open_store`."""

    @property
    def url(self) -> str:
        """The URL that opens this store again (in another process too, if multi-process)."""
        ...

    @property
    def capabilities(self) -> frozenset[str]:
        """Beyond the basics: :data:`PERSISTENT`, :data:`MULTI_PROCESS`, :data:`SERIAL_WRITES`."""
        ...

    def unit_of_work(
        self, *, actor: str, read_only: bool = False, provisional: bool = False
    ) -> AbstractContextManager[UnitOfWork]:
        """A context manager giving a :class:`UnitOfWork` (one transaction, unless provisional)."""
        ...

    def run(
        self,
        work: Callable[[UnitOfWork], T],
        *,
        actor: str,
        read_only: bool = False,
        attempts: int = DEFAULT_ATTEMPTS,
        provisional: bool = False,
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


class UnitOfWork(Transaction):
    """One transaction: the primitives, the event log and the foundation's repositories.

    Every public method checks its arguments against the catalog and raises
    :class:`InvalidValue` before touching storage.  Unique violations raise
    :class:`DuplicateError`; writes in a read-only unit of work, and updates
    or deletes of an append-only table, raise :class:`WriteRefused`.
    """

    # -- a named lock ------------------------------------------------------

    def lock(self, name: str) -> None:
        """Hold the lock ``name`` until this unit of work ends; another unit locking it waits.

        For a use case that must take turns with others touching the same
        thing (an enquiry group, EAR-13): once it holds the lock, every later
        read sees what the previous holder committed.  A backend may take it
        with this unit of work's next statement, in the same round trip
        (PostgreSQL), so it is held before that statement runs.  ``name``
        follows the rules of a sequence name (1 to 100 characters, no NUL).

        PostgreSQL takes a transaction-level advisory lock on a 64-bit hash of
        the store's schema and ``name``: it writes nothing (no row, no WAL);
        two names with one hash merely take turns.  Other backends take the
        lock of the sequence ``name`` (:meth:`bump`), so that sequence
        advances.  In a provisional unit of work every statement commits as
        it runs, so the lock is released at once there.
        """
        self._ready(write=True)
        self._lock(self._sequence_name(name))

    def _lock(self, name: str) -> None:
        """Take the lock ``name`` now or with the next statement; by default, :meth:`bump`."""
        self._bump(name)

    # -- the event log and the repositories ------------------------------

    @cached_property
    def events(self) -> EventLog:
        """The append-only event log, written in this transaction."""
        return EventLog(self)

    @cached_property
    def associates(self) -> AssociateRepository:
        """Cambridge Associates."""
        return AssociateRepository(self)

    @cached_property
    def centres(self) -> CentreRepository:
        """Centres, including Associate Centres."""
        return CentreRepository(self)

    @cached_property
    def candidates(self) -> CandidateRepository:
        """Candidates of centres."""
        return CandidateRepository(self)

    @cached_property
    def syllabuses(self) -> SyllabusRepository:
        """Syllabuses with their components."""
        return SyllabusRepository(self)

    @cached_property
    def entries(self) -> EntryRepository:
        """Candidates' entries per series and syllabus."""
        return EntryRepository(self)


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

    def unit_of_work(
        self, *, actor: str, read_only: bool = False, provisional: bool = False
    ) -> AbstractContextManager[UnitOfWork]:
        """One transaction: commit on clean exit, roll back on any exception.

        ``provisional=True`` (a writing unit only) asks for less, for work
        made of statements that each stand alone (an
        :meth:`~UnitOfWork.insert_if_absent`, a compare-and-set ``update``,
        reads): every statement commits as it runs, without a transaction
        around them (on PostgreSQL no ``BEGIN`` or ``COMMIT`` round trip), so
        an exception undoes nothing already done, and there are no
        savepoints and no streams.  Each write is visible to every other unit of work as
        soon as its statement returns, but the backend does not wait for the
        disk: the next ordinary commit on the same database makes it durable
        (a power loss or server crash before that may lose it; a crash of
        this process does not).  The memory store runs it as an ordinary
        unit of work; a backend that does not say otherwise does too.
        """
        _check_unit(actor, read_only, provisional)
        return _Bracket(self, actor, read_only, provisional)

    def _open(self, actor: str, read_only: bool, provisional: bool) -> UnitOfWork:
        """Begin this thread's one unit of work (:class:`_Bracket`'s start)."""
        if self._closed:
            raise StorageError(f"the store {self.url} is closed")
        local = self._local
        if getattr(local, "active", False):
            raise StorageError("a unit of work is already open on this store in this thread")
        local.active = True
        try:
            if provisional:
                uow = self._begin_provisional(actor=actor)
                uow.provisional = True  # the same limits on every backend
            else:
                uow = self._begin(actor=actor, read_only=read_only)
                if not read_only and SERIAL_WRITES in self.capabilities:
                    uow.writes_alone = True
        except BaseException:
            local.active = False
            raise
        if _log.isEnabledFor(logging.DEBUG):
            _log.debug(
                "begin unit of work on %s for %s (read_only=%s, provisional=%s)",
                self.url,
                actor,
                read_only,
                provisional,
            )
        return uow

    def run(
        self,
        work: Callable[[UnitOfWork], T],
        *,
        actor: str,
        read_only: bool = False,
        attempts: int = DEFAULT_ATTEMPTS,
        provisional: bool = False,
    ) -> T:
        """Run ``work(uow)`` in a unit of work and return its result, retrying on conflict.

        ``provisional`` is :meth:`unit_of_work`'s: a provisional ``work`` that
        is run again must be right to run again after some of its statements
        committed (compare-and-set writes are).

        When the backend reports a :class:`ConcurrencyError` (a deadlock, a
        serialization failure, a lock it could not get in time) the unit of
        work is rolled back and ``work`` runs again from the start in a new
        one, after a short random pause, up to ``attempts`` times in all;
        then a :class:`ConcurrencyError` saying how many tries were made
        propagates, chained to the last conflict.  Every backend reports its
        conflicts this way (SQLite: the database stayed busy or locked;
        PostgreSQL: serialization failures, deadlocks, lock timeouts).  Any
        other exception rolls back and propagates at once.  ``work`` may
        therefore run more than once: keep side effects outside the store
        (mail, files) until ``run`` has returned.
        """
        if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
            raise InvalidValue("attempts", "must be a whole number of at least 1")
        _check_unit(actor, read_only, provisional)
        attempt = 1
        while True:
            # The bracket of unit_of_work, inline: no context manager object per unit.
            try:
                uow = self._open(actor, read_only, provisional)
                try:
                    result = work(uow)
                except BaseException as exc:
                    self._close(uow, actor, type(exc))
                    raise
                self._close(uow, actor, None)
                return result
            except ConcurrencyError as exc:
                if attempt >= attempts:
                    tries = "1 try" if attempts == 1 else f"{attempts} tries"
                    raise ConcurrencyError(
                        f"gave up after {tries}, each lost to a concurrent unit of work; "
                        f"the last: {exc}"
                    ) from exc
                _log.info(
                    "retrying unit of work for %s (try %d of %d lost to a concurrent one: %s)",
                    actor,
                    attempt,
                    attempts,
                    type(exc).__name__,
                )
            # Jittered exponential backoff, so that the same writers do not collide again.
            time.sleep(random.uniform(0, min(1.0, BACKOFF * 2**attempt)))  # noqa: S311 - not crypto
            attempt += 1

    def _close(self, uow: UnitOfWork, actor: str, failed: type[BaseException] | None) -> None:
        """End this thread's unit of work: commit, or roll back after an exception ``failed``."""
        uow._open = False
        try:
            if failed is not None:
                uow._rollback()
                if _log.isEnabledFor(logging.DEBUG):
                    _log.debug("rolled back unit of work for %s: %s", actor, failed.__name__)
                return
            uow._commit()
            if _log.isEnabledFor(logging.DEBUG):
                _log.debug("committed unit of work for %s", actor)
        finally:
            self._local.active = False

    @abc.abstractmethod
    def _begin(self, *, actor: str, read_only: bool) -> UnitOfWork:
        """Start a transaction and return its unit of work."""

    def _begin_provisional(self, *, actor: str) -> UnitOfWork:
        """Start a provisional unit of work; by default an ordinary writing one (stronger)."""
        return self._begin(actor=actor, read_only=False)

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


class _Bracket:
    """A unit of work's bracket: commit on a clean exit, roll back on any exception."""

    __slots__ = ("_actor", "_provisional", "_read_only", "_store", "_uow")

    def __init__(self, store: BaseStore, actor: str, read_only: bool, provisional: bool) -> None:
        self._store = store
        self._actor = actor
        self._read_only = read_only
        self._provisional = provisional

    def __enter__(self) -> UnitOfWork:
        self._uow = self._store._open(self._actor, self._read_only, self._provisional)
        return self._uow

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._store._close(self._uow, self._actor, exc_type)
