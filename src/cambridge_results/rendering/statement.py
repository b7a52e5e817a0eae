"""What a statement of results with a graphical profile shows (LOG-10, CRW-11).

A :class:`StatementData` is one candidate's results in one exam: the score
per skill on the exam's scale (Reading, Writing, Listening, Speaking, Use of
English on the Cambridge English Scale, by default), the overall score and
grade.  A :class:`StatementRenderer` draws a batch of them, a page each, with
the scores as a bar chart; every statement says its results are provisional
(CRW-11).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol, runtime_checkable

import attrs
import pendulum

from cambridge_results._checks import instance
from cambridge_results.errors import InvalidValue
from cambridge_results.values import CandidateNumber, CentreNumber, ExamSeries, SyllabusCode
from cambridge_results.values._text import human_text
from cambridge_results.values.identifiers import (
    as_candidate_number,
    as_centre_number,
    as_syllabus_code,
)
from cambridge_results.values.series import as_series

__all__ = [
    "CAMBRIDGE_ENGLISH_SCALE",
    "SKILLS",
    "ScaleBand",
    "ScoreScale",
    "SkillScore",
    "StatementData",
    "StatementRenderer",
]

#: The skills of a Cambridge English exam, in the order statements show them.
SKILLS = ("Reading", "Writing", "Listening", "Speaking", "Use of English")
#: At most this many skills fit the chart.
MAX_SKILLS = 8
_LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9 .&/()+-]{0,29}", re.ASCII)


def _label(field: str) -> Callable[[Any, Any, str], None]:
    def check(_: object, __: object, value: str) -> None:
        if not isinstance(value, str) or _LABEL.fullmatch(value) is None:
            raise InvalidValue(field, "must be 1 to 30 ASCII letters, digits, spaces or .&/()+-")

    return check


def _whole(field: str, *, minimum: int = 0) -> Callable[[Any, Any, int], None]:
    def check(_: object, __: object, value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise InvalidValue(field, f"must be a whole number of at least {minimum}")

    return check


@attrs.frozen(kw_only=True)
class ScaleBand:
    """A named stretch of the scale from ``start`` (inclusive), e.g. CEFR ``B2`` from 160."""

    label: str = attrs.field(validator=_label("band.label"))
    start: int = attrs.field(validator=_whole("band.start"))


def _bands(values: Iterable[ScaleBand]) -> tuple[ScaleBand, ...]:
    return tuple(values)


@attrs.frozen(kw_only=True)
class ScoreScale:
    """The scale scores are reported on: its name, range, grid step and bands.

    ``bands`` start inside the range, in increasing order; each runs to the
    next band's start (the last to ``maximum``).
    """

    name: str = attrs.field(validator=_label("scale.name"))
    minimum: int = attrs.field(validator=_whole("scale.minimum"))
    maximum: int = attrs.field(validator=_whole("scale.maximum"))
    step: int = attrs.field(validator=_whole("scale.step", minimum=1))
    bands: tuple[ScaleBand, ...] = attrs.field(default=(), converter=_bands)

    def __attrs_post_init__(self) -> None:
        if self.maximum <= self.minimum:
            raise InvalidValue("scale.maximum", "must be above the minimum")
        if (self.maximum - self.minimum) // self.step > 40:
            raise InvalidValue("scale.step", "draws more than 40 grid lines; use a larger step")
        starts = [b.start for b in self.bands]
        if starts != sorted(set(starts)) or any(
            not self.minimum <= s < self.maximum for s in starts
        ):
            raise InvalidValue(
                "scale.bands", "must start inside the scale, in strictly increasing order"
            )

    def contains(self, score: int) -> bool:
        """Whether ``score`` lies on the scale (both ends included)."""
        return self.minimum <= score <= self.maximum

    def band_of(self, score: int) -> ScaleBand | None:
        """The band ``score`` falls in, or ``None`` below the first band."""
        found = None
        for band in self.bands:
            if score >= band.start:
                found = band
        return found


#: The Cambridge English Scale as statements of results show it (80 to 230),
#: with the CEFR levels it reports (decision: docs/security.md, "Statements").
CAMBRIDGE_ENGLISH_SCALE = ScoreScale(
    name="Cambridge English Scale",
    minimum=80,
    maximum=230,
    step=10,
    bands=(
        ScaleBand(label="A1", start=100),
        ScaleBand(label="A2", start=120),
        ScaleBand(label="B1", start=140),
        ScaleBand(label="B2", start=160),
        ScaleBand(label="C1", start=180),
        ScaleBand(label="C2", start=200),
    ),
)


@attrs.frozen(kw_only=True)
class SkillScore:
    """One skill's score on the statement's scale."""

    skill: str = attrs.field(validator=_label("skill"))
    score: int = attrs.field(validator=_whole("score"))


def _skills(values: Iterable[SkillScore]) -> tuple[SkillScore, ...]:
    return tuple(values)


def _candidate_name(value: object) -> str:
    return human_text(value, "candidate_name", max_length=201, rule="LOG-10")


def _centre_name(value: object) -> str | None:
    return None if value is None else human_text(value, "centre_name", max_length=100)


def _exam(value: object) -> str:
    return human_text(value, "exam", max_length=80, rule="LOG-10")


# Grades as boards print them: "A*", "B", "Pass with Merit", "9-1" (a star included).
_GRADE = re.compile(r"[A-Za-z0-9*][A-Za-z0-9 *.&/()+-]{0,29}", re.ASCII)


def _grade(_: object, __: object, value: str | None) -> None:
    if value is not None and (not isinstance(value, str) or _GRADE.fullmatch(value) is None):
        raise InvalidValue(
            "grade", "must be 1 to 30 ASCII letters, digits, spaces or *.&/()+-", rule="LOG-10"
        )


def _timezone(_: object, __: object, value: str) -> None:
    try:
        pendulum.timezone(str(value))
    except Exception as exc:  # pendulum raises several types for bad names
        raise InvalidValue("timezone", f"{value!r} is not an IANA time zone") from exc


@attrs.frozen(kw_only=True)
class StatementData:
    """One candidate's statement of results in one exam, with the skill profile (LOG-10).

    Results are provisional on the website (CRW-11): a statement always says
    so; there is no field to turn that off.  Scores must lie on ``scale``,
    skills are unique; ``overall`` (if given) is drawn as a line across the
    chart.
    """

    centre: CentreNumber = attrs.field(converter=as_centre_number)
    series: ExamSeries = attrs.field(converter=as_series)
    candidate_number: CandidateNumber = attrs.field(converter=as_candidate_number)
    candidate_name: str = attrs.field(converter=_candidate_name)
    syllabus: SyllabusCode = attrs.field(converter=as_syllabus_code)
    exam: str = attrs.field(converter=_exam)
    skills: tuple[SkillScore, ...] = attrs.field(converter=_skills)
    scale: ScoreScale = attrs.field(
        default=CAMBRIDGE_ENGLISH_SCALE, validator=instance("scale", ScoreScale)
    )
    overall: int | None = attrs.field(default=None)
    grade: str | None = attrs.field(default=None, validator=_grade)
    centre_name: str | None = attrs.field(default=None, converter=_centre_name)
    timezone: str = attrs.field(default="Europe/London", validator=_timezone)

    def __attrs_post_init__(self) -> None:
        if not 1 <= len(self.skills) <= MAX_SKILLS:
            raise InvalidValue("skills", f"give 1 to {MAX_SKILLS} skills", rule="LOG-10")
        names = [s.skill.casefold() for s in self.skills]
        if len(set(names)) != len(names):
            raise InvalidValue("skills", "each skill at most once", rule="LOG-10")
        for i, s in enumerate(self.skills):
            if not isinstance(s, SkillScore) or not self.scale.contains(s.score):
                raise InvalidValue(
                    f"skills[{i}].score",
                    f"must lie on the {self.scale.name}, "
                    f"{self.scale.minimum} to {self.scale.maximum}",
                    rule="LOG-10",
                )
        if self.overall is not None and (
            isinstance(self.overall, bool)
            or not isinstance(self.overall, int)
            or not self.scale.contains(self.overall)
        ):
            raise InvalidValue(
                "overall",
                f"must lie on the {self.scale.name}, {self.scale.minimum} to {self.scale.maximum}",
                rule="LOG-10",
            )

    @property
    def statement_id(self) -> str:
        """The internal identifier, e.g. ``GB123_2026-06_0713_0082``: no name."""
        return f"{self.centre}_{self.series.code}_{self.candidate_number}_{self.syllabus}"

    @property
    def file_name(self) -> str:
        """The statement's own PDF name (internal identifiers only, SPEC section 5)."""
        return f"{self.statement_id}.pdf"

    @property
    def human_texts(self) -> dict[str, str]:
        """The fields people typed, in any script: what fonts must be able to draw."""
        texts = {"candidate_name": self.candidate_name, "exam": self.exam}
        if self.centre_name is not None:
            texts["centre_name"] = self.centre_name
        return texts


@runtime_checkable
class StatementRenderer(Protocol):
    """Renders statements of results with a graphical profile to PDF (LOG-10)."""

    #: The renderer's name, e.g. ``"fpdf2"``.
    name: str

    def check(self, statements: Iterable[StatementData]) -> None:
        """Raise :class:`~cambridge_results.rendering.fonts.UnrenderableText` if any text
        cannot be drawn; draws nothing."""
        ...

    def render(self, statements: Sequence[StatementData], *, created: pendulum.DateTime) -> bytes:
        """One PDF with a page per statement, in order, created at ``created``.

        Every page says the results are provisional (CRW-11).  Checks every
        statement before drawing any, so an error leaves no output.
        """
        ...
