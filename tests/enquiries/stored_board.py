"""The test board of ``ear_board`` put into a store, and stores to run the tests on.

Imported as ``stored_board`` (conftest.py puts this directory on ``sys.path``).
``STORE_FACTORIES`` names every backend the stored tests run on; PostgreSQL
is one more entry once its backend exists (see ``postgres_store``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pendulum
import pytest
from ear_board import (
    ART,
    ASSOCIATE_CENTRE,
    BIOLOGY,
    CENTRE,
    ICE,
    IGCSE,
    MATHS,
    NUMBERS,
    PHYSICS,
    POLICY,
    facts,
)

from cambridge_results.clock import FixedClock
from cambridge_results.enquiries.repositories import EnquiryRecords
from cambridge_results.enquiries.service import EnquiryService
from cambridge_results.errors import BackendNotFound
from cambridge_results.policy import Policy
from cambridge_results.rendering.fpdf_enquiry_letters import FpdfEnquiryLetterRenderer
from cambridge_results.storage import open_store
from cambridge_results.storage.memory import MemoryStore
from cambridge_results.storage.port import Store
from cambridge_results.storage.sqlite import SQLiteStore
from cambridge_results.values import Associate, Candidate, Syllabus

#: ``factory(directory) -> Store`` per backend.
StoreFactory = Callable[[Path], Store]

STORE_FACTORIES: dict[str, StoreFactory] = {
    "memory": lambda path: MemoryStore(),
    "sqlite": lambda path: SQLiteStore(path / "enquiries.db"),
}

SYLLABUSES = (MATHS, BIOLOGY, ART, PHYSICS)
#: Given and family names per candidate number: every script is welcome.
NAMES = {
    "0001": ("Zoë", "Ångström"),
    "0002": ("محمد", "Khan"),
    "0003": ("Priya", "शर्मा"),
}
#: One letter renderer for the whole session: fonts are read once.
RENDERER = FpdfEnquiryLetterRenderer()


def postgres_store(url: str) -> Store:
    """A PostgreSQL store, or a skip saying why while its backend is not on this branch."""
    try:
        return open_store(url)
    except BackendNotFound as exc:
        pytest.skip(f"the PostgreSQL backend is being built in parallel and is not here yet: {exc}")


def seed(
    store: Store, *, numbers: Iterable[str] = NUMBERS, syllabuses: Iterable[Syllabus] = SYLLABUSES
) -> None:
    """Centres, candidates, syllabuses, qualifications, entries, marks and samples, in one unit."""
    with store.unit_of_work(actor="board:seed") as uow:
        records = EnquiryRecords(uow, POLICY)
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


def service(store: Store, clock: FixedClock, policy: Policy = POLICY) -> EnquiryService:
    """The use cases over ``store`` with the shared renderer."""
    return EnquiryService(store, policy=policy, clock=clock, renderer=RENDERER)


def fixed_clock(at: pendulum.DateTime) -> FixedClock:
    """A clock the test moves by hand."""
    return FixedClock(at)
