"""The logins conformance kit passes on every backend: memory, SQLite and PostgreSQL.

One class per backend, each naming only the store's URL.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from logins_support import postgres_store_url

from cambridge_results.testing.conformance_logins import LoginsConformance


class TestLoginsInMemory(LoginsConformance):
    """LOG-01..LOG-06 contracts on memory://."""

    @pytest.fixture
    def login_store_url(self) -> str:
        """A new in-memory store."""
        return "memory://"


class TestLoginsOnSQLite(LoginsConformance):
    """LOG-01..LOG-06 contracts in a real SQLite file."""

    @pytest.fixture
    def login_store_url(self, tmp_path: Path) -> str:
        """A new SQLite file of the test's own."""
        return f"sqlite:///{tmp_path / 'logins.db'}"


class TestLoginsOnPostgres(LoginsConformance):
    """LOG-01..LOG-06 contracts in PostgreSQL."""

    @pytest.fixture
    def login_store_url(self, request: pytest.FixtureRequest) -> str:
        """The session's PostgreSQL server, shared by every test (they use keys of their own)."""
        return postgres_store_url(request)
