"""Associate Centres submit through their Associate, who approves and releases letters (EAR-16)."""

from __future__ import annotations

import pendulum
import pytest
from ear_board import (
    AC_OFFICER,
    ASSOCIATE,
    ASSOCIATE_CENTRE,
    BOARD,
    IN_WINDOW,
    OFFICER,
    POLICY,
    acknowledged,
    draft,
    facts,
    submitted,
)

from cambridge_results.enquiries import (
    CandidateOutcome,
    DocumentKind,
    EnquiryStatus,
    EventKind,
    Outcome,
)
from cambridge_results.errors import EnquiryRefused
from cambridge_results.principals import AssociateOfficer
from cambridge_results.rules.enquiries import workflow as wf
from cambridge_results.rules.enquiries.associates import (
    acknowledgement_error_deadline,
    approve,
    reject,
    release_document,
    report_acknowledgement_error,
    visible_documents,
)

OTHER_ASSOCIATE = AssociateOfficer(associate="KE901")


def ac_facts():
    return facts(centre=ASSOCIATE_CENTRE)


def ac_draft(**kw):
    return draft(centre=ASSOCIATE_CENTRE, **kw)


def waiting():
    return submitted(ac_draft(), syllabus_facts=ac_facts()).enquiry


def test_an_associate_centres_submission_goes_to_its_associate_first():
    """EAR-16: Associate Centres submit enquiries to their Cambridge Associate."""
    sent = submitted(ac_draft(), syllabus_facts=ac_facts())
    assert sent.enquiry.status is EnquiryStatus.AWAITING_APPROVAL
    assert sent.enquiry.arrived_at is None
    assert sent.kinds == (EventKind.SENT_TO_ASSOCIATE,)
    assert sent.events[0].details_dict == {"associate": "NG900"}


def test_the_associate_approves_and_the_enquiry_goes_to_the_board():
    """EAR-16: approval sends the enquiry to the board (Submitted)."""
    later = IN_WINDOW.add(hours=5)
    approved = approve(POLICY, waiting(), others=(), principal=ASSOCIATE, now=later)
    assert approved.enquiry.status is EnquiryStatus.SUBMITTED
    assert approved.enquiry.arrived_at == later
    assert approved.enquiry.submitted_at == IN_WINDOW
    assert approved.kinds == (EventKind.APPROVED, EventKind.SUBMITTED)


def test_the_associate_rejects_and_the_board_never_sees_it():
    """EAR-16: the Associate may reject the enquiry instead."""
    rejected = reject(
        POLICY, waiting(), reason="wrong syllabus", principal=ASSOCIATE, now=IN_WINDOW
    )
    assert rejected.enquiry.status is EnquiryStatus.REJECTED
    assert rejected.enquiry.rejection_reason == "wrong syllabus"
    assert rejected.enquiry.arrived_at is None


def test_only_the_centres_own_associate_approves_or_rejects():
    """EAR-16: another Associate, the centre itself or the board cannot approve."""
    for principal in (OTHER_ASSOCIATE, AC_OFFICER, BOARD):
        with pytest.raises(EnquiryRefused) as refused:
            approve(POLICY, waiting(), others=(), principal=principal, now=IN_WINDOW)
        assert refused.value.codes == ("EAR-16.associate-only",)
    with pytest.raises(EnquiryRefused) as refused:
        approve(POLICY, submitted(draft()).enquiry, others=(), principal=ASSOCIATE, now=IN_WINDOW)
    assert refused.value.codes == ("EAR-16.not-an-associate-centre",)


def test_an_approval_after_the_deadline_is_refused():
    """EAR-16, EAR-07 decision: the deadline applies when the enquiry reaches the board."""
    late = pendulum.datetime(2023, 9, 21, 9, tz="UTC")
    with pytest.raises(EnquiryRefused) as refused:
        approve(POLICY, waiting(), others=(), principal=ASSOCIATE, now=late)
    assert refused.value.codes == ("EAR-07.deadline-passed",)


def test_the_associate_can_submit_directly_for_its_associate_centre():
    """EAR-16: an enquiry the Associate submits itself needs no approval."""
    made = ac_draft(principal=ASSOCIATE)
    sent = wf.submit(
        POLICY,
        made,
        facts=ac_facts(),
        others=(),
        declarations=(True, True),
        principal=ASSOCIATE,
        now=IN_WINDOW,
    )
    assert sent.enquiry.status is EnquiryStatus.SUBMITTED


def approved_and_acknowledged():
    enquiry = approve(POLICY, waiting(), others=(), principal=ASSOCIATE, now=IN_WINDOW).enquiry
    return acknowledged(enquiry)


def test_letters_reach_the_associate_first_and_the_centre_after_release():
    """EAR-16: the Associate releases the Ack, Out, Cos and Rpt to the Associate Centre."""
    enquiry = approved_and_acknowledged()
    assert [d.kind for d in visible_documents(enquiry, releases=(), principal=ASSOCIATE)] == [
        DocumentKind.ACKNOWLEDGEMENT
    ]
    assert visible_documents(enquiry, releases=(), principal=AC_OFFICER) == ()
    release, event = release_document(
        POLICY,
        enquiry,
        kind=DocumentKind.ACKNOWLEDGEMENT,
        releases=(),
        principal=ASSOCIATE,
        now=IN_WINDOW,
    )
    assert event.kind is EventKind.DOCUMENT_RELEASED
    assert [
        d.kind for d in visible_documents(enquiry, releases=(release,), principal=AC_OFFICER)
    ] == [DocumentKind.ACKNOWLEDGEMENT]


def test_the_completed_enquiry_is_not_changed_by_releasing_its_outcome():
    """EAR-16: releases are records of their own; a Completed enquiry stays as it was."""
    enquiry = approved_and_acknowledged()
    done = wf.record_outcome(
        POLICY,
        enquiry,
        outcome=Outcome(
            candidates=(CandidateOutcome(candidate="0001", grade_before="C", grade_after="C"),),
            recorded_at=IN_WINDOW,
        ),
        principal=BOARD,
        now=IN_WINDOW,
    ).enquiry
    release, _ = release_document(
        POLICY, done, kind=DocumentKind.OUTCOME, releases=(), principal=ASSOCIATE, now=IN_WINDOW
    )
    assert done.status is EnquiryStatus.COMPLETED
    assert [d.kind for d in visible_documents(done, releases=(release,), principal=AC_OFFICER)] == [
        DocumentKind.OUTCOME
    ]
    with pytest.raises(EnquiryRefused) as refused:
        release_document(
            POLICY,
            done,
            kind=DocumentKind.OUTCOME,
            releases=(release,),
            principal=ASSOCIATE,
            now=IN_WINDOW,
        )
    assert refused.value.codes == ("EAR-16.already-released",)


def test_nothing_can_be_released_before_it_is_uploaded_nor_by_anyone_else():
    """EAR-16: the Associate releases what the board uploaded."""
    enquiry = approved_and_acknowledged()
    with pytest.raises(EnquiryRefused) as refused:
        release_document(
            POLICY,
            enquiry,
            kind=DocumentKind.OUTCOME,
            releases=(),
            principal=ASSOCIATE,
            now=IN_WINDOW,
        )
    assert refused.value.codes == ("EAR-16.not-uploaded",)
    with pytest.raises(EnquiryRefused) as refused:
        release_document(
            POLICY,
            enquiry,
            kind=DocumentKind.ACKNOWLEDGEMENT,
            releases=(),
            principal=AC_OFFICER,
            now=IN_WINDOW,
        )
    assert refused.value.codes == ("EAR-16.associate-only",)


def test_a_centre_without_an_associate_sees_its_letters_at_once_and_strangers_see_nothing():
    """EAR-16: release is only for Associate Centres; other centres are refused."""
    enquiry = acknowledged(submitted(draft()).enquiry)
    assert len(visible_documents(enquiry, releases=(), principal=OFFICER)) == 1
    with pytest.raises(EnquiryRefused):
        visible_documents(enquiry, releases=(), principal=OTHER_ASSOCIATE)


def test_acknowledgement_errors_are_reported_within_24_hours_of_its_issue():
    """EAR-16: the Associate reports errors within 24 hours of the acknowledgement letter."""
    enquiry = approved_and_acknowledged()
    deadline = acknowledgement_error_deadline(POLICY, enquiry)
    assert deadline == IN_WINDOW.add(hours=24)
    event = report_acknowledgement_error(
        POLICY,
        enquiry,
        description="wrong component",
        principal=ASSOCIATE,
        now=deadline.subtract(seconds=1),
    )
    assert event.kind is EventKind.ACKNOWLEDGEMENT_ERROR_REPORTED
    with pytest.raises(EnquiryRefused) as refused:
        report_acknowledgement_error(
            POLICY, enquiry, description="wrong component", principal=ASSOCIATE, now=deadline
        )
    assert refused.value.codes == ("EAR-16.error-report-too-late",)


def test_an_associate_centre_reports_acknowledgement_errors_through_its_associate():
    """EAR-16: the Associate Centre contacts its Associate, who must email the board."""
    enquiry = approved_and_acknowledged()
    with pytest.raises(EnquiryRefused) as refused:
        report_acknowledgement_error(
            POLICY, enquiry, description="wrong candidate", principal=AC_OFFICER, now=IN_WINDOW
        )
    assert refused.value.codes == ("EAR-16.through-associate",)
