"""Fixtures for the login tests; the helpers live in ``logins_support``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

# logins_support is importable through pytest's pythonpath (pyproject.toml).
from logins_support import LoginWorld, make_world

from cambridge_results.board.schema import SCHEMA
from cambridge_results.storage import Store, open_store


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
    """``Logins`` on every backend (the harness's ``store``) with one account, USERNAME /
    PASSWORD."""
    w = make_world(store)
    w.add_account()
    return w
