"""The Reports object reads through the repositories and draws with the renderer it is given."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pendulum
import pytest

from cambridge_results.clock import FixedClock
from cambridge_results.context import Context
from cambridge_results.errors import LoginRefused, PermissionDenied, RenderError
from cambridge_results.policy import example_2026
from cambridge_results.principals import CandidateUser, CentreOfficer
from cambridge_results.rendering.statement import SkillScore, StatementData
from cambridge_results.reports import ReportRequest, Reports, ResultsViewRequest
from cambridge_results.storage import Store
from cambridge_results.values import Candidate, Centre

NOW = pendulum.datetime(2026, 8, 11, 9, 0, 0, tz="UTC")
OFFICER = CentreOfficer(centre="GB123")


class RecordingRenderer:
    """A statement renderer that keeps what it was asked to draw (a real class, no mock)."""

    name = "recording"

    def __init__(self) -> None:
        self.drawn: list[tuple[StatementData, ...]] = []

    def check(self, statements: Iterable[StatementData]) -> None:
        """Every text is drawable here."""

    def render(self, statements: Sequence[StatementData], *, created: pendulum.DateTime) -> bytes:
        """Keep the batch; answer a tiny stand-in document."""
        self.drawn.append(tuple(statements))
        return f"%PDF {len(statements)} {created.isoformat()}".encode()


@pytest.fixture
def store(store: Store) -> Store:
    """The harness's store (every backend) with centre GB123 and three candidates."""
    opened = store
    with opened.unit_of_work(actor="board:setup") as uow:
        uow.centres.add(Centre(number="GB123", name="Test School"))
        for number, given, family in [
            ("3", "Ann", "Smith"),
            ("1", "Joanna", "Brown"),
            ("2", "Kim", "Annan"),
        ]:
            uow.candidates.add(
                Candidate(centre="GB123", number=number, given_name=given, family_name=family)
            )
    return opened


def reports(store: Store, renderer: RecordingRenderer | None = None) -> Reports:
    """Reports over ``store`` at NOW with the 2026 example policy."""
    context = Context(store=store, policy=example_2026(), clock=FixedClock(NOW))
    return Reports(context, statement_renderer=renderer)


def test_a_report_selects_the_officers_candidates_by_criteria_in_number_order(store: Store) -> None:
    """LOG-07: a partial first name ignoring case, and a number range, both inclusive, sorted."""
    chosen = reports(store).select_candidates(OFFICER, ReportRequest(first_name="ann"))
    assert [str(c.number) for c in chosen] == ["0001", "0003"]
    ranged = reports(store).select_candidates(
        OFFICER, ReportRequest(number_from="0002", number_to="0003")
    )
    assert [str(c.number) for c in ranged] == ["0002", "0003"]


def test_a_bad_report_form_and_a_stranger_are_refused(store: Store) -> None:
    """LOG-07: a reversed range is refused by rule; a candidate cannot run centre reports."""
    with pytest.raises(LoginRefused):
        reports(store).select_candidates(OFFICER, ReportRequest(number_from="3", number_to="1"))
    with pytest.raises(PermissionDenied):
        reports(store).select_candidates(CandidateUser(centre="GB123", number="1"), ReportRequest())


def test_the_results_view_reads_the_signed_in_candidate(store: Store) -> None:
    """LOG-03: the candidate's own view is refused without access, naming the series."""
    answer = reports(store).results_view(
        CandidateUser(centre="GB123", number="2"),
        ResultsViewRequest(series="2026-06", results=(), has_access=False),
    )
    assert answer.decision.codes == ("CRW-06.no-access",)
    assert answer.view is None


def test_statements_are_drawn_by_the_renderer_given_and_only_for_the_officers_centre(
    store: Store,
) -> None:
    """LOG-10: the given renderer draws, created now; another centre's statement is refused."""
    renderer = RecordingRenderer()
    statement = StatementData(
        centre="GB123",
        series="2026-06",
        candidate_number="1",
        candidate_name="Joanna Brown",
        syllabus="0713",
        exam="B2 First",
        skills=[SkillScore(skill="Reading", score=170)],
    )
    pdf = reports(store, renderer).render_statements(OFFICER, [statement])
    assert pdf == f"%PDF 1 {NOW.isoformat()}".encode()
    assert renderer.drawn == [(statement,)]
    with pytest.raises(PermissionDenied):
        reports(store, renderer).render_statements(CentreOfficer(centre="GB999"), [statement])
    with pytest.raises(RenderError):
        reports(store).render_statements(OFFICER, [statement])
