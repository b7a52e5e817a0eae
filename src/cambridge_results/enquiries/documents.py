"""An enquiry's documents as PDFs: checking uploads and combining them, with pypdf (EAR-10).

The documents of an enquiry are the acknowledgement letter (Ack), the
outcome letter (Out), a report (Rpt) and a copy of the script (Cos).  The
library renders Ack and Out; the board uploads Rpt and Cos (and may upload
its own Ack or Out).

An upload is checked by doing what combining it later does, with the same
library: pypdf opens it, every page is added to a ``PdfWriter`` and the
writer writes it out.  Anything pypdf cannot combine is refused at upload
with :class:`~cambridge_results.enquiries.errors.InvalidDocument`, and so
is anything over the bounds on the work one upload may cause
(:data:`MAX_DOCUMENT_BYTES`, :data:`MAX_DOCUMENT_PAGES`,
:data:`MAX_OBJECT_STREAMS`, :data:`MAX_DECODED_STREAM_BYTES`, pypdf's own
nesting limits): see docs/enquiries.md, "Documents".  Combining never lets
a raw pypdf error out: a stored document that still fails is an
``InvalidDocument`` naming it.

The PDFs are stored in the store itself (a ``bytes`` column) with their
SHA-256 digest, which is checked again whenever they are read: see
docs/enquiries.md, "Documents", for why.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import attrs
import pendulum
from pypdf import PdfReader, PdfWriter, apply_configuration

from cambridge_results.enquiries.errors import InvalidDocument
from cambridge_results.errors import StorageError
from cambridge_results.values.enquiry import DocumentKind, as_enquiry_id, instant

__all__ = [
    "DOCUMENT_NAMES",
    "DOCUMENT_ORDER",
    "MAX_DECODED_STREAM_BYTES",
    "MAX_DOCUMENT_BYTES",
    "MAX_DOCUMENT_PAGES",
    "MAX_OBJECT_STREAMS",
    "DocumentInfo",
    "DocumentSource",
    "StoredDocument",
    "check_pdf",
    "combine_pdfs",
    "digest",
]

#: The largest PDF accepted for one document: 20 MiB (a scanned script of many pages).
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
#: The most pages one document may have: a long scanned script is a few hundred.
MAX_DOCUMENT_PAGES = 1000
#: The most compressed object streams one document may have: pypdf decodes every one
#: it reads objects from, so this times :data:`MAX_DECODED_STREAM_BYTES` bounds the
#: bytes decoded while checking or combining it (256 MiB).
MAX_OBJECT_STREAMS = 64
#: The most bytes pypdf decodes from any one stream (every filter) while checking or
#: combining: 4 MiB.  Page contents and images are copied as they are, never decoded.
MAX_DECODED_STREAM_BYTES = 4 * 1024 * 1024
#: pypdf's limit on the total decoding work (every filter of a chain) of one stream.
_DECODING_WORK = 4 * MAX_DECODED_STREAM_BYTES
#: Nesting: the page tree and any array or dictionary.
_MAX_DEPTH = 32
_MAX_ELEMENTS = 100_000

#: The order documents are listed and combined in (EAR-10).
DOCUMENT_ORDER = (
    DocumentKind.ACKNOWLEDGEMENT,
    DocumentKind.OUTCOME,
    DocumentKind.REPORT,
    DocumentKind.COPY_OF_SCRIPT,
)

#: What each document is called on a listing and in the combined PDF's outline.
DOCUMENT_NAMES = {
    DocumentKind.ACKNOWLEDGEMENT: "Acknowledgement letter",
    DocumentKind.OUTCOME: "Outcome letter",
    DocumentKind.REPORT: "Report",
    DocumentKind.COPY_OF_SCRIPT: "Copy of script",
}

_PDF_HEADER = b"%PDF-"
# The PDF header may follow a little junk; readers look in the first kilobyte.
_HEADER_WINDOW = 1024


class DocumentSource(enum.Enum):
    """Where a stored document came from: rendered by the library, or uploaded."""

    RENDERED = "rendered"
    UPLOADED = "uploaded"


def digest(content: bytes) -> str:
    """The SHA-256 digest of ``content`` as lower-case hex."""
    return hashlib.sha256(content).hexdigest()


def check_pdf(
    content: object, *, max_bytes: int = MAX_DOCUMENT_BYTES, max_pages: int = MAX_DOCUMENT_PAGES
) -> int:
    """The page count of ``content`` if it is a PDF the library can store and combine.

    It is combined on its own exactly as :func:`combine_pdfs` combines it
    later: opened with pypdf, every page added to a ``PdfWriter``, written
    out, within the bounds of the module docstring.  Raises
    :class:`~cambridge_results.enquiries.errors.InvalidDocument` for
    anything else: not bytes, empty, too large, no PDF header, encrypted
    (it could not be combined or read back), no pages or too many, over a
    bound, or anything pypdf cannot read or write.
    """
    if not isinstance(content, bytes | bytearray | memoryview):
        raise InvalidDocument(f"must be the bytes of a PDF file, not {type(content).__name__}")
    data = bytes(content)
    if not data:
        raise InvalidDocument("the file is empty")
    if len(data) > max_bytes:
        raise InvalidDocument(f"the file has {len(data)} bytes; at most {max_bytes} are accepted")
    if _PDF_HEADER not in data[:_HEADER_WINDOW]:
        raise InvalidDocument("the file is not a PDF (no %PDF- header)")
    with _bounded("the PDF"):
        writer = PdfWriter()
        pages = _append(writer, data, label="document", max_pages=max_pages)
        writer.write(io.BytesIO())
    return pages


@contextmanager
def _bounded(what: str) -> Iterator[None]:
    """pypdf under this module's bounds; any error it raises becomes an InvalidDocument."""
    try:
        with apply_configuration(
            zlib_maximum_output_length=MAX_DECODED_STREAM_BYTES,
            lzw_maximum_output_length=MAX_DECODED_STREAM_BYTES,
            run_length_maximum_output_length=MAX_DECODED_STREAM_BYTES,
            brotli_maximum_output_length=MAX_DECODED_STREAM_BYTES,
            jbig2_maximum_output_length=MAX_DECODED_STREAM_BYTES,
            array_based_stream_maximum_output_length=MAX_DECODED_STREAM_BYTES,
            image_maximum_buffer_size=MAX_DECODED_STREAM_BYTES,
            stream_decoding_work_maximum_length=_DECODING_WORK,
            page_tree_maximum_depth=_MAX_DEPTH,
            page_tree_maximum_entries=MAX_DOCUMENT_PAGES * 4,
            outline_maximum_depth=_MAX_DEPTH,
            array_maximum_element_count=_MAX_ELEMENTS,
            dictionary_maximum_element_count=_MAX_ELEMENTS,
        ):
            yield
    except InvalidDocument:
        raise
    except Exception as exc:  # pypdf raises many types for damaged files
        raise InvalidDocument(f"{what} cannot be read or combined ({type(exc).__name__})") from exc


def _append(writer: PdfWriter, data: bytes, *, label: str, max_pages: int) -> int:
    """Open ``data`` with pypdf and add every page to ``writer`` under ``label``; the pages.

    The caller holds :func:`_bounded`.
    """
    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        raise InvalidDocument(
            "the PDF is encrypted; upload it without a password so it can be read back and combined"
        )
    streams = len({number for number, _ in reader.xref_objStm.values()})
    if streams > MAX_OBJECT_STREAMS:
        raise InvalidDocument(
            f"the PDF has {streams} object streams; at most {MAX_OBJECT_STREAMS} are accepted"
        )
    pages = len(reader.pages)
    if pages < 1:
        raise InvalidDocument("the PDF has no pages")
    if pages > max_pages:
        raise InvalidDocument(f"the PDF has {pages} pages; at most {max_pages} are accepted")
    writer.append(reader, outline_item=label, import_outline=False)
    return pages


def _kind(value: object) -> DocumentKind:
    return value if isinstance(value, DocumentKind) else DocumentKind(value)


@attrs.frozen(kw_only=True)
class DocumentInfo:
    """A stored document without its bytes: what a listing shows (EAR-10)."""

    enquiry_id: str = attrs.field(converter=as_enquiry_id)
    kind: DocumentKind = attrs.field(converter=_kind)
    sha256: str
    size: int
    pages: int
    source: DocumentSource = attrs.field(converter=DocumentSource)
    uploaded_at: pendulum.DateTime = attrs.field(converter=instant)
    #: ``str(principal)`` of who uploaded it (or whose step rendered it).
    uploaded_by: str

    @property
    def name(self) -> str:
        """The document's name, e.g. ``"Acknowledgement letter"``."""
        return DOCUMENT_NAMES[self.kind]

    @property
    def file_name(self) -> str:
        """A file name from internal identifiers only, e.g. ``enq-000000001_Ack.pdf``."""
        return f"{self.enquiry_id}_{self.kind.value}.pdf"


@attrs.frozen(kw_only=True)
class StoredDocument:
    """A stored document with its PDF bytes (never shown in ``repr``)."""

    info: DocumentInfo
    content: bytes = attrs.field(repr=False)

    def __attrs_post_init__(self) -> None:
        if digest(self.content) != self.info.sha256:
            raise StorageError(
                f"the {self.info.kind.value} document of enquiry {self.info.enquiry_id} does not "
                "match its stored SHA-256 digest"
            )


def combine_pdfs(
    parts: Sequence[tuple[str, bytes]], *, title: str, created: pendulum.DateTime
) -> bytes:
    """One PDF of ``parts`` (outline label, PDF bytes) in order, each a top-level bookmark.

    The metadata holds ``title``, the producer and ``created``: no name of
    a person (names are personal data).  A part pypdf cannot combine (one
    stored before uploads were checked this way) raises
    :class:`~cambridge_results.enquiries.errors.InvalidDocument` naming it;
    no pypdf error escapes.
    """
    if not parts:
        raise InvalidDocument("there are no documents to combine")
    writer = PdfWriter()
    for label, content in parts:
        with _bounded(f"the stored document {label!r}"):
            _append(writer, content, label=label, max_pages=MAX_DOCUMENT_PAGES)
    stamp = dt.datetime.fromtimestamp(created.timestamp(), tz=dt.UTC)
    writer.add_metadata(
        {
            "/Title": title,
            "/Producer": "cambridge_results",
            "/Creator": "cambridge_results",
            "/CreationDate": stamp.strftime("D:%Y%m%d%H%M%SZ"),
        }
    )
    out = io.BytesIO()
    with _bounded("the combined PDF"):
        writer.write(out)
    return out.getvalue()
