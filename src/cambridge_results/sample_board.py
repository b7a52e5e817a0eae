"""A deterministic sample board for the demo, the benchmarks and users' experiments.

One ordinary centre, one Cambridge Associate with Associate Centres, and
candidates with names from many scripts, each entered for a few syllabuses.
The same ``seed`` always gives the same board.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import attrs

from cambridge_results.associates import AssociateDefaults, Associates
from cambridge_results.context import Context
from cambridge_results.errors import InvalidValue
from cambridge_results.principals import AssociateOfficer, BoardStaff, CentreOfficer, Principal
from cambridge_results.rules.website.access import AccessRequest
from cambridge_results.storage.port import UnitOfWork
from cambridge_results.values import (
    UCI,
    AssessedBy,
    Associate,
    Candidate,
    CandidateNumber,
    Centre,
    CentreNumber,
    Component,
    ContactDetails,
    Entry,
    ExamSeries,
    Syllabus,
)
from cambridge_results.values.access import AccessMode, ContactChoice
from cambridge_results.website import Website

__all__ = [
    "LetterGroup",
    "SampleBoard",
    "give_sample_access",
    "letter_groups",
    "sample_board",
    "store_sample_board",
]

# Names are paired within one script, as real names are; the demo's bundled fonts
# draw all of these (CJK needs a system font, so the sample has none).
_NAMES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (
        ("Amelia", "Oliver", "Chloé", "Søren", "José", "Zoë", "Ngozi", "Kwame", "Priya",
         "Arjun", "Mei", "Hiroshi", "Fatima", "Omar", "Nguyễn Văn", "Seo-yeon", "Aisha"),
        ("Smith", "García", "Müller", "Okafor", "Mensah", "Sharma", "Patel", "Chen", "Tanaka",
         "Haddad", "O'Brien", "Nowak", "Silva", "Kowalczyk", "Hernández", "Dubois", "Nguyễn"),
    ),
    (("محمد", "فاطمة", "أحمد", "مريم"), ("العلي", "حداد", "الخطيب")),
    (("अनन्या", "राहुल", "प्रिया"), ("शर्मा", "पटेल", "वर्मा")),
    (("Αλέξανδρος", "Ελένη"), ("Παπαδόπουλος", "Γεωργίου")),
    (("Иван", "Мария", "Ольга"), ("Петров", "Иванова", "Смирнова")),
)  # fmt: skip
# Most sample candidates have Latin-script names, as at a typical international centre.
_SCRIPT_WEIGHTS = (12, 2, 2, 1, 1)

SYLLABUSES = (
    Syllabus(
        code="0580",
        name="Mathematics",
        qualification="IGCSE",
        components=(
            Component(code="12", name="Paper 1 (Core)", assessed_by=AssessedBy.BOARD),
            Component(code="32", name="Paper 3 (Core)", assessed_by=AssessedBy.BOARD),
        ),
    ),
    Syllabus(
        code="0610",
        name="Biology",
        qualification="IGCSE",
        components=(
            Component(
                code="22",
                name="Paper 2 Multiple Choice (Extended)",
                assessed_by=AssessedBy.BOARD,
                multiple_choice=True,
            ),
            Component(code="42", name="Paper 4 Theory (Extended)", assessed_by=AssessedBy.BOARD),
        ),
    ),
    Syllabus(
        code="0400",
        name="Art and Design",
        qualification="IGCSE",
        art_and_design=True,
        components=(
            Component(code="01", name="Coursework", assessed_by=AssessedBy.CENTRE, tolerance=2),
            Component(code="02", name="Externally Set Assignment", assessed_by=AssessedBy.BOARD),
        ),
    ),
)


@attrs.frozen(kw_only=True)
class SampleBoard:
    """What :func:`sample_board` makes: organisations up front, candidates as a stream."""

    series: ExamSeries
    associate: Associate
    centres: tuple[Centre, ...]
    syllabuses: tuple[Syllabus, ...]
    candidates_per_centre: int
    seed: int

    def candidates(self) -> Iterator[tuple[Candidate, tuple[Entry, ...]]]:
        """Every candidate with its entries, centre by centre, in candidate-number order."""
        rng = random.Random(self.seed)  # noqa: S311 - sample data, not secrets
        year = self.series.year % 100
        for centre in self.centres:
            for i in range(1, self.candidates_per_centre + 1):
                number = CandidateNumber(f"{i:04d}")
                uci = UCI(f"{centre.number}{year:02d}0{number}{chr(65 + i % 26)}")
                given, family = rng.choices(_NAMES, weights=_SCRIPT_WEIGHTS)[0]
                candidate = Candidate(
                    centre=centre.number,
                    number=number,
                    given_name=rng.choice(given),
                    family_name=rng.choice(family),
                    uci=uci,
                )
                chosen = rng.sample(self.syllabuses, k=rng.randint(1, len(self.syllabuses)))
                entries = tuple(
                    Entry(
                        centre=centre.number,
                        series=self.series,
                        candidate=number,
                        syllabus=s.code,
                        components=tuple(c.code for c in s.components),
                    )
                    for s in sorted(chosen, key=lambda s: s.code)
                )
                yield candidate, entries


def sample_board(
    *,
    series: ExamSeries | str = "June 2026",
    associate_centres: int = 2,
    candidates_per_centre: int = 100,
    seed: int = 2026,
) -> SampleBoard:
    """A board with centre GB100, Associate GB200 and its Associate Centres GB201, GB202, ..."""
    associate = Associate(
        number=CentreNumber("GB200"),
        name="Northern Schools Associate",
        contact=ContactDetails(
            name="Results Helpdesk", email="results@northern-associate.example", phone=None
        ),
    )
    centres = [
        Centre(
            number=CentreNumber("GB100"),
            name="Riverside International School",
            contact=ContactDetails(name="Sam Exams", phone="+44 1223 553554"),
        )
    ]
    for i in range(1, associate_centres + 1):
        centres.append(
            Centre(
                number=CentreNumber(f"GB{200 + i}"),
                name=f"Associate Centre {i}",
                associate=associate.number,
                contact=ContactDetails(
                    name=f"Exams Officer {i}", email=f"exams{i}@centre{i}.example"
                ),
            )
        )
    return SampleBoard(
        series=ExamSeries.parse(series),
        associate=associate,
        centres=tuple(centres),
        syllabuses=SYLLABUSES,
        candidates_per_centre=candidates_per_centre,
        seed=seed,
    )


def store_sample_board(context: Context, board: SampleBoard, *, batch_size: int = 1000) -> int:
    """Write a sample board through ``context`` as the board's staff; the candidates written.

    Organisations and syllabuses go in one unit of work, candidates and
    entries in further ones of ``batch_size`` candidates, so memory stays flat.
    """
    actor = str(BoardStaff(staff_id="sample-data"))
    now = context.now()

    def organisations(uow: UnitOfWork) -> None:
        uow.associates.add(board.associate)
        for syllabus in board.syllabuses:
            uow.syllabuses.add(syllabus)
        for centre in board.centres:
            uow.centres.add(centre)
        uow.events.append(
            at=now,
            kind="sample-board-created",
            subject=f"associate:{board.associate.number}",
            details={"centres": [str(c.number) for c in board.centres]},
        )

    context.write(organisations, actor=actor)
    written = 0
    stream = board.candidates()
    while True:
        chunk = [item for _, item in zip(range(batch_size), stream, strict=False)]
        if not chunk:
            return written

        def people(
            uow: UnitOfWork, chunk: list[tuple[Candidate, tuple[Entry, ...]]] = chunk
        ) -> None:
            for candidate, entries in chunk:
                uow.candidates.add(candidate)
                for entry in entries:
                    uow.entries.add(entry)

        context.write(people, actor=actor)
        written += len(chunk)


#: The delay the sample Associate sets for all its Associate Centres (ASC-02, ASC-04).
SAMPLE_ASSOCIATE_DELAY = "2 days"


def give_sample_access(website: Website, associates: Associates, board: SampleBoard) -> None:
    """Give ALL candidates access at every sample centre, as each centre's officer with its
    own contact (CRW-04); the Associate uses defaults with a 2-day delay and itself as the
    contact for its Associate Centres (ASC-02, ASC-04, ASC-05)."""
    for centre in board.centres:
        contact = centre.contact
        if contact is None:
            raise InvalidValue("centre.contact", f"sample centre {centre.number} has no contact")
        website.set_access(
            CentreOfficer(centre=centre.number),
            centre.number,
            board.series,
            AccessRequest(
                mode=AccessMode.ALL,
                agreed_to_manage_queries=True,
                contact_name=contact.name,
                phone=contact.phone,
                email=contact.email,
            ),
        )
    associates.set_defaults(
        AssociateOfficer(associate=board.associate.number),
        AssociateDefaults(
            associate=board.associate.number,
            series=board.series,
            use_defaults=True,
            default_delay=SAMPLE_ASSOCIATE_DELAY,
            default_contact=ContactChoice.DEFAULT,
        ),
    )


@attrs.frozen(kw_only=True)
class LetterGroup:
    """Centres whose letters one principal generates in one run, and a name for its output."""

    name: str
    principal: Principal
    centres: tuple[CentreNumber, ...]


def letter_groups(board: SampleBoard) -> tuple[LetterGroup, ...]:
    """GB100 by its own officer, then the Associate Centres by their Associate (ASC-07)."""
    main = next(c for c in board.centres if c.associate is None)
    groups = [
        LetterGroup(
            name=str(main.number),
            principal=CentreOfficer(centre=main.number),
            centres=(main.number,),
        )
    ]
    associated = tuple(c.number for c in board.centres if c.associate is not None)
    if associated:
        groups.append(
            LetterGroup(
                name=str(board.associate.number),
                principal=AssociateOfficer(associate=board.associate.number),
                centres=associated,
            )
        )
    return tuple(groups)
