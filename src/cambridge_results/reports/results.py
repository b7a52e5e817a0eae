"""Candidates' results as reports read them: :class:`CandidateResult` and its repository.

A result is one candidate's grade in one syllabus of one series, with the
overall score and the score per skill that the graphical profile draws
(LOG-10).  :class:`ResultRepository` keeps them in the ``report_results``
table (:mod:`cambridge_results.reports.tables`) over a unit of work; the
:class:`~cambridge_results.reports.Reports` use cases read through it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import attrs

from cambridge_results.errors import InvalidValue
from cambridge_results.rendering.statement import SkillScore
from cambridge_results.reports.tables import RESULTS
from cambridge_results.storage.schema import Row, value_of
from cambridge_results.values import (
    CandidateNumber,
    CentreNumber,
    ExamSeries,
    Grade,
    SyllabusCode,
)
from cambridge_results.values.identifiers import (
    as_candidate_number,
    as_centre_number,
    as_syllabus_code,
)
from cambridge_results.values.series import as_series

if TYPE_CHECKING:
    from cambridge_results.storage.port import UnitOfWork

__all__ = ["CandidateResult", "ResultRepository"]


def _skills(values: Iterable[SkillScore]) -> tuple[SkillScore, ...]:
    if isinstance(values, str | bytes):
        raise InvalidValue("result.skills", "must be a list of SkillScore")
    found = tuple(values)
    if not all(isinstance(s, SkillScore) for s in found):
        raise InvalidValue("result.skills", "must be a list of SkillScore", rule="LOG-10")
    return found


def _grade(value: object) -> Grade:
    return Grade.parse(value)


def _overall(_: object, __: object, value: int | None) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise InvalidValue("result.overall", "must be a whole number of at least 0", rule="LOG-10")


@attrs.frozen(kw_only=True)
class CandidateResult:
    """One candidate's result in one syllabus of one series (LOG-07, LOG-10).

    ``skills`` are the scores the graphical profile draws, in order;
    ``overall`` the overall score, if the exam reports one.  Whether the
    scores lie on the statement's scale is checked when a statement is made.
    """

    centre: CentreNumber = attrs.field(converter=as_centre_number)
    series: ExamSeries = attrs.field(converter=as_series)
    candidate: CandidateNumber = attrs.field(converter=as_candidate_number)
    syllabus: SyllabusCode = attrs.field(converter=as_syllabus_code)
    grade: Grade = attrs.field(converter=_grade)
    skills: tuple[SkillScore, ...] = attrs.field(default=(), converter=_skills)
    overall: int | None = attrs.field(default=None, validator=_overall)

    @property
    def key(self) -> tuple[str, str, str, str]:
        """The row's key: centre, series code, candidate number, syllabus."""
        return (str(self.centre), self.series.code, str(self.candidate), str(self.syllabus))


def _row(result: CandidateResult) -> dict[str, Any]:
    centre, series, candidate, syllabus = result.key
    return {
        "centre": centre,
        "series": series,
        "candidate": candidate,
        "syllabus": syllabus,
        "grade": str(result.grade),
        "overall": result.overall,
        "skills": [{"skill": s.skill, "score": s.score} for s in result.skills],
    }


def _result(row: Row) -> CandidateResult:
    skills = value_of(row, "skills", list)
    overall = row.get("overall")
    return CandidateResult(
        centre=value_of(row, "centre", str),
        series=value_of(row, "series", str),
        candidate=value_of(row, "candidate", str),
        syllabus=value_of(row, "syllabus", str),
        grade=value_of(row, "grade", str),
        overall=None if overall is None else value_of(row, "overall", int),
        skills=tuple(SkillScore(skill=s["skill"], score=s["score"]) for s in skills),
    )


class ResultRepository:
    """Candidates' results in the store, over one unit of work (LOG-07, LOG-10)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def put(self, result: CandidateResult) -> None:
        """Store ``result``, replacing the one for the same candidate and syllabus, if any."""
        if not isinstance(result, CandidateResult):
            raise InvalidValue("result", "must be a CandidateResult")
        row = _row(result)
        key = result.key
        if self._uow.get(RESULTS.name, key, for_update=True) is None:
            self._uow.insert(RESULTS.name, row)
        else:
            self._uow.update(RESULTS.name, key, {k: row[k] for k in ("grade", "overall", "skills")})

    def find(
        self,
        centre: CentreNumber | str,
        series: ExamSeries | str,
        candidate: CandidateNumber | str,
        syllabus: SyllabusCode | str,
    ) -> CandidateResult | None:
        """The result, or ``None`` when none is stored."""
        key = (
            str(as_centre_number(centre)),
            as_series(series).code,
            str(as_candidate_number(candidate)),
            str(as_syllabus_code(syllabus)),
        )
        row = self._uow.get(RESULTS.name, key)
        return None if row is None else _result(row)

    def iter_for_centre(
        self, centre: CentreNumber | str, series: ExamSeries | str
    ) -> Iterator[CandidateResult]:
        """The centre's results for the series, by candidate number then syllabus, streamed."""
        where = {"centre": str(as_centre_number(centre)), "series": as_series(series).code}
        for row in self._uow.stream(RESULTS.name, where, order_by=("candidate", "syllabus")):
            yield _result(row)
