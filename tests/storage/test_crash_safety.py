"""Crash safety: writers SIGKILLed at random points leave whole committed units and nothing else."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

import psycopg
import pytest

from cambridge_results.storage.port import Store
from cambridge_results.storage.postgres import PostgresStore
from cambridge_results.storage.sqlite import SQLiteStore
from cambridge_results.testing.conformance_base import StoreFactory
from cambridge_results.testing.crash import (
    Round,
    WriterContext,
    check_ledger,
    ledger_migrations,
    ledger_writer,
    prepare_ledger,
    run_kill_test,
)

KILLS = 100


def database_is_healthy(store: Store) -> None:
    """SQLite: ``PRAGMA integrity_check``; PostgreSQL: amcheck on the ledger's B-tree indexes."""
    if isinstance(store, SQLiteStore):
        with sqlite3.connect(store.path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        return
    assert isinstance(store, PostgresStore)
    conn = store._connection()
    indexes = conn.execute(
        "SELECT c.oid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "JOIN pg_class t ON t.oid = i.indrelid "
        "WHERE t.relname IN ('crash_ledger', 'crash_totals', 'events') "
        "AND t.relnamespace = to_regnamespace(%s)",
        [store.schema],
    ).fetchall()
    assert len(indexes) >= 3
    for (oid,) in indexes:
        conn.execute("SELECT public.bt_index_check(%s, true)", [oid])


@pytest.mark.slow
@pytest.mark.backends("sqlite", "postgresql")
def test_a_writer_killed_at_random_points_leaves_whole_committed_units_only(
    make_store: StoreFactory, tmp_path: Path
) -> None:
    """100 SIGKILLs: reported commits present, nothing uncommitted, no torn unit, healthy file."""
    migrations = ledger_migrations()
    store = make_store(tmp_path, migrations)
    prepare_ledger(store)
    if isinstance(store, PostgresStore):
        store._connection().execute("CREATE EXTENSION IF NOT EXISTS amcheck WITH SCHEMA public")
    url = store.url

    def check(checked: Store, rounds: Sequence[Round]) -> None:
        check_ledger(checked, rounds)
        database_is_healthy(store)

    try:
        report = run_kill_test(
            url, migrations=migrations, writer=ledger_writer, check=check, kills=KILLS, seed=6
        )
    finally:
        store.close()
    assert report.killed == KILLS
    assert sum(len(r.reported) for r in report.rounds) > 0


@pytest.mark.backends("sqlite", "postgresql")
def test_the_ledger_check_fails_on_a_missing_torn_or_unexplained_unit(
    make_store: StoreFactory, tmp_path: Path
) -> None:
    """The check is not vacuous: each kind of damage it looks for makes it fail."""
    store = make_store(tmp_path, ledger_migrations())
    prepare_ledger(store)
    try:
        check_ledger(store, [])
        with pytest.raises(AssertionError, match="missing"):
            check_ledger(store, [Round(number=0, reported=("r0-1",))])
        with store.unit_of_work(actor="test") as uow:
            uow.insert("crash_ledger", {"token": "r0-1", "part": 0, "payload": b"x"})
        with pytest.raises(AssertionError, match="in part"):
            check_ledger(store, [Round(number=0, reported=("r0-1",))])
        with pytest.raises(AssertionError, match="never committed"):
            check_ledger(store, [Round(number=1, reported=())])
    finally:
        store.close()


def _failing_writer(context: WriterContext) -> None:
    raise RuntimeError("the writer is broken")


def _returning_writer(context: WriterContext) -> None:
    return None


@pytest.mark.parametrize(
    ("writer", "message"),
    [(_failing_writer, "the writer is broken"), (_returning_writer, "ended by itself")],
)
def test_a_writer_that_fails_or_stops_by_itself_fails_the_kill_test(
    tmp_path: Path, writer: object, message: str
) -> None:
    """The harness reports a writer's own error, and a writer that returns instead of dying."""
    store = SQLiteStore(tmp_path / "s.db", migrations=ledger_migrations())
    store.close()
    with pytest.raises(AssertionError, match=message):
        run_kill_test(
            store.url,
            migrations=ledger_migrations(),
            writer=writer,  # type: ignore[arg-type]
            check=lambda s, r: None,
            kills=1,
            max_delay=2.0,
        )


def test_the_server_offers_amcheck_for_the_crash_tests_index_checks(postgres_url: str) -> None:
    """PostgreSQL's amcheck extension, which the kill test runs on every index, is installed."""
    with psycopg.connect(postgres_url) as conn:
        found = conn.execute(
            "SELECT 1 FROM pg_available_extensions WHERE name = 'amcheck'"
        ).fetchone()
    assert found == (1,)
