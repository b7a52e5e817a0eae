"""The pypdf path of :mod:`~cambridge_results.rendering.pdf_split`, for PDFs the byte
level refuses (cross-reference or object streams, incremental updates, encryption, ...).

Third-party renderers may write anything, so this path stays; fpdf2's output never
takes it.  It lives apart so that a process that only ever meets fpdf2's output (a
generation worker, say) does not pay to import pypdf.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from typing import Any

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NullObject,
    PdfObject,
    StreamObject,
    TextStringObject,
)

from cambridge_results.errors import RenderError
from cambridge_results.rendering.pdf_layout import FIRST_FREE as _FIRST_FREE
from cambridge_results.rendering.pdf_layout import PAGES as _PAGES
from cambridge_results.rendering.pdf_layout import PdfObject as _Object
from cambridge_results.rendering.pdf_layout import reading as _reading
from cambridge_results.rendering.pdf_objects import INHERITED

__all__ = ["page_sources", "read_source"]


def _inherited(page: DictionaryObject, key: str) -> Any:
    node: Any = page
    climbed: set[int] = set()
    while node is not None:
        node = node.get_object()
        # pypdf keeps what it has read, so a node met twice is the same object.
        if id(node) in climbed:
            raise RenderError("the page tree's /Parent entries go round in a loop")
        climbed.add(id(node))
        if key in node:
            return node[key]
        node = node.get("/Parent")
    return None


_Key = tuple[int, int]
_Body = tuple[bytes, tuple[int, ...]]


class _Source:
    """The objects of one source PDF read by pypdf, renumbered from ``first_id``.

    A page's ``/Parent`` becomes the output's page tree (object 2), and
    attributes it inherited are copied onto it.  ``shared`` fixes the
    numbers of objects given out with the same bytes in several outputs
    (the batch's fonts in every single PDF); their bodies are kept in
    ``shared_bodies``, which those outputs' sources share.
    """

    def __init__(
        self,
        reader: PdfReader,
        first_id: int,
        shared: Mapping[_Key, int] | None = None,
        shared_bodies: dict[int, _Body] | None = None,
    ) -> None:
        self.reader = reader
        self.next_id = first_id
        self._first_own = first_id
        self._ids: dict[_Key, int] = dict(shared or {})
        self._shared_bodies: dict[int, _Body] = shared_bodies if shared_bodies is not None else {}
        self._bodies: dict[int, _Body] = {}
        self._given: set[int] = set()
        self.page_count = len(reader.pages)
        self.lang = self._lang()

    def _lang(self) -> bytes | None:
        root = self.reader.trailer.get("/Root")
        lang = root.get_object().get("/Lang") if root is not None else None
        if lang is not None:
            lang = lang.get_object()
        if isinstance(lang, TextStringObject | ByteStringObject):
            return _serialise(lang)
        return None

    def _store(self, new: int) -> dict[int, _Body]:
        return self._bodies if new >= self._first_own else self._shared_bodies

    def _id_for(self, ref: IndirectObject) -> int:
        key = (ref.idnum, ref.generation)
        new = self._ids.get(key)
        if new is None:
            new = self.next_id
            self.next_id += 1
            self._ids[key] = new
        return new

    def _page_id(self, index: int) -> int:
        page = self.reader.pages[index]
        ref = page.indirect_reference
        if ref is None:
            raise RenderError("source page has no object number")
        new = self._id_for(ref)
        if new not in self._store(new):
            entries: dict[Any, Any] = {k: v for k, v in page.items() if k != "/Parent"}
            for key in INHERITED:
                if key not in entries:
                    value = _inherited(page, key)
                    if value is not None:
                        entries[key] = value
            deps: list[int] = []
            converted = DictionaryObject({k: self._convert(v, deps) for k, v in entries.items()})
            converted[NameObject("/Parent")] = IndirectObject(_PAGES, 0, None)
            self._store(new)[new] = (_serialise(converted), tuple(deps))
        return new

    def _given_out(self, first: int) -> list[_Object]:
        objects: list[_Object] = []
        todo = [first]
        while todo:
            new = todo.pop()
            if new in self._given:
                continue
            self._given.add(new)
            body, deps = self._store(new)[new]
            objects.append((new, b"%d 0 obj\n%s\nendobj\n" % (new, body)))
            todo.extend(reversed(deps))
        return objects

    def pages(self, indices: range) -> tuple[list[int], list[_Object]]:
        """The output numbers of pages ``indices`` and the objects they need not given
        out before."""
        kids: list[int] = []
        objects: list[_Object] = []
        for index in indices:
            new = self._page_id(index)
            kids.append(new)
            objects.extend(self._given_out(new))
        return kids, objects

    def info(self) -> tuple[int, list[_Object]] | None:
        """The information dictionary's output number and the objects it needs."""
        raw = self.reader.trailer.raw_get("/Info") if "/Info" in self.reader.trailer else None
        if isinstance(raw, IndirectObject):
            new = self._convert(raw, []).idnum
        elif isinstance(raw, DictionaryObject):
            new = self.next_id
            self.next_id += 1
            deps: list[int] = []
            self._store(new)[new] = (_serialise(self._convert(raw, deps)), tuple(deps))
        else:
            return None
        return new, self._given_out(new)

    def _convert(self, obj: Any, deps: list[int]) -> Any:
        if isinstance(obj, IndirectObject):
            new = self._id_for(obj)
            deps.append(new)
            store = self._store(new)
            if new not in store:
                # Reserve first, so objects that refer back to this one terminate.
                store[new] = (b"", ())
                inner: list[int] = []
                resolved = obj.get_object()
                converted = self._convert(NullObject() if resolved is None else resolved, inner)
                store[new] = (_serialise(converted), tuple(inner))
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


def _serialise(obj: PdfObject) -> bytes:
    buffer = io.BytesIO()
    obj.write_to_stream(buffer)
    return buffer.getvalue()


def _reader(data: bytes) -> PdfReader:
    with _reading():
        return PdfReader(io.BytesIO(data))


def _shared_keys(reader: PdfReader) -> list[_Key]:
    """The objects more than one page reaches (not through a page's /Parent), in order."""
    seen_by_some: set[_Key] = set()
    shared: dict[_Key, None] = {}
    for page in reader.pages:
        todo: list[Any] = [v for k, v in page.items() if k != "/Parent"]
        todo.extend(_inherited(page, key) for key in INHERITED if key not in page)
        seen: set[_Key] = set()
        ref = page.indirect_reference
        if ref is not None:
            # A page that another page refers to is shared too.
            key = (ref.idnum, ref.generation)
            seen.add(key)
            if key in seen_by_some:
                shared[key] = None
        while todo:
            obj = todo.pop()
            if isinstance(obj, IndirectObject):
                key = (obj.idnum, obj.generation)
                if key in seen:
                    continue
                seen.add(key)
                if key in seen_by_some:
                    shared[key] = None
                todo.append(obj.get_object())
            elif isinstance(obj, DictionaryObject):
                todo.extend(obj.values())
            elif isinstance(obj, ArrayObject):
                todo.extend(obj)
        seen_by_some |= seen
    return list(shared)


def page_sources(data: bytes) -> Iterator[tuple[_Source, range]]:
    """Each page of ``data`` read with pypdf, as a source for a PDF of its own.

    :func:`~.pdf_split.split_pages` writes each one; the objects the pages
    share are converted once.
    """
    reader = _reader(data)
    with _reading():
        count = len(reader.pages)
        keys = _shared_keys(reader)
    if count == 0:
        raise RenderError("the PDF has no pages")
    shared = {key: _FIRST_FREE + i for i, key in enumerate(keys)}
    shared_bodies: dict[int, _Body] = {}
    for index in range(count):
        with _reading():
            source = _Source(reader, _FIRST_FREE + len(shared), shared, shared_bodies)
        yield source, range(index, index + 1)


def read_source(data: bytes, first_id: int) -> _Source:
    """``data`` read with pypdf, its objects to be renumbered from ``first_id``."""
    with _reading():
        return _Source(PdfReader(io.BytesIO(data)), first_id)
