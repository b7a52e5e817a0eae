"""What the board holds about a syllabus, read by the eligibility rules (EAR-01..EAR-05).

The store (or a test) gathers these facts; the rules only read them.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from cambridge_results._checks import instance
from cambridge_results.errors import InvalidValue
from cambridge_results.values import (
    CandidateNumber,
    ComponentCode,
    Entry,
    Grade,
    Mark,
    Qualification,
    Syllabus,
)
from cambridge_results.values.identifiers import as_component_code

__all__ = ["CandidateResults", "ModerationSample", "SyllabusFacts"]


def _marks(values: Iterable[Mark]) -> tuple[Mark, ...]:
    marks = tuple(values)
    if not all(isinstance(m, Mark) for m in marks):
        raise InvalidValue("results.marks", "must all be Mark objects")
    codes = [m.component for m in marks]
    if len(set(codes)) != len(codes):
        raise InvalidValue("results.marks", "one mark per component")
    return marks


def _optional_grade(value: object) -> Grade | None:
    return None if value is None else Grade.parse(value)


@attrs.frozen(kw_only=True)
class CandidateResults:
    """One candidate's entry for the syllabus, component marks and syllabus grade."""

    entry: Entry = attrs.field(validator=instance("entry", Entry))
    marks: tuple[Mark, ...] = attrs.field(default=(), converter=_marks)
    grade: Grade | None = attrs.field(default=None, converter=_optional_grade)

    @property
    def candidate(self) -> CandidateNumber:
        """The candidate's number."""
        return self.entry.candidate

    def mark(self, component: ComponentCode) -> Mark | None:
        """The candidate's mark for a component, if the board holds one."""
        for m in self.marks:
            if m.component == component:
                return m
        return None


def _numbers(values: Iterable[object]) -> tuple[CandidateNumber, ...]:
    return tuple(CandidateNumber.parse(v) for v in values)


@attrs.frozen(kw_only=True)
class ModerationSample:
    """The candidates whose work was in the original moderation sample of a component (EAR-01)."""

    component: ComponentCode = attrs.field(converter=as_component_code)
    candidates: tuple[CandidateNumber, ...] = attrs.field(converter=_numbers)


def _results(values: Iterable[CandidateResults]) -> tuple[CandidateResults, ...]:
    results = tuple(values)
    numbers = [r.candidate for r in results]
    if len(set(numbers)) != len(numbers):
        raise InvalidValue("facts.results", "one result per candidate")
    return results


def _samples(values: Iterable[ModerationSample]) -> tuple[ModerationSample, ...]:
    return tuple(values)


@attrs.frozen(kw_only=True)
class SyllabusFacts:
    """Everything the eligibility rules read about one syllabus at one centre in one series."""

    qualification: Qualification = attrs.field(validator=instance("qualification", Qualification))
    syllabus: Syllabus = attrs.field(validator=instance("syllabus", Syllabus))
    results: tuple[CandidateResults, ...] = attrs.field(default=(), converter=_results)
    moderation_samples: tuple[ModerationSample, ...] = attrs.field(default=(), converter=_samples)
    # The results by candidate, built once: the eligibility rules look them up per candidate.
    _by_candidate: dict[CandidateNumber, CandidateResults] = attrs.field(
        init=False, eq=False, repr=False, hash=False
    )

    def __attrs_post_init__(self) -> None:
        if self.syllabus.qualification != self.qualification.code:
            raise InvalidValue(
                "facts.qualification",
                f"syllabus {self.syllabus.code} belongs to {self.syllabus.qualification}, "
                f"not {self.qualification.code}",
            )
        for r in self.results:
            if r.entry.syllabus != self.syllabus.code:
                raise InvalidValue("facts.results", f"entry for {r.entry.syllabus} given")
        object.__setattr__(self, "_by_candidate", {r.candidate: r for r in self.results})

    def results_for(self, candidate: CandidateNumber) -> CandidateResults | None:
        """A candidate's results, or ``None`` when the candidate has no entry."""
        return self._by_candidate.get(candidate)

    def sample(self, component: ComponentCode) -> tuple[CandidateNumber, ...]:
        """The original moderation sample of a component (empty if none was taken)."""
        for s in self.moderation_samples:
            if s.component == component:
                return s.candidates
        return ()
