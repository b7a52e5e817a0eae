"""Text people typed, in any script, drawn as glyph outlines under a readable text layer.

Why: fpdf2 draws shaped text (Arabic, Hebrew, Devanagari) as glyphs in
visual order whose ``ToUnicode`` entries are per glyph, so text read back
from the page came out reversed (Arabic, Hebrew) or with stray characters
(Devanagari), and fpdf2 embeds CFF fonts (Noto Sans CJK) with an embedded
CMap as ``/Encoding``, which pypdf cannot read: it decodes such text a
byte at a time, and every code's high byte ``00`` comes out as NUL.

So a line of such text is drawn twice, in two layers:

* what a person sees: HarfBuzz shapes each run with the font that has its
  characters, and every glyph is painted as a filled outline (PDF path
  operators, read with fontTools), so it is not text at all;
* what a program reads: the same characters in an invisible text run
  (render mode 3) in a *text-layer font* built for the batch, one empty
  glyph per character, so every code maps to exactly one character.  Each
  bidirectional fragment is one run, stretched to the width of what it
  covers; a right-to-left fragment is stored in visual order, as PDF text
  is, which pypdf and poppler's ``pdftotext`` both turn back into logical
  order.

Runs of mixed direction are ordered by their embedding levels (Unicode's
rule L2); names cannot hold bidi controls (LetterData refuses them).

Known limit, poppler's: ``pdftotext`` rebuilds right-to-left text from
positions and takes a hyphen or full stop inside a right-to-left word for
left-to-right text, so it misorders ``عبد-الله``; pypdf reads it as typed.
Splitting the text layer at such marks was tried and made poppler worse.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterable
from typing import Any

import attrs
from fpdf import FPDF
from fpdf.bidi import BidiParagraph
from fpdf.enums import TextMode
from fpdf.fonts import TTFFont

from cambridge_results.errors import RenderError
from cambridge_results.rendering.fonts import FontFace, FontSet

__all__ = ["TEXT_LAYER_FAMILY", "Line", "Typesetter"]

#: The family name of the batch's text-layer font inside the PDF.
TEXT_LAYER_FAMILY = "TextLayer"
_UPEM = 1000
_PT_PER_MM = 72 / 25.4
_ASCII = "".join(map(chr, range(0x20, 0x7F)))
#: Characters drawn with the run they stand in rather than a font of their own.
_JOINING = frozenset(" -'.,")


@attrs.frozen
class Line:
    """One shaped line: painted glyphs and the text-layer runs over them.

    Positions are in points from the line's left end, on its baseline.
    """

    #: ``(face, glyph id, x, y)`` per painted glyph, left to right.
    glyphs: tuple[tuple[FontFace, int, float, float], ...]
    #: ``(text as stored, x, width)`` per fragment, left to right.
    runs: tuple[tuple[str, float, float], ...]
    #: The line's width in points.
    width: float


def _path(glyph_set: Any, name: str) -> str:
    """A glyph's outline as PDF path operators in font units; quadratic curves made cubic."""
    from fontTools.pens.basePen import BasePen  # type: ignore[import-untyped]

    ops: list[str] = []

    class PdfPen(BasePen):  # type: ignore[misc]  # fontTools is untyped
        def _moveTo(self, p: tuple[float, float]) -> None:  # noqa: N802  (pen protocol)
            ops.append(f"{p[0]:g} {p[1]:g} m")

        def _lineTo(self, p: tuple[float, float]) -> None:  # noqa: N802
            ops.append(f"{p[0]:g} {p[1]:g} l")

        def _curveToOne(self, a: Any, b: Any, c: Any) -> None:  # noqa: N802
            ops.append(f"{a[0]:.1f} {a[1]:.1f} {b[0]:.1f} {b[1]:.1f} {c[0]:g} {c[1]:g} c")

        def _closePath(self) -> None:  # noqa: N802
            ops.append("h")

    # BasePen turns quadratic segments into cubic ones and draws components in place.
    glyph_set[name].draw(PdfPen(glyph_set))
    return " ".join(ops)


class _Face:
    """One font's shaper, outlines and nominal advances, read once."""

    def __init__(self, face: FontFace) -> None:
        import uharfbuzz as hb  # type: ignore[import-untyped]
        from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

        self.font = TTFont(face.path, fontNumber=face.collection_index, lazy=True)
        self.glyph_set = self.font.getGlyphSet()
        self.order = self.font.getGlyphOrder()
        self.cmap = self.font.getBestCmap() or {}
        self.upem = int(self.font["head"].unitsPerEm)
        self.hb_font = hb.Font(
            hb.Face(hb.Blob.from_file_path(str(face.path)), face.collection_index)
        )
        self._outlines: dict[int, str] = {}

    def advance(self, ch: str) -> float:
        """The nominal advance of ``ch`` in thousandths of an em (0 when missing)."""
        name = self.cmap.get(ord(ch))
        if name is None:
            return 0.0
        return float(self.font["hmtx"][name][0]) * _UPEM / self.upem

    def outline(self, gid: int) -> str:
        """The glyph's outline as PDF path operators in font units ("" when blank)."""
        found = self._outlines.get(gid)
        if found is None:
            found = self._outlines[gid] = _path(self.glyph_set, self.order[gid])
        return found


def _visual_fragments(text: str) -> list[tuple[str, bool]]:
    """``text``'s runs of one embedding level, in visual order: ``(logical text, rtl)``.

    The levels are fpdf2's (Unicode's bidirectional algorithm); the runs are
    reordered by its rule L2.
    """
    runs: list[tuple[str, int]] = []
    for char in BidiParagraph(text=text).get_characters_with_embedding_level():
        level = char.embedding_level
        if runs and runs[-1][1] == level:
            runs[-1] = (runs[-1][0] + char.character, level)
        else:
            runs.append((char.character, level))
    if runs:
        odd = [level for _, level in runs if level % 2]
        for level in range(max(level for _, level in runs), min(odd, default=1) - 1, -1):
            i = 0
            while i < len(runs):
                if runs[i][1] < level:
                    i += 1
                    continue
                j = i
                while j < len(runs) and runs[j][1] >= level:
                    j += 1
                runs[i:j] = runs[i:j][::-1]
                i = j
    return [(chunk, bool(level % 2)) for chunk, level in runs]


class Typesetter:
    """Shapes, wraps and draws typed text with a :class:`FontSet`'s fonts.

    Fonts are read on first use and kept; one typesetter may serve many
    batches (not several threads at once).
    """

    def __init__(self, fonts: FontSet) -> None:
        self.fonts = fonts
        self._faces: dict[FontFace, _Face] = {}
        self._lines: dict[tuple[str, float, float], tuple[Line, ...]] = {}

    def _face(self, face: FontFace) -> _Face:
        found = self._faces.get(face)
        if found is None:
            found = self._faces[face] = _Face(face)
        return found

    def _face_of(self, ch: str, previous: FontFace | None) -> FontFace:
        # Joiners, and spaces and punctuation the run's font has, stay in the run they are
        # in, so they shape with it (HarfBuzz hides joiners a font lacks).
        if previous is not None and (
            unicodedata.category(ch) == "Cf"
            or (ch in _JOINING and ord(ch) in self._face(previous).cmap)
        ):
            return previous
        face = self.fonts.face_for(ch)
        if face is None:
            if previous is not None:
                return previous
            raise RenderError(f"no configured font can draw U+{ord(ch):04X}")
        return face

    def _runs(self, text: str) -> list[tuple[FontFace, str]]:
        """``text``'s runs of one face, in logical order."""
        runs: list[tuple[FontFace, str]] = []
        face: FontFace | None = None
        for ch in text:
            face_here = self._face_of(ch, face)
            if runs and face_here is runs[-1][0]:
                runs[-1] = (face_here, runs[-1][1] + ch)
            else:
                runs.append((face_here, ch))
            face = face_here
        return runs

    def shape(self, text: str, size: float) -> Line:
        """``text`` as one line at ``size`` points."""
        import uharfbuzz as hb

        glyphs: list[tuple[FontFace, int, float, float]] = []
        runs: list[tuple[str, float, float]] = []
        x = 0.0
        for fragment, rtl in _visual_fragments(text):
            start = x
            face_runs = self._runs(fragment)
            for face, chunk in reversed(face_runs) if rtl else face_runs:
                shaper = self._face(face)
                buffer = hb.Buffer()
                buffer.add_codepoints([ord(c) for c in chunk])
                buffer.direction = "rtl" if rtl else "ltr"
                buffer.guess_segment_properties()
                hb.shape(shaper.hb_font, buffer)
                scale = size / shaper.upem
                for info, pos in zip(buffer.glyph_infos, buffer.glyph_positions, strict=True):
                    glyphs.append(
                        (face, info.codepoint, x + pos.x_offset * scale, pos.y_offset * scale)
                    )
                    x += pos.x_advance * scale
            runs.append((fragment[::-1] if rtl else fragment, start, x - start))
        return Line(glyphs=tuple(glyphs), runs=tuple(runs), width=x)

    def lines(self, text: str, size: float, width: float) -> tuple[Line, ...]:
        """``text`` shaped at ``size`` points and wrapped at spaces to ``width`` millimetres.

        A word longer than the width is broken between characters.
        """
        key = (text, size, width)
        found = self._lines.get(key)
        if found is not None:
            return found
        limit = width * _PT_PER_MM
        out: list[Line] = []
        current = ""
        for word in text.split(" "):
            trial = f"{current} {word}" if current else word
            if not current or self.shape(trial, size).width <= limit:
                current = trial
                continue
            out.append(self.shape(current, size))
            current = word
        while current:
            line = self.shape(current, size)
            if line.width <= limit or len(current) == 1:
                out.append(line)
                break
            cut = len(current) - 1
            while cut > 1 and self.shape(current[:cut], size).width > limit:
                cut -= 1
            out.append(self.shape(current[:cut], size))
            current = current[cut:]
        found = self._lines[key] = tuple(out)
        if len(self._lines) > 4096:
            self._lines.clear()
        return found

    # -- drawing ---------------------------------------------------------------

    def add_text_layer_font(self, pdf: FPDF, texts: Iterable[str]) -> None:
        """Give ``pdf`` the batch's text-layer font: one blank glyph per character of
        ``texts`` and of printable ASCII (which labels and codes beside them use).

        Each glyph's advance is the character's nominal advance in the font
        that draws it, so an unstretched run is already about as wide as
        what it covers.
        """
        chars = sorted({ch for text in texts for ch in text} | set(_ASCII))
        advances = {}
        for ch in chars:
            face = self.fonts.face_for(ch) or self.fonts.regular
            advances[ch] = self._face(face).advance(ch)
        data = _text_layer_font(advances)
        # fpdf2's add_font() wants a file; its TTFFont reads any file object fontTools can.
        key = TEXT_LAYER_FAMILY.lower()
        pdf.fonts[key] = TTFFont(pdf, io.BytesIO(data), key, "")  # type: ignore[arg-type]

    def draw(self, pdf: FPDF, x: float, y: float, line: Line, size: float) -> None:
        """Paint ``line`` with its left end at ``x`` and baseline ``y`` (millimetres),
        and lay its invisible text over it; the current font is kept."""
        ox, oy = x * pdf.k, (pdf.h - y) * pdf.k
        # fpdf2 writes the text colour as a fill operator, lower-cased (as text() does).
        color = pdf.text_color.serialize().lower() if pdf.text_color is not None else "0 g"
        ops = ["q", color]
        for face, gid, gx, gy in line.glyphs:
            path = self._face(face).outline(gid)
            if path:
                s = size / self._face(face).upem
                ops.append(f"q {s:.5f} 0 0 {s:.5f} {ox + gx:.2f} {oy + gy:.2f} cm {path} f Q")
        ops.append("Q")
        pdf._out(" ".join(ops))
        family, style, font_size = pdf.font_family, pdf.font_style, pdf.font_size_pt
        pdf._out("q")
        pdf.set_font(TEXT_LAYER_FAMILY, "", size)
        pdf.text_mode = TextMode.INVISIBLE
        for text, rx, rwidth in line.runs:
            natural = pdf.get_string_width(text) * pdf.k
            pdf.set_stretching(100 * rwidth / natural if natural > 0 else 100)
            pdf.text(x + rx / pdf.k, y, text)
        pdf.set_stretching(100)
        pdf.text_mode = TextMode.FILL
        pdf.set_font(family, style, font_size)
        pdf._out("Q")


def _text_layer_font(advances: dict[str, float]) -> bytes:
    """A TrueType font with one blank glyph per character, advances as given."""
    from fontTools.fontBuilder import FontBuilder  # type: ignore[import-untyped]
    from fontTools.pens.ttGlyphPen import TTGlyphPen  # type: ignore[import-untyped]

    names = {ch: f"u{ord(ch):04X}" for ch in advances}
    order = [".notdef", *names.values()]
    builder = FontBuilder(_UPEM, isTTF=True)
    builder.setupGlyphOrder(order)
    builder.setupCharacterMap({ord(ch): name for ch, name in names.items()})
    blank = TTGlyphPen(None).glyph()
    builder.setupGlyf(dict.fromkeys(order, blank))
    metrics = {".notdef": (500, 0)}
    metrics.update({names[ch]: (round(a), 0) for ch, a in advances.items()})
    builder.setupHorizontalMetrics(metrics)
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": TEXT_LAYER_FAMILY, "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=800, sTypoDescender=-200, usWinAscent=800, usWinDescent=200)
    builder.setupPost(keepGlyphNames=False)
    builder.updateHead(created=0x7C25B080, modified=0x7C25B080)
    out = io.BytesIO()
    builder.save(out)
    return out.getvalue()
