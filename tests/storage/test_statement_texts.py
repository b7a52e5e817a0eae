"""Statements are built once per shape, compare equality without a collation, and move
instants to and from the driver exactly (issue 15, item 3: the enquiry path's CPU)."""

from __future__ import annotations

import datetime

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cambridge_results.board.schema import SCHEMA
from cambridge_results.storage import sql
from cambridge_results.storage.migrations import build_catalog
from cambridge_results.storage.query import Gt, In, check_order, check_where
from cambridge_results.storage.schema import Table, canonical_instant, text_columns
from cambridge_results.values.instants import parse_instant

CATALOG = build_catalog(SCHEMA)
ENQUIRIES = CATALOG["enquiries"]
WHERE = {"centre": "GB100", "series": "June 2023", "status": In(["received", "submitted"])}

instants = st.datetimes(
    min_value=datetime.datetime(1900, 1, 2),
    max_value=datetime.datetime(9998, 12, 30),
    timezones=st.sampled_from(
        [datetime.UTC, pendulum.UTC, datetime.timezone(datetime.timedelta(hours=-5, minutes=-30))]
    ),
)


def _select(where: dict[str, object], order_by: tuple[str, ...] = ()) -> sql.Statement:
    checked = check_where(ENQUIRIES, where)
    return sql.select(sql.POSTGRESQL, ENQUIRIES, checked, check_order(ENQUIRIES, order_by), None)


def test_equality_is_compared_without_a_collation_so_indexes_serve_it() -> None:
    """Equality and In leave the column bare (PostgreSQL uses its index); order keeps "C"."""
    text, params = _select({**WHERE, "arrived_at": None, "id": Gt("enq-1")}, ("created_at",))
    where, _, order = text.partition(" ORDER BY ")
    assert '"centre" = %s' in where
    assert '"status" IN (%s, %s)' in where
    assert '"arrived_at" IS NULL' in where
    assert '"id" COLLATE "C" > %s' in where
    assert order.startswith('"created_at" ASC NULLS FIRST, "id" COLLATE "C" ASC')
    assert params == ["GB100", "June 2023", "received", "submitted", "enq-1"]


def test_columns_held_equal_are_not_sorted_by_so_a_key_look_up_has_no_order_by() -> None:
    """Every matching row has the same value there (issue 15): ordering by it is a no-op."""
    by_key, _ = _select({"id": "enq-000000001"})
    assert "ORDER BY" not in by_key
    text, _ = _select({"centre": "GB100", "arrived_at": None}, ("-centre", "arrived_at", "number"))
    assert text.endswith(
        ' ORDER BY "number" COLLATE "C" ASC NULLS FIRST, "id" COLLATE "C" ASC NULLS FIRST'
    )


def test_a_look_up_by_a_total_unique_index_has_no_order_by_but_a_partial_one_keeps_it() -> None:
    """At most one row matches a value on each column of a unique index (issue 15): no sort.

    A NULL there is no look-up (NULLs are distinct in a unique index), and a
    partial index holds only some rows, so both keep the order.
    """
    by_number, _ = _select({"number": "E0001"}, ("created_at",))
    assert "ORDER BY" not in by_number
    assert "ORDER BY" in _select({"number": None}, ("created_at",))[0]
    tokens = CATALOG["login_reset_tokens"]
    checked = check_where(tokens, {"account_id": "a1"})
    text, _ = sql.select(sql.POSTGRESQL, tokens, checked, check_order(tokens, ()), None)
    assert text.endswith(' ORDER BY "digest" COLLATE "C" ASC NULLS FIRST')


def test_one_shape_is_one_text_whatever_the_values() -> None:
    """The text is built once per shape and kept; the parameters are the values, in order."""
    first, one = _select(WHERE)
    second, other = _select({**WHERE, "centre": "GB999", "status": In(["saved", "pending"])})
    assert first is second
    assert one != other
    longer, _ = _select({**WHERE, "status": In(["saved", "pending", "received"])})
    assert longer.count("%s") == first.count("%s") + 1


@given(instants)
def test_an_instant_goes_to_postgresql_as_a_plain_utc_datetime_and_comes_back_equal(
    value: datetime.datetime,
) -> None:
    """Encoded for psycopg as a stdlib datetime in UTC; decoded as the canonical pendulum one."""
    canonical = canonical_instant(value, "at")
    column = ENQUIRIES.column("created_at")
    sent = sql.POSTGRESQL.encode(column, canonical)
    assert type(sent) is datetime.datetime
    assert sent.tzinfo is datetime.UTC
    assert sent == value
    back = sql.POSTGRESQL.decode(column, sent)
    assert type(back) is pendulum.DateTime
    assert back.tzinfo is pendulum.UTC
    assert back == canonical


@given(instants, st.booleans())
def test_parse_instant_reads_the_library_s_own_form_as_pendulum_would(
    value: datetime.datetime, zulu: bool
) -> None:
    """The standard-library fast path and pendulum's parser agree on every written instant."""
    text = value.isoformat()
    if zulu and value.utcoffset() == datetime.timedelta(0):
        text = text.replace("+00:00", "Z")
    expected = pendulum.parse(text, exact=True)
    assert isinstance(expected, pendulum.DateTime)
    parsed = parse_instant(text)
    assert parsed == expected
    assert parsed.tzinfo is pendulum.UTC


@pytest.mark.parametrize(
    "text", ["2023-02-29T09:00:00Z", "0001-01-01T00:30:00+01:00", "2023-09-01T24:00:00Z"]
)
def test_parse_instant_still_refuses_what_is_no_instant(text: str) -> None:
    """Impossible dates and instants before year 1 are InvalidValue, as before."""
    from cambridge_results.errors import InvalidValue

    with pytest.raises(InvalidValue):
        parse_instant(text)


@pytest.mark.parametrize("d", [sql.SQLITE, sql.POSTGRESQL])
def test_inserts_of_one_table_with_other_columns_each_get_their_own_text(d: sql.Dialect) -> None:
    """One insert text is kept per table; a row naming other columns gets its own, each time."""
    t = Table("notes", text_columns("id", "a", "b"), primary_key="id")
    full = dict.fromkeys(t.column_names, "x")
    part = dict.fromkeys(t.column_names[:2], "x")
    texts = [sql.insert(d, t, row)[0] for row in (full, part, full, part)]
    assert texts[0] == texts[2] != texts[1] == texts[3]
    for text, row in zip(texts, (full, part), strict=False):
        assert text.count(d.param) == len(row)
        assert all(f'"{n}"' in text for n in row)
