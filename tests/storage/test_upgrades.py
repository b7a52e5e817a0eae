"""Upgrades: a version-1 database (a committed file) migrates to exactly a fresh database's schema.

``fixtures/v1.db`` was written by schema version 1 ("foundation") with data
(fixtures/make_v1_fixture.py).  A test registry extends the library's
migrations with added columns, indexes, a new table and raw SQL; the old
database must come out with the same schema as one built fresh by that
registry, read back from ``sqlite_master`` / ``information_schema``, and with
its data intact.  Also here: PostgreSQL's migration lock, SchemaTooNew and
foreign registries on PostgreSQL (SQLite's are in test_migrations.py).
"""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql as pgsql

from cambridge_results.board.schema import SCHEMA
from cambridge_results.errors import SchemaTooNew, StorageError
from cambridge_results.storage import (
    AddColumn,
    AddIndex,
    Column,
    CreateTable,
    Index,
    Migration,
    RawSQL,
    Table,
    UniqueIndex,
    build_catalog,
)
from cambridge_results.storage.port import Store
from cambridge_results.storage.postgres import PostgresStore
from cambridge_results.storage.sqlite import SQLiteStore
from cambridge_results.testing.conformance_base import StoreFactory, StoreURL
from cambridge_results.testing.conformance_processes import run_concurrent_migrators
from cambridge_results.testing.postgres import schema_for

V1_FILE = Path(__file__).parent / "fixtures" / "v1.db"
V1 = SCHEMA[:1]
# The PostgreSQL upgrade tests take the harness's make_store on PostgreSQL only.
pytestmark = pytest.mark.backends("postgresql")

ACTOR = "test:upgrade"

NOTES = Table(
    "upgrade_notes",
    (
        Column("id", "int", auto=True),
        Column("centre", "text"),
        Column("body", "text"),
        Column("pinned", "bool", default=False),
    ),
    primary_key="id",
    unique=(UniqueIndex(("centre",), where={"pinned": True}),),
)
_LOWER = "CREATE INDEX ix_candidates_family_lower ON candidates (lower(family_name))"

#: The library's migrations, then two of the test's own on top.
REGISTRY = (
    *SCHEMA,
    Migration(
        version=len(SCHEMA) + 1,
        name="test-upgrade-columns",
        steps=(
            AddColumn("candidates", Column("preferred_name", "text", nullable=True)),
            AddColumn("centres", Column("region", "text", default="international")),
            AddIndex("entries", Index(("syllabus",))),
        ),
    ),
    Migration(
        version=len(SCHEMA) + 2,
        name="test-upgrade-tables",
        steps=(
            CreateTable(NOTES),
            AddIndex("centres", UniqueIndex(("name",), name="uq_centres_name")),
            RawSQL({"sqlite": _LOWER, "postgresql": _LOWER}),
        ),
    ),
)
#: What the upgrade adds to the rows that were there.
NEW_COLUMNS = {"candidates": {"preferred_name": None}, "centres": {"region": "international"}}


def every_row(store: Store) -> dict[str, list[dict[str, Any]]]:
    """Every row of every version-1 table, in key order."""
    with store.unit_of_work(actor=ACTOR, read_only=True) as uow:
        return {name: uow.select(name) for name in build_catalog(V1)}


def upgraded(rows: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """``rows`` as they must read after the upgrade: new columns at their defaults."""
    return {t: [{**r, **NEW_COLUMNS.get(t, {})} for r in rs] for t, rs in rows.items()}


# -- reading schemas back ----------------------------------------------------------


def sqlite_schema(path: Path) -> dict[str, Any]:
    """Every schema object's SQL from ``sqlite_master`` and every table's columns and indexes."""
    with sqlite3.connect(path) as conn:
        objects = sorted(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))
        tables = [name for kind, name, _, _ in objects if kind == "table"]
        columns = {t: conn.execute(f"PRAGMA table_info({t})").fetchall() for t in tables}
        indexes = {t: sorted(conn.execute(f"PRAGMA index_list({t})")) for t in tables}
    conn.close()
    return {"objects": objects, "columns": columns, "indexes": indexes}


def postgres_schema(conn: psycopg.Connection[Any], schema: str) -> dict[str, Any]:
    """Columns, indexes, constraints, triggers and functions of one schema, from the catalogs."""

    def rows(query: str) -> list[tuple[Any, ...]]:
        return conn.execute(query, [schema]).fetchall()

    columns = rows(
        "SELECT table_name, ordinal_position, column_name, data_type, is_nullable, "
        "column_default, is_identity, identity_generation FROM information_schema.columns "
        "WHERE table_schema = %s ORDER BY table_name, ordinal_position"
    )
    indexes = [
        (name, definition.replace(f"{schema}.", "<schema>."))
        for name, definition in rows(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = %s ORDER BY indexname"
        )
    ]
    constraints = rows(
        "SELECT table_name, constraint_name, constraint_type "
        "FROM information_schema.table_constraints WHERE table_schema = %s "
        "AND constraint_type IN ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY') ORDER BY 1, 2"
    )
    triggers = [
        (*head, statement.replace(f"{schema}.", "<schema>."))
        for *head, statement in rows(
            "SELECT event_object_table, trigger_name, event_manipulation, action_timing, "
            "action_statement FROM information_schema.triggers WHERE trigger_schema = %s "
            "ORDER BY 1, 2, 3"
        )
    ]
    functions = rows(
        "SELECT routine_name, routine_definition FROM information_schema.routines "
        "WHERE routine_schema = %s ORDER BY 1"
    )
    return {
        "columns": columns,
        "indexes": indexes,
        "constraints": constraints,
        "triggers": triggers,
        "functions": functions,
    }


def assert_matches_the_catalog(columns: dict[str, list[tuple[str, bool]]]) -> None:
    """Each table read back has the registry's columns in order, with its nullability."""
    catalog = build_catalog(REGISTRY)
    expected = {
        name: [(c.name, c.nullable) for c in table.columns] for name, table in catalog.items()
    }
    assert {t: columns[t] for t in expected} == expected


# -- SQLite -------------------------------------------------------------------------


def test_the_committed_v1_file_is_what_migration_1_creates(tmp_path: Path) -> None:
    """The fixture is stamped version 1 and has exactly the schema migration 1 creates today."""
    SQLiteStore(tmp_path / "fresh.db", migrations=V1).close()
    assert sqlite_schema(V1_FILE) == sqlite_schema(tmp_path / "fresh.db")
    with sqlite3.connect(V1_FILE) as conn:
        assert conn.execute("SELECT version, name FROM schema_version").fetchall() == [
            (1, "foundation")
        ]
    conn.close()


def test_a_v1_sqlite_file_upgrades_to_a_fresh_databases_schema_with_its_data(
    tmp_path: Path,
) -> None:
    """Migrating the old file gives sqlite_master and table_info equal to a fresh database's."""
    old = tmp_path / "old.db"
    shutil.copy(V1_FILE, old)
    reader = SQLiteStore(old, migrations=V1, migrate=False)
    before = every_row(reader)
    reader.close()
    assert sum(map(len, before.values())) > 10

    store = SQLiteStore(old, migrations=REGISTRY)
    assert store.schema_version() == len(REGISTRY)
    after = every_row(store)
    store.close()
    SQLiteStore(tmp_path / "fresh.db", migrations=REGISTRY).close()

    schema = sqlite_schema(old)
    assert schema == sqlite_schema(tmp_path / "fresh.db")
    assert after == upgraded(before)
    # table_info: (cid, name, type, notnull, default, pk); a key column is never NULL,
    # though SQLite reports notnull 0 for an INTEGER PRIMARY KEY.
    assert_matches_the_catalog(
        {t: [(c[1], not c[3] and not c[5]) for c in cols] for t, cols in schema["columns"].items()}
    )
    assert any(o[1] == "ix_candidates_family_lower" for o in schema["objects"])


# -- PostgreSQL ----------------------------------------------------------------------


@pytest.fixture
def raw(postgres_url: str) -> Iterator[psycopg.Connection[Any]]:
    """A plain autocommit connection to the session's server."""
    conn = psycopg.connect(postgres_url, autocommit=True)
    try:
        yield conn
    finally:
        conn.close()


def test_a_v1_postgres_schema_upgrades_to_a_fresh_ones_schema_with_its_data(
    make_store: StoreFactory, store_url: StoreURL, tmp_path: Path, raw: psycopg.Connection[Any]
) -> None:
    """The fixture's rows in a version-1 schema; migrated, it equals a fresh schema's catalog."""
    shutil.copy(V1_FILE, tmp_path / "copy.db")
    reader = SQLiteStore(tmp_path / "copy.db", migrations=V1, migrate=False)
    before = every_row(reader)
    reader.close()
    (tmp_path / "old").mkdir()
    (tmp_path / "fresh").mkdir()
    old = make_store(tmp_path / "old", V1)
    catalog = build_catalog(V1)
    with old.unit_of_work(actor=ACTOR) as uow:
        for name, rows in before.items():
            auto = catalog[name].auto_column
            for row in rows:
                uow.insert(name, {k: v for k, v in row.items() if auto is None or k != auto.name})
    old.close()

    store = make_store(tmp_path / "old", REGISTRY)
    assert store.schema_version() == len(REGISTRY)
    after = every_row(store)
    store.close()
    make_store(tmp_path / "fresh", REGISTRY).close()

    schema = postgres_schema(raw, schema_for(tmp_path / "old"))
    assert schema == postgres_schema(raw, schema_for(tmp_path / "fresh"))
    assert after == upgraded(before)
    columns: dict[str, list[tuple[str, bool]]] = {}
    for table, _, name, _, nullable, *_ in schema["columns"]:
        columns.setdefault(table, []).append((name, nullable == "YES"))
    assert_matches_the_catalog(columns)
    assert "ix_candidates_family_lower" in {name for name, _ in schema["indexes"]}


def test_concurrent_postgres_migrators_apply_each_migration_once(
    make_store: StoreFactory, store_url: StoreURL, tmp_path: Path, raw: psycopg.Connection[Any]
) -> None:
    """Three processes migrating one new schema at once all end at the top version."""
    url = store_url(tmp_path)
    assert run_concurrent_migrators(url, REGISTRY, processes=3) == [len(REGISTRY)] * 3
    query = pgsql.SQL("SELECT version FROM {}.schema_version ORDER BY version")
    versions = raw.execute(query.format(pgsql.Identifier(schema_for(tmp_path)))).fetchall()
    assert [v for (v,) in versions] == list(range(1, len(REGISTRY) + 1))


def test_a_postgres_migrator_waits_for_the_migration_lock(
    make_store: StoreFactory, store_url: StoreURL, tmp_path: Path, raw: psycopg.Connection[Any]
) -> None:
    """While another session holds the schema's migration lock, a migrator waits, then migrates."""
    schema = schema_for(tmp_path)
    key = "SELECT hashtextextended('cambridge_results.migrate:' || %s, 0)"
    (lock,) = raw.execute(key, [schema]).fetchone() or (None,)
    raw.execute("SELECT pg_advisory_lock(%s)", [lock])
    outcome: list[object] = []

    def migrate() -> None:
        try:
            store = PostgresStore(store_url(tmp_path), migrations=REGISTRY)
            outcome.append(store.schema_version())
            store.close()
        except Exception as exc:  # reported through ``outcome``
            outcome.append(exc)

    thread = threading.Thread(target=migrate)
    thread.start()
    try:
        waiting = None
        for _ in range(3000):  # until the migrator is seen waiting (not a time limit on it)
            waiting = raw.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            ).fetchone()
            if waiting == (1,):
                break
            time.sleep(0.01)
        assert waiting == (1,)
        assert raw.execute("SELECT to_regnamespace(%s)", [schema]).fetchone() == (None,)
    finally:
        raw.execute("SELECT pg_advisory_unlock(%s)", [lock])
        thread.join()
    assert outcome == [len(REGISTRY)]


def test_a_postgres_database_newer_than_the_code_raises_schema_too_new(
    make_store: StoreFactory, store_url: StoreURL, tmp_path: Path, raw: psycopg.Connection[Any]
) -> None:
    """A stamped version the code does not know is SchemaTooNew, migrating or not."""
    make_store(tmp_path, SCHEMA).close()
    stamp = pgsql.SQL(
        "INSERT INTO {}.schema_version (version, name, applied_at) "
        "VALUES (%s, 'from-the-future', '2030-01-01T00:00:00.000000Z')"
    )
    raw.execute(stamp.format(pgsql.Identifier(schema_for(tmp_path))), [len(SCHEMA) + 1])
    with pytest.raises(SchemaTooNew, match="upgrade"):
        make_store(tmp_path, SCHEMA)
    with pytest.raises(SchemaTooNew):
        PostgresStore(store_url(tmp_path), migrate=False, migrations=SCHEMA)


def test_a_postgres_database_of_another_registry_is_refused_and_untouched(
    make_store: StoreFactory, store_url: StoreURL, tmp_path: Path
) -> None:
    """Another registry's version 2 is a StorageError; a failing migration leaves nothing."""
    make_store(tmp_path, REGISTRY[:-1]).close()
    foreign = (*REGISTRY[:-1], Migration(version=len(REGISTRY), name="not-ours", steps=()))
    make_store(tmp_path, foreign).close()
    with pytest.raises(StorageError, match="different registry"):
        make_store(tmp_path, REGISTRY)
    (tmp_path / "other").mkdir()
    no_postgres_sql = (
        *SCHEMA,
        Migration(
            version=len(SCHEMA) + 1,
            name="sqlite-only",
            steps=(CreateTable(NOTES), RawSQL({"sqlite": "SELECT 1"})),
        ),
    )
    with pytest.raises(StorageError, match="no statements for postgresql"):
        make_store(tmp_path / "other", no_postgres_sql)
    store = make_store(tmp_path / "other", SCHEMA)
    assert store.schema_version() == len(SCHEMA)
    with store.unit_of_work(actor=ACTOR, read_only=True) as uow:
        assert "upgrade_notes" not in uow.catalog
    store.close()
