"""What every fpdf2 document of ours shares: chosen metadata and the fonts it embeds.

The letter, statement and enquiry-letter renderers each lay pages out their
own way, but all describe the document the same way (no names of people, a
pinned creation date: CRW-13) and register the bundled fonts plus the
fallbacks the batch needs in the same order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from fpdf import FPDF

from cambridge_results.rendering.fonts import FontFace, FontSet

__all__ = ["add_fonts", "describe"]


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
    if fallbacks:
        pdf.set_fallback_fonts([f.family for f in fallbacks], exact_match=False)
