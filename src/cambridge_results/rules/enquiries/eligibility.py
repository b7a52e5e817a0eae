"""May this enquiry be submitted?  The EAR-01 service table and its companions.

:func:`check_eligibility` answers for a draft enquiry with every reason at
once: the submission window (EAR-07, EAR-22), the service's offer (EAR-21),
group awards (EAR-19), component level (EAR-03), who assessed a component,
multiple choice and Art & Design (EAR-01), the candidates (EAR-01 group
sizes, portfolio route, entries), exemptions (EAR-02), marks (EAR-05) and
earlier enquiries (EAR-04, EAR-06).  Open enquiries on the same candidates
come back as EAR-13 warnings, shown before the user submits.
"""

from __future__ import annotations

from collections.abc import Iterable

import pendulum

from cambridge_results.decisions import Decision, Reason
from cambridge_results.errors import InvalidValue
from cambridge_results.policy import Policy, ReviewKind, ServiceDefinition
from cambridge_results.rules.enquiries.services import (
    offered_in,
    service_definition,
    window_reasons,
)
from cambridge_results.values import (
    AssessedBy,
    CandidateNumber,
    ComponentCode,
    Grade,
    MarkSource,
    Qualification,
    Route,
)
from cambridge_results.values.enquiry import Enquiry
from cambridge_results.values.enquiry_facts import SyllabusFacts

__all__ = [
    "check_eligibility",
    "check_group_award",
    "check_request",
    "considered_candidates",
    "holds_review",
    "is_whole_group",
    "same_syllabus",
]

_NO_ENTRY = "candidate {} has no valid entry for {}"
_WHO = {AssessedBy.BOARD: "the board assessed", AssessedBy.CENTRE: "the centre assessed"}


def holds_review(policy: Policy, enquiry: Enquiry) -> bool:
    """True when ``enquiry`` holds its candidates' one re-check or review (EAR-06).

    Submitted (to the board or to an Associate) and not cancelled or
    rejected, including Completed; drafts never count.  The store keeps this
    flag on the enquiry's candidate rows, where its partial unique index
    enforces EAR-06 between concurrent writers too.
    """
    if not enquiry.status.was_submitted:
        return False
    definition = service_definition(policy, enquiry.series, enquiry.service)
    return definition.kind is ReviewKind.RECHECK_OR_REVIEW


def is_whole_group(definition: ServiceDefinition) -> bool:
    """True for a service asked for the whole group, never named candidates (service 5)."""
    return definition.is_group and definition.group_min is None


def considered_candidates(
    definition: ServiceDefinition, enquiry: Enquiry, facts: SyllabusFacts
) -> tuple[CandidateNumber, ...]:
    """The candidates an enquiry is about.

    For a whole-group service, the candidates of the original moderation
    samples of its components, since only they are re-moderated (EAR-01);
    otherwise the candidates the enquiry names.
    """
    if not is_whole_group(definition):
        return enquiry.candidates
    seen: dict[CandidateNumber, None] = {}
    for component in enquiry.components:
        for candidate in facts.sample(component):
            seen.setdefault(candidate)
    return tuple(seen)


def same_syllabus(enquiry: Enquiry, others: Iterable[Enquiry]) -> tuple[Enquiry, ...]:
    """The other enquiries of the same centre, series and syllabus (not ``enquiry`` itself)."""
    return tuple(
        o
        for o in others
        if o.id != enquiry.id
        and o.centre == enquiry.centre
        and o.series == enquiry.series
        and o.syllabus == enquiry.syllabus
    )


def check_group_award(policy: Policy, qualification: Qualification) -> Decision:
    """Group-award recalculations are asked for by email, never as an enquiry (EAR-19)."""
    if not qualification.group_award:
        return Decision.allow()
    return Decision.refuse(
        "EAR-19.group-award-by-email",
        f"a recalculation of {qualification.name} is not an enquiry about results: "
        f"email {policy.enquiries.group_award_contact} to ask for it",
    )


def check_eligibility(
    policy: Policy,
    enquiry: Enquiry,
    *,
    facts: SyllabusFacts,
    others: Iterable[Enquiry],
    now: pendulum.DateTime,
) -> Decision:
    """Every reason ``enquiry`` may not be submitted at ``now``, and the EAR-13 warnings.

    ``others`` are the centre's other enquiries (any status; drafts,
    cancelled and rejected ones do not count, EAR-06).  ``facts`` describe
    the enquiry's syllabus.
    """
    reasons = list(window_reasons(policy, enquiry.series, enquiry.service, now))
    return _request(reasons, policy, enquiry, facts, others)


def check_request(
    policy: Policy, enquiry: Enquiry, *, facts: SyllabusFacts, others: Iterable[Enquiry]
) -> Decision:
    """Everything of :func:`check_eligibility` except the submission window.

    Amendments (EAR-14) are checked with this, since they may come after
    the deadline.
    """
    return _request([], policy, enquiry, facts, others)


def _request(
    reasons: list[Reason],
    policy: Policy,
    enquiry: Enquiry,
    facts: SyllabusFacts,
    others: Iterable[Enquiry],
) -> Decision:
    """Add the request's reasons to ``reasons``; the decision on them all, with warnings.

    One list of reasons, filled by each check in turn, and one Decision at the
    end: building and combining a Decision per check cost more than the checks.
    """
    if facts.syllabus.code != enquiry.syllabus:
        raise InvalidValue(
            "facts.syllabus", f"facts are for {facts.syllabus.code}, not {enquiry.syllabus}"
        )
    definition = policy.service_in(enquiry.series, enquiry.service)
    reasons += offered_in(
        policy, enquiry.series, enquiry.service, facts.syllabus.qualification, definition
    ).reasons
    reasons += check_group_award(policy, facts.qualification).reasons
    if definition is None:
        # An unknown service (EAR-21.unknown-service) has no table row to check the rest against.
        return Decision.of(reasons)
    candidates = considered_candidates(definition, enquiry, facts)
    known = _components(reasons, definition, enquiry, facts)
    _candidates(reasons, definition, enquiry, facts, candidates, known)
    if definition.kind is ReviewKind.NO_RESULT_OR_PENDING:
        _no_result_or_pending(reasons, definition, enquiry, facts, candidates)
    else:
        _marks(reasons, facts, candidates, known)
    if others:
        warnings = _earlier_enquiries(
            reasons, policy, definition, enquiry, candidates, same_syllabus(enquiry, others)
        )
        if warnings:
            return Decision(reasons=tuple(reasons), warnings=tuple(warnings))
    return Decision.of(reasons)


def _components(
    reasons: list[Reason], definition: ServiceDefinition, enquiry: Enquiry, facts: SyllabusFacts
) -> list[ComponentCode]:
    """Add the component reasons; return the enquiry's components the syllabus has."""
    syllabus = facts.syllabus
    if not enquiry.components and definition.kind is not ReviewKind.NO_RESULT_OR_PENDING:
        reasons.append(
            _r("EAR-03.no-components", "enquiries are made at component level: choose components")
        )
    # Unknown components are reported once, here, not again per candidate.
    known: list[ComponentCode] = []
    for code in enquiry.components:
        component = syllabus.find_component(code)
        if component is None:
            reasons.append(
                _r("EAR-03.unknown-component", f"syllabus {syllabus.code} has no component {code}")
            )
            continue
        known.append(code)
        if (
            definition.assessed_by is not None
            and component.assessed_by is not definition.assessed_by
        ):
            reasons.append(
                _r(
                    "EAR-01.assessed-by",
                    f"service {definition.code} is for components {_WHO[definition.assessed_by]};"
                    f" {syllabus.code}/{code} was assessed by the "
                    f"{component.assessed_by.value}",
                )
            )
        if component.multiple_choice and definition.excludes_multiple_choice:
            reasons.append(
                _r(
                    "EAR-01.multiple-choice",
                    f"service {definition.code} is not available for the multiple-choice "
                    f"paper {syllabus.code}/{code}",
                )
            )
    if syllabus.art_and_design and definition.excludes_art_and_design:
        reasons.append(
            _r(
                "EAR-01.art-and-design",
                f"service {definition.code} is not available for Art & Design syllabuses "
                f"({syllabus.code})",
            )
        )
    return known


def _candidates(
    reasons: list[Reason],
    definition: ServiceDefinition,
    enquiry: Enquiry,
    facts: SyllabusFacts,
    candidates: tuple[CandidateNumber, ...],
    known: list[ComponentCode],
) -> None:
    code = definition.code
    if is_whole_group(definition):
        if not enquiry.whole_group:
            reasons.append(
                _r(
                    "EAR-01.whole-group-only",
                    f"service {code} is for the whole group, never for individual candidates",
                )
            )
        elif enquiry.components and not candidates:
            reasons.append(
                _r(
                    "EAR-01.no-moderation-sample",
                    f"service {code} re-moderates the original sample, and none was taken "
                    f"for these components",
                )
            )
    elif enquiry.whole_group:
        reasons.append(
            _r("EAR-01.not-whole-group", f"service {code} is not asked for a whole group")
        )
    elif definition.group_min is not None and definition.group_max is not None:
        if not definition.group_min <= len(candidates) <= definition.group_max:
            reasons.append(
                _r(
                    "EAR-01.group-size",
                    f"service {code} is for a group of {definition.group_min} to "
                    f"{definition.group_max} candidates, not {len(candidates)}",
                )
            )
    elif len(candidates) != 1:
        reasons.append(
            _r(
                "EAR-01.one-candidate",
                f"a service {code} enquiry is for one candidate, not {len(candidates)}: "
                f"make one enquiry per candidate",
            )
        )
    for number in candidates:
        results = facts.results_for(number)
        if results is None or not results.entry.valid:
            # The commonest refusal: its sentence is written when read (Reason.lazy).
            reasons.append(
                Reason.lazy("EAR-03.no-entry", _NO_ENTRY.format, number, facts.syllabus.code)
            )
            continue
        missing = [c for c in known if c not in results.entry.components]
        if missing:
            reasons.append(
                _r(
                    "EAR-03.component-not-entered",
                    f"candidate {number} was not entered for "
                    + ", ".join(f"{facts.syllabus.code}/{c}" for c in missing),
                )
            )
        if (
            definition.excludes_portfolio_route
            and results.entry.route is Route.PORTFOLIO_OF_EVIDENCE
        ):
            reasons.append(
                _r(
                    "EAR-01.portfolio-route",
                    f"service {code} is not available for candidate {number}, who took the "
                    f"portfolio-of-evidence route",
                )
            )


#: Why no enquiry can be about a component's mark, by the mark's source (None: no mark).
_MARK_PROBLEMS: dict[MarkSource | None, tuple[str, str]] = {
    None: ("EAR-05.no-mark", "has no mark from an exam or from moderation"),
    MarkSource.EXEMPTION: ("EAR-02.exemption", "is an exemption: no enquiry is possible"),
    MarkSource.CALCULATED: (
        "EAR-05.calculated-mark",
        "has a calculated (assessed) mark, not one from an exam or moderation, so the "
        "request cannot be considered",
    ),
}
#: Mark sources no enquiry can be about (EAR-02, EAR-05).
_NOT_ENQUIRABLE = frozenset(source for source in _MARK_PROBLEMS if source is not None)


def _marks(
    reasons: list[Reason],
    facts: SyllabusFacts,
    candidates: tuple[CandidateNumber, ...],
    known: list[ComponentCode],
) -> None:
    # Not for X/Q, which asks why a mark or result is missing.
    for number in candidates:
        results = facts.results_for(number)
        if results is None:
            continue  # reported by _candidates
        for code in known:
            mark = results.mark(code)
            if mark is not None and mark.source not in _NOT_ENQUIRABLE:
                continue  # the usual case: no message to write
            rule, says = _MARK_PROBLEMS[None if mark is None else mark.source]
            reasons.append(_r(rule, f"{facts.syllabus.code}/{code} of candidate {number} {says}"))


def _no_result_or_pending(
    reasons: list[Reason],
    definition: ServiceDefinition,
    enquiry: Enquiry,
    facts: SyllabusFacts,
    candidates: tuple[CandidateNumber, ...],
) -> None:
    if not enquiry.head_of_centre:
        reasons.append(
            _r(
                "EAR-01.head-of-centre",
                f"service {definition.code} enquiries are asked for by the Head of Centre",
            )
        )
    explains = f"service {definition.code} explains only NO RESULT (X) or PENDING (Q)"
    graded = ((n, facts.results_for(n)) for n in candidates)
    reasons.extend(
        _r(
            "EAR-01.not-no-result-or-pending",
            f"candidate {number} has {_grade_shown(results.grade)} in {facts.syllabus.code}: "
            + explains,
        )
        for number, results in graded
        if results is not None and not _no_result_or_pending_grade(results.grade)
    )


def _no_result_or_pending_grade(grade: Grade | None) -> bool:
    return grade is not None and (grade.is_no_result or grade.is_pending)


def _grade_shown(grade: Grade | None) -> str:
    return "no grade" if grade is None else f"grade {grade}"


def _earlier_enquiries(
    reasons: list[Reason],
    policy: Policy,
    definition: ServiceDefinition,
    enquiry: Enquiry,
    candidates: tuple[CandidateNumber, ...],
    others: tuple[Enquiry, ...],
) -> list[Reason]:
    """Add EAR-04/EAR-06 refusals to ``reasons``; return the EAR-13 warnings."""
    flagged: list[CandidateNumber] = []
    waits_for_group = False
    for number in candidates:
        for other in others:
            if number not in other.candidates or not other.status.was_submitted:
                continue
            other_def = service_definition(policy, other.series, other.service)
            both_reviews = (
                definition.kind is ReviewKind.RECHECK_OR_REVIEW
                and other_def.kind is ReviewKind.RECHECK_OR_REVIEW
            )
            if both_reviews:
                reasons.append(
                    _r(
                        "EAR-06.already-submitted",
                        f"candidate {number} already has a service {other.service} enquiry for "
                        f"{enquiry.syllabus} ({other.status.label}): only one re-check or "
                        f"review per candidate and syllabus",
                    )
                )
                added = [c for c in enquiry.components if c not in other.components]
                if added:
                    reasons.append(
                        _r(
                            "EAR-04.later-addition",
                            f"components {', '.join(str(c) for c in added)} of "
                            f"{enquiry.syllabus} for candidate {number} come after the "
                            f"enquiry already submitted: all components are submitted together",
                        )
                    )
            elif other.status.is_open and number not in flagged:
                flagged.append(number)
                waits_for_group = waits_for_group or other_def.is_group
    warnings: list[Reason] = []
    if flagged:
        listed = ", ".join(str(n) for n in flagged)
        if definition.is_group:
            then = "this enquiry will be Pending until they are complete"
        elif waits_for_group:
            then = "this enquiry will be Pending until the group enquiry is complete"
        else:
            then = "check that this enquiry is still needed"
        warnings.append(
            _r(
                "EAR-13.open-enquiries",
                f"candidates with an open enquiry for {enquiry.syllabus}: {listed}; {then}",
            )
        )
    return warnings


def _r(code: str, message: str) -> Reason:
    return Reason(code=code, message=message)
