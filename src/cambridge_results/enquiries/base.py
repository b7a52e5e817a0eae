"""What every enquiry use case shares: the context, the units of work, saving a step.

Every write runs through :meth:`~cambridge_results.context.Context.write`
(retried from the start when a concurrent writer wins) and reaches the
repositories one way, through
:class:`~cambridge_results.enquiries.repositories.EnquiryRecords`.  A use
case that changes an enquiry loads it with :meth:`EnquiryUseCases._load`,
which first takes the lock of the enquiry's group (centre, series,
syllabus) and then the enquiry's row: whether an enquiry waits (EAR-13)
depends on the others of its group, so the use cases that decide it take
turns, and always in that order, so they cannot deadlock each other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import pendulum

from cambridge_results.context import Context
from cambridge_results.enquiries._rows import last_written
from cambridge_results.enquiries.documents import (
    DocumentInfo,
    DocumentSource,
    StoredDocument,
    check_pdf,
    digest,
)
from cambridge_results.enquiries.ids import IdBlocks
from cambridge_results.enquiries.repositories import EnquiryRecords, StoredEnquiry
from cambridge_results.errors import InvalidValue, UnknownSeries
from cambridge_results.principals import (
    AssociateOfficer,
    BoardStaff,
    CandidateUser,
    CentreOfficer,
    Principal,
)
from cambridge_results.rendering.enquiry_protocol import EnquiryLetterRenderer
from cambridge_results.rules.enquiries import workflow as wf
from cambridge_results.rules.enquiries.actors import require_centre_side
from cambridge_results.rules.enquiries.eligibility import holds_review, is_whole_group
from cambridge_results.values import CandidateNumber
from cambridge_results.values.enquiry import DocumentKind, Enquiry, EnquiryStatus
from cambridge_results.values.enquiry_events import EnquiryEvent, Transition
from cambridge_results.values.enquiry_facts import SyllabusFacts

__all__ = ["AUTOMATIC", "EnquiryUseCases", "check_principal", "check_request", "enquiry_subject"]

T = TypeVar("T")

#: Who ends a wait (EAR-13) when a step by a centre or an Associate finishes
#: what a Pending enquiry waited for: the board's system, not a person.  The
#: event log still records the unit of work's actor; the event's details say
#: ``step_by: board:system``.
AUTOMATIC = BoardStaff(staff_id="system")

_PRINCIPALS = (CentreOfficer, AssociateOfficer, BoardStaff, CandidateUser)
#: The statuses the eligibility rules and EAR-13 look at in other enquiries.
_COUNTED = tuple(s for s in EnquiryStatus if s.was_submitted or s.is_open)
_AT_BOARD = tuple(s for s in EnquiryStatus if s.at_board)


def enquiry_subject(enquiry: Enquiry) -> str:
    """The event-log subject of an enquiry: ``centre:GB123/enquiry:enq-000000001``."""
    return f"centre:{enquiry.centre}/enquiry:{enquiry.id}"


def check_principal(principal: object) -> Principal:
    """The principal, or :class:`InvalidValue` when it is not one."""
    if not isinstance(principal, _PRINCIPALS):
        raise InvalidValue("principal", f"must be a principal, not {type(principal).__name__}")
    return principal


def check_request(value: object, kind: type) -> None:
    """:class:`InvalidValue` unless ``value`` is the use case's request value."""
    if not isinstance(value, kind):
        raise InvalidValue("request", f"must be a {kind.__name__}, not {type(value).__name__}")


class EnquiryUseCases:
    """The shared plumbing of the enquiry use cases (see the module docstring)."""

    def __init__(self, context: Context, *, letter_renderer: EnquiryLetterRenderer) -> None:
        if not isinstance(context, Context):
            raise InvalidValue("context", f"must be a Context, not {type(context).__name__}")
        if not isinstance(letter_renderer, EnquiryLetterRenderer):
            raise InvalidValue("letter_renderer", "must render enquiry letters (render, check)")
        self.context = context
        self.letter_renderer = letter_renderer
        self._ids = IdBlocks()

    # -- units of work ----------------------------------------------------

    def _write(self, principal: Principal, work: Callable[[EnquiryRecords], T]) -> T:
        """``work(records)`` in a writing unit of work, retried on a conflict."""
        check_principal(principal)
        return self.context.write(lambda uow: work(EnquiryRecords(uow)), actor=str(principal))

    def _new_id(self, principal: Principal) -> str:
        """A fresh enquiry id, ``enq-000000001``, from this process's reserved block."""
        check_principal(principal)
        number = self._ids.take(lambda work: self.context.write(work, actor=str(principal)))
        return f"enq-{number:09d}"

    def _read(self, principal: Principal, work: Callable[[EnquiryRecords], T]) -> T:
        """``work(records)`` in a read-only unit of work."""
        check_principal(principal)
        return self.context.read(lambda uow: work(EnquiryRecords(uow)), actor=str(principal))

    # -- loading and saving a step ------------------------------------------

    def _load(
        self, records: EnquiryRecords, enquiry_id: str, *, saved: bool = False
    ) -> StoredEnquiry:
        """The enquiry, locked for a change: its group's lock first, then its row.

        ``saved=True`` for a use case that ends by saving the enquiry
        (:meth:`_save`, a compare-and-set on its version) whatever it
        decides, or writes nothing: the enquiry is read once, before the
        group's lock, and not again locked.  Should anyone change it between
        that read and the lock, the save finds another version and the unit
        of work runs again (``ConcurrencyError``); a refusal writes nothing,
        so deciding it on the enquiry as read first is as if the use case had
        run just before that change.
        """
        if saved:
            stored = records.enquiries.get(enquiry_id)
            records.lock_group(stored.enquiry)
            return stored
        # Centre, series and syllabus never change, so the group read unlocked is the one.
        records.lock_group(records.enquiries.group_of(enquiry_id))
        return records.enquiries.get(enquiry_id, for_update=True)

    def _save(self, records: EnquiryRecords, stored: StoredEnquiry, enquiry: Enquiry) -> None:
        """Save ``enquiry`` over ``stored`` (as read), with the EAR-06 flag the rules decide."""
        review = holds_review(self.context.policy, enquiry)
        records.enquiries.save(
            enquiry, version=stored.version, holds_review=review, previous=stored.enquiry
        )

    def _record(
        self, records: EnquiryRecords, enquiry: Enquiry, events: Iterable[EnquiryEvent]
    ) -> None:
        """Write the events of a step to the store's log, under the enquiry's subject."""
        for e in events:
            details = dict(e.details)
            if e.actor != records.actor:
                details["step_by"] = e.actor
            records.events.record(
                at=e.at, kind=e.kind.value, subject=enquiry_subject(enquiry), details=details
            )

    def _apply(
        self,
        records: EnquiryRecords,
        stored: StoredEnquiry,
        transition: Transition,
        principal: Principal,
        now: pendulum.DateTime,
        *,
        may_end_waits: bool = True,
    ) -> None:
        """Save a step of a loaded enquiry, its events, and what it ends waiting for (EAR-13).

        ``may_end_waits=False`` for a step that cannot end anyone's wait: a
        submission only adds an enquiry to those at the board, and a wait ends
        only when one leaves them
        (:func:`~cambridge_results.rules.enquiries.queue.blockers`).  It saves
        a read of the group.
        """
        self._save(records, stored, transition.enquiry)
        self._record(records, transition.enquiry, transition.events)
        if may_end_waits:
            self._release_pending(records, transition.enquiry, principal, now)

    def _release_pending(
        self,
        records: EnquiryRecords,
        enquiry: Enquiry,
        principal: Principal,
        now: pendulum.DateTime,
    ) -> None:
        """End the wait of Pending enquiries that no longer wait (EAR-13), in this unit of work.

        The caller holds the group's lock (:meth:`_load`), so nobody else
        changes the group between this read and the saves below.
        """
        repo = records.enquiries
        where = (enquiry.centre, enquiry.series, enquiry.syllabus)
        if not repo.for_syllabus(*where, statuses=(EnquiryStatus.PENDING,)):
            return
        # Only enquiries at the board can hold a Pending one back (EAR-13).
        family = repo.for_syllabus(*where, statuses=_AT_BOARD)
        read = {s.enquiry.id: s for s in family}
        by = principal if isinstance(principal, BoardStaff) else AUTOMATIC
        everything = [s.enquiry for s in family]
        for t in wf.release_ready(self.context.policy, everything, principal=by, now=now):
            self._save(records, read[t.enquiry.id], t.enquiry)
            self._record(records, t.enquiry, t.events)

    def _facts_and_others(
        self, records: EnquiryRecords, enquiry: Enquiry, *, samples: bool = True
    ) -> tuple[SyllabusFacts, list[Enquiry]]:
        """What the eligibility rules read: the syllabus facts, and the other enquiries.

        The other enquiries are the centre's that the rules must see
        (EAR-04, EAR-06, EAR-13): only those sharing a candidate can matter,
        the enquiry's own or, for a whole-group service, any of the
        moderation samples.  Drafts, deleted, cancelled and rejected
        enquiries never count, so they are not loaded.  The candidate rows
        naming the enquiry's own candidates are read along with the facts
        (one round trip on PostgreSQL); those of sample candidates, if any,
        after.  ``samples=False`` when the rules will not read the
        moderation samples (:meth:`_needs_samples`).
        """
        where = (enquiry.centre, enquiry.series, enquiry.syllabus)
        covered, own = records.enquiries.candidates_read(*where, enquiry.candidates)
        plan = records.results.facts_read(*where, candidates=enquiry.candidates, samples=samples)
        *first, rows = records.uow.select_many([*plan.reads, own])
        facts = records.results.facts_from(plan, first)
        return facts, self._others(records, enquiry, facts, (covered, rows))

    def _load_with_facts(
        self, records: EnquiryRecords, enquiry_id: str
    ) -> tuple[StoredEnquiry, SyllabusFacts, list[Enquiry]]:
        """:meth:`_load` (``saved=True``) and :meth:`_facts_and_others`, in one batch of reads.

        The enquiry's group, candidates and service are taken from the
        enquiry as this process last wrote it (a draft it just made, most
        often): the group's lock, the enquiry, the facts and the candidate
        rows then go together (one round trip on PostgreSQL; the enquiry is
        read after the lock).  Should the enquiry read differ from that
        guess, or this process not know it, the facts are read after it.
        """
        repo = records.enquiries
        guess = last_written(enquiry_id)
        if guess is None:
            stored = self._load(records, enquiry_id, saved=True)
            e = stored.enquiry
            return stored, *self._facts_and_others(records, e, samples=self._needs_samples(e))
        records.lock_group(guess)  # centre, series and syllabus never change
        where = (guess.centre, guess.series, guess.syllabus)
        covered, own = repo.candidates_read(*where, guess.candidates)
        samples = self._needs_samples(guess)
        plan = records.results.facts_read(*where, candidates=guess.candidates, samples=samples)
        found, rows, *first = records.uow.select_many([repo.read(enquiry_id), own, *plan.reads])
        stored = repo.from_read(enquiry_id, found)
        e = stored.enquiry
        if (e.centre, e.series, e.syllabus) != where:  # another store's enquiry of that id
            records.lock_group(e)
        elif e.candidates == guess.candidates and (
            e.service == guess.service or self._needs_samples(e) == samples
        ):
            facts = records.results.facts_from(plan, first)
            return stored, facts, self._others(records, e, facts, (covered, rows))
        return stored, *self._facts_and_others(records, e, samples=self._needs_samples(e))

    def _needs_samples(self, enquiry: Enquiry) -> bool:
        """Whether the rules read the moderation samples for ``enquiry``: a whole-group service.

        Only :func:`~cambridge_results.rules.enquiries.eligibility.considered_candidates`
        reads them, for a whole-group service; an unknown service is refused
        before (EAR-21).  Read anyway when the policy does not know the series.
        """
        try:
            definition = self.context.policy.service_in(enquiry.series, enquiry.service)
        except UnknownSeries:
            return True
        return definition is not None and is_whole_group(definition)

    def _others(
        self,
        records: EnquiryRecords,
        enquiry: Enquiry,
        facts: SyllabusFacts,
        read: tuple[frozenset[str], list[dict[str, Any]]],
    ) -> list[Enquiry]:
        """The other enquiries sharing a candidate (see :meth:`_facts_and_others`).

        ``read`` is the candidate rows of the enquiry's own candidates, as
        :meth:`~cambridge_results.enquiries.repositories.EnquiryRepository.candidates_read`
        read them.
        """
        candidates = set(enquiry.candidates)
        for sample in facts.moderation_samples:
            candidates.update(sample.candidates)
        family = records.enquiries.sharing(
            enquiry.centre,
            enquiry.series,
            enquiry.syllabus,
            candidates,
            statuses=_COUNTED,
            excluding=enquiry.id,
            read=read,
        )
        return [s.enquiry for s in family]

    # -- reading helpers ------------------------------------------------------

    def _sees(self, principal: Principal, enquiry: Enquiry) -> None:
        """Refuse unless ``principal`` is the board or the enquiry's centre side."""
        if not isinstance(principal, BoardStaff):
            require_centre_side(principal, enquiry).raise_if_refused()

    def _names(self, records: EnquiryRecords, enquiry: Enquiry) -> dict[CandidateNumber, str]:
        """The enquiry's candidates' names, for its letters."""
        names: dict[CandidateNumber, str] = {}
        for number in enquiry.candidates:
            candidate = records.candidates.find(enquiry.centre, number)
            if candidate is not None:
                names[number] = candidate.full_name
        return names

    def _document(
        self,
        records: EnquiryRecords,
        enquiry: Enquiry,
        kind: DocumentKind,
        content: bytes,
        source: DocumentSource,
        now: pendulum.DateTime,
    ) -> None:
        """Store a checked PDF as one of the enquiry's documents (EAR-10)."""
        info = DocumentInfo(
            enquiry_id=enquiry.id,
            kind=kind,
            sha256=digest(content),
            size=len(content),
            pages=check_pdf(content),
            source=source,
            uploaded_at=now,
            uploaded_by=records.actor,
        )
        records.documents.add(StoredDocument(info=info, content=bytes(content)))
