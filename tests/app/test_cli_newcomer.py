"""The command line as a newcomer meets it (issue 14, item 2): run as a subprocess, hostile input.

Each test runs ``cambridge-results`` itself and checks its exit status
(docs/cli.md: 0 done, 1 a file, 2 refused, 130 interrupted), that the message
names what is wrong, that no traceback is printed, and that nothing it did
not write is touched.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from cambridge_results.cli import _parser
from cambridge_results.testing.conformance_base import StoreURL

SCRIPT = str(Path(sys.executable).with_name("cambridge-results"))
SERIES = "November 2026"


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``cambridge-results ARGS``; no run may print a traceback."""
    result = subprocess.run(
        [SCRIPT, *map(str, args)], capture_output=True, text=True, check=False, cwd=cwd, timeout=300
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def small_demo(root: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """The quickest demo: two candidates at one centre, no worker processes."""
    return run(
        "demo", "--dir", root, "--candidates", "2", "--associate-centres", "0",
        "--workers", "0", *extra,
    )  # fmt: skip


def test_the_demo_refuses_a_directory_that_is_not_empty(tmp_path: Path) -> None:
    """Issue 14: an existing results.db and an unrelated PDF stay as they were."""
    (tmp_path / "letters").mkdir()
    (tmp_path / "letters" / "mine.pdf").write_bytes(b"%PDF-1.4 not the demo's")
    (tmp_path / "results.db").write_bytes(b"someone else's database")
    refused = small_demo(tmp_path)
    assert refused.returncode == 2
    assert f"--dir {tmp_path} is not empty" in refused.stderr
    forced = small_demo(tmp_path, "--force")
    assert forced.returncode == 2
    assert f"refusing to replace {tmp_path / 'results.db'}" in forced.stderr
    assert (tmp_path / "results.db").read_bytes() == b"someone else's database"
    assert (tmp_path / "letters" / "mine.pdf").read_bytes() == b"%PDF-1.4 not the demo's"


def test_the_demo_run_again_with_force_replaces_only_its_own_files(tmp_path: Path) -> None:
    """--force deletes what the earlier demo listed in its manifest, and nothing else;
    the demo says which hasher it used (scrypt here, not argon2id)."""
    first = small_demo(tmp_path, "--hasher", "scrypt")
    assert first.returncode == 0, first.stderr
    assert "the database holds scrypt hashes" in first.stdout
    earlier = sorted((tmp_path / "letters" / "GB100").glob("*.pdf"))
    (tmp_path / "letters" / "mine.pdf").write_bytes(b"mine")
    again = small_demo(tmp_path, "--force")
    assert again.returncode == 0, again.stderr
    assert "the database holds argon2id hashes" in again.stdout
    assert (tmp_path / "letters" / "mine.pdf").read_bytes() == b"mine"
    now = sorted((tmp_path / "letters" / "GB100").glob("*.pdf"))
    assert len(now) == 1
    assert len(earlier) == 1
    assert len(PdfReader(now[0]).pages) == 2


def test_a_mistyped_db_is_an_error_naming_it_and_creates_nothing(tmp_path: Path) -> None:
    """Issue 14: outside demo and init only existing databases are opened."""
    result = run("import-entries", "--db", "reslts.db", "--as", "board:o", "x.csv", cwd=tmp_path)
    assert result.returncode == 2
    assert f"no database at {tmp_path / 'reslts.db'}" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_url_options_are_options_not_part_of_the_file_name(tmp_path: Path) -> None:
    """sqlite:///r.db?mode=ro opens r.db read-only; no file named 'r.db?mode=ro' appears."""
    missing = run("init", "--store", "sqlite:///r.db?mode=ro", cwd=tmp_path)
    assert missing.returncode == 2
    assert "r.db" in missing.stderr
    assert list(tmp_path.iterdir()) == []
    assert run("init", "--db", "r.db", cwd=tmp_path).returncode == 0
    csv_file = tmp_path / "a.csv"
    csv_file.write_text("number,name\nGB200,An Associate\n", encoding="utf-8")
    read_only = run(
        "import-associates", "--store", "sqlite:///r.db?mode=ro", "--as", "board:o", csv_file,
        cwd=tmp_path,
    )  # fmt: skip
    assert read_only.returncode == 2
    assert "readonly" in read_only.stderr
    bad = run("init", "--store", "sqlite:///r.db?cache=shared", cwd=tmp_path)
    assert bad.returncode == 2
    assert "cache=shared" in bad.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if "?" in p.name) == []


@pytest.mark.backends("sqlite", "postgresql")
def test_a_board_is_set_up_from_csv_and_letters_generated_for_named_candidates(
    store_url: StoreURL, tmp_path: Path
) -> None:
    """Issue 14: init, Associates, centres, syllabuses, entries, access and letters for
    named candidates, all from the command line, on SQLite and on a fresh PostgreSQL."""
    url = store_url(tmp_path)
    files = {
        "associates": "number,name,contact_name,email\nGB200,An Associate,Ann,ann@example.org\n",
        "centres": "number,name,associate\nGB100,Alpha School,\nGB201,Beta School,GB200\n",
        "syllabuses": (
            "syllabus,name,qualification,component,component_name,assessed_by\n"
            "0580,Mathematics,IGCSE,12,Paper 1,board\n"
            "0580,Mathematics,IGCSE,32,Paper 3,board\n"
        ),
        "entries": (
            "centre,candidate_number,given_name,family_name,uci,series,syllabus,components\n"
            + "".join(f"GB100,000{i},Ann,Lee {i},,{SERIES},0580,12 32\n" for i in range(1, 4))
        ),
    }
    for name, text in files.items():
        (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8")
    store = ("--store", url)
    assert run("init", *store).returncode == 0
    for kind in ("associates", "centres", "syllabuses"):
        done = run(f"import-{kind}", *store, "--as", "board:ops", tmp_path / f"{kind}.csv")
        assert done.returncode == 0, done.stderr
    done = run("import-entries", *store, "--as", "centre:GB100", tmp_path / "entries.csv")
    assert "imported 3 entries (3 new candidates)" in done.stdout
    access = run(
        "set-access", *store, "--as", "centre:GB100", "--centre", "GB100", "--series", SERIES,
        "--mode", "all", "--agree", "--contact-name", "Sam", "--email", "sam@example.org",
    )  # fmt: skip
    assert access.stdout.rstrip().endswith(", no delay")
    letters = run(
        "generate-letters", *store, "--as", "centre:GB100", "--centre", "GB100",
        "--series", SERIES, "--mode", "selected", "--candidate", "0001", "--candidate", "3",
        "--out", tmp_path / "out", "--workers", "0",
    )  # fmt: skip
    assert letters.returncode == 0, letters.stderr
    assert "2 letters for GB100" in letters.stdout


def test_import_entries_lists_every_bad_row_at_once(tmp_path: Path) -> None:
    """Unknown syllabus, unknown component, bad series and a malformed row in one report."""
    db = tmp_path / "r.db"
    assert run("init", "--db", db).returncode == 0
    (tmp_path / "c.csv").write_text("number,name\nGB100,Alpha\n", encoding="utf-8")
    assert run("import-centres", "--db", db, "--as", "board:o", tmp_path / "c.csv").returncode == 0
    (tmp_path / "s.csv").write_text(
        "syllabus,name,qualification,component,component_name,assessed_by\n"
        "0580,Mathematics,IGCSE,12,Paper 1,board\n",
        encoding="utf-8",
    )
    assert (
        run("import-syllabuses", "--db", db, "--as", "board:o", tmp_path / "s.csv").returncode == 0
    )
    (tmp_path / "e.csv").write_text(
        "centre,candidate_number,given_name,family_name,uci,series,syllabus,components\n"
        f"GB100,0001,Ann,Lee,,{SERIES},0610,12\n"
        f"GB100,0002,Ann,Lee,,{SERIES},0580,99\n"
        "GB100,0003,Ann,Lee,,November 2031,0580,12\n"
        f"GB100,00x4,Ann,Lee,,{SERIES},0580,12\n",
        encoding="utf-8",
    )
    result = run("import-entries", "--db", db, "--as", "centre:GB100", tmp_path / "e.csv")
    assert result.returncode == 2
    for expected in ("line 2: no syllabus 0610", "line 3: syllabus 0580 has no component 99",
                     "line 4: policy", "line 5:"):  # fmt: skip
        assert expected in result.stderr


@pytest.fixture(scope="module")
def board_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo's database."""
    root = tmp_path_factory.mktemp("board")
    assert small_demo(root).returncode == 0
    return root / "results.db"


@pytest.mark.parametrize(
    ("out", "status", "says"),
    [("afile", 2, "--out {tmp}/afile is a file"), ("/proc/nope", 1, "/proc/nope")],
)
def test_an_unusable_out_is_an_error_naming_it(
    board_db: Path, tmp_path: Path, out: str, status: int, says: str
) -> None:
    """--out naming a file, or a directory that cannot be made: the path, no traceback."""
    (tmp_path / "afile").write_text("keep", encoding="utf-8")
    target = tmp_path / out if out == "afile" else Path(out)
    result = run(
        "generate-letters", "--db", board_db, "--as", "centre:GB100", "--centre", "GB100",
        "--series", SERIES, "--mode", "all", "--out", target, "--workers", "0",
    )  # fmt: skip
    assert result.returncode == status
    assert says.format(tmp=tmp_path) in result.stderr
    assert (tmp_path / "afile").read_text(encoding="utf-8") == "keep"


def test_a_refusal_cites_its_rule_once(board_db: Path, tmp_path: Path) -> None:
    """ASC-07: '[ASC-07.not-your-centre]' alone, not '[ASC-07] [ASC-07.not-your-centre]'."""
    result = run(
        "generate-letters", "--db", board_db, "--as", "centre:GB999", "--centre", "GB100",
        "--series", SERIES, "--out", tmp_path / "o", "--workers", "0",
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.startswith("error: [ASC-07.not-your-centre] ")


def test_ctrl_c_exits_130_without_a_traceback(tmp_path: Path) -> None:
    """Issue 14: an interrupted demo (workers busy) ends with status 130 and one line.

    The demo is started with Ctrl-C's default disposition, as a terminal's shell
    starts it: a test run started in the background (``cmd &`` in a script)
    inherits SIGINT ignored, and a Python started with SIGINT ignored keeps it
    ignored, so the demo would rightly run to its end.
    """
    inherited = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:  # a handled signal is reset to its default in the new program; an ignored one is not
        process = subprocess.Popen(
            [SCRIPT, "demo", "--dir", str(tmp_path), "--candidates", "400", "--workers", "2"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    finally:
        signal.signal(signal.SIGINT, inherited)
    time.sleep(4)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130
    assert "Traceback" not in stderr
    assert "interrupted" in stderr


def test_every_option_of_every_command_has_help() -> None:
    """Issue 14: `--help` explains each option."""
    parser = _parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    missing = [
        f"{name} {action.dest}"
        for name, command in sub.choices.items()
        for action in command._actions
        if not action.help
    ]
    assert missing == []
    assert all(a.help for a in parser._actions)
