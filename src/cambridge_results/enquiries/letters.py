"""What the acknowledgement and outcome letters say (EAR-08, EAR-10, EAR-14..16, EAR-20, 23).

Pure functions: they take the policy, the enquiry and what the store knows
about the centre, the syllabus and the candidates' names, and return an
:class:`~cambridge_results.rendering.enquiry_protocol.EnquiryLetter` for a
renderer to draw.  Every number comes from the policy.
"""

from __future__ import annotations

from collections.abc import Mapping

import pendulum

from cambridge_results.errors import InvalidValue
from cambridge_results.policy import Policy
from cambridge_results.rendering.enquiry_protocol import EnquiryLetter, LetterSection, LetterTable
from cambridge_results.rules.enquiries.fees import LineKind, charges_for
from cambridge_results.rules.enquiries.queue import due_at
from cambridge_results.rules.enquiries.services import service_definition
from cambridge_results.rules.enquiries.time import add_hours, day_end_text, local_text
from cambridge_results.values import CandidateNumber, Centre, Syllabus
from cambridge_results.values.enquiry import DocumentKind, Enquiry

__all__ = ["ACK_TITLE", "OUT_TITLE", "acknowledgement_letter", "outcome_letter"]

ACK_TITLE = "Enquiry about results: acknowledgement"
OUT_TITLE = "Enquiry about results: outcome"

TOLERANCE_NOTE = (
    "A mark changes only when the review differs from the original mark by more than the "
    "component's tolerance, or when a clerical error is corrected."
)


def _number(enquiry: Enquiry) -> str:
    if enquiry.number is None:
        raise InvalidValue("enquiry.number", "a letter is issued once the board has numbered it")
    return enquiry.number


def _details(
    policy: Policy,
    enquiry: Enquiry,
    centre: Centre,
    syllabus: Syllabus,
) -> list[tuple[str, str]]:
    if centre.number != enquiry.centre or syllabus.code != enquiry.syllabus:
        raise InvalidValue("letter", f"centre and syllabus must be those of enquiry {enquiry.id}")
    definition = service_definition(policy, enquiry.series, enquiry.service)
    rows = [
        ("Enquiry number", _number(enquiry)),
        ("Centre", f"{centre.number} {centre.name}"),
    ]
    if enquiry.associate is not None:
        rows.append(("Cambridge Associate", str(enquiry.associate)))
    rows += [
        ("Series", str(enquiry.series)),
        ("Service", f"{definition.code}: {definition.name}"),
        ("Syllabus", f"{syllabus.code} {syllabus.name}"),
    ]
    if enquiry.components:
        named = [f"{c} {syllabus.component(c).name}" for c in enquiry.components]
        rows.append(("Components", "; ".join(named)))
    else:
        rows.append(("Components", "none: the enquiry is about the syllabus result"))
    rows.append(("Your reference", enquiry.display_note))
    return rows


def _candidates(enquiry: Enquiry, names: Mapping[CandidateNumber, str]) -> LetterSection:
    paragraphs: tuple[str, ...] = ()
    if enquiry.whole_group:
        paragraphs = (
            "The whole group is re-moderated; these candidates were in the original "
            "moderation sample.",
        )
    return LetterSection(
        heading="Candidates",
        paragraphs=paragraphs,
        table=LetterTable(
            header=("Candidate number", "Name"),
            rows=[(str(c), names.get(c, "")) for c in enquiry.candidates],
        ),
    )


def acknowledgement_letter(
    policy: Policy,
    enquiry: Enquiry,
    *,
    centre: Centre,
    syllabus: Syllabus,
    names: Mapping[CandidateNumber, str],
    now: pendulum.DateTime,
) -> EnquiryLetter:
    """The acknowledgement letter (Ack) of a received enquiry, issued at ``now``.

    It says when the outcome is normally due (EAR-08), until when changes
    are free (EAR-14), the fee (EAR-15) and until when errors in the letter
    can be reported (EAR-16).
    """
    tz = policy.timezone
    definition = service_definition(policy, enquiry.series, enquiry.service)
    details = _details(policy, enquiry, centre, syllabus)
    if enquiry.received_at is not None:
        details.append(("Received", local_text(enquiry.received_at, tz)))
    due = due_at(policy, enquiry)
    days = definition.turnaround_days or policy.enquiries.turnaround_days
    next_steps = [
        "We deal with enquiries in the order we receive them. We normally communicate the "
        f"outcome within {days} days of receiving the enquiry"
        + (f": by {day_end_text(due, tz)}." if due is not None else ".")
    ]
    if definition.copy_of_script or definition.report:
        parts = [
            p
            for p, on in (
                ("the copy of the script", definition.copy_of_script),
                ("the report", definition.report),
            )
            if on
        ]
        next_steps.append(
            f"The enquiry is completed when the outcome letter and {' and '.join(parts)} "
            "are uploaded."
        )
    # The letter is issued when the board acknowledges: both periods start then.
    issued = enquiry.acknowledged_at or now
    error_deadline = add_hours(issued, policy.enquiries.acknowledgement_error_report_hours)
    if enquiry.associate is not None:
        check = (
            "Check all the details in this letter. If you find an error, tell your Cambridge "
            f"Associate ({enquiry.associate}) at once: the Associate must report it to us before "
            f"{local_text(error_deadline, tz)}."
        )
    else:
        check = (
            "Check all the details in this letter. Report any error to us before "
            f"{local_text(error_deadline, tz)}."
        )
    free_until = add_hours(issued, policy.enquiries.free_change_hours)
    changes = (
        f"Amendments and cancellations are free until {local_text(free_until, tz)}; "
        f"after that we charge an administration fee of {policy.enquiries.amendment_fee} for "
        f"each amendment and {policy.enquiries.cancellation_fee} for a cancellation."
    )
    if definition.free:
        fee = f"Service {definition.code} is free of charge."
    else:
        fee = (
            f"The fee for service {definition.code} is {policy.fee(definition.code)}. "
            "No fee is charged if the enquiry leads to a change in the syllabus grade."
        )
    sections = [
        _candidates(enquiry, dict(names)),
        LetterSection(heading="What happens next", paragraphs=next_steps),
        LetterSection(heading="Check this letter", paragraphs=(check,)),
        LetterSection(heading="Amendments, cancellations and fees", paragraphs=(changes, fee)),
    ]
    return EnquiryLetter(
        letter_id=f"{_number(enquiry)}-{DocumentKind.ACKNOWLEDGEMENT.value}",
        title=ACK_TITLE,
        subtitle=f"{enquiry.series} series, issued {local_text(now, tz)}",
        details=details,
        sections=sections,
        issued_at=now,
        timezone=tz,
    )


def outcome_letter(
    policy: Policy,
    enquiry: Enquiry,
    *,
    centre: Centre,
    syllabus: Syllabus,
    names: Mapping[CandidateNumber, str],
    now: pendulum.DateTime,
) -> EnquiryLetter:
    """The outcome letter (Out) of an enquiry whose outcome is recorded (EAR-10, EAR-23).

    It shows the marks before, as reviewed and after, the grades before and
    after, whether an updated statement of results follows and what is
    charged (EAR-15), and how to appeal (EAR-20).
    """
    outcome = enquiry.outcome
    if outcome is None:
        raise InvalidValue("enquiry.outcome", f"enquiry {enquiry.id} has no outcome recorded")
    tz = policy.timezone
    definition = service_definition(policy, enquiry.series, enquiry.service)
    details = _details(policy, enquiry, centre, syllabus)
    details.append(("Outcome recorded", local_text(outcome.recorded_at, tz)))
    sections: list[LetterSection] = []
    marks = [
        (
            str(o.candidate),
            f"{r.component} {syllabus.component(r.component).name}",
            str(r.mark_before),
            str(r.mark_reviewed),
            str(r.mark_after) + (" (clerical error corrected)" if r.clerical_error else ""),
        )
        for o in outcome.candidates
        for r in o.components
    ]
    if marks:
        sections.append(
            LetterSection(
                heading="Marks",
                paragraphs=(TOLERANCE_NOTE,),
                table=LetterTable(
                    header=("Candidate", "Component", "Original", "Reviewed", "Final"),
                    rows=marks,
                ),
            )
        )
    if outcome.candidates:
        sections.append(
            LetterSection(
                heading="Syllabus grades",
                table=LetterTable(
                    header=("Candidate", "Name", "Grade before", "Grade after"),
                    rows=[
                        (
                            str(o.candidate),
                            names.get(o.candidate, ""),
                            str(o.grade_before),
                            str(o.grade_after),
                        )
                        for o in outcome.candidates
                    ],
                ),
            )
        )
    result: list[str] = []
    if outcome.statements_due:
        listed = ", ".join(str(c) for c in outcome.statements_due)
        result.append(
            f"The syllabus grade changed for {listed}: an updated statement of results will "
            "be issued."
        )
    elif outcome.candidates:
        result.append("The syllabus grade did not change.")
    (line,) = [x for x in charges_for(policy, enquiry) if x.kind is LineKind.SERVICE]
    if line.list_price is None:
        result.append(f"Service {definition.code} is free of charge.")
    elif line.charge is None:
        result.append(f"No fee is charged for this enquiry: {line.waived}.")
    else:
        result.append(f"The fee of {line.charge} for service {definition.code} is charged.")
    follow = [
        name
        for name, on in (
            ("a report (Rpt)", definition.report),
            ("the copy of the script (Cos)", definition.copy_of_script),
        )
        if on
    ]
    if follow:
        result.append(f"This enquiry also has {' and '.join(follow)}, uploaded separately.")
    sections.append(LetterSection(heading="Result of the enquiry", paragraphs=result))
    who = (
        f"through your Cambridge Associate ({enquiry.associate})"
        if enquiry.associate is not None
        else "by the centre"
    )
    sections.append(
        LetterSection(
            heading="Appeals",
            paragraphs=(
                "If you would like to appeal against this outcome, a stage 1 appeal is made "
                f"{who}, signed by the Head of Centre. We decide a stage 1 appeal within "
                f"{policy.enquiries.appeal_stage1_decision_days} days; a stage 2 appeal can be "
                f"asked for within {policy.enquiries.appeal_stage2_within_days} days of the "
                "stage 1 decision letter.",
            ),
        )
    )
    return EnquiryLetter(
        letter_id=f"{_number(enquiry)}-{DocumentKind.OUTCOME.value}",
        title=OUT_TITLE,
        subtitle=f"{enquiry.series} series, issued {local_text(now, tz)}",
        details=details,
        sections=sections,
        issued_at=now,
        timezone=tz,
    )
