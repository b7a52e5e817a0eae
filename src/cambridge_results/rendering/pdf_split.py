"""Combining and splitting PDFs, writing objects as they come (CRW-10).

:class:`PdfStreamWriter` appends the pages of source PDFs (the rendered
batches) to one output PDF, writing every object to the stream at once and
keeping only byte offsets: memory stays flat however many batches go in.

:func:`split_pages` cuts a batch into one PDF per page.  Every page of a
batch shares the batch's font subset; objects that several pages share are
serialised once per batch and get the same numbers in every single PDF, so
a single-letter PDF costs little more than copying bytes.

Two paths do the work.  A PDF with a classic cross-reference table and
nothing fancy, which is what fpdf2 writes, is cut at the byte level
(:mod:`~cambridge_results.rendering.pdf_objects`): only the references in
the dictionaries are rewritten, stream data is copied byte for byte.  Any
other PDF (cross-reference or object streams, incremental updates,
encryption, pages whose objects refer to pages...) goes through pypdf's
object model (:mod:`~cambridge_results.rendering.pdf_pypdf`, imported only
then), as third-party renderers may write anything.
:func:`fast_path_applies` says which path a PDF takes.

Every output has one cross-reference subsection starting at object 0 (PDF
1.7, 7.5.4), with free entries for numbers it does not use.
"""

from __future__ import annotations

import gc
import io
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from itertools import accumulate, chain, filterfalse
from typing import IO, Protocol

from cambridge_results.errors import RenderError
from cambridge_results.rendering.pdf_layout import CATALOG as _CATALOG
from cambridge_results.rendering.pdf_layout import FIRST_FREE as _FIRST_FREE
from cambridge_results.rendering.pdf_layout import PAGES as _PAGES
from cambridge_results.rendering.pdf_layout import PdfObject as _Object
from cambridge_results.rendering.pdf_layout import reading as _reading
from cambridge_results.rendering.pdf_objects import PAGE_TREE, ClassicPdf, NotSimple

__all__ = ["PdfStreamWriter", "fast_path_applies", "split_pages", "trailer", "xref_table"]

_HEADER = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
_IN_USE = b"%010d 00000 n \n"


def _check_framing(data: bytes) -> None:
    """Refuse what is not a PDF, or a truncated one, whichever path would read it."""
    if not isinstance(data, bytes):
        raise RenderError(f"a PDF must be bytes, not {type(data).__name__}")
    if b"%PDF-" not in data[:1024]:
        raise RenderError("not a PDF: no %PDF- header in its first 1024 bytes")
    # Readers look for the end-of-file marker in the last 1024 bytes (PDF 1.7, annex H).
    if b"%%EOF" not in data[-1024:]:
        raise RenderError("the PDF is truncated: no %%EOF marker in its last 1024 bytes")


class _CollectorPaused:
    """Pause the cyclic garbage collector for a ``with`` block, if it runs.

    The byte-level path makes many small containers and no cycles, so
    reference counting frees all it makes; but each collection the
    allocations set off walks every object of the process, and a renderer's
    fonts alone are many: the collector cost about as much as the work
    (0.14 against 0.08 ms a page to combine 100 letters).
    """

    __slots__ = ("_was_running",)

    def __enter__(self) -> None:
        self._was_running = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        if self._was_running:
            gc.enable()


def _classic(data: bytes) -> ClassicPdf | None:
    try:
        with _CollectorPaused():
            return ClassicPdf(data)
    except NotSimple:
        return None


def fast_path_applies(data: bytes) -> bool:
    """Whether :func:`split_pages` and :meth:`PdfStreamWriter.add_pdf` cut ``data``
    at the byte level rather than through pypdf.

    True for a PDF with one classic cross-reference table, no incremental
    update, no encryption, no object or cross-reference streams, generation
    numbers 0, stream lengths that match, a page tree whose nodes say their
    /Type, and pages none of whose objects refers to a page (not even its
    own, as an annotation's /P may), the page tree or the catalog: what
    fpdf2 writes.  Raises :class:`RenderError` if ``data`` is no PDF at all
    or is cut short, as both paths do.
    """
    _check_framing(data)
    return _classic(data) is not None


def xref_table(offsets: Mapping[int, int]) -> bytes:
    """A cross-reference table in one subsection from 0; unused numbers are free entries,
    linked in a list as 7.5.4 describes."""
    size = max(offsets) + 1
    if len(offsets) == size - 1:
        # No number unused: every line is an offset.
        in_use = map(_IN_USE.__mod__, map(offsets.__getitem__, range(1, size)))
        return b"xref\n0 %d\n0000000000 65535 f \n%s" % (size, b"".join(in_use))
    free = [n for n in range(1, size) if n not in offsets]
    next_free = dict(zip([0, *free], [*free, 0], strict=True))
    lines = [b"xref\n0 %d\n%010d 65535 f \n" % (size, next_free[0])]
    for number in range(1, size):
        offset = offsets.get(number)
        if offset is None:
            lines.append(b"%010d 00000 f \n" % next_free[number])
        else:
            lines.append(_IN_USE % offset)
    return b"".join(lines)


def _catalog(lang: bytes | None) -> bytes:
    # The source's language goes with its pages: screen readers pick their voice from it.
    lang_entry = b" /Lang " + lang if lang is not None else b""
    return b"%d 0 obj\n<< /Type /Catalog /Pages %d 0 R%s >>\nendobj\n" % (
        _CATALOG,
        _PAGES,
        lang_entry,
    )


def trailer(
    size: int, info: int | None, xref_at: int, *, root: int = _CATALOG, extra: bytes = b""
) -> bytes:
    """The trailer and end of a PDF whose cross-reference table starts at ``xref_at``;
    ``extra`` is more trailer entries as written (a file identifier, say)."""
    info_entry = b" /Info %d 0 R" % info if info is not None else b""
    return b"trailer\n<< /Size %d /Root %d 0 R%s%s >>\nstartxref\n%d\n%%%%EOF\n" % (
        size,
        root,
        info_entry,
        extra,
        xref_at,
    )


class _PageSource(Protocol):
    """One source PDF, as :class:`PdfStreamWriter` takes it in."""

    #: The next output number free after this source's objects.
    next_id: int
    page_count: int
    #: The catalog's /Lang, serialised, if the source has one.
    lang: bytes | None

    def pages(self, indices: range) -> tuple[list[int], list[_Object]]:
        """The output numbers of pages ``indices`` and the objects they need not given
        out before."""

    def info(self) -> tuple[int, list[_Object]] | None:
        """The information dictionary's output number and the objects it needs."""


class _ByteSource:
    """A :class:`ClassicPdf` renumbered from ``first_id`` as its objects are needed."""

    def __init__(self, pdf: ClassicPdf, first_id: int) -> None:
        self._pdf = pdf
        self.next_id = first_id
        self.page_count = pdf.page_count
        self.lang = pdf.lang
        self._ids: dict[int, int] = {}
        self._refs: dict[int, bytes] = {PAGE_TREE: b"%d 0 R" % _PAGES}

    def _objects(self, needed: Iterable[int]) -> list[_Object]:
        ids, refs = self._ids, self._refs
        new = [n for n in dict.fromkeys(needed) if n not in ids]
        first = self.next_id
        self.next_id += len(new)
        ids.update(zip(new, range(first, self.next_id), strict=True))
        refs.update(zip(new, map(b"%d 0 R".__mod__, range(first, self.next_id)), strict=True))
        template = self._pdf.template
        return [
            (i, template(n).render(b"%d 0 obj\n" % i, refs)) for i, n in enumerate(new, start=first)
        ]

    def pages(self, indices: range) -> tuple[list[int], list[_Object]]:
        """The output numbers of pages ``indices`` and the objects they need not given
        out before."""
        pdf = self._pdf
        if indices == range(pdf.page_count):
            # A whole source, as add_pdf takes it: no page's closure needs listing.
            objects = self._objects(pdf.needed)
            return [self._ids[page] for page in pdf.pages], objects
        closures = pdf.closures[indices.start : indices.stop : indices.step]
        objects = self._objects(chain.from_iterable(closures))
        return [self._ids[closure[0]] for closure in closures], objects

    def info(self) -> tuple[int, list[_Object]] | None:
        """The information dictionary's output number and the objects it needs."""
        if self._pdf.info is None:
            return None
        objects = self._objects(self._pdf.info_closure)
        return self._ids[self._pdf.info], objects


class PdfStreamWriter:
    """Write a PDF to ``out`` page by page; call :meth:`close` to finish it.

    Objects 1 and 2 are reserved for the catalog and the page tree, which
    are written last; everything else is written as soon as its page is
    added.  The output stream need not be seekable.  The first source added
    that has document information (and a catalog /Lang) gives them.
    ``fast_path=False`` sends every source through pypdf, as a PDF that
    :func:`fast_path_applies` refuses always goes (for comparisons).
    """

    def __init__(self, out: IO[bytes], *, fast_path: bool = True) -> None:
        self._out = out
        self._fast_path = fast_path
        self._position = 0
        self._offsets: dict[int, int] = {}
        self._next_id = _FIRST_FREE
        self._kids: list[int] = []
        self._info: int | None = None
        self._lang: bytes | None = None
        self._closed = False
        self._emit(_HEADER)

    @property
    def page_count(self) -> int:
        """How many pages were added."""
        return len(self._kids)

    def _emit(self, data: bytes) -> None:
        self._out.write(data)
        self._position += len(data)

    def add_pdf(self, data: bytes) -> None:
        """Append every page of the PDF in ``data``.

        The whole source is read before anything is written, so a source
        that cannot be read raises :class:`RenderError` and adds nothing.
        """
        if self._closed:
            raise RenderError("the PDF is already closed")
        _check_framing(data)
        pdf = _classic(data) if self._fast_path else None
        if pdf is not None:
            with _CollectorPaused():
                self._add(_ByteSource(pdf, self._next_id), range(pdf.page_count))
            return
        from cambridge_results.rendering.pdf_pypdf import read_source

        source = read_source(data, self._next_id)
        self._add(source, range(source.page_count))

    def _add(self, source: _PageSource, pages: range) -> None:
        if self._closed:
            raise RenderError("the PDF is already closed")
        with _reading():
            info = source.info() if self._info is None else None
            kids, objects = source.pages(pages)
        if not kids:
            raise RenderError("the PDF has no pages")
        if info is not None:
            self._info = info[0]
            self._write(info[1])
        if self._lang is None:
            self._lang = source.lang
        self._write(objects)
        self._kids.extend(kids)
        self._next_id = source.next_id

    def _write(self, objects: list[_Object]) -> None:
        bodies = [body for _, body in objects]
        positions = accumulate(map(len, bodies), initial=self._position)
        self._offsets.update(zip((i for i, _ in objects), positions, strict=False))
        self._emit(b"".join(bodies))

    def close(self) -> None:
        """Write the page tree, catalog, cross-reference table and trailer."""
        if self._closed:
            return
        if not self._kids:
            raise RenderError("a PDF needs at least one page")
        self._closed = True
        kids = b" ".join(b"%d 0 R" % k for k in self._kids)
        self._write(
            [
                (
                    _PAGES,
                    b"%d 0 obj\n<< /Type /Pages /Kids [%s] /Count %d >>\nendobj\n"
                    % (_PAGES, kids, len(self._kids)),
                ),
                (_CATALOG, _catalog(self._lang)),
            ]
        )
        xref_at = self._position
        self._emit(xref_table(self._offsets))
        self._emit(trailer(max(self._offsets) + 1, self._info, xref_at))


def split_pages(data: bytes, *, fast_path: bool = True) -> Iterator[bytes]:
    """One PDF per page of ``data``, in order, each with the document information.

    Objects the pages share are serialised once and their bytes reused.
    ``fast_path=False`` reads ``data`` with pypdf even when
    :func:`fast_path_applies` (for comparisons).
    """
    _check_framing(data)
    pdf = _classic(data) if fast_path else None
    if pdf is not None:
        yield from _split_bytes(pdf)
    else:
        from cambridge_results.rendering.pdf_pypdf import page_sources

        for source, pages in page_sources(data):
            buffer = io.BytesIO()
            writer = PdfStreamWriter(buffer)
            writer._add(source, pages)
            writer.close()
            yield buffer.getvalue()


class _SharedBlock:
    """The objects a set of pages share, laid out right after the header of each of
    their single PDFs, with their cross-reference lines, which are the same for all."""

    def __init__(self, bodies: Mapping[int, bytes], first_own: int) -> None:
        parts: list[bytes] = []
        position = len(_HEADER)
        offsets: dict[int, int] = {}
        for number, body in bodies.items():
            offsets[number] = position
            parts.append(body)
            position += len(body)
        self.data = b"".join(parts)
        self.end = position
        # Numbers no object here uses are free, linked from entry 0 (PDF 1.7, 7.5.4).
        free = [n for n in range(_FIRST_FREE, first_own) if n not in offsets]
        following = dict(zip(free, [*free[1:], 0][: len(free)], strict=True))
        self.head = b"%010d 65535 f \n" % (free[0] if free else 0)
        self.lines = b"".join(
            _IN_USE % offsets[n] if n in offsets else b"%010d 00000 f \n" % following[n]
            for n in range(_FIRST_FREE, first_own)
        )


class _Splitter:
    """One PDF per page of a :class:`ClassicPdf`, objects the pages share laid out once."""

    def __init__(self, pdf: ClassicPdf) -> None:
        if pdf.page_count == 0:
            raise RenderError("the PDF has no pages")
        self._pdf = pdf
        # Objects more than one page needs, and the information, have one number
        # in every single PDF, after the catalog and the page tree.
        reached = Counter(chain.from_iterable(pdf.closures))
        shared = {n: new for new, n in enumerate(n for n, k in reached.items() if k > 1)}
        shared.update((n, len(shared)) for n in pdf.info_closure if n not in shared)
        for number in shared:
            shared[number] += _FIRST_FREE
        self._shared = shared
        self._first_own = first_own = _FIRST_FREE + len(shared)
        refs = {n: b"%d 0 R" % new for n, new in shared.items()}
        refs[PAGE_TREE] = b"%d 0 R" % _PAGES
        self._refs = refs
        template = pdf.template
        self._bodies = {
            n: template(n).render(b"%d 0 obj\n" % new, refs) for n, new in shared.items()
        }
        self._blocks: dict[tuple[int, ...], _SharedBlock] = {}
        self._info = shared[pdf.info] if pdf.info is not None else None
        # The page is the first object of its closure, so it is number first_own.
        self._page_tree = b"%d 0 obj\n<< /Type /Pages /Kids [%d 0 R] /Count 1 >>\nendobj\n" % (
            _PAGES,
            first_own,
        )
        self._tail = self._page_tree + _catalog(pdf.lang)
        most = max(map(len, pdf.closures))
        self._own_refs = [b"%d 0 R" % n for n in range(first_own, first_own + most)]
        self._own_headers = [b"%d 0 obj\n" % n for n in range(first_own, first_own + most)]

    def single(self, index: int) -> bytes:
        """Page ``index`` as a PDF of its own."""
        pdf, shared, refs = self._pdf, self._shared, self._refs
        closure = pdf.closures[index]
        is_shared = shared.__contains__
        own = list(filterfalse(is_shared, closure))
        used = tuple(filter(is_shared, closure))
        block = self._blocks.get(used)
        if block is None:
            bodies = {shared[n]: self._bodies[n] for n in (*used, *pdf.info_closure)}
            block = self._blocks[used] = _SharedBlock(bodies, self._first_own)
        # A page's own objects are no other page's, so their numbers can stay in refs.
        refs.update(zip(own, self._own_refs, strict=False))
        parts = [_HEADER, block.data]
        position = block.end
        lines: list[bytes] = []
        template = pdf.template
        for header, number in zip(self._own_headers, own, strict=False):
            body = template(number).render(header, refs)
            lines.append(_IN_USE % position)
            parts.append(body)
            position += len(body)
        size = self._first_own + len(own)
        tail = self._tail
        parts.append(tail)
        parts.append(b"xref\n0 %d\n" % size)
        parts.append(block.head)
        parts.append(_IN_USE % (position + len(self._page_tree)))
        parts.append(_IN_USE % position)
        parts.append(block.lines)
        parts.extend(lines)
        parts.append(trailer(size, self._info, position + len(tail)))
        return b"".join(parts)


def _split_bytes(pdf: ClassicPdf) -> Iterator[bytes]:
    with _CollectorPaused():
        splitter = _Splitter(pdf)
    for index in range(pdf.page_count):
        with _CollectorPaused():
            single = splitter.single(index)
        # Not paused while the caller has the page.
        yield single
