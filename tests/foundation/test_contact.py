"""Contact details: a name plus a validated telephone number or email address (CRW-04)."""

# Look-alike characters (full-width and Arabic-Indic digits, accents, bidi
# controls) are what these tests are about.
# ruff: noqa: RUF001

from __future__ import annotations

import pytest
from hypothesis import given, settings

from cambridge_results.errors import InvalidValue
from cambridge_results.testing import strategies as crst
from cambridge_results.values import ContactDetails, normalise_email, validate_email, validate_phone


def test_a_contact_needs_a_phone_number_or_an_email_address() -> None:
    """CRW-04: at least one of the two."""
    with pytest.raises(InvalidValue) as caught:
        ContactDetails(name="Exams Office")
    assert caught.value.rule == "CRW-04"
    assert caught.value.field == "contact"


def test_a_contact_prints_its_name_then_each_detail_given() -> None:
    """CRW-09: the letter shows the contact name and details."""
    contact = ContactDetails(name="Exams Office", phone="+44 1223 553554", email="exams@school.org")
    assert contact.lines == (
        "Exams Office",
        "Telephone: +44 1223 553554",
        "Email: exams@school.org",
    )


@pytest.mark.parametrize(
    "phone", ["+44 1223 553554", "01223 553554", "(01223) 553-554", "1234567", "+123456789012345"]
)
def test_telephone_numbers_with_seven_to_fifteen_digits_are_accepted(phone: str) -> None:
    """docs/decisions.md: digits, spaces, brackets, hyphens and a leading plus."""
    assert validate_phone(phone) == phone


@pytest.mark.parametrize(
    "phone",
    [
        "123456",
        "+1234567890123456",
        "+44 1223 553554 ",
        "+44.1223.553554",
        "０１２２３ 553554",
        "++44 1223 553554",
        "ext 1234567",
    ],
)
def test_malformed_telephone_numbers_are_refused(phone: str) -> None:
    """CRW-04: the number is validated, with the field named."""
    with pytest.raises(InvalidValue) as caught:
        ContactDetails(name="Exams Office", phone=phone)
    assert caught.value.field == "contact.phone"
    assert caught.value.rule == "CRW-04"


@pytest.mark.parametrize(
    "email",
    [
        "exams@school.org",
        "Exams.Officer+ear@mail.school.example",
        "a@b.co",
        "o'neil@xn--80ak6aa92e.com",
    ],
)
def test_plain_ascii_email_addresses_are_accepted_as_given(email: str) -> None:
    """docs/decisions.md: the address keeps its case; comparison lower-cases it (LOG-01)."""
    assert validate_email(email) == email
    assert normalise_email(email) == email.lower()


@pytest.mark.parametrize(
    "email",
    [
        "exams@school.org ",
        " exams@school.org",
        "exams@school",
        "exams@school.123",
        "exams@@school.org",
        ".exams@school.org",
        "exams..office@school.org",
        "exams@-school.org",
        "exämś@school.org",
        "exams@schööl.org",
        '"exams office"@school.org',
        "a" * 65 + "@school.org",
        "a@" + "b" * 250 + ".org",
    ],
)
def test_malformed_email_addresses_are_refused(email: str) -> None:
    """LOG-01, CRW-04: a trailing space is never trimmed; non-ASCII and odd forms are refused."""
    with pytest.raises(InvalidValue) as caught:
        ContactDetails(name="Exams Office", email=email)
    assert caught.value.field == "contact.email"


def test_a_contact_name_follows_the_name_rules() -> None:
    """SPEC section 5: the contact name is NFC and refuses bidi overrides."""
    assert ContactDetails(name="Rene\u0301e", email="a@b.org").name == "Ren\u00e9e"
    with pytest.raises(InvalidValue, match=r"contact\.name"):
        ContactDetails(name="Ann\u202e", email="a@b.org")


@settings(max_examples=60)
@given(crst.phone_numbers(), crst.email_addresses())
def test_drawn_phone_numbers_and_email_addresses_are_accepted(phone: str, email: str) -> None:
    """The phone_numbers() and email_addresses() strategies draw only valid details."""
    assert validate_phone(phone) == phone
    assert validate_email(email) == email


@settings(max_examples=40)
@given(crst.contact_details())
def test_every_drawn_contact_has_a_way_to_reach_it(contact: ContactDetails) -> None:
    """CRW-04: a drawn contact has a phone number or an email address, shown on its lines."""
    assert contact.phone is not None or contact.email is not None
    assert len(contact.lines) == 1 + (contact.phone is not None) + (contact.email is not None)
