"""What an enquiry letter renderer is given and what it must do (EAR-09, EAR-10).

An :class:`EnquiryLetter` is laid-out-agnostic content: a title, labelled
details, and sections of paragraphs and tables, all as text.  What the
acknowledgement and outcome letters say is decided by
:mod:`cambridge_results.enquiries.letters` (pure); an
:class:`EnquiryLetterRenderer` only draws it (fpdf2 by default,
:class:`~cambridge_results.rendering.fpdf_enquiry_letters.FpdfEnquiryLetterRenderer`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Protocol, runtime_checkable

import attrs
import pendulum

from cambridge_results.errors import InvalidValue
from cambridge_results.values._text import ascii_pattern

__all__ = [
    "EnquiryLetter",
    "EnquiryLetterRenderer",
    "LetterSection",
    "LetterTable",
]

MAX_TEXT = 2000
_LETTER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,79}", re.ASCII)


def _texts(values: Iterable[object], field: str) -> tuple[str, ...]:
    out: list[str] = []
    for text in values:
        if not isinstance(text, str) or len(text) > MAX_TEXT:
            raise InvalidValue(field, f"must be text of at most {MAX_TEXT} characters")
        out.append(text)
    return tuple(out)


def _row_texts(values: Iterable[Iterable[object]]) -> tuple[tuple[str, ...], ...]:
    return tuple(_texts(row, "table.rows") for row in values)


def _header(values: Iterable[object]) -> tuple[str, ...]:
    return _texts(values, "table.header")


def _paragraphs(values: Iterable[object]) -> tuple[str, ...]:
    return _texts(values, "section.paragraphs")


@attrs.frozen(kw_only=True)
class LetterTable:
    """A table: a header row and rows of the same width."""

    header: tuple[str, ...] = attrs.field(converter=_header)
    rows: tuple[tuple[str, ...], ...] = attrs.field(converter=_row_texts)

    def __attrs_post_init__(self) -> None:
        if not self.header or any(len(r) != len(self.header) for r in self.rows):
            raise InvalidValue("table.rows", "every row has as many cells as the header")


@attrs.frozen(kw_only=True)
class LetterSection:
    """A heading followed by paragraphs, then an optional table."""

    heading: str
    paragraphs: tuple[str, ...] = attrs.field(default=(), converter=_paragraphs)
    table: LetterTable | None = None


def _details(values: Iterable[tuple[object, object]]) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for label, value in values:
        (checked,) = _texts((value,), "letter.details")
        out.append((str(label), checked))
    return tuple(out)


def _sections(values: Iterable[LetterSection]) -> tuple[LetterSection, ...]:
    out = tuple(values)
    if not all(isinstance(s, LetterSection) for s in out):
        raise InvalidValue("letter.sections", "must be LetterSection values")
    return out


def _letter_id(value: object) -> str:
    return ascii_pattern(value, "letter.letter_id", _LETTER_ID, "an id like E23-000001-Ack")


def _check_instant(_: object, __: object, value: pendulum.DateTime) -> None:
    if not isinstance(value, pendulum.DateTime) or value.tzinfo is None:
        raise InvalidValue("letter.issued_at", "must be a timezone-aware pendulum DateTime")


@attrs.frozen(kw_only=True)
class EnquiryLetter:
    """One enquiry letter (acknowledgement or outcome), ready to draw.

    ``letter_id`` is an internal identifier (the enquiry number and the
    document kind): it names files and the footer, never a person.
    ``issued_at`` is printed in ``timezone`` and pins the PDF's date.
    """

    letter_id: str = attrs.field(converter=_letter_id)
    title: str
    subtitle: str
    details: tuple[tuple[str, str], ...] = attrs.field(converter=_details)
    sections: tuple[LetterSection, ...] = attrs.field(converter=_sections)
    issued_at: pendulum.DateTime = attrs.field(validator=_check_instant)
    timezone: str = "Europe/London"

    def texts(self) -> Iterator[tuple[str, str]]:
        """Every text on the letter as ``(where, text)``: what the fonts must draw."""
        yield "title", self.title
        yield "subtitle", self.subtitle
        for label, value in self.details:
            yield label, label
            yield label, value
        for section in self.sections:
            yield section.heading, section.heading
            for paragraph in section.paragraphs:
                yield section.heading, paragraph
            if section.table is not None:
                for cell in section.table.header:
                    yield section.heading, cell
                for row in section.table.rows:
                    for cell in row:
                        yield section.heading, cell

    @property
    def text(self) -> str:
        """All the letter's text, one item a line (what a reader of the PDF should find)."""
        return "\n".join(t for _, t in self.texts())


@runtime_checkable
class EnquiryLetterRenderer(Protocol):
    """Draws enquiry letters as PDF."""

    #: The renderer's name, e.g. ``"fpdf2"``.
    name: str

    def check(self, letter: EnquiryLetter) -> None:
        """Raise :class:`~cambridge_results.rendering.fonts.UnrenderableText` if any text
        cannot be drawn; draws nothing."""
        ...

    def render(self, letter: EnquiryLetter) -> bytes:
        """The letter as one PDF, dated ``letter.issued_at``; checked before anything is drawn."""
        ...
