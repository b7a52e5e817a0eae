"""Submitting reads the enquiry as stored, whatever this process remembers of it (EAR-09).

A submission sends its reads together, guessing the draft's group and
candidates from the enquiry as this process last wrote it.  These tests make
that guess wrong, with a second store holding an enquiry of the same id (as
another process or store would), and check that the submission is decided on
the enquiry as stored.  Each runs on every backend.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from ear_board import BOTH_TICKED, JUNE_2023, MATHS, OFFICER, PHYSICS, SAMPLE
from stored_board import seed, service

from cambridge_results.board.schema import SCHEMA
from cambridge_results.clock import FixedClock
from cambridge_results.enquiries import Enquiries, EnquiryStatus, NewEnquiry
from cambridge_results.errors import NotFound
from cambridge_results.storage.port import Store
from cambridge_results.testing.conformance_base import StoreFactory

ID = "enq-000000777"
#: A service 9 group: five candidates entered for 0580.
GROUP = ("0001", "0002", "0003", "0004", "0005")


def _draft(
    enquiries: Enquiries,
    *,
    syllabus: str = str(MATHS.code),
    components: tuple[str, ...] = ("12",),
    candidates: tuple[str, ...] = ("0001",),
    **extra: object,
) -> None:
    """Save draft ``ID`` of GB123 (service 2 unless ``extra`` says otherwise)."""
    enquiries.create(
        OFFICER,
        NewEnquiry(
            enquiry_id=ID,
            series=JUNE_2023,
            service=str(extra.pop("service", "2")),
            syllabus=syllabus,
            components=components,
            candidates=candidates,
            whole_group=bool(extra.pop("whole_group", False)),
        ),
    )


@pytest.fixture
def elsewhere(make_store: StoreFactory, tmp_path: Path, clock: FixedClock) -> Iterator[Enquiries]:
    """The use cases over a second seeded store, where the same enquiry id is free."""
    (tmp_path / "elsewhere").mkdir()
    other = make_store(tmp_path / "elsewhere", SCHEMA)
    seed(other)
    yield service(other, clock)
    other.close()


def test_a_draft_whose_candidates_this_process_remembers_otherwise_is_submitted_as_stored(
    enquiries: Enquiries, elsewhere: Enquiries
) -> None:
    """EAR-09, EAR-03: the eligibility rules see the stored draft's candidates and their entries."""
    _draft(enquiries, service="9", candidates=GROUP)
    _draft(elsewhere, service="9", candidates=GROUP[:1])  # this process last wrote this one
    sent = enquiries.submit(OFFICER, ID, declarations=BOTH_TICKED)
    assert sent.enquiry.status is EnquiryStatus.SUBMITTED
    assert [str(c) for c in sent.enquiry.candidates] == list(GROUP)


def test_a_draft_this_process_remembers_in_another_syllabus_is_submitted_in_its_own(
    enquiries: Enquiries, elsewhere: Enquiries
) -> None:
    """EAR-09: the facts read are the stored draft's syllabus, not the remembered one's."""
    _draft(enquiries)
    _draft(elsewhere, syllabus=str(PHYSICS.code), components=("04",))
    sent = enquiries.submit(OFFICER, ID, declarations=BOTH_TICKED)
    assert sent.enquiry.status is EnquiryStatus.SUBMITTED
    assert sent.enquiry.syllabus == MATHS.code


def test_a_whole_group_draft_remembered_as_a_named_one_is_about_its_moderation_sample(
    enquiries: Enquiries, elsewhere: Enquiries
) -> None:
    """EAR-01: a whole-group service's candidates are its sample's, read even when unguessed."""
    physics = {"syllabus": str(PHYSICS.code), "components": ("04",), "candidates": ()}
    _draft(enquiries, service="5", whole_group=True, **physics)
    _draft(elsewhere, service="2", **physics)
    sent = enquiries.submit(OFFICER, ID, declarations=BOTH_TICKED)
    assert [str(c) for c in sent.enquiry.candidates] == list(SAMPLE)


def test_a_remembered_draft_missing_from_the_store_is_not_found(
    board: Store, clock: FixedClock, elsewhere: Enquiries
) -> None:
    """EAR-09: the stored enquiry decides; none of that id is NotFound, as before."""
    _draft(elsewhere)
    with pytest.raises(NotFound, match=f"no enquiry {ID}"):
        service(board, clock).submit(OFFICER, ID, declarations=BOTH_TICKED)
