"""The SQL dialects: how SQLite and PostgreSQL say what differs, and their value codecs.

A :class:`Dialect` holds placeholders, column types, literals, the
auto-numbered key, the append-only guard, collation and NULL ordering, and
how canonical values (:mod:`.schema`) are encoded for the driver and decoded
back.  :mod:`.sql` builds statements with them (and re-exports them).
"""

from __future__ import annotations

import datetime
import functools
import json
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import pendulum

from cambridge_results.storage.schema import Column, ColumnType, Table, Value, json_text
from cambridge_results.storage.statement_shapes import Codec, quote

__all__ = ["POSTGRESQL", "SQLITE", "Dialect", "instant_text", "json_from_text"]


def instant_text(value: datetime.datetime) -> str:
    """Fixed-width UTC text, so text order is time order: ``2026-06-01T09:00:00.000000Z``."""
    # Canonical instants are in UTC already; pendulum's astimezone is slow to do nothing.
    if value.tzinfo is pendulum.UTC:
        return _utc_text(value)
    return _utc_text(value.astimezone(datetime.UTC))


@functools.lru_cache(maxsize=4096)
def _utc_text(v: datetime.datetime) -> str:
    # Cached: rows written together share their instants (a clock's "now").  An
    # equal aware datetime is the same instant, so its UTC text is the same.
    return (
        f"{v.year:04d}-{v.month:02d}-{v.day:02d}T{v.hour:02d}:{v.minute:02d}:"
        f"{v.second:02d}.{v.microsecond:06d}Z"
    )


@functools.lru_cache(maxsize=4096)
def _instant_from_text(raw: Any) -> pendulum.DateTime:
    # Cached: rows written together share their instants, and DateTime is immutable.
    parsed: pendulum.DateTime = pendulum.instance(datetime.datetime.fromisoformat(raw))
    return parsed.in_timezone("UTC")


def _instant_from_datetime(raw: Any) -> pendulum.DateTime:
    # The sessions run with TimeZone=UTC, so the driver's datetimes are in UTC
    # already: built directly, a tenth of what pendulum.instance + in_timezone cost,
    # and kept (rows written together share their instants; DateTime is immutable).
    if raw.tzinfo is datetime.UTC:
        return _utc_instant(raw)
    return _utc_instant(raw.astimezone(datetime.UTC))


@functools.lru_cache(maxsize=4096)
def _utc_instant(v: datetime.datetime) -> pendulum.DateTime:
    # Only UTC datetimes come here: equal ones are one instant (no fold to tell apart).
    return pendulum.DateTime(
        v.year, v.month, v.day, v.hour, v.minute, v.second, v.microsecond, tzinfo=pendulum.UTC
    )


#: The standard library's JSON scanner, without json.loads' checks and whitespace skipping.
_scan_json: Callable[[str, int], tuple[Any, int]] = vars(json.JSONDecoder())["scan_once"]


def json_from_text(raw: Any) -> Any:
    """JSON text (str or bytes) as Python data: ``json.loads``, faster for compact text.

    The SQL backends store :func:`~.schema.json_text`'s compact text, which
    the scanner reads whole; anything else (whitespace around it, bytes, a
    byte-order mark, an error) takes ``json.loads`` itself.
    """
    if type(raw) is str:
        try:
            data, end = _scan_json(raw, 0)
        except StopIteration:
            pass  # not JSON at its first character: json.loads says why
        else:
            if end == len(raw):
                return data
    return json.loads(raw)


def _plain_datetime(value: datetime.datetime) -> datetime.datetime:
    # psycopg dumps a datetime by subtracting an epoch from it, which for a
    # pendulum DateTime builds a pendulum Interval (most of a statement's
    # dumping); a plain datetime of the same instant dumps at C speed.
    utc = value.tzinfo is pendulum.UTC or value.tzinfo is datetime.UTC
    v = value if utc else value.astimezone(datetime.UTC)
    return datetime.datetime(
        v.year, v.month, v.day, v.hour, v.minute, v.second, v.microsecond, tzinfo=datetime.UTC
    )


@attrs.frozen(kw_only=True)
class Dialect:
    """What one SQL database needs said differently."""

    #: The name :class:`~cambridge_results.storage.migrations.RawSQL` steps are keyed by.
    name: str
    #: The driver's parameter marker.
    param: str
    types: Mapping[ColumnType, str]
    #: The column definition of an auto-numbered primary key (after its name).
    auto_key: str
    true: str
    false: str
    #: Appended to text columns in comparisons and ORDER BY (code-point order).
    text_collation: str = ""
    #: Whether ORDER BY needs explicit NULLS FIRST / NULLS LAST to sort NULLs first.
    explicit_nulls: bool = False
    #: Appended to ``get(..., for_update=True)``.
    for_update: str = ""
    #: Placeholder for a JSON parameter, e.g. ``"%s::json"``; defaults to :attr:`param`.
    json_param: str | None = None
    #: Template for "text column starts with": ``{col}``, ``{p}`` for parameter markers;
    #: parameters are (length, prefix).
    prefix_template: str = "substr({col}, 1, {p}) = {p}"
    encoders: Mapping[ColumnType, Codec] = attrs.field(factory=dict)
    decoders: Mapping[ColumnType, Codec] = attrs.field(factory=dict)
    #: DDL making a table append-only; ``{table}`` is the quoted name, ``{name}`` the bare one.
    append_only_ddl: tuple[str, ...] = ()

    def placeholder(self, column: Column) -> str:
        """The parameter marker for a value of ``column``."""
        if column.type is ColumnType.JSON and self.json_param:
            return self.json_param
        return self.param

    def encode(self, column: Column, value: Value) -> Any:
        """A canonical value as the driver takes it."""
        codec = self.encoders.get(column.type)
        return value if value is None or codec is None else codec(value)

    def decode(self, column: Column, raw: Any) -> Value:
        """A driver value back in canonical form."""
        codec = self.decoders.get(column.type)
        decoded: Value = raw if raw is None or codec is None else codec(raw)
        return decoded

    def literal(self, column: Column, value: Value) -> str:
        """An inline SQL literal (defaults and partial-index conditions)."""
        if value is None:
            return "NULL"
        if isinstance(value, bool):
            return self.true if value else self.false
        if isinstance(value, int):
            return str(value)
        if isinstance(value, str):
            return "'" + value.replace("'", "''") + "'"
        raise TypeError(f"no SQL literal for a {column.type.value} value")

    def column_sql(self, table: Table, column: Column) -> str:
        """A column as compared and ordered (with the text collation where needed)."""
        sql = quote(column.name)
        if column.type is ColumnType.TEXT and self.text_collation:
            sql += " " + self.text_collation
        return sql


def _types(**names: str) -> dict[ColumnType, str]:
    """A dialect's SQL type per column type, named by the column type's value."""
    types = {ColumnType(kind): name for kind, name in names.items()}
    assert set(types) == set(ColumnType), "a dialect names every column type"
    return types


SQLITE = Dialect(
    name="sqlite",
    param="?",
    types=_types(
        text="TEXT", int="INTEGER", bool="INTEGER", bytes="BLOB", json="TEXT", instant="TEXT"
    ),
    auto_key="INTEGER PRIMARY KEY AUTOINCREMENT",
    true="1",
    false="0",
    encoders={
        ColumnType.BOOL: int,
        ColumnType.JSON: json_text,
        ColumnType.INSTANT: instant_text,
    },
    decoders={
        ColumnType.BOOL: bool,
        ColumnType.JSON: json_from_text,
        ColumnType.INSTANT: _instant_from_text,
    },
    append_only_ddl=(
        "CREATE TRIGGER {name}_append_only_update BEFORE UPDATE ON {table} "
        "BEGIN SELECT RAISE(ABORT, '{name} is append-only'); END",
        "CREATE TRIGGER {name}_append_only_delete BEFORE DELETE ON {table} "
        "BEGIN SELECT RAISE(ABORT, '{name} is append-only'); END",
    ),
)

#: For ``cambridge_results.storage.postgres`` (psycopg 3); exercised here by DDL tests only.
POSTGRESQL = Dialect(
    name="postgresql",
    param="%s",
    # json, not jsonb: jsonb rewrites numbers (1e16 reads back as the int
    # 10000000000000000, 1e300 as an int that is not equal to it); json keeps
    # the text as written, like SQLite.  JSON is never compared or indexed.
    types=_types(
        text="text", int="bigint", bool="boolean", bytes="bytea", json="json", instant="timestamptz"
    ),
    auto_key="bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
    true="TRUE",
    false="FALSE",
    text_collation='COLLATE "C"',
    explicit_nulls=True,
    for_update=" FOR UPDATE",
    json_param="%s::json",
    prefix_template="left({col}, {p}) = {p}",
    encoders={ColumnType.JSON: json_text, ColumnType.INSTANT: _plain_datetime},
    decoders={ColumnType.INSTANT: _instant_from_datetime},
    append_only_ddl=(
        "CREATE OR REPLACE FUNCTION {name}_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION '{name} is append-only' "
        "USING ERRCODE = 'integrity_constraint_violation'; END $$",
        "CREATE TRIGGER {name}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION {name}_append_only()",
    ),
)
