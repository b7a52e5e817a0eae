"""What a candidate sees on the results website (LOG-03, CRW-05, CRW-06, CRW-11).

No access (the centre chose NONE, or the candidate was unticked or lost
access, CRW-06, CRW-08, ASC-03) means no view at all, and the answer does
not say when results come out.  With access, nothing is shown before
release time + delay (:mod:`cambridge_results.rules.website.release`) and the answer
says when.  Every view says the results are provisional (CRW-11).
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs
import pendulum

from cambridge_results.decisions import Decision
from cambridge_results.errors import InvalidValue
from cambridge_results.policy import Policy
from cambridge_results.rules.website.release import results_visible, results_visible_from
from cambridge_results.values import Candidate, Delay, ExamSeries, Grade, SyllabusCode
from cambridge_results.values._text import human_text
from cambridge_results.values.identifiers import as_syllabus_code
from cambridge_results.values.instants import minute_text

__all__ = ["PROVISIONAL_NOTICE", "ResultsAnswer", "ResultsView", "SyllabusResult", "results_view"]

#: Shown first on every view of results (CRW-09, CRW-11).
PROVISIONAL_NOTICE = (
    "These results are provisional. They are for your information only: "
    "do not send screenshots of them to universities or other institutions."
)


def _grade(value: object) -> Grade:
    return Grade.parse(value)


def _title(value: object) -> str:
    return human_text(value, "result.title", max_length=200)


@attrs.frozen(kw_only=True)
class SyllabusResult:
    """One line of results: a syllabus and its (provisional) grade."""

    syllabus: SyllabusCode = attrs.field(converter=as_syllabus_code)
    title: str = attrs.field(converter=_title)
    grade: Grade = attrs.field(converter=_grade)


def _always_provisional(_: object, __: object, value: bool) -> None:
    if value is not True:
        raise InvalidValue(
            "view.provisional", "results on the website are always provisional", rule="CRW-11"
        )


def _results(values: Iterable[SyllabusResult]) -> tuple[SyllabusResult, ...]:
    return tuple(values)


@attrs.frozen(kw_only=True)
class ResultsView:
    """The results a candidate may see now; always provisional (CRW-11)."""

    candidate: Candidate
    series: ExamSeries
    results: tuple[SyllabusResult, ...] = attrs.field(converter=_results)
    #: The instant results became visible (release time + delay), UTC.
    visible_from: pendulum.DateTime
    provisional: bool = attrs.field(default=True, validator=_always_provisional)
    notice: str = PROVISIONAL_NOTICE

    def lines(self, timezone: str) -> tuple[str, ...]:
        """The view as text lines, the provisional notice first (CRW-11)."""
        head = (
            self.notice,
            f"{self.candidate.full_name}, candidate {self.candidate.number}, {self.series}",
            f"Results available from {minute_text(self.visible_from, timezone)} ({timezone})",
        )
        return head + tuple(f"{r.syllabus} {r.title}: {r.grade}" for r in self.results)


@attrs.frozen(kw_only=True)
class ResultsAnswer:
    """Either a view, or a refusal that says why (and, before release, when)."""

    decision: Decision
    view: ResultsView | None = None


def results_view(
    *,
    policy: Policy,
    series: ExamSeries,
    delay: Delay,
    has_access: bool,
    candidate: Candidate,
    results: Iterable[SyllabusResult],
    now: pendulum.DateTime,
) -> ResultsAnswer:
    """The candidate's view at ``now`` (LOG-03, CRW-05, CRW-06, CRW-11).

    ``has_access`` is what the centre's access rules decided for this
    candidate and series.  Without it there is no view and no release time;
    before release + delay the refusal says when (LOG-03); from then on the
    view, marked provisional.
    """
    if not has_access:
        return ResultsAnswer(
            decision=Decision.refuse(
                "CRW-06.no-access",
                f"results for {series} are not available to you on this website; "
                "contact your centre",
            )
        )
    visible = results_visible(policy, series, delay, now)
    if not visible:
        return ResultsAnswer(decision=visible)
    view = ResultsView(
        candidate=candidate,
        series=series,
        results=results,
        visible_from=results_visible_from(policy, series, delay),
    )
    return ResultsAnswer(decision=Decision.allow(), view=view)
