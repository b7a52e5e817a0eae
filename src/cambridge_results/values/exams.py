"""What candidates sit: qualifications, syllabuses, components, entries, marks, grades."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from typing import Any

import attrs

from cambridge_results._checks import at_least, flag, member
from cambridge_results.errors import InvalidValue
from cambridge_results.values._text import ascii_pattern, human_text
from cambridge_results.values.identifiers import (
    CandidateNumber,
    CentreNumber,
    ComponentCode,
    SyllabusCode,
    as_candidate_number,
    as_centre_number,
    as_component_code,
    as_syllabus_code,
)
from cambridge_results.values.series import ExamSeries, as_series

__all__ = [
    "GRADES",
    "AssessedBy",
    "Component",
    "Entry",
    "EntryStatus",
    "Grade",
    "Mark",
    "MarkSource",
    "Qualification",
    "Route",
    "Syllabus",
]

MAX_TITLE = 200
_QUALIFICATION = re.compile(r"[A-Z0-9][A-Z0-9-]{0,31}", re.ASCII)


def _title(value: object, field: str) -> str:
    return human_text(value, field, max_length=MAX_TITLE)


def _qualification_name(value: object) -> str:
    return _title(value, "qualification.name")


def _component_name(value: object) -> str:
    return _title(value, "component.name")


def _syllabus_name(value: object) -> str:
    return _title(value, "syllabus.name")


def qualification_code(value: object, field: str = "qualification.code") -> str:
    """Validate a qualification code such as ``IGCSE`` (upper-cased, ASCII only)."""
    return ascii_pattern(
        value, field, _QUALIFICATION, "a code like IGCSE or AS-A-LEVEL", upper=True
    )


def _syllabus_qualification(value: object) -> str:
    return qualification_code(value, "syllabus.qualification")


def _sequence(value: object, field: str) -> tuple[object, ...]:
    if type(value) is list or type(value) is tuple:  # as rows and callers give them
        return tuple(value)
    # A str is iterable too, but "12" is one code, not the codes "1" and "2".
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidValue(field, f"must be a list or tuple, not {type(value).__name__}")
    return tuple(value)


def _component_codes(values: object) -> tuple[ComponentCode, ...]:
    return tuple(map(ComponentCode.parse, _sequence(values, "entry.components")))


def _components(values: object) -> tuple[Component, ...]:
    items = _sequence(values, "syllabus.components")
    if not all(isinstance(c, Component) for c in items):
        raise InvalidValue("syllabus.components", "must all be Component objects")
    return items  # type: ignore[return-value]  # checked element by element just above


@attrs.frozen(kw_only=True)
class Qualification:
    """A qualification such as Cambridge IGCSE.

    Whether its results are on the results website is the policy's to say
    (LOG-08: ``policy.reports.not_on_results_website``), not a flag here;
    ``group_award`` marks awards like Cambridge ICE and the AICE Diploma whose
    recalculation is asked for by email (EAR-19).
    """

    code: str = attrs.field(converter=qualification_code)
    name: str = attrs.field(converter=_qualification_name)
    group_award: bool = attrs.field(default=False, validator=flag("qualification.group_award"))


class AssessedBy(enum.Enum):
    """Who marked a component: the board's examiners or the centre (coursework)."""

    BOARD = "board"
    CENTRE = "centre"


@attrs.frozen(kw_only=True)
class Component:
    """One component (paper or coursework) of a syllabus (EAR-01, EAR-03, EAR-23)."""

    code: ComponentCode = attrs.field(converter=as_component_code)
    name: str = attrs.field(converter=_component_name)
    assessed_by: AssessedBy = attrs.field(validator=member("component.assessed_by", AssessedBy))
    multiple_choice: bool = attrs.field(default=False, validator=flag("component.multiple_choice"))
    max_mark: int = attrs.field(default=100, validator=at_least("component.max_mark", 1))
    #: A reviewed mark replaces the original only when it differs by more than this (EAR-23).
    tolerance: int = attrs.field(
        default=0, validator=at_least("component.tolerance", 0, rule="EAR-23")
    )

    def __attrs_post_init__(self) -> None:
        if self.tolerance >= self.max_mark:
            # A tolerance this wide would make every review leave the mark alone (EAR-23).
            raise InvalidValue("component.tolerance", "must be less than max_mark", rule="EAR-23")
        if self.multiple_choice and self.assessed_by is AssessedBy.CENTRE:
            raise InvalidValue(
                "component.multiple_choice",
                "a centre-assessed component is not a multiple-choice paper",
            )


@attrs.frozen(kw_only=True)
class Syllabus:
    """A syllabus, its qualification and its components."""

    code: SyllabusCode = attrs.field(converter=as_syllabus_code)
    name: str = attrs.field(converter=_syllabus_name)
    qualification: str = attrs.field(converter=_syllabus_qualification)
    art_and_design: bool = attrs.field(default=False, validator=flag("syllabus.art_and_design"))
    components: tuple[Component, ...] = attrs.field(converter=_components)
    # The components by code, built once: the eligibility rules look them up on every call.
    _by_code: dict[ComponentCode, Component] = attrs.field(
        init=False, eq=False, repr=False, hash=False
    )

    def __attrs_post_init__(self) -> None:
        if not self.components:
            raise InvalidValue("syllabus.components", "a syllabus has at least one component")
        by_code = {c.code: c for c in self.components}
        if len(by_code) != len(self.components):
            raise InvalidValue("syllabus.components", "component codes must be unique")
        object.__setattr__(self, "_by_code", by_code)

    def component(self, code: ComponentCode | str) -> Component:
        """The component with this code; :class:`InvalidValue` if there is none."""
        wanted = ComponentCode.parse(code)
        found = self._by_code.get(wanted)
        if found is None:
            raise InvalidValue("component_code", f"syllabus {self.code} has no component {wanted}")
        return found

    def find_component(self, code: ComponentCode) -> Component | None:
        """The component with this code, or ``None`` if the syllabus has none."""
        return self._by_code.get(code)


class Route(enum.Enum):
    """How a candidate is assessed; service 9 excludes the portfolio route (EAR-01)."""

    STANDARD = "standard"
    PORTFOLIO_OF_EVIDENCE = "portfolio-of-evidence"


class EntryStatus(enum.Enum):
    """An entry is valid unless it was withdrawn (CRW-03)."""

    VALID = "valid"
    WITHDRAWN = "withdrawn"


@attrs.frozen(kw_only=True)
class Entry:
    """A candidate's entry for a syllabus in a series, with the components entered."""

    centre: CentreNumber = attrs.field(converter=as_centre_number)
    series: ExamSeries = attrs.field(converter=as_series)
    candidate: CandidateNumber = attrs.field(converter=as_candidate_number)
    syllabus: SyllabusCode = attrs.field(converter=as_syllabus_code)
    components: tuple[ComponentCode, ...] = attrs.field(converter=_component_codes)
    route: Route = attrs.field(default=Route.STANDARD, validator=member("entry.route", Route))
    status: EntryStatus = attrs.field(
        default=EntryStatus.VALID, validator=member("entry.status", EntryStatus)
    )

    def __attrs_post_init__(self) -> None:
        if not self.components:
            raise InvalidValue("entry.components", "an entry has at least one component")
        if len(set(self.components)) != len(self.components):
            raise InvalidValue("entry.components", "component codes must be unique")

    @property
    def valid(self) -> bool:
        """True unless withdrawn (CRW-03)."""
        return self.status is EntryStatus.VALID


class MarkSource(enum.Enum):
    """Where a component mark came from (EAR-02, EAR-05)."""

    EXAM = "exam"
    MODERATION = "moderation"
    CALCULATED = "calculated"
    EXEMPTION = "exemption"


@attrs.frozen(kw_only=True)
class Mark:
    """A component mark and its source.  An exemption carries no mark."""

    component: ComponentCode = attrs.field(converter=as_component_code)
    source: MarkSource = attrs.field(validator=member("mark.source", MarkSource))
    value: int | None = attrs.field(default=None)

    def __attrs_post_init__(self) -> None:
        if self.source is MarkSource.EXEMPTION:
            if self.value is not None:
                raise InvalidValue("mark.value", "an exemption carries no mark", rule="EAR-02")
            return
        if self.value is None:
            raise InvalidValue("mark.value", f"a mark from {self.source.value} needs a value")
        at_least("mark.value", 0)(self, None, self.value)


#: Every grade a syllabus result can have: A* to G and U, AS grades a to e,
#: 9 to 1, X (NO RESULT) and Q (PENDING).
GRADES: tuple[str, ...] = (
    *("A*", "A", "B", "C", "D", "E", "F", "G", "U"),
    *("a", "b", "c", "d", "e"),
    *(str(n) for n in range(9, 0, -1)),
    *("X", "Q"),
)
_GRADE_SET = frozenset(GRADES)


def _grade(value: object) -> str:
    if not isinstance(value, str) or value not in _GRADE_SET:
        shown = repr(value) if isinstance(value, str) and len(value) <= 20 else "this value"
        raise InvalidValue("grade", f"{shown} is not a grade (A* to G, U, a to e, 9 to 1, X, Q)")
    return value


@attrs.frozen
class Grade:
    """A syllabus grade.  ``X`` is NO RESULT and ``Q`` is PENDING (EAR-01 X/Q)."""

    value: str = attrs.field(converter=_grade)

    @classmethod
    def parse(cls, value: Any) -> Grade:
        """Return ``value`` if it is a Grade, else validate it as text."""
        return value if isinstance(value, Grade) else cls(value)

    @property
    def is_no_result(self) -> bool:
        """True for X (NO RESULT)."""
        return self.value == "X"

    @property
    def is_pending(self) -> bool:
        """True for Q (PENDING)."""
        return self.value == "Q"

    def __str__(self) -> str:
        return self.value
