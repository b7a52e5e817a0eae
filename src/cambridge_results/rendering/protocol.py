"""What a letter renderer is given and what it must do (CRW-09, CRW-10, CRW-13).

A renderer turns a batch of :class:`LetterData` into one PDF with a page per
letter, in order.  Splitting into one PDF per candidate, the zip, streaming
and progress are the renderer-independent part
(:mod:`cambridge_results.rendering.output`).  Third-party renderers register
under the ``cambridge_results.renderers`` entry-point group.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from typing import Protocol, runtime_checkable

import attrs
import pendulum

from cambridge_results._checks import instance
from cambridge_results.credentials import Secret
from cambridge_results.errors import InvalidValue
from cambridge_results.values import (
    CandidateNumber,
    CentreNumber,
    ContactDetails,
    Delay,
    ExamSeries,
)
from cambridge_results.values._text import human_text
from cambridge_results.values.identifiers import as_candidate_number, as_centre_number
from cambridge_results.values.series import as_series

__all__ = ["LetterData", "LetterRenderer"]

#: Given and family name of up to 100 characters each, and the space between.
MAX_CANDIDATE_NAME = 201
_USERNAME = re.compile(r"[!-~]{1,64}", re.ASCII)


def _candidate_name(value: object) -> str:
    return human_text(value, "candidate_name", max_length=MAX_CANDIDATE_NAME, rule="CRW-09")


def _centre_name(value: object) -> str | None:
    return None if value is None else human_text(value, "centre_name", max_length=100)


def _check_username(_: object, __: object, value: str) -> None:
    if not isinstance(value, str) or _USERNAME.fullmatch(value) is None:
        raise InvalidValue("username", "must be 1 to 64 printable ASCII characters", rule="CRW-12")


def _check_password(_: object, __: object, value: Secret) -> None:
    if not isinstance(value, Secret):
        raise InvalidValue("password", "must be a Secret (CRW-13)", rule="CRW-13")


def _check_instant(_: object, __: object, value: pendulum.DateTime) -> None:
    if not isinstance(value, pendulum.DateTime) or value.tzinfo is None:
        raise InvalidValue("visible_from", "must be a timezone-aware pendulum DateTime")


@functools.lru_cache(maxsize=64)
def _is_timezone(name: str) -> bool:
    # pendulum reads the zone's file on every call; a bulk run asks about one zone
    # for every letter.
    try:
        pendulum.timezone(name)
    except Exception:  # pendulum raises several types for bad names
        return False
    return True


def _check_timezone(_: object, __: object, value: str) -> None:
    if not _is_timezone(str(value)):
        raise InvalidValue("timezone", f"{value!r} is not an IANA time zone")


@attrs.frozen(kw_only=True)
class LetterData:
    """Everything one "Confidential examination results information" letter shows (CRW-09).

    ``visible_from`` is the release time plus any delay
    (:func:`~cambridge_results.rules.website.release.results_visible_from`); it is
    printed in ``timezone``.  ``password`` is a :class:`Secret`: this value
    never shows it in ``repr`` and cannot be pickled (CRW-13).
    """

    centre: CentreNumber = attrs.field(converter=as_centre_number)
    series: ExamSeries = attrs.field(converter=as_series)
    candidate_number: CandidateNumber = attrs.field(converter=as_candidate_number)
    candidate_name: str = attrs.field(converter=_candidate_name)
    username: str = attrs.field(validator=_check_username)
    password: Secret = attrs.field(validator=_check_password, repr=False)
    contact: ContactDetails = attrs.field(validator=instance("contact", ContactDetails))
    visible_from: pendulum.DateTime = attrs.field(validator=_check_instant)
    delay: Delay = attrs.field(factory=Delay, validator=instance("delay", Delay))
    timezone: str = attrs.field(default="Europe/London", validator=_check_timezone)
    centre_name: str | None = attrs.field(default=None, converter=_centre_name)

    @property
    def letter_id(self) -> str:
        """The internal identifier, e.g. ``GB123_2026-06_0713``: no name, no secret."""
        return f"{self.centre}_{self.series.code}_{self.candidate_number}"

    @property
    def file_name(self) -> str:
        """The letter's own PDF name inside the zip (SPEC section 5: internal identifiers)."""
        return f"{self.letter_id}.pdf"

    @property
    def human_texts(self) -> dict[str, str]:
        """The fields people typed, in any script: what fonts must be able to draw."""
        texts = {"candidate_name": self.candidate_name, "contact.name": self.contact.name}
        if self.centre_name is not None:
            texts["centre_name"] = self.centre_name
        return texts


@runtime_checkable
class LetterRenderer(Protocol):
    """Renders letters to PDF.  Implementations must write no plaintext password anywhere
    but the page itself: not in metadata, file names, logs or exceptions (CRW-13)."""

    #: The registry name, e.g. ``"fpdf2"``.
    name: str

    def check(self, letters: Iterable[LetterData]) -> None:
        """Raise :class:`~cambridge_results.rendering.fonts.UnrenderableText` if any text
        cannot be drawn; draws nothing."""
        ...

    def render(self, letters: Sequence[LetterData], *, created: pendulum.DateTime) -> bytes:
        """One PDF with a page per letter, in order, created at ``created``.

        Checks every letter before drawing any, so an error leaves no output.
        """
        ...
