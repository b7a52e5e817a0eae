"""Letters as a use case on every backend: list and open a centre's letters (ASC-07, CRW-10).

Letters are written through the website's letter store, owner-only, and
listed from what the store's event log recorded about each run.
"""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path
from typing import BinaryIO

import pytest
from pypdf import PdfReader
from website_store_support import (
    ASSOCIATE,
    ASSOCIATE_CONTACT,
    MAIN,
    OTHER,
    POLICY,
    SERIES,
    SUB,
    all_request,
    assoc,
    clock,
    login_details,
    snapshot,
    web,
)

from cambridge_results.associates import AssociateContactChange, AssociateDefaults
from cambridge_results.errors import InvalidValue, NotFound, PermissionDenied
from cambridge_results.principals import BoardStaff, CandidateUser, CentreOfficer, Principal
from cambridge_results.storage.port import Store
from cambridge_results.values.access import ContactChoice
from cambridge_results.website import (
    DirectoryLetterStore,
    GenerationReport,
    GenerationRequest,
    LetterStore,
    Website,
)

OTHER_SUB = CentreOfficer(centre="GB201")


class CountingLetterStore(DirectoryLetterStore):
    """A directory store that remembers which files were opened (a real store, no mock)."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.opened: list[str] = []

    def open(self, name: str) -> BinaryIO:
        """Open as the directory store does, and remember the name."""
        self.opened.append(name)
        return super().open(name)


@pytest.fixture
def letters(tmp_path: Path) -> CountingLetterStore:
    """The app's letter store: a directory that does not exist yet."""
    return CountingLetterStore(tmp_path / "private" / "letters")


def website(store: Store, letters: LetterStore) -> Website:
    """The website with the cheap hasher, no workers and ``letters`` as its letter store."""
    return web(
        store, clock=clock(), policy=POLICY, hasher_name="test-cheap", workers=0, letters=letters
    )


def generate(
    store: Store, letters: LetterStore, principal: Principal, *centres: str
) -> GenerationReport:
    """One ALL run into the website's letter store (no ``out_dir``)."""
    return website(store, letters).generate_letters(
        principal, GenerationRequest(centres=centres, series=SERIES, mode="all")
    )


@pytest.fixture
def generated(board: Store, letters: CountingLetterStore) -> GenerationReport:
    """GB100 chose ALL and generated its six letters into the letter store."""
    website(board, letters).set_access(MAIN, "GB100", SERIES, all_request())
    return generate(board, letters, MAIN, "GB100")


def test_a_centre_lists_its_runs_from_what_the_store_recorded(
    board: Store, letters: CountingLetterStore, generated: GenerationReport
) -> None:
    """CRW-10: the run's number, series, letters and files, without opening any file."""
    (run,) = website(board, letters).list_letters(MAIN, "GB100", SERIES)
    assert run.run == generated.run
    assert str(run.series) == "June 2026"
    assert run.printed == 6
    assert run.combined_pdfs == tuple(p.name for p in generated.combined_pdfs)
    assert generated.zip_file is not None
    assert run.zip_file == generated.zip_file.name
    assert set(letters.list()) == set(run.files)
    assert letters.opened == []


def test_letter_files_are_readable_by_their_owner_only(
    letters: CountingLetterStore, generated: GenerationReport
) -> None:
    """CRW-13: files 0600, and the directories the store made 0700, whatever the umask."""
    assert stat.S_IMODE(letters.root.stat().st_mode) == 0o700
    assert stat.S_IMODE(letters.root.parent.stat().st_mode) == 0o700
    for name in letters.list():
        assert stat.S_IMODE((letters.root / name).stat().st_mode) == 0o600


def test_letters_written_to_an_out_dir_are_owner_only_too(board: Store, tmp_path: Path) -> None:
    """CRW-13: a request's own out_dir gets the same modes as the letter store."""
    web(board, clock=clock(), policy=POLICY).set_access(MAIN, "GB100", SERIES, all_request())
    out = tmp_path / "out"
    report = web(
        board, clock=clock(), policy=POLICY, hasher_name="test-cheap", workers=0
    ).generate_letters(
        MAIN, GenerationRequest(centres="GB100", series=SERIES, mode="all", out_dir=out)
    )
    assert report.zip_file is not None
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    for path in (*report.combined_pdfs, report.zip_file):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_centre_opens_the_combined_pdf_the_zip_and_one_candidates_letter(
    board: Store, letters: CountingLetterStore, generated: GenerationReport
) -> None:
    """CRW-10: a page per candidate; the zip holds one PDF each; one letter is one page."""
    site = website(board, letters)
    (run,) = site.list_letters(MAIN, "GB100")
    combined = site.open_letters(MAIN, "GB100", run.combined_pdfs[0])
    assert len(PdfReader(io.BytesIO(combined)).pages) == 6
    assert run.zip_file is not None
    with zipfile.ZipFile(io.BytesIO(site.open_letters(MAIN, "GB100", run.zip_file))) as archive:
        assert len(archive.namelist()) == 6
        expected = archive.read(f"GB100_{SERIES}_0102.pdf")
    single = site.open_candidate_letter(MAIN, "GB100", SERIES, "0102")
    assert single == expected
    assert len(PdfReader(io.BytesIO(single)).pages) == 1
    ((username, password),) = login_details(single)
    assert username
    assert password


def test_the_associate_opens_the_letters_of_its_associate_centre(
    board: Store, letters: CountingLetterStore
) -> None:
    """ASC-07: the Associate may open any of its Associate Centres' letters."""
    _associate_defaults(board)
    site = website(board, letters)
    site.set_access(SUB, "GB200", SERIES, all_request())
    generate(board, letters, SUB, "GB200")
    (run,) = site.list_letters(ASSOCIATE, "GB200", SERIES)
    assert (
        len(
            PdfReader(io.BytesIO(site.open_letters(ASSOCIATE, "GB200", run.combined_pdfs[0]))).pages
        )
        == 4
    )


@pytest.mark.parametrize(
    "who",
    [
        OTHER,
        CandidateUser(centre="GB100", number="0101"),
        BoardStaff(staff_id="helpdesk"),
        ASSOCIATE,  # GB100 is not one of its Associate Centres
    ],
    ids=["another-centre", "a-candidate", "board-staff", "another-associate"],
)
def test_anyone_but_the_centre_and_its_associate_is_refused_citing_asc_07_and_nothing_is_read(
    board: Store, letters: CountingLetterStore, generated: GenerationReport, who: Principal
) -> None:
    """ASC-07: listing, opening a file or a candidate's letter: a typed error, no file opened."""
    site = website(board, letters)
    (run,) = site.list_letters(MAIN, "GB100")
    before = snapshot(board)
    attempts = [
        lambda: site.list_letters(who, "GB100"),
        lambda: site.open_letters(who, "GB100", run.combined_pdfs[0]),
        lambda: site.open_candidate_letter(who, "GB100", SERIES, "0101"),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied) as info:
            attempt()
        assert info.value.rule == "ASC-07"
        assert "[ASC-07" in str(info.value)
    assert letters.opened == []
    assert snapshot(board) == before


def test_a_file_no_run_of_the_centre_made_is_not_found_and_nothing_is_read(
    board: Store, letters: CountingLetterStore, generated: GenerationReport
) -> None:
    """CRW-10: only recorded files open; a path is not a name; no file is opened for either."""
    site = website(board, letters)
    with pytest.raises(NotFound):
        site.open_letters(MAIN, "GB100", "2026-06_run999999.pdf")
    with pytest.raises(InvalidValue):
        site.open_letters(MAIN, "GB100", "../website.db")
    with pytest.raises(NotFound):
        site.open_candidate_letter(MAIN, "GB100", "November 2026", "0101")
    assert letters.opened == []


def _associate_defaults(board: Store) -> None:
    """AS001 uses defaults: its Associate Centres get access with the Associate as contact."""
    assoc(board, clock=clock()).set_contact(
        ASSOCIATE,
        AssociateContactChange(
            associate="AS001", name=ASSOCIATE_CONTACT.name, email=ASSOCIATE_CONTACT.email
        ),
    )
    assoc(board, clock=clock(), policy=POLICY).set_defaults(
        ASSOCIATE,
        AssociateDefaults(
            associate="AS001",
            series=SERIES,
            use_defaults=True,
            default_contact=ContactChoice.DEFAULT,
        ),
    )


def test_a_centre_may_not_open_the_combined_files_of_its_associates_run_for_several_centres(
    board: Store, letters: CountingLetterStore
) -> None:
    """ASC-07: they hold other centres' passwords; the centre opens its letters one by one."""
    _associate_defaults(board)
    site = website(board, letters)
    for centre in ("GB200", "GB201"):
        site.set_access(SUB if centre == "GB200" else OTHER_SUB, centre, SERIES, all_request())
    generate(board, letters, ASSOCIATE, "GB200", "GB201")
    (run,) = site.list_letters(SUB, "GB200", SERIES)
    assert set(map(str, run.centres)) == {"GB200", "GB201"}
    with pytest.raises(PermissionDenied) as info:
        site.open_letters(SUB, "GB200", run.combined_pdfs[0])
    assert info.value.rule == "ASC-07"
    assert letters.opened == []
    single = site.open_candidate_letter(SUB, "GB200", SERIES, "0101")
    assert len(PdfReader(io.BytesIO(single)).pages) == 1
    both = site.open_letters(ASSOCIATE, "GB200", run.combined_pdfs[0])
    assert len(PdfReader(io.BytesIO(both)).pages) == 6  # GB200's four and GB201's two


def test_a_request_without_out_dir_needs_the_websites_letter_store(board: Store) -> None:
    """CRW-10: no out_dir and no letter store is an InvalidValue; storage is unchanged."""
    web(board, clock=clock(), policy=POLICY).set_access(MAIN, "GB100", SERIES, all_request())
    before = snapshot(board)
    site = web(board, clock=clock(), policy=POLICY, hasher_name="test-cheap", workers=0)
    with pytest.raises(InvalidValue) as info:
        site.generate_letters(MAIN, GenerationRequest(centres="GB100", series=SERIES, mode="all"))
    assert info.value.rule == "CRW-10"
    assert snapshot(board) == before
