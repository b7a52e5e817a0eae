"""What only the SQLite backend promises: its settings, triggers, locking and URLs."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pendulum
import pytest

from cambridge_results.board.schema import SCHEMA
from cambridge_results.errors import ConcurrencyError, InvalidValue
from cambridge_results.storage.sqlite import SQLiteStore, path_from_url

T0 = pendulum.datetime(2026, 6, 1, tz="UTC")


@pytest.fixture
def store(tmp_path: Path) -> SQLiteStore:
    """A migrated SQLite store on a temporary file."""
    return SQLiteStore(tmp_path / "s.db", busy_timeout=5.0, migrations=SCHEMA)


def test_connections_use_wal_full_sync_and_foreign_keys(store: SQLiteStore) -> None:
    """Each connection runs in WAL mode with synchronous=FULL and foreign keys on."""
    conn = store._connection()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000


def test_each_thread_gets_its_own_connection(store: SQLiteStore) -> None:
    """A second thread opens a connection of its own rather than sharing one."""
    seen: list[sqlite3.Connection] = []
    thread = threading.Thread(target=lambda: seen.append(store._connection()))
    thread.start()
    thread.join()
    assert seen[0] is not store._connection()


def test_the_events_table_refuses_update_and_delete_even_in_raw_sql(store: SQLiteStore) -> None:
    """Triggers in the database itself keep events append-only, whoever connects."""
    with store.unit_of_work(actor="test") as uow:
        uow.events.append(at=T0, kind="k", subject="s")
    store.close()
    with sqlite3.connect(store.path) as conn:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE events SET kind = 'forged'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM events")
        assert conn.execute("SELECT kind FROM events").fetchall() == [("k",)]


def test_a_reader_keeps_its_snapshot_while_a_writer_commits(store: SQLiteStore) -> None:
    """A read-only unit of work neither blocks a writer nor sees its commit (WAL snapshot)."""

    def write() -> None:
        with store.unit_of_work(actor="writer") as uow:
            uow.next_number("n")

    with store.unit_of_work(actor="reader", read_only=True) as uow:
        assert uow.select("sequences") == []
        writer = threading.Thread(target=write)
        writer.start()
        writer.join()
        assert uow.select("sequences") == []
    with store.unit_of_work(actor="reader", read_only=True) as uow:
        assert uow.select("sequences") == [{"name": "n", "value": 1}]


def test_a_writer_that_cannot_get_the_lock_raises_concurrency_error(tmp_path: Path) -> None:
    """While another writer holds the database, BEGIN IMMEDIATE gives up with ConcurrencyError."""
    holder = SQLiteStore(tmp_path / "s.db", migrations=SCHEMA)
    impatient = SQLiteStore(tmp_path / "s.db", busy_timeout=0.05, migrations=SCHEMA)
    errors: list[BaseException] = []

    def try_write() -> None:
        try:
            with impatient.unit_of_work(actor="second") as uow:
                uow.next_number("n")
        except ConcurrencyError as exc:
            errors.append(exc)

    with holder.unit_of_work(actor="first") as uow:
        uow.next_number("n")
        thread = threading.Thread(target=try_write)
        thread.start()
        thread.join()
    assert len(errors) == 1
    with holder.unit_of_work(actor="check", read_only=True) as uow:
        assert uow.select("sequences") == [{"name": "n", "value": 1}]


def test_instants_are_stored_as_fixed_width_utc_text(store: SQLiteStore) -> None:
    """Instants sort as text in time order because they are fixed-width UTC."""
    with store.unit_of_work(actor="test") as uow:
        uow.events.append(
            at=pendulum.datetime(2026, 6, 1, 10, tz="Europe/London"), kind="k", subject="s"
        )
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("SELECT at FROM events").fetchone()[0] == "2026-06-01T09:00:00.000000Z"


@pytest.mark.parametrize(
    ("url", "path"),
    [("sqlite:///results.db", "results.db"), ("sqlite:////var/db/r.db", "/var/db/r.db")],
)
def test_sqlite_urls_name_relative_or_absolute_files(url: str, path: str) -> None:
    """Three slashes and a relative path, or four slashes and an absolute one."""
    assert path_from_url(url) == Path(path)


@pytest.mark.parametrize(
    "url", ["sqlite:///", "sqlite:///:memory:", "sqlite://x.db", "sqlite:///file:x"]
)
def test_sqlite_urls_that_name_no_file_are_refused(url: str) -> None:
    """In-memory and URI forms are refused: they cannot be shared across connections."""
    with pytest.raises(InvalidValue):
        path_from_url(url)


def test_a_stream_yields_every_row_while_the_unit_runs_other_statements(
    store: SQLiteStore,
) -> None:
    """Statements between a stream's batches (one cursor for the rest) leave the stream whole."""
    with store.unit_of_work(actor="test") as uow:
        for i in range(5):
            uow.events.append(at=T0, kind=f"k{i}", subject="s")
    seen = []
    with store.unit_of_work(actor="test") as uow:
        for row in uow.stream("events", order_by=("seq",), batch_size=1):
            seen.append(row["kind"])
            assert uow.select("events", {"kind": row["kind"]})[0]["seq"] == row["seq"]
            assert uow.next_number("between") == len(seen)
            assert uow.count("events", {"subject": "s"}) == 5
    assert seen == ["k0", "k1", "k2", "k3", "k4"]
