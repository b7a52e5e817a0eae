"""Amending and cancelling a submitted enquiry (EAR-14).

Free until 24 hours (an exact duration) after the acknowledgement, and
before it; from then on each change is charged the policy's administration
fee.  The window is half-open: free while ``now < acknowledged + 24 hours``.

An amendment may change the service (within the same family: a re-check or
review for another, EAR-06) and the components; a different candidate or
syllabus is a new enquiry, so that one is cancelled and another made.  The
amended enquiry must still pass every eligibility rule except the deadline
(:func:`~cambridge_results.rules.enquiries.eligibility.check_request`).
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs
import pendulum

from cambridge_results.decisions import Decision
from cambridge_results.policy import Money, Policy
from cambridge_results.principals import Principal
from cambridge_results.rules.enquiries.actors import require_centre_side
from cambridge_results.rules.enquiries.eligibility import (
    check_request,
    considered_candidates,
    is_whole_group,
)
from cambridge_results.rules.enquiries.services import service_definition
from cambridge_results.rules.enquiries.time import add_hours
from cambridge_results.rules.enquiries.workflow import KEEP, Keep, event, illegal
from cambridge_results.values import ComponentCode
from cambridge_results.values.enquiry import Amendment, Enquiry, EnquiryStatus
from cambridge_results.values.enquiry_events import EventKind, Transition
from cambridge_results.values.enquiry_facts import SyllabusFacts

__all__ = ["amend", "cancel", "change_fee", "free_change_until"]

_CHANGEABLE = (
    EnquiryStatus.AWAITING_APPROVAL,
    EnquiryStatus.PENDING,
    EnquiryStatus.SUBMITTED,
    EnquiryStatus.RECEIVED,
    EnquiryStatus.ACKNOWLEDGED,
)


def _changeable(action: str, enquiry: Enquiry) -> Decision:
    if enquiry.status not in _CHANGEABLE:
        return illegal(action, enquiry)
    if enquiry.outcome is not None:
        return Decision.refuse(
            "EAR-14.outcome-recorded",
            f"cannot {action} enquiry {enquiry.id}: the board has recorded its outcome",
        )
    return Decision.allow()


def free_change_until(policy: Policy, enquiry: Enquiry) -> pendulum.DateTime | None:
    """The first instant a change costs a fee: acknowledgement + 24 hours (EAR-14).

    ``None`` before the acknowledgement: until then every change is free.
    """
    if enquiry.acknowledged_at is None:
        return None
    return add_hours(enquiry.acknowledged_at, policy.enquiries.free_change_hours)


def change_fee(
    policy: Policy, enquiry: Enquiry, fee: Money, now: pendulum.DateTime
) -> Money | None:
    """``fee`` if a change at ``now`` is charged, else ``None`` (EAR-14)."""
    until = free_change_until(policy, enquiry)
    return None if until is None or now < until else fee


def amend(
    policy: Policy,
    enquiry: Enquiry,
    *,
    facts: SyllabusFacts,
    others: Iterable[Enquiry],
    service: str | Keep = KEEP,
    components: Iterable[ComponentCode | str] | Keep = KEEP,
    principal: Principal,
    now: pendulum.DateTime,
) -> Transition:
    """Change a submitted enquiry's service or components; charged after the window (EAR-14)."""
    require_centre_side(principal, enquiry).raise_if_refused()
    _changeable("amend", enquiry).raise_if_refused()
    new_service = enquiry.service if isinstance(service, Keep) else service
    new_components = (
        enquiry.components
        if isinstance(components, Keep)
        else tuple(ComponentCode.parse(c) for c in components)
    )
    if new_service == enquiry.service and new_components == enquiry.components:
        Decision.refuse(
            "EAR-14.nothing-to-amend", f"the amendment changes nothing in enquiry {enquiry.id}"
        ).raise_if_refused()
    before = service_definition(policy, enquiry.series, enquiry.service)
    draft = attrs.evolve(enquiry, service=new_service, components=new_components)
    decisions = [check_request(policy, draft, facts=facts, others=others)]
    if decisions[0].allowed or "EAR-21.unknown-service" not in decisions[0].codes:
        after = service_definition(policy, enquiry.series, new_service)
        if after.kind is not before.kind or is_whole_group(after) != is_whole_group(before):
            decisions.append(
                Decision.refuse(
                    "EAR-14.different-kind",
                    f"service {enquiry.service} cannot become service {new_service}: cancel "
                    f"this enquiry and make a new one",
                )
            )
        else:
            draft = attrs.evolve(draft, candidates=considered_candidates(after, draft, facts))
    Decision.combine(decisions).raise_if_refused()
    fee = change_fee(policy, enquiry, policy.enquiries.amendment_fee, now)
    amendment = Amendment(
        at=now,
        service_before=enquiry.service,
        service_after=new_service,
        components_before=enquiry.components,
        components_after=new_components,
        fee=fee,
    )
    amended = attrs.evolve(draft, amendments=(*enquiry.amendments, amendment))
    details = {
        "service": new_service,
        "components": ",".join(str(c) for c in new_components),
        "fee": "none" if fee is None else str(fee),
    }
    return Transition(
        enquiry=amended, events=(event(EventKind.AMENDED, amended, principal, now, details),)
    )


def cancel(
    policy: Policy, enquiry: Enquiry, *, principal: Principal, now: pendulum.DateTime
) -> Transition:
    """Cancel a submitted enquiry; charged after the free window (EAR-14).

    A draft is deleted instead; a Completed enquiry cannot be cancelled.
    Enquiries that waited for this one may stop waiting
    (:func:`~cambridge_results.rules.enquiries.workflow.release_ready`).
    """
    require_centre_side(principal, enquiry).raise_if_refused()
    _changeable("cancel", enquiry).raise_if_refused()
    fee = change_fee(policy, enquiry, policy.enquiries.cancellation_fee, now)
    cancelled = attrs.evolve(
        enquiry, status=EnquiryStatus.CANCELLED, cancelled_at=now, cancellation_fee=fee
    )
    details = {"fee": "none" if fee is None else str(fee)}
    return Transition(
        enquiry=cancelled, events=(event(EventKind.CANCELLED, cancelled, principal, now, details),)
    )
