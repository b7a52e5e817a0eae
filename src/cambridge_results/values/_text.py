"""Shared checks for text fields: type, NFC, refused characters, length.

Why a module of its own: names, notes and contact names all need the same
answer to "which characters may a person type here?" (docs/rules.md, section 5).
"""

from __future__ import annotations

import re
import unicodedata

from cambridge_results.errors import InvalidValue

# Bidi embeddings, overrides, isolates and marks (incl. ALM): they can make a
# name display as something else, so they are refused (SPEC section 5).
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
# Zero-width (non-)joiners are format characters that Arabic and Indic names
# legitimately need, so they are the only format characters accepted.
_ALLOWED_FORMAT = frozenset("\u200c\u200d")
# Control, surrogate, private-use, unassigned, line/paragraph separators.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cs", "Co", "Cn", "Zl", "Zp"})


def require_str(value: object, field: str) -> str:
    """Return ``value`` if it is a ``str``, else raise :class:`InvalidValue`."""
    if not isinstance(value, str):
        raise InvalidValue(field, f"must be text, not {type(value).__name__}")
    return value


def human_text(value: object, field: str, *, max_length: int, rule: str | None = None) -> str:
    """Validate text a person typed (a name, a note) and return it in NFC.

    Letters of every script are accepted; control, bidi and invisible format
    characters are refused, as are blank text and surrounding white space.
    """
    text = unicodedata.normalize("NFC", require_str(value, field))
    if not text.strip():
        raise InvalidValue(field, "must not be empty", rule=rule)
    if text != text.strip():
        raise InvalidValue(field, "must not start or end with white space", rule=rule)
    if len(text) > max_length:
        raise InvalidValue(field, f"must be at most {max_length} characters", rule=rule)
    for ch in text:
        category = unicodedata.category(ch)
        refused = (
            ch in _BIDI_CONTROLS
            or category in _REFUSED_CATEGORIES
            or (category == "Cf" and ch not in _ALLOWED_FORMAT)
            or (category == "Zs" and ch != " ")
        )
        if refused:
            raise InvalidValue(
                field,
                f"must not contain the character U+{ord(ch):04X} ({category})",
                rule=rule,
            )
    return text


def ascii_pattern(
    value: object,
    field: str,
    pattern: re.Pattern[str],
    description: str,
    *,
    rule: str | None = None,
    upper: bool = False,
) -> str:
    """Match an identifier against an ASCII-only pattern (full match, no trimming)."""
    text = require_str(value, field)
    if not text.isascii():
        raise InvalidValue(field, f"must be {description} in ASCII characters", rule=rule)
    if upper:
        text = text.upper()
    if pattern.fullmatch(text) is None:
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise InvalidValue(field, f"{shown!r} is not {description}", rule=rule)
    return text
