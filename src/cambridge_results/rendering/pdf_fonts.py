"""Smaller shared streams for single-letter PDFs (issue 13, item 2).

A batch's font subsets cover every glyph of the batch, so a letter split
from it carries more glyphs than the same letter rendered alone.  Cutting
each single's fonts to its own glyphs costs fontTools about 15 ms a font,
more than hashing the letter's password, so the singles make up for the
extra glyphs another way, once per batch: font programs lose what no PDF
viewer needs from an embedded TrueType font (the ``name`` table; PDF 1.7,
9.9 lists what it needs) and their hinting (the programs that snap outlines
to a screen's pixels: a third to a half of a subset's bytes, of no use on
paper, and which poppler and most viewers do not run by default), and are
compressed at zlib's best level; streams left uncompressed (fpdf2's
ToUnicode maps) are compressed.  Outlines, metrics and glyph numbers are
unchanged, so the pages look the same.  This costs fontTools about 20 ms
for a font of 90 glyphs, once per batch (docs/performance.md).
"""

from __future__ import annotations

import io
import zlib
from typing import Any

from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from pypdf.generic import NameObject, NumberObject, StreamObject

__all__ = ["UNREAD_TABLES", "StreamData", "smaller"]

#: A stream's new entries (without /Length) and data, or None to keep it as it is.
StreamData = tuple[dict[NameObject, Any], bytes] | None

#: TrueType tables a PDF viewer does not read from an embedded font program, or that
#: only hinting reads.
UNREAD_TABLES = ("name", "gasp", "fpgm", "prep", "cvt ", "hdmx", "LTSH", "VDMX")

#: Uncompressed streams shorter than this are left alone: compressing gains too little.
_WORTH_COMPRESSING = 256


def _font_program(stream: StreamObject) -> bytes | None:
    try:
        # fontTools stamps a saved font with the clock unless told not to, and a
        # letter's bytes must depend only on its input (CRW-13: reproducible runs).
        font = TTFont(io.BytesIO(stream.get_data()), recalcTimestamp=False)
        if "glyf" not in font:
            return None
        glyphs = font["glyf"]
        for name in font.getGlyphOrder():
            glyphs[name].removeHinting()
        for tag in UNREAD_TABLES:
            if tag in font:
                del font[tag]
        out = io.BytesIO()
        font.save(out)
    except Exception:
        # Not data pypdf can decode or a font fontTools can read: keep it as it is.
        return None
    return out.getvalue()


def smaller(stream: Any, *, font: bool) -> StreamData:
    """``stream`` smaller, if that is worth doing; ``font`` says it is a TrueType program."""
    if not isinstance(stream, StreamObject):
        return None
    filters = stream.get("/Filter")
    entries = {k: v for k, v in stream.items() if k not in ("/Length", "/Filter", "/DecodeParms")}
    if font and filters in (None, "/FlateDecode") and "/DecodeParms" not in stream:
        program = _font_program(stream)
        if program is not None:
            entries[NameObject("/Length1")] = NumberObject(len(program))
            entries[NameObject("/Filter")] = NameObject("/FlateDecode")
            return entries, zlib.compress(program, 9)
    if filters is None and len(stream._data) >= _WORTH_COMPRESSING:
        entries[NameObject("/Filter")] = NameObject("/FlateDecode")
        return entries, zlib.compress(stream._data, 9)
    return None
