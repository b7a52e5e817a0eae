"""``cambridge-results result-pdfs``: a report's result PDFs in batches of at most 300 (LOG-09)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pypdf import PdfReader

from cambridge_results import example_2026
from cambridge_results.board import open_board
from cambridge_results.cli import main
from cambridge_results.principals import BoardStaff
from cambridge_results.rendering.statement import SkillScore
from cambridge_results.reports import CandidateResult
from cambridge_results.storage.port import UnitOfWork
from cambridge_results.values import AssessedBy, Candidate, Centre, Component, Syllabus

SERIES = "June 2026"
FIRST = Syllabus(
    code="0082",
    name="B2 First",
    qualification="CEFR",
    components=(Component(code="01", name="Paper", assessed_by=AssessedBy.BOARD),),
)


def seed(db: Path, count: int) -> None:
    """Centre GB123 with ``count`` candidates, each with a B2 First result."""
    with open_board(f"sqlite:///{db}", policy=example_2026()) as board:

        def setup(uow: UnitOfWork) -> None:
            uow.centres.add(Centre(number="GB123", name="Riverside School"))
            uow.syllabuses.add(FIRST)
            for n in range(1, count + 1):
                uow.candidates.add(
                    Candidate(
                        centre="GB123", number=f"{n:04d}", given_name="Sam", family_name=f"Lee{n}"
                    )
                )

        board.store.run(setup, actor="board:setup")
        board.reports.record_results(
            BoardStaff(staff_id="results"),
            [
                CandidateResult(
                    centre="GB123",
                    series=SERIES,
                    candidate=f"{n:04d}",
                    syllabus="0082",
                    grade="B",
                    skills=[SkillScore(skill="Reading", score=170)],
                    overall=170,
                )
                for n in range(1, count + 1)
            ],
        )


def test_a_thousand_result_pdfs_are_made_as_300_300_300_and_100(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """LOG-09: the CLI plans batches; each file is owner-only, pages in candidate order."""
    db = tmp_path / "results.db"
    seed(db, 1000)
    out = tmp_path / "pdfs"
    args = ["result-pdfs", "--db", str(db), "--as", "centre:GB123", "--series", SERIES]
    assert main([*args, "--from", "0001", "--to", "1000", "--out", str(out)]) == 0
    files = sorted(out.iterdir())
    assert [f.name for f in files] == [f"results_2026-06_{i:03d}_of_004.pdf" for i in (1, 2, 3, 4)]
    readers = [PdfReader(f) for f in files]
    assert [len(r.pages) for r in readers] == [300, 300, 300, 100]
    assert "Sam Lee301" in readers[1].pages[0].extract_text()
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert {stat.S_IMODE(f.stat().st_mode) for f in files} == {0o600}
    assert "100 result PDFs" in capsys.readouterr().out


def test_a_report_by_name_makes_one_file(tmp_path: Path) -> None:
    """LOG-07: a partial last name in any case selects just the matching candidates."""
    db = tmp_path / "results.db"
    seed(db, 12)
    out = tmp_path / "pdfs"
    status = main(
        [
            "result-pdfs",
            "--db",
            str(db),
            "--as",
            "centre:GB123",
            "--series",
            SERIES,
            "--last-name",
            "LEE1",
            "--out",
            str(out),
        ]
    )
    assert status == 0
    (only,) = out.iterdir()
    assert len(PdfReader(only).pages) == 4  # Lee1, Lee10, Lee11, Lee12


@pytest.mark.parametrize(
    ("who", "extra", "rule"),
    [
        ("associate:GB200", [], "ASC-07"),
        ("centre:GB123", ["--qualification", "YLE"], "LOG-08"),
        ("centre:GB123", ["--from", "0009", "--to", "0002"], "LOG-07"),
    ],
)
def test_refused_reports_print_the_rule_and_write_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], who: str, extra: list[str], rule: str
) -> None:
    """A refusal exits 2 with the rule cited, and no output directory appears."""
    db = tmp_path / "results.db"
    seed(db, 3)
    out = tmp_path / "pdfs"
    args = ["result-pdfs", "--db", str(db), "--as", who, "--series", SERIES, "--out", str(out)]
    assert main([*args, *extra]) == 2
    assert f"[{rule}]" in capsys.readouterr().err
    assert not out.exists()
