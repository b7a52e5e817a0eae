"""The PostgreSQL store's wire (storage/postgres_wire.py): statements through libpq's pipeline."""

from __future__ import annotations

import os
import resource
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from cambridge_results.errors import DuplicateError
from cambridge_results.storage.postgres import PostgresStore
from cambridge_results.storage.postgres_wire import Wire
from cambridge_results.testing.conformance_base import (
    StoreFactory,
    conformance_migrations,
    thing,
)

pytestmark = pytest.mark.backends("postgresql")

ACTOR = "test:postgres-wire"


@pytest.fixture
def store(make_store: StoreFactory, tmp_path: Path) -> Iterator[PostgresStore]:
    """A store in a schema of its own, with the conformance ``things`` table."""
    opened = make_store(tmp_path, conformance_migrations())
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def conn(postgres_url: str) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    """A plain autocommit psycopg connection that prepares nothing itself, as the store's."""
    opened = psycopg.connect(postgres_url, autocommit=True, prepare_threshold=None)
    try:
        yield opened
    finally:
        opened.close()


def prepared_count(conn: psycopg.Connection[tuple[object, ...]]) -> int:
    """How many named prepared statements the connection's session holds."""
    row = conn.execute("SELECT count(*) FROM pg_prepared_statements").fetchone()
    assert row is not None
    return int(row[0])


def test_a_statement_sent_a_second_time_runs_prepared(
    conn: psycopg.Connection[tuple[object, ...]],
) -> None:
    """The first use of a text is parsed once; from its second it is a named prepared statement."""
    wire = Wire(conn)
    for value in (1, 2, 3):
        [answer] = wire.run([("SELECT %s::int + 1", [value])])
        assert answer.fetchall() == [(value + 1,)]
        assert prepared_count(conn) == (0 if value == 1 else 1)


def test_percent_signs_and_placeholders_are_psycopgs() -> None:
    """``%s`` is a parameter and ``%%`` a percent sign, as in psycopg's own statements."""
    from cambridge_results.storage.postgres_wire import _converted

    assert _converted("SELECT %s || '%%' WHERE a = %s") == b"SELECT $1 || '%' WHERE a = $2"


def test_a_failed_statement_raises_and_the_ones_after_it_do_not_run(
    conn: psycopg.Connection[tuple[object, ...]],
) -> None:
    """One round trip: the first failure raises once all is read; the rest are skipped."""
    conn.execute("CREATE TEMPORARY TABLE w (n int)")
    wire = Wire(conn)
    with pytest.raises(psycopg.errors.DivisionByZero):
        wire.run(
            [("INSERT INTO w VALUES (1)", []), ("SELECT 1/0", []), ("INSERT INTO w VALUES (2)", [])]
        )
    # The three were one implicit transaction: nothing of it is left.
    assert conn.execute("SELECT count(*) FROM w").fetchone() == (0,)
    [answer] = wire.run([("SELECT 1", [])])
    assert answer.fetchone() == (1,)


def test_a_run_after_a_send_gets_its_own_answers_and_logs_what_the_send_refused(
    conn: psycopg.Connection[tuple[object, ...]], caplog: pytest.LogCaptureFixture
) -> None:
    """``run`` sends first, then reads ``send``'s answer: its error logged, then its own answers."""
    conn.execute("CREATE TEMPORARY TABLE w (n int)")
    wire = Wire(conn)
    with caplog.at_level("WARNING", logger="cambridge_results.storage"):
        wire.send([("INSERT INTO w VALUES (1)", []), ("SELECT 1/0", [])])
        [count, one] = wire.run([("SELECT count(*) FROM w", []), ("SELECT %s::int", [7])])
    assert (count.fetchall(), one.fetchall()) == ([(0,)], [(7,)])  # the send was undone
    assert [r.getMessage() for r in caplog.records] == [
        "writes sent without waiting were not made: division by zero"
    ]
    wire.send([("INSERT INTO w VALUES (2)", [])])
    [count] = wire.run([("SELECT count(*) FROM w", [])])
    assert count.fetchall() == [(1,)]  # the server ran the send before the run
    assert len(caplog.records) == 1


def test_prepared_statements_survive_a_rolled_back_unit_of_work(store: PostgresStore) -> None:
    """After a unit that rolled back (psycopg's ROLLBACK), every statement still runs."""
    for n in range(3):
        with store.unit_of_work(actor=ACTOR) as uow:
            uow.insert("things", thing(f"t{n}", kind=f"k{n}"))
    with pytest.raises(DuplicateError), store.unit_of_work(actor=ACTOR) as uow:
        uow.insert("things", thing("t0", kind="k0"))
    for _ in range(3):
        with store.unit_of_work(actor=ACTOR, read_only=True) as uow:
            assert [r["id"] for r in uow.select("things")] == ["t0", "t1", "t2"]


def test_a_connection_whose_socket_is_numbered_past_1024_still_runs(postgres_url: str) -> None:
    """A busy server process opens many files: the wire waits on a socket numbered >= 1024."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1200:
        pytest.skip("this process may not open 1,200 files")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1200), hard))
    held = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    try:
        with psycopg.connect(postgres_url, autocommit=True, prepare_threshold=None) as high:
            assert high.pgconn.socket >= 1024
            [answer] = Wire(high).run([("SELECT %s::int * 2", [21])])
            assert answer.fetchall() == [(42,)]
    finally:
        for fd in held:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
