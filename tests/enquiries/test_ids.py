"""Enquiry ids come from blocks reserved outside the create's unit of work (EAR-09)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import attrs
import pytest
from ear_board import BOARD, JUNE_2023, MATHS, OFFICER
from stored_board import service

from cambridge_results.clock import FixedClock
from cambridge_results.enquiries import Enquiries, NewEnquiry
from cambridge_results.enquiries.ids import MAX_BLOCK
from cambridge_results.errors import DuplicateError
from cambridge_results.storage.port import Store


def draft(enquiries: Enquiries) -> str:
    """A new draft's id."""
    request = NewEnquiry(
        series=JUNE_2023, service="2", syllabus=MATHS.code, components=("12",), candidates=("0001",)
    )
    return enquiries.create(OFFICER, request).id


def test_one_process_numbers_its_drafts_1_2_3_as_before(enquiries: Enquiries) -> None:
    """EAR-09: with one Enquiries object the ids are dense, in the order made."""
    ids = [draft(enquiries) for _ in range(10)]
    assert ids == [f"enq-{n:09d}" for n in range(1, 11)]


def test_two_objects_over_one_store_never_share_an_id(board: Store, clock: FixedClock) -> None:
    """EAR-09: blocks are reserved in the store, so two users of it draw disjoint ids."""
    first, second = service(board, clock), service(board, clock)
    ids = [draft(e) for _ in range(MAX_BLOCK + 5) for e in (first, second)]
    assert len(set(ids)) == len(ids)


def test_threads_sharing_one_object_never_share_an_id(enquiries: Enquiries) -> None:
    """EAR-09: the block is taken under a lock; eight threads draw 200 distinct ids."""
    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(lambda _: draft(enquiries), range(200)))
    assert len(set(ids)) == 200


def test_a_reserved_id_a_caller_took_first_is_a_duplicate_and_writes_nothing(
    enquiries: Enquiries,
) -> None:
    """EAR-09: a draft whose reserved id a caller chose already is refused whole, then moves on."""
    request = NewEnquiry(
        series=JUNE_2023, service="2", syllabus=MATHS.code, components=("12",), candidates=("0001",)
    )
    chosen = enquiries.create(OFFICER, attrs.evolve(request, enquiry_id="enq-000000002"))
    assert draft(enquiries) == "enq-000000001"
    with pytest.raises(DuplicateError):
        draft(enquiries)  # reserved 2, which the caller chose
    assert [e.id for e in enquiries.list_enquiries(OFFICER)] == [
        "enq-000000001",
        chosen.id,
    ]
    assert [e.kind for e in enquiries.history(BOARD, chosen.id)] == ["enquiry-created"]
    assert draft(enquiries) == "enq-000000003"
