"""Letters are drawn with no write open, and saved only over the state they were drawn from.

A renderer that lets another writer change the enquiry while it draws (the
real fpdf2 renderer underneath) stands for a slow render racing a
concurrent change.  On SQLite the change could not even start if the letter
were drawn inside the writing unit of work (it holds the one write lock);
the change must be kept, and the stored letter must say what the stored
enquiry says, because it was drawn again from the new state.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from ear_board import BOARD, MATHS, OFFICER, POLICY
from pypdf import PdfReader
from stored_board import RENDERER, acknowledged, make_pdf, outcome_for, submit_new

from cambridge_results.clock import FixedClock
from cambridge_results.enquiries import (
    DocumentKind,
    Enquiries,
    Enquiry,
    EnquiryAmendment,
    EnquiryStatus,
    OutcomeRequest,
    UploadRequest,
)
from cambridge_results.enquiries.letters import acknowledgement_letter, outcome_letter
from cambridge_results.rendering.enquiry_protocol import EnquiryLetter
from cambridge_results.storage.port import Store
from cambridge_results.values import CandidateNumber, Centre


class RacingRenderer:
    """The real renderer; before its first drawing, ``meanwhile`` changes the enquiry."""

    name = "fpdf2-racing"

    def __init__(self, meanwhile: Callable[[], object]) -> None:
        self.meanwhile: Callable[[], object] | None = meanwhile
        self.drawn: list[EnquiryLetter] = []

    def check(self, letter: EnquiryLetter) -> None:
        """As the real renderer."""
        RENDERER.check(letter)

    def render(self, letter: EnquiryLetter) -> bytes:
        """Let the concurrent change happen once, then draw."""
        if self.meanwhile is not None:
            change, self.meanwhile = self.meanwhile, None
            change()
        self.drawn.append(letter)
        return RENDERER.render(letter)


def racing(
    enquiries: Enquiries, meanwhile: Callable[[], object]
) -> tuple[Enquiries, RacingRenderer]:
    """The same store, policy and clock, drawing letters with a :class:`RacingRenderer`."""
    renderer = RacingRenderer(meanwhile)
    return Enquiries(enquiries.context, letter_renderer=renderer), renderer


def text(pdf: bytes) -> str:
    """The text of a one-page PDF."""
    (page,) = PdfReader(io.BytesIO(pdf)).pages
    return page.extract_text()


def assert_says(
    letter: bytes,
    renderer: RacingRenderer,
    compose: Callable[..., EnquiryLetter],
    stored: Enquiry,
    board: Store,
    clock: FixedClock,
) -> None:
    """The last letter drawn, and the stored one, say what ``stored`` says now."""
    expected = compose(
        POLICY,
        stored,
        centre=enquiries_centre(board),
        syllabus=MATHS,
        names=names(board),
        now=clock.now(),
    )
    assert renderer.drawn[-1] == expected
    assert text(letter) == text(RENDERER.render(expected))


def names(board: Store) -> dict[CandidateNumber, str]:
    """Candidate 0001's name as stored."""
    with board.unit_of_work(actor="test:read", read_only=True) as uow:
        found = uow.candidates.find("GB123", "0001")
        assert found is not None
        return {found.number: found.full_name}


def test_an_amendment_while_the_acknowledgement_is_drawn_is_kept_and_the_letter_says_it(
    board: Store, enquiries: Enquiries, clock: FixedClock
) -> None:
    """EAR-09, EAR-14: the amended components are stored and the Ack letter names them."""
    sent = submit_new(enquiries, service="2", components=("12",)).enquiry
    enquiries.receive(BOARD, sent.id)
    amendment = EnquiryAmendment(enquiry_id=sent.id, components=("12", "32"))
    board_side, renderer = racing(enquiries, lambda: enquiries.amend(OFFICER, amendment))
    acked = board_side.acknowledge(BOARD, sent.id)
    stored = enquiries.get(BOARD, sent.id)
    assert stored == acked
    assert (stored.status, [str(c) for c in stored.components]) == (
        EnquiryStatus.ACKNOWLEDGED,
        ["12", "32"],
    )
    assert len(stored.amendments) == 1
    assert len(renderer.drawn) == 2  # drawn again from the amended enquiry
    letter = enquiries.document(OFFICER, sent.id, DocumentKind.ACKNOWLEDGEMENT).content
    assert_says(letter, renderer, acknowledgement_letter, stored, board, clock)


def test_an_upload_while_the_outcome_letter_is_drawn_is_kept_and_the_letter_matches(
    board: Store, enquiries: Enquiries, clock: FixedClock
) -> None:
    """EAR-10, EAR-23: the copy of the script is kept; the Out letter is the completed one's."""
    acked = acknowledged(enquiries, submit_new(enquiries, service="1S").enquiry.id)
    scan = UploadRequest(
        enquiry_id=acked.id, kind=DocumentKind.COPY_OF_SCRIPT, pdf=make_pdf("Script")
    )
    board_side, renderer = racing(enquiries, lambda: enquiries.upload_document(BOARD, scan))
    outcome = outcome_for(enquiries, acked, change=1)
    done = board_side.record_outcome(BOARD, OutcomeRequest(enquiry_id=acked.id, outcome=outcome))
    stored = enquiries.get(BOARD, acked.id)
    assert stored == done.enquiry
    assert stored.status is EnquiryStatus.COMPLETED  # both documents are in
    kinds = [d.kind for d in enquiries.documents(BOARD, acked.id)]
    assert kinds == [
        DocumentKind.ACKNOWLEDGEMENT,
        DocumentKind.OUTCOME,
        DocumentKind.COPY_OF_SCRIPT,
    ]
    assert len(renderer.drawn) == 2
    letter = enquiries.document(BOARD, acked.id, DocumentKind.OUTCOME).content
    assert_says(letter, renderer, outcome_letter, stored, board, clock)


def test_a_letter_drawn_without_a_concurrent_change_is_drawn_once(
    enquiries: Enquiries,
) -> None:
    """Without a change in between, the compare succeeds at the first try."""
    sent = submit_new(enquiries).enquiry
    enquiries.receive(BOARD, sent.id)
    board_side, renderer = racing(enquiries, lambda: None)
    board_side.acknowledge(BOARD, sent.id)
    assert len(renderer.drawn) == 1


def enquiries_centre(board: Store) -> Centre:
    """The stored centre GB123 (its name is on the letter)."""
    with board.unit_of_work(actor="test:read", read_only=True) as uow:
        return uow.centres.get("GB123")
