"""Fixtures for the storage tests (the PostgreSQL guard lives in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from cambridge_results.storage.migrations import Migration
from cambridge_results.storage.sqlite import SQLiteStore
from cambridge_results.testing.conformance import StoreFactory
from cambridge_results.testing.postgres import PostgresSchemas


def sqlite_store(path: Path, migrations: Sequence[Migration]) -> SQLiteStore:
    """A ``make_store(path, migrations)`` for SQLite: ``store.db`` in the directory."""
    return SQLiteStore(path / "store.db", migrations=migrations)


@pytest.fixture
def postgres(postgres_url: str) -> PostgresSchemas:
    """A ``make_store(path, migrations)`` for PostgreSQL: a schema per directory."""
    return PostgresSchemas(postgres_url)


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def make_store(request: pytest.FixtureRequest) -> StoreFactory:
    """The ``make_store`` of each multi-process backend in turn: SQLite, then PostgreSQL."""
    if request.param == "sqlite":
        return sqlite_store
    return PostgresSchemas(request.getfixturevalue("postgres_url"))


@pytest.fixture
def make_sqlite() -> StoreFactory:
    """The SQLite ``make_store`` alone."""
    return sqlite_store
