"""The board's queue: order, due dates, waiting, overdue lists, the candidate filter.

* EAR-08: enquiries are processed in the order they reached the board; the
  outcome is due 30 days (the policy's number, or the service's own
  turnaround) after the board received it.
* EAR-13: an enquiry waits (Pending) while an earlier open enquiry shares a
  candidate of the same syllabus and one of the two is a group service.
* EAR-18: an enquiry number is overdue 24 hours after arrival, an
  acknowledgement two working days after it.
* EAR-12: the candidate filter finds 0713 from ``713``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

import attrs
import pendulum

from cambridge_results.policy import Policy
from cambridge_results.rules.enquiries.eligibility import same_syllabus
from cambridge_results.rules.enquiries.services import service_definition
from cambridge_results.rules.enquiries.time import add_hours, add_working_days, within_days
from cambridge_results.values import CandidateNumber
from cambridge_results.values.enquiry import Enquiry, EnquiryStatus, instant

__all__ = [
    "Overdue",
    "OverdueKind",
    "blockers",
    "due_at",
    "filter_by_candidate",
    "overdue",
    "processing_order",
]


def processing_order(enquiries: Iterable[Enquiry]) -> tuple[Enquiry, ...]:
    """The enquiries at the board, first arrived first (EAR-08); ties by id.

    Pending enquiries keep their place: they are processed when they stop
    waiting, before anything that arrived after them.
    """
    at_board = [e for e in enquiries if e.status.at_board and e.arrived_at is not None]
    return tuple(sorted(at_board, key=lambda e: (e.arrived_at, e.id)))


def due_at(policy: Policy, enquiry: Enquiry) -> pendulum.DateTime | None:
    """When the outcome is normally due: the end of the turnaround's last day (EAR-08, EAR-21).

    ``None`` until the board received it.  A service's own turnaround (18
    days for priority services) replaces the policy's 30 days.
    """
    if enquiry.received_at is None:
        return None
    definition = service_definition(policy, enquiry.series, enquiry.service)
    days = definition.turnaround_days or policy.enquiries.turnaround_days
    return within_days(enquiry.received_at, days, policy.timezone)


def blockers(policy: Policy, enquiry: Enquiry, others: Iterable[Enquiry]) -> tuple[Enquiry, ...]:
    """The open enquiries ``enquiry`` waits for (EAR-13).

    Those that reached the board before it, for the same centre, series and
    syllabus, sharing a candidate, where one of the two is a group service
    (5 or 9).  Enquiries are dealt with in the order received, so the later
    one waits.
    """
    if enquiry.arrived_at is None:
        return ()
    mine = service_definition(policy, enquiry.series, enquiry.service)
    waiting_for: list[Enquiry] = []
    for other in same_syllabus(enquiry, others):
        if not other.status.at_board or other.arrived_at is None:
            continue
        if (other.arrived_at, other.id) >= (enquiry.arrived_at, enquiry.id):
            continue
        if not set(other.candidates) & set(enquiry.candidates):
            continue
        theirs = service_definition(policy, other.series, other.service)
        if mine.is_group or theirs.is_group:
            waiting_for.append(other)
    return tuple(waiting_for)


class OverdueKind(enum.Enum):
    """What a centre should chase the board about (EAR-18)."""

    ENQUIRY_NUMBER = "enquiry-number"
    ACKNOWLEDGEMENT = "acknowledgement"


@attrs.frozen(kw_only=True)
class Overdue:
    """An enquiry whose number or acknowledgement letter is overdue since ``since`` (EAR-18)."""

    enquiry_id: str
    kind: OverdueKind
    since: pendulum.DateTime = attrs.field(converter=instant)


def overdue(
    policy: Policy, enquiries: Iterable[Enquiry], now: pendulum.DateTime
) -> tuple[Overdue, ...]:
    """Enquiries the centre should chase at ``now`` (EAR-18), in processing order.

    The number is overdue from 24 hours after the enquiry went to the board
    (after its Pending ended, for one that waited); the acknowledgement from
    two working days after it reached the board.  Pending enquiries wait on
    purpose and are never listed.
    """
    numbers = policy.enquiries
    found: list[Overdue] = []
    for e in processing_order(enquiries):
        if e.status is EnquiryStatus.PENDING or e.arrived_at is None:
            continue
        if e.status is EnquiryStatus.SUBMITTED:
            since = add_hours(e.queued_at or e.arrived_at, numbers.number_overdue_hours)
            if now >= since:
                found.append(Overdue(enquiry_id=e.id, kind=OverdueKind.ENQUIRY_NUMBER, since=since))
        if e.status in (EnquiryStatus.SUBMITTED, EnquiryStatus.RECEIVED):
            since = add_working_days(
                e.queued_at or e.arrived_at,
                numbers.acknowledgement_overdue_working_days,
                policy.timezone,
            )
            if now >= since:
                found.append(
                    Overdue(enquiry_id=e.id, kind=OverdueKind.ACKNOWLEDGEMENT, since=since)
                )
    return tuple(found)


def filter_by_candidate(enquiries: Iterable[Enquiry], typed: str) -> tuple[Enquiry, ...]:
    """The enquiries about the candidate typed in the filter box (EAR-12).

    ``713`` finds 0713: leading zeros may be left out.  Anything that is not
    a candidate number is an :class:`~cambridge_results.errors.InvalidValue`.
    """
    wanted = CandidateNumber.parse(typed)
    return tuple(e for e in enquiries if wanted in e.candidates)
