"""Fixtures and hooks for the storage tests.

Every test that uses the session's PostgreSQL server (the ``postgres_url``
fixture, directly or through another fixture) is marked ``postgres``.  Where
``CAMBRIDGE_RESULTS_REQUIRE_POSTGRES=1`` (CI), such a test that skips for any
reason is reported as a failure: PostgreSQL tests must run there for real.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Sequence
from pathlib import Path
from typing import Any

import pytest

from cambridge_results.storage.migrations import Migration
from cambridge_results.storage.sqlite import SQLiteStore
from cambridge_results.testing.conformance import StoreFactory
from cambridge_results.testing.postgres import PostgresSchemas

REQUIRE_POSTGRES = os.environ.get("CAMBRIDGE_RESULTS_REQUIRE_POSTGRES") == "1"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs the PostgreSQL server with ``postgres``."""
    for item in items:
        if "postgres_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[Any]:
    """Turn a skipped PostgreSQL test into a failure where PostgreSQL is required."""
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_POSTGRES and report.skipped and item.get_closest_marker("postgres") is not None:
        reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = (
            "a PostgreSQL test was skipped where CAMBRIDGE_RESULTS_REQUIRE_POSTGRES=1 "
            f"requires it to run: {reason}"
        )


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
