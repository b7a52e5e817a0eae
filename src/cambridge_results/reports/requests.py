"""The request values of the report use cases (LOG-03, LOG-07, LOG-08, LOG-09)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

import attrs

from cambridge_results._checks import flag, instance
from cambridge_results.errors import InvalidValue
from cambridge_results.rules.website.results_view import SyllabusResult
from cambridge_results.values import CandidateNumber, Delay, ExamSeries, SyllabusCode
from cambridge_results.values.exams import qualification_code
from cambridge_results.values.identifiers import as_candidate_number, as_syllabus_code
from cambridge_results.values.series import as_series

__all__ = ["ReportRequest", "ResultKey", "ResultPdfRequest", "ResultsViewRequest"]

_T = TypeVar("_T")


def _optional_series(value: object) -> ExamSeries | None:
    return None if value is None else as_series(value)


def _optional_qualification(value: object) -> str | None:
    return None if value in (None, "") else qualification_code(value, "qualification")


@attrs.frozen(kw_only=True)
class ReportRequest:
    """A report form: a candidate-number range and partial names, each optional (LOG-07).

    Checked by :func:`~cambridge_results.rules.reports.criteria.report_criteria`
    when the report runs, which reports every problem at once.  ``series``
    is needed by :meth:`~cambridge_results.reports.Reports.report` (whose
    results); ``qualification`` narrows the report to one qualification's
    syllabuses, and asking for one not on the website is refused (LOG-08).
    """

    number_from: str | None = None
    number_to: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    series: ExamSeries | None = attrs.field(default=None, converter=_optional_series)
    qualification: str | None = attrs.field(default=None, converter=_optional_qualification)


@attrs.frozen(kw_only=True)
class ResultKey:
    """One result PDF asked for: a candidate's statement in one syllabus (LOG-09, LOG-10)."""

    candidate: CandidateNumber = attrs.field(converter=as_candidate_number)
    syllabus: SyllabusCode = attrs.field(converter=as_syllabus_code)


def _listed(values: object, kind: type[_T], rule: str) -> tuple[_T, ...]:
    """``values`` as a tuple of ``kind``; anything else (``None``, text) refused."""
    wrong = InvalidValue("results", f"must be a list of {kind.__name__}", rule=rule)
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise wrong
    found = tuple(values)
    if not all(isinstance(item, kind) for item in found):
        raise wrong
    return found


def _keys(values: Iterable[ResultKey]) -> tuple[ResultKey, ...]:
    found = _listed(values, ResultKey, "LOG-09")
    if len(set(found)) != len(found):
        raise InvalidValue("results", "asks for the same result twice", rule="LOG-09")
    return found


@attrs.frozen(kw_only=True)
class ResultPdfRequest:
    """Result PDFs (statements with a graphical profile) to generate in one request (LOG-09).

    ``results`` are the statements wanted, in order (e.g.
    :attr:`~cambridge_results.reports.Report.keys`); at most the policy's
    cap, ``reports.max_pdfs_per_request``, at once.
    """

    series: ExamSeries = attrs.field(converter=as_series)
    results: tuple[ResultKey, ...] = attrs.field(converter=_keys)


def _results(values: Iterable[SyllabusResult]) -> tuple[SyllabusResult, ...]:
    return _listed(values, SyllabusResult, "LOG-03")


@attrs.frozen(kw_only=True)
class ResultsViewRequest:
    """What a candidate's results view needs beyond the candidate (LOG-03, CRW-05, CRW-06).

    ``has_access`` is what the centre's access rules decided for this
    candidate and series; ``delay`` the centre's effective delay.
    """

    series: ExamSeries = attrs.field(converter=as_series)
    results: tuple[SyllabusResult, ...] = attrs.field(converter=_results)
    has_access: bool = attrs.field(validator=flag("has_access"))
    delay: Delay = attrs.field(factory=Delay, validator=instance("delay", Delay))
