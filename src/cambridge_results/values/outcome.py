"""What an enquiry found: marks and grades before and after (EAR-15, EAR-23).

The values check EAR-23 themselves, so an outcome that moved a mark by no
more than the component's tolerance, or changed a grade without changing a
mark, cannot exist.  :mod:`cambridge_results.rules.enquiries.outcomes` builds them.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs
import pendulum

from cambridge_results._checks import flag
from cambridge_results.errors import InvalidValue
from cambridge_results.values import CandidateNumber, ComponentCode, Grade
from cambridge_results.values.identifiers import as_candidate_number, as_component_code
from cambridge_results.values.instants import parse_instant

__all__ = ["CandidateOutcome", "ComponentResult", "Outcome"]


def _whole(_: object, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidValue(attribute.name, "must be a whole number of at least 0", rule="EAR-23")


def _grade(value: object) -> Grade:
    return Grade.parse(value)


@attrs.frozen(kw_only=True)
class ComponentResult:
    """A component's mark before the enquiry, as reviewed, and after (EAR-23).

    ``mark_after`` is the reviewed mark when it differs from the original by
    more than ``tolerance``, or when the change corrects a clerical error
    (marks missed, totalled or recorded wrongly: no judgement, so no
    tolerance); otherwise the original mark stands.
    """

    component: ComponentCode = attrs.field(converter=as_component_code)
    mark_before: int = attrs.field(validator=_whole)
    mark_reviewed: int = attrs.field(validator=_whole)
    mark_after: int = attrs.field(validator=_whole)
    tolerance: int = attrs.field(validator=_whole)
    clerical_error: bool = attrs.field(default=False, validator=flag("clerical_error"))

    def __attrs_post_init__(self) -> None:
        expected = (
            self.mark_reviewed
            if self.clerical_error or abs(self.mark_reviewed - self.mark_before) > self.tolerance
            else self.mark_before
        )
        if self.mark_after != expected:
            raise InvalidValue(
                "mark_after",
                f"must be {expected}: a mark changes only when the review differs by more "
                f"than the tolerance of {self.tolerance}",
                rule="EAR-23",
            )

    @property
    def changed(self) -> bool:
        """True when the enquiry changed this component's mark."""
        return self.mark_after != self.mark_before


def _results(values: Iterable[ComponentResult]) -> tuple[ComponentResult, ...]:
    results = tuple(values)
    codes = [r.component for r in results]
    if len(set(codes)) != len(codes):
        raise InvalidValue("outcome.components", "each component appears once", rule="EAR-23")
    return results


@attrs.frozen(kw_only=True)
class CandidateOutcome:
    """One candidate's outcome: component results and the syllabus grade before and after."""

    candidate: CandidateNumber = attrs.field(converter=as_candidate_number)
    components: tuple[ComponentResult, ...] = attrs.field(default=(), converter=_results)
    grade_before: Grade = attrs.field(converter=_grade)
    grade_after: Grade = attrs.field(converter=_grade)

    def __attrs_post_init__(self) -> None:
        # Without reviewed components (an X/Q enquiry) the grade may change on
        # evidence alone; with them, only a changed mark can change the grade.
        if self.components and self.grade_changed and not self.marks_changed:
            raise InvalidValue(
                "grade_after",
                "the syllabus grade cannot change when no component mark changed",
                rule="EAR-23",
            )

    @property
    def marks_changed(self) -> bool:
        """True when any component mark changed."""
        return any(r.changed for r in self.components)

    @property
    def grade_changed(self) -> bool:
        """True when the syllabus grade changed (EAR-15: the fee is waived)."""
        return self.grade_after != self.grade_before


def _candidates(values: Iterable[CandidateOutcome]) -> tuple[CandidateOutcome, ...]:
    outcomes = tuple(values)
    numbers = [o.candidate for o in outcomes]
    if len(set(numbers)) != len(numbers):
        raise InvalidValue("outcome.candidates", "each candidate appears once", rule="EAR-23")
    return outcomes


def _instant(value: object) -> pendulum.DateTime:
    return parse_instant(value)


@attrs.frozen(kw_only=True)
class Outcome:
    """The outcome of one enquiry; a service 9 report outcome has no candidates."""

    candidates: tuple[CandidateOutcome, ...] = attrs.field(default=(), converter=_candidates)
    recorded_at: pendulum.DateTime = attrs.field(converter=_instant)

    @property
    def grade_changed(self) -> bool:
        """True when any candidate's syllabus grade changed (EAR-15 waives the fee)."""
        return any(o.grade_changed for o in self.candidates)

    @property
    def statements_due(self) -> tuple[CandidateNumber, ...]:
        """Candidates due an updated statement of results: their grade changed (EAR-15)."""
        return tuple(o.candidate for o in self.candidates if o.grade_changed)
