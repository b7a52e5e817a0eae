"""The board's side: tolerance, marks and grades before and after, extensions (EAR-15, 17, 23)."""

from __future__ import annotations

import pytest
from ear_board import BOARD, IN_WINDOW, MATHS, OFFICER, POLICY, acknowledged, draft, submitted
from hypothesis import given, settings
from hypothesis import strategies as st

from cambridge_results.enquiries import (
    CandidateOutcome,
    ComponentResult,
    EnquiryStatus,
    EventKind,
    Outcome,
)
from cambridge_results.errors import EnquiryRefused, InvalidValue
from cambridge_results.rules.enquiries import workflow as wf
from cambridge_results.rules.enquiries.extensions import extend
from cambridge_results.rules.enquiries.outcomes import check_outcome, review_component
from cambridge_results.values import AssessedBy, Component

PAPER = Component(code="12", name="Paper 1", assessed_by=AssessedBy.BOARD, max_mark=80, tolerance=2)


def test_a_review_within_the_tolerance_leaves_the_mark():
    """EAR-23: a mark changes only when the review differs by more than the tolerance."""
    result = review_component(PAPER, before=50, reviewed=52)
    assert (result.mark_before, result.mark_reviewed, result.mark_after) == (50, 52, 50)
    assert not result.changed


def test_a_review_beyond_the_tolerance_changes_the_mark():
    """EAR-23: 3 marks more with a tolerance of 2 changes the mark, up or down."""
    assert review_component(PAPER, before=50, reviewed=53).mark_after == 53
    assert review_component(PAPER, before=50, reviewed=47).mark_after == 47


def test_a_clerical_error_is_corrected_whatever_its_size():
    """EAR-23 decision: a clerical correction involves no judgement, so no tolerance."""
    assert review_component(PAPER, before=50, reviewed=51, clerical_error=True).mark_after == 51


@settings(max_examples=100, deadline=None)
@given(
    before=st.integers(min_value=0, max_value=80),
    reviewed=st.integers(min_value=0, max_value=80),
    tolerance=st.integers(min_value=0, max_value=10),
)
def test_the_mark_after_is_the_review_exactly_when_it_differs_by_more_than_the_tolerance(
    before, reviewed, tolerance
):
    """EAR-23: after == reviewed exactly when abs(reviewed - before) > tolerance."""
    component = Component(
        code="12", name="P", assessed_by=AssessedBy.BOARD, max_mark=80, tolerance=tolerance
    )
    result = review_component(component, before=before, reviewed=reviewed)
    beyond = abs(reviewed - before) > tolerance
    assert result.mark_after == (reviewed if beyond else before)
    assert result.changed is (beyond and reviewed != before)


def test_a_result_that_ignores_the_tolerance_cannot_exist():
    """EAR-23: the value itself refuses a mark moved within the tolerance."""
    with pytest.raises(InvalidValue) as bad:
        ComponentResult(
            component="12", mark_before=50, mark_reviewed=51, mark_after=51, tolerance=2
        )
    assert bad.value.rule == "EAR-23"


def test_marks_above_the_maximum_are_refused():
    """EAR-23: a reviewed mark is a mark of the component."""
    with pytest.raises(InvalidValue):
        review_component(PAPER, before=50, reviewed=81)


def test_a_grade_cannot_change_when_no_mark_changed():
    """EAR-23: the syllabus grade follows the marks."""
    same = review_component(PAPER, before=50, reviewed=51)
    with pytest.raises(InvalidValue) as bad:
        CandidateOutcome(candidate="0001", components=(same,), grade_before="C", grade_after="B")
    assert bad.value.rule == "EAR-23"


def test_an_outcome_records_grades_before_and_after_and_whether_the_grade_changed():
    """EAR-23, EAR-15: the outcome says whether the syllabus grade changed."""
    up = review_component(PAPER, before=50, reviewed=56)
    changed = CandidateOutcome(
        candidate="0001", components=(up,), grade_before="C", grade_after="B"
    )
    assert changed.grade_changed
    assert changed.marks_changed
    outcome = Outcome(candidates=(changed,), recorded_at=IN_WINDOW)
    assert outcome.grade_changed
    assert [str(c) for c in outcome.statements_due] == ["0001"]
    kept = CandidateOutcome(candidate="0001", components=(up,), grade_before="C", grade_after="C")
    assert not Outcome(candidates=(kept,), recorded_at=IN_WINDOW).grade_changed


def test_a_grade_change_makes_an_updated_statement_of_results_due():
    """EAR-15: recording an outcome that changes the grade emits statement-of-results-due."""
    enquiry = acknowledged(submitted(draft("2")).enquiry)
    up = review_component(MATHS.components[0], before=50, reviewed=60)
    outcome = Outcome(
        candidates=(
            CandidateOutcome(candidate="0001", components=(up,), grade_before="C", grade_after="B"),
        ),
        recorded_at=IN_WINDOW,
    )
    done = wf.record_outcome(POLICY, enquiry, outcome=outcome, principal=BOARD, now=IN_WINDOW)
    assert done.kinds == (EventKind.OUTCOME_RECORDED, EventKind.STATEMENT_DUE, EventKind.COMPLETED)
    assert done.events[1].details_dict == {"candidates": "0001"}
    assert done.events[0].details_dict["grade_changed"] == "True"


def test_an_outcome_speaks_only_of_the_enquirys_candidates_and_components():
    """EAR-23: an outcome for another candidate or component is refused."""
    enquiry = acknowledged(submitted(draft("2", components=("12",))).enquiry)
    other = review_component(MATHS.components[1], before=50, reviewed=50)
    outcome = Outcome(
        candidates=(
            CandidateOutcome(
                candidate="0002", components=(other,), grade_before="C", grade_after="C"
            ),
        ),
        recorded_at=IN_WINDOW,
    )
    assert set(check_outcome(enquiry, outcome).codes) == {
        "EAR-23.candidate-not-in-enquiry",
        "EAR-23.component-not-in-enquiry",
    }
    with pytest.raises(EnquiryRefused):
        wf.record_outcome(POLICY, enquiry, outcome=outcome, principal=BOARD, now=IN_WINDOW)


# --- EAR-17: extensions ------------------------------------------------------------------------


def test_only_the_board_can_extend_an_enquiry_to_other_candidates():
    """EAR-17: a centre cannot ask for an extension."""
    enquiry = acknowledged(submitted(draft()).enquiry)
    with pytest.raises(EnquiryRefused) as refused:
        extend(
            POLICY,
            enquiry,
            candidates=("0002",),
            reason="same marker",
            principal=OFFICER,
            now=IN_WINDOW,
        )
    assert refused.value.codes == ("EAR-17.board-only",)


def test_the_board_extends_a_completed_enquiry_without_changing_it():
    """EAR-17: an extension is its own record; the completed enquiry stays as it was."""
    enquiry = acknowledged(submitted(draft("1")).enquiry)
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
    assert done.status is EnquiryStatus.COMPLETED
    extension, event = extend(
        POLICY,
        done,
        candidates=("2", "0003"),
        reason="the same examiner marked these scripts",
        principal=BOARD,
        now=IN_WINDOW.add(days=2),
    )
    assert [str(c) for c in extension.candidates] == ["0002", "0003"]
    assert event.kind is EventKind.EXTENDED
    assert event.enquiry_id == done.id
    assert extension.by == "board:j.smith"


def test_an_extension_names_other_candidates_and_needs_the_board_to_have_the_enquiry():
    """EAR-17: not the enquiry's own candidate, and not before the board received it."""
    sent = submitted(draft()).enquiry
    with pytest.raises(EnquiryRefused) as refused:
        extend(POLICY, sent, candidates=("0001",), reason="why", principal=BOARD, now=IN_WINDOW)
    assert set(refused.value.codes) == {"EAR-09.illegal-transition", "EAR-17.already-in-enquiry"}
