"""What every fpdf2 document of ours shares: chosen metadata and the fonts it embeds.

The letter, statement and enquiry-letter renderers each lay pages out their
own way, but all describe the document the same way (no names of people, a
pinned creation date: CRW-13) and register the bundled fonts plus the
fallbacks the batch needs in the same order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pendulum
from fpdf import FPDF

from cambridge_results.errors import RenderError
from cambridge_results.rendering.fonts import FontFace, FontSet

__all__ = ["add_fonts", "check_created", "describe", "placed_document"]

#: OpenType layout tables fpdf2 leaves out of every embedded subset (PDF text is
#: already shaped glyphs).  fontTools' subsetter reads them in full before dropping
#: them, which cost a batch more than half of its font subsetting.
LAYOUT_TABLES = ("GDEF", "GSUB", "GPOS")


def describe(pdf: FPDF, *, title: str, subject: str, created: dt.datetime) -> None:
    """Set the document's metadata: chosen, not defaulted, with ``created`` as its date."""
    pdf.set_title(title)
    pdf.set_subject(subject)
    pdf.set_creator("cambridge_results")
    pdf.set_lang("en-GB")
    pdf.set_creation_date(dt.datetime.fromtimestamp(created.timestamp(), tz=dt.UTC))


def add_fonts(pdf: FPDF, fonts: FontSet, fallbacks: Sequence[FontFace]) -> None:
    """Register the regular and bold faces, then ``fallbacks`` as fallback fonts."""
    for face in (fonts.regular, fonts.bold, *fallbacks):
        pdf.add_font(
            face.family,
            face.style,
            str(face.path),
            collection_font_number=face.collection_index,
        )
    for font in pdf.fonts.values():
        _drop_layout_tables(font)
    if fallbacks:
        pdf.set_fallback_fonts([f.family for f in fallbacks], exact_match=False)


def _drop_layout_tables(font: object) -> None:
    """Forget the layout tables of a font's in-memory copy before fpdf2 subsets it.

    The embedded subset is byte for byte the same (fpdf2 drops these tables
    itself).  Shaping is unaffected: HarfBuzz reads an uncompressed font from
    its file; a WOFF font is shaped from this copy, so it keeps its tables.
    """
    ttfont = getattr(font, "ttfont", None)
    if ttfont is None or getattr(font, "is_compressed", True):
        return
    for tag in LAYOUT_TABLES:
        if tag in ttfont:
            del ttfont[tag]


def check_created(created: object) -> None:
    """Refuse a batch date that is not a timezone-aware pendulum DateTime."""
    if not isinstance(created, pendulum.DateTime) or created.tzinfo is None:
        raise RenderError("created must be a timezone-aware pendulum DateTime")


def placed_document(
    fonts: FontSet,
    fallbacks: Sequence[FontFace],
    *,
    title: str,
    subject: str,
    created: dt.datetime,
    margin: float,
) -> FPDF:
    """An A4 document for pages whose text is placed by hand: no automatic page breaks,
    text shaping off until a caller switches it on around text that needs it."""
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    describe(pdf, title=title, subject=subject, created=created)
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(margin, 15, margin)
    add_fonts(pdf, fonts, fallbacks)
    pdf.set_text_shaping(False)
    return pdf
