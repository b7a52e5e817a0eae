"""Session-wide fixtures and hooks: a real PostgreSQL server started by the test session itself.

Every test that uses that server (the ``postgres_url`` fixture, directly or
through another fixture, or a ``postgresql`` parameter) is marked
``postgres``.  Where ``CAMBRIDGE_RESULTS_REQUIRE_POSTGRES=1`` (CI), such a
test that skips for any reason is reported as a failure: PostgreSQL tests
must run there for real.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from cambridge_results.testing.postgres import schema_for, with_schema
from cambridge_results.testing.postgres_server import PostgresNotAvailable, TemporaryPostgres

#: CI sets this so that PostgreSQL tests that could not run fail instead of skipping.
REQUIRE_POSTGRES = os.environ.get("CAMBRIDGE_RESULTS_REQUIRE_POSTGRES") == "1"


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
