"""``Reports``: the results view and preparation centre reports (LOG-03, LOG-07 to LOG-10).

The rules live in :mod:`cambridge_results.rules.reports.criteria` and
:mod:`cambridge_results.rules.website.results_view`; this object reads what
they need through the repositories, with the policy and clock of its
:class:`~cambridge_results.context.Context`.  Statements are drawn by the
renderer it is given (``statement_renderer=``, e.g. the fpdf2 one from
:mod:`cambridge_results.rendering.fpdf_statements`), never one it imports.
Reports only read: nothing here writes to the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from cambridge_results._arguments import checked_arguments
from cambridge_results.context import Context
from cambridge_results.decisions import Decision
from cambridge_results.errors import InvalidValue, PermissionDenied, RenderError
from cambridge_results.principals import CandidateUser, CentreOfficer, Principal
from cambridge_results.rendering.statement import StatementData, StatementRenderer
from cambridge_results.reports.requests import ReportRequest, ResultsViewRequest
from cambridge_results.rules.reports import criteria
from cambridge_results.rules.website.results_view import ResultsAnswer, results_view
from cambridge_results.storage.port import UnitOfWork
from cambridge_results.values import Candidate, Qualification

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
        says when; from then on the view, marked provisional.
        """
        if not isinstance(principal, CandidateUser):
            raise PermissionDenied(f"{principal} is not a candidate; only candidates see this view")
        candidate = self._context.read(
            lambda uow: uow.candidates.get(principal.centre, principal.number),
            actor=str(principal),
        )
        return results_view(
            policy=self._context.policy,
            series=request.series,
            delay=request.delay,
            has_access=request.has_access,
            candidate=candidate,
            results=request.results,
            now=self._context.now(),
        )

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

    def check_exam(self, principal: Principal, qualification: Qualification) -> Decision:
        """Refused, saying so, for exams whose results are not on the website (LOG-08)."""
        _centre_officer(principal)
        return criteria.check_report_exam(qualification)

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
