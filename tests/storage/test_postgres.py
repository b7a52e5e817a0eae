"""What only the PostgreSQL backend promises: URLs, schemas, locking, errors, connections."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pendulum
import psycopg
import pytest

from cambridge_results.board.schema import SCHEMA
from cambridge_results.errors import (
    ConcurrencyError,
    DuplicateError,
    InvalidValue,
    StorageError,
)
from cambridge_results.storage import (
    Column,
    CreateTable,
    Migration,
    RawSQL,
    Table,
    open_store,
)
from cambridge_results.storage.port import UnitOfWork
from cambridge_results.storage.postgres import PostgresStore, parse_url, redacted, translate_error
from cambridge_results.testing.conformance_base import (
    StoreFactory,
    StoreURL,
    conformance_migrations,
    thing,
)
from cambridge_results.testing.postgres import schema_for, with_schema

pytestmark = pytest.mark.backends("postgresql")

ACTOR = "test:postgres"


@pytest.fixture
def raw(postgres_url: str) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    """A plain autocommit psycopg connection to the session's server."""
    conn = psycopg.connect(postgres_url, autocommit=True)
    try:
        yield conn
    finally:
        conn.close()


@pytest.fixture
def store(make_store: StoreFactory, store_url: StoreURL, tmp_path: Path) -> Iterator[PostgresStore]:
    """A store in a schema of its own, with the conformance ``things`` table."""
    opened = make_store(tmp_path, conformance_migrations())
    try:
        yield opened
    finally:
        opened.close()


def ids(store: PostgresStore) -> list[str]:
    """The ids of every ``things`` row, in key order."""
    with store.unit_of_work(actor=ACTOR, read_only=True) as uow:
        return [r["id"] for r in uow.select("things")]


# -- URLs ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "conninfo", "schema"),
    [
        ("postgresql://u@h:5432/db", "postgresql://u@h:5432/db", None),
        ("postgres://u@h/db", "postgres://u@h/db", None),
        ("postgresql://u@h/db?schema=board_2026", "postgresql://u@h/db", "board_2026"),
        (
            "postgresql://u@h/db?sslmode=disable&schema=s&application_name=a%20b",
            "postgresql://u@h/db?sslmode=disable&application_name=a%20b",
            "s",
        ),
        (
            "postgresql:///db?host=/var/run/postgresql",
            "postgresql:///db?host=/var/run/postgresql",
            None,
        ),
    ],
)
def test_urls_are_libpq_uris_plus_an_optional_schema(
    url: str, conninfo: str, schema: str | None
) -> None:
    """libpq parameters pass through unchanged; ``schema=`` is ours and taken out."""
    assert parse_url(url) == (conninfo, schema)


@pytest.mark.parametrize(
    "url",
    [
        "mysql://u@h/db",
        "postgresql://u@h/db?schema=Board",
        "postgresql://u@h/db?schema=a;drop",
        "postgresql://u@h/db?schema=a&schema=b",
        "postgresql://u@h/db?no_such_libpq_parameter=1",
        42,
    ],
)
def test_malformed_postgres_urls_are_invalid_values(url: object) -> None:
    """A wrong scheme, a schema that is not a lower-case name, unknown parameters: InvalidValue."""
    with pytest.raises(InvalidValue):
        parse_url(url)


def test_a_password_in_the_url_is_masked_in_repr_and_errors(postgres_url: str) -> None:
    """The store's repr and connection errors show ``***`` instead of the password."""
    assert redacted("postgresql://u:s3cret@h/db") == "postgresql://u:***@h/db"
    assert redacted("postgresql://u@h/db") == "postgresql://u@h/db"
    with_password = postgres_url.replace("postgres@", "postgres:s3cret@")
    store = PostgresStore(with_schema(with_password, "masked"), migrate=False, migrations=SCHEMA)
    assert "s3cret" not in repr(store)
    assert "***" in repr(store)
    store.close()
    missing = with_password.rsplit("/", 1)[0] + "/no_such_database"
    with pytest.raises(StorageError) as caught:
        open_store(missing, migrations=SCHEMA)
    assert "no_such_database" in str(caught.value)
    assert "s3cret" not in str(caught.value)


def test_both_schemes_and_libpq_parameters_reach_the_server(postgres_url: str) -> None:
    """``postgres://`` works like ``postgresql://``; ``application_name`` reaches the session."""
    url = with_schema(postgres_url.replace("postgresql://", "postgres://"), "aliased")
    store = open_store(url + "&application_name=cr-test", migrate=False, migrations=SCHEMA)
    assert isinstance(store, PostgresStore)
    conn = store._connection()
    assert conn.execute("SHOW application_name").fetchone() == ("cr-test",)
    assert conn.execute("SHOW TimeZone").fetchone() == ("UTC",)
    store.close()


def test_a_database_in_the_url_holds_its_own_tables(
    postgres_url: str, raw: psycopg.Connection[tuple[object, ...]]
) -> None:
    """``postgresql://.../name`` opens that database; another database does not see its rows."""
    base = postgres_url.rsplit("/", 1)[0]
    for name in ("cr_db_one", "cr_db_two"):
        raw.execute(f"DROP DATABASE IF EXISTS {name}")
        raw.execute(f"CREATE DATABASE {name}")
    one = open_store(f"{base}/cr_db_one", migrations=conformance_migrations())
    two = open_store(f"{base}/cr_db_two", migrations=conformance_migrations())
    try:
        with one.unit_of_work(actor=ACTOR) as uow:
            uow.insert("things", thing("only-in-one"))
        assert isinstance(one, PostgresStore)
        assert isinstance(two, PostgresStore)
        assert ids(one) == ["only-in-one"]
        assert ids(two) == []
    finally:
        one.close()
        two.close()
        for name in ("cr_db_one", "cr_db_two"):
            raw.execute(f"DROP DATABASE {name} WITH (FORCE)")


def test_schemas_keep_stores_apart_and_are_created_by_migrating(
    make_store: StoreFactory,
    store_url: StoreURL,
    tmp_path: Path,
    raw: psycopg.Connection[tuple[object, ...]],
) -> None:
    """Two schemas of one database are two stores; ``migrate=False`` creates nothing."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    untouched = PostgresStore(store_url(tmp_path), migrate=False, migrations=SCHEMA)
    assert untouched.schema_version() == 0
    untouched.close()
    found = raw.execute(
        "SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema_for(tmp_path)]
    ).fetchone()
    assert found is None
    a = make_store(tmp_path / "a", conformance_migrations())
    b = make_store(tmp_path / "b", conformance_migrations())
    try:
        with a.unit_of_work(actor=ACTOR) as uow:
            uow.insert("things", thing("in-a"))
        assert (ids(a), ids(b)) == (["in-a"], [])
        tables = raw.execute(
            "SELECT table_schema FROM information_schema.tables WHERE table_name = 'things' "
            "AND table_schema IN (%s, %s) ORDER BY 1",
            [schema_for(tmp_path / "a"), schema_for(tmp_path / "b")],
        ).fetchall()
        assert len(tables) == 2
    finally:
        a.close()
        b.close()


# -- errors ---------------------------------------------------------------------


def test_driver_errors_become_typed_errors_without_values(
    store: PostgresStore, raw: psycopg.Connection[tuple[object, ...]]
) -> None:
    """A unique violation is DuplicateError naming the columns; a serialization failure retries."""
    raw.execute(f"SET search_path TO {store.schema}")
    raw.execute("INSERT INTO things (id, owner, kind, note) VALUES ('a', 'o', 'k', 'secret-1')")
    with pytest.raises(psycopg.errors.UniqueViolation) as caught:
        raw.execute("INSERT INTO things (id, owner, kind, note) VALUES ('b', 'p', 'k', 'secret-1')")
    error = translate_error(caught.value, store.catalog)
    assert isinstance(error, DuplicateError)
    assert str(error) == "things: duplicate value for (note)"
    assert "secret" not in str(translate_error(caught.value))

    other = psycopg.connect(store._conninfo, autocommit=True)
    try:
        other.execute(f"SET search_path TO {store.schema}")
        raw.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        raw.execute("SELECT n FROM things WHERE id = 'a'")
        other.execute("UPDATE things SET n = 1 WHERE id = 'a'")
        with pytest.raises(psycopg.errors.SerializationFailure) as failure:
            raw.execute("UPDATE things SET n = 2 WHERE id = 'a'")
        raw.execute("ROLLBACK")
    finally:
        other.close()
    assert isinstance(translate_error(failure.value), ConcurrencyError)


def test_a_failed_statement_means_nothing_commits_not_a_silent_rollback(
    make_store: StoreFactory, store_url: StoreURL, tmp_path: Path
) -> None:
    """After a statement fails (here a CHECK from raw SQL), the unit commits nothing and says so."""
    notes = Table("notes", (Column("id", "int"), Column("body", "text")), primary_key="id")
    check = RawSQL(
        {
            "postgresql": "ALTER TABLE notes ADD CONSTRAINT short_body CHECK (length(body) < 5)",
            "sqlite": "SELECT 1",
        }
    )
    migrations = (
        *SCHEMA,
        Migration(version=len(SCHEMA) + 1, name="notes", steps=(CreateTable(notes), check)),
    )
    store = make_store(tmp_path, migrations)
    try:
        # The block must run to its end for COMMIT to be tried: PT012 does not apply.
        with (  # noqa: PT012
            pytest.raises(StorageError, match="nothing was committed"),
            store.unit_of_work(actor=ACTOR) as uow,
        ):
            uow.insert("notes", {"id": 1, "body": "ok"})
            with pytest.raises(StorageError, match="23514"):
                uow.insert("notes", {"id": 2, "body": "far too long"})
            with pytest.raises(StorageError, match="can only roll back"):
                uow.insert("notes", {"id": 3, "body": "ok"})
        with store.unit_of_work(actor=ACTOR, read_only=True) as uow:
            assert uow.select("notes") == []
    finally:
        store.close()


def test_a_lock_held_too_long_is_a_concurrency_error(
    make_store: StoreFactory,
    store_url: StoreURL,
    tmp_path: Path,
    raw: psycopg.Connection[tuple[object, ...]],
) -> None:
    """A writer waiting longer than ``lock_timeout`` for a row gets ConcurrencyError."""
    setup = make_store(tmp_path, conformance_migrations())
    with setup.unit_of_work(actor=ACTOR) as uow:
        uow.insert("things", thing("a"))
    setup.close()
    impatient = PostgresStore(
        store_url(tmp_path), migrations=conformance_migrations(), lock_timeout=0.2
    )
    raw.execute(f"SET search_path TO {impatient.schema}")
    raw.execute("BEGIN")
    raw.execute("SELECT * FROM things WHERE id = 'a' FOR UPDATE")
    try:
        with pytest.raises(ConcurrencyError), impatient.unit_of_work(actor=ACTOR) as uow:
            uow.increment("things", "a", "n")
    finally:
        raw.execute("ROLLBACK")
    with impatient.unit_of_work(actor=ACTOR) as uow:
        assert uow.increment("things", "a", "n") == 1
    impatient.close()
    with pytest.raises(InvalidValue):
        PostgresStore(store_url(tmp_path), lock_timeout=0, migrations=SCHEMA)


# -- concurrency ------------------------------------------------------------------


def _crossing(
    first: str, second: str, barrier: threading.Barrier, calls: list[int]
) -> Callable[[UnitOfWork], int]:
    """Work that increments ``first`` then ``second``, meeting the other thread in between."""

    def work(uow: UnitOfWork) -> int:
        calls.append(1)
        uow.increment("things", first, "n")
        if len(calls) == 1:
            barrier.wait(timeout=30)
        uow.increment("things", second, "n")
        return len(calls)

    return work


def test_a_deadlock_fails_one_unit_of_work_with_concurrency_error(store: PostgresStore) -> None:
    """Two units locking two rows in opposite orders: one is chosen and rolled back."""
    with store.unit_of_work(actor=ACTOR) as uow:
        uow.insert("things", thing("a", kind="k1"))
        uow.insert("things", thing("b", kind="k2"))
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def plain(first: str, second: str) -> None:
        try:
            with store.unit_of_work(actor=ACTOR) as uow:
                _crossing(first, second, barrier, [])(uow)
        except ConcurrencyError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=plain, args=pair) for pair in (("a", "b"), ("b", "a"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(errors) == 1
    assert "deadlock" in str(errors[0])
    with store.unit_of_work(actor=ACTOR, read_only=True) as uow:
        assert [r["n"] for r in uow.select("things")] == [1, 1]


def test_run_retries_the_deadlock_loser_until_both_commit(store: PostgresStore) -> None:
    """With ``store.run`` the loser of a deadlock runs again and both increments land."""
    with store.unit_of_work(actor=ACTOR) as uow:
        uow.insert("things", thing("a", kind="k1"))
        uow.insert("things", thing("b", kind="k2"))
    barrier = threading.Barrier(2)
    attempts: dict[str, int] = {}

    def retrying(first: str, second: str) -> None:
        calls: list[int] = []
        attempts[first] = store.run(_crossing(first, second, barrier, calls), actor=ACTOR)

    threads = [threading.Thread(target=retrying, args=pair) for pair in (("a", "b"), ("b", "a"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(attempts.values()) == [1, 2]
    with store.unit_of_work(actor=ACTOR, read_only=True) as uow:
        assert [r["n"] for r in uow.select("things")] == [2, 2]


def test_a_read_only_unit_of_work_keeps_one_snapshot(store: PostgresStore) -> None:
    """A reader sees the data as it was when it started, while a writer commits meanwhile."""
    with store.unit_of_work(actor=ACTOR) as uow:
        uow.insert("things", thing("a"))

    def write() -> None:
        with store.unit_of_work(actor="writer") as uow:
            uow.insert("things", thing("b", kind="k2"))
            uow.increment("things", "a", "n")

    with store.unit_of_work(actor="reader", read_only=True) as uow:
        assert [r["id"] for r in uow.select("things")] == ["a"]
        writer = threading.Thread(target=write)
        writer.start()
        writer.join()
        assert [(r["id"], r["n"]) for r in uow.select("things")] == [("a", 0)]
    assert ids(store) == ["a", "b"]


# -- connections --------------------------------------------------------------------


def test_a_connection_the_server_dropped_is_replaced(
    store: PostgresStore, raw: psycopg.Connection[tuple[object, ...]]
) -> None:
    """A killed idle session reconnects on the next unit; one killed mid-unit fails it only."""
    with store.unit_of_work(actor=ACTOR) as uow:
        uow.insert("things", thing("a", kind="k1"))
    pid = store._connection().info.backend_pid
    assert raw.execute("SELECT pg_terminate_backend(%s, 10000)", [pid]).fetchone() == (True,)
    with store.unit_of_work(actor=ACTOR) as uow:
        uow.insert("things", thing("b", kind="k2"))
    pid = store._connection().info.backend_pid
    # The session is killed between two statements of the block: PT012 does not apply.
    with pytest.raises(StorageError), store.unit_of_work(actor=ACTOR) as uow:  # noqa: PT012
        uow.insert("things", thing("c", kind="k3"))
        raw.execute("SELECT pg_terminate_backend(%s, 10000)", [pid])
        uow.insert("things", thing("d", kind="k4"))
    assert ids(store) == ["a", "b"]


def test_a_forked_child_uses_its_own_connection_and_leaves_the_parents_alone(
    store: PostgresStore,
) -> None:
    """A child forked after the store was used writes through a new session; the parent's lives."""
    with store.unit_of_work(actor=ACTOR) as uow:
        uow.insert("things", thing("from-parent", kind="k1"))
    parent_conn = store._connection()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child, which exits at once
        code = 1
        try:
            with store.unit_of_work(actor="child") as uow:
                uow.insert("things", thing("from-child", kind="k2"))
            store.close()
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert store._connection() is parent_conn
    assert not parent_conn.closed
    assert ids(store) == ["from-child", "from-parent"]


def test_a_stream_reads_through_a_server_side_cursor(store: PostgresStore) -> None:
    """Streaming declares a cursor that holds the rows on the server, and closes it after."""
    with store.unit_of_work(actor=ACTOR) as uow:
        for i in range(5):
            uow.insert("things", thing(f"t{i}", kind=f"k{i}"))
    conn = store._connection()
    with store.unit_of_work(actor=ACTOR, read_only=True) as uow:
        rows = uow.stream("things", batch_size=2)
        assert next(rows)["id"] == "t0"
        assert conn.execute("SELECT count(*) FROM pg_cursors").fetchone() == (1,)
        assert [r["id"] for r in rows] == ["t1", "t2", "t3", "t4"]
        assert conn.execute("SELECT count(*) FROM pg_cursors").fetchone() == (0,)


def test_events_are_append_only_even_in_raw_sql(
    store: PostgresStore, raw: psycopg.Connection[tuple[object, ...]]
) -> None:
    """A trigger in the database refuses to change or delete events, whoever connects."""
    with store.unit_of_work(actor=ACTOR) as uow:
        uow.events.append(at=pendulum.datetime(2026, 6, 1, tz="UTC"), kind="k", subject="s")
    raw.execute(f"SET search_path TO {store.schema}")
    for statement in ("UPDATE events SET kind = 'forged'", "DELETE FROM events"):
        with pytest.raises(psycopg.errors.IntegrityConstraintViolation, match="append-only"):
            raw.execute(statement)
    assert raw.execute("SELECT kind FROM events").fetchall() == [("k",)]


def test_writes_sent_without_waiting_that_fail_are_logged_undone_together_and_not_raised(
    store: PostgresStore, caplog: pytest.LogCaptureFixture
) -> None:
    """``send_many`` in a provisional unit: a refused insert undoes its sent delete, is logged."""
    from cambridge_results.storage.query import Delete, Insert

    with store.unit_of_work(actor=ACTOR) as uow:
        uow.insert("things", thing("a"))
        uow.insert("things", thing("b", owner="p"))
    with caplog.at_level("WARNING", logger="cambridge_results.storage"):
        with store.unit_of_work(actor=ACTOR, provisional=True) as uow:
            uow.send_many([Delete("things", "b"), Insert("things", thing("a", owner="q"))])
        assert ids(store) == ["a", "b"]  # the next unit read the answer first
    assert any("not made" in r.getMessage() for r in caplog.records)
    with store.unit_of_work(actor=ACTOR, provisional=True) as uow:
        uow.send_many([Delete("things", "b")])
    store.close()  # reads what was sent before closing
    assert not any(r.levelname == "WARNING" for r in caplog.records[1:])
