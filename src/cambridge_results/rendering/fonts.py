"""Fonts for letters: a bundled Unicode set, configurable fallbacks, and a coverage check.

Bundled (SIL Open Font License 1.1, see ``fonts/OFL.txt``): Noto Sans
regular and bold (Latin, Greek, Cyrillic), Noto Sans Arabic, Noto Sans
Devanagari and Noto Sans Hebrew, and Noto Sans Mono bold for usernames and
passwords (every character of the credential alphabet told apart), about
2 MB.  Other scripts (CJK, Thai,
Bengali, ...) come from fallback fonts the application configures, e.g.
``FontFace.file("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
family="NotoSansCJK")``.

:meth:`FontSet.check` answers "can every character be drawn?" from the
fonts' character maps before anything is drawn, so a name no configured
font can draw is an :class:`UnrenderableText` error and no output is written
(SPEC section 5).  A character is drawn with the regular font if it has it,
else with the first fallback that has it, as fpdf2 does.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from cambridge_results.errors import RenderError

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "BUNDLED_DIR",
    "FontFace",
    "FontSet",
    "UnrenderableText",
]

#: Where the bundled fonts and their licence live.
BUNDLED_DIR = Path(__file__).parent / "fonts"
_RTL = frozenset({"R", "AL", "AN"})
#: Texts whose plainness is kept (then forgotten all at once): a few batches' worth.
_TEXTS_KEPT = 4096
_FAMILY = re.compile(r"[A-Za-z][A-Za-z0-9]{0,39}", re.ASCII)


class UnrenderableText(RenderError):
    """Some text has characters no configured font can draw; nothing was written.

    ``problems`` lists ``(letter, field, code points)``.  The message names
    code points, never the text itself (names are personal data and messages
    end up in logs).
    """

    rule = "CRW-09"

    def __init__(self, problems: Sequence[tuple[str, str, tuple[str, ...]]]) -> None:
        self.problems = tuple(problems)
        shown = "; ".join(
            f"{field} of letter {letter}: {', '.join(points)}"
            for letter, field, points in self.problems[:5]
        )
        more = f" (and {len(self.problems) - 5} more)" if len(self.problems) > 5 else ""
        super().__init__(
            f"no configured font can draw {shown}{more}; configure a fallback font that has "
            "these characters (e.g. Noto Sans CJK for Chinese, Japanese and Korean)"
        )


def _family(_: object, __: object, value: str) -> None:
    if not isinstance(value, str) or _FAMILY.fullmatch(value) is None:
        raise RenderError(f"font family {value!r} must be letters and digits, like NotoSansCJK")


@attrs.frozen(kw_only=True)
class FontFace:
    """One font file (a face of a collection for ``.ttc``) under a family name."""

    family: str = attrs.field(validator=_family)
    path: Path = attrs.field(converter=Path)
    #: ``""`` for regular, ``"B"`` for bold.
    style: str = attrs.field(default="", validator=attrs.validators.in_(("", "B")))
    #: The face number inside a TrueType/OpenType collection (``.ttc``).
    collection_index: int = 0

    @classmethod
    def file(cls, path: str | Path, *, family: str, collection_index: int = 0) -> FontFace:
        """A regular face from a font file, checked to exist."""
        face = cls(family=family, path=Path(path), collection_index=collection_index)
        if not face.path.is_file():
            raise RenderError(f"font file {face.path} does not exist")
        return face


def _bundled(name: str, family: str, style: str = "") -> FontFace:
    return FontFace(family=family, path=BUNDLED_DIR / name, style=style)


#: The bundled faces: regular and bold text, then the scripts needing shaping.
REGULAR = _bundled("NotoSans-Regular.ttf", "NotoSans")
BOLD = _bundled("NotoSans-Bold.ttf", "NotoSans", "B")
#: The face of generated usernames and passwords: monospaced, so v/w and rn/m differ.
MONO_BOLD = _bundled("NotoSansMono-Bold.ttf", "NotoSansMono", "B")
BUNDLED_FALLBACKS = (
    _bundled("NotoSansArabic-Regular.ttf", "NotoSansArabic"),
    _bundled("NotoSansDevanagari-Regular.ttf", "NotoSansDevanagari"),
    _bundled("NotoSansHebrew-Regular.ttf", "NotoSansHebrew"),
)


def _read_cmap(face: FontFace) -> frozenset[int]:
    # fontTools comes with fpdf2 and ships no type information.
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    try:
        font = TTFont(face.path, fontNumber=face.collection_index, lazy=True)
        try:
            cmap = font.getBestCmap() or {}
            return frozenset(cmap)
        finally:
            font.close()
    except Exception as exc:  # fontTools raises many types for unreadable files
        raise RenderError(f"cannot read font {face.path}: {exc}") from exc


def _always_drawable(ch: str) -> bool:
    # Format characters (ZWJ, ZWNJ) steer shaping and draw nothing themselves.
    return unicodedata.category(ch) == "Cf"


class FontSet:
    """The bundled fonts plus configured fallbacks, and what they can draw.

    Character maps are read once per font and kept; a :class:`FontSet` is
    safe to share between renderers and threads once built.
    """

    def __init__(self, fallbacks: Iterable[FontFace] = ()) -> None:
        extra = tuple(fallbacks)
        for face in extra:
            if not isinstance(face, FontFace):
                raise RenderError("fallbacks must be FontFace values")
            if not face.path.is_file():
                raise RenderError(f"fallback font {face.path} does not exist")
        families = [f.family for f in (*BUNDLED_FALLBACKS, *extra)]
        reserved = (REGULAR.family, MONO_BOLD.family)
        if len(set(families)) != len(families) or any(f in families for f in reserved):
            raise RenderError(f"font families must be unique: {families}")
        self.regular = REGULAR
        self.bold = BOLD
        self.mono_bold = MONO_BOLD
        self.fallbacks: tuple[FontFace, ...] = (*BUNDLED_FALLBACKS, *extra)
        self._cmaps: dict[FontFace, frozenset[int]] = {}
        # Per character, since names repeat their letters: bulk runs ask about
        # every character of every name twice (planning, then rendering).
        self._faces: dict[str, FontFace | None] = {}
        self._plain: dict[str, bool] = {}
        # And per text: a batch repeats its centre's contact lines and names on every
        # letter, each asked about when checked and again when drawn.
        self._plain_texts: dict[str, bool] = {}

    def _cmap(self, face: FontFace) -> frozenset[int]:
        cmap = self._cmaps.get(face)
        if cmap is None:
            cmap = _read_cmap(face)
            self._cmaps[face] = cmap
        return cmap

    def face_for(self, ch: str) -> FontFace | None:
        """The face that draws ``ch``: the regular one, else the first fallback with it."""
        try:
            return self._faces[ch]
        except KeyError:
            pass
        code = ord(ch)
        found = next((f for f in (self.regular, *self.fallbacks) if code in self._cmap(f)), None)
        self._faces[ch] = found
        return found

    def plain(self, text: str) -> bool:
        """True when the regular font draws ``text`` one character after another.

        That is: it has every character, none is right-to-left and none is
        a combining mark, so no shaping or fallback is needed.
        """
        known = self._plain_texts.get(text)
        if known is None:
            known = all(self._plain_char(ch) for ch in text)
            if len(self._plain_texts) >= _TEXTS_KEPT:  # names are many; the rest repeat
                self._plain_texts.clear()
            self._plain_texts[text] = known
        return known

    def _plain_char(self, ch: str) -> bool:
        known = self._plain.get(ch)
        if known is None:
            known = (
                ord(ch) in self._cmap(self.regular)
                and unicodedata.bidirectional(ch) not in _RTL
                and not unicodedata.category(ch).startswith("M")
            )
            self._plain[ch] = known
        return known

    def missing(self, text: str) -> tuple[str, ...]:
        """The code points (``"U+4E2D"``) in ``text`` that no font here can draw."""
        if self.plain(text):  # the regular font draws every character
            return ()
        seen: dict[str, None] = {}
        for ch in text:
            if self.face_for(ch) is None and not _always_drawable(ch):
                seen[f"U+{ord(ch):04X}"] = None
        return tuple(seen)

    def fallbacks_for(self, texts: Iterable[str]) -> tuple[FontFace, ...]:
        """The fallback faces needed to draw ``texts``, in fallback order.

        Only these are embedded, so a batch without CJK names does not carry
        (or pay to subset) a CJK font.
        """
        needed: set[FontFace] = set()
        for text in texts:
            for ch in set(text):
                face = self.face_for(ch)
                if face is not None and face is not self.regular:
                    needed.add(face)
        return tuple(f for f in self.fallbacks if f in needed)

    def check(self, fields: Iterable[tuple[str, Mapping[str, str]]]) -> None:
        """Raise :class:`UnrenderableText` for every ``(letter, {field: text})`` with gaps."""
        problems = [
            (letter, name, points)
            for letter, texts in fields
            for name, text in texts.items()
            if (points := self.missing(text))
        ]
        if problems:
            raise UnrenderableText(problems)
