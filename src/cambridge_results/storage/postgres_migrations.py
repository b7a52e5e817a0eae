"""Applying the schema's migrations to PostgreSQL, one transaction each under an advisory lock.

:meth:`~cambridge_results.storage.postgres.PostgresStore.migrate` calls
:func:`migrate_all`, which retries :func:`migrate_one` until nothing is
pending; ``run`` is the store's way of running a driver call with its
errors translated.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Sequence
from typing import Any

import pendulum
import psycopg
from psycopg.pq import TransactionStatus

from cambridge_results.errors import ConcurrencyError
from cambridge_results.storage import sql
from cambridge_results.storage.migrations import (
    Migration,
    check_history,
)
from cambridge_results.storage.postgres_support import translate_error

__all__ = ["MIGRATION_ATTEMPTS", "migrate_all", "migrate_one", "recorded_versions"]

D = sql.POSTGRESQL
Run = Callable[[Callable[[], Any]], Any]
#: Tries of one migration that meets a deadlock or lock timeout before ConcurrencyError.
MIGRATION_ATTEMPTS = 5


def recorded_versions(conn: psycopg.Connection[Any], run: Run) -> dict[int, str]:
    """The migrations the database records as applied, by version; none before the first."""
    found = run(
        lambda: conn.execute("SELECT to_regclass(%s)", [sql.SCHEMA_VERSION_TABLE]).fetchone()
    )
    if found is None or found[0] is None:
        return {}
    rows = run(lambda: conn.execute(sql.recorded_versions(D)).fetchall())
    return {int(version): str(name) for version, name in rows}


def migrate_all(
    conn: psycopg.Connection[Any],
    migrations: Sequence[Migration],
    *,
    schema: str | None,
    begin: Callable[[], tuple[str, ...]],
    run: Run,
) -> int:
    """Apply every pending migration (:func:`migrate_one` until none is); the version reached."""
    while True:
        for attempt in range(1, MIGRATION_ATTEMPTS + 1):
            try:
                current = migrate_one(conn, migrations, schema=schema, begin=begin(), run=run)
                break
            except ConcurrencyError:
                if attempt == MIGRATION_ATTEMPTS:
                    raise
        if current == len(migrations):
            return current


def migrate_one(
    conn: psycopg.Connection[Any],
    migrations: Sequence[Migration],
    *,
    schema: str | None,
    begin: tuple[str, ...],
    run: Run,
) -> int:
    """Apply the next pending migration, if any; return the version found before."""
    for command in begin:
        run(functools.partial(conn.execute, command))
    try:
        # One lock per schema: hashtextextended gives a stable 64-bit key.
        run(
            lambda: conn.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended("
                "'cambridge_results.migrate:' || coalesce(%s::text, current_schema(), ''), 0))",
                [schema],
            )
        )
        if schema is not None:
            create = f"CREATE SCHEMA IF NOT EXISTS {sql.quote(schema)}"
            run(lambda: conn.execute(create))
        run(lambda: conn.execute(sql.schema_version_ddl(D)))
        current = check_history(recorded_versions(conn, run), migrations)
        if current < len(migrations):
            _apply(conn, migrations, migrations[current], run)
        run(lambda: conn.execute("COMMIT"))
    except BaseException:
        if not conn.closed and conn.info.transaction_status != TransactionStatus.IDLE:
            with contextlib.suppress(psycopg.Error):
                conn.execute("ROLLBACK")
        raise
    return current


def _apply(
    conn: psycopg.Connection[Any],
    migrations: Sequence[Migration],
    migration: Migration,
    run: Run,
) -> None:
    for statement, catalog in sql.migration_statements(D, migrations, migration):
        try:
            conn.execute(statement)
        except psycopg.Error as exc:
            raise translate_error(exc, catalog) from exc
    text, params = sql.record_version(D, migration.version, migration.name, pendulum.now("UTC"))
    run(lambda: conn.execute(text, params))
