"""``update_where``'s default for a backend without its own: a select, then an update per row."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from cambridge_results.storage.memory import MemoryStore, MemoryUnitOfWork
from cambridge_results.storage.migrations import Migration
from cambridge_results.storage.port import UnitOfWork
from cambridge_results.storage.transaction import Transaction
from cambridge_results.testing.conformance_update_where import UpdateWhereConformance


class _DefaultUnitOfWork(MemoryUnitOfWork):
    """The memory store's unit of work with the port's default ``_update_where``."""

    _update_where = Transaction._update_where


class _DefaultStore(MemoryStore):
    """The memory store, its units of work without an ``_update_where`` of their own."""

    def _begin(self, *, actor: str, read_only: bool) -> UnitOfWork:
        self._lock.acquire()
        return _DefaultUnitOfWork(self, actor=actor, read_only=read_only)


def _open(path: Path, migrations: Sequence[Migration]) -> MemoryStore:
    return _DefaultStore(migrations=migrations)


class TestDefaultUpdateWhere(UpdateWhereConformance):
    """Every ``update_where`` conformance test, on the port's default implementation."""

    make_store = staticmethod(_open)
