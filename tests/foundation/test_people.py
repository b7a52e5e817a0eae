"""Centres, Cambridge Associates and candidates (ASC-01, ASC-05)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cambridge_results.errors import InvalidValue
from cambridge_results.testing import strategies as crst
from cambridge_results.values import UCI, Associate, Candidate, Centre, CentreNumber, ContactDetails


def test_an_associate_centre_names_its_associate() -> None:
    """ASC-01: an Associate Centre belongs to an Associate."""
    centre = Centre(number="GB123", name="Riverside School", associate="gb900")
    assert centre.associate == CentreNumber("GB900")


def test_a_centre_cannot_be_its_own_associate() -> None:
    """ASC-01: an Associate administers other centres."""
    with pytest.raises(InvalidValue, match=r"centre\.associate"):
        Centre(number="GB123", name="Riverside School", associate="GB123")


def test_contact_fields_take_contact_details_only() -> None:
    """ASC-05: the Associate's default contact is a ContactDetails, validated."""
    contact = ContactDetails(name="Exams Office", email="exams@associate.org")
    assert Associate(number="GB900", name="Associate", contact=contact).contact == contact
    with pytest.raises(InvalidValue, match=r"associate\.contact"):
        Associate(number="GB900", name="Associate", contact="exams@associate.org")  # type: ignore[arg-type]
    with pytest.raises(InvalidValue, match=r"centre\.contact"):
        Centre(number="GB123", name="School", contact={"name": "x"})  # type: ignore[arg-type]


def test_a_candidate_converts_text_identifiers() -> None:
    """A candidate's centre, number and UCI are validated identifiers."""
    candidate = Candidate(
        centre="GB123", number="713", given_name="Ngozi", family_name="Okafor", uci="gb1232600713a"
    )
    assert candidate.number.value == "0713"
    assert candidate.uci == UCI("GB1232600713A")
    assert candidate.full_name == "Ngozi Okafor"
    with pytest.raises(InvalidValue, match="uci"):
        Candidate(centre="GB123", number="713", given_name="N", family_name="O", uci="GB123")


def test_value_objects_are_keyword_only_and_frozen() -> None:
    """The issue: frozen attrs, keyword-only."""
    candidate = Candidate(centre="GB123", number="1", given_name="A", family_name="B")
    with pytest.raises(AttributeError):
        candidate.given_name = "C"  # type: ignore[misc]
    with pytest.raises(TypeError):
        Centre("GB123", "School")  # type: ignore[misc]


@settings(max_examples=40)
@given(crst.centres())
def test_drawn_centres_are_never_their_own_associate(centre: Centre) -> None:
    """ASC-01 holds for every drawn centre."""
    assert centre.associate != centre.number


@settings(max_examples=30)
@given(crst.centre_numbers(), st.data())
def test_centres_drawn_for_an_associate_belong_to_it(
    associate: CentreNumber, data: st.DataObject
) -> None:
    """centres(associate=...) draws that Associate's Associate Centres."""
    centre = data.draw(crst.centres(associate=associate))
    assert centre.associate == associate
    assert centre.number != associate


@settings(max_examples=30)
@given(crst.associates())
def test_drawn_associates_are_valid(associate: Associate) -> None:
    """The associates() strategy draws Associates built through the public constructor."""
    assert (
        Associate(number=associate.number, name=associate.name, contact=associate.contact)
        == associate
    )
