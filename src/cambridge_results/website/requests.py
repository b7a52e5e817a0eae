"""The request values of the website's candidate use cases (CRW-07, CRW-08).

Each is checked when made: a malformed centre number or series raises
:class:`~cambridge_results.errors.InvalidValue` before anything is read.
Whether the candidates belong to the centre is the use case's question
(every offender is reported at once, citing CRW-07).
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from cambridge_results.errors import InvalidValue
from cambridge_results.values import Candidate, CandidateNumber, CentreNumber, ExamSeries
from cambridge_results.website.common import PAGE
from cambridge_results.website.keys import as_centre, as_series

__all__ = ["CandidateQuery", "CandidateSelection"]

#: The most candidates one listing page reads.
MAX_PAGE_SIZE = 10_000


def _candidates(
    value: Iterable[CandidateNumber | str | Candidate] | CandidateNumber | str | Candidate,
) -> tuple[CandidateNumber | str | Candidate, ...]:
    if isinstance(value, str | CandidateNumber | Candidate):
        return (value,)
    try:
        return tuple(value)
    except TypeError:
        raise InvalidValue("candidates", "must be candidates or candidate numbers") from None


@attrs.frozen(kw_only=True)
class CandidateSelection:
    """Candidates of one centre for one series: to tick, untick or revoke (CRW-07, CRW-08)."""

    centre: CentreNumber = attrs.field(converter=as_centre)
    series: ExamSeries = attrs.field(converter=as_series)
    #: Candidate numbers (``"0101"``) or candidates; one alone is taken as a list of one.
    candidates: tuple[CandidateNumber | str | Candidate, ...] = attrs.field(converter=_candidates)


def _query(_: object, __: attrs.Attribute[str | None], value: str | None) -> None:
    if value is not None and not isinstance(value, str):
        raise InvalidValue("query", "must be text", rule="CRW-07")


def _page_size(_: object, __: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PAGE_SIZE:
        raise InvalidValue("page_size", f"must be a whole number from 1 to {MAX_PAGE_SIZE}")


@attrs.frozen(kw_only=True)
class CandidateQuery:
    """Which of a centre's candidates to list for a series (CRW-07).

    ``query`` narrows them by part of a name, a number (``713`` finds
    ``0713``) or a UCI; ``page_size`` is how many each read fetches.
    """

    centre: CentreNumber = attrs.field(converter=as_centre)
    series: ExamSeries = attrs.field(converter=as_series)
    query: str | None = attrs.field(default=None, validator=_query)
    page_size: int = attrs.field(default=PAGE, validator=_page_size)
