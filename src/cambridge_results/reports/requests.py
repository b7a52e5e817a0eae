"""The request values of the report use cases (LOG-03, LOG-07)."""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from cambridge_results.rules.website.results_view import SyllabusResult
from cambridge_results.values import Delay, ExamSeries
from cambridge_results.values.series import as_series

__all__ = ["ReportRequest", "ResultsViewRequest"]


@attrs.frozen(kw_only=True)
class ReportRequest:
    """A report form: a candidate-number range and partial names, each optional (LOG-07).

    Checked by :func:`~cambridge_results.rules.reports.criteria.report_criteria`
    when the report runs, which reports every problem at once.
    """

    number_from: str | None = None
    number_to: str | None = None
    first_name: str | None = None
    last_name: str | None = None


def _results(values: Iterable[SyllabusResult]) -> tuple[SyllabusResult, ...]:
    return tuple(values)


@attrs.frozen(kw_only=True)
class ResultsViewRequest:
    """What a candidate's results view needs beyond the candidate (LOG-03, CRW-05, CRW-06).

    ``has_access`` is what the centre's access rules decided for this
    candidate and series; ``delay`` the centre's effective delay.
    """

    series: ExamSeries = attrs.field(converter=as_series)
    results: tuple[SyllabusResult, ...] = attrs.field(converter=_results)
    has_access: bool = attrs.field(validator=attrs.validators.instance_of(bool))
    delay: Delay = attrs.field(factory=Delay, validator=attrs.validators.instance_of(Delay))
