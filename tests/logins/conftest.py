"""Fixtures for the login tests; the helpers live in ``logins_support``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

# logins_support is importable through pytest's pythonpath (pyproject.toml).
from logins_support import LoginWorld, make_world, postgres_store_url

from cambridge_results.board.schema import SCHEMA
from cambridge_results.storage import Store, open_store


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a store on every backend: a new memory store, a new SQLite file,
    the session's PostgreSQL server."""
    if request.param == "memory":
        return "memory://"
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'logins.db'}"
    return postgres_store_url(request)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """The store at ``store_url``, migrated, closed after the test."""
    opened = open_store(store_url, migrations=SCHEMA)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def memory_store() -> Iterator[Store]:
    """A new migrated memory store."""
    opened = open_store("memory://", migrations=SCHEMA)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def world(memory_store: Store) -> LoginWorld:
    """``Logins`` on a memory store with one account, USERNAME / PASSWORD."""
    w = make_world(memory_store)
    w.add_account()
    return w


@pytest.fixture
def stored(store: Store) -> LoginWorld:
    """``Logins`` on every backend with one account, USERNAME / PASSWORD."""
    w = make_world(store)
    w.add_account()
    return w
