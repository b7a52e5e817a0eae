"""Principals: who is acting, recorded on every event (SPEC section 0)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from cambridge_results.errors import InvalidValue
from cambridge_results.principals import (
    AssociateOfficer,
    BoardStaff,
    CandidateUser,
    CentreOfficer,
    Principal,
)
from cambridge_results.testing import strategies as crst
from cambridge_results.values import CandidateNumber, CentreNumber


def test_each_principal_prints_as_the_actor_recorded_on_events() -> None:
    """str(principal) is the 'who' of an event."""
    assert str(CentreOfficer(centre="gb123")) == "centre:GB123"
    assert str(AssociateOfficer(associate="GB900")) == "associate:GB900"
    assert str(BoardStaff(staff_id="j.smith")) == "board:j.smith"
    assert str(CandidateUser(centre="GB123", number="713")) == "candidate:GB123/0713"


@pytest.mark.parametrize(
    "staff_id", ["J.Smith", "", " j.smith", "j smith", "ĵ.smith", "-j", "x" * 65]
)
def test_a_staff_id_is_lower_case_ascii(staff_id: str) -> None:
    """Staff ids are ASCII identifiers, validated at construction."""
    with pytest.raises(InvalidValue, match="staff_id"):
        BoardStaff(staff_id=staff_id)


def test_principals_validate_their_identifiers() -> None:
    """An invalid centre or candidate number never makes a principal."""
    with pytest.raises(InvalidValue, match="centre_number"):
        CentreOfficer(centre="GB12")
    with pytest.raises(InvalidValue, match="candidate_number"):
        CandidateUser(centre="GB123", number="١٢٣٤")


@settings(max_examples=30)
@given(crst.centre_numbers(), crst.candidate_numbers())
def test_principals_are_equal_by_value(centre: CentreNumber, number: CandidateNumber) -> None:
    """Two principals for the same centre and candidate are the same actor."""
    assert CandidateUser(centre=centre, number=number) == CandidateUser(
        centre=str(centre), number=str(number)
    )
    assert CentreOfficer(centre=centre) != AssociateOfficer(associate=centre)


@settings(max_examples=40)
@given(crst.principals())
def test_every_drawn_principal_names_its_kind_in_the_actor_text(principal: Principal) -> None:
    """principals() draws every kind; the actor text starts with that kind."""
    kind = {
        CentreOfficer: "centre:",
        AssociateOfficer: "associate:",
        BoardStaff: "board:",
        CandidateUser: "candidate:",
    }[type(principal)]
    assert str(principal).startswith(kind)
