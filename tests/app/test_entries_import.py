"""Importing entries from CSV: every bad row reported by line, nothing written (issue 3)."""

from __future__ import annotations

from pathlib import Path

import pendulum
import pytest

from cambridge_results.clock import FixedClock
from cambridge_results.context import Context
from cambridge_results.entries_import import ImportRejected, import_entries, import_entries_file
from cambridge_results.policy import example_2026
from cambridge_results.principals import BoardStaff, CentreOfficer
from cambridge_results.sample_board import sample_board, store_sample_board
from cambridge_results.storage.port import Store

NOW = pendulum.datetime(2026, 4, 1, 9, tz="UTC")
HEADER = "centre,candidate_number,given_name,family_name,uci,series,syllabus,components\n"


def _context(store: Store) -> Context:
    """The store with the example policy and a clock at NOW."""
    return Context(store=store, policy=example_2026(), clock=FixedClock(NOW))


@pytest.fixture
def store(store: Store) -> Store:
    """The harness's store (every backend) holding the sample board, two candidates a centre."""
    store_sample_board(_context(store), sample_board(candidates_per_centre=2))
    return store


def _snapshot(store: Store) -> tuple[int, int, int]:
    with store.unit_of_work(actor="board:test", read_only=True) as uow:
        return (uow.count("candidates"), uow.count("entries"), uow.count("events"))


def test_good_rows_add_candidates_and_entries_with_an_event_per_centre(store: Store) -> None:
    """A clean file adds new candidates once and one entry per row, and records who did it."""
    text = HEADER + (
        "GB100,713,Zoë,Øster,,June 2026,0580,12 32\n"
        "GB100,0713,Zoë,Øster,,2026-06,0610,22 42\n"
        "GB100,0900,محمد,العلي,GB1002600900A,June 2026,0580,12\n"
    )
    before = _snapshot(store)
    report = import_entries(_context(store), text, principal=CentreOfficer(centre="GB100"))
    assert (report.candidates_added, report.entries_added) == (2, 3)
    assert _snapshot(store) == (before[0] + 2, before[1] + 3, before[2] + 1)
    with store.unit_of_work(actor="board:test", read_only=True) as uow:
        assert [
            str(e.syllabus) for e in uow.entries.for_candidate("GB100", "June 2026", "0713")
        ] == [
            "0580",
            "0610",
        ]
        event = uow.events.history("centre:GB100")[-1]
    assert (event.kind, event.actor, event.details) == (
        "entries-imported",
        "centre:GB100",
        {"rows": 3},
    )


def test_every_bad_row_is_reported_by_line_and_nothing_is_written(store: Store) -> None:
    """Bad input anywhere in the file: all problems listed with line numbers, storage unchanged."""
    text = HEADER + (
        "GB100,0801,Ann,Lee,,June 2026,0580,12\n"  # fine on its own
        "GB100,\uff11\uff12\uff13\uff14,Ann,Lee,,June 2026,0580,12\n"  # full-width digits
        "GB100,0802,Ann\u202e,Lee,,June 2026,0580,12\n"  # bidi override
        "GB100,0803,Ann,Lee,,Juny 2026,0580,12\n"  # series
        "GB100,0804,Ann,Lee,,June 2026,0580,99\n"  # component not in syllabus
        "GB100,0801,Ann,Lee,,June 2026,0580,12\n"  # duplicate of line 2
        "GB100,0805,Ann\n"  # too few fields
    )
    before = _snapshot(store)
    with pytest.raises(ImportRejected) as caught:
        import_entries(_context(store), text, principal=BoardStaff(staff_id="ops"))
    lines = [p.line for p in caught.value.problems]
    assert lines == [3, 4, 5, 6, 7, 8]
    assert "candidate_number" in caught.value.problems[0].message
    assert "U+202E" in caught.value.problems[1].message
    assert "syllabus 0580 has no component 99" in caught.value.problems[3].message
    assert _snapshot(store) == before


def test_rows_bad_in_the_file_and_against_the_store_are_reported_in_one_run(
    store: Store,
) -> None:
    """Issue 14: a malformed row, an unknown syllabus, an unknown component and a series the
    policy has no calendar for are all listed by one import, not one per run."""
    text = HEADER + (
        "GB100,08x0,Ann,Lee,,June 2026,0580,12\n"
        "GB100,0841,Ann,Lee,,June 2026,9999,12\n"
        "GB100,0842,Ann,Lee,,June 2026,0610,77\n"
        "GB100,0843,Ann,Lee,,November 2031,0580,12\n"
    )
    before = _snapshot(store)
    with pytest.raises(ImportRejected) as caught:
        import_entries(_context(store), text, principal=BoardStaff(staff_id="ops"))
    messages = {p.line: p.message for p in caught.value.problems}
    assert sorted(messages) == [2, 3, 4, 5]
    assert "no syllabus 9999" in messages[3]
    assert "no component 77" in messages[4]
    assert "no calendar for November 2031" in messages[5]
    assert _snapshot(store) == before


def test_problems_found_only_against_the_store_also_leave_it_unchanged(store: Store) -> None:
    """Unknown centre or syllabus, or an entry already stored: reported by line, nothing kept."""
    text = HEADER + (
        "GB100,0810,Ann,Lee,,June 2026,0580,12\n"
        "GB999,0811,Ann,Lee,,June 2026,0580,12\n"
        "GB100,0812,Ann,Lee,,June 2026,9999,12\n"
        "GB100,0001,Someone,Else,,June 2026,0580,12\n"
    )
    before = _snapshot(store)
    with pytest.raises(ImportRejected) as caught:
        import_entries(_context(store), text, principal=BoardStaff(staff_id="ops"))
    assert [p.line for p in caught.value.problems] == [3, 4, 5]
    assert "GB999" in caught.value.problems[0].message
    assert "9999" in caught.value.problems[1].message
    assert _snapshot(store) == before


def test_a_centre_may_import_only_its_own_candidates(store: Store) -> None:
    """A centre's exams officer importing another centre's rows is refused (ASC-07)."""
    text = HEADER + "GB201,0820,Ann,Lee,,June 2026,0580,12\n"
    with pytest.raises(ImportRejected, match="may not import entries for centre GB201"):
        import_entries(_context(store), text, principal=CentreOfficer(centre="GB100"))


def test_a_wrong_header_is_one_problem_on_line_one(store: Store) -> None:
    """Missing and unknown columns are named."""
    with pytest.raises(ImportRejected) as caught:
        import_entries(
            _context(store), "centre,name\nGB100,x\n", principal=BoardStaff(staff_id="o")
        )
    (problem,) = caught.value.problems
    assert problem.line == 1
    assert "missing columns candidate_number" in problem.message
    assert "unknown columns name" in problem.message


def test_a_file_with_a_byte_order_mark_imports(store: Store, tmp_path: Path) -> None:
    """Spreadsheet exports often start with a BOM; the header still reads."""
    path = tmp_path / "entries.csv"
    path.write_text(HEADER + "GB100,0830,Ann,Lee,,June 2026,0580,12\n", encoding="utf-8-sig")
    report = import_entries_file(_context(store), path, principal=BoardStaff(staff_id="o"))
    assert report.entries_added == 1


def test_an_unreadable_file_is_reported_not_raised_as_oserror(store: Store, tmp_path: Path) -> None:
    """A missing file is an ImportRejected naming it."""
    with pytest.raises(ImportRejected, match="cannot read"):
        import_entries_file(
            _context(store), tmp_path / "missing.csv", principal=BoardStaff(staff_id="o")
        )


@pytest.mark.parametrize(
    "text",
    ['"centre,candidate_number', HEADER.replace("uci", '"uci'), 'centre,"x\n1,2\n'],
    ids=["first column", "middle column", "header then rows"],
)
def test_a_header_with_an_unterminated_quote_is_a_rejection_on_line_1(
    store: Store, text: str
) -> None:
    """Issue 14: bad CSV in the header row is ImportRejected naming the line, not _csv.Error."""
    before = _snapshot(store)
    with pytest.raises(ImportRejected) as caught:
        import_entries(_context(store), text, principal=BoardStaff(staff_id="s1"))
    (problem,) = caught.value.problems
    assert problem.line >= 1
    assert "not valid CSV" in problem.message
    assert _snapshot(store) == before
