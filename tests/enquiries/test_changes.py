"""Amendments and cancellations: free within 24 hours of the acknowledgement (EAR-14)."""

from __future__ import annotations

import decimal

import pendulum
import pytest
from ear_board import (
    AC_OFFICER,
    ASSOCIATE_CENTRE,
    BOARD,
    IN_WINDOW,
    MATHS,
    OFFICER,
    PHYSICS,
    POLICY,
    acknowledged,
    draft,
    facts,
    submitted,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from cambridge_results.enquiries import CandidateOutcome, EnquiryStatus, EventKind, Outcome
from cambridge_results.errors import EnquiryRefused
from cambridge_results.policy import Money
from cambridge_results.rules.enquiries import workflow as wf
from cambridge_results.rules.enquiries.changes import amend, cancel, free_change_until

FEE = Money(amount=decimal.Decimal("15.00"), currency="GBP")
#: Europe/London goes back from BST to GMT at 01:00 UTC on 29 October 2023.
BEFORE_CLOCKS_GO_BACK = pendulum.datetime(2023, 10, 28, 9, 30, tz="UTC")


def test_a_cancellation_before_the_acknowledgement_is_free():
    """EAR-14: before the acknowledgement there is nothing to charge."""
    sent = submitted(draft()).enquiry
    done = cancel(POLICY, sent, principal=OFFICER, now=IN_WINDOW.add(days=5))
    assert done.enquiry.status is EnquiryStatus.CANCELLED
    assert done.enquiry.cancellation_fee is None
    assert done.events[0].details_dict == {"fee": "none"}


def test_a_cancellation_within_24_hours_of_the_acknowledgement_is_free():
    """EAR-14: free while now < acknowledgement + 24 hours."""
    enquiry = acknowledged(submitted(draft()).enquiry)
    last = IN_WINDOW.add(hours=24).subtract(microseconds=1)
    assert cancel(POLICY, enquiry, principal=OFFICER, now=last).enquiry.cancellation_fee is None


def test_a_cancellation_24_hours_after_the_acknowledgement_is_charged():
    """EAR-14: from acknowledgement + 24 hours on, the administration fee is charged."""
    enquiry = acknowledged(submitted(draft()).enquiry)
    done = cancel(POLICY, enquiry, principal=OFFICER, now=IN_WINDOW.add(hours=24))
    assert done.enquiry.cancellation_fee == FEE
    assert done.events[0].details_dict == {"fee": "15.00 GBP"}


def test_the_24_hours_are_exact_across_the_clocks_going_back():
    """EAR-14 decision: 24 hours are 24 real hours, not 'same time tomorrow' in London."""
    enquiry = acknowledged(submitted(draft()).enquiry, now=BEFORE_CLOCKS_GO_BACK)
    until = free_change_until(POLICY, enquiry)
    assert until - BEFORE_CLOCKS_GO_BACK == pendulum.duration(hours=24)
    # 10:30 BST on the 28th; same wall time next day would be 10:30 GMT = 25 hours later.
    assert until.in_timezone("Europe/London").hour == 9
    at_wall_clock = pendulum.datetime(2023, 10, 29, 10, 30, tz="Europe/London")
    assert cancel(POLICY, enquiry, principal=OFFICER, now=at_wall_clock).enquiry.cancellation_fee


@settings(max_examples=60, deadline=None)
@given(
    acked=st.datetimes(
        min_value=pendulum.datetime(2023, 10, 27).naive(),
        max_value=pendulum.datetime(2023, 10, 30).naive(),
    ),
    after_seconds=st.integers(min_value=0, max_value=48 * 3600),
)
def test_a_change_is_free_exactly_while_now_is_before_acknowledgement_plus_24_hours(
    acked, after_seconds
):
    """EAR-14: the fee is charged exactly when now >= acknowledgement + 24 hours, DST or not."""
    at = pendulum.instance(acked, tz="UTC")
    enquiry = acknowledged(submitted(draft()).enquiry, now=at)
    now = at.add(seconds=after_seconds)
    fee = cancel(POLICY, enquiry, principal=OFFICER, now=now).enquiry.cancellation_fee
    assert (fee is not None) is (after_seconds >= 24 * 3600)
    moved = amend(
        POLICY, enquiry, facts=facts(), others=(), service="2", principal=OFFICER, now=now
    ).enquiry
    assert moved.amendments[-1].charged is (after_seconds >= 24 * 3600)


def test_an_amendment_changes_the_service_and_components_and_records_itself():
    """EAR-14: an amendment is recorded with what changed and any fee."""
    enquiry = acknowledged(submitted(draft("1")).enquiry)
    moved = amend(
        POLICY,
        enquiry,
        facts=facts(),
        others=(),
        service="2S",
        components=("12", "32"),
        principal=OFFICER,
        now=IN_WINDOW.add(hours=30),
    )
    assert moved.enquiry.service == "2S"
    assert [str(c) for c in moved.enquiry.components] == ["12", "32"]
    (amendment,) = moved.enquiry.amendments
    assert (amendment.service_before, amendment.service_after, amendment.fee) == ("1", "2S", FEE)
    assert moved.kinds == (EventKind.AMENDED,)
    assert moved.enquiry.status is EnquiryStatus.ACKNOWLEDGED


def test_an_amendment_must_still_be_eligible():
    """EAR-14, EAR-01: the amended enquiry passes the service table like a new one."""
    enquiry = acknowledged(submitted(draft("1", syllabus=MATHS)).enquiry)
    with pytest.raises(EnquiryRefused) as refused:
        amend(
            POLICY,
            enquiry,
            facts=facts(),
            others=(),
            components=("12", "99"),
            principal=OFFICER,
            now=IN_WINDOW,
        )
    assert refused.value.codes == ("EAR-03.unknown-component",)


def test_an_amendment_after_the_deadline_is_still_possible():
    """EAR-14 decision: the deadline is for submitting; amendments may follow it."""
    enquiry = acknowledged(submitted(draft("1")).enquiry)
    late = pendulum.datetime(2023, 9, 25, tz="UTC")
    moved = amend(
        POLICY, enquiry, facts=facts(), others=(), service="2", principal=OFFICER, now=late
    )
    assert moved.enquiry.service == "2"


def test_an_amendment_cannot_turn_a_review_into_a_group_service():
    """EAR-14 decision: another kind of service is a new enquiry: cancel and make one."""
    enquiry = submitted(draft("2", syllabus=PHYSICS, components=("22",))).enquiry
    with pytest.raises(EnquiryRefused) as refused:
        amend(
            POLICY,
            enquiry,
            facts=facts(PHYSICS),
            others=(),
            service="9",
            principal=OFFICER,
            now=IN_WINDOW,
        )
    assert "EAR-14.different-kind" in refused.value.codes


def test_an_amendment_that_changes_nothing_is_refused():
    """EAR-14: an empty amendment is a mistake, not a charge."""
    enquiry = submitted(draft("1")).enquiry
    with pytest.raises(EnquiryRefused) as refused:
        amend(
            POLICY, enquiry, facts=facts(), others=(), service="1", principal=OFFICER, now=IN_WINDOW
        )
    assert refused.value.codes == ("EAR-14.nothing-to-amend",)


def test_drafts_are_deleted_not_cancelled():
    """EAR-09, EAR-14: cancel is for submitted enquiries."""
    with pytest.raises(EnquiryRefused) as refused:
        cancel(POLICY, draft(), principal=OFFICER, now=IN_WINDOW)
    assert refused.value.codes == ("EAR-09.illegal-transition",)


def test_the_board_cannot_cancel_a_centres_enquiry():
    """EAR-14: amendments and cancellations are the centre's (or its Associate's)."""
    with pytest.raises(EnquiryRefused) as refused:
        cancel(POLICY, submitted(draft()).enquiry, principal=BOARD, now=IN_WINDOW)
    assert refused.value.codes == ("EAR-09.not-your-enquiry",)


def test_an_associate_centre_can_cancel_while_its_associate_has_not_approved():
    """EAR-14, EAR-16: an enquiry waiting for the Associate can be cancelled, free."""
    waiting = submitted(draft(centre=ASSOCIATE_CENTRE)).enquiry
    assert waiting.status is EnquiryStatus.AWAITING_APPROVAL
    done = cancel(POLICY, waiting, principal=AC_OFFICER, now=IN_WINDOW.add(days=3))
    assert done.enquiry.status is EnquiryStatus.CANCELLED
    assert done.enquiry.cancellation_fee is None


def test_nothing_is_amended_or_cancelled_once_the_outcome_is_recorded():
    """EAR-14 decision: a 1S with its outcome but not yet its copy of script cannot change."""
    enquiry = acknowledged(submitted(draft("1S")).enquiry)
    outcome = Outcome(
        candidates=(CandidateOutcome(candidate="0001", grade_before="C", grade_after="C"),),
        recorded_at=IN_WINDOW,
    )
    waiting = wf.record_outcome(
        POLICY, enquiry, outcome=outcome, principal=BOARD, now=IN_WINDOW
    ).enquiry
    assert waiting.status is EnquiryStatus.ACKNOWLEDGED
    with pytest.raises(EnquiryRefused) as refused:
        amend(
            POLICY, waiting, facts=facts(), others=(), service="1", principal=OFFICER, now=IN_WINDOW
        )
    assert refused.value.codes == ("EAR-14.outcome-recorded",)
    with pytest.raises(EnquiryRefused) as refused:
        cancel(POLICY, waiting, principal=OFFICER, now=IN_WINDOW)
    assert refused.value.codes == ("EAR-14.outcome-recorded",)
