"""Statements of results with a graphical profile, on fpdf2 (LOG-10, CRW-11).

The profile is a bar chart drawn with fpdf2's primitives (``rect``,
``line``, ``text``): one bar per skill from the bottom of the scale up to
the score, grid lines every ``scale.step``, the scale's bands (CEFR levels)
in a column beside the chart, the overall score as a dashed line.  Text is
drawn with the bundled Noto fonts of :mod:`cambridge_results.rendering.fonts`,
as letters are; names in other scripts are shaped and use fallback fonts.
Every page carries the provisional notice (CRW-11) at the top and in the
footer.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import cast

import pendulum
from fpdf import FPDF
from fpdf.enums import MethodReturnValue

from cambridge_results.errors import RenderError
from cambridge_results.policy import ReportPolicy
from cambridge_results.rendering.fonts import FontFace, FontSet
from cambridge_results.rendering.fpdf_document import check_created, placed_document
from cambridge_results.rendering.statement import StatementData
from cambridge_results.rules.reports.criteria import check_pdf_request
from cambridge_results.rules.website.results_view import PROVISIONAL_NOTICE

_log = logging.getLogger("cambridge_results.rendering")

__all__ = ["STATEMENT_TITLE", "FpdfStatementRenderer"]

#: The document's title.
STATEMENT_TITLE = "Statement of results"

# Layout in millimetres on A4 portrait.
LEFT = 20.0
WIDTH = 170.0
LABEL_WIDTH = 42.0
VALUE_X = LEFT + LABEL_WIDTH
VALUE_WIDTH = WIDTH - LABEL_WIDTH
CHART_LEFT = 38.0
CHART_RIGHT = 172.0
CHART_HEIGHT = 88.0
BAND_LEFT = 176.0
BAND_WIDTH = 14.0
BAR_SHARE = 0.56
FOOTER_Y = 284.0
BOTTOM_LIMIT = 272.0
PT = 25.4 / 72

BLACK = (0, 0, 0)
GREY = (90, 90, 90)
GRID = (205, 205, 205)
BAR = (31, 78, 140)
NOTICE_FILL = (255, 243, 205)
BAND_FILLS = ((236, 242, 250), (214, 226, 242))


def _line_height(size: float) -> float:
    return size * PT * 1.4


class FpdfStatementRenderer:
    """Statements of results with fpdf2: bundled Noto fonts, configurable fallbacks.

    ``max_statements`` is the most one :meth:`render` draws (LOG-09: the
    policy's ``reports.max_pdfs_per_request``, 300 by default); more is a
    :class:`~cambridge_results.errors.LoginRefused` advising batches.
    """

    name = "fpdf2"

    def __init__(
        self,
        *,
        fallback_fonts: Iterable[FontFace] = (),
        fonts: FontSet | None = None,
        max_statements: int = ReportPolicy().max_pdfs_per_request,
    ) -> None:
        self.fonts = fonts if fonts is not None else FontSet(fallback_fonts)
        self.limit = ReportPolicy(max_pdfs_per_request=max_statements)

    def __repr__(self) -> str:
        extra = [f.family for f in self.fonts.fallbacks]
        return f"FpdfStatementRenderer(fallbacks={extra})"

    def check(self, statements: Iterable[StatementData]) -> None:
        """Raise :class:`~cambridge_results.rendering.fonts.UnrenderableText` for text no
        configured font can draw."""
        self.fonts.check((s.statement_id, s.human_texts) for s in statements)

    def render(self, statements: Sequence[StatementData], *, created: pendulum.DateTime) -> bytes:
        """One PDF, a page per statement in order; all are checked before any is drawn."""
        batch = list(statements)
        if not batch:
            raise RenderError("no statements to render")
        check_pdf_request(len(batch), self.limit).raise_if_refused()  # rule LOG-09
        check_created(created)
        self.check(batch)
        texts = [t for s in batch for t in s.human_texts.values()]
        pdf = self._document(self.fonts.fallbacks_for(texts), created)
        for statement in batch:
            self._page(pdf, statement, created)
        data = bytes(pdf.output())
        _log.debug("rendered %d statements of results (%d bytes)", len(batch), len(data))
        return data

    # -- drawing helpers ------------------------------------------------------------

    def _document(self, fallbacks: Sequence[FontFace], created: pendulum.DateTime) -> FPDF:
        # Metadata is chosen, not defaulted: no name, a pinned date.
        return placed_document(
            self.fonts,
            fallbacks,
            title=STATEMENT_TITLE,
            subject="Provisional statement of results with a graphical profile",
            created=created,
            margin=LEFT,
        )

    def _text(
        self,
        pdf: FPDF,
        x: float,
        y: float,
        text: str,
        *,
        size: float,
        bold: bool = False,
        align: str = "L",
    ) -> None:
        """Fixed text with baseline ``y``; ``align`` "C" centres on ``x``, "R" ends at it."""
        pdf.set_font(self.fonts.regular.family, "B" if bold else "", size)
        width = pdf.get_string_width(text)
        if align == "C":
            x -= width / 2
        elif align == "R":
            x -= width
        pdf.text(x, y, text)

    def _wrapped(
        self, pdf: FPDF, x: float, y: float, text: str, *, size: float, width: float
    ) -> float:
        pdf.set_font(self.fonts.regular.family, "", size)
        line: list[str] = []
        for word in text.split(" "):
            if line and pdf.get_string_width(" ".join([*line, word])) > width:
                pdf.text(x, y, " ".join(line))
                y += _line_height(size)
                line = []
            line.append(word)
        pdf.text(x, y, " ".join(line))
        return y + _line_height(size)

    def _typed(self, pdf: FPDF, x: float, y: float, text: str, *, size: float) -> float:
        """Text a person typed, baseline ``y``: shaped, with fallbacks, when it needs it."""
        pdf.set_font(self.fonts.regular.family, "", size)
        height = _line_height(size)
        if self.fonts.plain(text) and pdf.get_string_width(text) <= VALUE_WIDTH:
            pdf.text(x, y, text)
            return y + height
        pdf.set_text_shaping(True)
        try:
            # cell() positions by the top of the cell, text() by the baseline.
            pdf.set_xy(x - pdf.c_margin, y - 0.5 * height - 0.3 * pdf.font_size)
            lines = pdf.multi_cell(
                VALUE_WIDTH, height, text, align="L", output=MethodReturnValue.LINES
            )
            return y + len(cast("list[str]", lines)) * height
        finally:
            pdf.set_text_shaping(False)

    def _row(self, pdf: FPDF, y: float, label: str, value: str, *, typed: bool = False) -> float:
        pdf.set_text_color(*GREY)
        self._text(pdf, LEFT, y, label, size=10)
        pdf.set_text_color(*BLACK)
        if typed:
            return self._typed(pdf, VALUE_X, y, value, size=12) + 1.5
        self._text(pdf, VALUE_X, y, value, size=12)
        return y + _line_height(12) + 1.5

    # -- the page ------------------------------------------------------------------

    def _page(self, pdf: FPDF, s: StatementData, created: pendulum.DateTime) -> None:
        pdf.add_page()
        pdf.set_text_color(*BLACK)
        self._text(pdf, LEFT, 28, STATEMENT_TITLE, size=16, bold=True)
        pdf.set_text_color(*GREY)
        self._text(pdf, LEFT, 35, f"Candidate results website, {s.series} series", size=10)
        pdf.set_draw_color(*GREY)
        pdf.set_line_width(0.3)
        pdf.line(LEFT, 39, LEFT + WIDTH, 39)

        # CRW-11: the notice comes first, in a box that cannot be missed.
        pdf.set_fill_color(*NOTICE_FILL)
        pdf.rect(LEFT, 43, WIDTH, 14, style="F")
        pdf.set_text_color(*BLACK)
        self._wrapped(pdf, LEFT + 3, 48.5, PROVISIONAL_NOTICE, size=10, width=WIDTH - 6)

        y = self._row(pdf, 66, "Candidate name", s.candidate_name, typed=True)
        y = self._row(pdf, y, "Candidate number", s.candidate_number.value)
        y = self._row(pdf, y, "Centre", s.centre.value)
        if s.centre_name is not None:
            y = self._row(pdf, y, "Centre name", s.centre_name, typed=True)
        y = self._row(pdf, y, "Exam", s.exam, typed=True)
        y = self._row(pdf, y, "Syllabus", s.syllabus.value)
        if s.overall is not None:
            band = s.scale.band_of(s.overall)
            level = f" (CEFR {band.label})" if band is not None else ""
            y = self._row(pdf, y, "Overall score", f"{s.overall}{level}")
        if s.grade is not None:
            y = self._row(pdf, y, "Grade", s.grade)

        self._text(pdf, LEFT, y + 6, "Candidate profile", size=12, bold=True)
        pdf.set_text_color(*GREY)
        scale = s.scale
        self._text(
            pdf,
            LEFT,
            y + 11.5,
            f"Score in each skill on the {scale.name} ({scale.minimum} to {scale.maximum})",
            size=9,
        )
        bottom = self._chart(pdf, s, top=y + 20)

        if bottom > BOTTOM_LIMIT:
            raise RenderError(f"statement {s.statement_id} does not fit on one page")
        pdf.set_text_color(*GREY)
        printed = created.in_timezone(s.timezone).format("D MMMM YYYY")
        self._text(pdf, LEFT, FOOTER_Y - 5, "Provisional results, for information only.", size=8)
        self._text(
            pdf,
            LEFT,
            FOOTER_Y,
            f"Reference {s.statement_id}  \u00b7  Printed {printed}",
            size=8,
        )

    def _chart(self, pdf: FPDF, s: StatementData, *, top: float) -> float:
        """The bar chart with its axis, grid and bands; returns the lowest y drawn."""
        scale = s.scale
        base = top + CHART_HEIGHT
        span = scale.maximum - scale.minimum

        def y_of(score: float) -> float:
            return base - (score - scale.minimum) / span * CHART_HEIGHT

        # Bands beside the chart (CEFR levels), alternately shaded.
        for i, band in enumerate(scale.bands):
            end = scale.bands[i + 1].start if i + 1 < len(scale.bands) else scale.maximum
            pdf.set_fill_color(*BAND_FILLS[i % 2])
            pdf.rect(BAND_LEFT, y_of(end), BAND_WIDTH, y_of(band.start) - y_of(end), style="F")
            pdf.set_text_color(*GREY)
            middle = (y_of(band.start) + y_of(end)) / 2 + 1.2
            self._text(pdf, BAND_LEFT + BAND_WIDTH / 2, middle, band.label, size=8, align="C")

        # Grid lines and their scores; a label on every line that has room for one.
        pdf.set_line_width(0.2)
        gap = scale.step / span * CHART_HEIGHT
        every = 1 if gap >= 4.5 else 2
        for n, score in enumerate(range(scale.minimum, scale.maximum + 1, scale.step)):
            pdf.set_draw_color(*GRID)
            pdf.line(CHART_LEFT, y_of(score), CHART_RIGHT, y_of(score))
            if n % every == 0:
                pdf.set_text_color(*GREY)
                self._text(pdf, CHART_LEFT - 2, y_of(score) + 1.2, str(score), size=7, align="R")

        # Bars: from the bottom of the scale up to each score.
        slot = (CHART_RIGHT - CHART_LEFT) / len(s.skills)
        width = slot * BAR_SHARE
        lowest = base
        for i, skill in enumerate(s.skills):
            centre = CHART_LEFT + slot * (i + 0.5)
            height = base - y_of(skill.score)
            pdf.set_fill_color(*BAR)
            if height > 0:
                pdf.rect(centre - width / 2, y_of(skill.score), width, height, style="F")
            pdf.set_text_color(*BLACK)
            self._text(pdf, centre, y_of(skill.score) - 1.5, str(skill.score), size=10, bold=True)
            lowest = max(lowest, self._skill_label(pdf, centre, base + 5, skill.skill, slot))

        # Axes over the grid.
        pdf.set_draw_color(*GREY)
        pdf.set_line_width(0.3)
        pdf.line(CHART_LEFT, top, CHART_LEFT, base)
        pdf.line(CHART_LEFT, base, CHART_RIGHT, base)

        if s.overall is not None:
            # The overall score as a dashed line, explained by a legend under the chart.
            pdf.set_draw_color(*BLACK)
            pdf.set_dash_pattern(dash=1.5, gap=1)
            pdf.line(CHART_LEFT, y_of(s.overall), CHART_RIGHT, y_of(s.overall))
            legend = lowest + 7
            pdf.line(CHART_LEFT, legend - 1.2, CHART_LEFT + 10, legend - 1.2)
            pdf.set_dash_pattern()
            pdf.set_text_color(*BLACK)
            self._text(pdf, CHART_LEFT + 12, legend, f"Overall score {s.overall}", size=9)
            lowest = legend
        return lowest

    def _skill_label(self, pdf: FPDF, centre: float, y: float, text: str, slot: float) -> float:
        """The skill's name under its bar, on two lines if one is too narrow."""
        pdf.set_font(self.fonts.regular.family, "", 9)
        pdf.set_text_color(*BLACK)
        if pdf.get_string_width(text) <= slot - 1 or " " not in text:
            self._text(pdf, centre, y, text, size=9, align="C")
            return y
        words = text.split(" ")
        half = (len(words) + 1) // 2
        first, second = " ".join(words[:half]), " ".join(words[half:])
        self._text(pdf, centre, y, first, size=9, align="C")
        self._text(pdf, centre, y + _line_height(9), second, size=9, align="C")
        return y + _line_height(9)
