"""Two-stage appeals after an enquiry's outcome (EAR-20)."""

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
    OTHER_OFFICER,
    POLICY,
    acknowledged,
    draft,
    facts,
    submitted,
)

from cambridge_results.enquiries import CandidateOutcome, DocumentKind, Outcome
from cambridge_results.errors import EnquiryRefused
from cambridge_results.rules.enquiries import workflow as wf
from cambridge_results.rules.enquiries.appeals import (
    issue_decision_letter,
    lodge_stage_one,
    lodge_stage_two,
    stage_two_closes,
)
from cambridge_results.rules.enquiries.associates import approve
from cambridge_results.values.appeal import AppealStage

OUTCOME_AT = pendulum.datetime(2023, 10, 2, 9, tz="UTC")
NEXT_DAY = OUTCOME_AT.add(days=1)


def with_outcome(enquiry):
    return wf.record_outcome(
        POLICY,
        enquiry,
        outcome=Outcome(
            candidates=tuple(
                CandidateOutcome(candidate=c, grade_before="C", grade_after="C")
                for c in enquiry.candidates
            ),
            recorded_at=OUTCOME_AT,
        ),
        principal=BOARD,
        now=OUTCOME_AT,
    ).enquiry


def lodge(enquiry, principal=OFFICER, signed=True, now=NEXT_DAY):
    return lodge_stage_one(
        POLICY,
        enquiry,
        appeal_id="a-1",
        signed_by_head_of_centre=signed,
        principal=principal,
        now=now,
    )


def test_a_stage_one_appeal_follows_an_outcome_and_is_decided_within_28_days():
    """EAR-20: stage 1 after an outcome; the decision is due by the end of the 28th day."""
    enquiry = with_outcome(acknowledged(submitted(draft("2")).enquiry))
    appeal, event = lodge(enquiry)
    assert appeal.stage is AppealStage.ONE
    # Lodged on 3 October (London): due by the end of 31 October, after the clocks go back.
    lodged = OUTCOME_AT.add(days=1)
    assert lodged.in_timezone("Europe/London").date() == pendulum.date(2023, 10, 3)
    assert appeal.decision_due == pendulum.datetime(2023, 11, 1, tz="Europe/London")
    assert event.details_dict["appeal"] == "a-1"


def test_a_copy_of_the_script_alone_does_not_qualify_for_an_appeal():
    """EAR-20: without an outcome (only a Cos uploaded) there is nothing to appeal."""
    enquiry = acknowledged(submitted(draft("1S")).enquiry)
    with_copy = wf.upload_document(
        POLICY, enquiry, kind=DocumentKind.COPY_OF_SCRIPT, principal=BOARD, now=OUTCOME_AT
    ).enquiry
    with pytest.raises(EnquiryRefused) as refused:
        lodge(with_copy)
    assert refused.value.codes == ("EAR-20.no-outcome",)


def test_an_appeal_is_signed_by_the_head_of_centre_and_made_by_the_centre():
    """EAR-20: unsigned appeals and appeals by others are refused, with every reason."""
    enquiry = with_outcome(acknowledged(submitted(draft("2")).enquiry))
    with pytest.raises(EnquiryRefused) as refused:
        lodge(enquiry, principal=OTHER_OFFICER, signed=False)
    assert set(refused.value.codes) == {"EAR-20.centre-only", "EAR-20.not-signed"}
    with pytest.raises(EnquiryRefused):
        lodge(enquiry, principal=BOARD)


def test_associate_centres_appeal_through_their_associate():
    """EAR-20: an Associate Centre's appeal is made by its Associate."""
    waiting = submitted(
        draft("2", centre=ASSOCIATE_CENTRE), syllabus_facts=facts(centre=ASSOCIATE_CENTRE)
    ).enquiry
    enquiry = with_outcome(
        acknowledged(
            approve(POLICY, waiting, others=(), principal=ASSOCIATE, now=IN_WINDOW).enquiry
        )
    )
    with pytest.raises(EnquiryRefused) as refused:
        lodge(enquiry, principal=AC_OFFICER)
    assert refused.value.codes == ("EAR-20.through-associate",)
    appeal, _ = lodge(enquiry, principal=ASSOCIATE)
    assert appeal.lodged_by == "associate:NG900"


def test_stage_two_is_asked_for_within_14_days_of_the_stage_one_letter():
    """EAR-20: stage 2 within 14 days of the stage 1 letter, half-open."""
    enquiry = with_outcome(acknowledged(submitted(draft("2")).enquiry))
    appeal, _ = lodge(enquiry)
    letter_at = OUTCOME_AT.add(days=20)
    with pytest.raises(EnquiryRefused) as refused:
        lodge_stage_two(
            POLICY,
            appeal,
            enquiry=enquiry,
            appeal_id="a-2",
            signed_by_head_of_centre=True,
            principal=OFFICER,
            now=letter_at,
        )
    assert refused.value.codes == ("EAR-20.no-stage-one-decision",)
    decided, _ = issue_decision_letter(POLICY, appeal, principal=BOARD, now=letter_at)
    closes = stage_two_closes(POLICY, decided)
    # SPEC's decision on EAR-20: "within 14 days" runs to the end of the 14th day after the
    # letter's day, in London (across the end of summer time), whatever the letter's hour.
    letter_day = letter_at.in_timezone("Europe/London").date()
    last = letter_day.add(days=14)
    assert closes == pendulum.datetime(last.year, last.month, last.day, tz="Europe/London").add(
        days=1
    )
    assert closes.in_timezone("Europe/London").hour == 0
    second, _ = lodge_stage_two(
        POLICY,
        decided,
        enquiry=enquiry,
        appeal_id="a-2",
        signed_by_head_of_centre=True,
        principal=OFFICER,
        now=closes.subtract(seconds=1),
    )
    assert (second.stage, second.follows) == (AppealStage.TWO, "a-1")
    with pytest.raises(EnquiryRefused) as refused:
        lodge_stage_two(
            POLICY,
            decided,
            enquiry=enquiry,
            appeal_id="a-2",
            signed_by_head_of_centre=True,
            principal=OFFICER,
            now=closes,
        )
    assert refused.value.codes == ("EAR-20.stage-two-too-late",)


def test_only_the_board_issues_the_decision_letter_and_only_once():
    """EAR-20: the decision letter is the board's, issued once."""
    enquiry = with_outcome(acknowledged(submitted(draft("2")).enquiry))
    appeal, _ = lodge(enquiry)
    with pytest.raises(EnquiryRefused) as refused:
        issue_decision_letter(POLICY, appeal, principal=OFFICER, now=OUTCOME_AT)
    assert refused.value.codes == ("EAR-20.board-only",)
    decided, _ = issue_decision_letter(POLICY, appeal, principal=BOARD, now=OUTCOME_AT)
    with pytest.raises(EnquiryRefused) as refused:
        issue_decision_letter(POLICY, decided, principal=BOARD, now=OUTCOME_AT)
    assert refused.value.codes == ("EAR-20.letter-already-issued",)


def test_stage_two_on_the_fourteenth_day_is_in_time_whatever_the_hour() -> None:
    """EAR-20 (SPEC's decision): a stage 2 appeal lodged late on the 14th day after the stage 1
    letter is in time, even after the letter's clock time; the next day is too late."""
    enquiry = with_outcome(acknowledged(submitted(draft("2")).enquiry))
    appeal, _ = lodge(enquiry)
    letter_at = pendulum.datetime(2023, 10, 20, 16, 0, tz="Europe/London")
    decided, _ = issue_decision_letter(POLICY, appeal, principal=BOARD, now=letter_at)

    def lodge_two(now: pendulum.DateTime) -> object:
        return lodge_stage_two(
            POLICY,
            decided,
            enquiry=enquiry,
            appeal_id="a-2",
            signed_by_head_of_centre=True,
            principal=OFFICER,
            now=now,
        )

    late_on_day_14 = pendulum.datetime(2023, 11, 3, 23, 30, tz="Europe/London")
    second, _ = lodge_two(late_on_day_14)  # type: ignore[misc]
    assert second.stage is AppealStage.TWO
    with pytest.raises(EnquiryRefused) as refused:
        lodge_two(pendulum.datetime(2023, 11, 4, 0, 0, tz="Europe/London"))
    assert refused.value.codes == ("EAR-20.stage-two-too-late",)
