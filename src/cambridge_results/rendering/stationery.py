"""Fixed parts of letters drawn once per batch and placed on every page (CRW-09, CRW-10).

Most of a letter is the same for every candidate of a batch: the title, the
headings, the notes, the warnings, a centre's contact and delay.  Drawing
them again on every page cost fpdf2 more than everything else on it, so the
renderer draws each such *block* once, on a stationery page after the
letters, and :func:`attach` turns those pages into PDF form XObjects (PDF
1.7, 8.10) that every letter page paints, moved to where its layout puts
the block.  The letters look exactly as if each had been drawn in full.

A letter page paints its blocks first, then its own text, so its own text
(names, usernames, passwords) is drawn over the login box, and text read
back from the page lists the blocks' text before the page's own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Sequence

from fpdf import FPDF

from cambridge_results.errors import RenderError
from cambridge_results.rendering.pdf_objects import ClassicPdf, NotSimple, Ref
from cambridge_results.rendering.pdf_split import trailer, xref_table

__all__ = ["BLOCK_Y", "Block", "Stationery", "attach"]

_POINTS_PER_MM = 72 / 25.4
_FILE_ID = re.compile(rb"/ID\s*\[\s*<[0-9A-Fa-f]*>\s*<[0-9A-Fa-f]*>\s*\]")

#: Where a block's first baseline is on its stationery page, in millimetres from the top.
BLOCK_Y = 40.0

#: Draws a block into ``pdf`` with its first baseline at ``y`` (``draw=True``), or only
#: measures it (``draw=False``); returns the baseline after it.
Block = Callable[..., float]


class Stationery:
    """The blocks of one batch's letters and where each letter page shows them.

    With ``shared`` (the default) each block is drawn once, by :meth:`finish`;
    without, :meth:`place` draws it on the page at once, as if there were
    no stationery (slower; the page's text then reads in page order).
    """

    def __init__(self, pdf: FPDF, *, shared: bool = True) -> None:
        self.pdf = pdf
        self.shared = shared
        self._blocks: dict[Hashable, tuple[int, Block]] = {}
        #: Per letter page, in order: (block number, millimetres below BLOCK_Y).
        self.placements: list[list[tuple[int, float]]] = []

    def start_page(self) -> None:
        """Add a letter page; the next placements are on it."""
        self.pdf.add_page()
        self.placements.append([])

    def place(self, key: Hashable, y: float, block: Block) -> None:
        """Show the block ``key`` (drawn by ``block``) on the current page at baseline ``y``.

        Blocks with equal keys must draw the same thing.
        """
        if not self.placements:
            raise RenderError("start a page before placing a block on it")
        if not self.shared:
            block(self.pdf, y, draw=True)
            return
        found = self._blocks.get(key)
        if found is None:
            found = self._blocks[key] = (len(self._blocks), block)
        self.placements[-1].append((found[0], y - BLOCK_Y))

    def finish(self) -> bytes:
        """The finished PDF: the blocks drawn once each and placed on the letters."""
        if not self.shared:
            return bytes(self.pdf.output())
        for _, block in self._blocks.values():
            self.pdf.add_page()
            block(self.pdf, BLOCK_Y, draw=True)
        return attach(bytes(self.pdf.output()), self.placements)


def _ref(value: object, what: str) -> Ref:
    if not isinstance(value, Ref):
        raise RenderError(f"the rendered PDF's {what} is not an indirect reference")
    return value


def _number(value: object) -> bytes:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RenderError("the rendered PDF's page tree has a box that is not numbers")
    return b"%d" % value if isinstance(value, int) else b"%.4f" % value


class _Output:
    """Objects of the stamped PDF, by number, as ``N 0 obj ... endobj`` bytes."""

    def __init__(self, source: ClassicPdf) -> None:
        self.source = source
        self.objects: dict[int, bytes] = {}

    def copy(self, number: int) -> None:
        raw = self.source.object(number)
        body = self.source.data[raw.value_start : raw.end]
        self.objects[number] = b"%d 0 obj\n%s\n" % (number, body)

    def with_entries(self, number: int, entries: bytes, refused: Sequence[str]) -> None:
        """Copy dictionary ``number`` with ``entries`` added before its closing ``>>``."""
        raw = self.source.object(number)
        if raw.dict_close < 0 or any(key in raw.keys for key in refused):
            raise RenderError(f"object {number} of the rendered PDF cannot take {refused}")
        data = self.source.data
        body = data[raw.value_start : raw.dict_close] + entries + data[raw.dict_close : raw.end]
        self.objects[number] = b"%d 0 obj\n%s\n" % (number, body)

    def new(self, body: bytes) -> int:
        number = max(self.objects) + 1
        self.objects[number] = b"%d 0 obj\n%s\nendobj\n" % (number, body)
        return number

    def write(self, header: bytes, root: int, info: int | None, file_id: bytes) -> bytes:
        parts = [header]
        offsets: dict[int, int] = {}
        position = len(header)
        for number in sorted(self.objects):
            offsets[number] = position
            parts.append(self.objects[number])
            position += len(self.objects[number])
        parts.append(xref_table(offsets))
        parts.append(trailer(max(offsets) + 1, info, position, root=root, extra=file_id))
        return b"".join(parts)


def attach(data: bytes, placements: Sequence[Sequence[tuple[int, float]]]) -> bytes:
    """Turn the stationery pages after the letters into forms painted on the letters.

    ``data`` is fpdf2's document: one page per entry of ``placements`` (the
    letters), then one stationery page per block.  Each letter page paints
    its blocks, ``(block number, millimetres below BLOCK_Y)``, before its own
    content; the stationery pages leave the page tree.  Every other object
    is copied byte for byte.
    """
    try:
        source = ClassicPdf(data)
    except NotSimple as exc:
        raise RenderError(f"the rendered PDF is not one this renderer wrote: {exc}") from exc
    letters = len(placements)
    pages = source.pages
    if not 0 < letters <= len(pages):
        raise RenderError("the rendered PDF has fewer pages than letters")
    tree = _ref(source.value(source.catalog).get("/Pages"), "page tree").number
    if any(n not in (tree, *pages[:letters]) for *_, n in source.object(source.catalog).refs):
        raise RenderError("the rendered PDF's catalog refers to more than its pages")
    media = source.value(tree).get("/MediaBox")
    if not isinstance(media, list):
        raise RenderError("the rendered PDF's page tree has no /MediaBox")
    box = b" ".join(_number(v) for v in media)
    out = _Output(source)
    for number in (source.catalog, *source.info_closure):
        out.copy(number)

    forms: list[int] = []
    for index in range(letters, len(pages)):
        value = source.value(pages[index])
        for number in source.closures[index][1:]:
            out.copy(number)
        content = _ref(value.get("/Contents"), "stationery content").number
        resources = _ref(value.get("/Resources"), "stationery resources").number
        out.with_entries(
            content,
            b" /Type /XObject /Subtype /Form /BBox [%s] /Resources %d 0 R" % (box, resources),
            ("/Type", "/Subtype", "/BBox", "/Resources"),
        )
        forms.append(content)
    xobjects = b" /XObject << %s >>" % b" ".join(
        b"/S%d %d 0 R" % (i, number) for i, number in enumerate(forms)
    )

    painters: dict[bytes, int] = {}
    stamped: set[int] = set()
    for index, placed in enumerate(placements):
        page = pages[index]
        for number in source.closures[index][1:]:
            if number not in out.objects:
                out.copy(number)
        value = source.value(page)
        if _ref(value.get("/Parent"), "page parent").number != tree:
            raise RenderError("the rendered PDF's page tree is not flat")
        resources = _ref(value.get("/Resources"), "page resources").number
        if resources not in stamped:
            out.with_entries(resources, xobjects, ("/XObject",))
            stamped.add(resources)
        ops = b"".join(
            b"q 1 0 0 1 0 %.3f cm /S%d Do Q\n" % (-dy * _POINTS_PER_MM, block)
            for block, dy in placed
        )
        painter = painters.get(ops)
        if painter is None:
            painter = painters[ops] = out.new(
                b"<< /Length %d >>\nstream\n%s\nendstream" % (len(ops), ops)
            )
        # The page's /Contents becomes [painter, own content]: blocks first, so the
        # page's own text lands on top of the login box.
        content = _ref(value.get("/Contents"), "page content").number
        raw = source.object(page)
        spans = [(start, end) for start, end, number in raw.refs if number == content]
        if len(spans) != 1:
            raise RenderError(f"page {page} of the rendered PDF names its content oddly")
        start, end = spans[0]
        body = data[raw.value_start : start] + b"[%d 0 R %d 0 R]" % (painter, content)
        out.objects[page] = b"%d 0 obj\n%s\n" % (page, body + data[end : raw.end])

    kids = b" ".join(b"%d 0 R" % page for page in pages[:letters])
    out.objects[tree] = (
        b"%d 0 obj\n<< /Type /Pages /Kids [%s] /Count %d /MediaBox [%s] >>\n"
        % (
            tree,
            kids,
            letters,
            box,
        )
        + b"endobj\n"
    )
    header = data[: data.index(b"\n", data.index(b"\n") + 1) + 1]
    # fpdf2 pins the file identifier with the creation date; keep it (reproducible runs).
    found = _FILE_ID.search(data, data.rfind(b"trailer"))
    file_id = b" " + found.group(0) if found is not None else b""
    return out.write(header, source.catalog, source.info, file_id)
