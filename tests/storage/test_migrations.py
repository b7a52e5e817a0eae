"""Migrations: the registry's rules, version stamps, SchemaTooNew, concurrent migrators."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from cambridge_results.board.schema import SCHEMA
from cambridge_results.errors import (
    DuplicateError,
    InvalidValue,
    SchemaTooNew,
    StorageError,
)
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
    open_store,
)
from cambridge_results.storage.memory import MemoryStore
from cambridge_results.storage.sqlite import SQLiteStore
from cambridge_results.testing.conformance_processes import run_concurrent_migrators

NOTES = Table("notes", (Column("id", "int"), Column("body", "text")), primary_key="id")


def with_notes(*more: Any) -> tuple[Migration, ...]:
    """The library's migrations plus a notes table and any further steps, one per migration."""
    migrations = [
        *SCHEMA,
        Migration(version=len(SCHEMA) + 1, name="notes", steps=(CreateTable(NOTES),)),
    ]
    for i, steps in enumerate(more):
        migrations.append(Migration(version=len(migrations) + 1, name=f"more-{i}", steps=steps))
    return tuple(migrations)


def test_the_library_registry_is_consistent() -> None:
    """SCHEMA folds into a catalog with the foundation tables."""
    catalog = build_catalog(SCHEMA)
    assert {
        "events",
        "sequences",
        "associates",
        "centres",
        "candidates",
        "syllabuses",
        "entries",
    } <= set(catalog)
    assert catalog["events"].append_only


@pytest.mark.parametrize(
    "migrations",
    [
        (Migration(version=2, name="a", steps=()),),
        (Migration(version=1, name="a", steps=()), Migration(version=2, name="a", steps=())),
        (Migration(version=1, name="a", steps=(CreateTable(NOTES), CreateTable(NOTES))),),
        (Migration(version=1, name="a", steps=(AddIndex("missing", Index(("id",))),)),),
        (
            Migration(
                version=1,
                name="a",
                steps=(CreateTable(NOTES), AddColumn("notes", Column("body", "text", default=""))),
            ),
        ),
    ],
    ids=["gap", "duplicate-name", "table-twice", "missing-table", "column-twice"],
)
def test_an_inconsistent_registry_is_refused(migrations: tuple[Migration, ...]) -> None:
    """Gaps, reused names and steps that do not fit raise InvalidValue before touching data."""
    with pytest.raises(InvalidValue):
        build_catalog(migrations)
    with pytest.raises(InvalidValue):
        MemoryStore(migrations=migrations)


def test_a_column_added_later_needs_a_default_or_null() -> None:
    """AddColumn of a NOT NULL column without a default is refused when declared."""
    with pytest.raises(InvalidValue, match="nullable or have a default"):
        AddColumn("notes", Column("title", "text"))


def test_the_catalog_is_the_fold_of_the_migrations() -> None:
    """A column added in a later migration appears in the table's current definition."""
    migrations = with_notes((AddColumn("notes", Column("pinned", "bool", default=False)),))
    assert build_catalog(migrations)["notes"].column_names == ("id", "body", "pinned")
    assert build_catalog(migrations, upto=len(migrations) - 1)["notes"].column_names == (
        "id",
        "body",
    )


def test_each_migration_is_stamped_once_with_its_name(tmp_path: Path) -> None:
    """schema_version records every applied migration, in order, by version and name."""
    migrations = with_notes((AddIndex("notes", Index(("body",))),))
    SQLiteStore(tmp_path / "s.db", migrations=migrations).close()
    SQLiteStore(tmp_path / "s.db", migrations=migrations).close()
    with sqlite3.connect(tmp_path / "s.db") as conn:
        rows = conn.execute("SELECT version, name FROM schema_version ORDER BY version").fetchall()
    assert rows == [(m.version, m.name) for m in migrations]


def test_a_database_stamped_newer_than_the_code_raises_schema_too_new(tmp_path: Path) -> None:
    """A version the code does not know is SchemaTooNew, with or without migrating."""
    SQLiteStore(tmp_path / "s.db", migrations=SCHEMA).close()
    with sqlite3.connect(tmp_path / "s.db") as conn:
        conn.execute(
            "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
            (len(SCHEMA) + 1, "from-the-future", "2030-01-01T00:00:00.000000Z"),
        )
    with pytest.raises(SchemaTooNew, match="upgrade"):
        SQLiteStore(tmp_path / "s.db", migrations=SCHEMA)
    with pytest.raises(SchemaTooNew):
        open_store(f"sqlite:///{tmp_path}/s.db", migrate=False, migrations=SCHEMA)


def test_a_database_migrated_by_another_registry_is_refused(tmp_path: Path) -> None:
    """Same version number, different migration name: StorageError, nothing applied."""
    SQLiteStore(tmp_path / "s.db", migrations=with_notes()).close()
    other = (*SCHEMA, Migration(version=len(SCHEMA) + 1, name="not-notes", steps=()))
    with pytest.raises(StorageError, match="different registry"):
        SQLiteStore(tmp_path / "s.db", migrations=other)


def test_a_store_opened_without_migrating_stays_at_its_version(tmp_path: Path) -> None:
    """``migrate=False`` opens as is; ``migrate()`` then brings it up to date."""
    SQLiteStore(tmp_path / "s.db", migrations=SCHEMA).close()
    store = SQLiteStore(tmp_path / "s.db", migrations=with_notes(), migrate=False)
    assert store.schema_version() == len(SCHEMA)
    assert store.migrate() == len(SCHEMA) + 1
    store.close()


def test_raw_sql_steps_run_on_their_dialect_and_are_skipped_in_memory(tmp_path: Path) -> None:
    """RawSQL runs the SQLite statements on SQLite; the memory store ignores it."""
    raw = RawSQL(
        {
            "sqlite": ["CREATE INDEX ix_notes_body_lower ON notes (lower(body))"],
            "postgresql": "SELECT 1",
        }
    )
    migrations = with_notes((raw,))
    SQLiteStore(tmp_path / "s.db", migrations=migrations).close()
    with sqlite3.connect(tmp_path / "s.db") as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "ix_notes_body_lower" in names
    assert MemoryStore(migrations=migrations).schema_version() == len(migrations)


def test_a_raw_sql_step_without_statements_for_the_dialect_fails_whole(tmp_path: Path) -> None:
    """A RawSQL step with no SQLite entry stops the migration; nothing of it is applied."""
    migrations = with_notes(
        (
            AddColumn("notes", Column("extra", "int", nullable=True)),
            RawSQL({"postgresql": "SELECT 1"}),
        )
    )
    with pytest.raises(StorageError, match="no statements for sqlite"):
        SQLiteStore(tmp_path / "s.db", migrations=migrations)
    store = SQLiteStore(tmp_path / "s.db", migrations=with_notes())
    assert store.schema_version() == len(SCHEMA) + 1
    with store.unit_of_work(actor="test") as uow:
        assert uow.insert("notes", {"id": 1, "body": "b"}) == {"id": 1, "body": "b"}
    store.close()


def test_a_unique_index_added_later_is_enforced_on_memory_too() -> None:
    """AddIndex of a partial unique index applies to the memory store's catalog."""
    migrations = with_notes(
        (
            AddColumn("notes", Column("live", "bool", default=True)),
            AddIndex("notes", UniqueIndex(("body",), where={"live": True})),
        )
    )
    store = MemoryStore(migrations=migrations)
    with store.unit_of_work(actor="test") as uow:
        uow.insert("notes", {"id": 1, "body": "same", "live": False})
        uow.insert("notes", {"id": 2, "body": "same"})
    with pytest.raises(DuplicateError), store.unit_of_work(actor="test") as uow:
        uow.insert("notes", {"id": 3, "body": "same"})


def test_concurrent_migrators_on_one_file_apply_each_migration_once(tmp_path: Path) -> None:
    """Three processes migrating one new file at once: all succeed, each version stamped once."""
    migrations = with_notes(
        (AddColumn("notes", Column("pinned", "bool", default=False)),),
        (AddIndex("notes", Index(("pinned",))),),
    )
    url = f"sqlite:///{tmp_path}/race.db"
    assert run_concurrent_migrators(url, migrations, processes=3) == [len(migrations)] * 3
    with sqlite3.connect(tmp_path / "race.db") as conn:
        versions = [
            r[0] for r in conn.execute("SELECT version FROM schema_version ORDER BY version")
        ]
        columns = [r[1] for r in conn.execute("PRAGMA table_info(notes)")]
    assert versions == list(range(1, len(migrations) + 1))
    assert columns == ["id", "body", "pinned"]
