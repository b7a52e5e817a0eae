"""The declarative schema: columns, tables, unique and plain indexes.

A :class:`Table` says what every backend must store and enforce; backends
never hand-write DDL.  Rows are plain ``dict[str, Value]``: each value is
checked and brought into one canonical Python form by :meth:`Table.check_row`
(the same code for every backend), so the in-memory store and the SQL stores
hold, compare and return identical values.

Canonical Python values per column type:

========== =============================== ===================================
type       Python value                    stored (SQLite / PostgreSQL)
========== =============================== ===================================
text       ``str`` without NUL             TEXT / text
int        ``int`` (64-bit signed)         INTEGER / bigint
bool       ``bool``                        INTEGER 0-1 / boolean
bytes      ``bytes``                       BLOB / bytea
json       JSON data (dict, list, ...)     TEXT / json (as written)
instant    aware ``pendulum.DateTime``     UTC ISO text / timestamptz
========== =============================== ===================================

``None`` is allowed only in nullable columns.  Unique indexes treat NULLs as
distinct (SQL semantics), so "unique when present" is a plain unique index
on a nullable column.
"""

from __future__ import annotations

import datetime
import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TypeAlias, TypeVar

import attrs
import pendulum

from cambridge_results.errors import DuplicateError, InvalidValue, StorageError
from cambridge_results.storage.json_data import (
    JSON,
    JSONInput,
    built_json,
    canonical_json,
    json_text,
)

__all__ = [
    "JSON",
    "Column",
    "ColumnType",
    "Index",
    "JSONInput",
    "Key",
    "Row",
    "RowInput",
    "Table",
    "UniqueIndex",
    "Value",
    "ValueInput",
    "built_json",
    "canonical_json",
    "canonical_value",
    "json_text",
    "optional_value_of",
    "text_columns",
    "value_of",
]

#: A value in a row, in its canonical form (see the module docstring): what reads return.
Value: TypeAlias = "str | int | bool | bytes | pendulum.DateTime | JSON | None"
#: A value as writes take it; :meth:`Table.check_row` brings it to its canonical :data:`Value`.
ValueInput: TypeAlias = (
    "str | int | bool | bytes | bytearray | memoryview | datetime.datetime | JSONInput | None"
)
#: A row as reads return it: column name to canonical value.
Row: TypeAlias = dict[str, Value]
#: A row, changes or expected values as writes take them.
RowInput: TypeAlias = Mapping[str, ValueInput]
#: A primary key: a single value (one-column keys), a tuple in primary-key
#: order, or a mapping of column to value.
Key: TypeAlias = "ValueInput | tuple[ValueInput, ...] | Mapping[str, ValueInput]"

_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}", re.ASCII)
INT_MIN = -(2**63)
INT_MAX = 2**63 - 1


class ColumnType(enum.Enum):
    """The six column types every backend supports."""

    TEXT = "text"
    INT = "int"
    BOOL = "bool"
    BYTES = "bytes"
    JSON = "json"
    INSTANT = "instant"


def _identifier(value: object, field: str) -> str:
    if not isinstance(value, str) or not _NAME.fullmatch(value):
        raise InvalidValue(field, f"{value!r} is not a lower-case SQL identifier like 'centre_no'")
    return value


def _column_name(value: object) -> str:
    return _identifier(value, "column.name")


def _column_type(value: object) -> ColumnType:
    if isinstance(value, ColumnType):
        return value
    try:
        return ColumnType(value)
    except ValueError:
        names = ", ".join(t.value for t in ColumnType)
        raise InvalidValue("column.type", f"{value!r} is not one of {names}") from None


def text_columns(*names: str) -> tuple[Column, ...]:
    """Required text columns, in order: the keys most tables start with (centre, series, ...)."""
    return tuple(Column(name, "text") for name in names)


@attrs.frozen
class Column:
    """A column: ``Column("uci", "text", nullable=True)``.

    ``default`` fills the column when an insert leaves it out, and fills
    existing rows when the column is added by a migration (a non-nullable
    column added later needs one).  Defaults are allowed for text, int and
    bool columns.  ``auto`` makes a single-column integer primary key that the
    store numbers itself (1, 2, 3, ...; never given on insert).
    """

    name: str = attrs.field(converter=_column_name)
    type: ColumnType = attrs.field(converter=_column_type)
    nullable: bool = attrs.field(default=False, kw_only=True)
    default: Value = attrs.field(default=None, kw_only=True)
    auto: bool = attrs.field(default=False, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if self.default is not None:
            if self.type not in (ColumnType.TEXT, ColumnType.INT, ColumnType.BOOL):
                raise InvalidValue(
                    f"column.{self.name}.default", "defaults are for text, int and bool columns"
                )
            canonical_value(self, self.default)
        if self.auto and (self.type is not ColumnType.INT or self.nullable):
            raise InvalidValue(f"column.{self.name}.auto", "an auto column is a non-null int")

    def check(self, value: object) -> Value:
        """``value`` in canonical form; :class:`InvalidValue` naming the column if it is wrong."""
        return canonical_value(self, value)


def canonical_value(column: Column, value: object) -> Value:
    """Check ``value`` against ``column`` and return its canonical form."""
    kind = column.type
    # The common cases first: values already canonical for their column.
    if type(value) is str:
        if kind is ColumnType.TEXT and "\x00" not in value:
            return value
    elif type(value) is int:
        if kind is ColumnType.INT and INT_MIN <= value <= INT_MAX:
            return value
    elif type(value) is bool:
        if kind is ColumnType.BOOL:
            return value
    elif (
        type(value) is pendulum.DateTime
        and kind is ColumnType.INSTANT
        and value.tzinfo is pendulum.UTC
    ):
        return value
    field = column.name
    if value is None:
        if not column.nullable:
            raise InvalidValue(field, "is required (the column is not nullable)")
        return None
    if kind is ColumnType.TEXT:
        if not isinstance(value, str):
            raise InvalidValue(field, f"must be text, not {type(value).__name__}")
        if "\x00" in value:
            raise InvalidValue(field, "must not contain NUL characters")
        return value
    if kind is ColumnType.INT:
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidValue(field, f"must be a whole number, not {type(value).__name__}")
        if not INT_MIN <= value <= INT_MAX:
            raise InvalidValue(field, "is outside the 64-bit integer range")
        return int(value)
    if kind is ColumnType.BOOL:
        if not isinstance(value, bool):
            raise InvalidValue(field, f"must be True or False, not {type(value).__name__}")
        return value
    if kind is ColumnType.BYTES:
        if not isinstance(value, bytes | bytearray | memoryview):
            raise InvalidValue(field, f"must be bytes, not {type(value).__name__}")
        return bytes(value)
    if kind is ColumnType.JSON:
        return canonical_json(value, field)
    return canonical_instant(value, field)


def canonical_instant(value: object, field: str) -> pendulum.DateTime:
    """An aware instant in UTC, to the microsecond."""
    if type(value) is pendulum.DateTime and value.tzinfo is pendulum.UTC:
        # Already canonical (what this function returns, and what clocks give; ``fold``
        # means nothing in UTC): writes of many rows at one instant no longer pay two
        # conversions a value.
        return value
    if not isinstance(value, datetime.datetime):
        raise InvalidValue(field, f"must be a timezone-aware instant, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidValue(field, "must be timezone-aware")
    # Convert with the standard library first: it honours ``fold`` for times
    # that occur twice when clocks go back, which pendulum.instance() loses.
    utc: pendulum.DateTime = pendulum.instance(value.astimezone(datetime.UTC))
    return utc.in_timezone("UTC")


def _columns(values: Iterable[Column]) -> tuple[Column, ...]:
    return tuple(values)


def _names(values: Iterable[str] | str) -> tuple[str, ...]:
    if isinstance(values, str):
        return (values,)
    return tuple(values)


def _uniques(values: Iterable[UniqueIndex]) -> tuple[UniqueIndex, ...]:
    return tuple(values)


def _indexes(values: Iterable[Index]) -> tuple[Index, ...]:
    return tuple(values)


def _where(value: Mapping[str, Value] | None) -> tuple[tuple[str, Value], ...] | None:
    if value is None:
        return None
    return tuple(sorted(value.items()))


@attrs.frozen
class UniqueIndex:
    """A unique index on ``columns``; ``where`` makes it *partial*.

    ``UniqueIndex(("candidate", "syllabus"), where={"active": True})`` allows
    any number of inactive rows but one active row per candidate and syllabus.
    ``where`` maps columns to the literal each must equal (``None`` means IS
    NULL).  ``name`` defaults to one derived from the table and columns.
    """

    columns: tuple[str, ...] = attrs.field(converter=_names)
    where: tuple[tuple[str, Value], ...] | None = attrs.field(
        default=None, converter=_where, kw_only=True
    )
    name: str | None = attrs.field(default=None, kw_only=True)

    @property
    def condition(self) -> dict[str, Value]:
        """The partial-index condition as a dict (empty when the index is total)."""
        return dict(self.where or ())

    def applies_to(self, row: Mapping[str, Value]) -> bool:
        """Whether the index holds ``row``: its ``where`` matches and no indexed column is NULL.

        NULLs are distinct in unique indexes (SQL semantics), so a row with a
        NULL in an indexed column never clashes.
        """
        for name, value in self.where or ():
            if (row[name] is not None) if value is None else (row[name] != value):
                return False
        return all(row[c] is not None for c in self.columns)

    def index_name(self, table: str) -> str:
        """The SQL name of this index on ``table``."""
        if self.name is not None:
            return self.name
        suffix = "_where_" + "_".join(c for c, _ in self.where) if self.where else ""
        return f"uq_{table}_{'_'.join(self.columns)}{suffix}"


@attrs.frozen
class Index:
    """A plain (non-unique) index, for lookups that must stay fast."""

    columns: tuple[str, ...] = attrs.field(converter=_names)
    name: str | None = attrs.field(default=None, kw_only=True)

    def index_name(self, table: str) -> str:
        """The SQL name of this index on ``table``."""
        return self.name or f"ix_{table}_{'_'.join(self.columns)}"


def _table_name(value: object) -> str:
    return _identifier(value, "table.name")


@attrs.frozen
class Table:
    """A table: columns, primary key, unique and plain indexes.

    ``append_only`` tables refuse UPDATE and DELETE in the store itself (the
    events table).  Tables are built by migrations (:mod:`.migrations`); the
    current shape of every table is the fold of those migrations.
    """

    name: str = attrs.field(converter=_table_name)
    columns: tuple[Column, ...] = attrs.field(converter=_columns)
    primary_key: tuple[str, ...] = attrs.field(converter=_names)
    unique: tuple[UniqueIndex, ...] = attrs.field(default=(), converter=_uniques, kw_only=True)
    indexes: tuple[Index, ...] = attrs.field(default=(), converter=_indexes, kw_only=True)
    append_only: bool = attrs.field(default=False, kw_only=True)
    # Looked up for every value of every statement; derived, so not compared or hashed.
    _by_name: dict[str, Column] = attrs.field(init=False, eq=False, repr=False)
    _names: tuple[str, ...] = attrs.field(init=False, eq=False, repr=False)
    _known: frozenset[str] = attrs.field(init=False, eq=False, repr=False)
    _auto: Column | None = attrs.field(init=False, eq=False, repr=False)
    # The primary key's column when it is one text column (check_key's common case).
    _text_key: str | None = attrs.field(init=False, eq=False, repr=False)
    _key_columns: tuple[Column, ...] = attrs.field(init=False, eq=False, repr=False)
    # Every column but the auto key, by name, with its default (check_row fills them in).
    _defaults: dict[str, Value] = attrs.field(init=False, eq=False, repr=False)
    # By column name, the auto key too, what a row's check reads of it: type, whether
    # nullable, the column.
    _by_plan: dict[str, tuple[ColumnType, bool, Column]] = attrs.field(
        init=False, eq=False, repr=False
    )
    _key_names: frozenset[str] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        where = f"table {self.name}"
        names = [c.name for c in self.columns]
        object.__setattr__(self, "_by_name", {c.name: c for c in self.columns})
        object.__setattr__(self, "_names", tuple(names))
        object.__setattr__(self, "_known", frozenset(names))
        object.__setattr__(
            self, "_defaults", {c.name: c.default for c in self.columns if not c.auto}
        )
        object.__setattr__(
            self, "_by_plan", {c.name: (c.type, c.nullable, c) for c in self.columns}
        )
        object.__setattr__(self, "_key_names", frozenset(self.primary_key))
        object.__setattr__(self, "_auto", next((c for c in self.columns if c.auto), None))
        if not names:
            raise InvalidValue(where, "has no columns")
        if len(set(names)) != len(names):
            raise InvalidValue(where, "has two columns with the same name")
        if not self.primary_key:
            raise InvalidValue(where, "needs a primary key")
        for name in self.primary_key:
            if self.column(name).nullable:
                raise InvalidValue(where, f"primary-key column {name} cannot be nullable")
        (first, *rest) = self.primary_key
        text_key = None if rest or self.column(first).type is not ColumnType.TEXT else first
        object.__setattr__(self, "_text_key", text_key)
        object.__setattr__(self, "_key_columns", tuple(self.column(n) for n in self.primary_key))
        autos = [c.name for c in self.columns if c.auto]
        if autos and (len(autos) > 1 or self.primary_key != (autos[0],)):
            raise InvalidValue(where, "an auto column must be the whole primary key")
        index_names: set[str] = set()
        every: tuple[UniqueIndex | Index, ...] = (*self.unique, *self.indexes)
        for index in every:
            if not index.columns:
                raise InvalidValue(where, "an index needs at least one column")
            for name in index.columns:
                self.column(name)
            if isinstance(index, UniqueIndex):
                for name, literal in index.where or ():
                    column = self.column(name)
                    if column.type in (ColumnType.JSON, ColumnType.BYTES, ColumnType.INSTANT):
                        raise InvalidValue(where, f"a partial index cannot test {name}")
                    if literal is not None:
                        column.check(literal)
            index_name = index.index_name(self.name)
            _identifier(index_name, f"{where} index name")
            if index_name in index_names:
                raise InvalidValue(where, f"two indexes are named {index_name}; give one a name")
            index_names.add(index_name)

    @property
    def columns_by_name(self) -> Mapping[str, Column]:
        """The columns by name (read-only use: a look-up per value of a statement)."""
        return self._by_name

    @property
    def column_names(self) -> tuple[str, ...]:
        """The columns' names, in order."""
        return self._names

    @property
    def auto_column(self) -> Column | None:
        """The store-numbered primary-key column, if the table has one."""
        return self._auto

    @property
    def key_indexes(self) -> tuple[UniqueIndex, ...]:
        """The primary key as a unique index, then the declared unique indexes."""
        return (UniqueIndex(self.primary_key, name=f"pk_{self.name}"), *self.unique)

    def column(self, name: str) -> Column:
        """The column called ``name``; :class:`InvalidValue` if the table has none."""
        found = self._by_name.get(name)
        if found is not None:
            return found
        raise InvalidValue(f"{self.name}.{name}", f"table {self.name} has no column {name!r}")

    def check_row(self, row: RowInput) -> Row:
        """A full row for insertion: unknown columns refused, defaults filled, values checked."""
        if type(row) is not dict and not isinstance(row, Mapping):
            raise InvalidValue(self.name, f"a row must be a mapping, not {type(row).__name__}")
        if not row.keys() <= self._known:
            self._no_unknown(row)
        if self._auto is not None and self._auto.name in row:
            raise InvalidValue(f"{self.name}.{self._auto.name}", "is numbered by the store")
        # Every column but the auto key, in the table's order, the row's values over
        # the defaults.
        return self._canonical({**self._defaults, **row})

    def check_changes(self, changes: RowInput) -> Row:
        """Checked values for an update; primary-key columns cannot change."""
        if type(changes) is not dict and not isinstance(changes, Mapping):
            raise InvalidValue(self.name, "changes must be a mapping")
        if not changes.keys() <= self._known:
            self._no_unknown(changes)
        if not self._key_names.isdisjoint(changes):
            for name in changes:
                if name in self._key_names:
                    raise InvalidValue(f"{self.name}.{name}", "a primary-key column cannot change")
        return self._canonical(changes)

    def _canonical(self, values: RowInput) -> Row:
        """``values`` (of known columns) in canonical form, in their order; the first
        wrong one refused as :func:`canonical_value` refuses it, naming the table."""
        out: Row = {}
        plan = self._by_plan
        for n, v in values.items():
            kind, nullable, c = plan[n]
            # The common cases, values already canonical for their column (as
            # canonical_value's own first tests), without two calls each.
            if type(v) is str:
                if kind is ColumnType.TEXT and "\x00" not in v:
                    out[n] = v
                    continue
            elif type(v) is int:
                if kind is ColumnType.INT and INT_MIN <= v <= INT_MAX:
                    out[n] = v
                    continue
            elif type(v) is bool:
                if kind is ColumnType.BOOL:
                    out[n] = v
                    continue
            elif v is None:
                if nullable:
                    out[n] = None
                    continue
            elif (
                type(v) is pendulum.DateTime
                and kind is ColumnType.INSTANT
                and v.tzinfo is pendulum.UTC
            ):
                out[n] = v
                continue
            out[n] = _checked(self, c, v)
        return out

    def check_values(self, values: RowInput) -> Row:
        """Checked values for a compare-and-set ``expect``; ``None`` tests for NULL."""
        self._no_unknown(values)
        out: Row = {}
        plan = self._by_plan
        for name, value in values.items():
            kind, _, column = plan[name]  # every name is a column's (_no_unknown)
            # canonical_value's first tests (values canonical already), inline.
            if value is None or (
                (kind is ColumnType.INT and type(value) is int and INT_MIN <= value <= INT_MAX)
                or (kind is ColumnType.TEXT and type(value) is str and "\x00" not in value)
                or (kind is ColumnType.BOOL and type(value) is bool)
            ):
                out[name] = value
            else:
                out[name] = _checked(self, column, value)
        return out

    def check_key(self, key: Key) -> Row:
        """A primary key as ``{column: canonical value}``."""
        if type(key) is str and self._text_key is not None and "\x00" not in key:
            return {self._text_key: key}  # the common case: one text column's value
        values: tuple[object, ...]
        if type(key) is tuple:
            values = key  # the next most common: values in key order
        elif type(key) is str:
            values = (key,)
        elif isinstance(key, Mapping):
            if set(key) != set(self.primary_key):
                raise InvalidValue(
                    f"{self.name}.key", f"must name exactly {', '.join(self.primary_key)}"
                )
            values = tuple(key[n] for n in self.primary_key)
        elif isinstance(key, tuple):
            values = key
        else:
            values = (key,)
        if len(values) != len(self._key_columns):
            raise InvalidValue(
                f"{self.name}.key", f"needs {len(self.primary_key)} values in key order"
            )
        checked: Row = {}
        for c, v in zip(self._key_columns, values, strict=True):
            if type(v) is str and c.type is ColumnType.TEXT and "\x00" not in v:
                checked[c.name] = v  # canonical text, without the generic dispatch
            else:
                checked[c.name] = _checked(self, c, v)
        return checked

    def duplicate(self, columns: Sequence[str]) -> DuplicateError:
        """The error every backend raises for a unique violation (no values in the text)."""
        return DuplicateError(f"{self.name}: duplicate value for ({', '.join(columns)})")

    def key_of(self, row: Mapping[str, Value]) -> tuple[Value, ...]:
        """The primary-key values of a row, in key order."""
        return tuple(row[n] for n in self.primary_key)

    def _no_unknown(self, row: RowInput) -> None:
        known = self._known
        if row.keys() <= known:
            return
        unknown = sorted(str(n) for n in row if n not in known)
        if unknown:
            raise InvalidValue(f"{self.name}", f"has no columns {unknown}")


def _checked(table: Table, column: Column, value: object) -> Value:
    try:
        return canonical_value(column, value)
    except InvalidValue as exc:
        raise InvalidValue(f"{table.name}.{column.name}", exc.reason) from None


T = TypeVar("T")


def value_of(row: Mapping[str, Value], column: str, kind: type[T]) -> T:
    """``row[column]`` as a ``kind``: the typed boundary where a feature reads a row.

    ``value_of(row, "seq", int)``, ``value_of(row, "details", dict)``.  A value
    of another type means the row is not what the caller's table holds, a
    bug: :class:`StorageError`.
    """
    value = row[column]
    if not isinstance(value, kind):
        raise StorageError(f"column {column} holds a {type(value).__name__}, not a {kind.__name__}")
    return value


def optional_value_of(row: Mapping[str, Value], column: str, kind: type[T]) -> T | None:
    """Like :func:`value_of` for a nullable column: ``None`` stays ``None``."""
    if row[column] is None:
        return None
    return value_of(row, column, kind)
