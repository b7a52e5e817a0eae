"""The stored login ports pass the conformance suite on every backend there is.

One class per backend, each naming only the store's URL; PostgreSQL is one
more class that skips, saying why, until its backend lands.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from logins_support import postgres_store_url

from cambridge_results.testing.conformance_logins import StoredLoginPortsConformance


class TestStoredLoginsInMemory(StoredLoginPortsConformance):
    """LOG-01..LOG-06 contracts, stored on memory://."""

    @pytest.fixture
    def login_store_url(self) -> str:
        """A new in-memory store."""
        return "memory://"


class TestStoredLoginsOnSQLite(StoredLoginPortsConformance):
    """LOG-01..LOG-06 contracts, stored in a real SQLite file."""

    @pytest.fixture
    def login_store_url(self, tmp_path: Path) -> str:
        """A new SQLite file of the test's own."""
        return f"sqlite:///{tmp_path / 'logins.db'}"


class TestStoredLoginsOnPostgres(StoredLoginPortsConformance):
    """LOG-01..LOG-06 contracts, stored in PostgreSQL (skips until its backend lands)."""

    @pytest.fixture
    def login_store_url(self, request: pytest.FixtureRequest) -> str:
        """The session's PostgreSQL server, shared by every test (they use keys of their own)."""
        return postgres_store_url(request)
