"""SQL generation shared by the SQL backends: DDL from the schema, parameterised statements.

Nothing here talks to a database or imports a driver.  What differs between
SQLite and PostgreSQL is a small :class:`Dialect` value (:mod:`.dialects`,
re-exported here): placeholders, column types, literals, the auto-numbered
key, the append-only guard, collation and NULL ordering, and how values are
encoded for the driver and decoded back to the canonical form of
:mod:`.schema`.

Identifiers come only from the validated schema (lower-case names) and are
always quoted; every value travels as a parameter, never spliced into SQL
(partial-index literals, which SQL requires inline, are rendered by
:meth:`Dialect.literal` from checked values).
"""

# Every statement here is built with f-strings (S608) from identifiers the schema
# validated and quote() quotes; values are always parameters: the rule is off here.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import pendulum

from cambridge_results.errors import StorageError
from cambridge_results.storage.dialects import POSTGRESQL, SQLITE, Dialect, instant_text
from cambridge_results.storage.migrations import (
    AddColumn,
    AddIndex,
    Catalog,
    CreateTable,
    Migration,
    RawSQL,
    Step,
    apply_step,
    build_catalog,
)
from cambridge_results.storage.query import Condition, Eq, Order, Where
from cambridge_results.storage.schema import (
    INT_MAX,
    INT_MIN,
    Column,
    ColumnType,
    Index,
    Row,
    Table,
    UniqueIndex,
)
from cambridge_results.storage.statement_shapes import (
    CACHE_LIMIT,
    Codec,
    Encoder,
    Shape,
    cached_statement,
    encoded,
    quote,
    row_decoders,
    shape_and_values,
    shape_of,
    values_of,
    where_text,
)

__all__ = [
    "POSTGRESQL",
    "SCHEMA_VERSION_TABLE",
    "SQLITE",
    "Dialect",
    "Statement",
    "add_column",
    "add_index",
    "count",
    "create_table",
    "decode_row",
    "decode_rows",
    "decoded",
    "delete",
    "exists",
    "get",
    "increment",
    "insert",
    "instant_text",
    "migration_step",
    "next_number",
    "quote",
    "record_version",
    "recorded_versions",
    "schema_version_ddl",
    "select",
    "select_text",
    "stored_row",
    "update",
    "update_where",
]

#: A statement and its parameters.
Statement = tuple[str, list[Any]]

#: Where applied migrations are stamped.
SCHEMA_VERSION_TABLE = "schema_version"


# -- DDL ---------------------------------------------------------------------


def _column_ddl(d: Dialect, column: Column) -> str:
    if column.auto:
        return f"{quote(column.name)} {d.auto_key}"
    sql = f"{quote(column.name)} {d.types[column.type]}"
    if not column.nullable:
        sql += " NOT NULL"
    if column.default is not None:
        sql += f" DEFAULT {d.literal(column, column.default)}"
    return sql


def add_index(d: Dialect, table: Table, index: UniqueIndex | Index) -> str:
    """``CREATE [UNIQUE] INDEX``, partial when the unique index has a ``where``."""
    columns = ", ".join(quote(c) for c in index.columns)
    name = quote(index.index_name(table.name))
    if isinstance(index, Index):
        return f"CREATE INDEX {name} ON {quote(table.name)} ({columns})"
    sql = f"CREATE UNIQUE INDEX {name} ON {quote(table.name)} ({columns})"
    if index.where:
        parts = []
        for column_name, value in index.where:
            column = table.column(column_name)
            if value is None:
                parts.append(f"{quote(column_name)} IS NULL")
            else:
                parts.append(f"{quote(column_name)} = {d.literal(column, value)}")
        sql += " WHERE " + " AND ".join(parts)
    return sql


def create_table(d: Dialect, table: Table) -> list[str]:
    """Every statement that creates ``table``: the table, its indexes, its guards."""
    parts = [_column_ddl(d, c) for c in table.columns]
    if table.auto_column is None:
        parts.append(f"PRIMARY KEY ({', '.join(quote(c) for c in table.primary_key)})")
    statements = [f"CREATE TABLE {quote(table.name)} ({', '.join(parts)})"]
    statements.extend(add_index(d, table, index) for index in table.unique)
    statements.extend(add_index(d, table, index) for index in table.indexes)
    if table.append_only:
        statements.extend(
            ddl.format(table=quote(table.name), name=table.name) for ddl in d.append_only_ddl
        )
    return statements


def add_column(d: Dialect, table: Table, column: Column) -> str:
    """``ALTER TABLE ... ADD COLUMN``; existing rows take the default (or NULL)."""
    return f"ALTER TABLE {quote(table.name)} ADD COLUMN {_column_ddl(d, column)}"


def migration_step(d: Dialect, catalog: Mapping[str, Table], step: Step) -> Sequence[str]:
    """The statements one migration step runs; ``catalog`` is the schema before the step."""
    statements: Sequence[str]
    if isinstance(step, CreateTable):
        statements = create_table(d, step.table)
    elif isinstance(step, AddColumn):
        statements = [add_column(d, catalog[step.table], step.column)]
    elif isinstance(step, AddIndex):
        statements = [add_index(d, catalog[step.table], step.index)]
    elif isinstance(step, RawSQL):
        statements = step.for_dialect(d.name)
    return statements


def migration_statements(
    d: Dialect, migrations: Sequence[Migration], migration: Migration
) -> Iterator[tuple[str, Catalog]]:
    """Each statement ``migration`` runs, with the catalog its errors are named against;
    every step is checked against the schema the earlier steps leave (``apply_step``)."""
    catalog = build_catalog(migrations, upto=migration.version - 1)
    for step in migration.steps:
        statements = migration_step(d, catalog, step)
        apply_step(catalog, step, f"migration {migration.version}")
        for statement in statements:
            yield statement, catalog


def schema_version_ddl(d: Dialect) -> str:
    """The ``schema_version`` table, created if missing."""
    return (
        f"CREATE TABLE IF NOT EXISTS {SCHEMA_VERSION_TABLE} ("
        f"version {d.types[ColumnType.INT]} PRIMARY KEY, "
        f"name {d.types[ColumnType.TEXT]} NOT NULL, "
        f"applied_at {d.types[ColumnType.TEXT]} NOT NULL)"
    )


def recorded_versions(d: Dialect) -> str:
    """Select every stamped (version, name)."""
    return f"SELECT version, name FROM {SCHEMA_VERSION_TABLE} ORDER BY version"


def record_version(d: Dialect, version: int, name: str, at: pendulum.DateTime) -> Statement:
    """Stamp a migration as applied."""
    p = d.param
    sql = f"INSERT INTO {SCHEMA_VERSION_TABLE} (version, name, applied_at) VALUES ({p}, {p}, {p})"
    return sql, [version, name, instant_text(at)]


# -- statements --------------------------------------------------------------


def _columns(table: Table) -> str:
    return ", ".join(quote(c) for c in table.column_names)


def _where(d: Dialect, table: Table, where: Mapping[str, Condition], params: list[Any]) -> str:
    text, codecs = where_text(d, table, shape_of(where))
    params.extend(encoded(codecs, values_of(where)))
    return text


def _order(d: Dialect, table: Table, order: Order) -> str:
    parts = []
    for name, descending in order:
        sql = d.column_sql(table, table.column(name)) + (" DESC" if descending else " ASC")
        if d.explicit_nulls:
            sql += " NULLS LAST" if descending else " NULLS FIRST"
        parts.append(sql)
    return " ORDER BY " + ", ".join(parts) if parts else ""


#: Insert statements by dialect, table and flags (:func:`insert`): the dialect and table
#: (kept referenced, so their ids are not reused meanwhile), the row's names, the text
#: and its encoder.
_INSERTS: dict[
    tuple[int, int, bool, bool], tuple[Dialect, Table, tuple[str, ...], str, Encoder]
] = {}

#: The shape of a key's equalities, by its column names (a few per table).
_KEY_SHAPES: dict[tuple[str, ...], Shape] = {}


def _key_shape(key: Row) -> Shape:
    names = tuple(key)
    found = _KEY_SHAPES.get(names)
    if found is None:
        if len(_KEY_SHAPES) >= CACHE_LIMIT:
            _KEY_SHAPES.clear()
        found = _KEY_SHAPES[names] = tuple((name, "Eq", 0) for name in names)
    return found


def insert(
    d: Dialect, table: Table, row: Row, *, skip_conflicts: bool = False, returning: bool = True
) -> Statement:
    """Insert a checked row; returns the auto key, if the table has one and ``returning``.

    The row as stored is the checked row (its values are canonical: what a
    read gives back) plus the auto key: :func:`stored_row`.  With
    ``skip_conflicts`` a row that any unique index refuses is not inserted
    (no row returned, a row count of 0) instead of the statement failing (so
    a PostgreSQL transaction stays usable without a savepoint per insert).
    """
    # A checked row names its columns in the table's order (Table.check_row), so one
    # table's inserts share one text: kept by table and flags, the names compared.
    names = tuple(row)
    key = (id(d), id(table), skip_conflicts, returning)
    found = _INSERTS.get(key)
    if found is None or found[0] is not d or found[1] is not table or found[2] != names:
        text, codecs = _insert_text(d, table, names, skip_conflicts, returning)
        if len(_INSERTS) >= CACHE_LIMIT:
            _INSERTS.clear()
        found = _INSERTS[key] = (d, table, names, text, Encoder(codecs))
    return found[3], found[4](list(row.values()))


def _insert_text(
    d: Dialect, table: Table, names: tuple[str, ...], skip_conflicts: bool, returning: bool
) -> tuple[str, list[Codec | None]]:
    """:func:`insert`'s text for a row of ``names``, and its parameters' encoders."""
    marks = ", ".join(d.placeholder(table.column(n)) for n in names)
    conflict = " ON CONFLICT DO NOTHING" if skip_conflicts else ""
    auto = table.auto_column
    back = "" if auto is None or not returning else f" RETURNING {quote(auto.name)}"
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
        f"VALUES ({marks}){conflict}{back}"
    )
    return sql, [d.encoders.get(table.column(n).type) for n in names]


def _filtered(d: Dialect, table: Table, where: Where, head: str, tail: str = "") -> Statement:
    """``{head} table WHERE ...{tail}``, its text built once per shape."""
    shape, values = shape_and_values(where)

    def build() -> tuple[str, list[Codec | None]]:
        clause, codecs = where_text(d, table, shape)
        return f"{head} {quote(table.name)}{clause}{tail}", codecs

    return cached_statement((head, tail, id(d), id(table), shape), d, table, build, values)


def exists(d: Dialect, table: Table, where: Where) -> Statement:
    """Whether any row matches ``where`` (one row of ``1``, or none)."""
    return _filtered(d, table, where, "SELECT 1 FROM", " LIMIT 1")


def get(d: Dialect, table: Table, key: Row, *, for_update: bool) -> Statement:
    """Select one row by primary key."""
    shape = _key_shape(key)

    def build() -> tuple[str, list[Codec | None]]:
        clause, codecs = where_text(d, table, shape)
        sql = f"SELECT {_columns(table)} FROM {quote(table.name)}{clause}"
        return sql + (d.for_update if for_update else ""), codecs

    key_shape = ("get", id(d), id(table), shape, for_update)
    return cached_statement(key_shape, d, table, build, list(key.values()))


def update(d: Dialect, table: Table, key: Row, changes: Row, expect: Row) -> Statement:
    """Update by key, only where ``expect`` holds (compare-and-set)."""
    # What ``expect`` adds to the key's equalities, and whether it contradicts the key.
    extra: dict[str, Any] = {}
    never = False
    for n, v in expect.items():
        if n not in key:
            extra[n] = v
        elif key[n] != v:
            never = True
    names = tuple(changes)
    # The shape of {**key, **extra} as equalities (None: IS NULL), built directly.
    shape = _key_shape(key)
    if extra:
        shape += tuple((n, "Eq" if v is not None else "null", 0) for n, v in extra.items())

    def build() -> tuple[str, list[Codec | None]]:
        sets = [f"{quote(n)} = {d.placeholder(table.column(n))}" for n in names]
        clause, codecs = where_text(d, table, shape)
        if never:
            clause += " AND 1 = 0"
        sql = f"UPDATE {quote(table.name)} SET {', '.join(sets)}{clause}"
        return sql, [d.encoders.get(table.column(n).type) for n in names] + codecs

    values = [*changes.values(), *key.values()]
    if extra:
        values += [v for v in extra.values() if v is not None]
    key_shape = ("update", id(d), id(table), names, shape, never)
    return cached_statement(key_shape, d, table, build, values)


def update_where(
    d: Dialect, table: Table, where: Where, changes: Row, copies: Mapping[str, str]
) -> Statement:
    """Update every row matching ``where``: ``changes``' values, ``copies``' source columns."""
    names = tuple(changes)
    copied = tuple(copies.items())
    shape, values = shape_and_values(where)

    def build() -> tuple[str, list[Codec | None]]:
        sets = [f"{quote(n)} = {d.placeholder(table.column(n))}" for n in names]
        sets += [f"{quote(n)} = {quote(origin)}" for n, origin in copied]
        clause, codecs = where_text(d, table, shape)
        sql = f"UPDATE {quote(table.name)} SET {', '.join(sets)}{clause}"
        return sql, [d.encoders.get(table.column(n).type) for n in names] + codecs

    key = ("update_where", id(d), id(table), names, copied, shape)
    return cached_statement(key, d, table, build, [*changes.values(), *values])


def delete(d: Dialect, table: Table, key: Row) -> Statement:
    """Delete by key."""
    return _filtered(d, table, {n: Eq(v) for n, v in key.items()}, "DELETE FROM")


def select(d: Dialect, table: Table, where: Where, order: Order, limit: int | None) -> Statement:
    """Select matching rows in a total order.

    A column the ``where`` holds equal to one value (or NULL) is the same in
    every matching row, so ordering by it is left out; so is the whole order
    where at most one row matches (by the key, or a total unique index).
    """
    shape, values = shape_and_values(where)
    limited = limit is not None

    def build() -> tuple[str, list[Codec | None]]:
        return select_text(d, table, shape, order, limited)

    key = ("select", id(d), id(table), shape, order, limited)
    if limit is not None:
        values.append(limit)
    return cached_statement(key, d, table, build, values)


def select_text(
    d: Dialect, table: Table, shape: Shape, order: Order, limited: bool
) -> tuple[str, list[Codec | None]]:
    """:func:`select`'s text for a ``where`` of ``shape``, and its parameters' encoders."""
    clause, codecs = where_text(d, table, shape)
    sql = f"SELECT {_columns(table)} FROM {quote(table.name)}{clause}"
    equal = {name for name, kind, _ in shape if kind in ("Eq", "null")}
    one = {name for name, kind, _ in shape if kind == "Eq"}  # NULLs are never unique
    if not any(i.where is None and one.issuperset(i.columns) for i in table.unique):
        sql += _order(d, table, tuple(o for o in order if o[0] not in equal))
    if limited:
        sql += f" LIMIT {d.param}"
        codecs.append(None)
    return sql, codecs


def count(d: Dialect, table: Table, where: Where) -> Statement:
    """Count matching rows."""
    return _filtered(d, table, where, "SELECT COUNT(*) FROM")


def increment(d: Dialect, table: Table, key: Row, column: str, by: int) -> Statement:
    """Atomically add to an int column, returning the new value.

    The row is changed only while the result stays in the 64-bit range, so
    no row is returned both for a missing key and for an overflow (SQLite
    would otherwise turn the column into a float, PostgreSQL fail the
    statement); the caller tells the two apart.  ``by`` must itself be a
    64-bit value.
    """
    params: list[Any] = [by]
    col = quote(column)
    where = _where(d, table, {n: Eq(v) for n, v in key.items()}, params)
    if by >= 0:
        where += f" AND {col} <= {d.param}"
        params.append(INT_MAX - by)
    else:
        where += f" AND {col} >= {d.param}"
        params.append(INT_MIN - by)
    return (
        f"UPDATE {quote(table.name)} SET {col} = {col} + {d.param}{where} RETURNING {col}",
        params,
    )


def next_number(d: Dialect, sequences: Table, name: str) -> Statement:
    """Take the next value of a named sequence in one atomic upsert."""
    t = quote(sequences.name)
    sql = (
        f'INSERT INTO {t} ("name", "value") VALUES ({d.param}, 1) '
        f'ON CONFLICT ("name") DO UPDATE SET "value" = {t}."value" + 1 RETURNING "value"'
    )
    return sql, [name]


def stored_row(table: Table, row: Row, auto_key: Any = None) -> Row:
    """A checked row as :func:`insert` stored it: the same values, the auto key filled in.

    Checked values are canonical (a read returns them unchanged), so the row
    needs no reading back; it is a new dict, in the table's column order.
    """
    auto = table.auto_column
    if auto is None:
        return dict(row)
    return {name: int(auto_key) if name == auto.name else row[name] for name in table.column_names}


def decode_row(d: Dialect, table: Table, raw: Sequence[Any]) -> Row:
    """A driver row (columns in table order) in canonical form."""
    return decode_rows(d, table, (raw,))[0]


def decode_rows(d: Dialect, table: Table, raws: Iterable[Sequence[Any]]) -> list[Row]:
    """Driver rows (columns in table order) in canonical form."""
    names, coded = row_decoders(d, table)
    return decoded(table.name, names, coded, raws)


def decoded(
    table: str,
    names: tuple[str, ...],
    coded: tuple[tuple[int, str, Codec], ...],
    raws: Iterable[Sequence[Any]],
) -> list[Row]:
    """Driver rows of ``names`` as rows, each value of ``coded``'s places decoded."""
    width = len(names)
    rows: list[Row] = []
    for raw in raws:
        if len(raw) != width:
            raise StorageError(f"{table}: a row of {len(raw)} values, not {width}")
        row: Row = dict(zip(names, raw, strict=True))
        for i, name, codec in coded:
            value = raw[i]
            if value is not None:
                row[name] = codec(value)
        rows.append(row)
    return rows
