"""A signed-in candidate's provisional results (CRW-05, CRW-06, CRW-08, CRW-11, CRW-14; LOG-03).

The candidate is the :class:`~cambridge_results.principals.CandidateUser` a
letter's login answered with (``board.logins.log_in``).  The answer is read,
never written, in one read-only unit of work:

1. the candidate must be one of the centre's, and a letter's login opens its
   own series only (otherwise :class:`~cambridge_results.errors.PermissionDenied`);
2. access must be live now: the centre's effective settings (its own, or its
   Associate's, ASC-08) give ALL, or SELECTED and the candidate is ticked
   (CRW-07, CRW-08); the entry is valid (CRW-03); the credential is not
   revoked (CRW-06, ASC-03).  Otherwise the answer says so, and not when;
3. from release time plus the effective delay (CRW-05) the view, always
   provisional (CRW-11); before, the answer says when (LOG-03).

Results are the board's syllabus grades as recorded for enquiries
(``board.enquiries.record_results``), read by :func:`stored_results`: the one
place to point at another results table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import pendulum

from cambridge_results.context import Context
from cambridge_results.decisions import Decision
from cambridge_results.errors import InvalidValue, PermissionDenied
from cambridge_results.principals import CandidateUser, Principal
from cambridge_results.rules.website.release import results_visible_from
from cambridge_results.rules.website.results_view import (
    ResultsView,
    SyllabusResult,
    results_view,
)
from cambridge_results.values import Candidate, CandidateNumber, CentreNumber, Delay, ExamSeries
from cambridge_results.values.access import AccessMode
from cambridge_results.values.series import as_series
from cambridge_results.website.common import CentreSettings, load_settings
from cambridge_results.website.repositories import WebsiteRepositories

if TYPE_CHECKING:
    from cambridge_results.storage.port import UnitOfWork

__all__ = [
    "CandidateResultsAnswer",
    "CandidateResultsRequest",
    "candidate_results",
    "stored_results",
]

#: The board's syllabus grades per entry (declared by the enquiries feature, read by name).
RESULTS_TABLE = "enquiry_marks"


@attrs.frozen(kw_only=True)
class CandidateResultsRequest:
    """The series whose results the signed-in candidate asks for."""

    series: ExamSeries = attrs.field(converter=as_series)


@attrs.frozen(kw_only=True)
class CandidateResultsAnswer:
    """The view, or why not: ``decision`` says why; ``visible_from`` says when (LOG-03).

    ``visible_from`` (release time plus the effective delay, UTC) is set when
    the candidate has access, ``None`` when not (nothing is said about when
    results come out to someone who will not see them, CRW-06).
    """

    decision: Decision
    view: ResultsView | None = None
    visible_from: pendulum.DateTime | None = None

    @property
    def ok(self) -> bool:
        """True when the answer carries the results."""
        return self.decision.allowed


def stored_results(
    uow: UnitOfWork,
    centre: CentreNumber | str,
    series: ExamSeries | str,
    candidate: CandidateNumber | str,
) -> tuple[SyllabusResult, ...]:
    """The candidate's graded syllabuses in the series, by syllabus code."""
    where = {
        "centre": str(centre),
        "series": ExamSeries.parse(series).code,
        "candidate": str(candidate),
    }
    rows = uow.select(RESULTS_TABLE, where, ("syllabus",))
    return tuple(
        SyllabusResult(
            syllabus=row["syllabus"],
            title=uow.syllabuses.get(str(row["syllabus"])).name,
            grade=row["grade"],
        )
        for row in rows
        if row["grade"] is not None
    )


def _candidate(principal: Principal, series: ExamSeries) -> CandidateUser:
    if not isinstance(principal, CandidateUser):
        raise PermissionDenied(
            f"{principal} is not a candidate; only the candidate sees their results",
            rule="CRW-14",
        )
    if principal.series is not None and principal.series != series:
        raise PermissionDenied(
            f"{principal} logged in with a letter for {principal.series}, not {series}",
            rule="CRW-14",
        )
    return principal


def _live(
    uow: UnitOfWork, who: CandidateUser, series: ExamSeries, settings: CentreSettings
) -> bool:
    repos = WebsiteRepositories(uow)
    eligible = repos.eligibility.valid_among(who.centre, series, [who.number])
    ticked = (
        repos.selections.ticked_among(who.centre, series, [who.number])
        if settings.effective.mode.value is AccessMode.SELECTED
        else frozenset()
    )
    credential = repos.credentials.find(who.centre, series, who.number)
    return (
        who.number in settings.has_access(eligible, ticked)
        and credential is not None
        and credential.live
    )


def candidate_results(
    context: Context, principal: Principal, request: CandidateResultsRequest
) -> CandidateResultsAnswer:
    """The signed-in candidate's results for ``request.series`` now (see the module)."""
    if not isinstance(request, CandidateResultsRequest):
        raise InvalidValue("request", "must be a CandidateResultsRequest")
    series = request.series
    who = _candidate(principal, series)

    def read(uow: UnitOfWork) -> tuple[Candidate, bool, Delay, tuple[SyllabusResult, ...]]:
        candidate = uow.candidates.find(who.centre, who.number)
        if candidate is None:
            raise PermissionDenied(
                f"{who} is not a candidate of centre {who.centre}", rule="CRW-14"
            )
        settings = load_settings(uow, who.centre, series)
        live = _live(uow, who, series, settings)
        results = stored_results(uow, who.centre, series, who.number) if live else ()
        return candidate, live, settings.effective.delay.value, results

    candidate, live, delay, results = context.read(read, actor=str(who))
    answer = results_view(
        policy=context.policy,
        series=series,
        delay=delay,
        has_access=live,
        candidate=candidate,
        results=results,
        now=context.now(),
    )
    return CandidateResultsAnswer(
        decision=answer.decision,
        view=answer.view,
        visible_from=results_visible_from(context.policy, series, delay) if live else None,
    )
