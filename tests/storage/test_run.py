"""``store.run``: a unit of work run again from the start when the backend reports a conflict."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql as pgsql

from cambridge_results.errors import (
    ConcurrencyError,
    DuplicateError,
    InvalidValue,
    WriteRefused,
)
from cambridge_results.storage.port import Store, UnitOfWork
from cambridge_results.storage.postgres import PostgresStore
from cambridge_results.storage.sqlite import SQLiteStore
from cambridge_results.testing.conformance_base import (
    StoreFactory,
    StoreURL,
    conformance_migrations,
    thing,
)

ACTOR = "test:run"


@pytest.fixture
def store(make_store: StoreFactory, tmp_path: Path) -> Iterator[Store]:
    """A fresh store with the conformance ``things`` table, on each backend."""
    opened = make_store(tmp_path, conformance_migrations())
    try:
        yield opened
    finally:
        opened.close()


def ids(store: Store) -> list[str]:
    """Every ``things`` id in key order."""
    with store.unit_of_work(actor=ACTOR, read_only=True) as uow:
        return [r["id"] for r in uow.select("things")]


def test_run_commits_and_returns_what_the_work_returns(store: Store) -> None:
    """The work's result comes back and its writes are committed."""
    assert store.run(lambda uow: uow.insert("things", thing("a"))["n"], actor=ACTOR) == 0
    assert ids(store) == ["a"]


def test_a_concurrency_error_runs_the_work_again_in_a_new_unit(store: Store) -> None:
    """The failed attempt's writes roll back; the next attempt starts from committed data."""
    calls: list[int] = []

    def work(uow: UnitOfWork) -> int:
        calls.append(1)
        uow.insert("things", thing(f"attempt-{len(calls)}", kind=f"k{len(calls)}"))
        if len(calls) == 1:
            raise ConcurrencyError("a concurrent writer got there first")
        return len(calls)

    assert store.run(work, actor=ACTOR) == 2
    assert ids(store) == ["attempt-2"]


def test_run_gives_up_after_its_attempts_with_the_last_error(store: Store) -> None:
    """Conflicts every time: ``attempts`` tries, then ConcurrencyError, and nothing written."""
    calls: list[int] = []

    def work(uow: UnitOfWork) -> None:
        calls.append(1)
        uow.insert("things", thing("never"))
        raise ConcurrencyError(f"conflict {len(calls)}")

    with pytest.raises(ConcurrencyError, match="gave up after 3 tries") as raised:
        store.run(work, actor=ACTOR, attempts=3)
    assert "conflict 3" in str(raised.value)
    assert isinstance(raised.value.__cause__, ConcurrencyError)
    assert len(calls) == 3
    with pytest.raises(ConcurrencyError, match="gave up after 1 try"):
        store.run(work, actor=ACTOR, attempts=1)
    assert ids(store) == []


def test_other_errors_are_not_retried(store: Store) -> None:
    """A DuplicateError (or any non-conflict error) rolls back and propagates at once."""
    store.run(lambda uow: uow.insert("things", thing("a")), actor=ACTOR)
    calls: list[int] = []

    def work(uow: UnitOfWork) -> None:
        calls.append(1)
        uow.insert("things", thing("b", kind="k2"))
        uow.insert("things", thing("a"))

    with pytest.raises(DuplicateError):
        store.run(work, actor=ACTOR)
    assert calls == [1]
    assert ids(store) == ["a"]


def test_run_checks_its_arguments_and_honours_read_only(store: Store) -> None:
    """Attempts must be a whole number of at least 1; a read-only run refuses writes."""
    for attempts in (0, -1, 1.5, True):
        with pytest.raises(InvalidValue):
            store.run(lambda uow: None, actor=ACTOR, attempts=attempts)  # type: ignore[arg-type]
    with pytest.raises(WriteRefused):
        store.run(lambda uow: uow.insert("things", thing("a")), actor=ACTOR, read_only=True)
    assert store.run(lambda uow: uow.count("things"), actor=ACTOR, read_only=True) == 0


@pytest.mark.backends("sqlite")
def test_sqlite_busy_is_retried_until_the_other_writer_lets_go(tmp_path: Path) -> None:
    """A database another connection holds is SQLITE_BUSY: ConcurrencyError, so run retries it."""
    store = SQLiteStore(tmp_path / "s.db", migrations=conformance_migrations(), busy_timeout=0.05)
    holder = sqlite3.connect(store.path, isolation_level=None, check_same_thread=False)
    try:
        holder.execute("BEGIN IMMEDIATE")
        with pytest.raises(ConcurrencyError, match="gave up after 2 tries") as raised:
            store.run(lambda uow: uow.insert("things", thing("a")), actor=ACTOR, attempts=2)
        assert "busy or locked" in str(raised.value.__cause__)
        timer = threading.Timer(0.2, lambda: holder.execute("COMMIT"))
        timer.start()
        store.run(lambda uow: uow.insert("things", thing("a")), actor=ACTOR, attempts=100)
        timer.join()
        assert ids(store) == ["a"]
    finally:
        holder.close()
        store.close()


@pytest.mark.backends("postgresql")
def test_a_postgres_lock_timeout_is_retried_until_the_lock_is_released(
    store_url: StoreURL, tmp_path: Path, postgres_url: str
) -> None:
    """A row locked past ``lock_timeout`` is ConcurrencyError; run retries until it is free."""
    store = PostgresStore(
        store_url(tmp_path), migrations=conformance_migrations(), lock_timeout=0.1
    )
    store.run(lambda uow: uow.insert("things", thing("a")), actor=ACTOR)
    holder = psycopg.connect(postgres_url, autocommit=True)
    calls: list[int] = []

    def work(uow: UnitOfWork) -> bool:
        calls.append(1)
        return uow.update("things", "a", {"n": len(calls)})

    try:
        holder.execute("BEGIN")
        lock = pgsql.SQL("SELECT 1 FROM {}.things WHERE id = %s FOR UPDATE")
        holder.execute(lock.format(pgsql.Identifier(str(store.schema))), ["a"])
        with pytest.raises(ConcurrencyError, match="gave up after 2 tries") as raised:
            store.run(work, actor=ACTOR, attempts=2)
        assert "lock_timeout" in str(raised.value.__cause__)
        calls.clear()
        timer = threading.Timer(0.3, lambda: holder.execute("COMMIT"))
        timer.start()
        assert store.run(work, actor=ACTOR, attempts=100) is True
        timer.join()
        assert len(calls) > 1
        with store.unit_of_work(actor=ACTOR, read_only=True) as uow:
            assert uow.require("things", "a")["n"] == len(calls)
    finally:
        holder.close()
        store.close()


def test_run_ends_its_unit_as_the_bracket_does_records_included(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    """run and unit_of_work: the same DEBUG records, a rollback on error, the thread free after."""

    def fail(uow: UnitOfWork) -> None:
        uow.insert("things", thing("b", kind="k2"))
        raise KeyError("boom")

    said: dict[str, list[str]] = {}
    for how in ("run", "bracket"):
        caplog.clear()
        with caplog.at_level("DEBUG", logger="cambridge_results.storage"):
            if how == "run":
                store.run(lambda uow: uow.insert("things", thing("a")), actor=ACTOR)
                with pytest.raises(KeyError):
                    store.run(fail, actor=ACTOR)
            else:
                with store.unit_of_work(actor=ACTOR) as uow:
                    uow.insert("things", thing("a2", kind="k3"))
                with pytest.raises(KeyError), store.unit_of_work(actor=ACTOR) as uow:
                    fail(uow)
        said[how] = [
            r.getMessage().split(" on ")[0]
            for r in caplog.records
            if r.name == "cambridge_results.storage"
        ]
    assert said["run"] == said["bracket"]
    assert said["run"] == [
        "begin unit of work",
        f"committed unit of work for {ACTOR}",
        "begin unit of work",
        f"rolled back unit of work for {ACTOR}: KeyError",
    ]
    assert ids(store) == ["a", "a2"]  # both failures rolled back; the store is usable again


def test_run_refuses_a_bad_unit_before_anything_runs(store: Store) -> None:
    """A bad actor or flag is the bracket's refusal, word for word, and work never runs."""
    ran: list[str] = []
    for kwargs in (
        {"actor": " "},
        {"actor": ACTOR, "read_only": 1},
        {"actor": ACTOR, "provisional": "no"},
    ):
        with pytest.raises(InvalidValue) as by_run:
            store.run(lambda uow: ran.append("ran"), **kwargs)  # type: ignore[arg-type]
        with pytest.raises(InvalidValue) as by_bracket:
            store.unit_of_work(**kwargs)  # type: ignore[arg-type]
        assert str(by_run.value) == str(by_bracket.value)
    assert ran == []
    assert ids(store) == []
