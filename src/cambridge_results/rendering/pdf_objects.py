"""A PDF with a classic cross-reference table, read at the byte level (CRW-10).

The letters' PDFs come from fpdf2, which writes one ``xref`` table, no
incremental updates, no object or cross-reference streams, generation
numbers 0 and direct stream lengths.  For such a file :class:`ClassicPdf`
finds each object at its offset, lexes only what is not stream data
(:mod:`~cambridge_results.rendering.pdf_lexer`) and remembers where each
reference is, so that
:mod:`~cambridge_results.rendering.pdf_split` can renumber objects by
rewriting those few bytes and copy everything else, stream data above all,
byte for byte: nothing is decoded, re-encoded or re-compressed.

Lexing in Python costs about a microsecond a token, too much for a budget
of a tenth of a millisecond a page, so each object is lexed once per
*shape* (:mod:`.pdf_shapes`); the digits of every object are still all read
and checked (object number, generations, lengths).  Pages of a batch share
a few dozen shapes, and batches of a run share theirs, so shapes are kept
across files (up to a bound).  An object with a comment or a ``#`` (a
name's ``#xx`` escape, whose digits make the name) before its keyword is
always parsed in full.

Whatever this module does not handle raises :class:`NotSimple`, and the
caller falls back to pypdf, which reads anything.
"""

from __future__ import annotations

import re
from itertools import chain, compress
from typing import Any, NamedTuple

from cambridge_results.rendering.pdf_lexer import (
    REGULAR,
    SKIP,
    NotSimple,
    Parsed,
    Ref,
    digit_free,
    parse,
)
from cambridge_results.rendering.pdf_shapes import (
    RawObject,
    Shape,
    Template,
    shape_of,
)

__all__ = ["INHERITED", "PAGE_TREE", "ClassicPdf", "NotSimple", "Ref", "Template"]

#: Page attributes a page inherits from its ancestors in the page tree (PDF 1.7, 7.7.3.4).
INHERITED = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")

#: The target a template uses for "the page tree node of the output".
PAGE_TREE = 0

_REGULAR_BYTES = frozenset(bytes([b]) for b in range(256) if b not in b"\x00\t\n\x0c\r ()<>[]{}/%")
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_UNSHAPED = re.compile(rb"[%#]")
_OBJECT_HEADER = re.compile(
    rb"(\d+)[\x00\t\n\x0c\r ]+(\d+)[\x00\t\n\x0c\r ]+obj(?!" + REGULAR + rb")"
)
_STREAM_END = re.compile(
    rb"(?:\r\n|\r|\n)?endstream(?:[\x00\t\n\x0c\r ]|%[^\r\n]*)+endobj(?!" + REGULAR + rb")"
)
_STARTXREF = re.compile(rb"startxref" + SKIP + rb"(\d+)" + SKIP + rb"%%EOF")
_SUBSECTION = re.compile(rb"[\x00\t\n\x0c\r ]*(\d+)[ \t]+(\d+)[ \t]*(?:\r\n|\r|\n)")
# Entries are 20 bytes (7.5.4); some writers end them with a bare "\n" or "\r\n".
_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])(?: ?\r\n| ?\n| ?\r)")
_ENTRIES = re.compile(rb"(?:\d{10} \d{5} [nf](?: \r| \n|\r\n))*")
_TRAILER = re.compile(SKIP + rb"trailer(?!" + REGULAR + rb")")


class _Cycle(Exception):
    """Objects refer to each other in a circle: their closures are not kept."""


class _Page(NamedTuple):
    number: int
    #: Inherited attributes the page lacks: (key, the ancestor's refs, the value's span).
    inherited: tuple[tuple[str, list[tuple[int, int, int]], int, int], ...]


_OBJECT_STOPS = frozenset((b"endobj", b"stream"))
_NODE_KEYS = ("/Kids", *INHERITED)
_NO_SPANS: dict[str, tuple[int, int]] = {}

#: Shapes seen, by the object's bytes with every digit made 0 and the keyword after it.
#: A shape depends on nothing else, so every file may use it; batches of letters repeat
#: theirs (a batch has a few dozen), so they are kept across files, up to a bound.
_SHAPES: dict[bytes, Shape] = {}
_MOST_SHAPES = 2048


class ClassicPdf:
    """Every object of a simple PDF that its pages, information and catalog need.

    Everything reachable is read when the instance is made, so a file the
    byte-level path cannot handle fails here, before anything is written.
    Raises :class:`NotSimple` for an incremental update, encryption, a
    cross-reference or object stream, a generation number other than 0, an
    offset or a stream length that does not match, an object a page needs
    that refers to a page (even its own), the page tree or the catalog, or
    syntax it does not read.
    """

    def __init__(self, data: bytes) -> None:
        if not data.startswith(b"%PDF-"):
            raise NotSimple("the header is not at the start of the file")
        self.data = data
        self._view = memoryview(data)
        self._objects: dict[int, RawObject] = {}
        self._parsed: dict[int, Parsed] = {}
        self._templates: dict[int, Template] = {}
        self._offsets, trailer = self._read_xref()
        for key, why in (
            ("/Prev", "has an incremental update"),
            ("/Encrypt", "is encrypted"),
            ("/XRefStm", "has a cross-reference stream"),
        ):
            if key in trailer:
                raise NotSimple(f"the PDF {why}")
        root = trailer.get("/Root")
        if not isinstance(root, Ref):
            raise NotSimple("the trailer has no /Root reference")
        self.catalog = root.number
        catalog = self.value(self.catalog)
        pages = catalog.get("/Pages") if isinstance(catalog, dict) else None
        if not isinstance(pages, Ref):
            raise NotSimple("the catalog has no /Pages reference")
        self._pages: list[_Page] = []
        self._tree: set[int] = {self.catalog}
        self._walk(pages.number)
        self._page_numbers = {page.number: page for page in self._pages}
        self._reached: dict[int, tuple[int, ...]] = {}
        self._closures: list[list[int]] | None = None
        #: Every object the pages need, each once: a page, then the objects it needs
        #: that no page before it needed, depth first.
        self.needed = self._collect()
        info = trailer.get("/Info")
        if info is not None and not isinstance(info, Ref):
            raise NotSimple("the trailer's /Info is not a reference")
        #: The document information dictionary's number, if any.
        self.info = info.number if info is not None else None
        if self.info is not None and not isinstance(self.value(self.info), dict):
            raise NotSimple("the document information is not a dictionary")
        #: The objects the information dictionary needs, itself first.
        self.info_closure = self._closure(self.info) if self.info is not None else []
        #: The catalog's /Lang as it is written in the file (a string), if any.
        self.lang = self._lang(catalog)

    @property
    def closures(self) -> list[list[int]]:
        """Per page, the objects it needs: the page first, then depth first."""
        if self._closures is None:
            self._closures = [self._page_closure(page.number) for page in self._pages]
        return self._closures

    @property
    def page_count(self) -> int:
        """How many pages the document has."""
        return len(self._pages)

    @property
    def pages(self) -> list[int]:
        """The pages' object numbers, in page order."""
        return [page.number for page in self._pages]

    def _read_xref(self) -> tuple[dict[int, int], dict[str, Any]]:
        data = self.data
        at = data.rfind(b"startxref", max(0, len(data) - 1024))
        m = _STARTXREF.match(data, at) if at >= 0 else None
        if m is None:
            raise NotSimple("no startxref before %%EOF")
        pos = int(m.group(1))
        if not data.startswith(b"xref", pos):
            raise NotSimple("startxref does not point at a classic cross-reference table")
        pos += 4
        offsets: dict[int, int] = {}
        while True:
            trailer = _TRAILER.match(data, pos)
            if trailer is not None:
                break
            m = _SUBSECTION.match(data, pos)
            if m is None:
                raise NotSimple(f"unreadable cross-reference table at byte {pos}")
            first, count = int(m.group(1)), int(m.group(2))
            pos = m.end()
            block = data[pos : pos + 20 * count]
            if len(block) == 20 * count and _ENTRIES.fullmatch(block):
                # The usual table: 20-byte entries, read with no loop in Python.
                fields = block.split()
                in_use = list(map(b"n".__eq__, fields[2::3]))
                if not set(compress(fields[1::3], in_use)) <= {b"00000"}:
                    raise NotSimple("an object has a generation number")
                found = dict(
                    compress(
                        zip(range(first, first + count), map(int, fields[0::3]), strict=True),
                        in_use,
                    )
                )
                if not offsets.keys().isdisjoint(found):
                    raise NotSimple("an object is in the table twice")
                offsets.update(found)
                pos += len(block)
                continue
            for number in range(first, first + count):
                m = _ENTRY.match(data, pos)
                if m is None:
                    raise NotSimple(f"unreadable cross-reference entry at byte {pos}")
                pos = m.end()
                if m.group(3) == b"n":
                    if m.group(2) != b"00000":
                        raise NotSimple(f"object {number} has a generation number")
                    if number in offsets:
                        raise NotSimple(f"object {number} is in the table twice")
                    offsets[number] = int(m.group(1))
        parsed = parse(data, trailer.end(), frozenset((b"startxref",)))
        if not isinstance(parsed.value, dict):
            raise NotSimple("the trailer is not a dictionary")
        return offsets, parsed.value

    def _offset(self, number: int) -> int:
        offset = self._offsets.get(number)
        if offset is None:
            raise NotSimple(f"object {number} is not in the cross-reference table")
        return offset

    def _header(self, number: int) -> re.Match[bytes]:
        """``number 0 obj`` where the cross-reference table says object ``number`` is."""
        m = _OBJECT_HEADER.match(self.data, self._offset(number))
        if m is None or int(m.group(1)) != number or int(m.group(2)) != 0:
            raise NotSimple(f"object {number} is not where the cross-reference table says")
        return m

    def _value_start(self, number: int) -> int:
        return self._header(number).end()

    def _full(self, number: int) -> Parsed:
        found = self._parsed.get(number)
        if found is None:
            found = self._parsed[number] = parse(
                self.data, self._value_start(number), _OBJECT_STOPS
            )
        return found

    def value(self, number: int) -> Any:
        """Object ``number``'s value (a stream's dictionary), parsed in full."""
        return self._full(number).value

    def _locate(self, number: int) -> tuple[int, int, bytes, bytes, bytes, Shape | None]:
        """Where object ``number`` starts, where its first "stream" or "endobj" is (-1 if
        that is not a keyword: a string or a comment holds it), which, the bytes up to
        it, the object's shape key and its shape if one is known."""
        data = self.data
        offset = self._offsets.get(number)
        if offset is None:
            raise NotSimple(f"object {number} is not in the cross-reference table")
        at = data.find(b"endobj", offset)
        stream = data.find(b"stream", offset, at) if at >= 0 else -1
        keyword = b"endobj"
        if stream >= 0:
            at, keyword = stream, b"stream"
        if at < 0 or data[at + len(keyword) : at + len(keyword) + 1] in _REGULAR_BYTES:
            return offset, -1, keyword, b"", b"", None
        part = data[offset:at]
        key = part.translate(_DIGITS_AS_ZERO) + keyword
        return offset, at, keyword, part, key, _SHAPES.get(key)

    def object(self, number: int) -> RawObject:
        """Object ``number``, read on first use.

        An object shaped like one already parsed (the same bytes but for
        which digits they are) is read from its shape.
        """
        found = self._objects.get(number)
        if found is not None:
            return found
        offset, at, keyword, part, key, shape = self._locate(number)
        if shape is not None:
            found = self._from_shape(number, part, offset, at + len(keyword), shape)
            self._objects[number] = found
            return found
        header = self._header(number)
        parsed = self._full(number)
        found, length = self._from_parsed(number, parsed)
        # A comment could hide digits or a keyword from the shape, and digits in a name's
        # #xx escape change the name: such objects are parsed in full, every time.
        if at >= 0 and parsed.stop_end == at + len(keyword) and not _UNSHAPED.search(key):
            shape = shape_of(self.data, parsed, header, found, length)
            if shape is not None:
                if len(_SHAPES) >= _MOST_SHAPES:
                    _SHAPES.clear()
                _SHAPES[key] = shape
        if found.is_stream:
            found = found._replace(end=self._stream_end(number, parsed.stop_end, length))
        self._objects[number] = found
        return found

    def _from_parsed(self, number: int, parsed: Parsed) -> tuple[RawObject, Any]:
        value = parsed.value
        is_stream = parsed.stop == b"stream"
        keys: frozenset[str] = frozenset()
        spans = _NO_SPANS
        kids_plain = False
        type_name = None
        parent = -1
        length = None
        if isinstance(value, dict):
            keys = frozenset(k for k in value if digit_free(k))
            kind = value.get("/Type")
            if isinstance(kind, str) and digit_free(kind):
                type_name = kind
            span = parsed.entries.get("/Parent")
            if span is not None:
                parent = next((i for i, r in enumerate(parsed.refs) if (r[0], r[1]) == span), -1)
            length = value.get("/Length")
            if type_name == "/Pages":
                spans = {k: parsed.entries[k] for k in _NODE_KEYS if k in parsed.entries}
                kids = value.get("/Kids")
                kids_plain = isinstance(kids, list) and all(isinstance(k, Ref) for k in kids)
        elif is_stream:
            raise NotSimple(f"object {number} has a stream without a dictionary")
        found = RawObject(
            number=number,
            value_start=parsed.start,
            value_end=parsed.end,
            end=parsed.stop_end,
            is_stream=is_stream,
            refs=parsed.refs,
            keys=keys,
            type_name=type_name,
            parent=parent,
            dict_close=parsed.dict_close,
            spans=spans,
            kids_plain=kids_plain,
        )
        return found, length

    def _check_shape(
        self, number: int, part: bytes, end: int, shape: Shape
    ) -> tuple[list[int], int]:
        """The targets of object ``number``'s references, read from ``part`` (its bytes up
        to the keyword) where ``shape`` says, and where the object ends."""
        numbers = shape.numbers(part)
        if int(numbers[0]) != number or b"".join(shape.generations(part)).strip(b"0"):
            raise NotSimple(f"object {number} is not a plain object where the table says")
        targets = list(map(int, numbers[1:]))
        if targets and min(targets) < 1:
            raise NotSimple(f"object {number} refers to object 0")
        if shape.is_stream:
            kind, a, b = shape.length
            length: Any = None
            if kind == 0:
                length = int(part[a:b])
            elif kind == 1:
                length = Ref(targets[a], 0)
            end = self._stream_end(number, end, length)
        return targets, end

    def _from_shape(
        self, number: int, part: bytes, start: int, end: int, shape: Shape
    ) -> RawObject:
        targets, end = self._check_shape(number, part, end, shape)
        refs = [
            (start + ref[0], start + ref[4], target)
            for ref, target in zip(shape.refs, targets, strict=True)
        ]
        value_end = start + shape.value_end
        return RawObject(
            number,
            start + shape.value_start,
            value_end,
            end,
            shape.is_stream,
            refs,
            shape.keys,
            shape.type_name,
            shape.parent,
            value_end - 2 if shape.is_dict else -1,
            {k: (start + a, start + b) for k, a, b in shape.spans} if shape.spans else _NO_SPANS,
            shape.kids_plain,
        )

    def _stream_end(self, number: int, keyword_end: int, length: Any) -> int:
        data = self.data
        if isinstance(length, Ref):
            held = self._full(length.number)
            if held.stop != b"endobj" or held.refs:
                raise NotSimple(f"object {number}'s /Length is not a number")
            length = held.value
        if type(length) is not int or length < 0:
            raise NotSimple(f"object {number}'s /Length is not a length")
        # "stream" is followed by CRLF or LF, then the data (7.3.8.1).
        start = keyword_end
        if data.startswith(b"\r\n", start):
            start += 2
        elif data.startswith(b"\n", start):
            start += 1
        else:
            raise NotSimple(f"object {number}'s stream keyword is not followed by an end of line")
        m = _STREAM_END.match(data, start + length)
        if m is None:
            raise NotSimple(f"object {number}'s stream does not end where /Length says")
        return m.end()

    def _walk(self, root: int) -> None:
        """Collect the pages in order, each with the attributes it inherits."""
        # What each node of the tree passes down: key -> (references in it, value span).
        levels: list[dict[str, tuple[list[tuple[int, int, int]], int, int]]] = [{}]
        missing_for: dict[tuple[int, frozenset[str]], tuple[Any, ...]] = {}
        todo = [(root, 0)]
        tree = self._tree
        pages = self._pages
        while todo:
            number, level = todo.pop()
            if number in tree:
                raise NotSimple(f"the page tree visits object {number} twice")
            tree.add(number)
            node = self.object(number)
            if node.is_stream or node.dict_close < 0:
                raise NotSimple(f"page tree node {number} is not a dictionary")
            if node.type_name == "/Page":
                if node.parent < 0:
                    raise NotSimple(f"page {number} has no /Parent reference")
                missing = missing_for.get((level, node.keys))
                if missing is None:
                    inherited = levels[level]
                    missing = missing_for[level, node.keys] = tuple(
                        (key, *inherited[key])
                        for key in INHERITED
                        if key in inherited and key not in node.keys
                    )
                pages.append(_Page(number, missing))
            elif node.type_name == "/Pages":
                if not node.kids_plain:
                    raise NotSimple(f"page tree node {number} has no /Kids array of references")
                below = dict(levels[level])
                kids: list[int] = []
                for key, (start, end) in node.spans.items():
                    inside = [r for r in node.refs if start <= r[0] < end]
                    if key == "/Kids":
                        kids = [r[2] for r in inside]
                    else:
                        below[key] = (inside, start, end)
                levels.append(below)
                todo.extend((kid, len(levels) - 1) for kid in reversed(kids))
            else:
                raise NotSimple(f"page tree node {number} has no /Type /Page or /Pages")

    def template(self, number: int) -> Template:
        """Object ``number`` cut at its references; a page loses /Parent to target 0
        and gains the attributes it inherits."""
        found = self._templates.get(number)
        if found is not None:
            return found
        page = self._page_numbers.get(number)
        data = self.data
        if page is None and number not in self._objects:
            start, at, keyword, part, _, shape = self._locate(number)
            if shape is not None:
                # Only copied, so read from the shape alone: the usual case.
                targets, end = self._check_shape(number, part, at + len(keyword), shape)
                pieces: list[bytes | memoryview] = [
                    *shape.pieces(part),
                    self._view[start + shape.last_cut : end],
                ]
                found = self._templates[number] = Template(pieces, targets)
                return found
        obj = self.object(number)
        pieces = []
        targets = []
        cut = obj.value_start
        if page is None:
            for start, end, target in obj.refs:
                pieces.append(data[cut:start])
                targets.append(target)
                cut = end
            pieces.append(self._view[cut : obj.end])
        else:
            refs = list(obj.refs)
            parent_start, parent_end, _ = refs[obj.parent]
            refs[obj.parent] = (parent_start, parent_end, PAGE_TREE)
            head = b""
            # The inherited entries go in before the page's closing ">>", each cut at
            # its own references like the rest.
            runs = [(refs, b"", obj.value_start, obj.dict_close)]
            runs.extend(
                (holder_refs, b"\n%s " % key.encode("latin-1"), start, end)
                for key, holder_refs, start, end in page.inherited
            )
            for run_refs, lead, start, end in runs:
                cut = start
                for ref_start, ref_end, target in run_refs:
                    pieces.append(head + lead + data[cut:ref_start])
                    head = lead = b""
                    targets.append(target)
                    cut = ref_end
                head += lead + data[cut:end]
            pieces.append(head + b"\n" + data[obj.dict_close : obj.end])
        found = Template(pieces, targets)
        self._templates[number] = found
        return found

    def _collect(self) -> list[int]:
        """Every object the pages need, each once; checks that none of them refers to
        a page (its own included), the page tree or the catalog: a page's objects
        then cannot take another page's into its single PDF."""
        tree = self._tree
        template = self.template
        order: dict[int, None] = {}
        for page in self._pages:
            order[page.number] = None
            todo = [t for t in reversed(template(page.number).targets) if t != PAGE_TREE]
            if not tree.isdisjoint(todo):
                raise NotSimple(f"page {page.number} refers to a page")
            while todo:
                number = todo.pop()
                if number in order:
                    continue
                order[number] = None
                targets = template(number).targets
                if not tree.isdisjoint(targets):
                    raise NotSimple(f"object {number}, which a page needs, refers to a page")
                todo.extend(reversed(targets))
        return list(order)

    def _page_closure(self, page: int) -> list[int]:
        """The page and every object it needs, depth first, not through its /Parent."""
        try:
            return list(
                dict.fromkeys(
                    chain(
                        (page,),
                        *(self._reach(t) for t in self.template(page).targets if t != PAGE_TREE),
                    )
                )
            )
        except _Cycle:
            return self._closure(page)

    def _reach(self, root: int) -> tuple[int, ...]:
        """``root`` and every object it needs, depth first; kept, as pages share most.

        Raises :class:`_Cycle` if objects refer to each other in a circle.
        """
        reached = self._reached
        found = reached.get(root)
        if found is not None:
            return found
        try:
            # The usual case: a page's resources, whose fonts earlier pages reached.
            found = reached[root] = tuple(
                dict.fromkeys(
                    chain((root,), *map(reached.__getitem__, self.template(root).targets))
                )
            )
            return found
        except KeyError:
            pass
        entered: set[int] = set()
        todo = [root]
        while todo:
            number = todo[-1]
            if number in reached:
                todo.pop()
                continue
            targets = [t for t in self.template(number).targets if t != PAGE_TREE]
            if number not in entered:
                entered.add(number)
                waiting = [t for t in targets if t not in reached]
                if not entered.isdisjoint(waiting):
                    raise _Cycle
                todo.extend(reversed(waiting))
                continue
            todo.pop()
            reached[number] = tuple(dict.fromkeys(chain((number,), *(reached[t] for t in targets))))
        return reached[root]

    def _closure(self, first: int) -> list[int]:
        """``first`` and every object it needs, depth first, not through a page's /Parent."""
        order: list[int] = []
        seen: set[int] = set()
        todo = [first]
        while todo:
            number = todo.pop()
            if number in seen:
                continue
            if number in self._tree and number != first:
                raise NotSimple(f"object {first} refers to the page tree or catalog")
            seen.add(number)
            order.append(number)
            todo.extend(t for t in reversed(self.template(number).targets) if t != PAGE_TREE)
        return order

    def _lang(self, catalog: dict[str, Any]) -> bytes | None:
        lang = catalog.get("/Lang")
        if isinstance(lang, Ref):
            held = self._full(lang.number)
            lang = held.value if held.stop == b"endobj" else None
        return lang if isinstance(lang, bytes) else None
