"""The test harness: one fixture set for every backend, and one PostgreSQL server per session.

``store_backend`` runs a test once per backend (memory, SQLite, PostgreSQL;
narrow it with ``@pytest.mark.backends("sqlite", "postgresql")``).  On top of
it: ``store_url`` (a directory to the URL of a store there), ``make_store``
(``(path, migrations) -> Store``, what the shipped conformance suites take)
and ``store`` (an open store with the library's schema).  docs/storage.md,
"Testing a backend", shows them in use.

PostgreSQL is one mechanism: the library's
:class:`~cambridge_results.testing.postgres_server.TemporaryPostgres`, one
server per session (``postgres_url``), a schema of its own per test
directory.  Every test that uses that server (``postgres_url`` directly or
through another fixture, or a ``postgresql`` parameter) is marked
``postgres``.  Where ``CAMBRIDGE_RESULTS_REQUIRE_POSTGRES=1`` (CI), such a
test that skips for any reason is reported as a failure: PostgreSQL tests
must run there for real.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from cambridge_results.board.schema import SCHEMA
from cambridge_results.storage import open_store
from cambridge_results.storage.migrations import Migration
from cambridge_results.storage.port import Store
from cambridge_results.testing.conformance_base import StoreFactory, StoreURL
from cambridge_results.testing.postgres import schema_for, with_schema
from cambridge_results.testing.postgres_server import PostgresNotAvailable, TemporaryPostgres

#: CI sets this so that PostgreSQL tests that could not run fail instead of skipping.
REQUIRE_POSTGRES = os.environ.get("CAMBRIDGE_RESULTS_REQUIRE_POSTGRES") == "1"


#: The built-in backends, in the order tests run on them.
BACKENDS = ("memory", "sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every test that takes ``store_backend`` once per backend (or per marked backend)."""
    if "store_backend" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("backends")
    names = marker.args if marker is not None else BACKENDS
    unknown = set(names) - set(BACKENDS)
    if unknown:
        raise pytest.UsageError(f"unknown backends {sorted(unknown)}; known: {BACKENDS}")
    params = [
        pytest.param(name, marks=pytest.mark.postgres) if name == "postgresql" else name
        for name in names
    ]
    metafunc.parametrize("store_backend", params)


def _uses_postgres(item: pytest.Item) -> bool:
    if "postgres_url" in getattr(item, "fixturenames", ()):
        return True
    callspec = getattr(item, "callspec", None)
    return callspec is not None and "postgresql" in callspec.id.split("-")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs the PostgreSQL server with ``postgres``."""
    for item in items:
        if _uses_postgres(item):
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


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The URL of a private PostgreSQL server for this session (skipped if none can start)."""
    try:
        server = TemporaryPostgres().start()
    except PostgresNotAvailable as exc:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL tests are required here but could not run: {exc}")
        pytest.skip(f"PostgreSQL tests skipped: {exc}")
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def postgres_test_url(postgres_url: str, tmp_path: Path) -> str:
    """A store URL on the session's PostgreSQL server with a schema of this test's own,
    so tests never see each other's rows."""
    return with_schema(postgres_url, schema_for(tmp_path))


@pytest.fixture
def store_url(store_backend: str, request: pytest.FixtureRequest) -> StoreURL:
    """The URL of a store in a directory, on this test's backend.

    The same directory gives the same URL (so reopening finds the data, on a
    persistent backend); another directory, another store.  ``memory://``
    is a new empty store each time it is opened.
    """
    if store_backend == "postgresql":
        server: str = request.getfixturevalue("postgres_url")
        return lambda path: with_schema(server, schema_for(path))
    if store_backend == "sqlite":
        return lambda path: f"sqlite:///{path / 'store.db'}"
    return lambda path: "memory://"


@pytest.fixture
def make_store(store_url: StoreURL) -> StoreFactory:
    """``make_store(path, migrations)``: open (and migrate) the store of ``path`` on this backend.

    What the shipped conformance suites take; a suite class turns it on with
    ``MakeStoreFromFixture`` first in its bases.
    """

    def make(path: Path, migrations: Sequence[Migration]) -> Store:
        return open_store(store_url(path), migrations=migrations)

    return make


@pytest.fixture
def store(make_store: StoreFactory, tmp_path: Path) -> Iterator[Store]:
    """An empty store with the library's schema on this test's backend, closed afterwards."""
    opened = make_store(tmp_path, SCHEMA)
    try:
        yield opened
    finally:
        opened.close()
