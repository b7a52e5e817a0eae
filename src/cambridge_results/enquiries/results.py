"""What the board holds about results, read by the eligibility rules (EAR-01..05, 19, 23)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import attrs

from cambridge_results.enquiries import tables as t
from cambridge_results.enquiries._rows import as_dict, group_texts, require
from cambridge_results.errors import InvalidValue, NotFound
from cambridge_results.serialization import structure, unstructure
from cambridge_results.storage.keys import centre_key, series_key, syllabus_key
from cambridge_results.storage.query import In, Select
from cambridge_results.storage.repositories import EntryRepository, reference_value
from cambridge_results.storage.schema import Row, value_of
from cambridge_results.values import (
    CandidateNumber,
    CentreNumber,
    Entry,
    EntryStatus,
    ExamSeries,
    Mark,
    Qualification,
    Route,
    Syllabus,
    SyllabusCode,
)
from cambridge_results.values.enquiry import Enquiry
from cambridge_results.values.enquiry_facts import CandidateResults, ModerationSample, SyllabusFacts
from cambridge_results.values.outcome import Outcome

if TYPE_CHECKING:
    from cambridge_results.storage.port import UnitOfWork

__all__ = ["FactsRead", "ResultsRepository"]

#: The foundation's table of entries (``uow.entries``), read here with the marks.
ENTRIES = EntryRepository.table
#: The qualification of each syllabus when this process last read it: a guess that
#: lets the qualification be read along with the syllabus, checked against it.
_QUALIFICATION_OF: dict[str, str] = {}
_GUESSES = 4096


@attrs.frozen(kw_only=True)
class FactsRead:
    """The first batch of reads of :meth:`ResultsRepository.facts`, and what it was asked."""

    reads: tuple[Select, ...]
    centre: CentreNumber | str
    series: ExamSeries | str
    code: SyllabusCode
    #: The candidates named (as parsed), or ``None`` for every entered one.
    named: tuple[CandidateNumber, ...] | None
    samples: bool
    #: The qualification guessed to be the syllabus's (read along), if any.
    guess: str | None


class ResultsRepository:
    """What the board holds about results, read by the eligibility rules (EAR-01..05, 19).

    Qualifications, each entry's component marks and syllabus grade, and the
    original moderation samples.  Entries themselves live in the
    foundation's ``entries`` table (``uow.entries``).
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def add_qualification(self, qualification: Qualification) -> None:
        """Store a qualification; :class:`DuplicateError` if the code is taken."""
        require(qualification, Qualification, "qualification")
        # The retired column on_results_website (LOG-08 reads the policy now) stays in
        # the shipped migration 4; it is filled and never read.
        self._uow.insert(t.QUALIFICATIONS, {**as_dict(qualification), "on_results_website": True})

    def qualification(self, code: str) -> Qualification:
        """The qualification; :class:`NotFound` if it was never stored."""
        return _qualification(self._uow.get(t.QUALIFICATIONS, code), code)

    def put(self, results: CandidateResults) -> None:
        """Store (or replace) a candidate's marks and grade for an entry.

        The entry is stored too if it is not yet; one stored with other
        details is an :class:`InvalidValue`.
        """
        require(results, CandidateResults, "results")
        entry = results.entry
        stored = self._uow.entries.find(entry.centre, entry.series, entry.candidate, entry.syllabus)
        if stored is None:
            self._uow.entries.add(entry)
        elif stored != entry:
            raise InvalidValue("results.entry", "differs from the stored entry")
        key = (str(entry.centre), entry.series.code, str(entry.candidate), str(entry.syllabus))
        row = {
            "marks": unstructure(results.marks),
            "grade": None if results.grade is None else str(results.grade),
        }
        if not self._uow.update(t.MARKS, key, row):
            self._uow.insert(
                t.MARKS,
                dict(zip(("centre", "series", "candidate", "syllabus"), key, strict=True)) | row,
            )

    def find(
        self,
        centre: CentreNumber | str,
        series: ExamSeries | str,
        candidate: CandidateNumber | str,
        syllabus: SyllabusCode | str,
    ) -> CandidateResults | None:
        """A candidate's entry with marks and grade, or ``None`` without an entry."""
        code = SyllabusCode.parse(syllabus)
        found = self._results(centre, series, code, [CandidateNumber.parse(candidate)])
        return found[0] if found else None

    def put_sample(
        self,
        centre: CentreNumber | str,
        series: ExamSeries | str,
        syllabus: SyllabusCode | str,
        sample: ModerationSample,
    ) -> None:
        """Store (or replace) the original moderation sample of a component (EAR-01)."""
        require(sample, ModerationSample, "sample")
        key = (
            centre_key(centre),
            series_key(series),
            syllabus_key(syllabus),
            str(sample.component),
        )
        candidates: Row = {"candidates": [str(c) for c in sample.candidates]}
        if not self._uow.update(t.SAMPLES, key, candidates):
            names = ("centre", "series", "syllabus", "component")
            self._uow.insert(t.SAMPLES, {**dict(zip(names, key, strict=True)), **candidates})

    def samples(
        self, centre: CentreNumber | str, series: ExamSeries | str, syllabus: SyllabusCode | str
    ) -> list[ModerationSample]:
        """The moderation samples of a syllabus at a centre, by component."""
        (rows,) = self._uow.select_many([_samples_read(_group(centre, series, syllabus))])
        return [_sample(r) for r in rows]

    def facts(
        self,
        centre: CentreNumber | str,
        series: ExamSeries | str,
        syllabus: SyllabusCode | str,
        candidates: Iterable[CandidateNumber | str] | None = None,
    ) -> SyllabusFacts:
        """The facts the eligibility rules read about a syllabus at a centre in a series.

        With ``candidates``, results are loaded only for them and for the
        candidates of the moderation samples (all the rules look at);
        otherwise for every entered candidate.  The reads go in one batch
        (:meth:`~cambridge_results.storage.transaction.Transaction.select_many`,
        one round trip on PostgreSQL): the syllabus, its samples, the named
        candidates' results and the qualification the syllabus had when this
        process last read it; a second batch only for what the first could
        not know: the results of sample candidates not yet read, and the
        qualification if the syllabus names another one now.
        """
        read = self.facts_read(centre, series, syllabus, candidates)
        return self.facts_from(read, self._uow.select_many(read.reads))

    def facts_read(
        self,
        centre: CentreNumber | str,
        series: ExamSeries | str,
        syllabus: SyllabusCode | str,
        candidates: Iterable[CandidateNumber | str] | None = None,
        *,
        samples: bool = True,
    ) -> FactsRead:
        """The first batch of :meth:`facts`, for a caller that sends other reads with it.

        Give the rows of ``read.reads`` (in order) to :meth:`facts_from`.
        ``samples=False`` leaves the moderation samples unread (and the
        facts without them): only a whole-group service's rules read them
        (:func:`~cambridge_results.rules.enquiries.eligibility.considered_candidates`).
        """
        code = SyllabusCode.parse(syllabus)
        group = _group(centre, series, code)
        named: list[CandidateNumber] = []
        if candidates is not None:
            named = list(dict.fromkeys(CandidateNumber.parse(c) for c in candidates))
        guess = _QUALIFICATION_OF.get(code.value)
        reads = [Select(self._uow.syllabuses.table, {"code": code.value})]
        if samples:
            reads.append(_samples_read(group))
        reads += _results_reads(group, named)
        if guess is not None:
            reads.append(_qualification_read(guess))
        return FactsRead(
            reads=tuple(reads),
            centre=centre,
            series=series,
            code=code,
            named=tuple(named) if candidates is not None else None,
            samples=samples,
            guess=guess,
        )

    def facts_from(self, read: FactsRead, first: Sequence[list[Row]]) -> SyllabusFacts:
        """The facts from the rows of ``read.reads``; a second batch only if it must."""
        if not first[0]:
            raise NotFound(f"no syllabus {read.code}")
        stored = reference_value(first[0][0], Syllabus)
        if len(_QUALIFICATION_OF) >= _GUESSES:
            _QUALIFICATION_OF.clear()
        _QUALIFICATION_OF[str(read.code)] = stored.qualification
        samples = [_sample(r) for r in first[1]] if read.samples else []
        at = 2 if read.samples else 1  # where the named candidates' results are
        named = read.named or ()
        if read.named is None:
            numbers = [
                e.candidate
                for e in self._uow.entries.for_centre(read.centre, read.series)
                if e.syllabus == read.code
            ]
        else:
            seen = dict.fromkeys(named)
            for c in (c for s in samples for c in s.candidates):
                seen.setdefault(CandidateNumber.parse(c))
            numbers = list(seen)
        unread: list[CandidateNumber] = []
        if len(numbers) > len(named):  # sample candidates, or every entered one
            known = set(named)
            unread = [n for n in numbers if n not in known]
        more = _results_reads(_group(read.centre, read.series, read.code), unread) if unread else []
        guessed = at + (2 if named else 0)  # where the guessed qualification's rows are
        if read.guess == stored.qualification:
            second = self._uow.select_many(more) if more else []
            qualification_rows = first[guessed]
        else:
            second = self._uow.select_many([_qualification_read(stored.qualification), *more])
            qualification_rows = second.pop(0)
        qualification = _qualification(
            qualification_rows[0] if qualification_rows else None, stored.qualification
        )
        rows = [*first[at:guessed], *second]
        return SyllabusFacts(
            qualification=qualification,
            syllabus=stored,
            results=tuple(_combined(numbers, rows[0::2], rows[1::2])),
            moderation_samples=tuple(samples),
        )

    def _results(
        self,
        centre: CentreNumber | str,
        series: ExamSeries | str,
        syllabus: SyllabusCode,
        numbers: list[CandidateNumber],
    ) -> list[CandidateResults]:
        """The entries, marks and grades of ``numbers`` in one read of each table, in order.

        Candidates without an entry are left out.
        """
        if not numbers:
            return []
        entries, marks = self._uow.select_many(
            _results_reads(_group(centre, series, syllabus), numbers)
        )
        return _combined(numbers, [entries], [marks])

    def apply_outcome(self, enquiry: Enquiry, outcome: Outcome) -> None:
        """Keep the marks and grades after an enquiry's outcome as the board's results (EAR-23)."""
        for o in outcome.candidates:
            current = self.find(enquiry.centre, enquiry.series, o.candidate, enquiry.syllabus)
            if current is None:
                continue
            after = {r.component: r.mark_after for r in o.components}
            marks = tuple(
                attrs.evolve(m, value=after[m.component]) if m.component in after else m
                for m in current.marks
            )
            self.put(attrs.evolve(current, marks=marks, grade=o.grade_after))


def _group(
    centre: CentreNumber | str, series: ExamSeries | str, syllabus: SyllabusCode | str
) -> dict[str, str]:
    """The ``where`` of a syllabus at a centre in a series, as its rows store it."""
    centre_text, series_text, syllabus_text = group_texts(centre, series, syllabus)
    return {"centre": centre_text, "series": series_text, "syllabus": syllabus_text}


def _qualification_read(code: str) -> Select:
    return Select(t.QUALIFICATIONS, {"code": code})


def _samples_read(group: dict[str, str]) -> Select:
    return Select(t.SAMPLES, group, ("component",))


def _sample(row: Row) -> ModerationSample:
    return ModerationSample(
        component=row["component"], candidates=tuple(value_of(row, "candidates", list))
    )


def _qualification(row: Row | None, code: str) -> Qualification:
    """The qualification a row holds; :class:`NotFound` for no row."""
    if row is None:
        raise NotFound(f"no qualification {code}: store it with add_qualification first")
    return reference_value(row, Qualification, build=_built_qualification)


def _built_qualification(row: Row, cls: type[Qualification]) -> Qualification:
    # The retired column on_results_website (LOG-08 reads the policy now) stays in
    # the shipped migration 4; it is filled and never read.
    return structure({k: v for k, v in row.items() if k != "on_results_website"}, cls)


def _results_reads(group: dict[str, str], numbers: list[CandidateNumber]) -> list[Select]:
    """The reads of the entries and the marks of ``numbers``: none for no numbers."""
    if not numbers:
        return []
    where = {**group, "candidate": In([n.value for n in numbers])}
    return [Select(ENTRIES, where), Select(t.MARKS, where)]


#: The routes and statuses by their stored text, looked up without the enum's call.
_ROUTES = {r.value: r for r in Route}
_STATUSES = {s.value: s for s in EntryStatus}


def _entry(row: Row) -> Entry:
    """The entry an ``entries`` row holds: :func:`reference_value` by :func:`_built_entry`."""
    return reference_value(row, Entry, build=_built_entry, key=_entry_key)


def _entry_key(row: Row) -> tuple[object, ...] | None:
    """The row's fields, for a row of text fields only (cheaper than its repr); else ``None``."""
    components = row.get("components")
    if type(components) is not list:
        return None
    key = (
        row.get("centre"),
        row.get("series"),
        row.get("candidate"),
        row.get("syllabus"),
        row.get("route"),
        row.get("status"),
        *components,
    )
    return key if all(type(k) is str for k in key) else None


def _built_entry(row: Row, cls: type[Entry] = Entry) -> Entry:
    """The entry of a row, built by the entry's own converters, which check every field.

    cattrs would parse each field and the converters parse it again; a row
    they refuse (an unknown route or status is left ``None`` for the
    entry's validators to refuse) goes through :func:`structure`, whose
    errors name the field.
    """
    try:
        return cls(
            centre=row["centre"],
            series=row["series"],
            candidate=row["candidate"],
            syllabus=row["syllabus"],
            components=row["components"],
            route=_ROUTES.get(row["route"]),  # type: ignore[arg-type]  # None: refused
            status=_STATUSES.get(row["status"]),  # type: ignore[arg-type]  # None: refused
        )
    except (InvalidValue, ValueError, TypeError, KeyError):
        return structure(row, cls)


def _combined(
    numbers: list[CandidateNumber], entries: list[list[Row]], marks: list[list[Row]]
) -> list[CandidateResults]:
    """Each of ``numbers`` with an entry, in order, from the rows of its entry and marks."""
    entry_rows = {value_of(r, "candidate", str): r for rows in entries for r in rows}
    mark_rows = {value_of(r, "candidate", str): r for rows in marks for r in rows}
    found: list[CandidateResults] = []
    for number in map(str, numbers):
        if number not in entry_rows:
            continue
        entry = _entry(entry_rows[number])
        row = mark_rows.get(number)
        found.append(
            CandidateResults(entry=entry)
            if row is None
            else CandidateResults(
                entry=entry,
                marks=tuple(reference_value(m, Mark) for m in value_of(row, "marks", list)),
                grade=row["grade"],
            )
        )
    return found
