"""Splitting and combining PDFs through pypdf, checked with pypdf and poppler (CRW-10).

The letters' batches are split into one PDF per letter and appended to the
run's combined PDF.  fpdf2's output, hand-written syntax, cross-reference
streams, incremental updates, outlines and encryption must all give the same
pages, with their text, inherited attributes and the document information.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import attrs
import pendulum
import pytest
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from fpdf import FPDF
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NullObject, StreamObject

from cambridge_results.errors import RenderError
from cambridge_results.rendering import LetterData
from cambridge_results.rendering.fonts import BUNDLED_DIR
from cambridge_results.rendering.fpdf_letters import FpdfLetterRenderer
from cambridge_results.rendering.pdf_split import PdfStreamWriter, split_pages

SLOW = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
INHERITED = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")

# Text that looks like PDF syntax, to be found in strings and streams.
SPECIALS = (
    "(",
    ")",
    "\\",
    "%",
    "<<",
    ">>",
    "5 0 R",
    "12 0 obj",
    "endobj",
    "stream",
    "endstream",
    "%%EOF",
    "trailer",
    "xref",
    "#",
    "/Name",
    "[",
    "]",
)
LATIN1 = "abcXYZ 019 éøßçñ.,;:-"
UNICODE = LATIN1 + "ŁŒΩπЖж€"


def _texts(alphabet: str) -> st.SearchStrategy[str]:
    piece = st.one_of(st.sampled_from(SPECIALS), st.text(alphabet, min_size=1, max_size=8))
    return st.lists(piece, min_size=1, max_size=6).map(" ".join)


# ---------------------------------------------------------------- fpdf2 documents


@attrs.frozen
class FpdfPage:
    """One page of an fpdf2 test document."""

    text: str
    landscape: bool
    note: str | None


@attrs.frozen
class FpdfDoc:
    """An fpdf2 test document: pages, information and how it is written."""

    pages: tuple[FpdfPage, ...]
    title: str | None
    subject: str | None
    lang: str | None
    compress: bool
    unicode: bool

    def render(self) -> bytes:
        """The document as fpdf2 writes it."""
        pdf = FPDF(unit="mm", format="A4")
        pdf.set_compression(self.compress)
        pdf.set_creation_date(dt.datetime(2026, 3, 23, 9, 30, tzinfo=dt.UTC))
        if self.title is not None:
            pdf.set_title(self.title)
        if self.subject is not None:
            pdf.set_subject(self.subject)
        if self.lang is not None:
            pdf.set_lang(self.lang)
        font = "helvetica"
        if self.unicode:
            pdf.add_font("NotoSans", "", str(BUNDLED_DIR / "NotoSans-Regular.ttf"))
            font = "NotoSans"
        for page in self.pages:
            pdf.add_page(orientation="L" if page.landscape else "P")
            pdf.set_font(font, size=11)
            pdf.text(20, 30, page.text)
            if page.note is not None:
                pdf.text_annotation(30, 40, page.note)
        return bytes(pdf.output())


@st.composite
def fpdf_docs(draw: st.DrawFn, max_pages: int = 4) -> FpdfDoc:
    """fpdf2 documents with pages of text that looks like PDF syntax."""
    unicode = draw(st.booleans())
    text = _texts(UNICODE if unicode else LATIN1)
    pages = draw(
        st.lists(
            st.builds(
                FpdfPage,
                text=text,
                landscape=st.booleans(),
                note=st.none() | _texts(LATIN1),
            ),
            min_size=1,
            max_size=max_pages,
        )
    )
    return FpdfDoc(
        pages=tuple(pages),
        title=draw(st.none() | _texts(UNICODE)),
        subject=draw(st.none() | _texts(LATIN1)),
        lang=draw(st.sampled_from([None, "en-GB", "fr (CA)"])),
        compress=draw(st.booleans()),
        unicode=unicode,
    )


# ---------------------------------------------------------------- hand-made documents


def assemble(
    objects: dict[int, bytes],
    trailer: bytes,
    *,
    order: Sequence[int] | None = None,
    xref_stream: bool = False,
    packed: Iterable[int] = (),
) -> bytes:
    """A PDF of ``objects`` (number -> value bytes) with a cross-reference table, or
    with a cross-reference stream and the ``packed`` objects in an object stream."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    packed = [n for n in (order or sorted(objects)) if n in set(packed)]
    offsets: dict[int, int] = {}
    for number in order or sorted(objects):
        if number not in packed:
            offsets[number] = len(out)
            out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    if not xref_stream:
        size = max(objects) + 1
        xref_at = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % size
        for number in range(1, size):
            at = offsets.get(number)
            out += b"%010d 00000 n \n" % at if at is not None else b"0000000000 00000 f \n"
        out += b"trailer\n<< /Size %d %s >>\nstartxref\n%d\n%%%%EOF\n" % (size, trailer, xref_at)
        return bytes(out)
    entries: dict[int, bytes] = {
        n: b"\x01" + at.to_bytes(4, "big") + b"\x00\x00" for n, at in offsets.items()
    }
    next_number = max(objects) + 1
    if packed:
        stream_number = next_number
        next_number += 1
        bodies = b""
        header = []
        for index, number in enumerate(packed):
            header.append(b"%d %d" % (number, len(bodies)))
            entries[number] = b"\x02" + stream_number.to_bytes(4, "big") + index.to_bytes(2, "big")
            bodies += objects[number] + b"\n"
        head = b" ".join(header) + b"\n"
        data = head + bodies
        offsets[stream_number] = len(out)
        entries[stream_number] = b"\x01" + len(out).to_bytes(4, "big") + b"\x00\x00"
        out += (
            b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Length %d >>\n"
            b"stream\n%s\nendstream\nendobj\n"
            % (
                stream_number,
                len(packed),
                len(head),
                len(data),
                data,
            )
        )
    xref_number = next_number
    size = xref_number + 1
    xref_at = len(out)
    entries[xref_number] = b"\x01" + xref_at.to_bytes(4, "big") + b"\x00\x00"
    rows = b"".join(entries.get(n, b"\x00\x00\x00\x00\x00\xff\xff") for n in range(size))
    out += (
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Length %d %s >>\n"
        b"stream\n%s\nendstream\nendobj\n" % (xref_number, size, len(rows), trailer, rows)
    )
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


# Literal strings with nesting and escapes (PDF 1.7, 7.3.4.2), as written in the file.
_LITERAL_PIECES = st.sampled_from(
    [
        b"a",
        b"Zo\\351",
        b"5 0 R",
        b"endobj",
        b"stream",
        b"%",
        b"<<",
        b">>",
        b"\\(",
        b"\\)",
        b"\\\\",
        b"\\n",
        b"\\053",
        b"\\\n",
        b" ",
        b"/N",
    ]
)


def _literal() -> st.SearchStrategy[bytes]:
    def nest(inner: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
        return st.lists(
            st.one_of(_LITERAL_PIECES, inner.map(lambda b: b"(" + b + b")")), max_size=4
        ).map(b"".join)

    return st.recursive(_LITERAL_PIECES, nest, max_leaves=8).map(lambda b: b"(" + b + b")")


@attrs.frozen
class Handmade:
    """A hand-written PDF's objects, trailer and the order they are written in."""

    objects: dict[int, bytes]
    trailer: bytes
    order: tuple[int, ...]
    texts: tuple[bytes, ...]

    def pdf(self, *, xref_stream: bool = False, packed: Iterable[int] = ()) -> bytes:
        """The document with a cross-reference table, or a stream (and an object stream)."""
        return assemble(
            self.objects, self.trailer, order=self.order, xref_stream=xref_stream, packed=packed
        )

    def plain(self) -> list[int]:
        """Objects that are not streams (which an object stream may hold)."""
        return [n for n, body in self.objects.items() if b"stream" not in body.split(b">>")[-1]]


@st.composite
def handmade_docs(draw: st.DrawFn, *, cross_links: bool = False) -> Handmade:
    """Hand-written PDFs with what fpdf2 never writes: nested strings, comments, escaped
    names, indirect lengths, inherited attributes, a deeper page tree, gaps in numbering."""
    numbers = iter(range(1, 10_000))
    gaps = draw(st.booleans())

    def new() -> int:
        number = next(numbers)
        if gaps and draw(st.booleans()):
            number = next(numbers)
        return number

    space = draw(st.sampled_from([b" ", b"\n", b"\r\n", b"\t", b"  \n"]))
    comments = draw(st.booleans())

    def gap() -> bytes:
        if comments and draw(st.booleans()):
            return space + b"% a comment ( with 5 0 R >>" + b"\n"
        return space

    def dictionary(*entries: bytes) -> bytes:
        return b"<<" + gap() + gap().join(entries) + gap() + b">>"

    def key(name: bytes) -> bytes:
        # Any character of a name may be written #xx (7.3.5).
        if draw(st.booleans()):
            return b"/" + name[:1] + b"#%02x" % name[1] + name[2:]
        return b"/" + name

    objects: dict[int, bytes] = {}
    catalog, root, font = new(), new(), new()
    objects[font] = dictionary(b"/Type /Font", b"/Subtype /Type1", b"/BaseFont /Helvetica")
    shared_resources = new()
    objects[shared_resources] = dictionary(b"/Font " + dictionary(b"/F1 %d 0 R" % font))
    nested = draw(st.booleans())
    middle = new() if nested else None
    page_count = draw(st.integers(1, 4))
    pages: list[int] = []
    texts: list[bytes] = []
    for index in range(page_count):
        page, content = new(), new()
        text = draw(_literal())
        texts.append(text)
        data = b"BT /F1 12 Tf 72 700 Td " + text + b" Tj ET"
        if draw(st.booleans()):
            length_object = new()
            objects[length_object] = b"%d" % len(data)
            length = b"/Length %d 0 R" % length_object
        else:
            length = b"/Length %d" % len(data)
        eol = draw(st.sampled_from([b"\n", b"\r\n", b""]))
        objects[content] = dictionary(length) + b"\nstream\n" + data + eol + b"endstream"
        entries = [
            key(b"Type") + b" /Page",
            key(b"Parent") + b" %d 0 R" % (middle if nested and index % 2 else root),
            b"/Contents %d 0 R" % content,
        ]
        if draw(st.booleans()):
            entries.append(b"/MediaBox [0 0 %d %d]" % (draw(st.integers(100, 900)), 500))
        if draw(st.booleans()):
            own = new()
            objects[own] = dictionary(b"/Font " + dictionary(b"/F1 %d 0 R" % font))
            entries.append(b"/Resources %d 0 R" % own)
        if cross_links and index == page_count - 1 and page_count > 1:
            # A link to the first page: the byte-level path does not take pages that do this.
            entries.append(
                b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /Dest [%d 0 R /Fit] >>]"
                % pages[0]
            )
        order = draw(st.permutations(entries))
        objects[page] = dictionary(*order)
        pages.append(page)
    root_kids = [p for i, p in enumerate(pages) if not (nested and i % 2)]
    if nested:
        assert middle is not None
        middle_kids = [p for i, p in enumerate(pages) if i % 2]
        objects[middle] = dictionary(
            b"/Type /Pages",
            b"/Parent %d 0 R" % root,
            b"/Kids [%s]" % b" ".join(b"%d 0 R" % k for k in middle_kids),
            b"/Count %d" % len(middle_kids),
            b"/CropBox [10 10 300 400]",
            b"/Rotate 90",
        )
        root_kids.insert(1, middle)
    objects[root] = dictionary(
        b"/Type /Pages",
        b"/Kids [%s]" % b" ".join(b"%d 0 R" % k for k in root_kids),
        b"/Count %d" % page_count,
        b"/MediaBox [0 0 612 792]",
        b"/Resources %d 0 R" % shared_resources,
    )
    info = new()
    author = new()
    objects[author] = draw(_literal())
    objects[info] = dictionary(
        key(b"Title") + b" " + draw(_literal()),
        b"/Subject <%s>" % draw(st.binary(max_size=6)).hex().encode(),
        b"/Author %d 0 R" % author,
    )
    lang_entry = []
    lang = draw(st.sampled_from([None, b"(en-GB)", b"<656e2d4742>", "indirect"]))
    if lang == "indirect":
        held = new()
        objects[held] = b"(cy-GB)"
        lang_entry = [b"/Lang %d 0 R" % held]
    elif lang is not None:
        lang_entry = [b"/Lang " + lang]
    objects[catalog] = dictionary(b"/Type /Catalog", b"/Pages %d 0 R" % root, *lang_entry)
    trailer = b"/Root %d 0 R /Info %d 0 R" % (catalog, info)
    order = tuple(draw(st.permutations(sorted(objects))))
    return Handmade(objects=objects, trailer=trailer, order=order, texts=tuple(texts))


# ---------------------------------------------------------------- reading back


def read(pdf: bytes) -> PdfReader:
    """``pdf`` read strictly, as a careful reader would."""
    return PdfReader(io.BytesIO(pdf), strict=True)


def _outlines(font_file: Any) -> dict[str, Any]:
    """Every glyph's outline and advance in an embedded TrueType program."""
    font = TTFont(io.BytesIO(font_file.get_data()))
    glyphs = font["glyf"]
    return {
        name: (glyphs[name].getCoordinates(glyphs), font["hmtx"][name])
        for name in font.getGlyphOrder()
    }


#: Entries that say how a stream is encoded, not what it holds.
ENCODING = ("/Length", "/Filter", "/DecodeParms", "/Length1")


def _plain(value: Any) -> Any:
    """A pypdf value with references resolved, as plain Python values; a stream as what it
    decodes to (a font program as its glyphs' outlines)."""
    value = value.get_object() if value is not None else None
    if isinstance(value, StreamObject):
        entries = {k: _plain(value.raw_get(k)) for k in value if k not in ENCODING}
        data = _outlines(value) if "/Length1" in value else value.get_data()
        return entries, data
    if isinstance(value, DictionaryObject):
        return {k: _plain(value.raw_get(k)) for k in value if k not in ("/Parent", "/Length")}
    if isinstance(value, ArrayObject):
        return [_plain(v) for v in value]
    if hasattr(value, "get_data"):
        return value.get_data()
    return value


def inherited(page: DictionaryObject, key: str) -> Any:
    """The page's ``key``, its own or inherited from the page tree, resolved."""
    node: Any = page
    while node is not None:
        node = node.get_object()
        if key in node:
            return _plain(node.raw_get(key))
        node = node.get("/Parent")
    return None


def lang(reader: PdfReader) -> Any:
    """The catalog's /Lang, resolved."""
    return (
        _plain(reader.trailer["/Root"].get_object().raw_get("/Lang"))
        if "/Lang" in reader.trailer["/Root"]
        else None
    )


def assert_page_tree(reader: PdfReader) -> None:
    """The page tree is one node whose kids are the pages, each pointing back to it."""
    tree = reader.trailer["/Root"].get_object().raw_get("/Pages")
    node = tree.get_object()
    assert node["/Type"] == "/Pages"
    assert node["/Count"] == len(node["/Kids"]) == len(reader.pages)
    for kid in node["/Kids"]:
        assert kid.get_object().raw_get("/Parent").idnum == tree.idnum


def assert_same_page(single: bytes, source: PdfReader, index: int) -> None:
    """``single`` is one page: the source's page ``index`` with the source's information."""
    reader = read(single)
    assert len(reader.pages) == 1
    assert_page_tree(reader)
    page, original = reader.pages[0], source.pages[index]
    assert page.extract_text() == original.extract_text()
    assert page.get_contents().get_data() == original.get_contents().get_data()  # type: ignore[union-attr]
    for key in INHERITED:
        assert inherited(page, key) == inherited(original, key), key
    assert _plain(reader.trailer.get("/Info")) == _plain(source.trailer.get("/Info"))
    assert lang(reader) == lang(source)


def assert_one_subsection(pdf: bytes) -> None:
    """The output's cross-reference table is one subsection from 0, /Size entries long."""
    xref_at = int(re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", pdf).group(1))  # type: ignore[union-attr]
    m = re.match(rb"xref\n0 (\d+)\n((?:\d{10} \d{5} [nf] \n)*)trailer", pdf[xref_at:])
    assert m is not None
    size = int(m.group(1))
    assert len(m.group(2)) == 20 * size
    assert int(re.search(rb"/Size (\d+)", pdf[xref_at:]).group(1)) == size  # type: ignore[union-attr]


def combined(sources: Sequence[bytes]) -> bytes:
    """``sources`` appended to one PDF."""
    out = io.BytesIO()
    writer = PdfStreamWriter(out)
    for source in sources:
        writer.add_pdf(source)
    writer.close()
    return out.getvalue()


# ---------------------------------------------------------------- fpdf2 documents


def split_checked(pdf: bytes) -> list[bytes]:
    """Split ``pdf``; every single must be its source page, whole."""
    source = PdfReader(io.BytesIO(pdf))
    singles = list(split_pages(pdf))
    assert len(singles) == len(source.pages)
    for index, single in enumerate(singles):
        assert_same_page(single, source, index)
        assert_one_subsection(single)
    return singles


@SLOW
@given(doc=fpdf_docs())
def test_each_page_of_an_fpdf2_document_splits_into_a_pdf_of_its_own(doc: FpdfDoc) -> None:
    """CRW-10: every single PDF has exactly its source page, attributes and information."""
    pdf = doc.render()
    singles = split_checked(pdf)
    assert len(singles) == len(doc.pages)


@SLOW
@given(docs=st.lists(fpdf_docs(max_pages=3), min_size=1, max_size=3))
def test_fpdf2_documents_combine_into_one_pdf_with_every_page_in_order(
    docs: list[FpdfDoc],
) -> None:
    """CRW-10: the combined PDF has all pages in order, with the first source's information."""
    sources = [doc.render() for doc in docs]
    pdf = combined(sources)
    reader = read(pdf)
    readers = [PdfReader(io.BytesIO(s)) for s in sources]
    expected = [page for r in readers for page in r.pages]
    assert len(reader.pages) == len(expected)
    for page, original in zip(reader.pages, expected, strict=True):
        assert page.extract_text() == original.extract_text()
        for key in INHERITED:
            assert inherited(page, key) == inherited(original, key), key
    assert _plain(reader.trailer.get("/Info")) == _plain(readers[0].trailer.get("/Info"))
    # The first source that has a /Lang gives it, as the first with information gives that.
    assert lang(reader) == next((lang(r) for r in readers if lang(r) is not None), None)
    assert_page_tree(reader)
    assert_one_subsection(pdf)


@pytest.mark.parametrize("extra", ["outline", "encryption", "both"])
def test_fpdf2_documents_with_an_outline_or_encryption_split_and_combine(extra: str) -> None:
    """CRW-10: an outline (start_section) or fpdf2's encryption (empty user password) does
    not stop a document from splitting and combining; the output is not encrypted."""
    pdf = FPDF()
    pdf.set_creation_date(dt.datetime(2026, 3, 23, 9, 30, tzinfo=dt.UTC))
    pdf.set_title("Outlined (5 0 R)")
    if extra != "outline":
        pdf.set_encryption(owner_password="owner")
    pdf.set_font("helvetica", size=12)
    for name in ("first", "second", "third"):
        pdf.add_page()
        if extra != "encryption":
            pdf.start_section(name)
        pdf.text(20, 30, f"page {name} (5 0 R) endobj")
    data = bytes(pdf.output())
    source = PdfReader(io.BytesIO(data))
    assert source.is_encrypted == (extra != "outline")
    singles = list(split_pages(data))
    assert len(singles) == 3
    for index, single in enumerate(singles):
        assert_same_page(single, source, index)
        assert not read(single).is_encrypted
    whole = read(combined([data, data]))
    assert [p.extract_text() for p in whole.pages] == [p.extract_text() for p in source.pages] * 2
    assert whole.metadata is not None
    assert whole.metadata.title == "Outlined (5 0 R)"


def encoded_streams(contents: Any) -> list[bytes]:
    """The still-encoded bytes of a page's content: one stream, or an array of them."""
    value = contents.get_object()
    streams = value if isinstance(value, list) else [value]
    return [stream.get_object()._data for stream in streams]


def test_content_is_copied_byte_for_byte_and_fonts_keep_every_outline(
    renderer: FpdfLetterRenderer, sample_letters: list[LetterData], created: pendulum.DateTime
) -> None:
    """CRW-10: content streams keep their encoded bytes; font programs keep every glyph's
    outline and advance, without the hinting and tables no PDF viewer reads (issue 13)."""
    batch = renderer.render(sample_letters, created=created)
    source = PdfReader(io.BytesIO(batch))
    for single, original in zip(split_pages(batch), source.pages, strict=True):
        page = read(single).pages[0]
        assert encoded_streams(page["/Contents"]) == encoded_streams(original["/Contents"])
        fonts, before = page["/Resources"]["/Font"], original["/Resources"]["/Font"]
        assert set(fonts) == set(before)
        for name in fonts:
            ours, theirs = (
                f[name]["/DescendantFonts"][0]["/FontDescriptor"]["/FontFile2"]
                for f in (fonts, before)
            )
            assert _outlines(ours) == _outlines(theirs)
            assert len(ours.get_data()) < len(theirs.get_data())
            assert ours["/Length1"] == len(ours.get_data())
            tables = set(TTFont(io.BytesIO(ours.get_data())).keys())
            assert not {"fpgm", "prep", "cvt ", "name"} & tables
            # The font keeps its own timestamp: a saved font stamped with the clock
            # would make the letter's bytes depend on when it was split (CRW-13).
            stamps = (TTFont(io.BytesIO(f.get_data()))["head"].modified for f in (ours, theirs))
            assert next(stamps) == next(stamps)


# ---------------------------------------------------------------- hand-made documents


@SLOW
@given(doc=handmade_docs())
def test_hand_written_syntax_splits_and_combines(doc: Handmade) -> None:
    """CRW-10: nested strings, comments, #xx names, indirect lengths and inherited
    attributes are read right."""
    pdf = doc.pdf()
    split_checked(pdf)
    source = PdfReader(io.BytesIO(pdf))
    whole = read(combined([pdf, pdf]))
    assert [p.get_contents().get_data() for p in whole.pages] == [  # type: ignore[union-attr]
        p.get_contents().get_data()
        for p in [*source.pages, *source.pages]  # type: ignore[union-attr]
    ]
    assert _plain(whole.trailer["/Info"]) == _plain(source.trailer["/Info"])


@SLOW
@given(doc=handmade_docs() | fpdf_docs().map(FpdfDoc.render))
def test_splitting_and_combining_again_gives_the_same_bytes(doc: Handmade | bytes) -> None:
    """CRW-13: the output depends only on the input, so runs are reproducible."""
    pdf = doc.pdf() if isinstance(doc, Handmade) else doc
    first = (list(split_pages(pdf)), combined([pdf, pdf]))
    assert (list(split_pages(pdf)), combined([pdf, pdf])) == first


def test_escaped_names_and_a_misplaced_table_entry_still_give_the_right_page() -> None:
    """CRW-10: /P#61rent is /Parent; a cross-reference table that swaps two objects' offsets
    is mended by pypdf or refused, never read as the wrong object."""
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 200 200] >>",
        3: b"<< /Type /Page /P#61rent 2 0 R /Contents 4 0 R /Resources 5 0 R >>",
        4: b"<< /Length 9 >>\nstream\nBT 0 g ET\nendstream",
        5: b"<< /Font << /F1 6 0 R >> >>",
        6: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }
    good = assemble(objects, b"/Root 1 0 R")
    page = read(next(split_pages(good))).pages[0]
    assert page.get_contents().get_data() == b"BT 0 g ET"  # type: ignore[union-attr]
    assert page.mediabox == [0, 0, 200, 200]
    table = good.index(b"xref")
    five, six = (re.search(rb"\n%d 0 obj" % n, good).start() + 1 for n in (5, 6))  # type: ignore[union-attr]
    swapped = good[:table] + good[table:].replace(b"%010d" % five, b"FIVE").replace(
        b"%010d" % six, b"%010d" % five
    ).replace(b"FIVE", b"%010d" % six)
    try:
        single = next(split_pages(swapped))
    except RenderError:
        return
    fonts = read(single).pages[0]["/Resources"]["/Font"]
    assert fonts["/F1"]["/BaseFont"] == "/Helvetica"


# ---------------------------------------------------------------- the pypdf fallback


@SLOW
@given(doc=handmade_docs(), packed=st.booleans())
def test_a_pdf_with_a_cross_reference_stream_goes_through_pypdf(
    doc: Handmade, packed: bool
) -> None:
    """CRW-10: cross-reference and object streams give the same pages."""
    plain = doc.pdf()
    pdf = doc.pdf(xref_stream=True, packed=doc.plain() if packed else ())
    source = PdfReader(io.BytesIO(plain))
    singles = list(split_pages(pdf))
    assert len(singles) == len(source.pages)
    for index, single in enumerate(singles):
        assert_same_page(single, source, index)
        assert_one_subsection(single)
    whole = read(combined([pdf, plain]))
    assert len(whole.pages) == 2 * len(source.pages)


@SLOW
@given(doc=handmade_docs(cross_links=True))
def test_a_page_that_links_to_another_page_splits_alone_and_combines_with_its_link(
    doc: Handmade,
) -> None:
    """CRW-10: in a single, a link to another page goes nowhere (null) instead of dragging
    that page in; in a combined PDF it still points at that page."""
    pdf = doc.pdf()
    source = PdfReader(io.BytesIO(pdf))
    singles = list(split_pages(pdf))
    for single, page in zip(singles, source.pages, strict=True):
        reader = read(single)
        assert len(reader.pages) == 1
        assert reader.pages[0].get_contents().get_data() == page.get_contents().get_data()  # type: ignore[union-attr]
    linking = [i for i, page in enumerate(source.pages) if "/Annots" in page]
    if len(source.pages) > 1:
        (index,) = linking
        link = read(singles[index]).pages[0]["/Annots"][0].get_object()
        assert isinstance(link["/Dest"][0], NullObject)
        whole = read(combined([pdf]))
        target = whole.pages[index]["/Annots"][0].get_object()["/Dest"][0]
        first = source.pages[0]["/Contents"].get_data()
        assert target.get_object()["/Contents"].get_data() == first


def test_an_incremental_update_is_read_in_full(
    renderer: FpdfLetterRenderer, sample_letters: list[LetterData], created: pendulum.DateTime
) -> None:
    """CRW-10: a PDF updated in place (/Prev) is read with its update."""
    batch = renderer.render(sample_letters[:2], created=created)
    writer = PdfWriter(io.BytesIO(batch), incremental=True)
    writer.add_metadata({"/Title": "Updated title"})
    out = io.BytesIO()
    writer.write(out)
    updated = out.getvalue()
    source = PdfReader(io.BytesIO(batch))
    singles = list(split_pages(updated))
    for index, single in enumerate(singles):
        reader = read(single)
        assert reader.pages[0].extract_text() == source.pages[index].extract_text()
        assert reader.metadata is not None
        assert reader.metadata.title == "Updated title"
    whole = read(combined([updated, batch]))
    assert len(whole.pages) == 4
    assert whole.metadata is not None
    assert whole.metadata.title == "Updated title"


# ---------------------------------------------------------------- broken input

_SMALL = FpdfDoc(
    pages=(FpdfPage("one (5 0 R) %", False, "note"), FpdfPage("two", True, None)),
    title="T (x)",
    subject=None,
    lang="en-GB",
    compress=False,
    unicode=False,
).render()


def _fails_cleanly(data: bytes) -> None:
    with pytest.raises(RenderError):
        list(split_pages(data))
    writer = PdfStreamWriter(io.BytesIO())
    with pytest.raises(RenderError):
        writer.add_pdf(data)
    assert writer.page_count == 0


@settings(max_examples=60, deadline=None)
@given(
    data=st.binary(max_size=3000)
    | st.binary(max_size=200).map(lambda b: b"%PDF-1.4\n" + b + b"\n%%EOF\n")
)
def test_garbage_raises_a_render_error(data: bytes) -> None:
    """CRW-10: bytes that are not a PDF raise RenderError, whichever path would read them."""
    _fails_cleanly(data)


@settings(max_examples=60, deadline=None)
@given(cut=st.integers(0, _SMALL.rindex(b"%%EOF") + 4))
def test_a_truncated_pdf_raises_a_render_error(cut: int) -> None:
    """CRW-10: a PDF cut short anywhere raises RenderError, not IndexError or ValueError."""
    _fails_cleanly(_SMALL[:cut])


@settings(max_examples=150, deadline=None)
@given(
    changes=st.lists(
        st.tuples(
            st.integers(0, len(_SMALL) - 1),
            st.sampled_from(list(b"()<>[]{}/%\\ \n0123456789Rnobj")),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_a_damaged_pdf_gives_pdfs_or_a_render_error(changes: list[tuple[int, int]]) -> None:
    """CRW-10: a damaged PDF either still splits or raises RenderError, never anything else."""
    data = bytearray(_SMALL)
    for at, byte in changes:
        data[at] = byte
    try:
        singles = list(split_pages(bytes(data)))
    except RenderError:
        singles = []
    for single in singles:
        PdfReader(io.BytesIO(single))
    writer = PdfStreamWriter(io.BytesIO())
    try:
        writer.add_pdf(bytes(data))
    except RenderError:
        assert writer.page_count == 0


def test_a_page_tree_that_loops_is_read_from_the_top_or_refused_never_a_hang() -> None:
    """CRW-10: a /Parent chain that comes back on itself is never climbed (the tree is read
    from the top); /Kids that come back on themselves raise RenderError."""
    looped = assemble(
        {
            1: b"<< /Type /Catalog /Pages 2 0 R >>",
            2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 /Parent 4 0 R >>",
            3: b"<< /Type /Page /Parent 2 0 R /Contents 5 0 R >>",
            4: b"<< /Type /Pages /Kids [2 0 R] /Count 1 /Parent 2 0 R >>",
            5: b"<< /Length 9 >>\nstream\nBT 0 g ET\nendstream",
        },
        b"/Root 1 0 R",
    )
    assert len(list(split_pages(looped))) == 1
    assert len(read(combined([looped])).pages) == 1
    kids_loop = assemble(
        {
            1: b"<< /Type /Catalog /Pages 2 0 R >>",
            2: b"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>",
            3: b"<< /Type /Page /Parent 2 0 R /Contents 5 0 R >>",
            4: b"<< /Type /Pages /Kids [2 0 R] /Count 1 /Parent 2 0 R >>",
            5: b"<< /Length 9 >>\nstream\nBT 0 g ET\nendstream",
        },
        b"/Root 1 0 R",
    )
    _fails_cleanly(kids_loop)


def test_a_pdf_with_no_pages_is_an_error() -> None:
    """CRW-10: a source without pages raises RenderError instead of adding nothing."""
    empty = assemble(
        {1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [] /Count 0 >>"},
        b"/Root 1 0 R",
    )
    _fails_cleanly(empty)


@pytest.mark.parametrize(
    "program",
    [b"not a font at all", b"\x00\x01\x00\x00" + b"\x00" * 40],
    ids=["garbage", "empty-table-directory"],
)
def test_a_font_program_that_cannot_be_read_is_kept_as_it_is(program: bytes) -> None:
    """CRW-10: making singles' fonts smaller never stops a split; a program fontTools
    cannot read is copied as it is."""
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R 7 0 R] /Count 2 /MediaBox [0 0 200 200] >>",
        3: b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources 5 0 R >>",
        4: b"<< /Length 9 >>\nstream\nBT 0 g ET\nendstream",
        5: b"<< /Font << /F1 6 0 R >> >>",
        6: b"<< /Type /Font /Subtype /TrueType /BaseFont /X /FontDescriptor 8 0 R >>",
        7: b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources 5 0 R >>",
        8: b"<< /Type /FontDescriptor /FontName /X /FontFile2 9 0 R >>",
        9: b"<< /Length %d /Length1 %d >>\nstream\n%s\nendstream"
        % (len(program), len(program), program),
    }
    pdf = assemble(objects, b"/Root 1 0 R")
    for single in split_pages(pdf):
        font = read(single).pages[0]["/Resources"]["/Font"]["/F1"]
        assert font["/FontDescriptor"]["/FontFile2"].get_data() == program


# ---------------------------------------------------------------- poppler


def _poppler(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        pytest.skip(f"{tool} is not installed (apt-get install poppler-utils)")
    return found


def test_poppler_reads_the_single_and_combined_pdfs_without_complaint(
    renderer: FpdfLetterRenderer,
    sample_letters: list[LetterData],
    created: pendulum.DateTime,
    tmp_path: Path,
) -> None:
    """CRW-10: poppler, stricter than pypdf, reads every output without a syntax warning."""
    pdfinfo, pdftotext = _poppler("pdfinfo"), _poppler("pdftotext")
    batch = renderer.render(sample_letters, created=created)
    outputs = {f"single{i}.pdf": single for i, single in enumerate(split_pages(batch))}
    outputs["combined.pdf"] = combined([batch, batch])
    # Numbers a prepared batch left unused are free entries of the cross-reference table.
    out = io.BytesIO()
    writer = PdfStreamWriter(out)
    writer.add_pdf(batch, 40)
    writer.add_pdf(batch, 200)
    writer.close()
    outputs["gaps.pdf"] = out.getvalue()
    weird = assemble(
        {
            1: b"<< /Type /Catalog /Pages 2 0 R /Lang (en-GB) >>",
            2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 200 200] >>",
            3: b"<< /Type /Page /P#61rent 2 0 R % comment (\n /Contents 4 0 R >>",
            4: b"<< /Length 5 0 R >>\nstream\nBT /F1 9 Tf 9 9 Td (a \\(b) Tj ET\nendstream",
            5: b"33",
            6: b"<< /Title (nested (parens) and \\) 5 0 R endobj) >>",
        },
        b"/Root 1 0 R /Info 6 0 R",
    )
    outputs["weird.pdf"] = next(split_pages(weird))
    for name, pdf in outputs.items():
        path = tmp_path / name
        path.write_bytes(pdf)
        info = subprocess.run([pdfinfo, str(path)], capture_output=True, text=True, check=False)
        assert info.returncode == 0, info.stderr
        assert info.stderr == "", (name, info.stderr)
        pages = 10 if name in ("combined.pdf", "gaps.pdf") else 1
        assert re.search(rf"^Pages:\s+{pages}$", info.stdout, re.M), info.stdout
        if name != "weird.pdf":
            assert "Title:           Confidential examination results information" in info.stdout
            text = subprocess.run(
                [pdftotext, str(path), "-"], capture_output=True, text=True, check=True
            )
            assert text.stderr == ""
            assert "GB123" in text.stdout
        else:
            assert "Title:           nested (parens) and ) 5 0 R endobj" in info.stdout
