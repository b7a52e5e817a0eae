"""Enquiries on the store: every step a use case with the acting principal (EAR-06..EAR-20).

Each test runs on every backend (the harness's ``store``: memory, SQLite, PostgreSQL).
"""

from __future__ import annotations

import attrs
import pendulum
import pytest
from ear_board import (
    AC_OFFICER,
    ASSOCIATE,
    BOARD,
    BOTH_TICKED,
    IN_WINDOW,
    JUNE_2023,
    MATHS,
    OFFICER,
    OTHER_OFFICER,
    PHYSICS,
    POLICY,
    SAMPLE,
    with_deadline,
)
from stored_board import acknowledged, outcome_for, service, submit_new

from cambridge_results.clock import FixedClock
from cambridge_results.enquiries import (
    AppealRequest,
    DocumentKind,
    Enquiries,
    EnquiryAmendment,
    EnquiryStatus,
    ExtensionRequest,
    NewEnquiry,
    OutcomeRequest,
    ResultsKey,
    StageTwoAppeal,
)
from cambridge_results.enquiries.errors import DuplicateEnquiry
from cambridge_results.errors import DuplicateError, EnquiryRefused, InvalidValue
from cambridge_results.principals import AssociateOfficer, CandidateUser
from cambridge_results.rules.enquiries.fees import LineKind
from cambridge_results.rules.enquiries.queue import OverdueKind
from cambridge_results.storage.port import Store

S = EnquiryStatus
GROUP = ("0001", "0002", "0003", "0004", "0005")


def kinds(enquiries: Enquiries, enquiry_id: str) -> list[str]:
    """The kinds of an enquiry's stored events, oldest first."""
    return [e.kind for e in enquiries.history(BOARD, enquiry_id)]


def test_every_step_of_an_enquiry_is_stored_with_who_did_it(enquiries: Enquiries) -> None:
    """EAR-09: each transition is saved and writes its events, with the acting principal."""
    draft = enquiries.create(
        OFFICER,
        NewEnquiry(
            series="June 2023", service="2", syllabus="0580", components=("12",), candidates=("1",)
        ),
    )
    assert (draft.id, str(draft.candidates[0]), draft.status) == ("enq-000000001", "0001", S.SAVED)
    enquiries.submit(OFFICER, draft.id, declarations=BOTH_TICKED)
    enquiries.context.clock.advance(hours=3)
    numbered = enquiries.receive(BOARD, draft.id)
    enquiries.context.clock.advance(hours=1)
    enquiries.acknowledge(BOARD, draft.id)
    enquiries.context.clock.advance(days=10)
    stored = enquiries.get(OFFICER, draft.id)
    done = enquiries.record_outcome(
        BOARD, OutcomeRequest(enquiry_id=draft.id, outcome=outcome_for(enquiries, stored, change=1))
    )
    assert numbered.number == "E23-000001"
    assert enquiries.get(OFFICER, draft.id) == done.enquiry
    assert done.enquiry.status is S.COMPLETED
    history = enquiries.history(OFFICER, draft.id)
    assert [(e.kind, e.actor) for e in history] == [
        ("enquiry-created", "centre:GB123"),
        ("enquiry-submitted", "centre:GB123"),
        ("enquiry-received", "board:j.smith"),
        ("enquiry-acknowledged", "board:j.smith"),
        ("outcome-recorded", "board:j.smith"),
        ("enquiry-completed", "board:j.smith"),
    ]
    assert [e.at for e in history] == sorted(e.at for e in history)
    assert history[2].details == {"number": "E23-000001"}


def test_a_refused_step_writes_nothing(enquiries: Enquiries) -> None:
    """EAR-09: without both declarations, or out of turn, nothing is saved and no event written."""
    draft = enquiries.create(
        OFFICER,
        NewEnquiry(
            series="June 2023",
            service="1",
            syllabus="0580",
            components=("12",),
            candidates=("0001",),
        ),
    )
    with pytest.raises(EnquiryRefused) as refused:
        enquiries.submit(OFFICER, draft.id, declarations=(True, False))
    assert refused.value.codes == ("EAR-09.declarations-not-ticked",)
    with pytest.raises(EnquiryRefused) as out_of_turn:
        enquiries.acknowledge(BOARD, draft.id)
    assert out_of_turn.value.codes == ("EAR-09.illegal-transition",)
    assert enquiries.get(OFFICER, draft.id) == draft
    assert kinds(enquiries, draft.id) == ["enquiry-created"]
    assert enquiries.documents(BOARD, draft.id) == []


def test_a_second_review_for_a_candidate_and_syllabus_is_a_typed_duplicate(
    enquiries: Enquiries,
) -> None:
    """EAR-06 and EAR-04: refused with every reason, as one DuplicateEnquiry; nothing written."""
    first = submit_new(enquiries, service="2", components=("12",)).enquiry
    later = enquiries.create(
        OFFICER,
        NewEnquiry(
            series="June 2023",
            service="1S",
            syllabus="0580",
            components=("12", "32"),
            candidates=("0001",),
        ),
    )
    with pytest.raises(DuplicateEnquiry) as refused:
        enquiries.submit(OFFICER, later.id, declarations=BOTH_TICKED)
    assert isinstance(refused.value, DuplicateError)
    assert isinstance(refused.value, EnquiryRefused)
    assert refused.value.codes == ("EAR-06.already-submitted", "EAR-04.later-addition")
    assert enquiries.get(OFFICER, later.id).status is S.SAVED
    assert [e.id for e in enquiries.find_by_candidate(OFFICER, "1")] == [first.id, later.id]


def test_drafts_and_cancelled_enquiries_do_not_count_for_ear06(enquiries: Enquiries) -> None:
    """EAR-06 decision: two drafts may wait side by side; cancelling frees the candidate."""
    drafts = [
        enquiries.create(
            OFFICER,
            NewEnquiry(
                series="June 2023",
                service=service,
                syllabus="0580",
                components=("12",),
                candidates=("0001",),
            ),
        )
        for service in ("1", "2")
    ]
    enquiries.submit(OFFICER, drafts[0].id, declarations=BOTH_TICKED)
    enquiries.cancel(OFFICER, drafts[0].id)
    sent = enquiries.submit(OFFICER, drafts[1].id, declarations=BOTH_TICKED)
    assert sent.enquiry.status is S.SUBMITTED
    assert [e.status for e in enquiries.list_enquiries(OFFICER)] == [S.CANCELLED, S.SUBMITTED]


def test_a_pending_group_enquiry_moves_on_when_what_it_waits_for_completes(
    enquiries: Enquiries,
) -> None:
    """EAR-13: service 9 is Pending behind an open enquiry and Submitted in the same unit
    of work that completes it."""
    review = submit_new(enquiries, service="2", candidates=("0003",)).enquiry
    enquiries.context.clock.advance(minutes=5)
    group = submit_new(enquiries, service="9", candidates=GROUP)
    assert group.enquiry.status is S.PENDING
    assert [w.code for w in group.warnings] == ["EAR-13.open-enquiries"]
    with pytest.raises(EnquiryRefused) as refused:
        enquiries.receive(BOARD, group.enquiry.id)
    assert refused.value.codes == ("EAR-13.pending",)
    acked = acknowledged(enquiries, review.id)
    enquiries.context.clock.advance(days=2)
    enquiries.record_outcome(
        BOARD, OutcomeRequest(enquiry_id=review.id, outcome=outcome_for(enquiries, acked, change=0))
    )
    moved = enquiries.get(OFFICER, group.enquiry.id)
    assert moved.status is S.SUBMITTED
    assert moved.queued_at == enquiries.context.clock.now()
    ended = enquiries.history(BOARD, group.enquiry.id)[-1]
    assert (ended.kind, ended.actor, ended.at) == (
        "enquiry-pending-ended",
        "board:j.smith",
        enquiries.context.clock.now(),
    )


def test_a_pending_enquiry_moves_on_by_itself_when_the_centre_cancels_what_it_waited_for(
    enquiries: Enquiries,
) -> None:
    """EAR-13 and EAR-14: the cancellation ends the wait; the log says the system did it."""
    review = submit_new(enquiries, service="1", candidates=("0002",)).enquiry
    group = submit_new(enquiries, service="9", candidates=GROUP).enquiry
    assert group.status is S.PENDING
    enquiries.cancel(OFFICER, review.id)
    assert enquiries.get(OFFICER, group.id).status is S.SUBMITTED
    ended = enquiries.history(OFFICER, group.id)[-1]
    assert (ended.kind, ended.actor, ended.details) == (
        "enquiry-pending-ended",
        "centre:GB123",
        {"step_by": "board:system"},
    )


def test_the_board_processes_enquiries_in_the_order_received(
    enquiries: Enquiries,
) -> None:
    """EAR-08: the queue is ordered by arrival at the board, not by id or creation."""
    made = [
        enquiries.create(
            OFFICER,
            NewEnquiry(
                series="June 2023",
                service="1",
                syllabus="0580",
                components=("12",),
                candidates=(number,),
            ),
        )
        for number in ("0001", "0002", "0003", "0004")
    ]
    for draft in (made[2], made[0], made[1]):
        enquiries.context.clock.advance(minutes=10)
        enquiries.submit(OFFICER, draft.id, declarations=BOTH_TICKED)
    assert [e.id for e in enquiries.queue(BOARD)] == [made[2].id, made[0].id, made[1].id]
    with pytest.raises(EnquiryRefused) as refused:
        enquiries.queue(OFFICER)
    assert refused.value.codes == ("EAR-08.board-only",)


def test_overdue_numbers_and_acknowledgements_are_listed_from_the_store(board: Store) -> None:
    """EAR-18: the number is overdue after 24 hours, the letter after two working days."""
    friday = pendulum.datetime(2023, 9, 8, 15, tz="Europe/London")
    enquiries = service(board, FixedClock(friday))
    sent = submit_new(enquiries).enquiry
    assert enquiries.overdue(OFFICER) == []
    enquiries.context.clock.set(pendulum.datetime(2023, 9, 12, 15, tz="Europe/London"))
    assert [(o.enquiry_id, o.kind) for o in enquiries.overdue(OFFICER)] == [
        (sent.id, OverdueKind.ENQUIRY_NUMBER),
        (sent.id, OverdueKind.ACKNOWLEDGEMENT),
    ]
    enquiries.receive(BOARD, sent.id)
    assert [o.kind for o in enquiries.overdue(BOARD)] == [OverdueKind.ACKNOWLEDGEMENT]
    enquiries.acknowledge(BOARD, sent.id)
    assert enquiries.overdue(OFFICER) == []


def test_the_candidate_filter_finds_a_candidate_without_leading_zeros(
    enquiries: Enquiries,
) -> None:
    """EAR-12: 7 finds 0007; other candidates and other centres are not found."""
    mine = submit_new(enquiries, candidates=("0007",)).enquiry
    submit_new(enquiries, candidates=("0017",))
    assert [e.id for e in enquiries.find_by_candidate(OFFICER, "7")] == [mine.id]
    assert enquiries.find_by_candidate(OFFICER, "0007") == enquiries.find_by_candidate(OFFICER, "7")
    assert enquiries.find_by_candidate(BOARD, "7", centre="GB123")[0].id == mine.id
    with pytest.raises(InvalidValue):
        enquiries.find_by_candidate(OFFICER, "\uff17")  # a full-width seven is not ASCII
    with pytest.raises(EnquiryRefused):
        enquiries.find_by_candidate(OTHER_OFFICER, "7", centre="GB123")


def test_an_empty_note_becomes_series_syllabus_and_number(enquiries: Enquiries) -> None:
    """EAR-11: filled in when the board numbers the enquiry; a typed note is kept."""
    plain = submit_new(enquiries, candidates=("0001",)).enquiry
    noted = submit_new(enquiries, candidates=("0002",), note="Ask Mr Okafor").enquiry
    assert enquiries.receive(BOARD, plain.id).note == "June 2023 0580 E23-000001"
    assert enquiries.receive(BOARD, noted.id).note == "Ask Mr Okafor"


def test_changes_are_free_until_24_real_hours_after_the_acknowledgement_across_the_clock_change(
    board: Store,
) -> None:
    """EAR-14: acknowledged 10:30 BST on 28 October; free until 09:30 GMT on the 29th."""
    policy = with_deadline(POLICY, JUNE_2023, "2023-10-31")
    enquiries = service(board, FixedClock(pendulum.datetime(2023, 10, 27, 9, tz="UTC")), policy)
    first = submit_new(enquiries, candidates=("0001",)).enquiry
    second = submit_new(enquiries, candidates=("0002",)).enquiry
    enquiries.context.clock.set(pendulum.datetime(2023, 10, 28, 10, 30, tz="Europe/London"))
    for sent in (first, second):
        acknowledged(enquiries, sent.id)
    edge = pendulum.datetime(2023, 10, 29, 9, 30, tz="Europe/London")
    enquiries.context.clock.set(edge.subtract(microseconds=1))
    free = enquiries.amend(OFFICER, EnquiryAmendment(enquiry_id=first.id, service="1")).enquiry
    enquiries.context.clock.set(edge)
    charged = enquiries.cancel(OFFICER, second.id).enquiry
    late = enquiries.amend(OFFICER, EnquiryAmendment(enquiry_id=first.id, service="2")).enquiry
    assert [a.fee for a in late.amendments] == [None, POLICY.enquiries.amendment_fee]
    assert free.amendments[0].fee is None
    assert charged.cancellation_fee == POLICY.enquiries.cancellation_fee
    enquiries.context.clock.set(pendulum.datetime(2023, 10, 30, tz="UTC"))
    lines = enquiries.invoice(OFFICER, centre="GB123", series="June 2023").lines
    assert sorted(str(x.kind.value) for x in lines if x.charge is not None) == [
        "amendment",
        "cancellation",
        "service",
    ]


def test_a_grade_change_waives_the_fee_and_flags_an_updated_statement_of_results(
    enquiries: Enquiries,
) -> None:
    """EAR-15 and EAR-23: the waiver, the statement, and the new marks and grade kept."""
    changed = acknowledged(enquiries, submit_new(enquiries, candidates=("0001",)).enquiry.id)
    same = acknowledged(enquiries, submit_new(enquiries, candidates=("0002",)).enquiry.id)
    enquiries.context.clock.advance(days=5)
    up = enquiries.record_outcome(
        BOARD,
        OutcomeRequest(
            enquiry_id=changed.id,
            outcome=outcome_for(enquiries, changed, change=9, grade_after="B"),
        ),
    )
    enquiries.record_outcome(
        BOARD, OutcomeRequest(enquiry_id=same.id, outcome=outcome_for(enquiries, same, change=2))
    )
    assert "statement-of-results-due" in [k.value for k in up.kinds]
    (due,) = enquiries.statements_due(BOARD, "June 2023")
    assert (due.enquiry_id, str(due.candidate), str(due.grade_after)) == (changed.id, "0001", "B")
    after = enquiries.results(
        BOARD, ResultsKey(centre="GB123", series="June 2023", candidate="0001", syllabus="0580")
    )
    assert after is not None
    assert (str(after.grade), [m.value for m in after.marks]) == ("B", [49, 40])
    enquiries.context.clock.set(pendulum.datetime(2023, 10, 1, tz="Europe/London"))
    invoice = enquiries.invoice(OFFICER, centre="GB123", series="June 2023")
    services = {x.enquiry_id: x for x in invoice.lines if x.kind is LineKind.SERVICE}
    assert services[changed.id].charge is None
    assert services[changed.id].waived == "the syllabus grade changed"
    assert services[same.id].charge == POLICY.fee("2")
    assert invoice.totals == (POLICY.fee("2"),)
    enquiries.statement_issued(BOARD, changed.id, "1")
    assert enquiries.statements_due(BOARD) == []
    assert kinds(enquiries, changed.id)[-1] == "statement-of-results-issued"


def test_invoices_wait_for_the_series_invoice_date(enquiries: Enquiries) -> None:
    """EAR-15: June invoices from October; a centre sees only its own."""
    submit_new(enquiries)
    with pytest.raises(EnquiryRefused) as refused:
        enquiries.invoice(OFFICER, centre="GB123", series="June 2023")
    assert refused.value.codes == ("EAR-15.too-early-to-invoice",)
    enquiries.context.clock.set(pendulum.datetime(2023, 10, 1, tz="Europe/London"))
    with pytest.raises(EnquiryRefused):
        enquiries.invoice(OTHER_OFFICER, centre="GB123", series="June 2023")
    assert [
        x.provisional for x in enquiries.invoice(BOARD, centre="GB123", series="June 2023").lines
    ] == [True]


def test_an_outcome_must_start_from_the_stored_marks_and_grade(
    enquiries: Enquiries,
) -> None:
    """EAR-23: a mark or grade "before" that is not the board's is refused; nothing written."""
    acked = acknowledged(enquiries, submit_new(enquiries).enquiry.id)
    right = outcome_for(enquiries, acked, change=5)
    (candidate,) = right.candidates
    (component,) = candidate.components

    wrong = attrs.evolve(
        right,
        candidates=(
            attrs.evolve(
                candidate,
                grade_before="A",
                grade_after="A",
                components=(
                    attrs.evolve(component, mark_before=30, mark_reviewed=35, mark_after=35),
                ),
            ),
        ),
    )
    with pytest.raises(EnquiryRefused) as refused:
        enquiries.record_outcome(BOARD, OutcomeRequest(enquiry_id=acked.id, outcome=wrong))
    assert refused.value.codes == ("EAR-23.not-the-stored-grade", "EAR-23.not-the-stored-mark")
    assert enquiries.get(BOARD, acked.id) == acked
    assert [d.kind for d in enquiries.documents(BOARD, acked.id)] == [DocumentKind.ACKNOWLEDGEMENT]


def test_only_the_board_extends_an_enquiry_and_a_completed_one_stays_as_it_was(
    enquiries: Enquiries,
) -> None:
    """EAR-17: a centre cannot ask; the board's extension is a record of its own."""
    acked = acknowledged(enquiries, submit_new(enquiries).enquiry.id)
    done = enquiries.record_outcome(
        BOARD, OutcomeRequest(enquiry_id=acked.id, outcome=outcome_for(enquiries, acked, change=0))
    ).enquiry
    with pytest.raises(EnquiryRefused) as refused:
        enquiries.extend(
            OFFICER, ExtensionRequest(enquiry_id=acked.id, candidates=("0002",), reason="please")
        )
    assert refused.value.codes == ("EAR-17.board-only",)
    extension = enquiries.extend(
        BOARD, ExtensionRequest(enquiry_id=acked.id, candidates=("2", "3"), reason="same marker")
    )
    assert enquiries.extensions(OFFICER, acked.id) == [extension]
    assert enquiries.get(OFFICER, acked.id) == done
    assert kinds(enquiries, acked.id)[-1] == "enquiry-extended"


def test_an_associate_centres_enquiry_goes_through_its_associate(
    enquiries: Enquiries,
) -> None:
    """EAR-16: submitted to the Associate, who approves (to the board) or rejects it."""
    waiting = submit_new(enquiries, AC_OFFICER, candidates=("0001",)).enquiry
    rejected_one = submit_new(enquiries, AC_OFFICER, candidates=("0002",)).enquiry
    assert waiting.status is S.AWAITING_APPROVAL
    assert enquiries.queue(BOARD) == []
    with pytest.raises(EnquiryRefused) as refused:
        enquiries.approve(AssociateOfficer(associate="ZA100"), waiting.id)
    assert refused.value.codes == ("EAR-16.associate-only",)
    assert enquiries.approve(ASSOCIATE, waiting.id).enquiry.status is S.SUBMITTED
    rejected = enquiries.reject(ASSOCIATE, rejected_one.id, reason="wrong component")
    assert rejected.enquiry.status is S.REJECTED
    assert [e.id for e in enquiries.queue(BOARD)] == [waiting.id]
    assert {e.id for e in enquiries.list_enquiries(ASSOCIATE)} == {waiting.id, rejected_one.id}
    # The rejected one holds no claim: the candidate may be asked about again.
    again = submit_new(enquiries, ASSOCIATE, candidates=("0002",), centre="NG456").enquiry
    assert again.status is S.SUBMITTED


def test_letters_reach_the_associate_first_and_are_released_to_the_associate_centre(
    enquiries: Enquiries,
) -> None:
    """EAR-16: the Associate Centre sees a document once its Associate released it."""
    sent = submit_new(enquiries, ASSOCIATE, candidates=("0001",), centre="NG456").enquiry
    acknowledged(enquiries, sent.id)
    assert enquiries.documents(AC_OFFICER, sent.id) == []
    assert [d.kind for d in enquiries.documents(ASSOCIATE, sent.id)] == [
        DocumentKind.ACKNOWLEDGEMENT
    ]
    with pytest.raises(EnquiryRefused) as hidden:
        enquiries.document(AC_OFFICER, sent.id, DocumentKind.ACKNOWLEDGEMENT)
    assert hidden.value.codes == ("EAR-16.not-released",)
    release = enquiries.release_document(ASSOCIATE, sent.id, DocumentKind.ACKNOWLEDGEMENT)
    assert release.by == "associate:NG900"
    with pytest.raises(EnquiryRefused) as twice:
        enquiries.release_document(ASSOCIATE, sent.id, DocumentKind.ACKNOWLEDGEMENT)
    assert twice.value.codes == ("EAR-16.already-released",)
    letter = enquiries.document(AC_OFFICER, sent.id, DocumentKind.ACKNOWLEDGEMENT)
    assert letter.content.startswith(b"%PDF-")
    assert kinds(enquiries, sent.id)[-1] == "document-released"


def test_errors_in_the_acknowledgement_letter_are_reported_within_24_hours(
    enquiries: Enquiries,
) -> None:
    """EAR-16: recorded when in time, refused 24 hours after the letter; through the Associate."""
    mine = acknowledged(enquiries, submit_new(enquiries).enquiry.id)
    theirs = submit_new(enquiries, ASSOCIATE, centre="NG456").enquiry
    acknowledged(enquiries, theirs.id)
    enquiries.context.clock.advance(hours=23, minutes=59)
    enquiries.report_acknowledgement_error(OFFICER, mine.id, description="wrong component")
    with pytest.raises(EnquiryRefused) as through:
        enquiries.report_acknowledgement_error(AC_OFFICER, theirs.id, description="typo")
    assert through.value.codes == ("EAR-16.through-associate",)
    enquiries.context.clock.advance(minutes=1)
    with pytest.raises(EnquiryRefused) as late:
        enquiries.report_acknowledgement_error(ASSOCIATE, theirs.id, description="typo")
    assert late.value.codes == ("EAR-16.error-report-too-late",)
    reported = enquiries.history(OFFICER, mine.id)[-1]
    assert (reported.kind, reported.details) == (
        "acknowledgement-error-reported",
        {"description": "wrong component"},
    )


def test_appeals_are_stored_one_per_stage_with_their_deadlines(enquiries: Enquiries) -> None:
    """EAR-20: stage 1 after the outcome, due in 28 days; stage 2 within 14 days of its letter."""
    acked = acknowledged(enquiries, submit_new(enquiries).enquiry.id)
    with pytest.raises(EnquiryRefused) as early:
        enquiries.lodge_appeal(
            OFFICER, AppealRequest(enquiry_id=acked.id, signed_by_head_of_centre=True)
        )
    assert early.value.codes == ("EAR-20.no-outcome",)
    enquiries.record_outcome(
        BOARD, OutcomeRequest(enquiry_id=acked.id, outcome=outcome_for(enquiries, acked, change=0))
    )
    stage_one = enquiries.lodge_appeal(
        OFFICER, AppealRequest(enquiry_id=acked.id, signed_by_head_of_centre=True)
    )
    last = enquiries.context.clock.now().in_timezone("Europe/London").date().add(days=28)
    assert stage_one.decision_due == pendulum.datetime(
        last.year, last.month, last.day, tz="Europe/London"
    ).add(days=1)
    with pytest.raises(DuplicateError):
        enquiries.lodge_appeal(
            OFFICER, AppealRequest(enquiry_id=acked.id, signed_by_head_of_centre=True)
        )
    enquiries.context.clock.advance(days=20)
    decided = enquiries.issue_appeal_letter(BOARD, stage_one.id)
    enquiries.context.clock.advance(days=13, hours=23)
    stage_two = enquiries.lodge_stage_two(
        OFFICER, StageTwoAppeal(stage_one_id=stage_one.id, signed_by_head_of_centre=True)
    )
    assert enquiries.appeals(OFFICER, acked.id) == [decided, stage_two]
    assert kinds(enquiries, acked.id)[-3:] == [
        "appeal-lodged",
        "appeal-letter-issued",
        "appeal-lodged",
    ]


def test_other_centres_and_candidates_cannot_see_or_change_an_enquiry(
    enquiries: Enquiries,
) -> None:
    """EAR-09: only the centre's side and the board act on an enquiry; nothing leaks."""
    sent = submit_new(enquiries).enquiry
    candidate = CandidateUser(centre="GB123", number="0001")
    for principal in (OTHER_OFFICER, candidate):
        with pytest.raises(EnquiryRefused) as refused:
            enquiries.get(principal, sent.id)
        assert refused.value.codes == ("EAR-09.not-your-enquiry",)
        with pytest.raises(EnquiryRefused):
            enquiries.cancel(principal, sent.id)
    with pytest.raises(EnquiryRefused):
        enquiries.list_enquiries(OFFICER, centre="FR777")
    with pytest.raises(EnquiryRefused) as board_only:
        enquiries.receive(OFFICER, sent.id)
    assert board_only.value.codes == ("EAR-09.board-only",)
    assert enquiries.get(OFFICER, sent.id) == sent


def test_a_whole_group_re_moderation_takes_the_original_sample(enquiries: Enquiries) -> None:
    """EAR-01: service 5 names no candidates and, once submitted, lists the moderation sample."""
    sent = submit_new(
        enquiries,
        service="5",
        syllabus=PHYSICS,
        components=("04",),
        candidates=(),
        whole_group=True,
    ).enquiry
    assert [str(c) for c in sent.candidates] == list(SAMPLE)
    assert sent.candidate_label == "All"
    assert [e.id for e in enquiries.find_by_candidate(OFFICER, "10")] == [sent.id]


def test_an_amendment_changes_the_service_within_its_family_only(
    enquiries: Enquiries,
) -> None:
    """EAR-14: a review may become a re-check; not a group service."""
    sent = submit_new(enquiries, service="2", components=("12",)).enquiry
    amended = enquiries.amend(
        OFFICER, EnquiryAmendment(enquiry_id=sent.id, service="1", components=("12", "32"))
    )
    assert (amended.enquiry.service, len(amended.enquiry.components)) == ("1", 2)
    with pytest.raises(EnquiryRefused) as refused:
        enquiries.amend(OFFICER, EnquiryAmendment(enquiry_id=sent.id, service="9"))
    assert "EAR-14.different-kind" in refused.value.codes
    assert kinds(enquiries, sent.id)[-1] == "enquiry-amended"


def test_deleted_drafts_are_kept_but_not_listed(enquiries: Enquiries) -> None:
    """EAR-09: a draft can be deleted at any time; a submitted one cannot."""
    draft = enquiries.create(
        OFFICER,
        NewEnquiry(
            series="June 2023",
            service="1",
            syllabus="0580",
            components=("12",),
            candidates=("0001",),
        ),
    )
    sent = submit_new(enquiries, candidates=("0002",)).enquiry
    assert enquiries.delete_draft(OFFICER, draft.id).status is S.DELETED
    with pytest.raises(EnquiryRefused):
        enquiries.delete_draft(OFFICER, sent.id)
    assert [e.id for e in enquiries.list_enquiries(OFFICER)] == [sent.id]
    assert enquiries.get(OFFICER, draft.id).status is S.DELETED
    assert kinds(enquiries, draft.id) == ["enquiry-created", "enquiry-deleted"]


def test_the_window_is_checked_against_the_clock_on_submission(board: Store) -> None:
    """EAR-07: a submission after the deadline is refused; the draft stays a draft."""
    late = pendulum.datetime(2023, 9, 21, 9, tz="UTC")
    enquiries = service(board, FixedClock(late))
    draft = enquiries.create(
        OFFICER,
        NewEnquiry(
            series="June 2023",
            service="1",
            syllabus=MATHS.code,
            components=("12",),
            candidates=("0001",),
        ),
    )
    with pytest.raises(EnquiryRefused) as refused:
        enquiries.submit(OFFICER, draft.id, declarations=BOTH_TICKED)
    assert refused.value.codes == ("EAR-07.deadline-passed",)
    assert enquiries.context.clock.now() > IN_WINDOW
