"""One PDF read by pypdf, and its objects written back renumbered (CRW-10).

pypdf reads every PDF (classic or stream cross-references, object streams,
incremental updates, encryption with an empty user password, outlines...).
What it does not do is write a PDF without holding all of it, so the few
lines that write one object are here: each object pypdf parsed is written
with pypdf's own ``write_to_stream``, except that references are renumbered
and a stream's ``/Length`` is its data's.  :class:`PdfSource` is one source
PDF: its pages, the objects each page reaches, and each object serialised
once with the places of its references, so that writing it again under
another number only renumbers those.  :mod:`.pdf_split` assembles whole PDFs
(combined, or one per page) from these objects.
"""

from __future__ import annotations

import contextlib
import functools
import io
from collections.abc import Callable, Iterator
from typing import IO, Any

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    StreamObject,
)

from cambridge_results.errors import RenderError
from cambridge_results.rendering.pdf_fonts import StreamData

__all__ = ["CATALOG", "FIRST_FREE", "PAGES", "PdfSource", "Renumber", "reading"]

#: The catalog's and the page tree's numbers in every PDF written here; objects follow.
CATALOG, PAGES, FIRST_FREE = 1, 2, 3

#: A new number for a source object's number (or ``None`` for a reference written as null).
Renumber = Callable[[int], int | None]
#: An object's bytes cut where its references go, and the numbers they refer to.
_Template = tuple[tuple[bytes, ...], tuple[int, ...]]
#: How a reference is written while an object's template is made (then cut out).
_CUT_REF = b"0 0 R"


@contextlib.contextmanager
def reading() -> Iterator[None]:
    """Turn whatever pypdf raises on a broken file into a :class:`RenderError`."""
    try:
        yield
    except RenderError:
        raise
    except RecursionError as exc:
        raise RenderError("the PDF nests its objects too deeply") from exc
    except Exception as exc:
        raise RenderError(f"the PDF could not be read: {exc}") from exc


def _check_framing(data: bytes) -> None:
    """Refuse what is not a PDF, or a truncated one, before pypdf tries to mend it."""
    if not isinstance(data, bytes):
        raise RenderError(f"a PDF must be bytes, not {type(data).__name__}")
    if b"%PDF-" not in data[:1024]:
        raise RenderError("not a PDF: no %PDF- header in its first 1024 bytes")
    # Readers look for the end-of-file marker in the last 1024 bytes (PDF 1.7, annex H).
    if b"%%EOF" not in data[-1024:]:
        raise RenderError("the PDF is truncated: no %%EOF marker in its last 1024 bytes")


def _write(obj: Any, out: IO[bytes], renumber: Renumber) -> None:
    """Write ``obj`` as pypdf would, with references renumbered and lengths made direct."""
    if isinstance(obj, IndirectObject):
        new = renumber(obj.idnum)
        out.write(b"null" if new is None else b"%d 0 R" % new)
    elif isinstance(obj, StreamObject):
        data: bytes = obj._data
        out.write(b"<<")
        _entries(obj, out, renumber, "/Length")
        out.write(b"/Length %d>>\nstream\n" % len(data))
        out.write(data)
        out.write(b"\nendstream")
    elif isinstance(obj, DictionaryObject):
        out.write(b"<<")
        _entries(obj, out, renumber)
        out.write(b">>")
    elif isinstance(obj, ArrayObject):
        out.write(b"[")
        for value in obj:
            _write(value, out, renumber)
            out.write(b" ")
        out.write(b"]")
    elif obj is None:
        out.write(b"null")
    elif isinstance(obj, NameObject):
        out.write(_name(obj))
    else:
        obj.write_to_stream(out)


@functools.lru_cache(maxsize=1024)
def _name(name: NameObject) -> bytes:
    """A name as pypdf writes it (with #xx escapes), asked once: a batch repeats few names."""
    out = io.BytesIO()
    name.write_to_stream(out)
    return out.getvalue()


def _entries(obj: DictionaryObject, out: IO[bytes], renumber: Renumber, skip: str = "") -> None:
    for key, value in obj.items():
        if key != skip:
            out.write(_name(key))
            out.write(b" ")
            _write(value, out, renumber)
            out.write(b"\n")


def _refs(obj: Any, found: list[int], skip: str = "") -> None:
    """Append the numbers ``obj`` refers to directly (not a stream's /Length, nor ``skip``)."""
    if isinstance(obj, IndirectObject):
        found.append(obj.idnum)
    elif isinstance(obj, DictionaryObject):
        stream = isinstance(obj, StreamObject)
        for key, value in obj.items():
            if key != skip and not (stream and key == "/Length"):
                _refs(value, found)
    elif isinstance(obj, ArrayObject):
        for value in obj:
            _refs(value, found)


class PdfSource:
    """One PDF read by pypdf: its pages, their objects and what each refers to."""

    def __init__(self, data: bytes) -> None:
        _check_framing(data)
        with reading():
            self.reader = reader = PdfReader(io.BytesIO(data))
            # Flattening the page tree copies inherited attributes onto the pages.
            self.pages = list(reader.pages)
        if not self.pages:
            raise RenderError("the PDF has no pages")
        numbers: list[int] = []
        for page in self.pages:
            if page.indirect_reference is None:
                raise RenderError("a page of the PDF is not an indirect object")
            numbers.append(page.indirect_reference.idnum)
        if len(set(numbers)) != len(numbers):
            raise RenderError("the PDF's page tree lists a page twice")
        self.page_numbers = numbers
        self.page_set = set(numbers)
        # A page is pypdf's flattened copy, which has the attributes it inherits.
        self._objects: dict[int, Any] = dict(zip(numbers, self.pages, strict=True))
        self._direct: dict[int, tuple[int, ...]] = {}
        self._templates: dict[int, _Template] = {}
        self._closures: dict[int, list[int]] = {}
        #: Numbers of page tree nodes (written as the output's page tree) and font programs.
        self.tree_nodes: set[int] = set()
        self.font_files: set[int] = set()
        with reading():
            root = reader.trailer["/Root"].get_object()
            lang = root.get("/Lang") if isinstance(root, DictionaryObject) else None
            #: The catalog's /Lang entry as written here, or b"" (screen readers pick
            #: their voice from it, so the source's language goes with its pages).
            self.lang = b""
            if lang is not None:
                out = io.BytesIO()
                out.write(b" /Lang ")
                _write(lang.get_object(), out, lambda n: None)
                self.lang = out.getvalue()
            info = reader.trailer.raw_get("/Info") if "/Info" in reader.trailer else None
        self.info = info.idnum if isinstance(info, IndirectObject) else None

    def object(self, number: int) -> Any:
        """Source object ``number``, parsed."""
        found = self._objects.get(number)
        if found is None:
            with reading():
                found = self.reader.get_object(number)
            self._objects[number] = found
        return found

    def _direct_refs(self, number: int) -> tuple[int, ...]:
        refs = self._direct.get(number)
        if refs is None:
            obj = self.object(number)
            found: list[int] = []
            if isinstance(obj, DictionaryObject) and obj.get("/Type") == "/Pages":
                self.tree_nodes.add(number)
            else:
                with reading():
                    _refs(obj, found, "/Parent" if number in self.page_set else "")
                    if isinstance(obj, DictionaryObject) and "/FontFile2" in obj:
                        ref = obj.raw_get("/FontFile2")
                        if isinstance(ref, IndirectObject):
                            self.font_files.add(ref.idnum)
            refs = self._direct[number] = tuple(found)
        return refs

    def page_closure(self, start: int) -> list[int]:
        """``start`` and what it reaches, in order of discovery, not going into pages;
        worked out once a start (splitting asks for every page's twice: for the
        combined PDF, then for its single)."""
        found = self._closures.get(start)
        if found is None:
            seen = {start}
            order = [start]
            todo = [start]
            while todo:
                for ref in self._direct_refs(todo.pop()):
                    if ref not in seen and ref not in self.page_set:
                        seen.add(ref)
                        order.append(ref)
                        todo.append(ref)
            found = self._closures[start] = [n for n in order if n not in self.tree_nodes]
        return found

    def _serialise(self, obj: Any, number: int, out: IO[bytes], renumber: Renumber) -> None:
        with reading():
            if number in self.page_set and isinstance(obj, DictionaryObject):
                out.write(b"<</Parent %d 0 R\n" % PAGES)
                _entries(obj, out, renumber, "/Parent")
                out.write(b">>")
            else:
                _write(obj, out, renumber)

    def _template(self, number: int) -> _Template:
        """Object ``number`` serialised once: its bytes cut where its references go."""
        found = self._templates.get(number)
        if found is None:
            out = io.BytesIO()
            cuts: list[int] = []
            refs: list[int] = []

            def record(ref: int) -> int:
                cuts.append(out.tell())
                refs.append(ref)
                return 0  # written as b"0 0 R", cut out below

            self._serialise(self.object(number), number, out, record)
            written = out.getvalue()
            starts = [0, *(cut + len(_CUT_REF) for cut in cuts)]
            pieces = tuple(written[a:b] for a, b in zip(starts, [*cuts, len(written)], strict=True))
            found = self._templates[number] = (pieces, tuple(refs))
        return found

    def body(self, number: int, new: int, renumber: Renumber, data: StreamData = None) -> bytes:
        """Object ``number`` written as object ``new``; a page's /Parent is the page tree.

        ``data`` replaces a stream's entries and data (a smaller font program, say).
        An object is serialised by pypdf once and its bytes kept with the places of
        its references, so writing it again (in the combined PDF's objects, then in
        its page's single) only renumbers those.
        """
        if data is not None:
            stream = StreamObject()
            with reading():
                stream.update(data[0])
                stream._data = data[1]
            out = io.BytesIO()
            out.write(b"%d 0 obj\n" % new)
            self._serialise(stream, number, out, renumber)
            out.write(b"\nendobj\n")
            return out.getvalue()
        pieces, refs = self._template(number)
        parts = [b"%d 0 obj\n" % new, pieces[0]]
        for ref, piece in zip(refs, pieces[1:], strict=True):
            renumbered = renumber(ref)
            parts.append(b"null" if renumbered is None else b"%d 0 R" % renumbered)
            parts.append(piece)
        parts.append(b"\nendobj\n")
        return b"".join(parts)
