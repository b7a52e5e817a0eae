"""The logins conformance kit on every backend, through the test harness."""

from __future__ import annotations

from pathlib import Path

import pytest

from cambridge_results.testing.conformance_base import StoreURL
from cambridge_results.testing.conformance_logins import LoginsConformance


class TestLogins(LoginsConformance):
    """LOG-01..LOG-06 contracts on memory, SQLite and PostgreSQL."""

    @pytest.fixture
    def login_store_url(self, store_url: StoreURL, tmp_path: Path) -> str:
        """The harness's store for this test (tests/conftest.py)."""
        return store_url(tmp_path)
