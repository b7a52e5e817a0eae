"""PDF letters for the candidate results website (CRW-09, CRW-10, CRW-13).

:class:`LetterData` is what a letter shows; a :class:`LetterRenderer` draws
a batch of them (fpdf2 by default, others through the
``cambridge_results.renderers`` entry-point group, see :func:`load_renderer`);
:func:`write_letters` streams any number of letters into one combined PDF
and a zip of one PDF per candidate.  Statements of results with a graphical
profile (LOG-10) are :class:`StatementData` drawn by a
:class:`StatementRenderer` (``fpdf_statements.FpdfStatementRenderer``).
"""

from cambridge_results.rendering.fonts import FontFace, FontSet, UnrenderableText
from cambridge_results.rendering.output import LettersWritten, Progress, write_letters
from cambridge_results.rendering.protocol import LetterData, LetterRenderer
from cambridge_results.rendering.registry import available_renderers, load_renderer
from cambridge_results.rendering.statement import (
    CAMBRIDGE_ENGLISH_SCALE,
    ScaleBand,
    ScoreScale,
    SkillScore,
    StatementData,
    StatementRenderer,
)

__all__ = [
    "CAMBRIDGE_ENGLISH_SCALE",
    "FontFace",
    "FontSet",
    "LetterData",
    "LetterRenderer",
    "LettersWritten",
    "Progress",
    "ScaleBand",
    "ScoreScale",
    "SkillScore",
    "StatementData",
    "StatementRenderer",
    "UnrenderableText",
    "available_renderers",
    "load_renderer",
    "write_letters",
]
