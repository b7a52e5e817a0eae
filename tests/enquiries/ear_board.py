"""A small board for the enquiry tests: a centre, an Associate Centre, syllabuses, facts.

Imported by the test modules as ``ear_board`` (conftest.py puts this
directory on ``sys.path``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import attrs
import pendulum

from cambridge_results.enquiries import (
    CandidateResults,
    Enquiry,
    ModerationSample,
    SyllabusFacts,
    Transition,
)
from cambridge_results.policy import Policy, international_2023
from cambridge_results.principals import AssociateOfficer, BoardStaff, CentreOfficer
from cambridge_results.rules.enquiries import workflow as wf
from cambridge_results.values import (
    AssessedBy,
    Centre,
    Component,
    Entry,
    ExamSeries,
    Mark,
    MarkSource,
    Qualification,
    Route,
    Syllabus,
)

POLICY = international_2023()
JUNE_2023 = ExamSeries.parse("June 2023")
#: Inside the June 2023 window: results were out on 10 August, the deadline is 20 September.
IN_WINDOW = pendulum.datetime(2023, 9, 1, 9, 0, tz="UTC")

CENTRE = Centre(number="GB123", name="Riverside School")
ASSOCIATE_CENTRE = Centre(number="NG456", name="Lagoon College", associate="NG900")
OFFICER = CentreOfficer(centre="GB123")
AC_OFFICER = CentreOfficer(centre="NG456")
ASSOCIATE = AssociateOfficer(associate="NG900")
OTHER_OFFICER = CentreOfficer(centre="FR777")
BOARD = BoardStaff(staff_id="j.smith")
BOTH_TICKED = (True, True)

IGCSE = Qualification(code="IGCSE", name="Cambridge IGCSE")
ICE = Qualification(code="ICE", name="Cambridge ICE", group_award=True)

MATHS = Syllabus(
    code="0580",
    name="Mathematics",
    qualification="IGCSE",
    components=(
        Component(code="12", name="Paper 1", assessed_by=AssessedBy.BOARD, tolerance=2),
        Component(code="32", name="Paper 3", assessed_by=AssessedBy.BOARD, tolerance=2),
    ),
)
BIOLOGY = Syllabus(
    code="0610",
    name="Biology",
    qualification="IGCSE",
    components=(
        Component(
            code="22", name="Multiple Choice", assessed_by=AssessedBy.BOARD, multiple_choice=True
        ),
        Component(code="42", name="Theory", assessed_by=AssessedBy.BOARD, tolerance=3),
        Component(code="52", name="Practical", assessed_by=AssessedBy.BOARD),
    ),
)
ART = Syllabus(
    code="0400",
    name="Art and Design",
    qualification="IGCSE",
    art_and_design=True,
    components=(
        Component(code="01", name="Coursework", assessed_by=AssessedBy.CENTRE, tolerance=2),
        Component(code="02", name="Externally Set Assignment", assessed_by=AssessedBy.BOARD),
    ),
)
PHYSICS = Syllabus(
    code="0625",
    name="Physics",
    qualification="IGCSE",
    components=(
        Component(code="22", name="Theory", assessed_by=AssessedBy.BOARD, tolerance=2),
        Component(code="04", name="Coursework", assessed_by=AssessedBy.CENTRE, tolerance=2),
    ),
)

#: Candidates 0001..0020 at each centre.
NUMBERS = tuple(f"{n:04d}" for n in range(1, 21))
#: The original moderation sample of Physics coursework 04.
SAMPLE = ("0002", "0004", "0006", "0008", "0010")


def facts(
    syllabus: Syllabus = MATHS,
    *,
    centre: Centre = CENTRE,
    numbers: Iterable[str] = NUMBERS,
    marks: Mapping[tuple[str, str], MarkSource | None] | None = None,
    routes: Mapping[str, Route] | None = None,
    grades: Mapping[str, str] | None = None,
    qualification: Qualification = IGCSE,
    samples: Mapping[str, Iterable[str]] | None = None,
) -> SyllabusFacts:
    """Facts where every candidate sat every component with an exam or moderation mark.

    ``marks[(candidate, component)]`` overrides a mark's source (``None``: no mark).
    """
    overrides = marks or {}
    results = []
    for number in numbers:
        entry = Entry(
            centre=centre.number,
            series=JUNE_2023,
            candidate=number,
            syllabus=syllabus.code,
            components=tuple(c.code for c in syllabus.components),
            route=(routes or {}).get(number, Route.STANDARD),
        )
        candidate_marks = []
        for c in syllabus.components:
            default = (
                MarkSource.MODERATION if c.assessed_by is AssessedBy.CENTRE else MarkSource.EXAM
            )
            source = overrides.get((number, str(c.code)), default)
            if source is None:
                continue
            value = None if source is MarkSource.EXEMPTION else 40
            candidate_marks.append(Mark(component=c.code, source=source, value=value))
        results.append(
            CandidateResults(
                entry=entry, marks=tuple(candidate_marks), grade=(grades or {}).get(number, "C")
            )
        )
    chosen = samples if samples is not None else {"04": SAMPLE}
    return SyllabusFacts(
        qualification=qualification,
        syllabus=syllabus,
        results=tuple(results),
        moderation_samples=tuple(
            ModerationSample(component=k, candidates=tuple(v))
            for k, v in chosen.items()
            if any(c.code.value == k for c in syllabus.components)
        ),
    )


_counter = iter(range(1, 1_000_000))


def draft(
    service: str = "1",
    *,
    syllabus: Syllabus = MATHS,
    components: Iterable[str] = ("12",),
    candidates: Iterable[str] = ("0001",),
    centre: Centre = CENTRE,
    principal: CentreOfficer | AssociateOfficer | None = None,
    now: pendulum.DateTime = IN_WINDOW,
    policy: Policy = POLICY,
    enquiry_id: str | None = None,
    **extra: object,
) -> Enquiry:
    """A new draft enquiry (Saved) made by the centre's officer."""
    made = wf.create(
        policy,
        enquiry_id=enquiry_id or f"e{next(_counter)}",
        centre=centre,
        series=JUNE_2023,
        service=service,
        syllabus=syllabus.code,
        components=tuple(components),
        candidates=tuple(candidates),
        principal=principal or CentreOfficer(centre=centre.number),
        now=now,
        **extra,
    )
    return made.enquiry


def submitted(
    enquiry: Enquiry,
    *,
    syllabus_facts: SyllabusFacts | None = None,
    others: Iterable[Enquiry] = (),
    now: pendulum.DateTime = IN_WINDOW,
    policy: Policy = POLICY,
) -> Transition:
    """Submit a draft with both declarations ticked."""
    return wf.submit(
        policy,
        enquiry,
        facts=syllabus_facts or facts(_syllabus_of(enquiry)),
        others=tuple(others),
        declarations=BOTH_TICKED,
        principal=CentreOfficer(centre=enquiry.centre),
        now=now,
    )


def acknowledged(
    enquiry: Enquiry,
    *,
    number: str = "E23-000001",
    now: pendulum.DateTime = IN_WINDOW,
    policy: Policy = POLICY,
) -> Enquiry:
    """A submitted enquiry received and acknowledged by the board at ``now``."""
    received = wf.receive(policy, enquiry, number=number, principal=BOARD, now=now).enquiry
    return wf.acknowledge(policy, received, principal=BOARD, now=now).enquiry


def _syllabus_of(enquiry: Enquiry) -> Syllabus:
    for s in (MATHS, BIOLOGY, ART, PHYSICS):
        if s.code == enquiry.syllabus:
            return s
    raise AssertionError(f"no test syllabus {enquiry.syllabus}")


def with_deadline(policy: Policy, series: ExamSeries, deadline: str) -> Policy:
    """``policy`` with another enquiry deadline for ``series`` (policies are data)."""
    calendars = tuple(
        attrs.evolve(c, enquiry_deadline=type(c.enquiry_deadline)(deadline))
        if c.series == series
        else c
        for c in policy.series
    )
    return attrs.evolve(policy, series=calendars)
