"""What a report answers: its lines, one per candidate result (LOG-07, LOG-08)."""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from cambridge_results.reports.requests import ResultKey
from cambridge_results.reports.results import CandidateResult
from cambridge_results.values import Candidate, ExamSeries, SyllabusCode

__all__ = ["Report", "ReportLine", "ResultPdfs"]


@attrs.frozen(kw_only=True)
class ReportLine:
    """A candidate and one of their results, with the syllabus's name and qualification."""

    candidate: Candidate
    result: CandidateResult
    exam: str
    qualification: str

    @property
    def key(self) -> ResultKey:
        """What asks for this line's result PDF (LOG-09)."""
        return ResultKey(candidate=self.candidate.number, syllabus=self.result.syllabus)


def _lines(values: Iterable[ReportLine]) -> tuple[ReportLine, ...]:
    return tuple(values)


def _codes(values: Iterable[SyllabusCode]) -> tuple[SyllabusCode, ...]:
    return tuple(values)


def _candidates(values: Iterable[Candidate]) -> tuple[Candidate, ...]:
    return tuple(values)


def _texts(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


@attrs.frozen(kw_only=True)
class Report:
    """The candidates a report selected and their results, by candidate number (LOG-07).

    ``candidates`` are every candidate meeting the criteria, results or not;
    ``lines`` their results, candidate number then syllabus; ``withheld``
    the syllabuses left out because their exams are not on the results
    website (LOG-08).
    """

    series: ExamSeries
    candidates: tuple[Candidate, ...] = attrs.field(converter=_candidates)
    lines: tuple[ReportLine, ...] = attrs.field(converter=_lines)
    withheld: tuple[SyllabusCode, ...] = attrs.field(default=(), converter=_codes)

    @property
    def keys(self) -> tuple[ResultKey, ...]:
        """The result PDFs of every line, in order: what :class:`ResultPdfRequest` takes."""
        return tuple(line.key for line in self.lines)


@attrs.frozen(kw_only=True)
class ResultPdfs:
    """One request's result PDFs: a PDF with a statement page per result, in order (LOG-10).

    ``statements`` are the statements' identifiers (no names), in page order.
    """

    pdf: bytes = attrs.field(repr=lambda b: f"<{len(b)} bytes>")
    statements: tuple[str, ...] = attrs.field(converter=_texts)

    @property
    def count(self) -> int:
        """How many result PDFs (statement pages) the request made."""
        return len(self.statements)
