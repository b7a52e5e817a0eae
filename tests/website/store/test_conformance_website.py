"""The website repositories' conformance suite, run on the memory and SQLite backends."""

from __future__ import annotations

from cambridge_results.storage.memory import MemoryStore
from cambridge_results.storage.sqlite import SQLiteStore
from cambridge_results.testing.conformance_website import WebsiteRepositoryConformance


class TestMemoryWebsite(WebsiteRepositoryConformance):
    """Every website repository test on ``memory://``."""

    make_store = staticmethod(lambda path, migrations: MemoryStore(migrations=migrations))


class TestSQLiteWebsite(WebsiteRepositoryConformance):
    """Every website repository test on a real SQLite file."""

    make_store = staticmethod(
        lambda path, migrations: SQLiteStore(path / "store.db", migrations=migrations)
    )
