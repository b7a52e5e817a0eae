"""The primitives a storage backend implements, each given checked arguments.

:class:`Primitives` declares them once, with a default for those that can be
made of others (the batched ones one by one, ``insert_if_absent`` from
``insert``).  :class:`~cambridge_results.storage.transaction.Transaction`
checks every public call's arguments against the catalog and hands them
on: a backend sees only canonical values of known columns.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Protocol

from cambridge_results.errors import DuplicateError
from cambridge_results.storage.later import Later
from cambridge_results.storage.query import Order, Where, check_order
from cambridge_results.storage.schema import Row, Table

__all__ = ["Prepared", "Primitives"]


class Prepared(Protocol):
    """A backend's select prepared for one shape (:meth:`Primitives._prepare_select`)."""

    def bind(self, where: Mapping[str, object] | None, limit: int | None) -> list[Any] | None:
        """The parameters of a read of this shape, or ``None`` to send it the general way."""
        ...


class Primitives(abc.ABC):
    """What a backend's unit of work implements: row operations on checked arguments.

    Each receives a :class:`~.schema.Table` of the catalog and values already
    canonical (:meth:`~.schema.Table.check_row`, :func:`~.query.check_where`).
    """

    @abc.abstractmethod
    def _insert(self, table: Table, row: Row) -> Row:
        """Insert a checked full row (auto column absent); return the stored row."""

    def _insert_if_absent(self, table: Table, row: Row) -> Row | None:
        """Insert a checked row unless its key or a unique value is taken; else None.

        This default suits a backend whose failed insert leaves the unit of
        work usable; the built-in backends do it in one statement.
        """
        try:
            return self._insert(table, row)
        except DuplicateError:
            return None

    def _insert_later(self, table: Table, row: Row) -> None:
        """Insert a checked row now or with the next statement; by default now."""
        self._insert(table, row)

    def _insert_if_absent_later(self, table: Table, row: Row) -> Later[Row | None]:
        """:meth:`_insert_if_absent` now or with the next statement; by default now."""
        return Later.known(self._insert_if_absent(table, row))

    @abc.abstractmethod
    def _get(self, table: Table, key: Row, *, for_update: bool) -> Row | None:
        """The row with the checked key, or None."""

    @abc.abstractmethod
    def _update(self, table: Table, key: Row, changes: Row, expect: Row) -> bool:
        """Apply checked changes if the row exists and matches ``expect``."""

    def _update_many(self, updates: Sequence[tuple[Table, Row, Row, Row]]) -> list[bool]:
        """Checked updates (table, key, changes, expect); by default one by one."""
        return [self._update(*u) for u in updates]

    def _update_where(
        self, table: Table, where: Where, changes: Row, copies: Mapping[str, str]
    ) -> int:
        """Apply checked changes and copies (each from the row's value before) to every
        matching row; how many matched.  Refuse an append-only table's matching rows.

        By default a :meth:`_select` and an :meth:`_update` per row, by key; the
        built-in backends do it in one statement.
        """
        rows = self._select(table, where, check_order(table, ()), None)
        for row in rows:
            key = {name: row[name] for name in table.primary_key}
            copied = {to: row[origin] for to, origin in copies.items()}
            self._update(table, key, {**changes, **copied}, {})
        return len(rows)

    @abc.abstractmethod
    def _delete(self, table: Table, key: Row) -> bool:
        """Delete by checked key; whether a row was deleted."""

    @abc.abstractmethod
    def _select(self, table: Table, where: Where, order: Order, limit: int | None) -> list[Row]:
        """Matching rows in the (total) order."""

    def _select_many(
        self, selects: Sequence[tuple[Table, Where, Order, int | None]]
    ) -> list[list[Row]]:
        """Checked selects' rows, in order; by default one after another."""
        return [self._select(*s) for s in selects]

    def _send_many(self, writes: Sequence[tuple[Table, Row, bool]]) -> None:
        """Checked writes whose answer is not waited for; by default :meth:`_write_many`."""
        self._write_many(writes)

    def _write_many(self, writes: Sequence[tuple[Table, Row, bool]]) -> list[Row | bool]:
        """Checked writes (table, row or key, whether an insert); by default one by one."""
        return [
            self._insert(t, values) if is_insert else self._delete(t, values)
            for t, values, is_insert in writes
        ]

    def _prepare_select(
        self, table: Table, where: Where, order: Order, limit: int | None
    ) -> Prepared | None:
        """The select of a checked read's shape prepared for reads like it, or ``None``.

        Called only where the unit's ``_prepared`` is a dict (a backend that
        prepares selects); the default prepares none.
        """
        return None

    def _select_prepared(self, bound: Sequence[tuple[Prepared, list[Any]]]) -> list[list[Row]]:
        """The rows of each prepared select with its parameters, in order."""
        raise NotImplementedError(f"{type(self).__name__} prepares no selects")

    @abc.abstractmethod
    def _count(self, table: Table, where: Where) -> int:
        """The number of matching rows."""

    @abc.abstractmethod
    def _increment(self, table: Table, key: Row, column: str, by: int) -> int | None:
        """Atomically add ``by``; the new value, or None if there is no such row.

        Raise :class:`InvalidValue` (and change nothing) if the result would
        leave the 64-bit range.
        """

    @abc.abstractmethod
    def _next_number(self, name: str) -> int:
        """The next value of the named sequence."""

    def _bump(self, name: str) -> None:
        """Take the next value of the named sequence now or with the next statement."""
        self._next_number(name)

    @abc.abstractmethod
    def _stream(self, table: Table, where: Where, order: Order, batch_size: int) -> Iterator[Row]:
        """Matching rows in order, fetched in batches."""

    @abc.abstractmethod
    def _savepoint(self, name: str) -> None:
        """Mark the current state under ``name`` (a fresh, lower-case SQL identifier)."""

    @abc.abstractmethod
    def _release(self, name: str) -> None:
        """Forget the savepoint ``name`` (and any later ones), keeping every write since."""

    @abc.abstractmethod
    def _rollback_to(self, name: str) -> None:
        """Undo every write since the savepoint ``name`` was made, and forget it."""

    @abc.abstractmethod
    def _commit(self) -> None:
        """Make every write of this unit of work durable."""

    @abc.abstractmethod
    def _rollback(self) -> None:
        """Undo every write of this unit of work."""
