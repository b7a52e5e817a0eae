"""What every conformance suite shares: the ``things`` table, its migrations, the store fixture.

A suite mixin subclasses :class:`_Base`; the backend under test comes from the
class's ``make_store`` or, with :class:`MakeStoreFromFixture`, from a fixture.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

import pendulum
import pytest

from cambridge_results.board.schema import SCHEMA
from cambridge_results.storage.migrations import CreateTable, Migration
from cambridge_results.storage.port import Store, UnitOfWork
from cambridge_results.storage.schema import (
    Column,
    Table,
    UniqueIndex,
)

__all__ = [
    "ACTOR",
    "THINGS",
    "MakeStoreFromFixture",
    "StoreFactory",
    "StoreURL",
    "conformance_migrations",
    "rolled_back",
    "thing",
]

#: ``make_store(path, migrations) -> Store``.
StoreFactory = Callable[[Path, Sequence[Migration]], Store]
#: ``store_url(path) -> str``: the URL of the store kept in a directory (the test harness's).
StoreURL = Callable[[Path], str]

#: The suite's own table: every column type, a partial unique index (one
#: *active* thing per owner and kind) and a unique-when-present ``note``.
THINGS = Table(
    "things",
    (
        Column("id", "text"),
        Column("owner", "text"),
        Column("kind", "text"),
        Column("active", "bool", default=True),
        Column("n", "int", default=0),
        Column("note", "text", nullable=True),
        Column("blob", "bytes", nullable=True),
        Column("data", "json", nullable=True),
        Column("at", "instant", nullable=True),
    ),
    primary_key="id",
    unique=(
        UniqueIndex(("owner", "kind"), where={"active": True}),
        UniqueIndex(("note",)),
    ),
)


def conformance_migrations(base: Sequence[Migration] = SCHEMA) -> tuple[Migration, ...]:
    """The library's migrations plus one creating :data:`THINGS`."""
    return (
        *base,
        Migration(version=len(base) + 1, name="conformance-things", steps=(CreateTable(THINGS),)),
    )


T0 = pendulum.datetime(2026, 6, 1, 9, 0, 0, tz="UTC")
ACTOR = "test:conformance"


class _RollBack(Exception):
    """Raised inside a unit of work to make it roll back."""


def thing(id_: str, owner: str | None = "o", kind: str = "k", **extra: Any) -> dict[str, Any]:
    """A ``things`` row with defaults for the other columns."""
    return {"id": id_, "owner": owner, "kind": kind, **extra}


@contextmanager
def rolled_back(store: Store) -> Iterator[UnitOfWork]:
    """A unit of work made to fail after its block, so everything done in it rolls back."""
    with contextlib.suppress(_RollBack), store.unit_of_work(actor=ACTOR) as uow:
        yield uow
        raise _RollBack


class _Base:
    """The store fixture and capability checks shared by every mixin."""

    # Declared as a staticmethod, not a Callable: mypy binds a ClassVar Callable as a
    # method (dropping ``path``), so ``make_store = staticmethod(...)`` would not type-check.
    make_store: ClassVar[staticmethod[[Path, Sequence[Migration]], Store]]

    @pytest.fixture
    def store_factory(self) -> StoreFactory:
        """How the suite opens the backend under test: the class's ``make_store``.

        :class:`MakeStoreFromFixture` takes it from a ``make_store`` fixture instead.
        """
        return type(self).make_store

    @pytest.fixture(autouse=True)
    def _use_store_factory(self, store_factory: StoreFactory) -> None:
        self.factory = store_factory

    def open(self, path: Path, migrations: Sequence[Migration] | None = None) -> Store:
        """A store from the backend's factory (the suite's migrations by default)."""
        return self.factory(path, conformance_migrations() if migrations is None else migrations)

    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[Store]:
        """A fresh store with the suite's migrations applied."""
        store = self.open(tmp_path)
        try:
            yield store
        finally:
            store.close()

    @staticmethod
    def needs(store: Store, capability: str) -> None:
        """Skip, saying why, when the backend does not declare ``capability``."""
        if capability not in store.capabilities:
            pytest.skip(f"{type(store).__name__} does not declare the {capability!r} capability")

    @staticmethod
    def rows(store: Store, table: str = "things") -> list[dict[str, Any]]:
        """Every row of ``table`` in key order, read in a fresh unit of work."""
        with store.unit_of_work(actor=ACTOR, read_only=True) as uow:
            return uow.select(table)


class MakeStoreFromFixture:
    """Put first in a conformance class's bases to take the backend from the ``make_store`` fixture.

    ::

        class TestStore(MakeStoreFromFixture, StoreConformance):
            pass

    The library's own tests define ``make_store`` in tests/conftest.py,
    parametrized over memory, SQLite and PostgreSQL (docs/storage.md).
    """

    @pytest.fixture
    def store_factory(self, make_store: StoreFactory) -> StoreFactory:
        """The ``make_store`` fixture's factory."""
        return make_store
