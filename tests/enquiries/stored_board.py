"""The test board of ``ear_board`` put into a store, and stores to run the tests on.

Imported as ``stored_board`` (conftest.py puts this directory on ``sys.path``).
The stores come from the test harness (tests/conftest.py): memory, SQLite
and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import attrs
import pendulum
from ear_board import (
    ART,
    ASSOCIATE_CENTRE,
    BIOLOGY,
    BOARD,
    BOTH_TICKED,
    CENTRE,
    ICE,
    IGCSE,
    IN_WINDOW,
    JUNE_2023,
    MATHS,
    NUMBERS,
    OFFICER,
    PHYSICS,
    POLICY,
    facts,
)
from fpdf import FPDF

from cambridge_results.clock import FixedClock
from cambridge_results.context import Context
from cambridge_results.enquiries import (
    CandidateOutcome,
    Enquiries,
    Enquiry,
    EnquiryStatus,
    NewEnquiry,
    Outcome,
    ResultsKey,
    Transition,
)
from cambridge_results.enquiries.letters import acknowledgement_letter, outcome_letter
from cambridge_results.enquiries.repositories import EnquiryRecords
from cambridge_results.policy import Policy
from cambridge_results.principals import AssociateOfficer, CentreOfficer
from cambridge_results.rendering.fonts import REGULAR
from cambridge_results.rendering.fpdf_enquiry_letters import FpdfEnquiryLetterRenderer
from cambridge_results.rules.enquiries import workflow as wf
from cambridge_results.rules.enquiries.outcomes import review_component
from cambridge_results.storage.port import Store
from cambridge_results.values import Associate, Candidate, CandidateNumber, Syllabus

#: ``factory(directory) -> Store`` per backend.
StoreFactory = Callable[[Path], Store]


SYLLABUSES = (MATHS, BIOLOGY, ART, PHYSICS)
#: Given and family names per candidate number: every script is welcome.
NAMES = {
    "0001": ("Zoë", "Ångström"),
    "0002": ("محمد", "Khan"),
    "0003": ("Priya", "शर्मा"),
}
#: One letter renderer for the whole session: fonts are read once.
RENDERER = FpdfEnquiryLetterRenderer()


def seed(
    store: Store, *, numbers: Iterable[str] = NUMBERS, syllabuses: Iterable[Syllabus] = SYLLABUSES
) -> None:
    """Centres, candidates, syllabuses, qualifications, entries, marks and samples, in one unit."""
    with store.unit_of_work(actor="board:seed") as uow:
        records = EnquiryRecords(uow)
        uow.associates.add(Associate(number="NG900", name="Lagos Associate"))
        uow.centres.add(CENTRE)
        uow.centres.add(ASSOCIATE_CENTRE)
        records.results.add_qualification(IGCSE)
        records.results.add_qualification(ICE)
        wanted = tuple(numbers)
        for centre in (CENTRE, ASSOCIATE_CENTRE):
            for number in wanted:
                given, family = NAMES.get(number, ("Candidate", f"Number {number}"))
                uow.candidates.add(
                    Candidate(
                        centre=centre.number, number=number, given_name=given, family_name=family
                    )
                )
        for syllabus in syllabuses:
            uow.syllabuses.add(syllabus)
            for centre in (CENTRE, ASSOCIATE_CENTRE):
                known = facts(syllabus, centre=centre, numbers=wanted)
                for results in known.results:
                    records.results.put(results)
                for sample in known.moderation_samples:
                    records.results.put_sample(centre.number, "June 2023", syllabus.code, sample)


def service(store: Store, clock: FixedClock, policy: Policy = POLICY) -> Enquiries:
    """The use cases over ``store`` with the shared renderer."""
    return Enquiries(Context(store=store, policy=policy, clock=clock), letter_renderer=RENDERER)


def fixed_clock(at: pendulum.DateTime) -> FixedClock:
    """A clock the test moves by hand."""
    return FixedClock(at)


def submit_new(
    enquiries: Enquiries,
    principal: CentreOfficer | AssociateOfficer = OFFICER,
    *,
    service: str = "2",
    syllabus: Syllabus = MATHS,
    components: Iterable[str] = ("12",),
    candidates: Iterable[str] = ("0001",),
    **extra: Any,
) -> Transition:
    """Create a draft and submit it with both declarations ticked (two units of work)."""
    made = enquiries.create(
        principal,
        NewEnquiry(
            series=JUNE_2023,
            service=service,
            syllabus=syllabus.code,
            components=tuple(components),
            candidates=tuple(candidates),
            **extra,
        ),
    )
    return enquiries.submit(principal, made.id, declarations=BOTH_TICKED)


def acknowledged(enquiries: Enquiries, enquiry_id: str) -> Enquiry:
    """The board receives and acknowledges an enquiry (the Ack letter is rendered)."""
    enquiries.receive(BOARD, enquiry_id)
    return enquiries.acknowledge(BOARD, enquiry_id)


def outcome_for(
    enquiries: Enquiries, enquiry: Enquiry, *, change: int, grade_after: str | None = None
) -> Outcome:
    """An outcome moving every reviewed mark by ``change`` from the stored marks (EAR-23)."""
    syllabus = next(s for s in SYLLABUSES if s.code == enquiry.syllabus)
    outcomes = []
    for number in enquiry.candidates:
        stored = enquiries.results(
            BOARD,
            ResultsKey(
                centre=enquiry.centre,
                series=enquiry.series,
                candidate=number,
                syllabus=enquiry.syllabus,
            ),
        )
        assert stored is not None
        assert stored.grade is not None
        components = []
        for code in enquiry.components:
            mark = stored.mark(code)
            assert mark is not None
            assert mark.value is not None
            components.append(
                review_component(
                    syllabus.component(code), before=mark.value, reviewed=mark.value + change
                )
            )
        outcomes.append(
            CandidateOutcome(
                candidate=number,
                components=tuple(components),
                grade_before=stored.grade,
                grade_after=grade_after or stored.grade,
            )
        )
    return Outcome(candidates=tuple(outcomes), recorded_at=enquiries.context.clock.now())


def make_pdf(*lines: str, pages: int = 1) -> bytes:
    """A real PDF of ``pages`` pages with ``lines`` on each: what the board uploads."""
    pdf = FPDF()
    pdf.add_font("NotoSans", "", str(REGULAR.path))
    pdf.set_font("NotoSans", size=12)
    pdf.set_creation_date(IN_WINDOW)
    for _ in range(pages):
        pdf.add_page()
        for line in lines:
            pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


#: When the letters of :func:`letters` are issued.
ISSUED = pendulum.datetime(2023, 9, 4, 10, 15, tz="UTC")
LETTER_NAMES = {CandidateNumber.parse("0001"): "Zoë Ångström"}


def letters() -> tuple[bytes, bytes]:
    """An acknowledgement and an outcome letter of one 2S enquiry, rendered purely."""
    draft = wf.create(
        POLICY,
        enquiry_id="e-golden",
        centre=CENTRE,
        series="June 2023",
        service="2S",
        syllabus="0580",
        components=("12", "32"),
        candidates=("0001",),
        principal=OFFICER,
        now=ISSUED.subtract(days=3),
    ).enquiry
    sent = attrs.evolve(
        draft,
        status=EnquiryStatus.SUBMITTED,
        arrived_at=draft.created_at,
        queued_at=draft.created_at,
    )
    received = wf.receive(POLICY, sent, number="E23-000042", principal=BOARD, now=ISSUED).enquiry
    acked = wf.acknowledge(POLICY, received, principal=BOARD, now=ISSUED).enquiry
    ack = acknowledgement_letter(
        POLICY, acked, centre=CENTRE, syllabus=MATHS, names=LETTER_NAMES, now=ISSUED
    )
    later = ISSUED.add(days=12)
    outcome = Outcome(
        recorded_at=later,
        candidates=(
            CandidateOutcome(
                candidate="0001",
                components=(
                    review_component(MATHS.component("12"), before=50, reviewed=58),
                    review_component(MATHS.component("32"), before=61, reviewed=62),
                ),
                grade_before="C",
                grade_after="B",
            ),
        ),
    )
    done = wf.record_outcome(POLICY, acked, outcome=outcome, principal=BOARD, now=later).enquiry
    out = outcome_letter(POLICY, done, centre=CENTRE, syllabus=MATHS, names=LETTER_NAMES, now=later)
    return RENDERER.render(ack), RENDERER.render(out)
