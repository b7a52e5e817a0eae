"""The cambridge-results command, run as a newcomer would (issue 3, item 6)."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from cambridge_results.board.schema import SCHEMA
from cambridge_results.cli import main
from cambridge_results.hashing import Argon2idHasher
from cambridge_results.storage import open_store

HEADER = "centre,candidate_number,given_name,family_name,uci,series,syllabus,components\n"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One small demo run with the console script itself and the production hasher."""
    root = tmp_path_factory.mktemp("demo")
    script = Path(sys.executable).with_name("cambridge-results")
    result = subprocess.run(
        [str(script), "demo", "--dir", str(root), "--candidates", "4", "--workers", "2"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    (root / "stdout.txt").write_text(result.stdout, encoding="utf-8")
    return root


def test_the_demo_says_where_the_combined_pdf_and_the_zip_are(demo: Path) -> None:
    """CRW-10: the demo prints the paths of one combined PDF and one zip per run, and they exist."""
    out = (demo / "stdout.txt").read_text(encoding="utf-8")
    pdfs = re.findall(r"combined PDF: (\S+)", out)
    zips = re.findall(r"zip of single PDFs: (\S+)", out)
    assert len(pdfs) == 2
    assert len(zips) == 2
    assert all(Path(p).is_file() for p in pdfs + zips)
    assert "12 candidates in November 2026" in out


def test_every_demo_letter_logs_in_against_the_stored_hash(demo: Path) -> None:
    """CRW-09, CRW-12: each page's username and password verify against the database."""
    pdf = next((demo / "letters" / "GB100").glob("*.pdf"))
    store = open_store(f"sqlite:///{demo / 'results.db'}", migrations=SCHEMA)
    hasher = Argon2idHasher()
    pages = PdfReader(pdf).pages
    assert len(pages) == 4
    with store.unit_of_work(actor="board:test", read_only=True) as uow:
        for page in pages:
            text = page.extract_text()
            username = re.search(r"Username\s+(\S+)", text)
            password = re.search(r"Password\s+(\S+(?: \S+)*)", text)
            assert username is not None
            assert password is not None
            (row,) = uow.select("website_credentials", {"username": username.group(1)})
            assert hasher.verify(row["password_hash"], password.group(1).replace(" ", ""))
            assert "provisional" in text
    store.close()


def test_the_zip_holds_one_pdf_per_candidate_named_by_identifiers(demo: Path) -> None:
    """CRW-10, SPEC 5: one single-page PDF per candidate; entry names are internal identifiers."""
    archive = next((demo / "letters" / "GB200").glob("*.zip"))
    with zipfile.ZipFile(archive) as z:
        names = z.namelist()
        assert len(names) == 8
        assert all(re.fullmatch(r"GB20[12]_2026-11_[0-9]{4}\.pdf", n) for n in names)
        assert len(PdfReader(io.BytesIO(z.read(names[0]))).pages) == 1


def test_generating_new_letters_again_has_nothing_to_do(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """CRW-07: mode "new" after everyone has a letter generates nothing."""
    status = main(
        [
            "generate-letters", "--db", str(demo / "results.db"), "--as", "centre:GB100",
            "--centre", "GB100", "--series", "November 2026", "--mode", "new",
            "--out", str(demo / "again"),
        ]
    )  # fmt: skip
    assert status == 0
    assert "nothing to generate" in capsys.readouterr().out


def test_a_centre_acting_for_another_centre_gets_a_typed_error(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """ASC-07: GB100 may not generate GB201's letters; exit status 2 with the rule."""
    status = main(
        [
            "generate-letters", "--db", str(demo / "results.db"), "--as", "centre:GB100",
            "--centre", "GB201", "--series", "November 2026", "--mode", "all",
            "--out", str(demo / "stolen"),
        ]
    )  # fmt: skip
    assert status == 2
    assert "ASC-07" in capsys.readouterr().err
    assert not (demo / "stolen").exists()


def test_a_bad_csv_is_reported_by_line_and_imports_nothing(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 3: bad rows reported by line number; the database is unchanged."""
    db = tmp_path / "copy.db"
    db.write_bytes((demo / "results.db").read_bytes())
    csv_file = tmp_path / "entries.csv"
    csv_file.write_text(
        HEADER
        + "GB100,0900,Ann,Lee,,November 2026,0580,12\n"
        + "GB100,0901,Ann,Lee,,November 2026,0580,77\n",
        encoding="utf-8",
    )
    status = main(["import-entries", "--db", str(db), "--as", "centre:GB100", str(csv_file)])
    assert status == 2
    assert "line 3:" in capsys.readouterr().err
    store = open_store(f"sqlite:///{db}", migrations=SCHEMA)
    with store.unit_of_work(actor="board:test", read_only=True) as uow:
        assert uow.candidates.find("GB100", "0900") is None
    store.close()


def test_set_access_with_a_bad_delay_cites_the_rule(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """CRW-05: an unparseable delay is refused with the rule ID, exit status 2."""
    status = main(
        [
            "set-access", "--db", str(demo / "results.db"), "--as", "centre:GB100",
            "--centre", "GB100", "--series", "November 2026", "--mode", "all", "--agree",
            "--contact-name", "Sam", "--email", "sam@example.org", "--delay", "soon",
        ]
    )  # fmt: skip
    assert status == 2
    assert "CRW-05" in capsys.readouterr().err
