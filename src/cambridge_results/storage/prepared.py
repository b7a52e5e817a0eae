"""Selects prepared once per shape: what a SQL backend runs for the reads it sees again.

A unit of work's reads come in a few shapes (a table, the columns its
``where`` names, an order, whether limited), each run over and over with new
values.  The general path checks every value into a condition
(:func:`~.query.check_where`), then finds the shape of those conditions,
then the statement text of that shape, then encodes the values, then looks
up the table's row decoders: four look-ups and an object per value, each
time.  A :class:`PreparedSelect` holds all of that for one shape, built once
from the general path's own checked arguments; a read of that shape then
only checks that each value is a plain canonical value of its column (the
general path's own fast tests) and binds it.  Any value it does not take
whole (``None``, a condition, an ``In`` of another length, text with a NUL)
goes the general path, which checks, words its refusals and runs the read
as it always has: the prepared path never refuses anything itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from cambridge_results.storage import sql
from cambridge_results.storage.query import Eq, In, Order, Where
from cambridge_results.storage.schema import INT_MAX, INT_MIN, ColumnType, Row, Table
from cambridge_results.storage.statement_shapes import Codec, Encoder, row_decoders, shape_of

__all__ = ["PreparedSelect", "prepare_select"]

_TEXT = ColumnType.TEXT
_INT = ColumnType.INT
_BOOL = ColumnType.BOOL
_PLAIN = (_TEXT, _INT, _BOOL)


class PreparedSelect:
    """One select shape of one table in one dialect: its text, parameter checks and decoder.

    ``checks`` has one entry per column of the ``where``, in its order: the
    column's type for an equality (text, int or bool), or how many text
    values its ``In`` holds.
    """

    __slots__ = ("checks", "coded", "encoder", "limited", "names", "table", "text")

    def __init__(
        self,
        table: Table,
        checks: tuple[ColumnType | int, ...],
        text: str,
        codecs: Sequence[Codec | None],
        limited: bool,
        decoders: tuple[tuple[str, ...], tuple[tuple[int, str, Codec], ...]],
    ) -> None:
        self.table = table
        self.checks = checks
        self.text = text
        self.encoder = Encoder(codecs)
        self.limited = limited
        self.names, self.coded = decoders

    def bind(self, where: Mapping[str, object] | None, limit: int | None) -> list[Any] | None:
        """The encoded parameters for ``where`` (whose columns are this shape's, in order)
        and ``limit``, or ``None`` when a value is not one this shape takes as it is."""
        params: list[Any] = []
        if where:
            for check, raw in zip(self.checks, where.values(), strict=True):
                # check_where's and canonical_value's own first tests, in the same order.
                if check is _TEXT:
                    if type(raw) is not str or "\x00" in raw:
                        return None
                elif check is _INT:
                    if type(raw) is not int or not INT_MIN <= raw <= INT_MAX:
                        return None
                elif check is _BOOL:
                    if type(raw) is not bool:
                        return None
                else:
                    if type(raw) is not In or len(raw.values) != check:
                        return None
                    for v in raw.values:
                        if type(v) is not str or "\x00" in v:
                            return None
                    params += raw.values
                    continue
                params.append(raw)
        if self.limited:
            params.append(limit)
        return self.encoder(params)

    def rows(self, raws: Iterable[Sequence[Any]]) -> list[Row]:
        """The driver's rows as canonical rows (:func:`.sql.decode_rows`)."""
        return sql.decoded(self.table.name, self.names, self.coded, raws)


def prepare_select(
    d: sql.Dialect, table: Table, where: Where, order: Order, limit: int | None
) -> PreparedSelect | None:
    """The prepared select of a checked read's shape, or ``None`` for a shape it does not
    cover (a condition other than an equality of text, int or bool, or an ``In`` of text)."""
    checks: list[ColumnType | int] = []
    by_name = table.columns_by_name
    for name, condition in where.items():
        kind = by_name[name].type
        if type(condition) is Eq and condition.value is not None and kind in _PLAIN:
            checks.append(kind)
        elif type(condition) is In and condition.values and kind is _TEXT:
            checks.append(len(condition.values))
        else:
            return None
    limited = limit is not None
    text, codecs = sql.select_text(d, table, shape_of(where), order, limited)
    return PreparedSelect(table, tuple(checks), text, codecs, limited, row_decoders(d, table))
