"""Preparation centre reports: criteria, exams not on the website, the PDF cap (LOG-07..LOG-09).

LOG-07: a report selects candidates by a candidate-number range (From/To,
inclusive; one candidate is From = To) and by full or partial first or last
name, ignoring case.  LOG-08: Skills for Life, Teaching Knowledge Test and
Young Learners English are not on the results website: the policy lists
them (``policy.reports.not_on_results_website``) and asking for them says so.  LOG-09: at
most ``policy.max_pdfs_per_request`` (300) result PDFs per request; more is
refused with the advice to work in batches, and :func:`pdf_batches` splits
a selection into such batches.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from typing import TypeVar

import attrs

from cambridge_results.decisions import Decision, Reason
from cambridge_results.errors import InvalidValue
from cambridge_results.policy import ReportPolicy
from cambridge_results.values import Candidate, CandidateNumber, Qualification
from cambridge_results.values._text import human_text
from cambridge_results.values.exams import qualification_code
from cambridge_results.values.identifiers import as_candidate_number

__all__ = [
    "CandidateNumberRange",
    "ReportCriteria",
    "check_pdf_request",
    "check_report_exam",
    "pdf_batches",
    "report_criteria",
    "select_candidates",
]

T = TypeVar("T")
MAX_NAME_FILTER = 100


@attrs.frozen(kw_only=True)
class CandidateNumberRange:
    """Candidate numbers from ``first`` to ``last``, both included (LOG-07)."""

    first: CandidateNumber = attrs.field(converter=as_candidate_number)
    last: CandidateNumber = attrs.field(converter=as_candidate_number)

    def __attrs_post_init__(self) -> None:
        if self.last < self.first:
            raise InvalidValue(
                "candidate_number_to",
                f"{self.last} comes before From {self.first}; To must be at least From",
                rule="LOG-07",
            )

    @classmethod
    def one(cls, number: CandidateNumber | str) -> CandidateNumberRange:
        """Just one candidate: the same number as From and To (LOG-07)."""
        n = CandidateNumber.parse(number)
        return cls(first=n, last=n)

    def __contains__(self, number: object) -> bool:
        return isinstance(number, CandidateNumber) and self.first <= number <= self.last


def _first_name(value: object) -> str | None:
    if value is None:
        return None
    return human_text(value, "first_name", max_length=MAX_NAME_FILTER, rule="LOG-07")


def _last_name(value: object) -> str | None:
    if value is None:
        return None
    return human_text(value, "last_name", max_length=MAX_NAME_FILTER, rule="LOG-07")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


@attrs.frozen(kw_only=True)
class ReportCriteria:
    """What a report asks for; every criterion given must match (LOG-07).

    Name filters are full or partial names, compared ignoring case
    (``"ann"`` finds Ann, Joanna and HANNAH).  No criterion selects every
    candidate.
    """

    numbers: CandidateNumberRange | None = None
    first_name: str | None = attrs.field(default=None, converter=_first_name)
    last_name: str | None = attrs.field(default=None, converter=_last_name)

    def matches(self, candidate: Candidate) -> bool:
        """True when ``candidate`` meets every criterion given."""
        if self.numbers is not None and candidate.number not in self.numbers:
            return False
        if self.first_name is not None and _fold(self.first_name) not in _fold(
            candidate.given_name
        ):
            return False
        return self.last_name is None or _fold(self.last_name) in _fold(candidate.family_name)


def report_criteria(
    *,
    number_from: str | None = None,
    number_to: str | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
) -> ReportCriteria:
    """Criteria from a report form, reporting every problem at once (LOG-07).

    Blank fields (``None`` or ``""``) are not criteria.  A number range
    needs both From and To.  Raises :class:`~cambridge_results.errors.LoginRefused`.
    """
    reasons: list[Reason] = []
    numbers: dict[str, CandidateNumber] = {}
    number_range: CandidateNumberRange | None = None
    names: dict[str, str] = {}
    for name, value in (("from", number_from), ("to", number_to)):
        if value in (None, ""):
            continue
        try:
            numbers[name] = CandidateNumber.parse(value)
        except InvalidValue as exc:
            reasons.append(Reason(code=f"LOG-07.number-{name}-invalid", message=exc.reason))
    if (number_from in (None, "")) != (number_to in (None, "")):
        reasons.append(
            Reason(
                code="LOG-07.range-incomplete",
                message="give the four-digit candidate number in both From and To "
                "(the same number for one candidate)",
            )
        )
    if len(numbers) == 2:
        if numbers["to"] < numbers["from"]:
            reasons.append(Reason(code="LOG-07.range-reversed", message="To must be at least From"))
        else:
            number_range = CandidateNumberRange(first=numbers["from"], last=numbers["to"])
    for name, text in (("first_name", first_name), ("last_name", last_name)):
        if text in (None, ""):
            continue
        try:
            names[name] = human_text(text, name, max_length=MAX_NAME_FILTER, rule="LOG-07")
        except InvalidValue as exc:
            slug = name.replace("_", "-")
            reasons.append(Reason(code=f"LOG-07.{slug}-invalid", message=exc.reason))
    Decision(reasons=tuple(reasons)).raise_if_refused()
    return ReportCriteria(
        numbers=number_range, first_name=names.get("first_name"), last_name=names.get("last_name")
    )


def select_candidates(
    candidates: Iterable[Candidate], criteria: ReportCriteria
) -> tuple[Candidate, ...]:
    """The candidates meeting ``criteria``, in ascending candidate-number order (LOG-07)."""
    return tuple(sorted((c for c in candidates if criteria.matches(c)), key=lambda c: c.number))


def check_report_exam(
    qualification: Qualification | str, policy: ReportPolicy, *, name: str | None = None
) -> Decision:
    """Refused, saying so, for exams the policy lists as not on the website (LOG-08).

    ``qualification`` is a :class:`~cambridge_results.values.Qualification`
    or its code (a syllabus's ``qualification``); ``name`` names the exam in
    the refusal (default: the qualification's name, or its code).
    """
    if isinstance(qualification, Qualification):
        code, shown = qualification.code, qualification.name
    else:
        code = shown = qualification_code(qualification)
    name = shown if name is None else name
    if policy.on_results_website(code):
        return Decision.allow()
    return Decision.refuse(
        "LOG-08.not-on-results-website",
        f"results for {name} are not on the results website; contact your centre for them",
    )


def check_pdf_request(count: int, policy: ReportPolicy) -> Decision:
    """At most ``policy.max_pdfs_per_request`` result PDFs in one request (LOG-09)."""
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise InvalidValue("count", "must be a non-negative whole number", rule="LOG-09")
    cap = policy.max_pdfs_per_request
    if count == 0:
        return Decision.refuse("LOG-09.nothing-selected", "select at least one candidate")
    if count > cap:
        return Decision.refuse(
            "LOG-09.too-many-pdfs",
            f"{count} result PDFs were asked for; at most {cap} can be generated at a time, "
            f"so work in batches of at most {cap}",
        )
    return Decision.allow()


def pdf_batches(items: Sequence[T], policy: ReportPolicy) -> tuple[tuple[T, ...], ...]:
    """``items`` split, in order, into batches of at most the cap (LOG-09).

    Stable: the same selection always gives the same batches; every item is
    in exactly one batch; all batches but the last are full.
    """
    cap = policy.max_pdfs_per_request
    if cap < 1:
        raise InvalidValue("reports.max_pdfs_per_request", "must be at least 1", rule="LOG-09")
    return tuple(tuple(items[i : i + cap]) for i in range(0, len(items), cap))
