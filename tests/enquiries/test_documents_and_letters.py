"""Documents and letters of enquiries: PDFs checked, stored, released and combined (EAR-10, 16).

Letters are read back with pypdf and compared with golden text
(``golden/*.txt``, rewritten with ``UPDATE_GOLDEN=1``); one is rasterised with
poppler's ``pdftoppm`` as a check that another PDF reader draws it.
"""

from __future__ import annotations

import difflib
import io
import os
import shutil
import struct
import subprocess
from pathlib import Path

import attrs
import pytest
from ear_board import AC_OFFICER, ASSOCIATE, BOARD, CENTRE, MATHS, OFFICER, POLICY
from pypdf import PdfReader, PdfWriter
from stored_board import (
    ISSUED,
    RENDERER,
    acknowledged,
    letters,
    make_pdf,
    outcome_for,
    submit_new,
)

from cambridge_results.enquiries import (
    DocumentKind,
    Enquiries,
    EnquiryStatus,
    OutcomeRequest,
    UploadRequest,
)
from cambridge_results.enquiries.documents import DocumentSource, check_pdf
from cambridge_results.enquiries.errors import InvalidDocument
from cambridge_results.enquiries.letters import acknowledgement_letter
from cambridge_results.errors import EnquiryRefused, NotFound
from cambridge_results.rendering.fonts import UnrenderableText
from cambridge_results.rules.enquiries import workflow as wf
from cambridge_results.storage.port import Store
from cambridge_results.values import Candidate, CandidateNumber

GOLDEN = Path(__file__).parent / "golden"


def page_texts(pdf: bytes) -> list[str]:
    """The text of every page, as pypdf reads it back."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def assert_matches_golden(name: str, actual: str) -> None:
    """Compare with a committed golden text; ``UPDATE_GOLDEN=1`` rewrites it."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "\n".join(
            difflib.unified_diff(
                expected.splitlines(),
                actual.splitlines(),
                f"golden/{name}",
                "rendered",
                lineterm="",
            )
        )
        pytest.fail(f"letter text differs from golden/{name}:\n{diff}")


def test_the_acknowledgement_letter_matches_the_golden_text() -> None:
    """EAR-08, 14, 15, 16: due date, free changes, fee and error deadline, read back by pypdf."""
    ack, _ = letters()
    (text,) = page_texts(ack)
    assert_matches_golden("acknowledgement.txt", text)


def test_the_outcome_letter_matches_the_golden_text() -> None:
    """EAR-23, 15, 20: marks before, reviewed and after; grades; waiver; appeals."""
    _, out = letters()
    (text,) = page_texts(out)
    assert_matches_golden("outcome.txt", text)


def test_letters_are_byte_reproducible_and_their_metadata_names_no_person() -> None:
    """The same letter renders to the same bytes; title and date only, no candidate name."""
    first, second = letters(), letters()
    assert first == second
    for pdf in first:
        metadata = PdfReader(io.BytesIO(pdf)).metadata
        assert metadata is not None
        assert metadata.title is not None
        assert metadata.title.startswith("Enquiry about results")
        assert metadata.creation_date is not None
        assert all("Zoë" not in str(v) for v in metadata.values())


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler's pdftoppm is not installed")
def test_poppler_draws_the_outcome_letter_as_one_a4_page(tmp_path: Path) -> None:
    """Another reader than pypdf opens the letter: pdftoppm -r 60 draws one A4 page."""
    _, out = letters()
    (tmp_path / "out.pdf").write_bytes(out)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(tmp_path / "out.pdf"), str(tmp_path / "page")],
        check=True,
        capture_output=True,
        timeout=60,
    )
    (png,) = sorted(tmp_path.glob("page*.png"))
    header = png.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    # A4 at 60 dpi is 496.06 x 701.57 pixels; poppler rounds up.
    assert struct.unpack(">II", header[16:24]) == (497, 702)


def test_names_in_any_bundled_script_are_drawn_with_the_fallback_fonts() -> None:
    """Arabic and Devanagari names are shaped with the bundled fallback fonts (SPEC section 5)."""
    draft = wf.create(
        POLICY,
        enquiry_id="e-scripts",
        centre=CENTRE,
        series="June 2023",
        service="1",
        syllabus="0580",
        components=("12",),
        candidates=("0002",),
        principal=OFFICER,
        now=ISSUED,
    ).enquiry
    sent = attrs.evolve(draft, status=EnquiryStatus.SUBMITTED, arrived_at=ISSUED, queued_at=ISSUED)
    received = wf.receive(POLICY, sent, number="E23-000043", principal=BOARD, now=ISSUED).enquiry
    names = {CandidateNumber.parse("0002"): "محمد प्रिया"}
    letter = acknowledgement_letter(
        POLICY, received, centre=CENTRE, syllabus=MATHS, names=names, now=ISSUED
    )
    reader = PdfReader(io.BytesIO(RENDERER.render(letter)))
    fonts = {str(font["/BaseFont"]) for font in reader.pages[0]["/Resources"]["/Font"].values()}
    assert any("NotoSansArabic" in f for f in fonts)
    assert any("NotoSansDevanagari" in f for f in fonts)


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ("%PDF-1.4 text, not bytes", "must be the bytes of a PDF"),
        (b"", "empty"),
        (b"PK\x03\x04 a zip file", "no %PDF- header"),
        (b"%PDF-1.7\n1 0 obj garbage", "cannot be read"),
    ],
)
def test_an_upload_that_is_not_a_readable_pdf_is_an_invalid_document(
    content: object, why: str
) -> None:
    """EAR-10: a typed InvalidDocument (an InvalidValue) naming the problem."""
    with pytest.raises(InvalidDocument, match=why) as refused:
        check_pdf(content)
    assert (refused.value.field, refused.value.rule) == ("document", "EAR-10")


def test_truncated_encrypted_and_oversized_pdfs_are_refused() -> None:
    """EAR-10: half a PDF, a password-protected one and one over the size limit are refused."""
    good = make_pdf("Copy of script", pages=2)
    assert check_pdf(good) == 2
    with pytest.raises(InvalidDocument, match="cannot be read"):
        check_pdf(good[: len(good) // 3])
    writer = PdfWriter(clone_from=io.BytesIO(good))
    writer.encrypt("secret")
    locked = io.BytesIO()
    writer.write(locked)
    with pytest.raises(InvalidDocument, match="encrypted"):
        check_pdf(locked.getvalue())
    with pytest.raises(InvalidDocument, match="at most 100 are accepted"):
        check_pdf(good, max_bytes=100)


def test_a_bad_upload_stores_nothing(enquiries: Enquiries) -> None:
    """EAR-10: the enquiry, its documents and its history are unchanged."""
    acked = acknowledged(enquiries, submit_new(enquiries, service="2S").enquiry.id)
    before = enquiries.history(BOARD, acked.id)
    with pytest.raises(InvalidDocument):
        enquiries.upload_document(
            BOARD,
            UploadRequest(
                enquiry_id=acked.id, kind=DocumentKind.COPY_OF_SCRIPT, pdf=b"%PDF-1.4 broken"
            ),
        )
    assert enquiries.get(BOARD, acked.id) == acked
    assert [d.kind for d in enquiries.documents(BOARD, acked.id)] == [DocumentKind.ACKNOWLEDGEMENT]
    assert enquiries.history(BOARD, acked.id) == before


def test_a_copy_of_the_script_and_the_outcome_letter_complete_the_enquiry(
    enquiries: Enquiries,
) -> None:
    """EAR-10: 2S is Completed only with Out and Cos; a report is not one of its documents."""
    acked = acknowledged(enquiries, submit_new(enquiries, service="2S").enquiry.id)
    scan = make_pdf("Candidate 0001, Paper 1", pages=3)
    with pytest.raises(EnquiryRefused) as refused:
        enquiries.upload_document(
            BOARD, UploadRequest(enquiry_id=acked.id, kind=DocumentKind.REPORT, pdf=scan)
        )
    assert refused.value.codes == ("EAR-10.not-applicable",)
    enquiries.context.clock.advance(days=3)
    recorded = enquiries.record_outcome(
        BOARD, OutcomeRequest(enquiry_id=acked.id, outcome=outcome_for(enquiries, acked, change=1))
    )
    assert recorded.enquiry.status is EnquiryStatus.ACKNOWLEDGED
    enquiries.context.clock.advance(days=1)
    done = enquiries.upload_document(
        BOARD, UploadRequest(enquiry_id=acked.id, kind=DocumentKind.COPY_OF_SCRIPT, pdf=scan)
    ).enquiry
    assert done.status is EnquiryStatus.COMPLETED
    listed = enquiries.documents(OFFICER, acked.id)
    assert [(d.kind.value, d.pages, d.source) for d in listed] == [
        ("Ack", 1, DocumentSource.RENDERED),
        ("Out", 1, DocumentSource.RENDERED),
        ("Cos", 3, DocumentSource.UPLOADED),
    ]
    assert listed[2].file_name == f"{acked.id}_Cos.pdf"
    assert enquiries.document(OFFICER, acked.id, DocumentKind.COPY_OF_SCRIPT).content == scan


def test_all_of_an_enquirys_documents_combine_into_one_pdf_with_bookmarks(
    enquiries: Enquiries,
) -> None:
    """EAR-10: Ack, Out and Cos in that order, each a bookmark; pages add up."""
    acked = acknowledged(enquiries, submit_new(enquiries, service="1S").enquiry.id)
    enquiries.upload_document(
        BOARD,
        UploadRequest(
            enquiry_id=acked.id, kind=DocumentKind.COPY_OF_SCRIPT, pdf=make_pdf("Script", pages=2)
        ),
    )
    enquiries.record_outcome(
        BOARD, OutcomeRequest(enquiry_id=acked.id, outcome=outcome_for(enquiries, acked, change=0))
    )
    reader = PdfReader(io.BytesIO(enquiries.combined_documents(OFFICER, acked.id)))
    assert len(reader.pages) == 4
    assert [o.title for o in reader.outline] == [
        "Ack: Acknowledgement letter",
        "Out: Outcome letter",
        "Cos: Copy of script",
    ]
    assert "acknowledgement" in reader.pages[0].extract_text()
    assert "outcome" in reader.pages[1].extract_text()
    assert "Script" in reader.pages[3].extract_text()
    assert reader.metadata is not None
    assert reader.metadata.title == "Enquiry about results E23-000001"


def test_an_associate_centre_downloads_only_what_was_released(enquiries: Enquiries) -> None:
    """EAR-16: the combined PDF of an Associate Centre holds the released documents only."""
    sent = submit_new(enquiries, ASSOCIATE, centre="NG456").enquiry
    acked = acknowledged(enquiries, sent.id)
    enquiries.record_outcome(
        BOARD, OutcomeRequest(enquiry_id=sent.id, outcome=outcome_for(enquiries, acked, change=0))
    )
    enquiries.release_document(ASSOCIATE, sent.id, DocumentKind.OUTCOME)
    theirs = PdfReader(io.BytesIO(enquiries.combined_documents(AC_OFFICER, sent.id)))
    everything = PdfReader(io.BytesIO(enquiries.combined_documents(ASSOCIATE, sent.id)))
    assert [o.title for o in theirs.outline] == ["Out: Outcome letter"]
    assert len(everything.pages) == 2
    fresh = submit_new(enquiries, ASSOCIATE, centre="NG456", candidates=("0002",)).enquiry
    with pytest.raises(NotFound):
        enquiries.combined_documents(AC_OFFICER, fresh.id)


def test_the_board_may_upload_its_own_acknowledgement_letter(enquiries: Enquiries) -> None:
    """EAR-10: an uploaded letter is checked like any document and stored as uploaded."""
    sent = submit_new(enquiries).enquiry
    enquiries.receive(BOARD, sent.id)
    with pytest.raises(InvalidDocument):
        enquiries.acknowledge(BOARD, sent.id, letter=b"not a pdf")
    assert enquiries.get(BOARD, sent.id).status is EnquiryStatus.RECEIVED
    own = make_pdf("Our own acknowledgement")
    enquiries.acknowledge(BOARD, sent.id, letter=own)
    (info,) = enquiries.documents(OFFICER, sent.id)
    assert (info.source, info.uploaded_by) == (DocumentSource.UPLOADED, "board:j.smith")
    assert enquiries.document(OFFICER, sent.id, DocumentKind.ACKNOWLEDGEMENT).content == own


def test_a_name_no_font_can_draw_stops_the_acknowledgement_before_anything_is_stored(
    board: Store, enquiries: Enquiries
) -> None:
    """SPEC section 5: UnrenderableText naming code points, not the name; nothing written."""
    with board.unit_of_work(actor="board:seed") as uow:
        uow.candidates.save(
            Candidate(centre="GB123", number="0004", given_name="Mei", family_name="王")
        )
    sent = submit_new(enquiries, candidates=("0004",)).enquiry
    received = enquiries.receive(BOARD, sent.id)
    with pytest.raises(UnrenderableText) as refused:
        enquiries.acknowledge(BOARD, sent.id)
    assert "U+738B" in str(refused.value)
    assert "王" not in str(refused.value)
    assert enquiries.get(BOARD, sent.id) == received
    assert enquiries.documents(BOARD, sent.id) == []
