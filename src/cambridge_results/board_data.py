"""``BoardData``: setting a board up from CSV, as one application object (``board.data``).

The board's staff add Associates, centres and syllabuses
(:func:`~cambridge_results.board_import.import_board_rows`); the board's
staff or a centre's officer import candidates and their entries
(:func:`~cambridge_results.entries_import.import_entries`).  Each import
checks every row first and reports every bad one in one
:class:`~cambridge_results.csv_rows.ImportRejected`, writing nothing then;
a clean file is written in one unit of work through ``context.write``.
"""

from __future__ import annotations

from pathlib import Path

from cambridge_results.board_import import KINDS, import_board_file, import_board_rows
from cambridge_results.context import Context
from cambridge_results.entries_import import ImportReport, import_entries, import_entries_file
from cambridge_results.errors import InvalidValue
from cambridge_results.principals import Principal

__all__ = ["KINDS", "BoardData"]


class BoardData:
    """Board set-up and entries from CSV text or files, over one :class:`Context`."""

    def __init__(self, context: Context) -> None:
        if not isinstance(context, Context):
            raise InvalidValue("context", f"must be a Context, not {type(context).__name__}")
        self.context = context

    def import_rows(self, principal: Principal, kind: str, text: str) -> int:
        """Store the ``kind`` rows (``associates``, ``centres``, ``syllabuses``) of CSV text."""
        return import_board_rows(self.context, kind, text, principal=principal)

    def import_rows_file(self, principal: Principal, kind: str, path: str | Path) -> int:
        """:meth:`import_rows` from a UTF-8 CSV file."""
        return import_board_file(self.context, kind, path, principal=principal)

    def import_entries(self, principal: Principal, text: str) -> ImportReport:
        """Add the candidates and entries of CSV text (the centre's own, or any for staff)."""
        return import_entries(self.context, text, principal=principal)

    def import_entries_file(self, principal: Principal, path: str | Path) -> ImportReport:
        """:meth:`import_entries` from a UTF-8 CSV file."""
        return import_entries_file(self.context, path, principal=principal)
