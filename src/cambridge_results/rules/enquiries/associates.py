"""Associate Centres' enquiries go through their Cambridge Associate (EAR-16).

The Associate Centre submits to its Associate, who approves (the enquiry
goes to the board) or rejects it.  The board's letters reach the Associate
first; the Associate releases the acknowledgement letter, the outcome
letter, copies of scripts and reports to the Associate Centre.  Errors in an
acknowledgement letter are reported to the board within 24 hours (an exact
duration) of its issue, by the Associate for an Associate Centre.

Releases are records of their own, like the events: the enquiry itself is
not changed by them, so a Completed enquiry stays exactly as it was.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs
import pendulum

from cambridge_results._checks import member
from cambridge_results.decisions import Decision
from cambridge_results.policy import Policy
from cambridge_results.principals import AssociateOfficer, BoardStaff, CentreOfficer, Principal
from cambridge_results.rules.enquiries.actors import require_associate, require_centre_side
from cambridge_results.rules.enquiries.services import check_window
from cambridge_results.rules.enquiries.time import add_hours, local_text
from cambridge_results.rules.enquiries.workflow import arrive, event, illegal
from cambridge_results.values._text import human_text
from cambridge_results.values.enquiry import (
    Document,
    DocumentKind,
    Enquiry,
    EnquiryStatus,
    as_enquiry_id,
    instant,
)
from cambridge_results.values.enquiry_events import EnquiryEvent, EventKind, Transition

__all__ = [
    "DocumentRelease",
    "acknowledgement_error_deadline",
    "approve",
    "reject",
    "release_document",
    "report_acknowledgement_error",
    "visible_documents",
]

MAX_TEXT = 500


def approve(
    policy: Policy,
    enquiry: Enquiry,
    *,
    others: Iterable[Enquiry],
    principal: Principal,
    now: pendulum.DateTime,
) -> Transition:
    """The Associate approves: the enquiry goes to the board (EAR-16).

    The deadline applies to the moment it reaches the board (EAR-07), so an
    Associate must approve before it.
    """
    require_associate(principal, enquiry, "approve its enquiries").raise_if_refused()
    status = (
        Decision.allow()
        if enquiry.status is EnquiryStatus.AWAITING_APPROVAL
        else illegal("approve", enquiry)
    )
    Decision.combine(
        [status, check_window(policy, enquiry.series, enquiry.service, now)]
    ).raise_if_refused()
    arrived = arrive(policy, enquiry, others=others, principal=principal, now=now)
    approved = event(EventKind.APPROVED, arrived.enquiry, principal, now)
    return attrs.evolve(arrived, events=(approved, *arrived.events))


def reject(
    policy: Policy,
    enquiry: Enquiry,
    *,
    reason: str,
    principal: Principal,
    now: pendulum.DateTime,
) -> Transition:
    """The Associate rejects the enquiry, saying why; the board never sees it (EAR-16)."""
    del policy
    require_associate(principal, enquiry, "reject its enquiries").raise_if_refused()
    if enquiry.status is not EnquiryStatus.AWAITING_APPROVAL:
        illegal("reject", enquiry).raise_if_refused()
    rejected = attrs.evolve(
        enquiry, status=EnquiryStatus.REJECTED, rejected_at=now, rejection_reason=reason
    )
    details = {"reason": rejected.rejection_reason}
    return Transition(
        enquiry=rejected, events=(event(EventKind.REJECTED, rejected, principal, now, details),)
    )


@attrs.frozen(kw_only=True)
class DocumentRelease:
    """An Associate released a document of an enquiry to its Associate Centre (EAR-16)."""

    enquiry_id: str = attrs.field(converter=as_enquiry_id)
    kind: DocumentKind = attrs.field(validator=member("kind", DocumentKind))
    released_at: pendulum.DateTime = attrs.field(converter=instant)
    by: str


def release_document(
    policy: Policy,
    enquiry: Enquiry,
    *,
    kind: DocumentKind,
    releases: Iterable[DocumentRelease],
    principal: Principal,
    now: pendulum.DateTime,
) -> tuple[DocumentRelease, EnquiryEvent]:
    """The Associate releases an uploaded document to the Associate Centre (EAR-16)."""
    del policy
    require_associate(principal, enquiry, "release its letters").raise_if_refused()
    reasons = []
    if not enquiry.has(kind):
        reasons.append(
            Decision.refuse(
                "EAR-16.not-uploaded", f"enquiry {enquiry.id} has no {kind.value} document yet"
            )
        )
    if any(r.enquiry_id == enquiry.id and r.kind is kind for r in releases):
        reasons.append(
            Decision.refuse(
                "EAR-16.already-released",
                f"the {kind.value} document of enquiry {enquiry.id} was already released",
            )
        )
    Decision.combine(reasons).raise_if_refused()
    release = DocumentRelease(enquiry_id=enquiry.id, kind=kind, released_at=now, by=str(principal))
    return release, event(
        EventKind.DOCUMENT_RELEASED, enquiry, principal, now, {"document": kind.value}
    )


def visible_documents(
    enquiry: Enquiry, *, releases: Iterable[DocumentRelease], principal: Principal
) -> tuple[Document, ...]:
    """The documents ``principal`` may open (EAR-16).

    The board and the Associate see every uploaded document; an Associate
    Centre only those its Associate released; a centre without an Associate
    sees every one.  Anyone else is refused with
    :class:`~cambridge_results.errors.EnquiryRefused`.
    """
    if isinstance(principal, BoardStaff):
        return enquiry.documents
    require_centre_side(principal, enquiry).raise_if_refused()
    if enquiry.associate is None or isinstance(principal, AssociateOfficer):
        return enquiry.documents
    released = {r.kind for r in releases if r.enquiry_id == enquiry.id}
    return tuple(d for d in enquiry.documents if d.kind in released)


def acknowledgement_error_deadline(policy: Policy, enquiry: Enquiry) -> pendulum.DateTime | None:
    """The first instant too late to report an error in the acknowledgement letter (EAR-16)."""
    ack = enquiry.document(DocumentKind.ACKNOWLEDGEMENT)
    if ack is None:
        return None
    return add_hours(ack.uploaded_at, policy.enquiries.acknowledgement_error_report_hours)


def report_acknowledgement_error(
    policy: Policy,
    enquiry: Enquiry,
    *,
    description: str,
    principal: Principal,
    now: pendulum.DateTime,
) -> EnquiryEvent:
    """Report an error in the acknowledgement letter within 24 hours of its issue (EAR-16).

    An Associate Centre tells its Associate, who reports it to the board;
    other centres report it themselves.
    """
    text = human_text(description, "description", max_length=MAX_TEXT, rule="EAR-16")
    require_centre_side(principal, enquiry).raise_if_refused()
    if enquiry.associate is not None and isinstance(principal, CentreOfficer):
        Decision.refuse(
            "EAR-16.through-associate",
            f"tell Cambridge Associate {enquiry.associate}, who reports errors to the board",
        ).raise_if_refused()
    deadline = acknowledgement_error_deadline(policy, enquiry)
    if deadline is None:
        Decision.refuse(
            "EAR-16.no-acknowledgement",
            f"enquiry {enquiry.id} has no acknowledgement letter yet",
        ).raise_if_refused()
    elif now >= deadline:
        Decision.refuse(
            "EAR-16.error-report-too-late",
            f"errors in the acknowledgement letter of enquiry {enquiry.id} had to be reported "
            f"before {local_text(deadline, policy.timezone)}",
        ).raise_if_refused()
    return event(
        EventKind.ACKNOWLEDGEMENT_ERROR_REPORTED, enquiry, principal, now, {"description": text}
    )
