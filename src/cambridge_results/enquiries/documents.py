"""An enquiry's documents as PDFs: checking uploads and combining them, with pypdf (EAR-10).

The documents of an enquiry are the acknowledgement letter (Ack), the
outcome letter (Out), a report (Rpt) and a copy of the script (Cos).  The
library renders Ack and Out; the board uploads Rpt and Cos (and may upload
its own Ack or Out).  Every upload is checked to be a readable, unencrypted
PDF of at least one page and at most :data:`MAX_DOCUMENT_BYTES`, else
:class:`~cambridge_results.enquiries.errors.InvalidDocument`.

The PDFs are stored in the store itself (a ``bytes`` column) with their
SHA-256 digest, which is checked again whenever they are read: see
docs/enquiries.md, "Documents", for why.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import io
from collections.abc import Sequence

import attrs
import pendulum
from pypdf import PdfReader, PdfWriter

from cambridge_results.enquiries.errors import InvalidDocument
from cambridge_results.errors import StorageError
from cambridge_results.values.enquiry import DocumentKind, as_enquiry_id, instant

__all__ = [
    "DOCUMENT_NAMES",
    "DOCUMENT_ORDER",
    "MAX_DOCUMENT_BYTES",
    "DocumentInfo",
    "DocumentSource",
    "StoredDocument",
    "check_pdf",
    "combine_pdfs",
    "digest",
]

#: The largest PDF accepted for one document: 20 MiB (a scanned script of many pages).
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024

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


def check_pdf(content: object, *, max_bytes: int = MAX_DOCUMENT_BYTES) -> int:
    """The page count of ``content`` if it is a PDF the library can store and combine.

    Raises :class:`~cambridge_results.enquiries.errors.InvalidDocument` for
    anything else: not bytes, empty, too large, no PDF header, unreadable,
    encrypted (it could not be combined or read back) or without pages.
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
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise InvalidDocument(
                "the PDF is encrypted; upload it without a password so it can be read back "
                "and combined"
            )
        pages = len(reader.pages)
        for page in reader.pages:
            # Reading each page's box parses its dictionary: a broken page fails here.
            _ = page.mediabox
    except InvalidDocument:
        raise
    except Exception as exc:  # pypdf raises many types for damaged files
        raise InvalidDocument(f"the PDF cannot be read ({type(exc).__name__})") from exc
    if pages < 1:
        raise InvalidDocument("the PDF has no pages")
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
    a person (names are personal data).
    """
    if not parts:
        raise InvalidDocument("there are no documents to combine")
    writer = PdfWriter()
    for label, content in parts:
        writer.append(io.BytesIO(content), outline_item=label, import_outline=False)
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
    writer.write(out)
    return out.getvalue()
