"""``Reports``: the results view and preparation centre reports (LOG-03, LOG-07 to LOG-10).

The rules live in :mod:`cambridge_results.rules.reports.criteria` and
:mod:`cambridge_results.rules.website.results_view`; this object reads what
they need through the repositories, with the policy and clock of its
:class:`~cambridge_results.context.Context`.  Statements are drawn by the
renderer it is given (``statement_renderer=``, e.g. the fpdf2 one from
:mod:`cambridge_results.rendering.fpdf_statements`), never one it imports.
Candidates' results live in the store (:mod:`cambridge_results.reports.results`):
board staff record them (:meth:`Reports.record_results`); reports and result
PDFs only read them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeVar

from cambridge_results._arguments import checked_arguments
from cambridge_results.context import Context
from cambridge_results.decisions import Decision
from cambridge_results.errors import InvalidValue, NotFound, PermissionDenied, RenderError
from cambridge_results.principals import BoardStaff, CandidateUser, CentreOfficer, Principal
from cambridge_results.rendering.statement import StatementData, StatementRenderer
from cambridge_results.reports.report import Report, ReportLine, ResultPdfs
from cambridge_results.reports.requests import ReportRequest, ResultPdfRequest, ResultsViewRequest
from cambridge_results.reports.results import CandidateResult, ResultRepository
from cambridge_results.rules.reports import criteria
from cambridge_results.rules.website.results_view import (
    ResultsAnswer,
    SyllabusResult,
    results_view,
)
from cambridge_results.storage.port import UnitOfWork
from cambridge_results.values import Candidate, Qualification, Syllabus, SyllabusCode

__all__ = ["Reports"]

T = TypeVar("T")


def _centre_officer(principal: Principal) -> CentreOfficer:
    if not isinstance(principal, CentreOfficer):
        raise PermissionDenied(f"{principal} may not run a centre's reports; its officer may")
    return principal


@checked_arguments
class Reports:
    """The report and results-view use cases over one store.

    ``statement_renderer`` draws statements of results (LOG-10); without
    one, :meth:`render_statements` raises
    :class:`~cambridge_results.errors.RenderError`.
    """

    def __init__(
        self, context: Context, *, statement_renderer: StatementRenderer | None = None
    ) -> None:
        if not isinstance(context, Context):
            raise InvalidValue("context", "must be a Context")
        if statement_renderer is not None and not isinstance(statement_renderer, StatementRenderer):
            raise InvalidValue("statement_renderer", "must be a StatementRenderer")
        self._context = context
        self._renderer = statement_renderer

    @property
    def context(self) -> Context:
        """The store, policy and clock this object works with."""
        return self._context

    def results_view(self, principal: Principal, request: ResultsViewRequest) -> ResultsAnswer:
        """The signed-in candidate's own results view now (LOG-03, CRW-05, CRW-06, CRW-11).

        Refused without access; before release (plus the delay) the refusal
        says when; from then on the view, marked provisional.  Results of
        exams the policy lists as not on the website are left out, and a view
        of nothing else is refused saying so (LOG-08).
        """
        if not isinstance(principal, CandidateUser):
            raise PermissionDenied(f"{principal} is not a candidate; only candidates see this view")
        policy = self._context.policy

        def read(uow: UnitOfWork) -> tuple[Candidate, list[SyllabusResult], list[Syllabus]]:
            shown, withheld = [], []
            for result in request.results:
                syllabus = uow.syllabuses.find(result.syllabus)
                if syllabus is None or policy.reports.on_results_website(syllabus.qualification):
                    shown.append(result)
                else:
                    withheld.append(syllabus)
            return uow.candidates.get(principal.centre, principal.number), shown, withheld

        candidate, shown, withheld = self._context.read(read, actor=str(principal))
        answer = results_view(
            policy=policy,
            series=request.series,
            delay=request.delay,
            has_access=request.has_access,
            candidate=candidate,
            results=shown,
            now=self._context.now(),
        )
        if answer.decision.allowed and withheld and not shown:
            first = withheld[0]
            refusal = criteria.check_report_exam(
                first.qualification, policy.reports, name=first.name
            )
            return ResultsAnswer(decision=refusal)
        return answer

    def select_candidates(
        self, principal: Principal, request: ReportRequest
    ) -> tuple[Candidate, ...]:
        """The officer's candidates meeting the report's criteria, by number (LOG-07).

        A form with problems raises :class:`~cambridge_results.errors.LoginRefused`
        with every reason at once.
        """
        officer = _centre_officer(principal)
        wanted = criteria.report_criteria(
            number_from=request.number_from,
            number_to=request.number_to,
            first_name=request.first_name,
            last_name=request.last_name,
        )

        def select(uow: UnitOfWork) -> tuple[Candidate, ...]:
            return criteria.select_candidates(
                uow.candidates.iter_for_centre(officer.centre), wanted
            )

        return self._context.read(select, actor=str(officer))

    def check_exam(self, principal: Principal, qualification: Qualification | str) -> Decision:
        """Refused, saying so, for exams the policy lists as not on the website (LOG-08)."""
        _centre_officer(principal)
        return criteria.check_report_exam(qualification, self._context.policy.reports)

    # -- results in the store ----------------------------------------------------

    def record_results(self, principal: Principal, results: Iterable[CandidateResult]) -> int:
        """Store candidates' results (board staff only); how many were stored.

        Each candidate and syllabus must be stored already
        (:class:`~cambridge_results.errors.NotFound` otherwise); a result for
        the same candidate and syllabus replaces the one stored.  All or nothing.
        """
        if not isinstance(principal, BoardStaff):
            raise PermissionDenied(f"{principal} may not record results; board staff may")
        batch = tuple(results)
        for i, result in enumerate(batch):
            if not isinstance(result, CandidateResult):
                raise InvalidValue(f"results[{i}]", "must be a CandidateResult")
        now = self._context.now()

        def work(uow: UnitOfWork) -> int:
            repository = ResultRepository(uow)
            for result in batch:
                uow.candidates.get(result.centre, result.candidate)
                uow.syllabuses.get(result.syllabus)
                repository.put(result)
            for centre, series in sorted({(str(r.centre), r.series.code) for r in batch}):
                uow.events.append(
                    at=now,
                    kind="results-recorded",
                    subject=f"results:{centre}/series:{series}",
                    details={
                        "results": sum(
                            1 for r in batch if (str(r.centre), r.series.code) == (centre, series)
                        )
                    },
                )
            return len(batch)

        return self._context.write(work, actor=str(principal))

    def report(self, principal: Principal, request: ReportRequest) -> Report:
        """The officer's candidates meeting the criteria, with their results (LOG-07, LOG-08).

        ``request.series`` is required.  Results of exams the policy lists as
        not on the website are left out (named in ``Report.withheld``); asking
        for such a qualification (``request.qualification``) is refused
        (:class:`~cambridge_results.errors.LoginRefused`, LOG-08).
        """
        officer = _centre_officer(principal)
        if not isinstance(request, ReportRequest):
            raise InvalidValue("request", "must be a ReportRequest")
        series = request.series
        if series is None:
            raise InvalidValue("request.series", "a report is for one exam series", rule="LOG-07")
        policy = self._context.policy.reports
        if request.qualification is not None:
            criteria.check_report_exam(request.qualification, policy).raise_if_refused()
        candidates = self.select_candidates(officer, request)

        def read(uow: UnitOfWork) -> Report:
            wanted = {c.number: c for c in candidates}
            syllabuses: dict[str, Syllabus] = {}
            lines: list[ReportLine] = []
            withheld: set[SyllabusCode] = set()
            for result in ResultRepository(uow).iter_for_centre(officer.centre, series):
                candidate = wanted.get(result.candidate)
                if candidate is None:
                    continue
                code = str(result.syllabus)
                if code not in syllabuses:
                    syllabuses[code] = uow.syllabuses.get(code)
                syllabus = syllabuses[code]
                if request.qualification not in (None, syllabus.qualification):
                    continue
                if not policy.on_results_website(syllabus.qualification):
                    withheld.add(result.syllabus)
                    continue
                lines.append(
                    ReportLine(
                        candidate=candidate,
                        result=result,
                        exam=syllabus.name,
                        qualification=syllabus.qualification,
                    )
                )
            return Report(
                series=series,
                candidates=candidates,
                lines=lines,
                withheld=tuple(sorted(withheld)),
            )

        return self._context.read(read, actor=str(officer))

    def result_pdfs(self, principal: Principal, request: ResultPdfRequest) -> ResultPdfs:
        """The result PDFs asked for: statements with a graphical profile (LOG-09, LOG-10).

        More than ``reports.max_pdfs_per_request`` (300) is refused before
        anything is read or drawn (:class:`~cambridge_results.errors.LoginRefused`,
        LOG-09, advising batches; :meth:`pdf_batches` makes them).  Each
        result is read from the store for the officer's own centre
        (:class:`~cambridge_results.errors.NotFound` if there is none); an exam
        not on the website is refused (LOG-08).  Nothing is written.
        """
        officer = _centre_officer(principal)
        if not isinstance(request, ResultPdfRequest):
            raise InvalidValue("request", "must be a ResultPdfRequest")
        policy = self._context.policy
        criteria.check_pdf_request(len(request.results), policy.reports).raise_if_refused()
        if self._renderer is None:
            raise RenderError("Reports was built without a statement_renderer")

        def read(uow: UnitOfWork) -> list[StatementData]:
            centre = uow.centres.get(officer.centre)
            repository = ResultRepository(uow)
            statements = []
            for key in request.results:
                result = repository.find(
                    officer.centre, request.series, key.candidate, key.syllabus
                )
                if result is None:
                    raise NotFound(
                        f"no result of candidate {key.candidate} in {key.syllabus}, "
                        f"{request.series}, at centre {officer.centre}"
                    )
                syllabus = uow.syllabuses.get(key.syllabus)
                criteria.check_report_exam(
                    syllabus.qualification, policy.reports, name=syllabus.name
                ).raise_if_refused()
                candidate = uow.candidates.get(officer.centre, key.candidate)
                statements.append(
                    StatementData(
                        centre=officer.centre,
                        series=request.series,
                        candidate_number=key.candidate,
                        candidate_name=candidate.full_name,
                        syllabus=key.syllabus,
                        exam=syllabus.name,
                        skills=result.skills,
                        overall=result.overall,
                        grade=str(result.grade),
                        centre_name=centre.name,
                        timezone=policy.timezone,
                    )
                )
            return statements

        statements = self._context.read(read, actor=str(officer))
        pdf = self._renderer.render(statements, created=self._context.now())
        return ResultPdfs(pdf=pdf, statements=[s.statement_id for s in statements])

    def check_pdf_request(self, principal: Principal, count: int) -> Decision:
        """At most the policy's cap of result PDFs in one request (LOG-09)."""
        _centre_officer(principal)
        return criteria.check_pdf_request(count, self._context.policy.reports)

    def pdf_batches(self, principal: Principal, items: Sequence[T]) -> tuple[tuple[T, ...], ...]:
        """``items`` in order, in batches of at most the cap (LOG-09)."""
        _centre_officer(principal)
        return criteria.pdf_batches(items, self._context.policy.reports)

    def render_statements(self, principal: Principal, statements: Sequence[StatementData]) -> bytes:
        """One PDF of statements of results with skill profiles, created now (LOG-10).

        Only the officer's own centre's statements, at most the policy's cap
        at once (LOG-09: :class:`~cambridge_results.errors.LoginRefused`);
        every text is checked before anything is drawn.
        """
        officer = _centre_officer(principal)
        if self._renderer is None:
            raise RenderError("Reports was built without a statement_renderer")
        statements = tuple(statements)
        for i, statement in enumerate(statements):
            if not isinstance(statement, StatementData):
                raise InvalidValue(f"statements[{i}]", "must be a StatementData")
            if statement.centre != officer.centre:
                raise PermissionDenied(
                    f"{officer} may not draw statements of centre {statement.centre}"
                )
        criteria.check_pdf_request(len(statements), self._context.policy.reports).raise_if_refused()
        return self._renderer.render(statements, created=self._context.now())

    def __repr__(self) -> str:
        renderer = None if self._renderer is None else self._renderer.name
        return f"Reports({self._context.store.url!r}, statement_renderer={renderer!r})"
