"""The enquiry repositories, reached one way: :class:`EnquiryRecords` over a unit of work.

They run unchanged on every backend (memory, SQLite, PostgreSQL, third
parties)::

    def work(uow):
        records = EnquiryRecords(uow)
        stored = records.enquiries.get("enq-000000001", for_update=True)
        ...
    context.write(work, actor=str(principal))

The enquiries themselves are
:class:`~cambridge_results.enquiries.enquiry_repository.EnquiryRepository`
(EAR-06's claim, compare-and-set); documents, releases, extensions,
appeals and statements are in :mod:`~cambridge_results.enquiries.records`;
results in :mod:`~cambridge_results.enquiries.results`.  What the store
enforces besides (docs/enquiries.md, "On the store"): one document and one
release per enquiry and kind, one appeal per enquiry and stage
(:class:`DuplicateError`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cambridge_results.enquiries._rows import StoredEnquiry, enquiry_group
from cambridge_results.enquiries.enquiry_repository import EnquiryRepository
from cambridge_results.enquiries.records import (
    AppealRepository,
    DocumentRepository,
    ExtensionRepository,
    ReleaseRepository,
    StatementRepository,
)
from cambridge_results.enquiries.results import ResultsRepository
from cambridge_results.values.enquiry import Enquiry

if TYPE_CHECKING:
    from cambridge_results.storage.events import EventLog
    from cambridge_results.storage.port import UnitOfWork
    from cambridge_results.storage.repositories import (
        CandidateRepository,
        CentreRepository,
        EntryRepository,
        SyllabusRepository,
    )

__all__ = ["EnquiryRecords", "EnquiryRepository", "StoredEnquiry"]


class EnquiryRecords:
    """Every repository an enquiry use case reaches, over one unit of work.

    The one way in: the enquiry repositories, the foundation's centres,
    candidates, syllabuses and entries, the event log, and the per-group
    lock (:meth:`lock_group`).
    """

    #: The event log; the foundation's centres, candidates, syllabuses and entries.
    events: EventLog
    centres: CentreRepository
    candidates: CandidateRepository
    syllabuses: SyllabusRepository
    entries: EntryRepository
    #: Enquiries and their candidates.
    enquiries: EnquiryRepository
    #: Documents (PDFs), Associates' releases of them, the board's extensions.
    documents: DocumentRepository
    releases: ReleaseRepository
    extensions: ExtensionRepository
    #: Appeals, and updated statements of results due.
    appeals: AppealRepository
    statements: StatementRepository
    #: Qualifications, marks, grades and moderation samples.
    results: ResultsRepository

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def __getattr__(self, name: str) -> Any:
        # Each repository is made on first use (a unit of work uses a few), then kept.
        make = _REPOSITORIES.get(name)
        if make is None:
            raise AttributeError(name)
        made = make(self.uow)
        setattr(self, name, made)
        return made

    @property
    def actor(self) -> str:
        """Who acts in this unit of work."""
        return self.uow.actor

    def next_number(self, sequence: str) -> int:
        """The next number of a named sequence (ids, enquiry and appeal numbers)."""
        return self.uow.next_number(sequence)

    def lock_group(self, enquiry: Enquiry | tuple[str, str, str]) -> None:
        """Hold the lock of the enquiry's group (centre, series, syllabus) until commit (EAR-13).

        Whether an enquiry waits (Pending) depends on the other open
        enquiries of its group, so every use case that changes an enquiry
        takes this lock before it reads the group: they take turns.  The
        unit of work's named lock (:meth:`UnitOfWork.lock`: on PostgreSQL an
        advisory lock, which writes nothing) is held until commit, and
        everything read after it sees the other changes already committed
        (PostgreSQL writers run at READ COMMITTED).  On a store
        whose writing units run one at a time (SQLite, memory:
        ``uow.writes_alone``) every unit already takes turns with every other,
        so nothing is written.
        """
        if self.uow.writes_alone:
            return
        group = enquiry_group(enquiry) if isinstance(enquiry, Enquiry) else enquiry
        # Taken with the unit's next statement (on PostgreSQL in the same
        # round trip), before that statement reads.
        self.uow.lock("enquiry-group:" + ":".join(group))


#: How :class:`EnquiryRecords` makes each repository from its unit of work.
_REPOSITORIES: dict[str, Callable[[UnitOfWork], object]] = {
    "events": lambda uow: uow.events,
    "centres": lambda uow: uow.centres,
    "candidates": lambda uow: uow.candidates,
    "syllabuses": lambda uow: uow.syllabuses,
    "entries": lambda uow: uow.entries,
    "enquiries": EnquiryRepository,
    "documents": DocumentRepository,
    "releases": ReleaseRepository,
    "extensions": ExtensionRepository,
    "appeals": AppealRepository,
    "statements": StatementRepository,
    "results": ResultsRepository,
}
