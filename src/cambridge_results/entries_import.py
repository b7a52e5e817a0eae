"""Import candidates and their entries from CSV: every bad row reported by line, nothing written.

The file has a header row with these columns (order free, names exact)::

    centre,candidate_number,given_name,family_name,uci,series,syllabus,components

``uci`` may be empty; ``components`` lists component codes separated by
spaces (``12 32``).  A candidate that appears on several rows (one per
syllabus) must have the same names and UCI on each.  The series must be one
the policy has a calendar for; centres and syllabuses must already be stored
(:mod:`~cambridge_results.board_import` stores them from CSV too), and each
component must belong to its syllabus.  The whole file is checked in one
pass, against the policy and the store; if any row is bad,
:class:`ImportRejected` lists every problem with its line number and the
store is left unchanged.  Otherwise one write (``context.write``) stores
everything and records one ``entries-imported`` event per centre.
"""

from __future__ import annotations

from pathlib import Path

import attrs

from cambridge_results.context import Context
from cambridge_results.csv_rows import (
    MAX_ROWS,
    CsvRow,
    ImportRejected,
    RowProblem,
    read_rows,
    read_text,
)
from cambridge_results.errors import CambridgeResultsError, InvalidValue
from cambridge_results.principals import BoardStaff, CentreOfficer, Principal
from cambridge_results.storage.port import UnitOfWork
from cambridge_results.values import Candidate, Entry

__all__ = [
    "COLUMNS",
    "MAX_ROWS",
    "ImportRejected",
    "ImportReport",
    "RowProblem",
    "import_entries",
    "import_entries_file",
]

COLUMNS = (
    "centre",
    "candidate_number",
    "given_name",
    "family_name",
    "uci",
    "series",
    "syllabus",
    "components",
)

_Parsed = tuple[int, Candidate, Entry]


@attrs.frozen(kw_only=True)
class ImportReport:
    """What an import wrote."""

    candidates_added: int
    entries_added: int


def _values(row: CsvRow) -> tuple[Candidate, Entry]:
    candidate = Candidate(
        centre=row["centre"],
        number=row["candidate_number"],
        given_name=row["given_name"],
        family_name=row["family_name"],
        uci=row["uci"] or None,
    )
    entry = Entry(
        centre=row["centre"],
        series=row["series"],
        candidate=row["candidate_number"],
        syllabus=row["syllabus"],
        components=tuple(row["components"].split()),
    )
    return candidate, entry


def _may_import(principal: Principal, candidate: Candidate) -> str | None:
    if isinstance(principal, BoardStaff):
        return None
    if isinstance(principal, CentreOfficer) and principal.centre == candidate.centre:
        return None
    return f"{principal} may not import entries for centre {candidate.centre}"


def _parse(
    context: Context, text: str, principal: Principal
) -> tuple[list[_Parsed], list[RowProblem]]:
    """The rows as values, and every problem the file, the policy and the principal show."""
    rows, problems = read_rows(text, COLUMNS)
    parsed: list[_Parsed] = []
    seen: dict[tuple[str, str], tuple[int, Candidate]] = {}
    entry_lines: dict[tuple[str, str, str, str], int] = {}
    for row in rows:
        line = row.line
        try:
            candidate, entry = _values(row)
            context.policy.calendar(entry.series)  # UnknownSeries for a series it does not know
        except CambridgeResultsError as exc:
            problems.append(RowProblem(line=line, message=str(exc)))
            continue
        if (why := _may_import(principal, candidate)) is not None:
            problems.append(RowProblem(line=line, message=why))
        key = (str(candidate.centre), str(candidate.number))
        if key in seen and seen[key][1] != candidate:
            problems.append(
                RowProblem(
                    line=line,
                    message=f"candidate {candidate.number} differs from line {seen[key][0]}",
                )
            )
        seen.setdefault(key, (line, candidate))
        ekey = (*key, entry.series.code, str(entry.syllabus))
        if ekey in entry_lines:
            problems.append(
                RowProblem(line=line, message=f"same entry as line {entry_lines[ekey]}")
            )
        entry_lines.setdefault(ekey, line)
        parsed.append((line, candidate, entry))
    return parsed, problems


def _stored_problems(uow: UnitOfWork, parsed: list[_Parsed]) -> list[RowProblem]:
    """What the store says about each row: centre, syllabus, components, stored candidate."""
    problems: list[RowProblem] = []
    for line, candidate, entry in parsed:
        found: list[str] = []
        if uow.centres.find(candidate.centre) is None:
            found.append(f"no centre {candidate.centre} is stored")
        syllabus = uow.syllabuses.find(entry.syllabus)
        if syllabus is None:
            found.append(f"no syllabus {entry.syllabus} is stored")
        else:
            codes = {c.code for c in syllabus.components}
            unknown = [str(c) for c in entry.components if c not in codes]
            if unknown:
                found.append(f"syllabus {entry.syllabus} has no component {', '.join(unknown)}")
        stored = uow.candidates.find(candidate.centre, candidate.number)
        if stored is not None and stored != candidate:
            found.append(f"candidate {candidate.number} is stored with other details")
        problems.extend(RowProblem(line=line, message=m) for m in found)
    return problems


def import_entries_file(
    context: Context, path: str | Path, *, principal: Principal
) -> ImportReport:
    """Import a UTF-8 CSV file (a byte-order mark is allowed); see :func:`import_entries`."""
    return import_entries(context, read_text(path), principal=principal)


def import_entries(context: Context, text: str, *, principal: Principal) -> ImportReport:
    """Import CSV text through ``context.write``.  Raises :class:`ImportRejected` listing
    every bad row (of the file, against the policy and against the store); then nothing
    is written.
    """
    if not isinstance(context, Context):
        raise InvalidValue("context", f"must be a Context, not {type(context).__name__}")
    if not isinstance(principal, BoardStaff | CentreOfficer):
        raise InvalidValue("principal", "only a centre or the board's staff may import entries")
    parsed, problems = _parse(context, text, principal)
    now = context.now()

    def work(uow: UnitOfWork) -> int:
        found = problems + _stored_problems(uow, parsed)
        if found:
            # Raising inside the unit of work rolls back; nothing was written anyway.
            raise ImportRejected(found)
        added = 0
        for _, candidate, entry in parsed:
            if uow.candidates.find(candidate.centre, candidate.number) is None:
                uow.candidates.add(candidate)
                added += 1
            uow.entries.add(entry)
        for centre in sorted({str(c.centre) for _, c, _ in parsed}):
            uow.events.append(
                at=now,
                kind="entries-imported",
                subject=f"centre:{centre}",
                details={"rows": sum(1 for _, c, _ in parsed if str(c.centre) == centre)},
            )
        return added

    added_candidates = context.write(work, actor=str(principal))
    return ImportReport(candidates_added=added_candidates, entries_added=len(parsed))
