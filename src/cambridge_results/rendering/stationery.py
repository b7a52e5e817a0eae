"""The parts of a letter that many letters share, drawn on each page (CRW-09, CRW-10).

Most of a letter is the same for every candidate of a batch: the title, the
headings, the notes, the warnings, a centre's contact and delay.  The
renderer hands each such *block* to :class:`Stationery`, which draws it on
the page with fpdf2 where the layout puts it.

Until issue 13 the blocks were drawn once per batch and placed on the pages
as form XObjects by editing fpdf2's output byte by byte.  Drawing them on
every page costs fpdf2 about 0.3 ms more a letter (measured with 300
letters; docs/performance.md), needs no PDF editing, reads every PDF fpdf2
writes (outlines, encryption...), makes each single-letter PDF about 2.5 KB
smaller and puts a page's text in reading order.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from fpdf import FPDF

from cambridge_results.errors import RenderError

__all__ = ["Block", "Stationery"]

#: Draws a block into ``pdf`` with its first baseline at ``y`` (``draw=True``), or only
#: measures it (``draw=False``); returns the baseline after it.
Block = Callable[..., float]


class Stationery:
    """Where the blocks of one batch's letters go, page by page.

    ``shared`` is kept for renderers written against the earlier stationery,
    which drew blocks once per batch; every block is now drawn on its page.
    """

    def __init__(self, pdf: FPDF, *, shared: bool = True) -> None:
        self.pdf = pdf
        self.shared = shared
        self.pages = 0

    def start_page(self) -> None:
        """Add a letter page; the next blocks are drawn on it."""
        self.pdf.add_page()
        self.pages += 1

    def place(self, key: Hashable, y: float, block: Block) -> None:
        """Draw the block ``key`` (drawn by ``block``) on the current page at baseline ``y``."""
        if not self.pages:
            raise RenderError("start a page before placing a block on it")
        del key
        block(self.pdf, y, draw=True)

    def finish(self) -> bytes:
        """The finished PDF, as fpdf2 writes it."""
        return bytes(self.pdf.output())
