"""PostgreSQL store URLs for tests: one server, a schema of its own for every test directory.

A test gives each store a directory; the store's URL is the session
server's URL with ``?schema=t_...`` derived from that directory, so tests
never see each other's rows, the same directory reopens the same data, and
nothing needs cleaning up before the throwaway server
(:mod:`.postgres_server`) stops::

    url = with_schema(server_url, schema_for(tmp_path))
    store = open_store(url, migrations=SCHEMA)

The library's own tests get these URLs from the ``store_url`` fixture
(docs/storage.md, "Testing a backend").
"""

from __future__ import annotations

import hashlib
from pathlib import Path

__all__ = ["schema_for", "with_schema"]


def schema_for(path: Path) -> str:
    """A schema name that is the same for the same directory and differs between directories."""
    digest = hashlib.sha256(str(Path(path).resolve()).encode()).hexdigest()
    return f"t_{digest[:24]}"


def with_schema(url: str, schema: str) -> str:
    """``url`` with ``schema=`` added (a URL that already names a schema is refused)."""
    if "schema=" in url:
        raise ValueError(f"{url!r} already names a schema")
    return f"{url}{'&' if '?' in url else '?'}schema={schema}"
