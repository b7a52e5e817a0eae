"""Combining and splitting PDFs with pypdf, writing objects as they come (CRW-10).

:class:`PdfStreamWriter` appends the pages of source PDFs (the rendered
batches) to one output PDF, writing every object to the stream at once and
keeping only byte offsets: memory stays flat however many batches go in.

:func:`split_pages` cuts a batch into one PDF per page.  Every page of a
batch shares the batch's font subset, and each object of the batch is
numbered and serialised once (:class:`_Source`), so a single-letter PDF
costs little more than copying bytes: no page pays to subset a font or to
serialise one again.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import IO, Any

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    PdfObject,
    StreamObject,
)

from cambridge_results.errors import RenderError

__all__ = ["PdfStreamWriter", "split_pages"]

_HEADER = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
_INHERITED = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")
_CATALOG, _PAGES, _INFO = 1, 2, 3
_FIRST_FREE = 4


def _inherited(page: DictionaryObject, key: str) -> Any:
    node: Any = page
    while node is not None:
        node = node.get_object()
        if key in node:
            return node[key]
        node = node.get("/Parent")
    return None


class _Source:
    """The objects of one source PDF, renumbered from ``first_id`` and serialised once.

    A page's ``/Parent`` becomes the output's page tree (object 2), and
    attributes it inherited are copied onto it.  Links between pages are
    not carried over: letters have none.
    """

    def __init__(self, reader: PdfReader, first_id: int) -> None:
        self.reader = reader
        self.next_id = first_id
        self._ids: dict[tuple[int, int], int] = {}
        self._bodies: dict[int, tuple[bytes, tuple[int, ...]]] = {}
        self._pages: dict[tuple[int, int], int] = {}

    def _id_for(self, ref: IndirectObject) -> int:
        key = (ref.idnum, ref.generation)
        new = self._ids.get(key)
        if new is None:
            new = self.next_id
            self.next_id += 1
            self._ids[key] = new
        return new

    def page_id(self, index: int) -> int:
        """The output number of page ``index``; its body is ready in :meth:`body`."""
        page = self.reader.pages[index]
        ref = page.indirect_reference
        if ref is None:
            raise RenderError("source page has no object number")
        new = self._id_for(ref)
        if new not in self._bodies:
            entries: dict[Any, Any] = {k: v for k, v in page.items() if k != "/Parent"}
            for key in _INHERITED:
                if key not in entries:
                    value = _inherited(page, key)
                    if value is not None:
                        entries[key] = value
            deps: list[int] = []
            converted = DictionaryObject({k: self._convert(v, deps) for k, v in entries.items()})
            converted[NameObject("/Parent")] = IndirectObject(_PAGES, 0, None)
            self._bodies[new] = (_serialise(converted), tuple(deps))
        return new

    def body(self, new_id: int) -> tuple[bytes, tuple[int, ...]]:
        """The serialised object ``new_id`` and the numbers of the objects it refers to."""
        return self._bodies[new_id]

    def _convert(self, obj: Any, deps: list[int]) -> Any:
        if isinstance(obj, IndirectObject):
            new = self._id_for(obj)
            deps.append(new)
            if new not in self._bodies:
                # Reserve first, so objects that refer back to this one terminate.
                self._bodies[new] = (b"", ())
                inner: list[int] = []
                converted = self._convert(obj.get_object(), inner)
                self._bodies[new] = (_serialise(converted), tuple(inner))
            return IndirectObject(new, 0, None)
        if isinstance(obj, StreamObject):
            stream = StreamObject()
            for k, v in obj.items():
                if k != "/Length":
                    stream[k] = self._convert(v, deps)
            # The raw, still-encoded bytes: copied as they are, never re-compressed.
            stream.set_data(obj._data)
            return stream
        if isinstance(obj, DictionaryObject):
            return DictionaryObject({k: self._convert(v, deps) for k, v in obj.items()})
        if isinstance(obj, ArrayObject):
            return ArrayObject(self._convert(v, deps) for v in obj)
        return obj

    def info(self) -> DictionaryObject | None:
        """The document information dictionary, copied (it holds no references)."""
        info = self.reader.trailer.get("/Info")
        if info is None:
            return None
        deps: list[int] = []
        converted = self._convert(info.get_object(), deps)
        if deps or not isinstance(converted, DictionaryObject):
            return None
        return converted


def _serialise(obj: PdfObject) -> bytes:
    buffer = io.BytesIO()
    obj.write_to_stream(buffer)
    return buffer.getvalue()


class PdfStreamWriter:
    """Write a PDF to ``out`` page by page; call :meth:`close` to finish it.

    Objects 1 to 3 are reserved for the catalog, the page tree and the
    document information, which are written last; everything else is
    written as soon as its page is added.  The output stream need not be
    seekable.  The first source added gives the document information.
    """

    def __init__(self, out: IO[bytes]) -> None:
        self._out = out
        self._position = 0
        self._offsets: dict[int, int] = {}
        self._next_id = _FIRST_FREE
        self._kids: list[int] = []
        self._info: DictionaryObject | None = None
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
        """Append every page of the PDF in ``data``."""
        source = _Source(PdfReader(io.BytesIO(data)), self._next_id)
        self._add(source, range(len(source.reader.pages)))
        self._next_id = source.next_id

    def _add(self, source: _Source, pages: range) -> None:
        if self._closed:
            raise RenderError("the PDF is already closed")
        if self._info is None:
            self._info = source.info()
        for index in pages:
            page_id = source.page_id(index)
            self._write_closure(source, page_id)
            self._kids.append(page_id)

    def _write_closure(self, source: _Source, first: int) -> None:
        todo = [first]
        while todo:
            object_id = todo.pop()
            if object_id in self._offsets:
                continue
            body, deps = source.body(object_id)
            self._write(object_id, body)
            todo.extend(reversed(deps))

    def _write(self, object_id: int, body: bytes) -> None:
        self._offsets[object_id] = self._position
        self._emit(b"%d 0 obj\n%s\nendobj\n" % (object_id, body))

    def close(self) -> None:
        """Write the page tree, catalog, information, cross-reference table and trailer."""
        if self._closed:
            return
        if not self._kids:
            raise RenderError("a PDF needs at least one page")
        self._closed = True
        pages = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Pages"),
                NameObject("/Kids"): ArrayObject(IndirectObject(k, 0, None) for k in self._kids),
                NameObject("/Count"): NumberObject(len(self._kids)),
            }
        )
        self._write(_PAGES, _serialise(pages))
        catalog = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Catalog"),
                NameObject("/Pages"): IndirectObject(_PAGES, 0, None),
            }
        )
        self._write(_CATALOG, _serialise(catalog))
        self._write(_INFO, _serialise(self._info if self._info is not None else DictionaryObject()))
        xref_at = self._position
        self._emit(_xref(self._offsets))
        size = max(self._offsets) + 1
        self._emit(
            f"trailer\n<< /Size {size} /Root {_CATALOG} 0 R /Info {_INFO} 0 R >>\n"
            f"startxref\n{xref_at}\n%%EOF\n".encode("ascii")
        )


def _xref(offsets: dict[int, int]) -> bytes:
    """A cross-reference table in subsections, so unused numbers cost nothing."""
    lines = ["xref\n0 1\n0000000000 65535 f \n"]
    ids = sorted(offsets)
    start = 0
    while start < len(ids):
        end = start
        while end + 1 < len(ids) and ids[end + 1] == ids[end] + 1:
            end += 1
        lines.append(f"{ids[start]} {end - start + 1}\n")
        lines.extend(f"{offsets[i]:010d} 00000 n \n" for i in ids[start : end + 1])
        start = end + 1
    return "".join(lines).encode("ascii")


def split_pages(data: bytes) -> Iterator[bytes]:
    """One PDF per page of ``data``, in order, each with the document information.

    Objects the pages share are serialised once and their bytes reused.
    """
    source = _Source(PdfReader(io.BytesIO(data)), _FIRST_FREE)
    for index in range(len(source.reader.pages)):
        buffer = io.BytesIO()
        writer = PdfStreamWriter(buffer)
        writer._add(source, range(index, index + 1))
        writer.close()
        yield buffer.getvalue()
