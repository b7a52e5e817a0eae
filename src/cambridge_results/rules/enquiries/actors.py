"""Who may take a workflow step on an enquiry (EAR-09, EAR-16, EAR-17).

The centre's side is its exams officer, or the Cambridge Associate for an
Associate Centre's enquiry; the board's side is its staff.  A refusal is a
:class:`~cambridge_results.decisions.Decision` like any other.
"""

from __future__ import annotations

from cambridge_results.decisions import Decision
from cambridge_results.principals import AssociateOfficer, BoardStaff, CentreOfficer, Principal
from cambridge_results.values.enquiry import Enquiry

__all__ = ["require_associate", "require_board", "require_centre_side"]


def require_centre_side(principal: Principal, enquiry: Enquiry) -> Decision:
    """Allowed for the enquiry's centre, or for its Associate (EAR-16)."""
    if isinstance(principal, CentreOfficer) and principal.centre == enquiry.centre:
        return Decision.allow()
    if (
        isinstance(principal, AssociateOfficer)
        and enquiry.associate is not None
        and principal.associate == enquiry.associate
    ):
        return Decision.allow()
    return Decision.refuse(
        "EAR-09.not-your-enquiry",
        f"{principal} cannot act for centre {enquiry.centre} on enquiry {enquiry.id}",
    )


def require_board(principal: Principal, what: str, rule: str = "EAR-09") -> Decision:
    """Allowed for board staff only: ``what`` says which step, ``rule`` which rule says so."""
    if isinstance(principal, BoardStaff):
        return Decision.allow()
    return Decision.refuse(f"{rule}.board-only", f"only the board can {what}, not {principal}")


def require_associate(principal: Principal, enquiry: Enquiry, what: str) -> Decision:
    """Allowed for the Associate of the enquiry's Associate Centre only (EAR-16)."""
    if enquiry.associate is None:
        return Decision.refuse(
            "EAR-16.not-an-associate-centre",
            f"centre {enquiry.centre} is not an Associate Centre, so no Associate can {what}",
        )
    if isinstance(principal, AssociateOfficer) and principal.associate == enquiry.associate:
        return Decision.allow()
    return Decision.refuse(
        "EAR-16.associate-only",
        f"only Cambridge Associate {enquiry.associate} can {what}, not {principal}",
    )
