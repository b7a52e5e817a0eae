"""Who may see and do what for a centre (ASC-07)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cambridge_results.errors import PermissionDenied
from cambridge_results.principals import (
    AssociateOfficer,
    BoardStaff,
    CandidateUser,
    CentreOfficer,
    Principal,
)
from cambridge_results.rules.associates.permissions import (
    Action,
    may,
    may_manage_associate_centres,
    require,
    visible_centres,
)
from cambridge_results.values import Centre, CentreNumber

SUB_A = Centre(number="GB123", name="Riverside", associate="AS100")
SUB_B = Centre(number="GB124", name="Lakeside", associate="AS100")
OTHERS = Centre(number="GB200", name="Elsewhere", associate="AS200")
PLAIN = Centre(number="GB300", name="Hilltop")
ASSOCIATE_SELF = Centre(number="AS100", name="Associate Ltd")
ALL_CENTRES = (SUB_A, SUB_B, OTHERS, PLAIN, ASSOCIATE_SELF)

centres = st.sampled_from(ALL_CENTRES)
actions = st.sampled_from(Action)


@given(centre=centres, target=centres, action=actions)
def test_a_centre_may_act_only_for_itself(centre: Centre, target: Centre, action: Action) -> None:
    """ASC-07: a centre sees only its own candidates and letters."""
    decision = may(CentreOfficer(centre=centre.number), action, target)
    assert decision.allowed == (centre.number == target.number)
    if not decision.allowed:
        assert decision.codes == ("ASC-07.not-your-centre",)


@given(target=centres, action=actions)
def test_an_associate_sees_its_associate_centres_and_no_others(
    target: Centre, action: Action
) -> None:
    """ASC-07: the Associate opens the letters of any of its Associate Centres."""
    decision = may(AssociateOfficer(associate="AS100"), action, target)
    own_subcentre = target.associate == CentreNumber("AS100")
    if target.number == CentreNumber("AS100"):
        assert decision.allowed
    elif own_subcentre:
        assert decision.allowed == (action is not Action.MANAGE_ACCESS)
    else:
        assert decision.codes == ("ASC-07.not-your-associate-centre",)


def test_the_associate_may_open_letters_of_each_associate_centre_but_another_may_not() -> None:
    """ASC-07: the example from the guide, and no other centre can."""
    assert may(AssociateOfficer(associate="AS100"), Action.OPEN_LETTERS, SUB_B).allowed
    assert not may(AssociateOfficer(associate="AS200"), Action.OPEN_LETTERS, SUB_B).allowed
    assert not may(CentreOfficer(centre="GB123"), Action.OPEN_LETTERS, SUB_B).allowed


@pytest.mark.parametrize("action", list(Action))
def test_board_staff_may_look_but_not_act_and_candidates_may_do_nothing(action: Action) -> None:
    """ASC-07: board staff only view candidates; candidates administer nothing."""
    staff = may(BoardStaff(staff_id="j.smith"), action, PLAIN)
    assert staff.allowed == (action is Action.VIEW_CANDIDATES)
    candidate = may(CandidateUser(centre="GB300", number="0001"), action, PLAIN)
    assert candidate.codes == ("ASC-07.candidates-may-not",)


def test_require_raises_permission_denied_naming_the_rule() -> None:
    """ASC-07: the exception form carries the rule ID."""
    with pytest.raises(PermissionDenied) as caught:
        require(CentreOfficer(centre="GB124"), Action.OPEN_LETTERS, SUB_A)
    assert caught.value.rule == "ASC-07"
    require(CentreOfficer(centre="GB123"), Action.OPEN_LETTERS, SUB_A)


def test_an_associate_lists_only_its_own_centres() -> None:
    """ASC-07: the subcentre drop-down holds the Associate's centres and itself."""
    listed = visible_centres(AssociateOfficer(associate="AS100"), ALL_CENTRES, Action.OPEN_LETTERS)
    assert listed == (SUB_A, SUB_B, ASSOCIATE_SELF)


@pytest.mark.parametrize(
    ("principal", "allowed"),
    [
        (AssociateOfficer(associate="AS100"), True),
        (AssociateOfficer(associate="AS200"), False),
        (CentreOfficer(centre="GB123"), False),
        (BoardStaff(staff_id="j.smith"), False),
    ],
)
def test_only_the_associate_changes_its_associate_centre_controls(
    principal: Principal, allowed: bool
) -> None:
    """ASC-01..05: an Associate Centre cannot give itself access."""
    assert may_manage_associate_centres(principal, CentreNumber("AS100")).allowed == allowed
