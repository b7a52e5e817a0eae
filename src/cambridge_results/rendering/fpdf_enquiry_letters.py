"""Enquiry letters (acknowledgement, outcome) on fpdf2 with the bundled fonts (EAR-09, EAR-10).

Unlike the bulk credential letters, an enquiry letter is drawn one at a
time, so plain ``multi_cell`` layout is used throughout; text shaping is
switched on only when some text needs it (right-to-left scripts, combining
marks, characters outside the regular font), and fallback fonts are embedded
only when used.  Every text is checked against the fonts before anything is
drawn, so a name no font can draw is an
:class:`~cambridge_results.rendering.fonts.UnrenderableText` and no PDF is
made.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace as TableHeadings

from cambridge_results.errors import RenderError
from cambridge_results.rendering.enquiry_protocol import EnquiryLetter, LetterSection
from cambridge_results.rendering.fonts import FontFace, FontSet
from cambridge_results.rendering.fpdf_document import add_fonts, describe

_log = logging.getLogger("cambridge_results.rendering")

__all__ = ["FpdfEnquiryLetterRenderer"]

LEFT = 20.0
WIDTH = 170.0
LABEL_WIDTH = 45.0
GREY = (90, 90, 90)
BLACK = (0, 0, 0)
HEADING_FILL = (235, 235, 235)


class FpdfEnquiryLetterRenderer:
    """Enquiry letters with fpdf2: bundled Noto fonts, shaping, configurable fallbacks."""

    name = "fpdf2"

    def __init__(
        self, *, fallback_fonts: Iterable[FontFace] = (), fonts: FontSet | None = None
    ) -> None:
        self.fonts = fonts if fonts is not None else FontSet(fallback_fonts)

    def __repr__(self) -> str:
        return f"FpdfEnquiryLetterRenderer(fallbacks={[f.family for f in self.fonts.fallbacks]})"

    def check(self, letter: EnquiryLetter) -> None:
        """Raise :class:`~cambridge_results.rendering.fonts.UnrenderableText` for text
        no configured font can draw (the message names code points, not the text)."""
        fields: dict[str, str] = {}
        for i, (where, text) in enumerate(letter.texts()):
            fields[f"{where} #{i}"] = text
        self.fonts.check([(letter.letter_id, fields)])

    def render(self, letter: EnquiryLetter) -> bytes:
        """The letter as one PDF, dated ``letter.issued_at``."""
        if not isinstance(letter, EnquiryLetter):
            raise RenderError(f"expected an EnquiryLetter, got {type(letter).__name__}")
        self.check(letter)
        texts = [t for _, t in letter.texts()]
        fallbacks = self.fonts.fallbacks_for(texts)
        shaping = not all(self.fonts.plain(t) for t in texts)
        pdf = self._document(letter, fallbacks, shaping=shaping)
        pdf.add_page()
        self._title(pdf, letter)
        self._details(pdf, letter)
        for section in letter.sections:
            self._section(pdf, section)
        data = bytes(pdf.output())
        _log.debug("rendered an enquiry letter (%d bytes)", len(data))
        return data

    def _document(
        self, letter: EnquiryLetter, fallbacks: tuple[FontFace, ...], *, shaping: bool
    ) -> FPDF:
        pdf = _LetterPdf(letter, self.fonts.regular.family)
        # Chosen metadata, no names of people: the title and the pinned date.
        describe(
            pdf,
            title=letter.title,
            subject=f"Enquiry about results {letter.letter_id}",
            created=letter.issued_at,
        )
        pdf.set_margins(LEFT, 15, LEFT)
        pdf.set_auto_page_break(auto=True, margin=20)
        add_fonts(pdf, self.fonts, fallbacks)
        pdf.set_text_shaping(shaping)
        return pdf

    def _font(self, pdf: FPDF, size: float, *, bold: bool = False) -> None:
        pdf.set_font(self.fonts.regular.family, "B" if bold else "", size)

    def _title(self, pdf: FPDF, letter: EnquiryLetter) -> None:
        pdf.set_y(20)
        pdf.set_text_color(*BLACK)
        self._font(pdf, 16, bold=True)
        pdf.multi_cell(WIDTH, 8, letter.title, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(*GREY)
        self._font(pdf, 10)
        pdf.multi_cell(WIDTH, 5, letter.subtitle, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_draw_color(*GREY)
        pdf.set_line_width(0.3)
        y = pdf.get_y() + 2
        pdf.line(LEFT, y, LEFT + WIDTH, y)
        pdf.set_y(y + 4)

    def _details(self, pdf: FPDF, letter: EnquiryLetter) -> None:
        for label, value in letter.details:
            top = pdf.get_y()
            pdf.set_text_color(*GREY)
            self._font(pdf, 9)
            pdf.set_xy(LEFT, top)
            pdf.multi_cell(LABEL_WIDTH, 5.5, label, align="L", new_x=XPos.RIGHT, new_y=YPos.TOP)
            label_bottom = pdf.get_y()
            pdf.set_text_color(*BLACK)
            self._font(pdf, 11)
            pdf.set_xy(LEFT + LABEL_WIDTH, top)
            pdf.multi_cell(
                WIDTH - LABEL_WIDTH, 5.5, value, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )
            pdf.set_y(max(pdf.get_y(), label_bottom) + 0.8)

    def _section(self, pdf: FPDF, section: LetterSection) -> None:
        pdf.ln(4)
        pdf.set_text_color(*BLACK)
        self._font(pdf, 12, bold=True)
        pdf.multi_cell(WIDTH, 7, section.heading, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self._font(pdf, 10)
        for paragraph in section.paragraphs:
            pdf.multi_cell(WIDTH, 5, paragraph, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(1.5)
        table = section.table
        if table is None:
            return
        pdf.ln(1)
        self._font(pdf, 9.5)
        with pdf.table(
            width=WIDTH,
            align="LEFT",
            text_align="LEFT",
            line_height=5.5,
            headings_style=TableHeadings(emphasis="BOLD", fill_color=HEADING_FILL),
            padding=1,
        ) as grid:
            header = grid.row()
            for cell in table.header:
                header.cell(cell)
            for row in table.rows:
                line = grid.row()
                for cell in row:
                    line.cell(cell)
        pdf.ln(2)


class _LetterPdf(FPDF):
    """A page footer with the letter's internal reference and its issue date."""

    def __init__(self, letter: EnquiryLetter, family: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self._letter = letter
        self._family = family

    def footer(self) -> None:
        letter = self._letter
        issued = letter.issued_at.in_timezone(letter.timezone).format("D MMMM YYYY")
        self.set_y(-14)
        self.set_font(self._family, "", 8)
        self.set_text_color(*GREY)
        self.cell(
            WIDTH,
            5,
            f"Reference {letter.letter_id}  \u00b7  Issued {issued}  \u00b7  "
            f"Page {self.page_no()} of {{nb}}",
            align="L",
        )
