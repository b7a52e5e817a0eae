"""PostgreSQL stores for tests: one server, a schema of its own for every test directory.

The conformance suite's ``make_store(path, migrations)`` must give each test
its own empty store and, called again with the same directory, the same
data.  :class:`PostgresSchemas` does that on one running server by turning
the directory into a schema name (``?schema=t_...`` on the server's URL), so
tests never see each other's rows and nothing needs cleaning up before the
throwaway server stops::

    from cambridge_results.testing.conformance import StoreConformance
    from cambridge_results.testing.postgres import PostgresSchemas

    POSTGRES = PostgresSchemas()

    @pytest.fixture(scope="module", autouse=True)
    def _server(postgres_url: str) -> None:
        POSTGRES.bind(postgres_url)

    class TestPostgresStore(StoreConformance):
        make_store = staticmethod(POSTGRES)

psycopg is imported only when a store is made.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from cambridge_results.storage.migrations import Migration

if TYPE_CHECKING:
    from cambridge_results.storage.postgres import PostgresStore

__all__ = ["PostgresSchemas", "schema_for", "with_schema"]


def schema_for(path: Path) -> str:
    """A schema name that is the same for the same directory and differs between directories."""
    digest = hashlib.sha256(str(Path(path).resolve()).encode()).hexdigest()
    return f"t_{digest[:24]}"


def with_schema(url: str, schema: str) -> str:
    """``url`` with ``schema=`` added (a URL that already names a schema is refused)."""
    if "schema=" in url:
        raise ValueError(f"{url!r} already names a schema")
    return f"{url}{'&' if '?' in url else '?'}schema={schema}"


class PostgresSchemas:
    """A ``make_store`` for the conformance suite: a schema per test directory on one server."""

    def __init__(self, server_url: str | None = None) -> None:
        self.server_url = server_url

    def bind(self, server_url: str) -> None:
        """Use the server at ``server_url`` (e.g. the session's ``postgres_url`` fixture)."""
        self.server_url = server_url

    def url_for(self, path: Path) -> str:
        """The store URL for the test directory ``path``."""
        if self.server_url is None:
            raise RuntimeError("PostgresSchemas is not bound to a server: call bind(url) first")
        return with_schema(self.server_url, schema_for(path))

    def __call__(self, path: Path, migrations: Sequence[Migration]) -> PostgresStore:
        """Open (and migrate) the store of ``path``."""
        from cambridge_results.storage.postgres import PostgresStore

        return PostgresStore(self.url_for(path), migrations=migrations)
