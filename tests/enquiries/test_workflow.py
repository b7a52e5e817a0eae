"""The life of an enquiry: EAR-08..EAR-13, EAR-18 as pure transitions."""

from __future__ import annotations

import attrs
import pendulum
import pytest
from ear_board import (
    BOARD,
    CENTRE,
    IN_WINDOW,
    OFFICER,
    OTHER_OFFICER,
    PHYSICS,
    POLICY,
    acknowledged,
    draft,
    facts,
    submitted,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from cambridge_results.enquiries import (
    CandidateOutcome,
    DocumentKind,
    EnquiryStatus,
    EventKind,
    Outcome,
)
from cambridge_results.errors import EnquiryRefused, InvalidValue
from cambridge_results.policy import example_2026
from cambridge_results.rules.enquiries import workflow as wf
from cambridge_results.rules.enquiries.changes import amend, cancel
from cambridge_results.rules.enquiries.queue import (
    OverdueKind,
    due_at,
    filter_by_candidate,
    overdue,
    processing_order,
)
from cambridge_results.rules.enquiries.time import add_working_days
from cambridge_results.values import ExamSeries

GROUP = tuple(f"{n:04d}" for n in range(1, 6))


def outcome_for(enquiry, now=IN_WINDOW):
    """An outcome that changes nothing for each candidate of the enquiry."""
    return Outcome(
        candidates=tuple(
            CandidateOutcome(candidate=c, grade_before="C", grade_after="C")
            for c in enquiry.candidates
        ),
        recorded_at=now,
    )


# --- EAR-09: drafts, submission, statuses ------------------------------------------------


def test_a_new_enquiry_is_a_saved_draft_and_records_who_made_it():
    """EAR-09: creating an enquiry saves a draft; the board takes no action."""
    made = wf.create(
        POLICY,
        enquiry_id="e-1",
        centre=CENTRE,
        series="June 2023",
        service="1",
        syllabus="0580",
        components=("12",),
        candidates=("0001",),
        principal=OFFICER,
        now=IN_WINDOW,
    )
    assert made.enquiry.status is EnquiryStatus.SAVED
    assert made.enquiry.arrived_at is None
    assert [(e.kind, e.actor, e.at) for e in made.events] == [
        (EventKind.CREATED, "centre:GB123", IN_WINDOW)
    ]


def test_another_centre_cannot_touch_the_draft():
    """EAR-09: only the enquiry's centre (or its Associate) acts on it."""
    enquiry = draft()
    with pytest.raises(EnquiryRefused) as refused:
        wf.save(POLICY, enquiry, note="mine now", principal=OTHER_OFFICER, now=IN_WINDOW)
    assert refused.value.codes == ("EAR-09.not-your-enquiry",)
    with pytest.raises(EnquiryRefused):
        wf.delete(POLICY, enquiry, principal=BOARD, now=IN_WINDOW)


def test_a_draft_can_be_saved_with_changes_and_stays_saved():
    """EAR-09: saving a draft changes it and takes no action."""
    saved = wf.save(
        POLICY,
        draft(),
        components=("12", "32"),
        note="Amina Okafor",
        principal=OFFICER,
        now=IN_WINDOW,
    )
    assert saved.enquiry.status is EnquiryStatus.SAVED
    assert [str(c) for c in saved.enquiry.components] == ["12", "32"]
    assert saved.enquiry.note == "Amina Okafor"
    assert saved.events[0].details_dict == {"changed": "components,note"}


def test_a_draft_can_be_deleted_but_a_submitted_enquiry_cannot():
    """EAR-09: delete is for drafts; a submitted enquiry is cancelled instead (EAR-14)."""
    deleted = wf.delete(POLICY, draft(), principal=OFFICER, now=IN_WINDOW)
    assert deleted.enquiry.status is EnquiryStatus.DELETED
    assert deleted.kinds == (EventKind.DELETED,)
    with pytest.raises(EnquiryRefused) as refused:
        wf.delete(POLICY, submitted(draft()).enquiry, principal=OFFICER, now=IN_WINDOW)
    assert refused.value.codes == ("EAR-09.illegal-transition",)


@pytest.mark.parametrize("ticks", [(False, False), (True, False), (False, True)])
def test_submitting_without_both_declarations_warns_and_does_not_submit(ticks):
    """EAR-09: both declaration checkboxes must be ticked."""
    with pytest.raises(EnquiryRefused) as refused:
        wf.submit(
            POLICY,
            draft(),
            facts=facts(),
            others=(),
            declarations=ticks,
            principal=OFFICER,
            now=IN_WINDOW,
        )
    assert refused.value.codes == ("EAR-09.declarations-not-ticked",)


def test_a_submitted_enquiry_goes_through_received_and_acknowledged_to_completed():
    """EAR-09, EAR-10: Submitted, Received (number), Acknowledged (Ack), Completed (Out)."""
    sent = submitted(draft("1"))
    assert sent.enquiry.status is EnquiryStatus.SUBMITTED
    assert sent.enquiry.arrived_at == IN_WINDOW
    assert sent.kinds == (EventKind.SUBMITTED,)
    later = IN_WINDOW.add(hours=3)
    received = wf.receive(POLICY, sent.enquiry, number="e23-000042", principal=BOARD, now=later)
    assert received.enquiry.status is EnquiryStatus.RECEIVED
    assert received.enquiry.number == "E23-000042"
    assert received.events[0].details_dict == {"number": "E23-000042"}
    ack = wf.acknowledge(POLICY, received.enquiry, principal=BOARD, now=later)
    assert ack.enquiry.status is EnquiryStatus.ACKNOWLEDGED
    assert ack.enquiry.has(DocumentKind.ACKNOWLEDGEMENT)
    done = wf.record_outcome(
        POLICY, ack.enquiry, outcome=outcome_for(ack.enquiry), principal=BOARD, now=later
    )
    assert done.enquiry.status is EnquiryStatus.COMPLETED
    assert done.kinds == (EventKind.OUTCOME_RECORDED, EventKind.COMPLETED)


def test_only_the_board_receives_acknowledges_and_records_outcomes():
    """EAR-09: the board's steps are refused to a centre."""
    sent = submitted(draft()).enquiry
    with pytest.raises(EnquiryRefused) as refused:
        wf.receive(POLICY, sent, number="E1", principal=OFFICER, now=IN_WINDOW)
    assert refused.value.codes == ("EAR-09.board-only",)


def test_steps_out_of_order_are_illegal_transitions():
    """EAR-09: an illegal transition is a clear, typed error."""
    saved = draft()
    for step in (
        lambda: wf.receive(POLICY, saved, number="E1", principal=BOARD, now=IN_WINDOW),
        lambda: wf.acknowledge(POLICY, saved, principal=BOARD, now=IN_WINDOW),
        lambda: wf.record_outcome(
            POLICY, saved, outcome=outcome_for(saved), principal=BOARD, now=IN_WINDOW
        ),
    ):
        with pytest.raises(EnquiryRefused) as refused:
            step()
        assert refused.value.codes == ("EAR-09.illegal-transition",)
        assert "Saved" in str(refused.value)


# --- EAR-10: documents and completion -------------------------------------------------------


@pytest.mark.parametrize(
    ("service", "order", "completes_after"),
    [
        ("1", ["Out"], 1),
        ("1S", ["Out", "Cos"], 2),
        ("1S", ["Cos", "Out"], 2),
        ("2S", ["Out", "Cos"], 2),
        ("9", ["Out", "Rpt"], 2),
        ("9", ["Rpt", "Out"], 2),
    ],
)
def test_an_enquiry_is_completed_only_when_its_documents_are_all_uploaded(
    service, order, completes_after
):
    """EAR-10: Completed needs Out, plus Cos with a copy of script, plus Rpt for a report."""
    candidates = GROUP if service == "9" else ("0001",)
    enquiry = acknowledged(submitted(draft(service, candidates=candidates)).enquiry)
    for i, doc in enumerate(order, start=1):
        if doc == "Out":
            step = wf.record_outcome(
                POLICY, enquiry, outcome=outcome_for(enquiry), principal=BOARD, now=IN_WINDOW
            )
        else:
            step = wf.upload_document(
                POLICY, enquiry, kind=DocumentKind(doc), principal=BOARD, now=IN_WINDOW
            )
        enquiry = step.enquiry
        assert (enquiry.status is EnquiryStatus.COMPLETED) is (i == completes_after)


def test_service_five_completes_with_outcome_and_report():
    """EAR-10: the re-moderation report (Rpt) is needed as well as the outcome."""
    whole = draft("5", syllabus=PHYSICS, components=("04",), candidates=(), whole_group=True)
    enquiry = acknowledged(submitted(whole).enquiry)
    enquiry = wf.record_outcome(
        POLICY, enquiry, outcome=outcome_for(enquiry), principal=BOARD, now=IN_WINDOW
    ).enquiry
    assert enquiry.status is EnquiryStatus.ACKNOWLEDGED
    done = wf.upload_document(
        POLICY, enquiry, kind=DocumentKind.REPORT, principal=BOARD, now=IN_WINDOW
    )
    assert done.enquiry.status is EnquiryStatus.COMPLETED


def test_a_document_the_service_does_not_include_is_refused():
    """EAR-10: no copy of script for service 1, and nothing uploaded twice."""
    enquiry = acknowledged(submitted(draft("1S")).enquiry)
    with pytest.raises(EnquiryRefused) as refused:
        wf.upload_document(
            POLICY, enquiry, kind=DocumentKind.REPORT, principal=BOARD, now=IN_WINDOW
        )
    assert refused.value.codes == ("EAR-10.not-applicable",)
    once = wf.upload_document(
        POLICY, enquiry, kind=DocumentKind.COPY_OF_SCRIPT, principal=BOARD, now=IN_WINDOW
    ).enquiry
    with pytest.raises(EnquiryRefused) as refused:
        wf.upload_document(
            POLICY, once, kind=DocumentKind.COPY_OF_SCRIPT, principal=BOARD, now=IN_WINDOW
        )
    assert refused.value.codes == ("EAR-10.already-uploaded",)
    with pytest.raises(InvalidValue):
        wf.upload_document(POLICY, once, kind=DocumentKind.OUTCOME, principal=BOARD, now=IN_WINDOW)


def test_a_completed_enquiry_cannot_change():
    """EAR-09, EAR-14: nothing moves a Completed enquiry."""
    enquiry = acknowledged(submitted(draft("1")).enquiry)
    done = wf.record_outcome(
        POLICY, enquiry, outcome=outcome_for(enquiry), principal=BOARD, now=IN_WINDOW
    ).enquiry
    for step in (
        lambda: cancel(POLICY, done, principal=OFFICER, now=IN_WINDOW),
        lambda: amend(
            POLICY, done, facts=facts(), others=(), service="2", principal=OFFICER, now=IN_WINDOW
        ),
        lambda: wf.record_outcome(
            POLICY, done, outcome=outcome_for(done), principal=BOARD, now=IN_WINDOW
        ),
    ):
        with pytest.raises(EnquiryRefused):
            step()


# --- EAR-11: the note -------------------------------------------------------------------------


def test_an_empty_note_is_filled_with_series_syllabus_and_enquiry_number():
    """EAR-11: left empty, the note becomes series, syllabus and enquiry number."""
    sent = submitted(draft()).enquiry
    assert sent.note is None
    assert sent.display_note == "June 2023 0580 (no enquiry number yet)"
    received = wf.receive(POLICY, sent, number="E23-7", principal=BOARD, now=IN_WINDOW).enquiry
    assert received.note == "June 2023 0580 E23-7"


def test_a_note_the_centre_wrote_is_kept():
    """EAR-11: the note is the centre's reference, e.g. the candidate's name."""
    sent = submitted(draft(note="Chloé Dubois")).enquiry
    received = wf.receive(POLICY, sent, number="E23-7", principal=BOARD, now=IN_WINDOW).enquiry
    assert received.note == "Chloé Dubois"


# --- EAR-12: the candidate filter ------------------------------------------------------------


def test_the_candidate_filter_finds_0713_from_713():
    """EAR-12: a candidate number typed without its leading zero finds the candidate."""
    e713 = draft(candidates=("0713",))
    other = draft(candidates=("1713",))
    assert filter_by_candidate((e713, other), "713") == (e713,)
    assert filter_by_candidate((e713, other), "0713") == (e713,)
    with pytest.raises(InvalidValue):
        filter_by_candidate((e713,), "\uff17\uff11\uff13")  # full-width 713


@settings(max_examples=50, deadline=None)
@given(number=st.integers(min_value=0, max_value=9999))
def test_the_candidate_filter_accepts_any_number_with_or_without_leading_zeros(number):
    """EAR-12: the typed number with its leading zeros dropped finds the same enquiries."""
    full = f"{number:04d}"
    enquiry = attrs.evolve(draft(), candidates=(full,))
    assert filter_by_candidate((enquiry,), str(number)) == (enquiry,)


# --- EAR-13: Pending ----------------------------------------------------------------------------


def test_a_group_report_waits_for_open_enquiries_on_its_candidates():
    """EAR-13: service 9 with candidates who have open enquiries is Pending, then Submitted."""
    individual = submitted(draft("1", candidates=("0003",))).enquiry
    group = submitted(
        draft("9", candidates=GROUP), others=(individual,), now=IN_WINDOW.add(minutes=5)
    )
    assert group.enquiry.status is EnquiryStatus.PENDING
    assert group.kinds == (EventKind.SUBMITTED, EventKind.PENDING)
    assert group.events[1].details_dict == {"waiting_for": individual.id}
    assert [w.code for w in group.warnings] == ["EAR-13.open-enquiries"]
    with pytest.raises(EnquiryRefused) as refused:
        wf.end_pending(POLICY, group.enquiry, others=(individual,), principal=BOARD, now=IN_WINDOW)
    assert refused.value.codes == ("EAR-13.still-waiting",)
    with pytest.raises(EnquiryRefused) as refused:
        wf.receive(POLICY, group.enquiry, number="E1", principal=BOARD, now=IN_WINDOW)
    assert refused.value.codes == ("EAR-13.pending",)
    done = wf.record_outcome(
        POLICY,
        acknowledged(individual),
        outcome=outcome_for(individual),
        principal=BOARD,
        now=IN_WINDOW.add(days=3),
    ).enquiry
    moved = wf.release_ready(
        POLICY, (done, group.enquiry), principal=BOARD, now=IN_WINDOW.add(days=3)
    )
    assert [t.enquiry.status for t in moved] == [EnquiryStatus.SUBMITTED]
    assert moved[0].enquiry.queued_at == IN_WINDOW.add(days=3)


def test_an_enquiry_after_a_group_report_waits_for_the_report():
    """EAR-13: an enquiry on a candidate of an open service 9 group is Pending until it is done."""
    group = submitted(draft("9", candidates=GROUP)).enquiry
    later = submitted(draft("2", candidates=("0004",)), others=(group,), now=IN_WINDOW.add(hours=1))
    assert later.enquiry.status is EnquiryStatus.PENDING
    assert "group enquiry" in later.warnings[0].message


def test_service_five_waits_for_other_enquiries_on_its_sample():
    """EAR-13: service 5 likewise waits for other enquiries on the group."""
    physics = facts(PHYSICS)
    individual = submitted(
        draft("1", syllabus=PHYSICS, components=("22",), candidates=("0004",)),
        syllabus_facts=physics,
    ).enquiry
    whole = draft("5", syllabus=PHYSICS, components=("04",), candidates=(), whole_group=True)
    sent = submitted(
        whole, syllabus_facts=physics, others=(individual,), now=IN_WINDOW.add(hours=1)
    )
    assert sent.enquiry.status is EnquiryStatus.PENDING


def test_a_cancelled_blocker_releases_the_waiting_enquiry():
    """EAR-13, EAR-14: a cancelled enquiry is no longer waited for."""
    individual = submitted(draft("1", candidates=("0003",))).enquiry
    group = submitted(
        draft("9", candidates=GROUP), others=(individual,), now=IN_WINDOW.add(hours=1)
    )
    gone = cancel(POLICY, individual, principal=OFFICER, now=IN_WINDOW.add(hours=2)).enquiry
    moved = wf.release_ready(
        POLICY, (gone, group.enquiry), principal=BOARD, now=IN_WINDOW.add(hours=2)
    )
    assert [t.kinds for t in moved] == [(EventKind.PENDING_ENDED,)]


def test_unrelated_enquiries_do_not_make_each_other_wait():
    """EAR-13: two individual enquiries on different candidates are both Submitted."""
    one = submitted(draft("1", candidates=("0001",))).enquiry
    two = submitted(draft("1", candidates=("0002",)), others=(one,)).enquiry
    assert two.status is EnquiryStatus.SUBMITTED


# --- EAR-08: order and due dates ---------------------------------------------------------------


def test_enquiries_are_processed_in_the_order_received():
    """EAR-08: first arrived, first processed; drafts are not in the queue."""
    first = submitted(draft(candidates=("0003",)), now=IN_WINDOW.add(hours=2)).enquiry
    second = submitted(draft(candidates=("0001",)), now=IN_WINDOW.add(hours=3)).enquiry
    zeroth = submitted(draft(candidates=("0002",)), now=IN_WINDOW.add(hours=1)).enquiry
    assert processing_order((second, draft(), first, zeroth)) == (zeroth, first, second)


def test_the_outcome_is_due_30_days_after_receipt():
    """EAR-08: the outcome is normally communicated within 30 days of receipt: by the end of
    the 30th day after the day it was received (London)."""
    received = wf.receive(
        POLICY, submitted(draft()).enquiry, number="E1", principal=BOARD, now=IN_WINDOW
    )
    assert due_at(POLICY, received.enquiry) == pendulum.datetime(2023, 10, 2, tz="Europe/London")
    assert due_at(POLICY, submitted(draft()).enquiry) is None


def test_a_priority_service_is_due_in_18_days():
    """EAR-21: the example priority service 2P is completed within 18 days."""
    policy = example_2026()
    enquiry = attrs.evolve(
        draft(), series=ExamSeries.parse("June 2026"), service="2P", received_at=IN_WINDOW
    )
    assert due_at(policy, enquiry) == pendulum.datetime(2023, 9, 20, tz="Europe/London")


def test_thirty_days_are_calendar_days_in_london_across_the_clock_change():
    """EAR-08 decision: day periods are calendar days in London, to the end of the last one,
    across a daylight-saving change."""
    at = pendulum.datetime(2023, 10, 10, 9, 0, tz="Europe/London")
    enquiry = attrs.evolve(
        submitted(draft()).enquiry, received_at=at, status=EnquiryStatus.RECEIVED
    )
    due = due_at(POLICY, enquiry)
    assert due == pendulum.datetime(2023, 11, 10, tz="Europe/London")
    assert (due.in_timezone("Europe/London").hour, due.in_timezone("UTC").hour) == (0, 0)


# --- EAR-18: overdue numbers and acknowledgements ----------------------------------------------


def test_an_enquiry_number_is_overdue_24_hours_after_submitting():
    """EAR-18: no number within 24 hours of submitting: the centre should contact the board."""
    sent = submitted(draft()).enquiry
    assert overdue(POLICY, (sent,), IN_WINDOW.add(hours=23, minutes=59)) == ()
    found = overdue(POLICY, (sent,), IN_WINDOW.add(hours=24))
    assert [(o.kind, o.since) for o in found] == [
        (OverdueKind.ENQUIRY_NUMBER, IN_WINDOW.add(hours=24))
    ]


def test_an_acknowledgement_is_overdue_after_two_working_days():
    """EAR-18: no Ack after two working days of submitting (Friday 09:00 to Tuesday 09:00)."""
    friday = pendulum.datetime(2023, 9, 1, 9, 0, tz="Europe/London")
    received = wf.receive(
        POLICY, submitted(draft(), now=friday).enquiry, number="E1", principal=BOARD, now=friday
    ).enquiry
    tuesday = pendulum.datetime(2023, 9, 5, 9, 0, tz="Europe/London")
    assert overdue(POLICY, (received,), tuesday.subtract(seconds=1)) == ()
    assert [o.kind for o in overdue(POLICY, (received,), tuesday)] == [OverdueKind.ACKNOWLEDGEMENT]
    acked = wf.acknowledge(POLICY, received, principal=BOARD, now=tuesday).enquiry
    assert overdue(POLICY, (acked,), tuesday.add(days=10)) == ()


def test_pending_enquiries_are_not_overdue():
    """EAR-18 decision: a Pending enquiry waits on purpose."""
    individual = submitted(draft("1", candidates=("0003",))).enquiry
    group = submitted(draft("9", candidates=GROUP), others=(individual,)).enquiry
    assert [o.enquiry_id for o in overdue(POLICY, (group,), IN_WINDOW.add(days=9))] == []


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ("2023-09-04T10:00", "2023-09-06T10:00"),  # Monday to Wednesday
        ("2023-09-07T10:00", "2023-09-11T10:00"),  # Thursday to Monday
        ("2023-09-08T15:00", "2023-09-12T15:00"),  # Friday to Tuesday
        ("2023-09-09T10:00", "2023-09-13T00:00"),  # Saturday: counts from Monday 00:00
        ("2023-10-27T10:00", "2023-10-31T10:00"),  # Friday across the clocks going back
        ("2024-03-29T01:30", "2024-04-02T01:30"),  # 01:30 does not exist on that Sunday
    ],
)
def test_working_days_are_monday_to_friday_in_london(start, expected):
    """EAR-18 decision: a working day is Monday to Friday in the policy's time zone."""
    tz = "Europe/London"
    got = add_working_days(pendulum.parse(start, tz=tz), 2, tz)
    assert got == pendulum.parse(expected, tz=tz)


@settings(max_examples=60, deadline=None)
@given(
    start=st.datetimes(
        min_value=pendulum.datetime(2023, 1, 1).naive(),
        max_value=pendulum.datetime(2024, 12, 31).naive(),
        timezones=st.just(pendulum.timezone("UTC")),
    ),
    days=st.integers(min_value=0, max_value=10),
)
def test_adding_working_days_skips_weekends_and_counts_exactly(start, days):
    """EAR-18: the result is a weekday (for days > 0) with exactly ``days`` weekdays passed."""
    tz = "Europe/London"
    begin = pendulum.instance(start).in_timezone("UTC")
    end = add_working_days(begin, days, tz)
    assert end >= begin
    local_end = end.in_timezone(tz)
    if days:
        assert local_end.weekday() < 5
    day = begin.in_timezone(tz).date()
    passed = 0
    while day < local_end.date():
        day = day.add(days=1)
        passed += day.weekday() < 5 and day <= local_end.date()
    weekend_start = begin.in_timezone(tz).weekday() >= 5
    assert passed == days or (weekend_start and passed == days + 1 and local_end.hour == 0)
