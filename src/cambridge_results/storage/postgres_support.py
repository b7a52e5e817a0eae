"""URLs, connections and errors of the PostgreSQL store: parsing a store URL, masking it,
connecting, translating errors; and two small helpers of its statements.

Kept apart from :mod:`cambridge_results.storage.postgres` (which re-exports
them), and like it imported only for a PostgreSQL URL.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import psycopg

from cambridge_results.errors import (
    ConcurrencyError,
    DuplicateError,
    InvalidValue,
    StorageError,
    WriteRefused,
)
from cambridge_results.storage import sql
from cambridge_results.storage.migrations import Catalog
from cambridge_results.storage.postgres_wire import Answer
from cambridge_results.storage.query import Eq, Where
from cambridge_results.storage.schema import Row, Table

__all__ = [
    "SAVEPOINT",
    "SCHEMES",
    "alone",
    "connect",
    "equalities",
    "parse_url",
    "redacted",
    "stored_row",
    "touches_unique",
    "translate_error",
]

SCHEMES = ("postgresql://", "postgres://")
#: The savepoint a statement runs in when it must be undone alone if it fails.
SAVEPOINT = "cr_statement"
_SCHEMA = re.compile(r"[a-z_][a-z0-9_]{0,62}", re.ASCII)

_CONCURRENCY = {
    "40001": "a concurrent unit of work changed the same data (serialization failure)",
    "40P01": "deadlock with a concurrent unit of work",
    "55P03": "a row or table stayed locked by another unit of work (lock_timeout)",
}


def _key(item: str) -> str:
    return unquote(item.partition("=")[0])


def connect(conninfo: str, *, lock_timeout: float, schema: str | None) -> psycopg.Connection[Any]:
    """A new autocommit connection for a store: UTC, ``lock_timeout`` seconds, ``schema`` first.

    A failure to connect is a :class:`StorageError` naming the server (password masked).
    """
    try:
        # psycopg prepares nothing itself: its first ROLLBACK would deallocate
        # every prepared statement of the session, :mod:`.postgres_wire`'s too.
        conn = psycopg.connect(conninfo, autocommit=True, prepare_threshold=None)
    except psycopg.Error as exc:
        raise StorageError(
            f"could not connect to PostgreSQL at {redacted(conninfo)}: {_primary(exc)}"
        ) from exc
    settings = ["SET TimeZone TO 'UTC'", f"SET lock_timeout TO {int(lock_timeout * 1000)}"]
    if schema is not None:
        settings.append(f"SET search_path TO {sql.quote(schema)}")
    try:
        conn.execute("; ".join(settings))
    except psycopg.Error as exc:
        conn.close()
        raise translate_error(exc) from exc
    return conn


def parse_url(url: object) -> tuple[str, str | None]:
    """Split a store URL into the libpq URI to connect with and the ``schema`` (or None).

    :class:`InvalidValue` for anything that is not a well-formed
    ``postgresql://`` or ``postgres://`` URI; nothing is contacted.
    """
    if not isinstance(url, str) or not url.startswith(SCHEMES):
        raise InvalidValue("url", "a PostgreSQL URL looks like postgresql://user@host/database")
    base, _, query = url.partition("?")
    # The other parameters are kept exactly as written, for libpq to read.
    items = [item for item in query.split("&") if item]
    schemas = [unquote(item.partition("=")[2]) for item in items if _key(item) == "schema"]
    if len(schemas) > 1:
        raise InvalidValue("url", "name the schema at most once")
    schema = schemas[0] if schemas else None
    if schema is not None and not _SCHEMA.fullmatch(schema):
        raise InvalidValue("url", f"schema={schema!r} is not a lower-case SQL name like 'results'")
    rest = "&".join(item for item in items if _key(item) != "schema")
    conninfo = f"{base}?{rest}" if rest else base
    try:
        psycopg.conninfo.conninfo_to_dict(conninfo)
    except psycopg.Error as exc:
        raise InvalidValue("url", f"not a valid PostgreSQL connection URI: {exc}") from None
    return conninfo, schema


def redacted(url: str) -> str:
    """``url`` with any password replaced by ``***`` (for messages and ``repr``)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    credentials, _, hosts = parts.netloc.rpartition("@")
    if ":" not in credentials:
        return url
    user = credentials.split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{hosts}"))


def _primary(exc: psycopg.Error) -> str:
    primary = exc.diag.message_primary
    if primary:
        return primary
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _duplicate_columns(table: Table, constraint: str | None) -> tuple[str, ...] | None:
    if constraint == f"{table.name}_pkey":
        return table.primary_key
    for index in table.unique:
        if index.index_name(table.name) == constraint:
            return index.columns
    return None


def translate_error(exc: psycopg.Error, catalog: Catalog | None = None) -> StorageError:
    """The library's error for a driver error; the text names tables and columns, never values."""
    state = exc.sqlstate
    primary = _primary(exc)
    if state == "23505":
        table = (catalog or {}).get(exc.diag.table_name or "")
        columns = None if table is None else _duplicate_columns(table, exc.diag.constraint_name)
        if table is not None and columns is not None:
            return table.duplicate(columns)
        # The primary message names the table or index, never the values (those are in DETAIL).
        return DuplicateError(f"PostgreSQL: {primary}")
    if state in _CONCURRENCY:
        return ConcurrencyError(f"PostgreSQL: {_CONCURRENCY[state]}; retry the unit of work")
    if state == "25006" or (state == "23000" and "append-only" in primary):
        return WriteRefused(f"PostgreSQL: {primary}")
    if state == "25P02":
        return StorageError(
            "PostgreSQL: an earlier statement of this unit of work failed, so it can only roll back"
        )
    if state is None and isinstance(exc, psycopg.OperationalError):
        return StorageError(f"PostgreSQL: the connection failed: {primary}")
    return StorageError(f"PostgreSQL [{state}]: {primary}")


def equalities(values: Mapping[str, Any]) -> Where:
    """A checked ``where`` of each column equal to its value."""
    return {name: Eq(value) for name, value in values.items()}


def touches_unique(table: Table, changes: Mapping[str, Any]) -> bool:
    """Whether ``changes`` write a column of a unique index (or of its condition)."""
    for index in table.unique:
        involved = set(index.columns) | {name for name, _ in index.where or ()}
        if involved.intersection(changes):
            return True
    return False


def stored_row(table: Table, row: Row, cursor: Answer) -> Row | None:
    """The row an ``INSERT ... ON CONFLICT DO NOTHING`` stored, or None if it was skipped."""
    if table.auto_column is None:
        return sql.stored_row(table, row) if cursor.rowcount == 1 else None
    raw = cursor.fetchone()
    return None if raw is None else sql.stored_row(table, row, raw[0])


def alone(statement: tuple[str, Any]) -> list[tuple[str, Any]]:
    """``statement`` in a savepoint of its own (:data:`SAVEPOINT`): undone alone if it fails."""
    return [(f"SAVEPOINT {SAVEPOINT}", []), statement, (f"RELEASE SAVEPOINT {SAVEPOINT}", [])]
