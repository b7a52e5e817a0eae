"""The small query vocabulary of ``select``, ``count`` and ``stream``.

``where`` is a mapping of column to condition, all of which must hold.  A
plain value means equality (``None`` means IS NULL); the classes here say
anything else::

    uow.select("candidates", {"centre": "GB123", "number": Ge("0700")})
    uow.select("events", {"subject": Prefix("centre:GB123/")}, order_by=("seq",))

``order_by`` names columns, ``"-column"`` for descending.  The primary key is
always appended as a tie-breaker, so every backend returns the same order.
NULLs sort first in ascending order.  Text compares by code point (SQLite's
BINARY collation; PostgreSQL must use ``COLLATE "C"``).  JSON and bytes
columns cannot be compared or ordered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeAlias, cast

import attrs

from cambridge_results.errors import InvalidValue
from cambridge_results.storage.schema import (
    INT_MAX,
    INT_MIN,
    Column,
    ColumnType,
    Key,
    Row,
    RowInput,
    Table,
    Value,
)

__all__ = [
    "Condition",
    "Delete",
    "Ge",
    "Gt",
    "In",
    "Insert",
    "Le",
    "Lt",
    "Ne",
    "Order",
    "Prefix",
    "Select",
    "Update",
    "Where",
    "WhereInput",
    "check_copies",
    "check_order",
    "check_where",
    "matches",
    "sort_rows",
]


def _as_tuple(values: Iterable[Value]) -> tuple[Value, ...]:
    return tuple(values)


@attrs.frozen
class Ne:
    """Not equal (``Ne(None)`` means IS NOT NULL); NULL never equals anything."""

    value: Value


@attrs.frozen
class Lt:
    """Less than; NULLs never match."""

    value: Value


@attrs.frozen
class Le:
    """Less than or equal; NULLs never match."""

    value: Value


@attrs.frozen
class Gt:
    """Greater than; NULLs never match."""

    value: Value


@attrs.frozen
class Ge:
    """Greater than or equal; NULLs never match."""

    value: Value


@attrs.frozen
class In:
    """Equal to one of ``values`` (an empty collection matches nothing)."""

    values: tuple[Value, ...] = attrs.field(converter=_as_tuple)


@attrs.frozen
class Prefix:
    """A text column starting with ``text`` (case-sensitive)."""

    text: str


@attrs.frozen
class Select:
    """One read of :meth:`~cambridge_results.storage.transaction.Transaction.select_many`.

    The arguments of ``select``: ``Select("entries", {"centre": "GB123"}, ("candidate",))``.
    """

    table: str
    where: WhereInput | None = None
    order_by: Sequence[str] = ()
    limit: int | None = None


@attrs.frozen
class Insert:
    """One insert of :meth:`~cambridge_results.storage.transaction.Transaction.write_many`.

    The arguments of ``insert``: ``Insert("login_attempts", {...})``.
    """

    table: str
    row: RowInput


@attrs.frozen
class Delete:
    """One delete of :meth:`~cambridge_results.storage.transaction.Transaction.write_many`.

    The arguments of ``delete``: ``Delete("login_lockouts", "sam@example.org")``.
    """

    table: str
    key: Key


@attrs.frozen
class Update:
    """One update of :meth:`~cambridge_results.storage.transaction.Transaction.update_many`.

    The arguments of ``update``: ``Update("things", "t1", {"n": 2}, expect={"n": 1})``.
    """

    table: str
    key: Key
    changes: RowInput
    expect: RowInput | None = attrs.field(default=None, kw_only=True)


@attrs.frozen
class Eq:
    """Equality; written as the plain value in a ``where`` mapping."""

    value: Value


Condition: TypeAlias = Eq | Ne | Lt | Le | Gt | Ge | In | Prefix
#: A ``where`` as callers write it: column name to a plain value (equality) or a
#: condition.  Typed loosely on purpose: callers build these from mixed values, and
#: :func:`check_where` checks every one against its column at run time.
WhereInput: TypeAlias = Mapping[str, object]
#: A checked ``where``: column name to condition, every value canonical.
Where: TypeAlias = dict[str, Condition]
#: A checked ``order_by``: ``(column, descending)`` pairs, key columns appended.
Order: TypeAlias = tuple[tuple[str, bool], ...]

_UNORDERED = (ColumnType.JSON, ColumnType.BYTES)


def check_where(table: Table, where: WhereInput | None) -> Where:
    """Check a ``where`` mapping against ``table``; values come back canonical."""
    if where is None:
        return {}
    if type(where) is not dict and not isinstance(where, Mapping):
        raise InvalidValue("where", "must be a mapping of column to condition")
    out: Where = {}
    by_name = table.columns_by_name
    for name, raw in where.items():
        column = by_name.get(name) or table.column(name)  # column(): the refusal
        kind = column.type
        # The common cases, a canonical value equal to: without the general path's tests.
        if type(raw) is str:
            if kind is ColumnType.TEXT and "\x00" not in raw:
                out[name] = Eq(raw)
                continue
        elif type(raw) is int:
            if kind is ColumnType.INT and INT_MIN <= raw <= INT_MAX:
                out[name] = Eq(raw)
                continue
        elif type(raw) is bool:
            if kind is ColumnType.BOOL:
                out[name] = Eq(raw)
                continue
        elif type(raw) is In and kind is ColumnType.TEXT:
            # Canonical text values already (an In holds a tuple): the In as it is.
            for v in raw.values:
                if type(v) is not str or "\x00" in v:
                    break
            else:
                out[name] = raw
                continue
        out[name] = _condition(table, column, raw)
    return out


#: What a ``where`` value may be besides a plain value (equality).
_CONDITIONS = (Eq, Ne, Lt, Le, Gt, Ge, In, Prefix)


def check_copies(table: Table, copy: object, changes: Row) -> dict[str, str]:
    """``update_where``'s ``copy``: target column to source column, both checked."""
    if copy is None:
        return {}
    if not isinstance(copy, Mapping):
        raise InvalidValue("copy", "must be a mapping of column to the column it copies")
    out: dict[str, str] = {}
    for target, source in copy.items():
        if not isinstance(target, str) or not isinstance(source, str):
            raise InvalidValue("copy", "must name columns")
        to, origin = table.column(target), table.column(source)
        field = f"copy.{target}"
        if target in table.primary_key:
            raise InvalidValue(field, "a primary-key column cannot change")
        if target in changes:
            raise InvalidValue(field, "a column is either set or copied, not both")
        if to.type is not origin.type:
            raise InvalidValue(field, f"a {to.type.value} column cannot copy a {origin.type.value}")
        if not to.nullable and origin.nullable:
            raise InvalidValue(field, f"cannot be NULL, and {source} can")
        out[target] = source
    return out


def _value(column: Column, v: object) -> Value:
    """``v`` checked for ``column`` (None stays None), refused naming the ``where`` entry."""
    if v is None:
        return None
    try:
        return column.check(v)
    except InvalidValue as exc:
        raise InvalidValue(f"where.{column.name}", exc.reason) from None


def _condition(table: Table, column: Column, raw: object) -> Condition:
    if raw is not None and column.type is not ColumnType.JSON and not isinstance(raw, _CONDITIONS):
        # The common case, a plain value (equality), without the general path's tests.
        return Eq(_value(column, raw))
    field = f"where.{column.name}"
    if isinstance(raw, In):
        if column.type is ColumnType.JSON:
            raise InvalidValue(field, "a JSON column cannot be compared")
        if any(v is None for v in raw.values):
            raise InvalidValue(field, "In() cannot hold None; use None for IS NULL")
        return In(tuple([_value(column, v) for v in raw.values]))
    if isinstance(raw, Eq | Ne):
        if column.type is ColumnType.JSON:
            raise InvalidValue(field, "a JSON column cannot be compared")
        return type(raw)(_value(column, raw.value))
    if isinstance(raw, Lt | Le | Gt | Ge):
        if column.type in _UNORDERED or column.type is ColumnType.BOOL:
            raise InvalidValue(field, f"a {column.type.value} column has no order")
        if raw.value is None:
            raise InvalidValue(field, "cannot compare with None")
        return type(raw)(_value(column, raw.value))
    if isinstance(raw, Prefix):
        if column.type is not ColumnType.TEXT:
            raise InvalidValue(field, "Prefix() is for text columns")
        # A checked text value is a str.
        return Prefix(cast(str, _value(column, raw.text)))
    if column.type is ColumnType.JSON:
        raise InvalidValue(field, "a JSON column cannot be compared")
    return Eq(_value(column, raw))


#: Checked orders by table and ``order_by`` (a tuple of names): tables live as long as
#: their store, and a store's code asks for the same few orders again and again.
_ORDERS: dict[tuple[int, tuple[str, ...]], tuple[Table, Order]] = {}
_ORDERS_LIMIT = 4096


def check_order(table: Table, order_by: Iterable[str]) -> Order:
    """Check ``order_by`` and append the primary key so the order is total."""
    if type(order_by) is tuple and (not order_by or all(type(n) is str for n in order_by)):
        key = (id(table), order_by)
        found = _ORDERS.get(key)
        if found is not None and found[0] is table:
            return found[1]
        order = _check_order(table, order_by)
        if len(_ORDERS) >= _ORDERS_LIMIT:
            _ORDERS.clear()
        _ORDERS[key] = (table, order)  # the table kept: its id is not reused meanwhile
        return order
    return _check_order(table, order_by)


def _check_order(table: Table, order_by: Iterable[str]) -> Order:
    if isinstance(order_by, str):
        raise InvalidValue("order_by", "must be a sequence of column names, not one string")
    out: list[tuple[str, bool]] = []
    for item in order_by:
        if not isinstance(item, str):
            raise InvalidValue("order_by", "must name columns")
        descending = item.startswith("-")
        name = item[1:] if descending else item
        column = table.column(name)
        if column.type is ColumnType.JSON:
            raise InvalidValue(f"order_by.{name}", "a JSON column has no order")
        if name not in (n for n, _ in out):
            out.append((name, descending))
    seen = {n for n, _ in out}
    out.extend((n, False) for n in table.primary_key if n not in seen)
    return tuple(out)


def _holds(condition: Condition, actual: Value) -> bool:
    if isinstance(condition, Eq):
        return actual is None if condition.value is None else actual == condition.value
    if isinstance(condition, Ne):
        if condition.value is None:
            return actual is not None
        return actual is not None and actual != condition.value
    if actual is None:
        return False
    # check_where made both sides canonical values of one ordered column type, so
    # they compare; the union type cannot say so.
    ordered: Any = actual
    if isinstance(condition, Lt):
        return bool(ordered < condition.value)
    if isinstance(condition, Le):
        return bool(ordered <= condition.value)
    if isinstance(condition, Gt):
        return bool(ordered > condition.value)
    if isinstance(condition, Ge):
        return bool(ordered >= condition.value)
    if isinstance(condition, In):
        return actual in condition.values
    return isinstance(actual, str) and actual.startswith(condition.text)


def matches(row: Mapping[str, Value], where: Where) -> bool:
    """Whether ``row`` satisfies every condition (the in-memory evaluation)."""
    return all(_holds(c, row[name]) for name, c in where.items())


class _Desc:
    """Reverses the order of the wrapped sort key."""

    __slots__ = ("key",)

    def __init__(self, key: tuple[bool, Value]) -> None:
        self.key = key

    def __lt__(self, other: _Desc) -> bool:
        return bool(other.key < self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Desc) and self.key == other.key

    __hash__ = None  # type: ignore[assignment]  # sort keys are never hashed


def sort_rows(rows: Sequence[Mapping[str, Value]], order: Order) -> list[Mapping[str, Value]]:
    """Rows in ``order`` with NULLs first when ascending (the in-memory ordering)."""

    def key(row: Mapping[str, Value]) -> tuple[Any, ...]:
        parts: list[Any] = []
        for name, descending in order:
            value = row[name]
            part = (value is not None, value if value is not None else 0)
            parts.append(_Desc(part) if descending else part)
        return tuple(parts)

    return sorted(rows, key=key)
