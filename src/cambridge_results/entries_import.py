"""Import candidates and their entries from CSV: every bad row reported by line, nothing written.

The file has a header row with these columns (order free, names exact)::

    centre,candidate_number,given_name,family_name,uci,series,syllabus,components

``uci`` may be empty; ``components`` lists component codes separated by
spaces (``12 32``).  A candidate that appears on several rows (one per
syllabus) must have the same names and UCI on each.  Centres and syllabuses
must already be stored.  The whole file is checked first; if any row is bad,
:class:`ImportRejected` lists every problem with its line number and the
store is left unchanged.  Otherwise one write (``context.write``) stores everything and
records one ``entries-imported`` event per centre.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

import attrs

from cambridge_results.context import Context
from cambridge_results.errors import CambridgeResultsError, InvalidValue
from cambridge_results.principals import BoardStaff, CentreOfficer, Principal
from cambridge_results.storage.port import UnitOfWork
from cambridge_results.values import Candidate, Entry

__all__ = [
    "COLUMNS",
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
        self.problems = tuple(problems)
        shown = "\n".join(str(p) for p in self.problems[:50])
        more = len(self.problems) - 50
        tail = f"\n... and {more} more" if more > 0 else ""
        super().__init__(f"{len(self.problems)} problem(s); nothing was imported:\n{shown}{tail}")


@attrs.frozen(kw_only=True)
class ImportReport:
    """What an import wrote."""

    candidates_added: int
    entries_added: int


def _parse(text: str) -> tuple[list[tuple[int, Candidate, Entry]], list[RowProblem]]:
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    problems: list[RowProblem] = []
    try:
        header = reader.fieldnames or []
    except csv.Error as exc:
        # The header itself is bad CSV (an unterminated quote): the same report as any row.
        return [], [RowProblem(line=max(reader.line_num, 1), message=f"not valid CSV: {exc}")]
    missing = [c for c in COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"missing columns {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown columns {', '.join(unknown)}")
        return [], [RowProblem(line=1, message="; ".join(parts))]
    parsed: list[tuple[int, Candidate, Entry]] = []
    try:
        for row in reader:
            line = reader.line_num
            if len(parsed) + len(problems) >= MAX_ROWS:
                problems.append(RowProblem(line=line, message=f"more than {MAX_ROWS} rows"))
                break
            if None in row or any(v is None for v in row.values()):
                problems.append(RowProblem(line=line, message="wrong number of fields"))
                continue
            try:
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
                    components=tuple(row["components"].split(" ")) if row["components"] else (),
                )
            except InvalidValue as exc:
                problems.append(RowProblem(line=line, message=str(exc)))
                continue
            parsed.append((line, candidate, entry))
    except csv.Error as exc:
        problems.append(RowProblem(line=reader.line_num, message=f"not valid CSV: {exc}"))
    return parsed, problems


def _may_import(principal: Principal, candidate: Candidate) -> str | None:
    if isinstance(principal, BoardStaff):
        return None
    if isinstance(principal, CentreOfficer) and principal.centre == candidate.centre:
        return None
    return f"{principal} may not import entries for centre {candidate.centre}"


def import_entries_file(
    context: Context, path: str | Path, *, principal: Principal
) -> ImportReport:
    """Import a UTF-8 CSV file (a byte-order mark is allowed); see :func:`import_entries`."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportRejected([RowProblem(line=0, message=f"cannot read {path}: {exc}")]) from exc
    return import_entries(context, text, principal=principal)


def import_entries(context: Context, text: str, *, principal: Principal) -> ImportReport:
    """Import CSV text through ``context.write``.  Raises :class:`ImportRejected` listing
    every bad row; then nothing is written.
    """
    if not isinstance(text, str):
        raise InvalidValue("text", f"must be CSV text, not {type(text).__name__}")
    parsed, problems = _parse(text)
    seen: dict[tuple[str, str], tuple[int, Candidate]] = {}
    entry_lines: dict[tuple[str, str, str, str], int] = {}
    for line, candidate, entry in parsed:
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
    if problems:
        raise ImportRejected(sorted(problems, key=lambda p: p.line))

    now = context.now()

    def work(uow: UnitOfWork) -> int:
        added = 0
        found: list[RowProblem] = []
        for line, candidate, entry in parsed:
            try:
                if uow.centres.find(candidate.centre) is None:
                    raise InvalidValue("centre", f"no centre {candidate.centre} is stored")
                if uow.syllabuses.find(entry.syllabus) is None:
                    raise InvalidValue("syllabus", f"no syllabus {entry.syllabus} is stored")
                stored = uow.candidates.find(candidate.centre, candidate.number)
                if stored is None:
                    uow.candidates.add(candidate)
                    added += 1
                elif stored != candidate:
                    raise InvalidValue(
                        "candidate", f"candidate {candidate.number} is stored with other details"
                    )
                uow.entries.add(entry)
            except CambridgeResultsError as exc:
                found.append(RowProblem(line=line, message=str(exc)))
        if found:
            # Raising inside the unit of work rolls back everything written so far.
            raise ImportRejected(found)
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
