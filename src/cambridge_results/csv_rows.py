"""Reading a CSV file for an import: every bad row reported by line, as typed errors.

The imports (:mod:`~cambridge_results.entries_import`,
:mod:`~cambridge_results.board_import`) read their files with
:func:`read_rows`, collect a :class:`RowProblem` for every bad row and, if
there is any, raise one :class:`ImportRejected` listing them all, so a
file's problems are all reported in one run and nothing is written.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

import attrs

from cambridge_results.errors import CambridgeResultsError, InvalidValue

__all__ = ["MAX_ROWS", "CsvRow", "ImportRejected", "RowProblem", "read_rows", "read_text"]

#: The most data rows one file may have.
MAX_ROWS = 200_000


@attrs.frozen(kw_only=True)
class RowProblem:
    """One problem found in the file: the line number (1 is the header) and what is wrong."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class ImportRejected(CambridgeResultsError):
    """The file had problems; nothing was written.  ``problems`` lists them all."""

    def __init__(self, problems: Iterable[RowProblem]) -> None:
        self.problems = tuple(sorted(problems, key=lambda p: p.line))
        shown = "\n".join(str(p) for p in self.problems[:50])
        more = len(self.problems) - 50
        tail = f"\n... and {more} more" if more > 0 else ""
        super().__init__(f"{len(self.problems)} problem(s); nothing was imported:\n{shown}{tail}")


@attrs.frozen(kw_only=True)
class CsvRow:
    """One data row: its line number and its fields by column name (optional ones ``""``)."""

    line: int
    fields: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.fields[column]


def read_text(path: str | Path) -> str:
    """A UTF-8 file's text (a byte-order mark is allowed); :class:`ImportRejected` naming
    the path if it cannot be read."""
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ImportRejected([RowProblem(line=0, message=f"cannot read {path}: {exc}")]) from exc


def _header_problem(header: Sequence[str], required: Sequence[str], optional: Sequence[str]) -> str:
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c not in (*required, *optional)]
    doubled = sorted({c for c in header if header.count(c) > 1})
    parts = []
    if missing:
        parts.append(f"missing columns {', '.join(missing)}")
    if unknown:
        parts.append(f"unknown columns {', '.join(unknown)}")
    if doubled:
        parts.append(f"repeated columns {', '.join(doubled)}")
    return "; ".join(parts)


def read_rows(
    text: str, required: Sequence[str], optional: Sequence[str] = ()
) -> tuple[list[CsvRow], list[RowProblem]]:
    """The rows of CSV ``text`` whose header has every ``required`` column (and perhaps
    some ``optional`` ones, ``""`` when absent), and the problems of the rest."""
    if not isinstance(text, str):
        raise InvalidValue("text", f"must be CSV text, not {type(text).__name__}")
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        header = list(reader.fieldnames or [])
    except csv.Error as exc:
        # The header itself is bad CSV (an unterminated quote): the same report as any row.
        return [], [RowProblem(line=max(reader.line_num, 1), message=f"not valid CSV: {exc}")]
    if problem := _header_problem(header, required, optional):
        return [], [RowProblem(line=1, message=problem)]
    rows: list[CsvRow] = []
    problems: list[RowProblem] = []
    try:
        for row in reader:
            line = reader.line_num
            if len(rows) + len(problems) >= MAX_ROWS:
                problems.append(RowProblem(line=line, message=f"more than {MAX_ROWS} rows"))
                break
            if None in row or any(v is None for v in row.values()):
                problems.append(RowProblem(line=line, message="wrong number of fields"))
                continue
            fields = dict.fromkeys(optional, "") | {k: v for k, v in row.items() if k is not None}
            rows.append(CsvRow(line=line, fields=fields))
    except csv.Error as exc:
        problems.append(RowProblem(line=reader.line_num, message=f"not valid CSV: {exc}"))
    return rows, problems
