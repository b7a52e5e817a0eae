"""Contact details: a name plus a validated telephone number or email address (CRW-04)."""

from __future__ import annotations

import re

import attrs

from cambridge_results.errors import InvalidValue
from cambridge_results.values._text import ascii_pattern, human_text

__all__ = ["ContactDetails", "normalise_email", "validate_email", "validate_phone"]

_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
# A top-level domain starts with a letter (RFC 3696 section 2): "a@b.123" is refused.
_TLD = r"[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(rf"{_LOCAL}@(?:{_LABEL}\.)+{_TLD}", re.ASCII)
# An optional "+", digits in groups; brackets may open the number: "(01223) 553554".
_PHONE = re.compile(r"\+?\(?[0-9][0-9 ()-]*[0-9]", re.ASCII)
MAX_EMAIL = 254
MAX_NAME = 100


def validate_email(value: object, field: str = "email", *, rule: str | None = "CRW-04") -> str:
    """Return an email address as given, if it is a plain ASCII address of at most 254 chars."""
    text = ascii_pattern(value, field, _EMAIL, "an email address like name@example.org", rule=rule)
    if len(text) > MAX_EMAIL or len(text.split("@", 1)[0]) > 64:
        raise InvalidValue(field, "is longer than an email address may be", rule=rule)
    return text


def normalise_email(address: str) -> str:
    """The form email usernames are compared in (LOG-01: case-insensitive)."""
    return address.lower()


def validate_phone(value: object, field: str = "phone", *, rule: str | None = "CRW-04") -> str:
    """Return a telephone number as given: digits, spaces, ``()-``, a leading ``+``.

    It must hold 7 to 15 digits (E.164's maximum).
    """
    text = ascii_pattern(value, field, _PHONE, "a telephone number like +44 1223 553554", rule=rule)
    digits = sum(ch.isdigit() for ch in text)
    if not 7 <= digits <= 15:
        raise InvalidValue(field, "must have between 7 and 15 digits", rule=rule)
    return text


def _optional_phone(value: object) -> str | None:
    return None if value is None else validate_phone(value, "contact.phone")


def _optional_email(value: object) -> str | None:
    return None if value is None else validate_email(value, "contact.email")


def _contact_name(value: object) -> str:
    return human_text(value, "contact.name", max_length=MAX_NAME, rule="CRW-04")


@attrs.frozen(kw_only=True)
class ContactDetails:
    """Who manages candidates' queries, shown on every letter (CRW-04, CRW-09, ASC-05).

    A name and at least one of a telephone number and an email address.
    """

    name: str = attrs.field(converter=_contact_name)
    phone: str | None = attrs.field(default=None, converter=_optional_phone)
    email: str | None = attrs.field(default=None, converter=_optional_email)

    def __attrs_post_init__(self) -> None:
        if self.phone is None and self.email is None:
            raise InvalidValue(
                "contact", "needs a telephone number or an email address", rule="CRW-04"
            )

    @property
    def lines(self) -> tuple[str, ...]:
        """The contact as printed on a letter: name, then each detail given."""
        lines = [self.name]
        if self.phone is not None:
            lines.append(f"Telephone: {self.phone}")
        if self.email is not None:
            lines.append(f"Email: {self.email}")
        return tuple(lines)
