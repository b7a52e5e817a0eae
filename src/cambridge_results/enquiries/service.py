"""Enquiries about results on the store: every step a use case taking the acting principal.

:class:`EnquiryService` is the application layer of SPEC section 0: each
method opens one unit of work (actor ``str(principal)``), loads what the
rules need through the repositories, applies the pure rules of
:mod:`cambridge_results.rules`, and writes the new state, its events and
any documents in that one transaction.  A refusal raises before anything is
written; any error rolls everything back.

* Centre side (the exams officer, or the Associate for an Associate
  Centre): :meth:`~EnquiryService.create`, ``save_draft``, ``delete_draft``,
  ``submit``, ``amend``, ``cancel``, ``report_acknowledgement_error``,
  appeals.
* Associates (EAR-16): ``approve``, ``reject``, ``release_document``.
* The board: ``receive`` (assigns the enquiry number), ``acknowledge``
  (renders the acknowledgement letter), ``record_outcome`` (renders the
  outcome letter, flags updated statements of results), ``upload_document``
  (report, copy of script), ``extend`` (EAR-17), appeal letters, the
  board's results (marks, grades, samples) the rules read.
* Reading: ``get``, ``list_enquiries``, ``queue`` (EAR-08), ``overdue``
  (EAR-18), ``find_by_candidate`` (EAR-12), ``history``, ``documents``,
  ``document``, ``combined_documents``, ``invoice`` (EAR-15), ...

After every change of an enquiry, Pending enquiries of the same centre,
series and syllabus are re-evaluated in the same unit of work: one that no
longer waits becomes Submitted by itself (EAR-13).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pendulum

from cambridge_results.clock import Clock
from cambridge_results.decisions import Decision, Reason
from cambridge_results.enquiries.documents import (
    DOCUMENT_NAMES,
    DocumentInfo,
    DocumentSource,
    StoredDocument,
    check_pdf,
    combine_pdfs,
    digest,
)
from cambridge_results.enquiries.errors import ALREADY_SUBMITTED, DuplicateEnquiry
from cambridge_results.enquiries.letters import acknowledgement_letter, outcome_letter
from cambridge_results.enquiries.repositories import (
    EnquiryRecords,
    StatementDue,
    StoredEnquiry,
)
from cambridge_results.errors import EnquiryRefused, InvalidValue, NotFound
from cambridge_results.policy import Policy
from cambridge_results.principals import (
    AssociateOfficer,
    BoardStaff,
    CandidateUser,
    CentreOfficer,
    Principal,
)
from cambridge_results.rules.enquiries import appeals as appeal_rules
from cambridge_results.rules.enquiries import associates as associate_rules
from cambridge_results.rules.enquiries import changes as change_rules
from cambridge_results.rules.enquiries import workflow as wf
from cambridge_results.rules.enquiries.actors import require_board, require_centre_side
from cambridge_results.rules.enquiries.extensions import Extension, extend
from cambridge_results.rules.enquiries.fees import Invoice, invoice
from cambridge_results.rules.enquiries.queue import Overdue, overdue
from cambridge_results.storage.events import Event
from cambridge_results.values import (
    CandidateNumber,
    CentreNumber,
    ComponentCode,
    ExamSeries,
    Qualification,
    SyllabusCode,
)
from cambridge_results.values.appeal import Appeal
from cambridge_results.values.enquiry import DocumentKind, Enquiry, EnquiryStatus
from cambridge_results.values.enquiry_events import EnquiryEvent, Transition
from cambridge_results.values.enquiry_facts import CandidateResults, ModerationSample, SyllabusFacts
from cambridge_results.values.outcome import Outcome

if TYPE_CHECKING:
    from cambridge_results.rendering.enquiry_protocol import EnquiryLetterRenderer
    from cambridge_results.storage.port import Store

__all__ = ["AUTOMATIC", "EnquiryService", "enquiry_subject"]

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


def _check_principal(principal: object) -> Principal:
    if not isinstance(principal, _PRINCIPALS):
        raise InvalidValue("principal", f"must be a principal, not {type(principal).__name__}")
    return principal


class EnquiryService:
    """The enquiry use cases over a store (see the module docstring).

    ``renderer`` draws the acknowledgement and outcome letters; by default
    :class:`~cambridge_results.rendering.fpdf_enquiry_letters.FpdfEnquiryLetterRenderer`
    with the bundled fonts, built when first needed.
    """

    def __init__(
        self,
        store: Store,
        *,
        policy: Policy,
        clock: Clock,
        renderer: EnquiryLetterRenderer | None = None,
    ) -> None:
        self.store = store
        self.policy = policy
        self.clock = clock
        self._renderer = renderer

    @property
    def renderer(self) -> EnquiryLetterRenderer:
        """The letter renderer (built on first use)."""
        if self._renderer is None:
            from cambridge_results.rendering.fpdf_enquiry_letters import FpdfEnquiryLetterRenderer

            self._renderer = FpdfEnquiryLetterRenderer()
        return self._renderer

    # -- plumbing ---------------------------------------------------------

    @contextmanager
    def _work(self, principal: Principal, *, read_only: bool = False) -> Iterator[EnquiryRecords]:
        _check_principal(principal)
        with self.store.unit_of_work(actor=str(principal), read_only=read_only) as uow:
            yield EnquiryRecords(uow, self.policy)

    def _record(
        self, records: EnquiryRecords, enquiry: Enquiry, events: Iterable[EnquiryEvent]
    ) -> None:
        """Write the events of a step to the store's log, under the enquiry's subject."""
        actor = records.uow.actor
        for e in events:
            details = dict(e.details)
            if e.actor != actor:
                details["step_by"] = e.actor
            records.uow.events.append(
                at=e.at, kind=e.kind.value, subject=enquiry_subject(enquiry), details=details
            )

    def _apply(
        self,
        records: EnquiryRecords,
        stored: StoredEnquiry,
        transition: Transition,
        principal: Principal,
        now: pendulum.DateTime,
    ) -> None:
        records.enquiries.save(transition.enquiry, version=stored.version)
        self._record(records, transition.enquiry, transition.events)
        self._release_pending(records, transition.enquiry, principal, now)

    def _release_pending(
        self,
        records: EnquiryRecords,
        enquiry: Enquiry,
        principal: Principal,
        now: pendulum.DateTime,
    ) -> None:
        """End the wait of Pending enquiries that no longer wait (EAR-13), in this unit of work."""
        repo = records.enquiries
        where = (enquiry.centre, enquiry.series, enquiry.syllabus)
        if not repo.for_syllabus(*where, statuses=(EnquiryStatus.PENDING,)):
            return
        # Only enquiries at the board can hold a Pending one back (EAR-13).
        family = repo.for_syllabus(*where, statuses=_AT_BOARD)
        versions = {s.enquiry.id: s.version for s in family}
        by = principal if isinstance(principal, BoardStaff) else AUTOMATIC
        everything = [s.enquiry for s in family]
        for t in wf.release_ready(self.policy, everything, principal=by, now=now):
            repo.save(t.enquiry, version=versions[t.enquiry.id])
            self._record(records, t.enquiry, t.events)

    def _load(self, records: EnquiryRecords, enquiry_id: str) -> StoredEnquiry:
        return records.enquiries.get(enquiry_id, for_update=True)

    def _sees(self, principal: Principal, enquiry: Enquiry) -> None:
        if not isinstance(principal, BoardStaff):
            require_centre_side(principal, enquiry).raise_if_refused()

    def _names(self, records: EnquiryRecords, enquiry: Enquiry) -> dict[CandidateNumber, str]:
        names: dict[CandidateNumber, str] = {}
        for number in enquiry.candidates:
            candidate = records.uow.candidates.find(enquiry.centre, number)
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
        principal: Principal,
        now: pendulum.DateTime,
    ) -> None:
        pages = check_pdf(content)
        info = DocumentInfo(
            enquiry_id=enquiry.id,
            kind=kind,
            sha256=digest(content),
            size=len(content),
            pages=pages,
            source=source,
            uploaded_at=now,
            uploaded_by=str(principal),
        )
        records.documents.add(StoredDocument(info=info, content=bytes(content)))

    # -- the centre's side ----------------------------------------------

    def create(
        self,
        principal: Principal,
        *,
        series: ExamSeries | str,
        service: str,
        syllabus: SyllabusCode | str,
        components: Iterable[ComponentCode | str] = (),
        candidates: Iterable[CandidateNumber | str] = (),
        whole_group: bool = False,
        head_of_centre: bool = False,
        note: str | None = None,
        centre: CentreNumber | str | None = None,
        enquiry_id: str | None = None,
    ) -> Enquiry:
        """Save a new draft (EAR-09); nothing reaches the board.

        An exams officer makes drafts for its own centre; an Associate names
        the Associate Centre (``centre``).  Without ``enquiry_id`` the store
        numbers it (``enq-000000001``, in the order made).
        """
        now = self.clock.now()
        with self._work(principal) as records:
            number = centre
            if number is None:
                if not isinstance(principal, CentreOfficer):
                    raise InvalidValue("centre", "name the centre the enquiry is for")
                number = principal.centre
            made = wf.create(
                self.policy,
                enquiry_id=enquiry_id or f"enq-{records.uow.next_number('enquiry-id'):09d}",
                centre=records.uow.centres.get(number),
                series=series,
                service=service,
                syllabus=syllabus,
                components=tuple(components),
                candidates=tuple(candidates),
                whole_group=whole_group,
                head_of_centre=head_of_centre,
                note=note,
                principal=principal,
                now=now,
            )
            records.enquiries.add(made.enquiry)
            self._record(records, made.enquiry, made.events)
        return made.enquiry

    def save_draft(
        self,
        principal: Principal,
        enquiry_id: str,
        *,
        service: str | wf.Keep = wf.KEEP,
        components: Iterable[ComponentCode | str] | wf.Keep = wf.KEEP,
        candidates: Iterable[CandidateNumber | str] | wf.Keep = wf.KEEP,
        whole_group: bool | wf.Keep = wf.KEEP,
        head_of_centre: bool | wf.Keep = wf.KEEP,
        note: str | wf.Keep | None = wf.KEEP,
    ) -> Enquiry:
        """Change a draft; it stays Saved (EAR-09)."""
        now = self.clock.now()
        with self._work(principal) as records:
            stored = self._load(records, enquiry_id)
            saved = wf.save(
                self.policy,
                stored.enquiry,
                service=service,
                components=components,
                candidates=candidates,
                whole_group=whole_group,
                head_of_centre=head_of_centre,
                note=note,
                principal=principal,
                now=now,
            )
            self._apply(records, stored, saved, principal, now)
        return saved.enquiry

    def delete_draft(self, principal: Principal, enquiry_id: str) -> Enquiry:
        """Throw a draft away (EAR-09); it is kept as Deleted and listed no more."""
        now = self.clock.now()
        with self._work(principal) as records:
            stored = self._load(records, enquiry_id)
            deleted = wf.delete(self.policy, stored.enquiry, principal=principal, now=now)
            self._apply(records, stored, deleted, principal, now)
        return deleted.enquiry

    def submit(
        self, principal: Principal, enquiry_id: str, *, declarations: tuple[bool, bool]
    ) -> Transition:
        """Submit a draft with both declarations ticked (EAR-09).

        The transition's ``warnings`` are the EAR-13 warnings.  A second
        re-check or review for a candidate and syllabus raises
        :class:`~cambridge_results.enquiries.errors.DuplicateEnquiry`, also
        when another process submitted the first one at the same moment
        (the store's unique index, EAR-06).
        """
        now = self.clock.now()
        with self._work(principal) as records:
            stored = self._load(records, enquiry_id)
            draft = stored.enquiry
            # EAR-13: whether this enquiry waits (Pending) depends on the other open
            # enquiries of its group, so submissions to one centre, series and syllabus
            # take turns.  Bumping a per-group sequence row holds that row's lock until
            # commit on every backend (PostgreSQL writers run at READ COMMITTED), and
            # everything read after it sees the other submissions already committed.
            records.uow.next_number(
                f"enquiry-group:{draft.centre}:{draft.series.code}:{draft.syllabus}"
            )
            facts = records.results.facts(
                draft.centre, draft.series, draft.syllabus, candidates=draft.candidates
            )
            others = self._others(records, draft, facts)
            try:
                sent = wf.submit(
                    self.policy,
                    draft,
                    facts=facts,
                    others=others,
                    declarations=declarations,
                    principal=principal,
                    now=now,
                )
            except EnquiryRefused as refused:
                if ALREADY_SUBMITTED in refused.codes:
                    raise DuplicateEnquiry(refused.reasons) from refused
                raise
            self._apply(records, stored, sent, principal, now)
        return sent

    def _others(
        self, records: EnquiryRecords, enquiry: Enquiry, facts: SyllabusFacts
    ) -> list[Enquiry]:
        """The centre's other enquiries the rules must see (EAR-04, EAR-06, EAR-13).

        Only those sharing a candidate can matter: the enquiry's own, or for
        a whole-group service every candidate of the moderation samples.
        Drafts, deleted, cancelled and rejected enquiries never count, so
        they are not loaded.
        """
        candidates = set(enquiry.candidates)
        for sample in facts.moderation_samples:
            candidates.update(sample.candidates)
        family = records.enquiries.sharing(
            enquiry.centre, enquiry.series, enquiry.syllabus, candidates, statuses=_COUNTED
        )
        return [s.enquiry for s in family if s.enquiry.id != enquiry.id]

    def amend(
        self,
        principal: Principal,
        enquiry_id: str,
        *,
        service: str | wf.Keep = wf.KEEP,
        components: Iterable[ComponentCode | str] | wf.Keep = wf.KEEP,
    ) -> Transition:
        """Amend a submitted enquiry: free until acknowledgement + 24 hours (EAR-14)."""
        now = self.clock.now()
        with self._work(principal) as records:
            stored = self._load(records, enquiry_id)
            e = stored.enquiry
            facts = records.results.facts(e.centre, e.series, e.syllabus, candidates=e.candidates)
            amended = change_rules.amend(
                self.policy,
                e,
                facts=facts,
                others=self._others(records, e, facts),
                service=service,
                components=components,
                principal=principal,
                now=now,
            )
            self._apply(records, stored, amended, principal, now)
        return amended

    def cancel(self, principal: Principal, enquiry_id: str) -> Transition:
        """Cancel a submitted enquiry: free until acknowledgement + 24 hours (EAR-14).

        Its candidates are free for another re-check or review (EAR-06), and
        enquiries that waited for it may move on (EAR-13).
        """
        now = self.clock.now()
        with self._work(principal) as records:
            stored = self._load(records, enquiry_id)
            cancelled = change_rules.cancel(
                self.policy, stored.enquiry, principal=principal, now=now
            )
            self._apply(records, stored, cancelled, principal, now)
        return cancelled

    def report_acknowledgement_error(
        self, principal: Principal, enquiry_id: str, *, description: str
    ) -> EnquiryEvent:
        """Report an error in the acknowledgement letter within 24 hours of it (EAR-16)."""
        now = self.clock.now()
        with self._work(principal) as records:
            stored = self._load(records, enquiry_id)
            reported = associate_rules.report_acknowledgement_error(
                self.policy, stored.enquiry, description=description, principal=principal, now=now
            )
            self._record(records, stored.enquiry, (reported,))
        return reported

    # -- Associates (EAR-16) --------------------------------------------

    def approve(self, principal: Principal, enquiry_id: str) -> Transition:
        """The Associate approves an Associate Centre's enquiry: it goes to the board."""
        now = self.clock.now()
        with self._work(principal) as records:
            stored = self._load(records, enquiry_id)
            e = stored.enquiry
            facts = records.results.facts(e.centre, e.series, e.syllabus, candidates=e.candidates)
            approved = associate_rules.approve(
                self.policy,
                e,
                others=self._others(records, e, facts),
                principal=principal,
                now=now,
            )
            self._apply(records, stored, approved, principal, now)
        return approved

    def reject(self, principal: Principal, enquiry_id: str, *, reason: str) -> Transition:
        """The Associate rejects an Associate Centre's enquiry, saying why."""
        now = self.clock.now()
        with self._work(principal) as records:
            stored = self._load(records, enquiry_id)
            rejected = associate_rules.reject(
                self.policy, stored.enquiry, reason=reason, principal=principal, now=now
            )
            self._apply(records, stored, rejected, principal, now)
        return rejected

    def release_document(
        self, principal: Principal, enquiry_id: str, kind: DocumentKind
    ) -> associate_rules.DocumentRelease:
        """The Associate releases a letter, report or copy of script to the Associate Centre."""
        now = self.clock.now()
        with self._work(principal) as records:
            stored = self._load(records, enquiry_id)
            release, released = associate_rules.release_document(
                self.policy,
                stored.enquiry,
                kind=DocumentKind(kind),
                releases=records.releases.for_enquiry(enquiry_id),
                principal=principal,
                now=now,
            )
            records.releases.add(release)
            self._record(records, stored.enquiry, (released,))
        return release

    # -- the board ----------------------------------------------------------

    def receive(
        self, principal: Principal, enquiry_id: str, *, number: str | None = None
    ) -> Enquiry:
        """The board receives an enquiry and numbers it (EAR-09, EAR-11).

        Without ``number`` the store assigns the next one, ``E23-000042``
        for a 2023 series; a number already used raises
        :class:`~cambridge_results.errors.DuplicateError` (unique index).
        """
        now = self.clock.now()
        with self._work(principal) as records:
            stored = self._load(records, enquiry_id)
            e = stored.enquiry
            require_board(principal, "receive an enquiry").raise_if_refused()
            if number is None:
                sequence = records.uow.next_number("enquiry-number")
                number = f"E{e.series.year % 100:02d}-{sequence:06d}"
            received = wf.receive(self.policy, e, number=number, principal=principal, now=now)
            self._apply(records, stored, received, principal, now)
        return received.enquiry

    def acknowledge(
        self, principal: Principal, enquiry_id: str, *, letter: bytes | None = None
    ) -> Enquiry:
        """The board acknowledges: the acknowledgement letter (Ack) is stored (EAR-09, EAR-10).

        The letter is rendered from the stored enquiry unless the board gives
        its own PDF as ``letter`` (checked to be a readable PDF).
        """
        now = self.clock.now()
        with self._work(principal) as records:
            stored = self._load(records, enquiry_id)
            acked = wf.acknowledge(self.policy, stored.enquiry, principal=principal, now=now)
            e = acked.enquiry
            source = DocumentSource.UPLOADED
            if letter is None:
                source = DocumentSource.RENDERED
                letter = self.renderer.render(
                    acknowledgement_letter(
                        self.policy,
                        e,
                        centre=records.uow.centres.get(e.centre),
                        syllabus=records.uow.syllabuses.get(e.syllabus),
                        names=self._names(records, e),
                        now=now,
                    )
                )
            self._document(records, e, DocumentKind.ACKNOWLEDGEMENT, letter, source, principal, now)
            self._apply(records, stored, acked, principal, now)
        return e

    def record_outcome(
        self,
        principal: Principal,
        enquiry_id: str,
        *,
        outcome: Outcome,
        letter: bytes | None = None,
    ) -> Transition:
        """The board records the outcome; the outcome letter (Out) is stored (EAR-10, EAR-23).

        The marks and grades before must be the board's stored ones
        (``EAR-23.not-the-stored-mark``, ``...-grade``).  A changed syllabus
        grade flags an updated statement of results (EAR-15), and the marks
        and grades after become the stored results.
        """
        now = self.clock.now()
        with self._work(principal) as records:
            stored = self._load(records, enquiry_id)
            e = stored.enquiry
            matches = self._matches_stored_results(records, e, outcome)
            try:
                done = wf.record_outcome(
                    self.policy, e, outcome=outcome, principal=principal, now=now
                )
            except EnquiryRefused as refused:
                raise EnquiryRefused((*refused.reasons, *matches.reasons)) from refused
            matches.raise_if_refused()
            after = done.enquiry
            source = DocumentSource.UPLOADED
            if letter is None:
                source = DocumentSource.RENDERED
                letter = self.renderer.render(
                    outcome_letter(
                        self.policy,
                        after,
                        centre=records.uow.centres.get(after.centre),
                        syllabus=records.uow.syllabuses.get(after.syllabus),
                        names=self._names(records, after),
                        now=now,
                    )
                )
            self._document(records, after, DocumentKind.OUTCOME, letter, source, principal, now)
            for o in outcome.candidates:
                if o.grade_changed:
                    records.statements.flag(
                        StatementDue(
                            enquiry_id=after.id,
                            centre=after.centre,
                            series=after.series,
                            candidate=o.candidate,
                            syllabus=after.syllabus,
                            grade_before=o.grade_before,
                            grade_after=o.grade_after,
                            flagged_at=now,
                        )
                    )
            records.results.apply_outcome(after, outcome)
            self._apply(records, stored, done, principal, now)
        return done

    def _matches_stored_results(
        self, records: EnquiryRecords, enquiry: Enquiry, outcome: Outcome
    ) -> Decision:
        reasons: list[Reason] = []
        for o in outcome.candidates:
            results = records.results.find(
                enquiry.centre, enquiry.series, o.candidate, enquiry.syllabus
            )
            if results is None:
                continue  # not in the enquiry: check_outcome reports it
            if results.grade is not None and results.grade != o.grade_before:
                reasons.append(
                    Reason(
                        code="EAR-23.not-the-stored-grade",
                        message=f"candidate {o.candidate} has grade {results.grade}, not "
                        f"{o.grade_before}, in {enquiry.syllabus}",
                    )
                )
            for r in o.components:
                mark = results.mark(r.component)
                if mark is not None and mark.value is not None and mark.value != r.mark_before:
                    reasons.append(
                        Reason(
                            code="EAR-23.not-the-stored-mark",
                            message=f"{enquiry.syllabus}/{r.component} of candidate "
                            f"{o.candidate} has mark {mark.value}, not {r.mark_before}",
                        )
                    )
        return Decision(reasons=tuple(reasons))

    def upload_document(
        self, principal: Principal, enquiry_id: str, *, kind: DocumentKind, pdf: bytes
    ) -> Transition:
        """The board uploads a report (Rpt) or copy of the script (Cos) as a PDF (EAR-10).

        An upload that is not a readable PDF raises
        :class:`~cambridge_results.enquiries.errors.InvalidDocument` and
        nothing is stored.
        """
        now = self.clock.now()
        check_pdf(pdf)
        with self._work(principal) as records:
            stored = self._load(records, enquiry_id)
            uploaded = wf.upload_document(
                self.policy, stored.enquiry, kind=DocumentKind(kind), principal=principal, now=now
            )
            self._document(
                records,
                uploaded.enquiry,
                DocumentKind(kind),
                pdf,
                DocumentSource.UPLOADED,
                principal,
                now,
            )
            self._apply(records, stored, uploaded, principal, now)
        return uploaded

    def extend(
        self,
        principal: Principal,
        enquiry_id: str,
        *,
        candidates: Iterable[CandidateNumber | str],
        reason: str,
    ) -> Extension:
        """The board extends an enquiry to other candidates; nobody else can (EAR-17)."""
        now = self.clock.now()
        with self._work(principal) as records:
            stored = self._load(records, enquiry_id)
            extension, extended = extend(
                self.policy,
                stored.enquiry,
                candidates=candidates,
                reason=reason,
                principal=principal,
                now=now,
            )
            records.extensions.add(extension)
            self._record(records, stored.enquiry, (extended,))
        return extension

    # -- appeals (EAR-20) -----------------------------------------------

    def lodge_appeal(
        self,
        principal: Principal,
        enquiry_id: str,
        *,
        signed_by_head_of_centre: bool,
        appeal_id: str | None = None,
    ) -> Appeal:
        """A stage 1 appeal after the enquiry's outcome; one per enquiry (unique index)."""
        now = self.clock.now()
        with self._work(principal) as records:
            stored = self._load(records, enquiry_id)
            appeal, lodged = appeal_rules.lodge_stage_one(
                self.policy,
                stored.enquiry,
                appeal_id=appeal_id or self._appeal_id(records),
                signed_by_head_of_centre=signed_by_head_of_centre,
                principal=principal,
                now=now,
            )
            records.appeals.add(appeal)
            self._record(records, stored.enquiry, (lodged,))
        return appeal

    def _appeal_id(self, records: EnquiryRecords) -> str:
        return f"apl-{records.uow.next_number('appeal-id'):09d}"

    def issue_appeal_letter(self, principal: Principal, appeal_id: str) -> Appeal:
        """The board issues its decision letter on an appeal, once (EAR-20)."""
        now = self.clock.now()
        with self._work(principal) as records:
            appeal = records.appeals.get(appeal_id, for_update=True)
            decided, issued = appeal_rules.issue_decision_letter(
                self.policy, appeal, principal=principal, now=now
            )
            records.appeals.issue_letter(decided)
            enquiry = records.enquiries.get(appeal.enquiry_id).enquiry
            self._record(records, enquiry, (issued,))
        return decided

    def lodge_stage_two(
        self,
        principal: Principal,
        stage_one_id: str,
        *,
        signed_by_head_of_centre: bool,
        appeal_id: str | None = None,
    ) -> Appeal:
        """A stage 2 appeal within 14 days of the stage 1 decision letter (EAR-20)."""
        now = self.clock.now()
        with self._work(principal) as records:
            stage_one = records.appeals.get(stage_one_id)
            stored = self._load(records, stage_one.enquiry_id)
            appeal, lodged = appeal_rules.lodge_stage_two(
                self.policy,
                stage_one,
                enquiry=stored.enquiry,
                appeal_id=appeal_id or self._appeal_id(records),
                signed_by_head_of_centre=signed_by_head_of_centre,
                principal=principal,
                now=now,
            )
            records.appeals.add(appeal)
            self._record(records, stored.enquiry, (lodged,))
        return appeal

    def appeals(self, principal: Principal, enquiry_id: str) -> list[Appeal]:
        """An enquiry's appeals, stage 1 first."""
        with self._work(principal, read_only=True) as records:
            self._sees(principal, records.enquiries.get(enquiry_id).enquiry)
            return records.appeals.for_enquiry(enquiry_id)

    # -- statements of results (EAR-15) -------------------------------------

    def statements_due(
        self, principal: Principal, series: ExamSeries | str | None = None
    ) -> list[StatementDue]:
        """Updated statements of results still to issue after grade changes (board only)."""
        require_board(principal, "list statements of results", rule="EAR-15").raise_if_refused()
        with self._work(principal, read_only=True) as records:
            return records.statements.due(series)

    def statement_issued(
        self, principal: Principal, enquiry_id: str, candidate: CandidateNumber | str
    ) -> None:
        """Record that an updated statement of results was issued (board only)."""
        require_board(principal, "issue statements of results", rule="EAR-15").raise_if_refused()
        now = self.clock.now()
        with self._work(principal) as records:
            records.statements.mark_issued(enquiry_id, candidate, now)
            enquiry = records.enquiries.get(enquiry_id).enquiry
            records.uow.events.append(
                at=now,
                kind="statement-of-results-issued",
                subject=enquiry_subject(enquiry),
                details={"candidate": str(CandidateNumber.parse(candidate))},
            )

    # -- the board's results, read by the rules --------------------------

    def add_qualification(self, principal: Principal, qualification: Qualification) -> None:
        """Store a qualification (board only); EAR-19 reads ``group_award``."""
        require_board(principal, "record qualifications").raise_if_refused()
        with self._work(principal) as records:
            records.results.add_qualification(qualification)
            records.uow.events.append(
                at=self.clock.now(),
                kind="qualification-added",
                subject=f"qualification:{qualification.code}",
            )

    def record_results(self, principal: Principal, results: CandidateResults) -> None:
        """Store a candidate's entry, marks and grade (board only); the rules read them."""
        require_board(principal, "record results").raise_if_refused()
        with self._work(principal) as records:
            records.results.put(results)
            entry = results.entry
            records.uow.events.append(
                at=self.clock.now(),
                kind="results-recorded",
                subject=f"centre:{entry.centre}/series:{entry.series.code}",
                details={"candidate": str(entry.candidate), "syllabus": str(entry.syllabus)},
            )

    def record_moderation_sample(
        self,
        principal: Principal,
        *,
        centre: CentreNumber | str,
        series: ExamSeries | str,
        syllabus: SyllabusCode | str,
        sample: ModerationSample,
    ) -> None:
        """Store the original moderation sample of a component (board only, EAR-01)."""
        require_board(principal, "record moderation samples").raise_if_refused()
        with self._work(principal) as records:
            records.results.put_sample(centre, series, syllabus, sample)
            records.uow.events.append(
                at=self.clock.now(),
                kind="moderation-sample-recorded",
                subject=f"centre:{CentreNumber.parse(centre)}/series:{ExamSeries.parse(series).code}",
                details={
                    "syllabus": str(SyllabusCode.parse(syllabus)),
                    "component": str(sample.component),
                },
            )

    # -- reading ------------------------------------------------------------

    def get(self, principal: Principal, enquiry_id: str) -> Enquiry:
        """One enquiry, for the board or the enquiry's centre side."""
        with self._work(principal, read_only=True) as records:
            enquiry = records.enquiries.get(enquiry_id).enquiry
            self._sees(principal, enquiry)
            return enquiry

    def list_enquiries(
        self,
        principal: Principal,
        *,
        centre: CentreNumber | str | None = None,
        series: ExamSeries | str | None = None,
    ) -> list[Enquiry]:
        """The enquiries ``principal`` may see (deleted drafts left out), by id.

        An exams officer sees its centre's; an Associate its Associate
        Centres' (EAR-16); the board everything, or one centre's.
        """
        with self._work(principal, read_only=True) as records:
            repo = records.enquiries
            if isinstance(principal, CentreOfficer):
                if centre is not None and CentreNumber.parse(centre) != principal.centre:
                    raise EnquiryRefused(
                        [
                            Reason(
                                code="EAR-09.not-your-enquiry",
                                message=f"{principal} cannot list the enquiries of {centre}",
                            )
                        ]
                    )
                found = repo.for_centre(principal.centre, series)
            elif isinstance(principal, AssociateOfficer):
                found = repo.of_associate(principal.associate)
                if centre is not None:
                    found = [e for e in found if e.centre == CentreNumber.parse(centre)]
                if series is not None:
                    found = [e for e in found if e.series == ExamSeries.parse(series)]
            else:
                require_board(principal, "list enquiries").raise_if_refused()
                if centre is not None:
                    found = repo.for_centre(centre, series)
                else:
                    found = [
                        e
                        for e in repo.all()
                        if e.status is not EnquiryStatus.DELETED
                        and (series is None or e.series == ExamSeries.parse(series))
                    ]
            return found

    def queue(self, principal: Principal) -> list[Enquiry]:
        """The enquiries at the board in the order received (EAR-08); board only."""
        require_board(principal, "see the processing queue", rule="EAR-08").raise_if_refused()
        with self._work(principal, read_only=True) as records:
            return records.enquiries.at_board()

    def overdue(
        self, principal: Principal, *, centre: CentreNumber | str | None = None
    ) -> list[Overdue]:
        """Enquiries whose number or acknowledgement letter is overdue now (EAR-18)."""
        now = self.clock.now()
        mine = self.list_enquiries(principal, centre=centre)
        return list(overdue(self.policy, mine, now))

    def find_by_candidate(
        self, principal: Principal, typed: str, *, centre: CentreNumber | str | None = None
    ) -> list[Enquiry]:
        """The enquiries about the candidate typed into the filter: 713 finds 0713 (EAR-12)."""
        number = CandidateNumber.parse(typed)
        if centre is None:
            if not isinstance(principal, CentreOfficer):
                raise InvalidValue("centre", "name the centre whose enquiries to filter")
            centre = principal.centre
        with self._work(principal, read_only=True) as records:
            found = records.enquiries.by_candidate(centre, number)
            for enquiry in found:
                self._sees(principal, enquiry)
            if not found and not isinstance(principal, BoardStaff):
                self._may_list_centre(principal, CentreNumber.parse(centre), records)
            return found

    def _may_list_centre(
        self, principal: Principal, centre: CentreNumber, records: EnquiryRecords
    ) -> None:
        if isinstance(principal, CentreOfficer) and principal.centre == centre:
            return
        stored = records.uow.centres.get(centre)
        if isinstance(principal, AssociateOfficer) and stored.associate == principal.associate:
            return
        raise EnquiryRefused(
            [
                Reason(
                    code="EAR-09.not-your-enquiry",
                    message=f"{principal} cannot see the enquiries of {centre}",
                )
            ]
        )

    def history(self, principal: Principal, enquiry_id: str) -> list[Event]:
        """Every event of an enquiry, oldest first (SPEC section 5)."""
        with self._work(principal, read_only=True) as records:
            enquiry = records.enquiries.get(enquiry_id).enquiry
            self._sees(principal, enquiry)
            subject = enquiry_subject(enquiry)
            return [e for e in records.uow.events.history(subject) if e.subject == subject]

    def extensions(self, principal: Principal, enquiry_id: str) -> list[Extension]:
        """An enquiry's extensions: the "Extensions" tab (EAR-17)."""
        with self._work(principal, read_only=True) as records:
            self._sees(principal, records.enquiries.get(enquiry_id).enquiry)
            return records.extensions.for_enquiry(enquiry_id)

    def documents(self, principal: Principal, enquiry_id: str) -> list[DocumentInfo]:
        """The documents ``principal`` may open, in the order Ack, Out, Rpt, Cos (EAR-10, 16)."""
        with self._work(principal, read_only=True) as records:
            return self._visible(records, principal, enquiry_id)

    def _visible(
        self, records: EnquiryRecords, principal: Principal, enquiry_id: str
    ) -> list[DocumentInfo]:
        enquiry = records.enquiries.get(enquiry_id).enquiry
        kinds = {
            d.kind
            for d in associate_rules.visible_documents(
                enquiry, releases=records.releases.for_enquiry(enquiry_id), principal=principal
            )
        }
        return [d for d in records.documents.list(enquiry_id) if d.kind in kinds]

    def document(self, principal: Principal, enquiry_id: str, kind: DocumentKind) -> StoredDocument:
        """One document with its PDF bytes, if ``principal`` may open it (EAR-16)."""
        kind = DocumentKind(kind)
        with self._work(principal, read_only=True) as records:
            if kind not in {d.kind for d in self._visible(records, principal, enquiry_id)}:
                raise EnquiryRefused(
                    [
                        Reason(
                            code="EAR-16.not-released",
                            message=f"the {kind.value} document of enquiry {enquiry_id} is "
                            f"not available to {principal}",
                        )
                    ]
                )
            found = records.documents.find(enquiry_id, kind)
            assert found is not None  # listed just above, in the same transaction
            return found

    def combined_documents(self, principal: Principal, enquiry_id: str) -> bytes:
        """Every document ``principal`` may open, combined into one PDF with bookmarks.

        :class:`~cambridge_results.errors.NotFound` when there is none yet.
        """
        now = self.clock.now()
        with self._work(principal, read_only=True) as records:
            enquiry = records.enquiries.get(enquiry_id).enquiry
            parts: list[tuple[str, bytes]] = []
            for info in self._visible(records, principal, enquiry_id):
                found = records.documents.find(enquiry_id, info.kind)
                assert found is not None  # listed just above, in the same transaction
                parts.append((f"{info.kind.value}: {DOCUMENT_NAMES[info.kind]}", found.content))
        if not parts:
            raise NotFound(f"enquiry {enquiry.id} has no documents {principal} may open yet")
        reference = enquiry.number or enquiry.id
        return combine_pdfs(parts, title=f"Enquiry about results {reference}", created=now)

    def invoice(
        self, principal: Principal, *, centre: CentreNumber | str, series: ExamSeries | str
    ) -> Invoice:
        """The invoice for a centre's enquiries in a series, from the store (EAR-15)."""
        now = self.clock.now()
        number = CentreNumber.parse(centre)
        with self._work(principal, read_only=True) as records:
            if not isinstance(principal, BoardStaff):
                self._may_list_centre(principal, number, records)
            every = records.enquiries.for_centre(number, series, statuses=tuple(EnquiryStatus))
        return invoice(
            self.policy, centre=number, series=ExamSeries.parse(series), enquiries=every, now=now
        )

    def results(
        self,
        principal: Principal,
        *,
        centre: CentreNumber | str,
        series: ExamSeries | str,
        candidate: CandidateNumber | str,
        syllabus: SyllabusCode | str,
    ) -> CandidateResults | None:
        """A candidate's stored marks and grade (board only): what an outcome starts from."""
        require_board(principal, "read the board's results").raise_if_refused()
        with self._work(principal, read_only=True) as records:
            return records.results.find(centre, series, candidate, syllabus)
