"""The board's side of an outcome: tolerance and consistency (EAR-23, EAR-15).

A reviewed mark replaces the original only when it differs by more than the
component's tolerance; a clerical error (a part left unmarked, a wrong total
or a mark recorded wrongly) is corrected whatever its size, since no
judgement is involved.  The outcome records marks and grades before and
after, and whether the syllabus grade changed, which waives the fee and
makes an updated statement of results due (EAR-15).
"""

from __future__ import annotations

from cambridge_results.decisions import Decision, Reason
from cambridge_results.errors import InvalidValue
from cambridge_results.values import Component
from cambridge_results.values.enquiry import Enquiry
from cambridge_results.values.outcome import ComponentResult, Outcome

__all__ = ["check_outcome", "review_component"]


def review_component(
    component: Component, *, before: int, reviewed: int, clerical_error: bool = False
) -> ComponentResult:
    """The result of reviewing one component's mark: the tolerance decides (EAR-23).

    >>> from cambridge_results.values import AssessedBy, Component
    >>> paper = Component(code="42", name="Theory", assessed_by=AssessedBy.BOARD, tolerance=2)
    >>> review_component(paper, before=50, reviewed=52).mark_after
    50
    >>> review_component(paper, before=50, reviewed=53).mark_after
    53
    """
    for name, mark in (("before", before), ("reviewed", reviewed)):
        if (
            isinstance(mark, bool)
            or not isinstance(mark, int)
            or not 0 <= mark <= component.max_mark
        ):
            raise InvalidValue(
                name,
                f"must be a mark from 0 to {component.max_mark} for {component.code}",
                rule="EAR-23",
            )
    beyond = abs(reviewed - before) > component.tolerance
    return ComponentResult(
        component=component.code,
        mark_before=before,
        mark_reviewed=reviewed,
        mark_after=reviewed if clerical_error or beyond else before,
        tolerance=component.tolerance,
        clerical_error=clerical_error,
    )


def check_outcome(enquiry: Enquiry, outcome: Outcome) -> Decision:
    """An outcome may speak only of the enquiry's candidates and components (EAR-03, EAR-23)."""
    reasons: list[Reason] = []
    for o in outcome.candidates:
        if o.candidate not in enquiry.candidates:
            reasons.append(
                Reason(
                    code="EAR-23.candidate-not-in-enquiry",
                    message=f"candidate {o.candidate} is not in enquiry {enquiry.id}",
                )
            )
        for r in o.components:
            if r.component not in enquiry.components:
                reasons.append(
                    Reason(
                        code="EAR-23.component-not-in-enquiry",
                        message=f"component {r.component} is not in enquiry {enquiry.id}",
                    )
                )
    return Decision(reasons=tuple(reasons))
