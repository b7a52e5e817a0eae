"""What candidates sit: qualifications, syllabuses, components, entries, marks, grades."""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable
from typing import Any

import attrs

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


def _title(value: object) -> str:
    return human_text(value, "name", max_length=MAX_TITLE)


def _qualification_code(value: object) -> str:
    return ascii_pattern(
        value, "qualification", _QUALIFICATION, "a code like IGCSE or AS-A-LEVEL", upper=True
    )


def _component_codes(values: Iterable[object]) -> tuple[ComponentCode, ...]:
    return tuple(ComponentCode.parse(c) for c in values)


def _components(values: Iterable[Component]) -> tuple[Component, ...]:
    return tuple(values)


Check = Callable[[object, object, object], None]


def _flag(field: str) -> Check:
    def check(_: object, __: object, value: object) -> None:
        if not isinstance(value, bool):
            raise InvalidValue(field, f"must be True or False, not {type(value).__name__}")

    return check


def _non_negative(field: str) -> Check:
    def check(_: object, __: object, value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidValue(field, f"must be a whole number, not {type(value).__name__}")
        if value < 0:
            raise InvalidValue(field, "must not be negative")

    return check


@attrs.frozen(kw_only=True)
class Qualification:
    """A qualification such as Cambridge IGCSE.

    ``on_results_website`` is False for exams the website does not show
    (LOG-08: Skills for Life, Teaching Knowledge Test, Young Learners English);
    ``group_award`` marks awards like Cambridge ICE and the AICE Diploma whose
    recalculation is asked for by email (EAR-19).
    """

    code: str = attrs.field(converter=_qualification_code)
    name: str = attrs.field(converter=_title)
    on_results_website: bool = attrs.field(default=True, validator=_flag("on_results_website"))
    group_award: bool = attrs.field(default=False, validator=_flag("group_award"))


class AssessedBy(enum.Enum):
    """Who marked a component: the board's examiners or the centre (coursework)."""

    BOARD = "board"
    CENTRE = "centre"


@attrs.frozen(kw_only=True)
class Component:
    """One component (paper or coursework) of a syllabus (EAR-01, EAR-03, EAR-23)."""

    code: ComponentCode = attrs.field(converter=as_component_code)
    name: str = attrs.field(converter=_title)
    assessed_by: AssessedBy = attrs.field(validator=attrs.validators.instance_of(AssessedBy))
    multiple_choice: bool = attrs.field(default=False, validator=_flag("multiple_choice"))
    max_mark: int = attrs.field(default=100, validator=_non_negative("component.max_mark"))
    #: A reviewed mark replaces the original only when it differs by more than this (EAR-23).
    tolerance: int = attrs.field(default=0, validator=_non_negative("component.tolerance"))

    def __attrs_post_init__(self) -> None:
        if self.max_mark == 0:
            raise InvalidValue("component.max_mark", "must be at least 1")
        if self.multiple_choice and self.assessed_by is AssessedBy.CENTRE:
            raise InvalidValue(
                "component.multiple_choice",
                "a centre-assessed component is not a multiple-choice paper",
            )


@attrs.frozen(kw_only=True)
class Syllabus:
    """A syllabus, its qualification and its components."""

    code: SyllabusCode = attrs.field(converter=as_syllabus_code)
    name: str = attrs.field(converter=_title)
    qualification: str = attrs.field(converter=_qualification_code)
    art_and_design: bool = attrs.field(default=False, validator=_flag("art_and_design"))
    components: tuple[Component, ...] = attrs.field(converter=_components)

    def __attrs_post_init__(self) -> None:
        if not self.components:
            raise InvalidValue("syllabus.components", "a syllabus has at least one component")
        if not all(isinstance(c, Component) for c in self.components):
            raise InvalidValue("syllabus.components", "must all be Component objects")
        codes = [c.code for c in self.components]
        if len(set(codes)) != len(codes):
            raise InvalidValue("syllabus.components", "component codes must be unique")

    def component(self, code: ComponentCode | str) -> Component:
        """The component with this code; :class:`InvalidValue` if there is none."""
        wanted = ComponentCode.parse(code)
        for c in self.components:
            if c.code == wanted:
                return c
        raise InvalidValue("component_code", f"syllabus {self.code} has no component {wanted}")


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
    route: Route = attrs.field(
        default=Route.STANDARD, validator=attrs.validators.instance_of(Route)
    )
    status: EntryStatus = attrs.field(
        default=EntryStatus.VALID, validator=attrs.validators.instance_of(EntryStatus)
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
    source: MarkSource = attrs.field(validator=attrs.validators.instance_of(MarkSource))
    value: int | None = attrs.field(default=None)

    def __attrs_post_init__(self) -> None:
        if self.source is MarkSource.EXEMPTION:
            if self.value is not None:
                raise InvalidValue("mark.value", "an exemption carries no mark", rule="EAR-02")
            return
        if self.value is None:
            raise InvalidValue("mark.value", f"a mark from {self.source.value} needs a value")
        _non_negative("mark.value")(None, None, self.value)


_GRADES = (
    ["A*", "A", "B", "C", "D", "E", "F", "G", "U"]
    + ["a", "b", "c", "d", "e"]
    + [str(n) for n in range(9, 0, -1)]
    + ["X", "Q"]
)
_GRADE_SET = frozenset(_GRADES)


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
