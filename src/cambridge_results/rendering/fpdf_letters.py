"""The default letter renderer, on fpdf2 (CRW-09, CRW-10).

Why it is drawn the way it is: fpdf2's ``multi_cell`` layout costs about
6.7 ms a page, placing text at known positions about 0.2 ms.  So the fixed
paragraphs are wrapped once per renderer and placed line by line with
``text()``; text people typed (names, contacts) that the regular font draws
as it stands is placed the same way, and anything else (Arabic, Hebrew,
Devanagari, CJK, combining marks) is shaped and drawn as outlines under an
invisible text layer that reads back in logical order
(:mod:`~cambridge_results.rendering.fpdf_typeset`).  A whole batch is one
document, so fonts are subset once per batch, not per letter, and what the
batch's letters share (headings, notes, warnings, a centre's contact) is
drawn once per batch and placed on each page
(:mod:`~cambridge_results.rendering.stationery`).

The username and password are set in Noto Sans Mono bold, the password in
groups of four (:func:`~cambridge_results.credentials.readable_groups`);
the release time is given in the policy's time zone, named in words
(:func:`zone_in_words`).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Sequence

import pendulum
from fpdf import FPDF

from cambridge_results.credentials import readable_groups
from cambridge_results.errors import RenderError
from cambridge_results.rendering.fonts import FontFace, FontSet
from cambridge_results.rendering.fpdf_document import check_created, placed_document
from cambridge_results.rendering.fpdf_typeset import Typesetter
from cambridge_results.rendering.protocol import LetterData
from cambridge_results.rendering.stationery import Stationery

_log = logging.getLogger("cambridge_results.rendering")

__all__ = ["TITLE", "FpdfLetterRenderer", "zone_in_words"]

#: The letter's title, as the guides name it (CRW-07).
TITLE = "Confidential examination results information"

LOGIN_NOTE = (
    "Log in to the candidate results website with these details. Type the password as "
    "printed: the spaces only make it easier to read. Keep this letter private: anyone who "
    "has these details can see your results."
)
CONTACT_NOTE = (
    "The exam board does not deal with candidates directly about this service or about "
    "results. If you have any questions, contact:"
)
#: CRW-09 and CRW-11: the two warnings every letter carries.
WARNINGS = (
    "The results shown on the candidate results website are provisional and for information only.",
    "Do not print or send screenshots of your results from the candidate results website "
    "to universities.",
)

# Layout in millimetres on A4 portrait.
LEFT = 20.0
WIDTH = 170.0
LABEL_WIDTH = 42.0
VALUE_X = LEFT + LABEL_WIDTH
VALUE_WIDTH = WIDTH - LABEL_WIDTH
BULLET_INDENT = 5.0
BOTTOM_LIMIT = 278.0
#: The login box's top below its heading's baseline; the page's own username and
#: password sit in the box the shared login block draws.
LOGIN_BOX_BELOW_HEADING = 4.0
FOOTER_Y = 287.0
PT = 25.4 / 72

GREY = (90, 90, 90)
BLACK = (0, 0, 0)
BOX_FILL = (242, 242, 242)


#: Time zones named as the people in them say it; others are named by their city.
ZONE_NAMES = {
    "Europe/London": "UK time",
    "Europe/Belfast": "UK time",
    "Europe/Dublin": "Irish time",
    "Asia/Kolkata": "India time",
    "Asia/Calcutta": "India time",
    "Asia/Karachi": "Pakistan time",
    "Asia/Dhaka": "Bangladesh time",
    "Asia/Shanghai": "China time",
    "Asia/Hong_Kong": "Hong Kong time",
    "Asia/Singapore": "Singapore time",
    "Asia/Kuala_Lumpur": "Malaysia time",
    "Asia/Dubai": "UAE time",
    "Africa/Lagos": "Nigeria time",
    "Africa/Nairobi": "Kenya time",
    "Africa/Johannesburg": "South Africa time",
    "Australia/Sydney": "Sydney time",
}


def zone_in_words(timezone: str, when: pendulum.DateTime | None = None) -> str:
    """The IANA zone ``timezone`` as a letter names it: ``"UK time"``, ``"Kolkata time"``.

    Zones in :data:`ZONE_NAMES` have their everyday name; any other is named
    by its city (the last part of its name, underscores as spaces); a zone
    with no city (``UTC``, ``Etc/GMT+5``) is named by its offset from UTC
    at ``when`` (``"UTC"``, ``"UTC-05:00"``).
    """
    named = ZONE_NAMES.get(timezone)
    if named is not None:
        return named
    area, _, city = timezone.rpartition("/")
    if area and area != "Etc":
        return f"{city.replace('_', ' ')} time"
    offset = (when or pendulum.now("UTC")).in_timezone(timezone).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


# A batch's letters share a handful of release instants and one print date, and
# pendulum takes longer to convert and format a date than fpdf2 takes to draw it.
@functools.lru_cache(maxsize=256)
def _when(visible_from: pendulum.DateTime, timezone: str) -> str:
    local = visible_from.in_timezone(timezone)
    zone = zone_in_words(timezone, visible_from)
    return f"From {local.format('dddd D MMMM YYYY [at] HH:mm')}, {zone}"


@functools.lru_cache(maxsize=256)
def _printed(created: pendulum.DateTime, timezone: str) -> str:
    return created.in_timezone(timezone).format("D MMMM YYYY")


def _line_height(size: float) -> float:
    return size * PT * 1.4


class FpdfLetterRenderer:
    """Letters with fpdf2: bundled Noto fonts, text shaping, configurable fallbacks.

    ``fallback_fonts`` add scripts the bundled fonts lack (CJK, Thai, ...);
    or pass a ready :class:`FontSet` as ``fonts`` to share its cached
    character maps between renderers.  ``stationery=False`` draws every page
    in full instead of drawing what a batch's letters share once
    (:mod:`~cambridge_results.rendering.stationery`): the same pages, slower,
    with each page's text in reading order for tools that read PDFs in the
    order they were drawn.
    """

    name = "fpdf2"

    def __init__(
        self,
        *,
        fallback_fonts: Iterable[FontFace] = (),
        fonts: FontSet | None = None,
        stationery: bool = True,
    ) -> None:
        self.fonts = fonts if fonts is not None else FontSet(fallback_fonts)
        self.stationery = stationery
        self.typesetter = Typesetter(self.fonts)
        self._wrapped: dict[tuple[str, float, float], tuple[str, ...]] = {}
        self._advances: dict[tuple[str, float], dict[str, float]] = {}

    def __repr__(self) -> str:
        extra = [f.family for f in self.fonts.fallbacks]
        return f"FpdfLetterRenderer(fallbacks={extra})"

    def check(self, letters: Iterable[LetterData]) -> None:
        """Raise :class:`~cambridge_results.rendering.fonts.UnrenderableText` for text
        no configured font can draw."""
        self.fonts.check((letter.letter_id, letter.human_texts) for letter in letters)

    def render(self, letters: Sequence[LetterData], *, created: pendulum.DateTime) -> bytes:
        """One PDF, a page per letter in order; every letter is checked before any is drawn."""
        batch = list(letters)
        if not batch:
            raise RenderError("no letters to render")
        check_created(created)
        self.check(batch)
        shaped = [
            t
            for letter in batch
            for t in (*letter.human_texts.values(), *letter.contact.lines)
            if not self.fonts.plain(t)
        ]
        pdf = self._document(created)
        if shaped:
            self.typesetter.add_text_layer_font(pdf, shaped)
        paper = Stationery(pdf, shared=self.stationery)
        for letter in batch:
            self._page(pdf, letter, created, paper)
        data = paper.finish()
        _log.debug(
            "rendered %d credential letters (%d bytes, %d texts shaped)",
            len(batch),
            len(data),
            len(shaped),
        )
        return data

    def _document(self, created: pendulum.DateTime) -> FPDF:
        # Metadata is chosen, not defaulted: no name, no password, a pinned date (CRW-13).
        # No fallback font is embedded: text needing one is drawn as outlines (_typed).
        pdf = placed_document(
            self.fonts,
            (),
            title=TITLE,
            subject="Candidate results website login details",
            created=created,
            margin=LEFT,
        )
        mono = self.fonts.mono_bold
        pdf.add_font(mono.family, mono.style, str(mono.path))
        return pdf

    def _wrap(self, pdf: FPDF, text: str, size: float, width: float) -> tuple[str, ...]:
        """``text`` in the regular font broken at spaces into lines of at most ``width``;
        a word wider than that is broken between characters."""
        key = (text, size, width)
        lines = self._wrapped.get(key)
        if lines is None:
            pdf.set_font(self.fonts.regular.family, "", size)
            out: list[str] = []
            current = ""
            for word in text.split(" "):
                trial = f"{current} {word}" if current else word
                if not current or self._plain_width(pdf, trial, "", size) <= width:
                    current = trial
                    continue
                out.append(current)
                current = word
            while len(current) > 1 and self._plain_width(pdf, current, "", size) > width:
                cut = len(current) - 1
                while cut > 1 and self._plain_width(pdf, current[:cut], "", size) > width:
                    cut -= 1
                out.append(current[:cut])
                current = current[cut:]
            out.append(current)
            lines = tuple(out)
            if len(self._wrapped) > 4096:  # typed text that wraps is rare, but unbounded
                self._wrapped.clear()
            self._wrapped[key] = lines
        return lines

    def _fixed(
        self, pdf: FPDF, x: float, y: float, text: str, *, size: float, bold: bool = False
    ) -> None:
        pdf.set_font(self.fonts.regular.family, "B" if bold else "", size)
        pdf.text(x, y, text)

    def _paragraph(
        self,
        pdf: FPDF,
        x: float,
        y: float,
        text: str,
        *,
        size: float,
        width: float,
        draw: bool = True,
    ) -> float:
        """Draw wrapped fixed text from baseline ``y`` (or, ``draw=False``, only measure
        it); return the baseline after it."""
        lines = self._wrap(pdf, text, size, width)
        if draw:
            pdf.set_font(self.fonts.regular.family, "", size)
            for i, line in enumerate(lines):
                pdf.text(x, y + i * _line_height(size), line)
        return y + len(lines) * _line_height(size)

    def _typed(
        self,
        pdf: FPDF,
        x: float,
        y: float,
        text: str,
        *,
        size: float,
        width: float,
        draw: bool = True,
    ) -> float:
        """Draw text a person typed with baseline ``y``; return the baseline after it.

        Text the regular font draws as it stands (Latin, Greek, Cyrillic
        without combining marks) is placed as text; anything else is shaped
        and drawn as outlines under an invisible text layer
        (:class:`~cambridge_results.rendering.fpdf_typeset.Typesetter`).
        Either is wrapped if it is too long.  With ``draw=False`` nothing is
        drawn: only the baseline after it is worked out.
        """
        pdf.set_font(self.fonts.regular.family, "", size)
        height = _line_height(size)
        if self.fonts.plain(text):
            if self._plain_width(pdf, text, "", size) <= width:
                if draw:
                    pdf.text(x, y, text)
                return y + height
            lines = self._wrap(pdf, text, size, width)
            if draw:
                pdf.set_font(self.fonts.regular.family, "", size)
                for i, line in enumerate(lines):
                    pdf.text(x, y + i * height, line)
            return y + len(lines) * height
        shaped = self.typesetter.lines(text, size, width)
        if draw:
            for i, piece in enumerate(shaped):
                self.typesetter.draw(pdf, x, y + i * height, piece, size)
        return y + len(shaped) * height

    def _plain_width(self, pdf: FPDF, text: str, style: str, size: float) -> float:
        """The width of unshaped ``text`` in the current font: the sum of its characters'.

        The same as ``get_string_width`` without shaping (``text()`` does not
        kern), but fpdf2 analyses the whole string's direction on every call,
        which cost more than drawing it; a character's advance is asked once.
        """
        advances = self._advances.setdefault((style, size), {})
        total = 0.0
        for ch in text:
            advance = advances.get(ch)
            if advance is None:
                advance = advances[ch] = pdf.get_string_width(ch)
            total += advance
        return total

    def _label_block(self, pdf: FPDF, y: float, *, x: float, text: str, draw: bool) -> float:
        """A grey label at ``x`` on baseline ``y``, leaving the text colour black."""
        if draw:
            pdf.set_text_color(*GREY)
            self._fixed(pdf, x, y, text, size=10)
            pdf.set_text_color(*BLACK)
        return y

    def _label(self, pdf: FPDF, paper: Stationery, x: float, y: float, text: str) -> None:
        # A block like any other: most pages have their labels where the last page had
        # them, so their operators are replayed instead of drawn (rendering.stationery).
        paper.place(("label", x, text), y, functools.partial(self._label_block, x=x, text=text))

    def _row(self, pdf: FPDF, paper: Stationery, y: float, label: str, value: str) -> float:
        # Labels stay beside their values in the page's own text, so text read
        # back from the page pairs them ("Username k7mq4-xtw9p").
        self._label(pdf, paper, LEFT, y, label)
        return self._typed(pdf, VALUE_X, y, value, size=12, width=VALUE_WIDTH) + 1.5

    def _heading(self, pdf: FPDF, y: float, text: str) -> float:
        pdf.set_text_color(*BLACK)
        self._fixed(pdf, LEFT, y, text, size=12, bold=True)
        return y + 7

    # -- blocks: the parts of a page that many letters share ------------------
    #
    # Each measures itself in ``pdf``'s fonts and returns the baseline after
    # it; with ``draw`` it also draws itself with its first baseline at ``y``.
    # A batch draws each block once, on a stationery page, and places it on
    # every letter that shows it (rendering.stationery).

    def _header_block(self, pdf: FPDF, y: float, series: str, *, draw: bool) -> float:
        if draw:
            pdf.set_text_color(*BLACK)
            self._fixed(pdf, LEFT, y, TITLE, size=16, bold=True)
            pdf.set_text_color(*GREY)
            self._fixed(pdf, LEFT, y + 7, f"Candidate results website, {series} series", size=10)
            pdf.set_draw_color(*GREY)
            pdf.set_line_width(0.3)
            pdf.line(LEFT, y + 11, LEFT + WIDTH, y + 11)
        return y + 11

    def _login_block(self, pdf: FPDF, y: float, *, draw: bool) -> float:
        box_top = y + LOGIN_BOX_BELOW_HEADING
        if draw:
            self._heading(pdf, y, "Your login details")
            pdf.set_draw_color(*GREY)
            pdf.set_line_width(0.3)
            pdf.set_fill_color(*BOX_FILL)
            pdf.rect(LEFT, box_top, WIDTH, 21, style="DF")
        return self._paragraph(pdf, LEFT, box_top + 28, LOGIN_NOTE, size=10, width=WIDTH, draw=draw)

    def _when_block(self, pdf: FPDF, y: float, when: str, note: str | None, *, draw: bool) -> float:
        end = y + 7 + _line_height(12)
        if draw:
            self._heading(pdf, y, "When you can see your results")
            self._fixed(pdf, LEFT, y + 7, when, size=12, bold=True)
        if note is not None:
            return self._paragraph(pdf, LEFT, end, note, size=10, width=WIDTH, draw=draw)
        return end

    def _questions_block(self, pdf: FPDF, y: float, lines: tuple[str, ...], *, draw: bool) -> float:
        if draw:
            self._heading(pdf, y, "Questions about your results")
        end = self._paragraph(pdf, LEFT, y + 7, CONTACT_NOTE, size=10, width=WIDTH, draw=draw) + 2
        for line in lines:
            end = self._typed(pdf, LEFT, end, line, size=12, width=WIDTH, draw=draw)
        return end

    def _important_block(self, pdf: FPDF, y: float, *, draw: bool) -> float:
        if draw:
            self._heading(pdf, y, "Important")
        end = y + 7
        for warning in WARNINGS:
            if draw:
                self._fixed(pdf, LEFT, end, "\u2022", size=10)
            width = WIDTH - BULLET_INDENT
            end = self._paragraph(
                pdf, LEFT + BULLET_INDENT, end, warning, size=10, width=width, draw=draw
            )
            end += 1
        return end

    # -- a letter --------------------------------------------------------------

    def _page(
        self, pdf: FPDF, letter: LetterData, created: pendulum.DateTime, paper: Stationery
    ) -> None:
        paper.start_page()
        series = str(letter.series)
        paper.place(("header", series), 28, functools.partial(self._header_block, series=series))

        y = self._row(pdf, paper, 48, "Candidate name", letter.candidate_name)
        y = self._row(pdf, paper, y, "Candidate number", letter.candidate_number.value)
        centre = letter.centre.value
        if letter.centre_name is not None:
            centre = f"{centre} {letter.centre_name}"
        y = self._row(pdf, paper, y, "Centre", centre)

        top = y + 5
        paper.place(("login",), top, self._login_block)
        box_top = top + LOGIN_BOX_BELOW_HEADING
        mono = self.fonts.mono_bold
        for offset, label, value in (
            (8.0, "Username", letter.username),
            (17.0, "Password", readable_groups(letter.password.reveal())),
        ):
            self._label(pdf, paper, LEFT + 5, box_top + offset, label)
            # The monospaced face holds printable ASCII, all that generated credentials use.
            face = mono if value.isascii() and value.isprintable() else self.fonts.bold
            pdf.set_font(face.family, face.style, 14)
            pdf.text(VALUE_X, box_top + offset, value)
        y = self._login_block(pdf, top, draw=False) + 5

        when = _when(letter.visible_from, letter.timezone)
        note = (
            f"This includes a delay of {letter.delay} after the exam board's results release time."
            if letter.delay.seconds
            else None
        )
        block = functools.partial(self._when_block, when=when, note=note)
        paper.place(("when", when, note), y, block)
        y = block(pdf, y, draw=False) + 5

        lines = letter.contact.lines
        block = functools.partial(self._questions_block, lines=lines)
        paper.place(("questions", lines), y, block)
        y = block(pdf, y, draw=False) + 5

        paper.place(("important",), y, self._important_block)
        y = self._important_block(pdf, y, draw=False)

        if y > BOTTOM_LIMIT:
            raise RenderError(f"letter {letter.letter_id} does not fit on one page")
        pdf.set_text_color(*GREY)
        printed = _printed(created, letter.timezone)
        self._fixed(
            pdf, LEFT, FOOTER_Y, f"Reference {letter.letter_id}  \u00b7  Printed {printed}", size=8
        )
