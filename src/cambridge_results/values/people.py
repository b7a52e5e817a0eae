"""Centres, Cambridge Associates and candidates."""

from __future__ import annotations

import attrs

from cambridge_results.errors import InvalidValue
from cambridge_results.values._text import human_text
from cambridge_results.values.contact import ContactDetails
from cambridge_results.values.identifiers import (
    UCI,
    CandidateNumber,
    CentreNumber,
    as_candidate_number,
    as_centre_number,
)

__all__ = ["Associate", "Candidate", "Centre", "printed_name"]

MAX_NAME = 100


def printed_name(given_name: str, family_name: str) -> str:
    """A candidate's name as letters print it: given name then family name."""
    return f"{given_name} {family_name}"


def _associate_name(value: object) -> str:
    return human_text(value, "associate.name", max_length=MAX_NAME)


def _centre_name(value: object) -> str:
    return human_text(value, "centre.name", max_length=MAX_NAME)


def _given_name(value: object) -> str:
    return human_text(value, "candidate.given_name", max_length=MAX_NAME)


def _family_name(value: object) -> str:
    return human_text(value, "candidate.family_name", max_length=MAX_NAME)


def _optional_contact(
    instance: object,
    attribute: attrs.Attribute[ContactDetails | None],
    value: ContactDetails | None,
) -> None:
    if value is not None and not isinstance(value, ContactDetails):
        field = f"{type(instance).__name__.lower()}.{attribute.name}"
        raise InvalidValue(field, "must be ContactDetails or None")


@attrs.frozen(kw_only=True)
class Associate:
    """A Cambridge Associate: administers Associate Centres (ASC-01)."""

    number: CentreNumber = attrs.field(converter=as_centre_number)
    name: str = attrs.field(converter=_associate_name)
    #: The Associate's default contact details, used when an Associate
    #: Centre's contact is "Default" (ASC-05).
    contact: ContactDetails | None = attrs.field(default=None, validator=_optional_contact)


def _optional_centre(value: object) -> CentreNumber | None:
    return None if value is None else CentreNumber.parse(value)


@attrs.frozen(kw_only=True)
class Centre:
    """An exam centre; ``associate`` is set for an Associate Centre (ASC-01)."""

    number: CentreNumber = attrs.field(converter=as_centre_number)
    name: str = attrs.field(converter=_centre_name)
    associate: CentreNumber | None = attrs.field(default=None, converter=_optional_centre)
    contact: ContactDetails | None = attrs.field(default=None, validator=_optional_contact)

    def __attrs_post_init__(self) -> None:
        if self.associate == self.number:
            raise InvalidValue("centre.associate", "a centre cannot be its own Associate")


def _optional_uci(value: object) -> UCI | None:
    return None if value is None else UCI.parse(value)


@attrs.frozen(kw_only=True)
class Candidate:
    """A candidate of a centre.  Names are NFC; every script is accepted."""

    centre: CentreNumber = attrs.field(converter=as_centre_number)
    number: CandidateNumber = attrs.field(converter=as_candidate_number)
    given_name: str = attrs.field(converter=_given_name)
    family_name: str = attrs.field(converter=_family_name)
    uci: UCI | None = attrs.field(default=None, converter=_optional_uci)

    @property
    def full_name(self) -> str:
        """Given name then family name, as printed on letters (:func:`printed_name`)."""
        return printed_name(self.given_name, self.family_name)
