"""Identifiers: centre, candidate, UCI, syllabus and component codes.

Each is a frozen wrapper around a validated ASCII string, so an invalid
identifier can never exist inside the library.  Constructors accept an
instance of the same type too, which lets attrs fields convert from text.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Self

import attrs

from cambridge_results.values._text import ascii_pattern

__all__ = [
    "UCI",
    "CandidateNumber",
    "CentreNumber",
    "ComponentCode",
    "SyllabusCode",
    "as_candidate_number",
    "as_centre_number",
    "as_component_code",
    "as_syllabus_code",
    "as_uci",
]


#: Identifiers parsed from text, by class, then by text (validating one costs
#: several times a look-up, and the same few are parsed over and over).
_PARSED: dict[type, dict[str, Any]] = {}
_PARSED_LIMIT = 16384


class _Identifier:
    """Shared behaviour: ``parse`` from text or an instance, ``str`` is the value."""

    value: str

    if TYPE_CHECKING:

        def __init__(self, value: str) -> None: ...

    @classmethod
    def parse(cls, value: Any) -> Self:
        """Return ``value`` if it is already one, else validate it as text."""
        if type(value) is str:
            # Identifiers are frozen: one parsed from the same text is the same value.
            parsed = _PARSED.get(cls)
            if parsed is None:
                parsed = _PARSED[cls] = {}
            found = parsed.get(value)
            if found is None:
                found = cls(value=value)
                if len(parsed) >= _PARSED_LIMIT:
                    parsed.clear()
                parsed[value] = found
            return found
        if isinstance(value, cls):
            return value
        return cls(value=value)

    def __str__(self) -> str:
        return self.value


_CENTRE = re.compile(r"[A-Z]{2}[0-9]{3}", re.ASCII)


def _centre(value: object) -> str:
    return ascii_pattern(value, "centre_number", _CENTRE, "a centre number like GB123", upper=True)


@attrs.frozen(order=True, cache_hash=True)
class CentreNumber(_Identifier):
    """A centre's number: two letters and three digits, e.g. ``GB123``.

    Cambridge Associates have centre numbers too.  Lower-case letters are
    accepted and upper-cased (docs/decisions.md).
    """

    value: str = attrs.field(converter=_centre)


_CANDIDATE = re.compile(r"[0-9]{1,4}", re.ASCII)


def _candidate_number(value: object) -> str:
    text = ascii_pattern(
        value,
        "candidate_number",
        _CANDIDATE,
        "a candidate number of four digits (leading zeros may be left out)",
        rule="EAR-12",
    )
    return text.zfill(4)


@attrs.frozen(order=True, cache_hash=True)
class CandidateNumber(_Identifier):
    """A candidate's four-digit number within a centre.

    ``713`` is accepted for ``0713`` (EAR-12); anything but ASCII digits,
    including full-width and Arabic-Indic digits and white space, is refused.
    """

    value: str = attrs.field(converter=_candidate_number)


_UCI = re.compile(r"[A-Z]{2}[0-9]{10}[A-Z]", re.ASCII)


def _uci(value: object) -> str:
    return ascii_pattern(value, "uci", _UCI, "a 13-character UCI like GB1232600713A", upper=True)


@attrs.frozen(order=True, cache_hash=True)
class UCI(_Identifier):
    """A Unique Candidate Identifier: 13 characters, e.g. ``GB1232600713A``.

    Two letters and three digits of the centre, two of the year, one
    reserved digit, the four-digit candidate number and a check letter.
    """

    value: str = attrs.field(converter=_uci)


_SYLLABUS = re.compile(r"[0-9]{4}", re.ASCII)


def _syllabus(value: object) -> str:
    return ascii_pattern(value, "syllabus_code", _SYLLABUS, "a four-digit syllabus code like 0580")


@attrs.frozen(order=True, cache_hash=True)
class SyllabusCode(_Identifier):
    """A syllabus code: four digits, e.g. ``0580``."""

    value: str = attrs.field(converter=_syllabus)


_COMPONENT = re.compile(r"[0-9]{2}", re.ASCII)


def _component(value: object) -> str:
    return ascii_pattern(value, "component_code", _COMPONENT, "a two-digit component code like 12")


@attrs.frozen(order=True, cache_hash=True)
class ComponentCode(_Identifier):
    """A component code within a syllabus: two digits, e.g. ``12``."""

    value: str = attrs.field(converter=_component)


def as_centre_number(value: object) -> CentreNumber:
    """Converter for attrs fields: a :class:`CentreNumber` from text or itself."""
    return CentreNumber.parse(value)


def as_candidate_number(value: object) -> CandidateNumber:
    """Converter for attrs fields: a :class:`CandidateNumber` from text or itself."""
    return CandidateNumber.parse(value)


def as_uci(value: object) -> UCI:
    """Converter for attrs fields: a :class:`UCI` from text or itself."""
    return UCI.parse(value)


def as_syllabus_code(value: object) -> SyllabusCode:
    """Converter for attrs fields: a :class:`SyllabusCode` from text or itself."""
    return SyllabusCode.parse(value)


def as_component_code(value: object) -> ComponentCode:
    """Converter for attrs fields: a :class:`ComponentCode` from text or itself."""
    return ComponentCode.parse(value)
