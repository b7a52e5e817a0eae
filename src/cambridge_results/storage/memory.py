"""The in-memory store (``memory://``): dicts behind one lock, for tests and demos.

One unit of work at a time holds the store's lock (whole-unit-of-work
isolation); a writing unit of work snapshots the tables first and restores
them on rollback.  Unique and partial-unique indexes, append-only tables and
the value rules are enforced exactly as the SQL stores enforce them, which
the conformance suite checks.  Nothing survives the process.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from cambridge_results.errors import InvalidValue, WriteRefused
from cambridge_results.storage.migrations import (
    AddColumn,
    AddIndex,
    CreateTable,
    Migration,
    RawSQL,
    apply_step,
    build_catalog,
    check_history,
)
from cambridge_results.storage.port import SERIAL_WRITES, BaseStore, UnitOfWork
from cambridge_results.storage.query import Order, Where, matches, sort_rows
from cambridge_results.storage.schema import (
    INT_MAX,
    INT_MIN,
    ColumnType,
    Row,
    Table,
    UniqueIndex,
    value_of,
)

__all__ = ["MemoryStore", "MemoryUnitOfWork"]

_Rows = dict[tuple[Any, ...], Row]


class _Data:
    """The tables, their auto-number counters and the schema stamps."""

    def __init__(self) -> None:
        self.tables: dict[str, _Rows] = {}
        self.autos: dict[str, int] = {}
        self.versions: dict[int, str] = {}

    def snapshot(self) -> _Data:
        copy_ = _Data()
        # Rows are never changed in place (an update stores a new dict), so
        # copying each table's mapping is a full snapshot.
        copy_.tables = {name: dict(rows) for name, rows in self.tables.items()}
        copy_.autos = dict(self.autos)
        copy_.versions = dict(self.versions)
        return copy_


def _out(table: Table, row: Row) -> Row:
    out = dict(row)
    for c in table.columns:
        if c.type is ColumnType.JSON and out[c.name] is not None:
            out[c.name] = copy.deepcopy(out[c.name])
    return out


class MemoryUnitOfWork(UnitOfWork):
    """A unit of work over :class:`MemoryStore`'s dicts."""

    def __init__(self, store: MemoryStore, *, actor: str, read_only: bool) -> None:
        super().__init__(catalog=store.catalog, actor=actor, read_only=read_only)
        self._store = store
        self._saved = None if read_only else store._data.snapshot()
        self._savepoints: dict[str, _Data] = {}

    @property
    def _data(self) -> _Data:
        return self._store._data

    def _rows(self, table: Table) -> _Rows:
        try:
            return self._data.tables[table.name]
        except KeyError:
            raise InvalidValue("table", f"table {table.name} is not created yet; migrate") from None

    def _check_unique(self, table: Table, row: Row, replacing: tuple[Any, ...] | None) -> None:
        rows = self._rows(table)
        key = table.key_of(row)
        if key in rows and key != replacing:
            raise table.duplicate(table.primary_key)
        for index in table.unique:
            if not index.applies_to(row):
                continue
            mine = tuple(row[c] for c in index.columns)
            for other_key, other in rows.items():
                if other_key == replacing or not index.applies_to(other):
                    continue
                if tuple(other[c] for c in index.columns) == mine:
                    raise table.duplicate(index.columns)

    def _insert(self, table: Table, row: Row) -> Row:
        auto = table.auto_column
        stored = dict(row)
        number = None
        if auto is not None:
            number = self._data.autos.get(table.name, 0) + 1
            stored[auto.name] = number
        stored = {n: stored[n] for n in table.column_names}
        self._check_unique(table, stored, None)
        if number is not None:
            self._data.autos[table.name] = number
        self._rows(table)[table.key_of(stored)] = stored
        return _out(table, stored)

    def _get(self, table: Table, key: Row, *, for_update: bool) -> Row | None:
        row = self._rows(table).get(tuple(key.values()))
        return None if row is None else _out(table, row)

    def _update(self, table: Table, key: Row, changes: Row, expect: Row) -> bool:
        rows = self._rows(table)
        k = tuple(key.values())
        row = rows.get(k)
        if row is None:
            return False
        for name, value in expect.items():
            if (row[name] is not None) if value is None else (row[name] != value):
                return False
        if table.append_only:
            raise WriteRefused(f"{table.name} is append-only")
        new = {**row, **changes}
        self._check_unique(table, new, k)
        rows[k] = new
        return True

    def _update_where(
        self, table: Table, where: Where, changes: Row, copies: Mapping[str, str]
    ) -> int:
        rows = self._rows(table)
        hits = [k for k, row in rows.items() if matches(row, where)]
        if hits and table.append_only:
            raise WriteRefused(f"{table.name} is append-only")
        for k in hits:
            row = rows[k]
            rows[k] = {**row, **changes, **{to: row[origin] for to, origin in copies.items()}}
        return len(hits)

    def _delete(self, table: Table, key: Row) -> bool:
        rows = self._rows(table)
        k = tuple(key.values())
        if k not in rows:
            return False
        if table.append_only:
            raise WriteRefused(f"{table.name} is append-only")
        del rows[k]
        return True

    def _matching(self, table: Table, where: Where, order: Order) -> list[Row]:
        found = [r for r in self._rows(table).values() if matches(r, where)]
        return [dict(r) for r in sort_rows(found, order)]

    def _select(self, table: Table, where: Where, order: Order, limit: int | None) -> list[Row]:
        rows = self._matching(table, where, order)
        if limit is not None:
            rows = rows[:limit]
        return [_out(table, r) for r in rows]

    def _count(self, table: Table, where: Where) -> int:
        return sum(1 for r in self._rows(table).values() if matches(r, where))

    def _increment(self, table: Table, key: Row, column: str, by: int) -> int | None:
        rows = self._rows(table)
        k = tuple(key.values())
        row = rows.get(k)
        if row is None:
            return None
        if table.append_only:
            raise WriteRefused(f"{table.name} is append-only")
        value = value_of(row, column, int) + by
        if not INT_MIN <= value <= INT_MAX:
            raise InvalidValue(f"{table.name}.{column}", "would leave the 64-bit integer range")
        rows[k] = {**row, column: value}
        return value

    def _next_number(self, name: str) -> int:
        sequences = self.table("sequences")
        rows = self._rows(sequences)
        row = rows.get((name,))
        value = 1 if row is None else value_of(row, "value", int) + 1
        rows[(name,)] = {"name": name, "value": value}
        return value

    def _stream(self, table: Table, where: Where, order: Order, batch_size: int) -> Iterator[Row]:
        for row in self._matching(table, where, order):
            yield _out(table, row)

    def _savepoint(self, name: str) -> None:
        self._savepoints[name] = self._data.snapshot()

    def _release(self, name: str) -> None:
        self._forget_from(name)

    def _rollback_to(self, name: str) -> None:
        self._store._data = self._savepoints[name]
        self._forget_from(name)

    def _forget_from(self, name: str) -> None:
        # Savepoints are made in order (dicts keep it): forget this one and every later one.
        names = list(self._savepoints)
        for later in names[names.index(name) :]:
            del self._savepoints[later]

    def _commit(self) -> None:
        self._saved = None
        self._store._lock.release()

    def _rollback(self) -> None:
        if self._saved is not None:
            self._store._data = self._saved
            self._saved = None
        self._store._lock.release()


class MemoryStore(BaseStore):
    """Tables in dicts; each ``MemoryStore()`` or ``open_store("memory://")`` starts empty."""

    capabilities: frozenset[str] = frozenset({SERIAL_WRITES})

    def __init__(self, *, migrations: Sequence[Migration], migrate: bool = True) -> None:
        super().__init__(migrations)
        self.url = "memory://"
        self._lock = threading.Lock()
        self._data = _Data()
        if migrate:
            self.migrate()

    @classmethod
    def from_url(
        cls, url: str, *, migrations: Sequence[Migration], migrate: bool = True
    ) -> MemoryStore:
        """Open ``memory://`` (nothing may follow the scheme)."""
        if url != "memory://":
            raise InvalidValue("url", f"{url!r}: the memory store's URL is just 'memory://'")
        return cls(migrations=migrations, migrate=migrate)

    def _begin(self, *, actor: str, read_only: bool) -> UnitOfWork:
        self._lock.acquire()
        try:
            return MemoryUnitOfWork(self, actor=actor, read_only=read_only)
        except BaseException:
            self._lock.release()
            raise

    def schema_version(self) -> int:
        """The highest migration version applied."""
        with self._lock:
            return check_history(self._data.versions, self.migrations)

    def migrate(self) -> int:
        """Apply each pending migration atomically; return the schema version."""
        while True:
            with self._lock:
                current = check_history(self._data.versions, self.migrations)
                if current == len(self.migrations):
                    return current
                saved = self._data.snapshot()
                try:
                    self._apply(self.migrations[current])
                except BaseException:
                    self._data = saved
                    raise

    def _apply(self, migration: Migration) -> None:
        catalog = build_catalog(self.migrations, upto=migration.version - 1)
        for step in migration.steps:
            apply_step(catalog, step, f"migration {migration.version}")
            if isinstance(step, CreateTable):
                self._data.tables[step.table.name] = {}
            elif isinstance(step, AddColumn):
                rows = self._data.tables[step.table]
                for key, row in list(rows.items()):
                    rows[key] = {**row, step.column.name: step.column.default}
            elif isinstance(step, AddIndex) and isinstance(step.index, UniqueIndex):
                self._check_index(catalog[step.table], step.index)
            elif isinstance(step, RawSQL):
                pass  # SQL-only by definition; see RawSQL's docstring.
        self._data.versions[migration.version] = migration.name

    def _check_index(self, table: Table, index: UniqueIndex) -> None:
        seen: set[tuple[Any, ...]] = set()
        for row in self._data.tables[table.name].values():
            if index.applies_to(row):
                values = tuple(row[c] for c in index.columns)
                if values in seen:
                    raise table.duplicate(index.columns)
                seen.add(values)

    def close(self) -> None:
        """Forget everything."""
        self._closed = True
        self._data = _Data()
