"""Combining and splitting PDFs through pypdf, writing objects as they come (CRW-10).

Each source PDF is read by pypdf and its objects written back renumbered
by :mod:`.pdf_source`; what is here assembles whole PDFs from them: the
objects, then the page tree, the catalog, one cross-reference subsection
from object 0 and the trailer.

:class:`PdfStreamWriter` appends the pages of source PDFs (the rendered
batches) to one output PDF, writing each source's objects at once and
keeping only their byte offsets (eight bytes an object) and the pages'
numbers (four bytes a page).  :func:`prepare_pages` (or :func:`split_batch`,
which also splits) writes a source's objects numbered from a given number in
another process, so the process writing the combined PDF only appends them
(:meth:`PdfStreamWriter.add_prepared`).

:func:`split_pages` cuts a batch into one PDF per page.  Objects several
pages share (the batch's fonts) are serialised once per batch, with the
same numbers in every single PDF; each single carries only the objects its
own page reaches.  Fonts in the singles are made smaller once per batch
(:mod:`~cambridge_results.rendering.pdf_fonts`).

The output is not encrypted, whatever the source was: the letters are
protected by where they are stored, not by a PDF password.
"""

from __future__ import annotations

import io
from array import array
from collections import Counter
from collections.abc import Iterator
from typing import IO

import attrs

from cambridge_results.errors import RenderError
from cambridge_results.rendering.pdf_fonts import StreamData, smaller
from cambridge_results.rendering.pdf_source import (
    CATALOG,
    FIRST_FREE,
    PAGES,
    PdfSource,
    Renumber,
    reading,
)
from cambridge_results.rendering.zip_entries import Deflated, HeadDeflater

__all__ = [
    "FIRST_OBJECT",
    "PdfStreamWriter",
    "PreparedPages",
    "prepare_pages",
    "split_batch",
    "split_for_zip",
    "split_pages",
]


_HEADER = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
#: The lowest number the objects of an added PDF may take in a combined PDF.
FIRST_OBJECT = FIRST_FREE
_IN_USE = b"%010d 00000 n \n"


def _xref_and_trailer(offsets: array[int], xref_at: int, info: int | None) -> bytes:
    """One subsection from 0; numbers without an offset are free (PDF 1.7, 7.5.4)."""
    free = [n for n in range(1, len(offsets)) if offsets[n] == 0]
    following = dict(zip([0, *free], [*free, 0], strict=True))
    lines = [b"xref\n0 %d\n%010d 65535 f \n" % (len(offsets), following[0])]
    for number in range(1, len(offsets)):
        at = offsets[number]
        lines.append(_IN_USE % at if at else b"%010d 00000 f \n" % following[number])
    info_entry = b" /Info %d 0 R" % info if info is not None else b""
    lines.append(
        b"trailer\n<< /Size %d /Root %d 0 R%s >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(offsets), CATALOG, info_entry, xref_at)
    )
    return b"".join(lines)


def _tree_and_catalog(kids: array[int], lang: bytes) -> list[tuple[int, bytes]]:
    return [
        (
            PAGES,
            b"%d 0 obj\n<< /Type /Pages /Kids [%s] /Count %d >>\nendobj\n"
            % (PAGES, b" ".join(b"%d 0 R" % k for k in kids), len(kids)),
        ),
        (
            CATALOG,
            b"%d 0 obj\n<< /Type /Catalog /Pages %d 0 R%s >>\nendobj\n" % (CATALOG, PAGES, lang),
        ),
    ]


@attrs.frozen(kw_only=True)
class PreparedPages:
    """A PDF's pages written as objects ``first``, ``first + 1``, ... for a combined PDF.

    Made by :func:`prepare_pages` or :func:`split_batch` (in a worker, say), so
    that :meth:`PdfStreamWriter.add_prepared` only appends ``data``: no
    parsing where the combined PDF is written.  ``offsets[i]`` is where
    object ``first + i`` starts in ``data``; ``kids`` are the pages' numbers
    in order; ``info`` the document information's number, if it was asked
    for and the source has one; ``lang`` the catalog's ``/Lang`` entry.
    """

    first: int
    data: bytes = attrs.field(repr=False)
    offsets: array[int] = attrs.field(repr=False)
    kids: array[int]
    info: int | None
    lang: bytes

    @property
    def end(self) -> int:
        """The number after the last object."""
        return self.first + len(self.offsets)


def _prepare(source: PdfSource, first: int, with_info: bool) -> PreparedPages:
    if first < FIRST_FREE:
        raise RenderError(f"objects of a combined PDF are numbered from {FIRST_FREE}")
    ids: dict[int, int] = {}

    def renumber(number: int) -> int:
        if number in source.tree_nodes:
            return PAGES
        new = ids.get(number)
        if new is None:
            new = ids[number] = first + len(ids)
        return new

    order: dict[int, None] = {}
    for number in source.page_numbers:
        order.update(dict.fromkeys(source.page_closure(number)))
    info = source.info if with_info else None
    if info is not None:
        order.update(dict.fromkeys(source.page_closure(info)))
    for number in order:  # numbered in the order written
        renumber(number)
    kids = array("L", [renumber(n) for n in source.page_numbers])
    out = io.BytesIO()
    offsets = array("Q", bytes(8 * len(ids)))
    for number in order:
        new = renumber(number)
        offsets[new - first] = out.tell()
        out.write(source.body(number, new, renumber))
    if len(ids) != len(offsets):  # every reference is to an object of the closures
        raise RenderError("the PDF refers to an object its pages do not reach")
    return PreparedPages(
        first=first,
        data=out.getvalue(),
        offsets=offsets,
        kids=kids,
        info=ids[info] if info is not None else None,
        lang=source.lang,
    )


def prepare_pages(data: bytes, first: int, *, with_info: bool = True) -> PreparedPages:
    """The pages of the PDF in ``data`` (and, ``with_info``, its document information)
    as objects numbered from ``first``, ready for :meth:`PdfStreamWriter.add_prepared`."""
    return _prepare(PdfSource(data), first, with_info)


class PdfStreamWriter:
    """Write a PDF to ``out`` page by page; call :meth:`close` to finish it.

    Objects 1 and 2 are the catalog and the page tree, written last;
    everything else is written as soon as its source is added.  ``out``
    need not be seekable.  The first source with document information (and
    the first with a catalog /Lang) gives them; outlines, forms and other
    document-level parts of the sources are not carried over.  Numbers no
    object took (a prepared batch that needed fewer than it was given) are
    free entries of the cross-reference table.
    """

    def __init__(self, out: IO[bytes]) -> None:
        self._out = out
        self._position = 0
        self._offsets = array("Q", [0] * FIRST_FREE)
        self._kids = array("L")
        self._info: int | None = None
        self._lang = b""
        self._closed = False
        self._emit(_HEADER)

    @property
    def page_count(self) -> int:
        """How many pages were added."""
        return len(self._kids)

    @property
    def next_number(self) -> int:
        """The lowest number a prepared batch may start at."""
        return len(self._offsets)

    def _emit(self, data: bytes) -> None:
        self._out.write(data)
        self._position += len(data)

    def _write(self, objects: list[tuple[int, bytes]]) -> None:
        for number, body in objects:
            while len(self._offsets) <= number:
                self._offsets.append(0)
            self._offsets[number] = self._position
            self._emit(body)

    def add_pdf(self, data: bytes, first: int = 0) -> None:
        """Append every page of the PDF in ``data``, its objects numbered from ``first``
        or :attr:`next_number`, whichever is higher.

        The whole source is read before anything is written, so a source
        that cannot be read raises :class:`RenderError` and adds nothing.
        """
        if self._closed:
            raise RenderError("the PDF is already closed")
        start = max(first, self.next_number)
        self.add_prepared(_prepare(PdfSource(data), start, self._info is None))

    def add_prepared(self, pages: PreparedPages) -> None:
        """Append pages prepared from :attr:`next_number` or above: their bytes as they are."""
        if self._closed:
            raise RenderError("the PDF is already closed")
        if pages.first < self.next_number or not pages.kids:
            raise RenderError("prepared pages must be numbered after what the PDF holds")
        if any(not pages.first <= kid < pages.end for kid in pages.kids):
            raise RenderError("a prepared page is not one of its objects")
        self._offsets.extend(array("Q", bytes(8 * (pages.first - self.next_number))))
        at = self._position
        self._offsets.extend(array("Q", [at + offset for offset in pages.offsets]))
        self._emit(pages.data)
        if self._info is None and pages.info is not None:
            self._info = pages.info
        if not self._lang:
            self._lang = pages.lang
        self._kids.extend(pages.kids)

    def close(self) -> None:
        """Write the page tree, catalog, cross-reference table and trailer."""
        if self._closed:
            return
        if not self._kids:
            raise RenderError("a PDF needs at least one page")
        self._closed = True
        self._write(_tree_and_catalog(self._kids, self._lang))
        xref_at = self._position
        self._emit(_xref_and_trailer(self._offsets, xref_at, self._info))


def _renumbering(tree_nodes: set[int], numbers: dict[int, int]) -> Renumber:
    def renumber(number: int) -> int | None:
        return PAGES if number in tree_nodes else numbers.get(number)

    return renumber


def split_pages(pdf: bytes) -> Iterator[bytes]:
    """One PDF per page of ``pdf``, in order, each with the document information.

    Objects the pages share are serialised once and their bytes reused;
    font programs are made smaller once per batch (:func:`.pdf_fonts.smaller`).
    """
    return _singles(PdfSource(pdf))


def split_batch(
    pdf: bytes, first: int, room: int, *, with_info: bool = True
) -> tuple[list[bytes], PreparedPages | None]:
    """:func:`split_pages` and :func:`prepare_pages` from one reading of ``pdf``.

    The prepared pages are ``None`` when they need more than ``room``
    numbers from ``first``: the combined PDF's writer then reads ``pdf``
    itself.  A worker does this so the process writing the files only
    appends bytes (docs/performance.md).
    """
    source, prepared = _read(pdf, first, room, with_info)
    return list(_singles(source)), prepared


def split_for_zip(
    pdf: bytes, first: int | None = None, room: int = 0, *, with_info: bool = True
) -> tuple[list[Deflated], PreparedPages | None]:
    """:func:`split_batch` (or, without ``first``, :func:`split_pages`) with every single
    deflated for its zip entry, the bytes the singles share deflated once
    (:mod:`.zip_entries`): what a worker does, so the process writing the zip
    only appends bytes there too."""
    if first is None:
        source, prepared = PdfSource(pdf), None
    else:
        source, prepared = _read(pdf, first, room, with_info)
    packer = HeadDeflater()
    return [packer.deflate(head, tail) for head, tail in _single_parts(source)], prepared


def _read(
    pdf: bytes, first: int, room: int, with_info: bool
) -> tuple[PdfSource, PreparedPages | None]:
    source = PdfSource(pdf)
    prepared = _prepare(source, first, with_info)
    return source, prepared if prepared.end <= first + room else None


def _singles(source: PdfSource) -> Iterator[bytes]:
    return (head + tail for head, tail in _single_parts(source))


def _single_parts(source: PdfSource) -> Iterator[tuple[bytes, bytes]]:
    """Each page's single PDF in two parts: its head (the header and the shared objects
    the page reaches), one bytes object for every page that reaches the same ones, and
    its tail (the page's own objects, page tree, catalog, cross-references, trailer)."""
    closures = [source.page_closure(n) for n in source.page_numbers]
    counts = Counter(n for closure in closures for n in closure)
    info = source.page_closure(source.info) if source.info is not None else []
    shared = [n for n in dict.fromkeys([*info, *counts]) if n in info or counts[n] > 1]
    shared_set = set(shared)
    smaller_data: dict[int, StreamData] = {}

    def body(number: int, new: int, renumber: Renumber) -> bytes:
        data = None
        font = number in source.font_files
        if font or number in shared_set:
            if number not in smaller_data:
                with reading():
                    smaller_data[number] = smaller(source.object(number), font=font)
            data = smaller_data[number]
        return source.body(number, new, renumber, data)

    heads: dict[tuple[int, ...], tuple[bytes, array[int]]] = {}
    for closure in closures:
        # The shared objects this page reaches, numbered without gaps and first; pages
        # that reach the same ones share their bytes.
        reached = set(closure)
        used = tuple(n for n in shared if n in reached or n in info)
        own = [n for n in closure if n not in shared_set]
        numbers = {n: FIRST_FREE + i for i, n in enumerate((*used, *own))}
        renumber = _renumbering(source.tree_nodes, numbers)
        made = heads.get(used)
        if made is None:
            out = io.BytesIO()
            out.write(_HEADER)
            starts = array("Q")
            for number in used:
                starts.append(out.tell())
                out.write(body(number, numbers[number], renumber))
            made = heads[used] = (out.getvalue(), starts)
        head, starts = made
        offsets = array("Q", [0] * (FIRST_FREE + len(numbers)))
        offsets[FIRST_FREE : FIRST_FREE + len(used)] = starts
        out = io.BytesIO()
        for number in own:
            offsets[numbers[number]] = len(head) + out.tell()
            out.write(body(number, numbers[number], renumber))
        for number, tree in _tree_and_catalog(array("L", [numbers[closure[0]]]), source.lang):
            offsets[number] = len(head) + out.tell()
            out.write(tree)
        info_number = numbers[source.info] if source.info is not None else None
        out.write(_xref_and_trailer(offsets, len(head) + out.tell(), info_number))
        yield head, out.getvalue()
