"""Reports end to end on every backend: results from storage, result PDFs, the cap (LOG-07..10)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pendulum
import pytest
from pypdf import PdfReader

from cambridge_results import example_2026
from cambridge_results.board import Board, open_board
from cambridge_results.clock import FixedClock
from cambridge_results.errors import (
    InvalidValue,
    LoginRefused,
    NotFound,
    PermissionDenied,
)
from cambridge_results.principals import BoardStaff, CandidateUser, CentreOfficer
from cambridge_results.rendering.fpdf_statements import FpdfStatementRenderer
from cambridge_results.rendering.statement import SkillScore, StatementData
from cambridge_results.reports import (
    CandidateResult,
    ReportRequest,
    ResultKey,
    ResultPdfRequest,
    ResultsViewRequest,
)
from cambridge_results.rules.website.results_view import SyllabusResult
from cambridge_results.values import AssessedBy, Candidate, Centre, Component, Syllabus

NOW = pendulum.datetime(2026, 8, 20, 9, 0, 0, tz="UTC")
SERIES = "June 2026"
OFFICER = CentreOfficer(centre="GB123")
STAFF = BoardStaff(staff_id="results-team")
PAPER = (Component(code="01", name="Paper", assessed_by=AssessedBy.BOARD),)
FIRST = Syllabus(code="0082", name="B2 First", qualification="CEFR", components=PAPER)
YOUNG = Syllabus(code="0099", name="A1 Movers", qualification="YLE", components=PAPER)
PEOPLE = [
    ("0003", "Ann", "Smith"),
    ("0001", "Joanna", "Brown"),
    ("0002", "Kim", "Annan"),
    ("0010", "Ravi", "Patel"),
]


def skills(base: int) -> tuple[SkillScore, ...]:
    """Five skill scores around ``base`` on the Cambridge English Scale."""
    names = ("Reading", "Writing", "Listening", "Speaking", "Use of English")
    return tuple(SkillScore(skill=n, score=base + 3 * i) for i, n in enumerate(names))


@pytest.fixture
def board(store_url: object, tmp_path: Path) -> Iterator[Board]:
    """A board on this test's backend: GB123 with four candidates and their results."""
    opened = open_board(store_url(tmp_path), policy=example_2026(), clock=FixedClock(NOW))  # type: ignore[operator]

    def setup(uow: object) -> None:
        uow.centres.add(Centre(number="GB123", name="Riverside School"))  # type: ignore[attr-defined]
        uow.centres.add(Centre(number="GB999", name="Hillside School"))  # type: ignore[attr-defined]
        for syllabus in (FIRST, YOUNG):
            uow.syllabuses.add(syllabus)  # type: ignore[attr-defined]
        for number, given, family in PEOPLE:
            uow.candidates.add(  # type: ignore[attr-defined]
                Candidate(centre="GB123", number=number, given_name=given, family_name=family)
            )

    opened.store.run(setup, actor="board:setup")
    results = [
        CandidateResult(
            centre="GB123",
            series=SERIES,
            candidate=number,
            syllabus="0082",
            grade="B",
            skills=skills(160 + i),
            overall=170 + i,
        )
        for i, (number, _, _) in enumerate(PEOPLE)
    ]
    results.append(
        CandidateResult(centre="GB123", series=SERIES, candidate="0001", syllabus="0099", grade="A")
    )
    assert opened.reports.record_results(STAFF, results) == 5
    try:
        yield opened
    finally:
        opened.close()


def event_count(board: Board) -> int:
    """How many events the store holds: what a refused request must leave unchanged."""
    return board.store.run(lambda uow: len(uow.events.history()), actor="test")


def test_a_report_reads_candidates_and_their_results_by_number_range(board: Board) -> None:
    """LOG-07: From/To inclusive, candidate-number order, results read from storage."""
    report = board.reports.report(
        OFFICER, ReportRequest(series=SERIES, number_from="0001", number_to="0003")
    )
    assert [str(c.number) for c in report.candidates] == ["0001", "0002", "0003"]
    assert [(str(line.candidate.number), line.exam) for line in report.lines] == [
        ("0001", "B2 First"),
        ("0002", "B2 First"),
        ("0003", "B2 First"),
    ]
    assert report.lines[0].result.overall == 171  # 0001 is the second of PEOPLE


def test_a_report_finds_full_or_partial_names_in_any_case(board: Board) -> None:
    """LOG-07: "ANN" finds Ann (first name) and JoANNa; a last name narrows further."""
    by_first = board.reports.report(OFFICER, ReportRequest(series=SERIES, first_name="ANN"))
    assert [c.given_name for c in by_first.candidates] == ["Joanna", "Ann"]
    both = board.reports.report(
        OFFICER, ReportRequest(series=SERIES, first_name="ann", last_name="smi")
    )
    assert [c.full_name for c in both.candidates] == ["Ann Smith"]
    one = board.reports.report(
        OFFICER, ReportRequest(series=SERIES, number_from="0010", number_to="0010")
    )
    assert [str(line.candidate.number) for line in one.lines] == ["0010"]


def test_a_report_leaves_out_exams_not_on_the_website_and_says_which(board: Board) -> None:
    """LOG-08: the YLE result is withheld from the report; the policy said so, no flag."""
    report = board.reports.report(OFFICER, ReportRequest(series=SERIES))
    assert "0099" not in {str(line.result.syllabus) for line in report.lines}
    assert [str(code) for code in report.withheld] == ["0099"]


def test_asking_a_report_for_an_exam_not_on_the_website_is_refused_citing_log_08(
    board: Board,
) -> None:
    """LOG-08: asking for Young Learners English says it is not on the results website."""
    with pytest.raises(LoginRefused) as info:
        board.reports.report(OFFICER, ReportRequest(series=SERIES, qualification="yle"))
    assert info.value.rule == "LOG-08"
    assert "not on the results website" in str(info.value)


def test_a_result_pdf_of_an_exam_not_on_the_website_is_refused_citing_log_08(
    board: Board,
) -> None:
    """LOG-08: the A1 Movers statement is refused by name, nothing drawn."""
    request = ResultPdfRequest(
        series=SERIES, results=[ResultKey(candidate="0001", syllabus="0099")]
    )
    with pytest.raises(LoginRefused, match="A1 Movers") as info:
        board.reports.result_pdfs(OFFICER, request)
    assert info.value.rule == "LOG-08"


def test_result_pdfs_are_statements_with_a_profile_read_back_with_pypdf(board: Board) -> None:
    """LOG-10: a page per result, in order, with the name, grade, skills and provisional notice."""
    report = board.reports.report(OFFICER, ReportRequest(series=SERIES))
    pdfs = board.reports.result_pdfs(OFFICER, ResultPdfRequest(series=SERIES, results=report.keys))
    reader = PdfReader(io.BytesIO(pdfs.pdf))
    assert pdfs.count == len(reader.pages) == 4
    assert pdfs.statements[0] == "GB123_2026-06_0001_0082"
    first = reader.pages[0].extract_text()
    for text in ("Joanna Brown", "0001", "B2 First", "Reading", "Use of English", "provisional"):
        assert text in first
    assert "Ravi Patel" in reader.pages[3].extract_text()


def test_three_hundred_and_one_result_pdfs_are_refused_with_nothing_read_or_written(
    board: Board,
) -> None:
    """LOG-09: 301 is a typed error advising batches of at most 300; nothing is written."""
    keys = [ResultKey(candidate=f"{n:04d}", syllabus="0082") for n in range(1, 302)]
    before = event_count(board)
    with pytest.raises(LoginRefused) as info:
        board.reports.result_pdfs(OFFICER, ResultPdfRequest(series=SERIES, results=keys))
    assert info.value.codes == ("LOG-09.too-many-pdfs",)
    assert "batches of at most 300" in str(info.value)
    assert event_count(board) == before


def test_the_planner_splits_a_thousand_into_three_hundreds_and_a_hundred(board: Board) -> None:
    """LOG-09: pdf_batches keeps order and fills every batch but the last."""
    keys = [ResultKey(candidate=f"{n:04d}", syllabus="0082") for n in range(1, 1001)]
    batches = board.reports.pdf_batches(OFFICER, keys)
    assert [len(b) for b in batches] == [300, 300, 300, 100]
    assert [k for b in batches for k in b] == keys


def test_the_statement_renderer_refuses_more_than_its_cap_citing_log_09() -> None:
    """LOG-09: FpdfStatementRenderer draws at most 300 statements, even called directly."""
    statement = StatementData(
        centre="GB123",
        series=SERIES,
        candidate_number="0001",
        candidate_name="Ann Smith",
        syllabus="0082",
        exam="B2 First",
        skills=skills(160),
    )
    with pytest.raises(LoginRefused) as info:
        FpdfStatementRenderer().render([statement] * 301, created=NOW)
    assert info.value.rule == "LOG-09"
    with pytest.raises(LoginRefused):
        FpdfStatementRenderer(max_statements=2).render([statement] * 3, created=NOW)


def test_another_centre_cannot_read_a_centres_results(board: Board) -> None:
    """ASC-07: GB999's officer finds no GB123 result; its report has no GB123 candidate."""
    other = CentreOfficer(centre="GB999")
    assert board.reports.report(other, ReportRequest(series=SERIES)).candidates == ()
    request = ResultPdfRequest(
        series=SERIES, results=[ResultKey(candidate="0001", syllabus="0082")]
    )
    with pytest.raises(NotFound):
        board.reports.result_pdfs(other, request)


def test_a_candidate_may_neither_run_reports_nor_record_results(board: Board) -> None:
    """ASC-07: reports are the centre officer's; results are recorded by board staff only."""
    candidate = CandidateUser(centre="GB123", number="0001")
    with pytest.raises(PermissionDenied):
        board.reports.report(candidate, ReportRequest(series=SERIES))
    before = event_count(board)
    result = CandidateResult(
        centre="GB123", series=SERIES, candidate="0001", syllabus="0082", grade="A"
    )
    for who in (candidate, OFFICER):
        with pytest.raises(PermissionDenied):
            board.reports.record_results(who, [result])
    assert event_count(board) == before
    report = board.reports.report(OFFICER, ReportRequest(series=SERIES, first_name="Joanna"))
    assert str(report.lines[0].result.grade) == "B"


def test_recording_a_result_for_an_unknown_candidate_writes_nothing(board: Board) -> None:
    """All or nothing: one unknown candidate leaves every result and event as it was."""
    before = event_count(board)
    results = [
        CandidateResult(
            centre="GB123", series=SERIES, candidate="0001", syllabus="0082", grade="A"
        ),
        CandidateResult(
            centre="GB123", series=SERIES, candidate="0404", syllabus="0082", grade="A"
        ),
    ]
    with pytest.raises(NotFound):
        board.reports.record_results(STAFF, results)
    assert event_count(board) == before
    report = board.reports.report(OFFICER, ReportRequest(series=SERIES, first_name="Joanna"))
    assert str(report.lines[0].result.grade) == "B"


def test_a_report_needs_a_series(board: Board) -> None:
    """LOG-07: whose results? A report without a series is an InvalidValue."""
    with pytest.raises(InvalidValue) as info:
        board.reports.report(OFFICER, ReportRequest(first_name="Ann"))
    assert info.value.rule == "LOG-07"


def test_a_results_view_of_only_an_exam_off_the_website_says_so_citing_log_08(
    board: Board,
) -> None:
    """LOG-08: A1 Movers alone is refused by name; beside B2 First it is simply left out."""
    candidate = CandidateUser(centre="GB123", number="0001")
    movers = SyllabusResult(syllabus="0099", title="A1 Movers", grade="A")
    first = SyllabusResult(syllabus="0082", title="B2 First", grade="B")
    alone = board.reports.results_view(
        candidate, ResultsViewRequest(series=SERIES, results=[movers], has_access=True)
    )
    assert alone.view is None
    assert alone.decision.codes == ("LOG-08.not-on-results-website",)
    assert "A1 Movers" in alone.decision.reasons[0].message
    both = board.reports.results_view(
        candidate, ResultsViewRequest(series=SERIES, results=[movers, first], has_access=True)
    )
    assert both.view is not None
    assert [str(r.syllabus) for r in both.view.results] == ["0082"]
