"""Uploads are checked by combining them with pypdf; combining never leaks pypdf (EAR-10).

The fuzz test mutates real PDFs (an acknowledgement letter the library
renders, a multi-page PDF pypdf wrote, one with an outline) by bit flips,
truncations, inserted and deleted bytes: every mutation is either refused
with :class:`InvalidDocument` or combines with the others.  The bounds on
the work one upload may cause (pages, object streams, decoded bytes,
nesting) are each shown to refuse.
"""

from __future__ import annotations

import functools
import io
import zlib

import pendulum
import pytest
from ear_board import BOARD, OFFICER
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter
from stored_board import acknowledged, letters, make_pdf, submit_new

from cambridge_results.enquiries import DocumentKind, Enquiries, UploadRequest
from cambridge_results.enquiries.documents import (
    MAX_DECODED_STREAM_BYTES,
    MAX_OBJECT_STREAMS,
    check_pdf,
    combine_pdfs,
    digest,
)
from cambridge_results.enquiries.errors import InvalidDocument
from cambridge_results.enquiries.repositories import EnquiryRecords
from cambridge_results.enquiries.tables import DOCUMENTS
from cambridge_results.storage.port import Store

CREATED = pendulum.datetime(2023, 9, 4, 10, 15, tz="UTC")


def pypdf_made(pages: int, *, outline: bool = False) -> bytes:
    """A PDF pypdf wrote (compressed content streams), optionally with one outline item a page."""
    writer = PdfWriter(clone_from=io.BytesIO(make_pdf("Copy of script", "Page", pages=pages)))
    for page in writer.pages:
        page.compress_content_streams()
    if outline:
        for number in range(pages):
            writer.add_outline_item(title=f"Question {number + 1}", page_number=number)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@functools.cache
def originals() -> tuple[bytes, bytes, bytes]:
    """The acknowledgement letter, a 3-page pypdf-made PDF, and a 2-page one with an outline."""
    ack, _ = letters()
    return ack, pypdf_made(3), pypdf_made(2, outline=True)


def page_count(pdf: bytes) -> int:
    """The pages pypdf reads back."""
    return len(PdfReader(io.BytesIO(pdf)).pages)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """One of the originals with one to four bit flips, truncations, insertions or deletions."""
    data = bytearray(draw(st.sampled_from(originals())))
    for _ in range(draw(st.integers(1, 4))):
        if len(data) < 2:
            break
        where = draw(st.integers(0, len(data) - 1))
        match draw(st.sampled_from(("flip", "truncate", "insert", "delete"))):
            case "flip":
                data[where] ^= 1 << draw(st.integers(0, 7))
            case "truncate":
                del data[max(where, 1) :]
            case "insert":
                data[where:where] = draw(st.binary(min_size=1, max_size=16))
            case _:
                del data[where : where + draw(st.integers(1, 64))]
    return bytes(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_a_damaged_pdf_is_refused_at_upload_or_combines_with_the_others(pdf: bytes) -> None:
    """EAR-10: check_pdf raises InvalidDocument, or combine_pdfs takes it beside real PDFs."""
    try:
        pages = check_pdf(pdf)
    except InvalidDocument:
        return
    ack, multi, outlined = originals()
    parts = [("Ack", ack), ("Upload", pdf), ("Multi", multi), ("Outline", outlined)]
    combined = combine_pdfs(parts, title="Enquiry about results", created=CREATED)
    assert page_count(combined) == page_count(ack) + pages + 3 + 2


def test_the_originals_of_the_fuzz_test_are_accepted_with_their_pages() -> None:
    """EAR-10: the undamaged PDFs pass the check (so the fuzz test mutates good input)."""
    assert [check_pdf(pdf) for pdf in originals()] == [1, 3, 2]
    assert len(PdfReader(io.BytesIO(originals()[2])).outline) == 2


def test_a_stored_document_pypdf_cannot_combine_is_a_typed_error_naming_it() -> None:
    """EAR-10: combining never lets a pypdf error out; the InvalidDocument names the part."""
    ack, multi, _ = originals()
    broken = multi[: len(multi) // 2]
    with pytest.raises(InvalidDocument, match="stored document 'Report' cannot be read"):
        combine_pdfs([("Ack", ack), ("Report", broken)], title="t", created=CREATED)


def test_combined_documents_with_a_damaged_stored_document_is_an_invalid_document(
    enquiries: Enquiries, board: Store
) -> None:
    """EAR-10: a document stored before this check (damaged by hand here) never leaks pypdf."""
    acked = acknowledged(enquiries, submit_new(enquiries, service="2S").enquiry.id)
    _, multi, _ = originals()
    broken = multi[: len(multi) // 2]
    key = (acked.id, DocumentKind.ACKNOWLEDGEMENT.value)
    with board.unit_of_work(actor=str(BOARD)) as uow:
        assert uow.update(DOCUMENTS, key, {"content": broken, "sha256": digest(broken)})
    with pytest.raises(InvalidDocument, match="stored document 'Ack: Acknowledgement letter'"):
        enquiries.combined_documents(BOARD, acked.id)


def test_a_document_with_more_pages_than_the_bound_is_refused() -> None:
    """EAR-10: the page bound (MAX_DOCUMENT_PAGES, here lowered to 2) refuses a 3-page PDF."""
    _, multi, _ = originals()
    with pytest.raises(InvalidDocument, match="3 pages; at most 2"):
        check_pdf(multi, max_pages=2)


def raw_pdf(objects: list[bytes], *, root: int) -> bytes:
    """A PDF of numbered ``objects`` (bodies) with a classic cross-reference table."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\n" % (len(objects) + 1, root)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def stream(data: bytes, extra: bytes = b"") -> bytes:
    """A Flate-compressed stream object body."""
    packed = zlib.compress(data, 9)
    return (
        b"<< /Length %d /Filter /FlateDecode %s >>\nstream\n"
        % (
            len(packed),
            extra,
        )
        + packed
        + b"\nendstream"
    )


def test_a_page_whose_content_inflates_beyond_the_bound_is_copied_not_decoded() -> None:
    """EAR-10: a 64 MiB zip-bomb content stream costs nothing: combining copies it as it is."""
    bomb = stream(b"0 0 m\n" * (64 * 1024 * 1024 // 6))
    pdf = raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            bomb,
        ],
        root=1,
    )
    assert len(pdf) < 200_000
    assert check_pdf(pdf) == 1


def test_an_object_stream_inflating_beyond_the_bound_is_refused() -> None:
    """EAR-10: pypdf decodes object streams; one over MAX_DECODED_STREAM_BYTES is refused."""
    filler = b" " * (MAX_DECODED_STREAM_BYTES + 1)
    header = b"3 0 "
    body = header + b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>" + filler
    pdf = object_stream_pdf(body, first=len(header))
    with pytest.raises(InvalidDocument, match="cannot be read or combined"):
        check_pdf(pdf)


def object_stream_pdf(body: bytes, *, first: int, streams: int = 1) -> bytes:
    """A one-page PDF whose page is object 3, kept in the first of ``streams`` object streams.

    The cross-reference is a stream (PDF 1.5), as object streams need.
    """
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets: dict[int, int] = {}
    for number, text in enumerate(objects, start=1):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + text + b"\nendobj\n"
    # Object 3 lives in stream 4; streams 5.. hold one dummy object each (6+, ...).
    in_stream = {3: (4, 0)}
    numbers = [4 + s for s in range(streams)]
    for index, number in enumerate(numbers):
        offsets[number] = len(out)
        if index == 0:
            payload = stream(body, b"/Type /ObjStm /N 1 /First %d" % first)
        else:
            dummy = 4 + streams + index
            in_stream[dummy] = (number, 0)
            head = b"%d 0 " % dummy
            payload = stream(head + b"null", b"/Type /ObjStm /N 1 /First %d" % len(head))
        out += b"%d 0 obj\n" % number + payload + b"\nendobj\n"
    size = 4 + 2 * streams
    xref_number = size - 1 if streams > 1 else 5
    size = max(size, xref_number + 1)
    rows = bytearray()
    for n in range(size):
        if n in offsets:
            rows += b"\x01" + offsets[n].to_bytes(4, "big") + b"\x00"
        elif n in in_stream:
            stm, idx = in_stream[n]
            rows += b"\x02" + stm.to_bytes(4, "big") + bytes([idx])
        elif n == xref_number:
            rows += b"\x01" + len(out).to_bytes(4, "big") + b"\x00"
        else:
            rows += b"\x00" + (0).to_bytes(4, "big") + b"\xff"
    start = len(out)
    out += (
        b"%d 0 obj\n" % xref_number
        + stream(bytes(rows), b"/Type /XRef /Size %d /W [1 4 1] /Root 1 0 R" % size)
        + b"\nendobj\n"
    )
    out += b"startxref\n%d\n%%%%EOF\n" % start
    return bytes(out)


def test_a_small_pdf_in_object_streams_is_accepted() -> None:
    """EAR-10: the object-stream PDF of the bound tests is a good PDF below the bounds."""
    header = b"3 0 "
    body = header + b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"
    assert check_pdf(object_stream_pdf(body, first=len(header))) == 1


def test_a_pdf_with_more_object_streams_than_the_bound_is_refused() -> None:
    """EAR-10: each object stream may be decoded, so their number is bounded too."""
    header = b"3 0 "
    body = header + b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"
    pdf = object_stream_pdf(body, first=len(header), streams=MAX_OBJECT_STREAMS + 1)
    with pytest.raises(InvalidDocument, match=f"{MAX_OBJECT_STREAMS + 1} object streams"):
        check_pdf(pdf)


def test_a_page_tree_nested_deeper_than_the_bound_is_refused() -> None:
    """EAR-10: a page tree 40 levels deep is refused, not walked."""
    depth = 40
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    for level in range(depth):
        number = level + 2
        parent = b"" if level == 0 else b"/Parent %d 0 R " % (number - 1)
        objects.append(b"<< /Type /Pages %s/Kids [%d 0 R] /Count 1 >>" % (parent, number + 1))
    objects.append(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 10 10] >>" % (depth + 1))
    with pytest.raises(InvalidDocument):
        check_pdf(raw_pdf(objects, root=1))


def stored_documents(store: Store) -> int:
    """How many documents the store holds."""
    with store.unit_of_work(actor="test:count", read_only=True) as uow:
        return uow.count(DOCUMENTS)


def test_a_damaged_upload_leaves_the_store_as_it_was(enquiries: Enquiries, board: Store) -> None:
    """EAR-10: an upload pypdf cannot combine is refused before anything is stored."""
    acked = acknowledged(enquiries, submit_new(enquiries, service="2S").enquiry.id)
    before = stored_documents(board)
    _, multi, _ = originals()
    with pytest.raises(InvalidDocument):
        enquiries.upload_document(
            BOARD,
            UploadRequest(
                enquiry_id=acked.id,
                kind=DocumentKind.REPORT,
                pdf=multi[: len(multi) - 200],
            ),
        )
    assert stored_documents(board) == before
    combined = enquiries.combined_documents(OFFICER, acked.id)
    assert page_count(combined) == 1
    with board.unit_of_work(actor="test:read", read_only=True) as uow:
        assert EnquiryRecords(uow).documents.find(acked.id, DocumentKind.REPORT) is None
