"""Fixtures for the website use-case tests: a board in a memory, SQLite or PostgreSQL store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

# website_store_support is importable through pytest's pythonpath (pyproject.toml).
from website_store_support import build_board, open_test_store

from cambridge_results.board.schema import SCHEMA
from cambridge_results.storage import open_store
from cambridge_results.storage.port import Store


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty store with the library's migrations, on each backend (PostgreSQL: a
    schema of this test's own on the session's server)."""
    if request.param == "postgresql":
        s = open_store(request.getfixturevalue("postgres_test_url"), migrations=SCHEMA)
    else:
        s = open_test_store(request.param, tmp_path)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def board(store: Store) -> Store:
    """The store with the test board (see ``website_store_support.build_board``)."""
    build_board(store)
    return store
