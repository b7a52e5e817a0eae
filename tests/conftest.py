"""Session-wide fixtures: a real PostgreSQL server started by the test session itself."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from cambridge_results.testing.postgres_server import PostgresNotAvailable, TemporaryPostgres

#: CI sets this so that PostgreSQL tests that could not run fail instead of skipping.
REQUIRE_POSTGRES = os.environ.get("CAMBRIDGE_RESULTS_REQUIRE_POSTGRES") == "1"


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
