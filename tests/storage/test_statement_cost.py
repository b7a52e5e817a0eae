"""The per-statement shortcuts refuse what the schema refuses, with the same words.

Issue 15 (session 23) cut the storage layer's CPU per statement: canonical
values are accepted without the generic dispatch, keys and ``where`` values
are checked inline, statement texts and their parameter encoders are built
once per shape, and a UTC instant's text is kept.  These tests hold each
shortcut to the schema's rules (module docstring of ``storage.schema``),
written out here independently of the code under test, and check that a
warm cache still refuses before anything reaches the driver.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cambridge_results.errors import InvalidValue
from cambridge_results.storage import Column, CreateTable, Migration, Table, UniqueIndex, sql
from cambridge_results.storage.dialects import json_from_text
from cambridge_results.storage.query import Ge, Select, Update, check_order, check_where
from cambridge_results.storage.schema import INT_MAX, INT_MIN, canonical_value
from cambridge_results.storage.statement_shapes import Encoder
from cambridge_results.testing.conformance_base import StoreFactory

THINGS = Table(
    "things",
    (
        Column("centre", "text"),
        Column("number", "int"),
        Column("name", "text"),
        Column("n", "int", default=0),
        Column("flag", "bool", default=False),
        Column("at", "instant"),
        Column("note", "text", nullable=True),
        Column("count", "int", nullable=True),
        Column("code", "text", nullable=True),
    ),
    primary_key=("centre", "number"),
    unique=(UniqueIndex(("code",)),),
)
MIGRATIONS = (Migration(version=1, name="things", steps=(CreateTable(THINGS),)),)
NOW = pendulum.datetime(2023, 9, 1, 9, tz="UTC")
OTHER_ZONE = datetime.timezone(datetime.timedelta(hours=5, minutes=30))

VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([INT_MIN, INT_MAX, INT_MIN - 1, INT_MAX + 1]),
    st.text(max_size=8),
    st.text(alphabet="a\x00", max_size=3),
    st.floats(allow_nan=False),
    st.binary(max_size=4),
    st.datetimes(timezones=st.sampled_from([pendulum.UTC, datetime.UTC, OTHER_ZONE])),
    st.datetimes(),
)


def _rule(column: Column, value: object) -> tuple[str, object]:
    """The schema's rule for ``value`` in ``column``: ``("ok", canonical)`` or
    ``("refused", reason)``, written from the module docstring, not from the code."""
    name = type(value).__name__
    if value is None:
        return (
            ("ok", None)
            if column.nullable
            else ("refused", "is required (the column is not nullable)")
        )
    kind = column.type.value
    if kind == "text":
        if not isinstance(value, str):
            return ("refused", f"must be text, not {name}")
        return ("refused", "must not contain NUL characters") if "\x00" in value else ("ok", value)
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            return ("refused", f"must be a whole number, not {name}")
        if not INT_MIN <= value <= INT_MAX:
            return ("refused", "is outside the 64-bit integer range")
        return ("ok", value)
    if kind == "bool":
        return (
            ("ok", value)
            if isinstance(value, bool)
            else ("refused", f"must be True or False, not {name}")
        )
    assert kind == "instant"
    if not isinstance(value, datetime.datetime):
        return ("refused", f"must be a timezone-aware instant, not {name}")
    if value.tzinfo is None:
        return ("refused", "must be timezone-aware")
    return ("ok", value.astimezone(datetime.UTC))


def _outcome(check: Callable[[], object]) -> tuple[str, object]:
    """``("ok", result)``, or ``("refused", "field: reason")`` for an :class:`InvalidValue`."""
    try:
        return ("ok", check())
    except InvalidValue as exc:
        return ("refused", f"{exc.field}: {exc.reason}")


def _expected(column: Column, value: object, field: str) -> tuple[str, object]:
    """The rule's verdict as a check names it: the canonical value, or "field: reason"."""
    verdict, detail = _rule(column, value)
    return (verdict, detail) if verdict == "ok" else (verdict, f"{field}: {detail}")


def _value(outcome: tuple[str, object], name: str) -> tuple[str, object]:
    """An outcome whose result is a mapping (a row, changes, a key) reduced to one value."""
    if outcome[0] != "ok":
        return outcome
    found = outcome[1]
    assert isinstance(found, dict)
    return ("ok", found[name])


@given(VALUES)
def test_every_check_of_a_value_follows_the_schema_rule_with_its_words(value: object) -> None:
    """canonical_value, check_row, check_changes, check_key and check_where accept a value
    as the schema's rule says or refuse it with its words, naming their field."""
    for column in THINGS.columns:
        name = column.name
        field = f"things.{name}"
        expected = _expected(column, value, field)
        assert _outcome(lambda c=column: canonical_value(c, value)) == _expected(
            column, value, name
        )
        row = {"centre": "GB1", "number": 1, "name": "Ann", "at": NOW, name: value}
        assert _value(_outcome(lambda r=row: THINGS.check_row(r)), name) == expected
        if name not in THINGS.primary_key:
            changes = _outcome(lambda n=name: THINGS.check_changes({n: value}))
            assert _value(changes, name) == expected
        if value is not None:  # None in a where means IS NULL
            where = _outcome(lambda n=name: check_where(THINGS, {n: value}))
            if where[0] == "ok":
                assert isinstance(where[1], dict)
                where = ("ok", where[1][name].value)
            assert where == _expected(column, value, f"where.{name}")
    key = _outcome(lambda: THINGS.check_key(("GB1", value)))  # type: ignore[arg-type]
    assert _value(key, "number") == _expected(THINGS.column("number"), value, "things.number")


@given(
    st.lists(
        st.tuples(st.sampled_from([None, str, abs]), st.one_of(st.none(), st.integers())),
        max_size=8,
    )
)
def test_an_encoder_converts_each_value_as_its_codec_says(pairs: list[tuple[Any, Any]]) -> None:
    """Encoder(codecs)(values) is each value through its codec, None and uncoded ones kept."""
    codecs = [codec for codec, _ in pairs]
    values = [value for _, value in pairs]
    expected = [v if c is None or v is None else c(v) for c, v in pairs]
    assert Encoder(codecs)(list(values)) == expected
    with pytest.raises(ValueError, match="parameters for"):
        Encoder(codecs)([*values, 1])


@given(st.datetimes(timezones=st.sampled_from([pendulum.UTC, datetime.UTC, OTHER_ZONE])))
def test_an_instants_text_is_its_utc_time_whatever_was_asked_before(
    moment: datetime.datetime,
) -> None:
    """instant_text (cached) is the fixed-width UTC text of the instant, from any zone."""
    utc = moment.astimezone(datetime.UTC)
    expected = (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T{utc.hour:02d}:{utc.minute:02d}:"
        f"{utc.second:02d}.{utc.microsecond:06d}Z"
    )
    for _ in range(2):
        assert sql.instant_text(moment) == expected
        assert sql.instant_text(pendulum.instance(utc)) == expected


def test_update_where_texts_differ_by_copies_and_nulls_and_match_a_cold_build() -> None:
    """The cached update_where text depends on every part of its shape (copies, IS NULL),
    and is what building it afresh gives."""
    where = check_where(THINGS, {"centre": "GB1", "note": None})
    other = check_where(THINGS, {"centre": "GB1", "note": "x"})
    texts = [
        sql.update_where(sql.SQLITE, THINGS, where, {"name": "A"}, {}),
        sql.update_where(sql.SQLITE, THINGS, where, {"name": "B"}, {"note": "name"}),
        sql.update_where(sql.SQLITE, THINGS, other, {"name": "C"}, {}),
        sql.update_where(sql.POSTGRESQL, THINGS, other, {"at": NOW}, {}),
    ]
    assert len({text for text, _ in texts}) == 4
    assert texts[0] == (
        'UPDATE "things" SET "name" = ? WHERE "centre" = ? AND "note" IS NULL',
        ["A", "GB1"],
    )
    assert texts[1][0].endswith(
        'SET "name" = ?, "note" = "name" WHERE "centre" = ? AND "note" IS NULL'
    )
    assert texts[2][1] == ["C", "GB1", "x"]
    from cambridge_results.storage import statement_shapes

    statement_shapes._statements.clear()
    assert sql.update_where(sql.SQLITE, THINGS, where, {"name": "A"}, {}) == texts[0]
    again = sql.select(sql.SQLITE, THINGS, other, check_order(THINGS, ()), 3)
    statement_shapes._statements.clear()
    assert sql.select(sql.SQLITE, THINGS, other, check_order(THINGS, ()), 3) == again


def _refused(call: Callable[[], object]) -> str:
    with pytest.raises(InvalidValue) as caught:
        call()
    return f"{caught.value.field}: {caught.value.reason}"


def test_a_warm_statement_cache_still_refuses_bad_values_and_changes_nothing(
    make_store: StoreFactory, tmp_path: Path
) -> None:
    """Each checked operation, run once well (its text cached), then refuses bad input with
    the same words as on a cold path, before anything reaches the store."""
    store = make_store(tmp_path, MIGRATIONS)
    try:
        row = {"centre": "GB1", "number": 1, "name": "Ann", "at": NOW, "code": "c1"}
        with store.unit_of_work(actor="test") as uow:
            uow.insert_later("things", row)
            uow.insert_later("things", {**row, "number": 2, "code": "c2"})
            uow.get("things", ("GB1", 1))
            uow.select_many([Select("things", {"centre": "GB1", "number": Ge(1)})])
            uow.update_many([Update("things", ("GB1", 1), {"n": 1})])
            uow.update_where("things", {"centre": "GB1", "number": 2}, {"n": 2})
        before = store.run(lambda u: u.select("things"), actor="test", read_only=True)
        refusals: dict[str, Callable[[Any], object]] = {
            "things.number: must be a whole number, not str": lambda u: u.get(
                "things", ("GB1", "1")
            ),
            "things.number: must be a whole number, not bool": lambda u: u.insert_later(
                "things", {**row, "number": True}
            ),
            "things.name: must not contain NUL characters": lambda u: u.insert_later(
                "things", {**row, "number": 3, "name": "A\x00"}
            ),
            "where.number: must be a whole number, not str": lambda u: u.select_many(
                [Select("things", {"centre": "GB1", "number": Ge("1")})]
            ),
            "where.number: is outside the 64-bit integer range": lambda u: u.update_where(
                "things", {"centre": "GB1", "number": 2**63}, {"n": 2}
            ),
            "things.n: must be a whole number, not bool": lambda u: u.update_many(
                [Update("things", ("GB1", 1), {"n": True})]
            ),
            "things.nope: table things has no column 'nope'": lambda u: u.update_where(
                "things", {"centre": "GB1", "nope": 2}, {"n": 2}
            ),
            "things.code: a column of a unique index changes only by update": lambda u: (
                u.update_where("things", {"centre": "GB1", "number": 2}, {"code": "c9"})
            ),
            "copy.note: a text column cannot copy a int": lambda u: u.update_where(
                "things", {"centre": "GB1", "number": 2}, {"n": 2}, copy={"note": "count"}
            ),
            "copy.name: cannot be NULL, and note can": lambda u: u.update_where(
                "things", {"centre": "GB1", "number": 2}, {"n": 2}, copy={"name": "note"}
            ),
            "things.at: must be timezone-aware": lambda u: u.update_where(
                "things", {"centre": "GB1"}, {"at": datetime.datetime(2023, 1, 1)}
            ),
        }
        for words, call in refusals.items():
            for _ in range(2):  # the second time on whatever the first one cached
                with store.unit_of_work(actor="test") as uow:
                    assert _refused(lambda c=call, u=uow: c(u)) == words
        after = store.run(lambda u: u.select("things"), actor="test", read_only=True)
        assert after == before
    finally:
        store.close()


JSON_DATA = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=4),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=8,
)


def _loaded(load: Callable[[Any], object], text: Any) -> tuple[str, object]:
    """What ``load`` makes of ``text``: its data's text (NaN compares), or its error's words."""
    try:
        return ("ok", json.dumps(load(text)))
    except ValueError as exc:
        return ("error", f"{type(exc).__name__}: {exc}")


@given(
    st.one_of(
        st.builds(
            lambda data, spacing: json.dumps(data, separators=(",", ":"), indent=spacing),
            JSON_DATA,
            st.none() | st.just(1),
        ),
        JSON_DATA.map(lambda data: f" {json.dumps(data)}\n"),
        st.text(alphabet='{}[]",:1 \ufeffaxe-', max_size=8),
    )
)
def test_json_from_text_reads_what_json_loads_reads(text: str) -> None:
    """The SQLite decoder of a JSON column gives json.loads' data, or its error, for any text."""
    assert _loaded(json_from_text, text) == _loaded(json.loads, text)
    assert _loaded(json_from_text, text.encode()) == _loaded(json.loads, text.encode())


@given(st.datetimes(timezones=st.sampled_from([datetime.UTC, OTHER_ZONE])))
def test_a_postgresql_instant_reads_back_as_the_same_utc_instant_every_time(
    moment: datetime.datetime,
) -> None:
    """The (cached) decoder of a timestamptz gives a pendulum instant in UTC, equal to it."""
    column = THINGS.column("at")
    for _ in range(2):
        back = sql.POSTGRESQL.decode(column, moment)
        assert type(back) is pendulum.DateTime
        assert back.tzinfo is pendulum.UTC
        assert back == moment
