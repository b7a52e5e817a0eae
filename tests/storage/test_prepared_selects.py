"""Prepared selects send exactly what the general path sends, or leave the read to it
(issue 15, item 3: the enquiry path's CPU).

A prepared select is built from the first read of its shape and reused for
every later read whose ``where`` names the same columns: these check that
whatever the later read's values, the prepared path either gives the
general path's statement and parameters word for word or declines, so that
the general path checks (and refuses) the read as it always has.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from cambridge_results.errors import InvalidValue
from cambridge_results.storage import sql
from cambridge_results.storage.migrations import CreateTable, Migration
from cambridge_results.storage.prepared import prepare_select
from cambridge_results.storage.query import Eq, Ge, In, Prefix, check_order, check_where
from cambridge_results.storage.schema import Column, Table, UniqueIndex
from cambridge_results.storage.sqlite import SQLiteStore

THINGS = Table(
    "things",
    (
        Column("id", "text"),
        Column("n", "int"),
        Column("flag", "bool"),
        Column("note", "text", nullable=True),
        Column("blob", "bytes", nullable=True),
    ),
    primary_key="id",
    unique=[UniqueIndex(("n", "flag"))],
)
MIGRATIONS = [Migration(version=1, name="things", steps=(CreateTable(THINGS),))]
COLUMNS = ("id", "n", "flag", "note", "blob")

texts = st.text(max_size=4)
values = st.one_of(
    texts,
    st.integers(min_value=-(2**64), max_value=2**64),
    st.booleans(),
    st.none(),
    st.binary(max_size=2),
    st.floats(allow_nan=False),
    st.builds(In, st.lists(texts | st.integers(), max_size=3)),
    st.builds(Eq, texts),
    st.builds(Ge, texts),
    st.builds(Prefix, texts),
)
ints = st.integers(min_value=-(2**63), max_value=2**63 - 1)
text_ins = st.builds(In, st.lists(texts, min_size=1, max_size=3))
#: Per column, mostly what a prepared select takes, so that most examples reach its bind.
PLAIN = {
    "id": texts | text_ins,
    "n": ints,
    "flag": st.booleans(),
    "note": texts | st.none(),
    "blob": st.binary(max_size=2),
}
shapes = st.lists(st.sampled_from(COLUMNS), unique=True, max_size=4)
orders = st.lists(st.sampled_from(("id", "-n", "note", "flag")), unique=True, max_size=2).map(tuple)
limits = st.none() | st.integers(min_value=0, max_value=5)


def _mostly(column: str) -> st.SearchStrategy[Any]:
    """Nine times in ten what the column takes plainly, else any value at all."""
    return st.integers(0, 9).flatmap(lambda i: values if i == 0 else PLAIN[column])


def _general(
    d: sql.Dialect, where: dict[str, Any], order: tuple[str, ...], limit: int | None
) -> Any:
    """The general path's statement, or its refusal's words."""
    try:
        checked = check_where(THINGS, where)
    except InvalidValue as exc:
        return ("refused", exc.field, exc.reason)
    return sql.select(d, THINGS, checked, check_order(THINGS, order), limit)


@given(
    st.sampled_from([sql.SQLITE, sql.POSTGRESQL]),
    shapes,
    st.data(),
    orders,
    limits,
    limits,
)
def test_a_prepared_select_sends_the_general_statement_or_declines(
    d: sql.Dialect,
    columns: list[str],
    data: st.DataObject,
    order: tuple[str, ...],
    first_limit: int | None,
    limit: int | None,
) -> None:
    """Prepared from one read, bound with another of the same columns: the same text and
    parameters as the general path's, or None where the general path differs or refuses."""
    first = {c: data.draw(_mostly(c)) for c in columns}
    then = {c: data.draw(_mostly(c)) for c in columns}
    limit = limit if (first_limit is None) == (limit is None) else first_limit
    general_first = _general(d, first, order, first_limit)
    if general_first[0] == "refused":
        event("refused")
        return
    prepared = prepare_select(
        d, THINGS, check_where(THINGS, first), check_order(THINGS, order), first_limit
    )
    if prepared is None:
        event("not prepared")
        return
    for where, n in ((first, first_limit), (then, limit)):
        bound = prepared.bind(where, n)
        event("bound" if bound is not None else "declined")
        if bound is not None:
            assert (prepared.text, bound) == _general(d, where, order, n)


@given(st.lists(texts.filter(lambda t: "\x00" not in t), min_size=1, max_size=3, unique=True))
def test_a_prepared_in_of_text_sends_every_value(wanted: list[str]) -> None:
    """An ``In`` of text binds each value, in order, for its length's shape only."""
    where = {"id": In(wanted)}
    prepared = prepare_select(
        sql.SQLITE, THINGS, check_where(THINGS, where), (("id", False),), None
    )
    assert prepared is not None
    assert prepared.bind(where, None) == wanted
    assert prepared.bind({"id": In([*wanted, "more"])}, None) is None


def test_a_store_reads_alike_prepared_and_refuses_alike_after(tmp_path: Path) -> None:
    """The second read of a shape is prepared; its rows are the first's, and a bad value
    is still refused in the general path's words, storage untouched."""
    store = SQLiteStore(tmp_path / "things.db", migrations=MIGRATIONS)
    with store.unit_of_work(actor="test") as uow:
        uow.insert("things", {"id": "a", "n": 1, "flag": True, "note": "x"})
        uow.insert("things", {"id": "b", "n": 2, "flag": False})
    with store.unit_of_work(actor="test", read_only=True) as uow:
        first = uow.select("things", {"flag": True, "id": In(["a", "b"])}, ("-n",))
        assert store.prepared_selects  # the first read of the shape prepared it
        again = uow.select("things", {"flag": True, "id": In(["a", "b"])}, ("-n",))
        assert again == first == [{"id": "a", "n": 1, "flag": True, "note": "x", "blob": None}]
        both = uow.select_many([])
        assert both == []
    fresh = SQLiteStore(tmp_path / "fresh.db", migrations=MIGRATIONS)
    for s in (store, fresh):
        with s.unit_of_work(actor="test", read_only=True) as uow:
            with pytest.raises(InvalidValue) as refused:
                uow.select("things", {"flag": True, "id": In(["a", "b\x00"])}, ("-n",))
            assert (refused.value.field, refused.value.reason) == (
                "where.id",
                "must not contain NUL characters",
            )
    with sqlite3.connect(tmp_path / "things.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM things").fetchone() == (2,)
    store.close()
    fresh.close()
