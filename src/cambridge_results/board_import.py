"""Set up a board from CSV: Associates, centres and syllabuses (candidates and entries:
:mod:`~cambridge_results.entries_import`).  Staff only; every bad row reported, nothing written.

Each file has a header row; columns are named exactly, in any order, and an
optional column may be left out or left empty.

* **Associates** (ASC-01): ``number,name`` and optional
  ``contact_name,phone,email`` (the Associate's default contact, ASC-05).
* **Centres**: ``number,name`` and optional ``associate`` (the Associate's
  number, for an Associate Centre; the Associate must be stored first) and
  ``contact_name,phone,email``.
* **Syllabuses**: one row per component:
  ``syllabus,name,qualification,component,component_name,assessed_by``
  (``board`` or ``centre``) and optional ``art_and_design,multiple_choice``
  (``yes``/``no``), ``max_mark`` (default 100) and ``tolerance`` (default 0).
  A syllabus's rows must agree on its name, qualification and
  ``art_and_design``.

Like the entries import, the whole file is checked (each row, then against
the store: a number already stored, an Associate not stored) and if any row
is bad :class:`~cambridge_results.csv_rows.ImportRejected` lists every
problem by line and nothing is written.  Otherwise one ``context.write``
stores every row and one ``board-set-up`` event.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from cambridge_results.context import Context
from cambridge_results.csv_rows import CsvRow, ImportRejected, RowProblem, read_rows, read_text
from cambridge_results.errors import CambridgeResultsError, InvalidValue
from cambridge_results.principals import BoardStaff, Principal
from cambridge_results.storage.port import UnitOfWork
from cambridge_results.values import Associate, Centre, ContactDetails, Syllabus
from cambridge_results.values.exams import AssessedBy, Component

__all__ = ["KINDS", "import_board_file", "import_board_rows"]

_CONTACT = ("contact_name", "phone", "email")
_COMPONENT = ("art_and_design", "multiple_choice", "max_mark", "tolerance")
_SYLLABUS = ("syllabus", "name", "qualification", "component", "component_name", "assessed_by")


def _contact(row: CsvRow) -> ContactDetails | None:
    if not any(row[c] for c in _CONTACT):
        return None
    return ContactDetails(
        name=row["contact_name"], phone=row["phone"] or None, email=row["email"] or None
    )


def _flag(row: CsvRow, column: str) -> bool:
    text = row[column].strip().lower()
    if text in ("", "no", "n", "false", "0"):
        return False
    if text in ("yes", "y", "true", "1"):
        return True
    raise InvalidValue(column, f"{row[column]!r} is not yes or no")


def _number(row: CsvRow, column: str, default: int) -> int:
    text = row[column].strip()
    if not text:
        return default
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        raise InvalidValue(column, f"{row[column]!r} is not a whole number")
    return int(text)


def _associate(group: Sequence[CsvRow]) -> Associate:
    (r,) = group
    return Associate(number=r["number"], name=r["name"], contact=_contact(r))


def _centre(group: Sequence[CsvRow]) -> Centre:
    (r,) = group
    return Centre(
        number=r["number"], name=r["name"], associate=r["associate"] or None, contact=_contact(r)
    )


def _component(row: CsvRow) -> Component:
    try:
        assessed_by = AssessedBy(row["assessed_by"].strip().lower())
    except ValueError:
        why = f"{row['assessed_by']!r} is not board or centre"
        raise InvalidValue("assessed_by", why) from None
    return Component(
        code=row["component"],
        name=row["component_name"],
        assessed_by=assessed_by,
        multiple_choice=_flag(row, "multiple_choice"),
        max_mark=_number(row, "max_mark", 100),
        tolerance=_number(row, "tolerance", 0),
    )


class _RowError(Exception):
    """A problem with a row other than the first of its group (where it would be reported)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def _syllabus(group: Sequence[CsvRow]) -> Syllabus:
    first = group[0]
    components = []
    for row in group:
        for column in ("name", "qualification", "art_and_design"):
            if row[column] != first[column]:
                raise _RowError(row.line, f"{column} differs from line {first.line}")
        try:
            components.append(_component(row))
        except CambridgeResultsError as exc:
            raise _RowError(row.line, str(exc)) from exc
    return Syllabus(
        code=first["syllabus"],
        name=first["name"],
        qualification=first["qualification"],
        art_and_design=_flag(first, "art_and_design"),
        components=components,
    )


#: The columns of each kind of file: (required, optional).
KINDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "associates": (("number", "name"), _CONTACT),
    "centres": (("number", "name"), ("associate", *_CONTACT)),
    "syllabuses": (_SYLLABUS, _COMPONENT),
}
_BUILD: dict[str, Callable[[Sequence[CsvRow]], Any]] = {
    "associates": _associate,
    "centres": _centre,
    "syllabuses": _syllabus,
}


def _groups(kind: str, rows: list[CsvRow]) -> list[list[CsvRow]]:
    """The rows that make one value: a syllabus's rows together, otherwise one row each."""
    if kind != "syllabuses":
        return [[row] for row in rows]
    groups: dict[str, list[CsvRow]] = {}
    for row in rows:
        groups.setdefault(row["syllabus"].strip(), []).append(row)
    return list(groups.values())


def _values(kind: str, rows: list[CsvRow], problems: list[RowProblem]) -> list[tuple[int, Any]]:
    """The values the rows make, each with its first line; every bad one a problem."""
    values: list[tuple[int, Any]] = []
    for group in _groups(kind, rows):
        try:
            values.append((group[0].line, _BUILD[kind](group)))
        except _RowError as exc:
            problems.append(RowProblem(line=exc.line, message=str(exc)))
        except CambridgeResultsError as exc:
            problems.append(RowProblem(line=group[0].line, message=str(exc)))
    return values


def import_board_rows(context: Context, kind: str, text: str, *, principal: Principal) -> int:
    """Store the Associates, centres or syllabuses (``kind``) of CSV ``text``; how many.

    :class:`~cambridge_results.csv_rows.ImportRejected` lists every bad row;
    then nothing is written.  Only the board's staff may set a board up.
    """
    if not isinstance(context, Context):
        raise InvalidValue("context", f"must be a Context, not {type(context).__name__}")
    if not isinstance(kind, str) or kind not in KINDS:
        raise InvalidValue("kind", f"must be one of {', '.join(KINDS)}")
    if not isinstance(principal, BoardStaff):
        raise InvalidValue("principal", "only the board's staff may set up a board")
    required, optional = KINDS[kind]
    rows, problems = read_rows(text, required, optional)
    values = _values(kind, rows, problems)
    now = context.now()

    def work(uow: UnitOfWork) -> int:
        found = list(problems)
        repository = getattr(uow, kind)
        for line, value in values:
            try:
                repository.add(value)
            except CambridgeResultsError as exc:
                found.append(RowProblem(line=line, message=str(exc)))
        if found:
            # Raising inside the unit of work rolls back every row added above.
            raise ImportRejected(found)
        uow.events.append(
            at=now, kind="board-set-up", subject=f"board:{kind}", details={"rows": len(values)}
        )
        return len(values)

    return context.write(work, actor=str(principal))


def import_board_file(
    context: Context, kind: str, path: str | Path, *, principal: Principal
) -> int:
    """:func:`import_board_rows` from a UTF-8 CSV file (a byte-order mark is allowed)."""
    return import_board_rows(context, kind, read_text(path), principal=principal)
