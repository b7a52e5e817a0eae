"""The parts of a letter that many letters share, drawn on each page (CRW-09, CRW-10).

Most of a letter is the same for every candidate of a batch: the title, the
headings, the notes, the warnings, a centre's contact and delay.  The
renderer hands each such *block* to :class:`Stationery`, which draws it on
the page with fpdf2 where the layout puts it.

Until issue 13 the blocks were drawn once per batch and placed on the pages
as form XObjects by editing fpdf2's output byte by byte.  Now nothing edits
fpdf2's output: the first time a block is placed at a baseline from a given
drawing state (font, size, colours, line width, as fpdf2 believes them) it
is drawn with fpdf2 and the operators fpdf2 wrote for it are kept; where
the same block goes on a later page at the same baseline from the same
state, those operators are written again and fpdf2's state is set to what
drawing the block left, so the page is byte for byte what drawing would
have made.  Calling fpdf2's ``text()`` for every line of every block cost
about 0.5 ms a letter (encoding each string again).  A block whose
operators use a resource other than fonts is always drawn.  The page's
text stays in reading order and each page names only the resources it uses
(the fonts of a replayed block are registered on its page).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from typing import Any

from fpdf import FPDF
from fpdf.enums import PDFResourceType

from cambridge_results.errors import RenderError

__all__ = ["Block", "Stationery"]

#: Draws a block into ``pdf`` with its first baseline at ``y`` (``draw=True``), or only
#: measures it (``draw=False``); returns the baseline after it.
Block = Callable[..., float]


# What fpdf2 believes about the page's drawing state, in the attributes its drawing
# methods read and write: a block is replayed only from the state it was drawn in,
# and leaves fpdf2 in the state drawing it did.
_COMPARED = (
    "font_family",
    "font_style",
    "font_size_pt",
    "font_size",
    "current_font",
    "underline",
    "text_color",
    "fill_color",
    "draw_color",
    "line_width",
    "current_font_is_set_on_page",
    "char_spacing",
    "font_stretching",
    "text_mode",
)
_RESTORED = (*_COMPARED, "x", "y")


def _state(pdf: FPDF, names: tuple[str, ...] = _COMPARED) -> tuple[Any, ...]:
    return tuple(getattr(pdf, name, None) for name in names)


# The font resources a recorded block names (fpdf2 writes "/F<number> <size> Tf");
# a block that uses any other kind of resource is never replayed.
_FONT = re.compile(rb"/F(\d+) [0-9.]+ Tf")
_OTHER_RESOURCES = re.compile(rb" (?:gs|Do|sh|scn|SCN)\b")


class _Recorded:
    """A block's operators as fpdf2 wrote them, the fonts they use and the state after."""

    def __init__(self, operators: bytes, after: tuple[Any, ...]) -> None:
        self.operators = operators
        self.after = after
        self.fonts = sorted({int(n) for n in _FONT.findall(operators)})


class Stationery:
    """Where the blocks of one batch's letters go, page by page.

    ``shared=False`` draws every block with fpdf2 on every page (no replay).
    """

    def __init__(self, pdf: FPDF, *, shared: bool = True) -> None:
        self.pdf = pdf
        self.shared = shared
        self.pages = 0
        self._recorded: dict[tuple[Hashable, float, tuple[Any, ...]], _Recorded | None] = {}

    def start_page(self) -> None:
        """Add a letter page; the next blocks are drawn on it."""
        self.pdf.add_page()
        self.pages += 1

    def place(self, key: Hashable, y: float, block: Block) -> None:
        """Draw the block ``key`` (drawn by ``block``) on the current page at baseline ``y``."""
        if not self.pages:
            raise RenderError("start a page before placing a block on it")
        pdf = self.pdf
        contents = pdf.pages[pdf.page].contents
        if not self.shared or not isinstance(contents, bytearray):
            block(pdf, y, draw=True)
            return
        slot = (key, y, _state(pdf))
        recorded = self._recorded.get(slot)
        if recorded is not None:
            self._replay(recorded, contents)
            return
        start = len(contents)
        block(pdf, y, draw=True)
        operators = bytes(contents[start:])
        if slot in self._recorded or _OTHER_RESOURCES.search(operators):
            self._recorded[slot] = None
            return
        self._recorded[slot] = _Recorded(operators, _state(pdf, _RESTORED))

    def _replay(self, recorded: _Recorded, contents: bytearray) -> None:
        """Write the block's operators again and leave fpdf2 as drawing it did."""
        pdf = self.pdf
        for font in recorded.fonts:
            pdf._resource_catalog.add(PDFResourceType.FONT, font, pdf.page)
        contents.extend(recorded.operators)
        for name, value in zip(_RESTORED, recorded.after, strict=True):
            setattr(pdf, name, value)

    def finish(self) -> bytes:
        """The finished PDF, as fpdf2 writes it."""
        return bytes(self.pdf.output())
