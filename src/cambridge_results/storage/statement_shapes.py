"""Statement texts built once per shape, and row decoders built once per table.

A statement's text depends only on the dialect, the table and the shape of
its conditions (which columns, which comparisons, how many values in an
``In``), never on the values, so :mod:`.sql` builds it once and keeps it:
the hot paths of the backends run the same few shapes over and over.  The
caches are keyed by the identity of the dialect and table and keep them
referenced, so an id cannot be reused while its entry lives; they are
emptied when they grow past :data:`CACHE_LIMIT` (stores opened and closed in
a loop build new tables).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from cambridge_results.storage.query import Condition, Eq, In, Ne, Prefix
from cambridge_results.storage.schema import Column, ColumnType, Table

__all__ = [
    "CACHE_LIMIT",
    "Codec",
    "Dialect",
    "Encoder",
    "Shape",
    "cached_statement",
    "encoded",
    "quote",
    "row_decoders",
    "shape_and_values",
    "shape_of",
    "values_of",
    "where_text",
]

#: A conversion of one value, to the driver or back.
Codec = Callable[[Any], Any]


class Dialect(Protocol):
    """What a statement's text needs of :class:`.sql.Dialect` (kept apart: no import cycle)."""

    @property
    def param(self) -> str: ...
    @property
    def prefix_template(self) -> str: ...
    @property
    def encoders(self) -> Mapping[ColumnType, Codec]: ...
    @property
    def decoders(self) -> Mapping[ColumnType, Codec]: ...
    def placeholder(self, column: Column) -> str: ...
    def column_sql(self, table: Table, column: Column) -> str: ...


#: How many statement texts (and tables' decoders) are kept before starting afresh.
CACHE_LIMIT = 4096
#: A ``where``'s shape: per condition its column, its kind, and its number of values for In.
Shape = tuple[tuple[str, str, int], ...]
_OPS = {"Eq": "=", "Ne": "<>", "Lt": "<", "Le": "<=", "Gt": ">", "Ge": ">="}
_statements: dict[tuple[Any, ...], tuple[Dialect, Table, str, Encoder]] = {}
_decoders: dict[
    tuple[int, int],
    tuple[Dialect, Table, tuple[tuple[str, ...], tuple[tuple[int, str, Codec], ...]]],
] = {}


@functools.lru_cache(maxsize=1024)
def quote(name: str) -> str:
    """Quote an identifier (already validated as lower-case by the schema)."""
    return '"' + name.replace('"', '""') + '"'


def _kind(condition: Condition) -> tuple[str, int]:
    if isinstance(condition, Eq | Ne) and condition.value is None:
        return ("null" if isinstance(condition, Eq) else "notnull"), 0
    if isinstance(condition, In):
        return "in", len(condition.values)
    return type(condition).__name__, 0


def shape_of(where: Mapping[str, Condition]) -> Shape:
    """The shape of a checked ``where``: what its statement text depends on."""
    return tuple(
        (name, "Eq", 0) if type(c) is Eq and c.value is not None else (name, *_kind(c))
        for name, c in where.items()
    )


def where_text(d: Dialect, table: Table, shape: Shape) -> tuple[str, list[Codec | None]]:
    """The ``WHERE`` clause of a shape and the encoder of each of its parameters."""
    parts: list[str] = []
    codecs: list[Codec | None] = []
    for name, kind, n in shape:
        column = table.column(name)
        codec = d.encoders.get(column.type)
        if kind in ("null", "notnull"):
            parts.append(f"{quote(name)} IS {'NOT ' if kind == 'notnull' else ''}NULL")
        elif kind == "Prefix":
            parts.append(d.prefix_template.format(col=quote(name), p=d.param))
            codecs.extend([None, None])
        elif kind == "in" and n == 0:
            parts.append("1 = 0")
        else:
            # Equality needs no collation: every collation PostgreSQL allows as a
            # database default is deterministic (equal means byte-for-byte equal),
            # and without one the column's indexes serve the comparison.
            ordered = kind in ("Lt", "Le", "Gt", "Ge")
            col = d.column_sql(table, column) if ordered else quote(name)
            p = d.placeholder(column)
            if kind == "in":
                parts.append(f"{col} IN ({', '.join(p for _ in range(n))})")
                codecs.extend([codec] * n)
            else:
                parts.append(f"{col} {_OPS[kind]} {p}")
                codecs.append(codec)
    return (" WHERE " + " AND ".join(parts) if parts else ""), codecs


class Encoder:
    """A statement's parameters as the driver takes them, its encoders placed once.

    Built from the encoder of each parameter (``None``: sent as it is), it
    keeps only the places that convert, so a statement of text and ints (most
    keys) costs a length check.
    """

    __slots__ = ("coded", "count")

    def __init__(self, codecs: Sequence[Codec | None]) -> None:
        #: How many parameters the statement takes.
        self.count = len(codecs)
        #: The place and encoder of each parameter that is converted.
        self.coded = tuple((i, codec) for i, codec in enumerate(codecs) if codec is not None)

    def __call__(self, values: list[Any]) -> list[Any]:
        """``values`` (a list of the caller's own), each through its encoder, in place."""
        if len(values) != self.count:
            raise ValueError(f"{len(values)} parameters for {self.count} places")
        for i, codec in self.coded:
            value = values[i]
            if value is not None:
                values[i] = codec(value)
        return values


def cached_statement(
    key: tuple[Any, ...],
    d: Dialect,
    table: Table,
    build: Callable[[], tuple[str, list[Codec | None]]],
    values: list[Any],
) -> tuple[str, list[Any]]:
    """The text built by ``build`` for ``key`` (built once), and ``values`` (a list of
    the caller's own) encoded for it in place, as its :class:`Encoder` encodes them."""
    found = _statements.get(key)
    if found is None or found[0] is not d or found[1] is not table:
        if len(_statements) >= CACHE_LIMIT:
            _statements.clear()
        text, codecs = build()
        found = (d, table, text, Encoder(codecs))
        _statements[key] = found
    return found[2], found[3](values)


def encoded(codecs: Sequence[Codec | None], values: Sequence[Any]) -> list[Any]:
    """The parameters for the driver: each value through its encoder (``None`` stays)."""
    return Encoder(codecs)(list(values))


def shape_and_values(where: Mapping[str, Condition]) -> tuple[Shape, list[Any]]:
    """:func:`shape_of` and :func:`values_of` in one pass (equalities and ``In`` first)."""
    shape: list[tuple[str, str, int]] = []
    values: list[Any] = []
    for name, c in where.items():
        if isinstance(c, Eq) and c.value is not None:
            shape.append((name, "Eq", 0))
            values.append(c.value)
        elif isinstance(c, In):
            shape.append((name, "in", len(c.values)))
            values.extend(c.values)
        else:
            shape.append((name, *_kind(c)))
            values.extend(values_of({name: c}))
    return tuple(shape), values


def values_of(where: Mapping[str, Condition]) -> list[Any]:
    """The parameters of a ``where``, in the order of :func:`where_text`, not yet encoded."""
    values: list[Any] = []
    for condition in where.values():
        if type(condition) is Eq:
            if condition.value is not None:
                values.append(condition.value)
        elif isinstance(condition, In):
            values.extend(condition.values)
        elif isinstance(condition, Prefix):
            values.extend([len(condition.text), condition.text])
        elif condition.value is not None:
            values.append(condition.value)
    return values


def row_decoders(
    d: Dialect, table: Table
) -> tuple[tuple[str, ...], tuple[tuple[int, str, Codec], ...]]:
    """The columns' names, and the place, name and decoder of each column the dialect
    decodes (the others are kept as the driver gives them)."""
    found = _decoders.get((id(d), id(table)))
    if found is None or found[0] is not d or found[1] is not table:
        if len(_decoders) >= CACHE_LIMIT:
            _decoders.clear()
        coded = tuple(
            (i, c.name, codec)
            for i, c in enumerate(table.columns)
            if (codec := d.decoders.get(c.type)) is not None
        )
        found = (d, table, (table.column_names, coded))
        _decoders[(id(d), id(table))] = found
    return found[2]
