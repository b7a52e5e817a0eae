"""Fixtures for the website use-case tests: the test board in the harness's store.

The harness (tests/conftest.py) gives ``store`` on memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest

# website_store_support is importable through pytest's pythonpath (pyproject.toml).
from website_store_support import build_board

from cambridge_results.storage.port import Store


@pytest.fixture
def board(store: Store) -> Store:
    """The store with the test board (see ``website_store_support.build_board``)."""
    build_board(store)
    return store
