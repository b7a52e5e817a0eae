"""Who may see and do what on the candidate results website pages (ASC-07).

A centre sees only its own candidates and letters; an Associate sees those
of its Associate Centres (and its own, being a centre too); no other centre
can.  The table below is the whole rule, so an app can show it and a test
can walk it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from cambridge_results.decisions import Decision
from cambridge_results.errors import PermissionDenied
from cambridge_results.principals import (
    AssociateOfficer,
    BoardStaff,
    CandidateUser,
    CentreOfficer,
    Principal,
)
from cambridge_results.values import Centre, CentreNumber

__all__ = [
    "ASSOCIATE_MAY",
    "BOARD_STAFF_MAY",
    "Action",
    "may",
    "may_manage_associate_centres",
    "require",
    "visible_centres",
]


class Action(enum.Enum):
    """Something a principal wants to do with one centre's website administration."""

    #: List and search the centre's candidates (CRW-07).
    VIEW_CANDIDATES = "view-candidates"
    #: Open the centre's letters, which carry passwords (ASC-07, CRW-13).
    OPEN_LETTERS = "open-letters"
    #: Generate or regenerate credentials and letters (ASC-03, ASC-06).
    GENERATE_CREDENTIALS = "generate-credentials"
    #: Set the centre's own mode, selection, contact and delay (CRW-01..08).
    MANAGE_ACCESS = "manage-access"


#: What an Associate may do for one of its Associate Centres.  The centre's
#: own mode and selection stay the centre's decision; the Associate steers
#: them through its controls (ASC-02..05) instead.
ASSOCIATE_MAY = frozenset(
    {Action.VIEW_CANDIDATES, Action.OPEN_LETTERS, Action.GENERATE_CREDENTIALS}
)

#: What the board's staff may do for any centre: look, not act for the
#: centre, and not open letters, which hold the candidates' passwords.
BOARD_STAFF_MAY = frozenset({Action.VIEW_CANDIDATES})


def may(principal: Principal, action: Action, centre: Centre) -> Decision:
    """Whether ``principal`` may do ``action`` for ``centre`` (ASC-07), and why not."""
    what = action.value.replace("-", " ")
    if isinstance(principal, CentreOfficer):
        if principal.centre == centre.number:
            return Decision.allow()
        return Decision.refuse(
            "ASC-07.not-your-centre",
            f"centre {principal.centre} may not {what} of centre {centre.number}",
        )
    if isinstance(principal, AssociateOfficer):
        if principal.associate == centre.number:
            return Decision.allow()
        if principal.associate == centre.associate:
            if action in ASSOCIATE_MAY:
                return Decision.allow()
            return Decision.refuse(
                "ASC-07.centre-decides",
                f"only centre {centre.number} itself may {what}; its Associate "
                "steers it through the Associate Centre controls",
            )
        return Decision.refuse(
            "ASC-07.not-your-associate-centre",
            f"centre {centre.number} is not an Associate Centre of {principal.associate}",
        )
    if isinstance(principal, BoardStaff):
        if action in BOARD_STAFF_MAY:
            return Decision.allow()
        return Decision.refuse(
            "ASC-07.board-staff-may-not",
            f"board staff may not {what} for centre {centre.number}",
        )
    if isinstance(principal, CandidateUser):
        return Decision.refuse(
            "ASC-07.candidates-may-not",
            f"a candidate may not {what} for centre {centre.number}",
        )
    raise TypeError(f"not a principal: {type(principal).__name__}")


def require(principal: Principal, action: Action, centre: Centre) -> None:
    """Raise :class:`~cambridge_results.errors.PermissionDenied` unless :func:`may` allows."""
    decision = may(principal, action, centre)
    if not decision.allowed:
        raise PermissionDenied(decision.reasons[0].message)


def may_manage_associate_centres(principal: Principal, associate: CentreNumber) -> Decision:
    """Only the Associate itself changes its Associate Centre controls (ASC-01..05)."""
    if isinstance(principal, AssociateOfficer) and principal.associate == associate:
        return Decision.allow()
    return Decision.refuse(
        "ASC-07.not-this-associate",
        f"only Associate {associate} may change the controls of its Associate Centres",
    )


def visible_centres(
    principal: Principal, centres: Iterable[Centre], action: Action = Action.VIEW_CANDIDATES
) -> tuple[Centre, ...]:
    """The centres ``principal`` may do ``action`` for, e.g. an Associate's subcentre list."""
    return tuple(c for c in centres if may(principal, action, c).allowed)
