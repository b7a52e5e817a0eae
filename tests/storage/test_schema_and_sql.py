"""The declarative schema's checks, the query vocabulary and SQL generation for both dialects."""

from __future__ import annotations

import datetime

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cambridge_results.errors import InvalidValue
from cambridge_results.storage import Column, Index, Table, UniqueIndex, sql
from cambridge_results.storage.query import Ge, Prefix, check_order, check_where

THINGS = Table(
    "things",
    (
        Column("id", "text"),
        Column("owner", "text"),
        Column("active", "bool", default=True),
        Column("at", "instant", nullable=True),
        Column("seq", "int", default=0),
    ),
    primary_key="id",
    unique=(UniqueIndex(("owner",), where={"active": True}),),
    indexes=(Index(("at",)),),
)
EVENTS = Table(
    "log",
    (Column("seq", "int", auto=True), Column("body", "json")),
    primary_key="seq",
    append_only=True,
)


@pytest.mark.parametrize(
    "build",
    [
        lambda: Column("Bad Name", "text"),
        lambda: Column("x", "float"),
        lambda: Column("x", "json", default="{}"),
        lambda: Column("x", "text", auto=True),
        lambda: Table("t", (), primary_key="id"),
        lambda: Table("t", (Column("a", "text"), Column("a", "text")), primary_key="a"),
        lambda: Table("t", (Column("a", "text", nullable=True),), primary_key="a"),
        lambda: Table("t", (Column("a", "text"),), primary_key="b"),
        lambda: Table("t", (Column("a", "text"),), primary_key="a", unique=(UniqueIndex(("z",)),)),
        lambda: Table(
            "t",
            (Column("a", "text"), Column("b", "json")),
            primary_key="a",
            unique=(UniqueIndex(("a",), where={"b": 1}),),
        ),
        lambda: Table(
            "t",
            (Column("a", "text"), Column("b", "text")),
            primary_key="a",
            unique=(UniqueIndex(("b",)), UniqueIndex(("b",))),
        ),
        lambda: Table(
            "t", (Column("a", "int", auto=True), Column("b", "text")), primary_key=("a", "b")
        ),
    ],
)
def test_malformed_schema_definitions_are_refused(build: object) -> None:
    """Bad names, types, keys, indexes and defaults raise InvalidValue when declared."""
    with pytest.raises(InvalidValue):
        build()  # type: ignore[operator]


def test_rows_are_checked_and_brought_to_canonical_form() -> None:
    """Defaults fill in, instants become UTC, and an auto column cannot be given."""
    row = THINGS.check_row(
        {"id": "a", "owner": "o", "at": pendulum.datetime(2026, 6, 1, 10, tz="Europe/London")}
    )
    assert row == {
        "id": "a",
        "owner": "o",
        "active": True,
        "at": pendulum.datetime(2026, 6, 1, 9, tz="UTC"),
        "seq": 0,
    }
    assert row["at"].timezone_name == "UTC"
    with pytest.raises(InvalidValue, match="numbered by the store"):
        EVENTS.check_row({"seq": 1, "body": {}})
    assert EVENTS.check_row({"body": ({"a": (1, 2)},)}) == {"body": [{"a": [1, 2]}]}


@given(
    st.datetimes(timezones=st.timezones(), allow_imaginary=False),
    st.datetimes(timezones=st.timezones(), allow_imaginary=False),
)
def test_instants_round_trip_as_text_that_sorts_like_time(
    first: datetime.datetime, second: datetime.datetime
) -> None:
    """Any aware instant (clock-change folds too) round-trips; the text orders like time."""
    column = THINGS.column("at")
    texts = [sql.instant_text(column.check(m)) for m in (first, second)]
    for moment, text in zip((first, second), texts, strict=True):
        assert sql.SQLITE.decode(column, text) == moment.astimezone(datetime.UTC)
        assert len(text) == 27
    assert (texts[0] < texts[1]) == (
        first.astimezone(datetime.UTC) < second.astimezone(datetime.UTC)
    )


@given(st.datetimes(timezones=st.timezones(), allow_imaginary=False))
def test_a_canonical_instant_is_its_own_canonical_form(moment: datetime.datetime) -> None:
    """Checking a value twice changes nothing: the second check returns the first's result
    itself (the shortcut bulk writes take), a UTC pendulum instant at the same moment."""
    column = THINGS.column("at")
    once = column.check(moment)
    assert type(once) is pendulum.DateTime
    assert once.tzinfo is pendulum.UTC
    assert once == moment.astimezone(datetime.UTC)
    assert column.check(once) is once
    assert column.check(once.replace(fold=1 - once.fold)) == once


def test_decoded_instants_are_shared_and_equal() -> None:
    """Decoding the same stored text twice gives equal, immutable instants."""
    column = THINGS.column("at")
    text = "2026-06-01T09:00:00.000001Z"
    first, second = sql.SQLITE.decode(column, text), sql.SQLITE.decode(column, text)
    assert first == second == pendulum.datetime(2026, 6, 1, 9, 0, 0, 1, tz="UTC")
    assert first is second


def test_where_and_order_are_checked_against_the_table() -> None:
    """Unknown columns, wrong types and ordering by JSON are refused; the key ends each order."""
    assert check_order(THINGS, ("-seq",)) == (("seq", True), ("id", False))
    with pytest.raises(InvalidValue):
        check_where(THINGS, {"nope": 1})
    with pytest.raises(InvalidValue):
        check_where(THINGS, {"seq": Ge("1")})
    with pytest.raises(InvalidValue):
        check_where(THINGS, {"seq": Prefix("1")})
    with pytest.raises(InvalidValue):
        check_order(EVENTS, ("body",))


def test_sqlite_ddl_has_partial_unique_indexes_and_append_only_triggers() -> None:
    """The generated SQLite DDL, statement by statement."""
    assert sql.create_table(sql.SQLITE, THINGS) == [
        'CREATE TABLE "things" ("id" TEXT NOT NULL, "owner" TEXT NOT NULL, '
        '"active" INTEGER NOT NULL DEFAULT 1, "at" TEXT, "seq" INTEGER NOT NULL DEFAULT 0, '
        'PRIMARY KEY ("id"))',
        'CREATE UNIQUE INDEX "uq_things_owner_where_active" ON "things" ("owner") '
        'WHERE "active" = 1',
        'CREATE INDEX "ix_things_at" ON "things" ("at")',
    ]
    ddl = sql.create_table(sql.SQLITE, EVENTS)
    assert (
        ddl[0]
        == 'CREATE TABLE "log" ("seq" INTEGER PRIMARY KEY AUTOINCREMENT, "body" TEXT NOT NULL)'
    )
    assert "BEFORE UPDATE" in ddl[1]
    assert "RAISE(ABORT, 'log is append-only')" in ddl[1]
    assert "BEFORE DELETE" in ddl[2]


def test_postgresql_ddl_uses_native_types_identity_and_a_trigger_function() -> None:
    """The PostgreSQL dialect's DDL, for the postgres backend to reuse."""
    assert sql.create_table(sql.POSTGRESQL, THINGS)[:2] == [
        'CREATE TABLE "things" ("id" text NOT NULL, "owner" text NOT NULL, '
        '"active" boolean NOT NULL DEFAULT TRUE, "at" timestamptz, '
        '"seq" bigint NOT NULL DEFAULT 0, '
        'PRIMARY KEY ("id"))',
        'CREATE UNIQUE INDEX "uq_things_owner_where_active" ON "things" ("owner") '
        'WHERE "active" = TRUE',
    ]
    ddl = sql.create_table(sql.POSTGRESQL, EVENTS)
    assert ddl[0] == (
        'CREATE TABLE "log" ("seq" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, '
        '"body" json NOT NULL)'
    )
    assert "CREATE OR REPLACE FUNCTION log_append_only()" in ddl[1]
    assert 'BEFORE UPDATE OR DELETE ON "log"' in ddl[2]


def test_postgresql_statements_use_c_collation_explicit_nulls_and_json_params() -> None:
    """Ordering and comparison SQL that makes PostgreSQL agree with SQLite and memory."""
    where = check_where(THINGS, {"owner": Ge("m"), "id": Prefix("a")})
    text, params = sql.select(sql.POSTGRESQL, THINGS, where, check_order(THINGS, ("-at",)), 5)
    assert text == (
        'SELECT "id", "owner", "active", "at", "seq" FROM "things" '
        'WHERE "owner" COLLATE "C" >= %s AND left("id", %s) = %s '
        'ORDER BY "at" DESC NULLS LAST, "id" COLLATE "C" ASC NULLS FIRST LIMIT %s'
    )
    assert params == ["m", 1, "a", 5]
    text, params = sql.insert(sql.POSTGRESQL, EVENTS, {"body": {"a": 1}})
    assert text == 'INSERT INTO "log" ("body") VALUES (%s::json) RETURNING "seq"'
    assert params == ['{"a":1}']
