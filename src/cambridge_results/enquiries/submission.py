"""The centre side of an enquiry: drafts, submission, changes, and the Associate's approval.

EAR-09 (drafts and submission), EAR-13 (Pending), EAR-14 (amendments and
cancellations), EAR-16 (an Associate approves or rejects its Associate
Centres' enquiries, and reports errors in acknowledgement letters).
"""

from __future__ import annotations

from collections.abc import Callable

from cambridge_results.enquiries.base import EnquiryUseCases, check_request
from cambridge_results.enquiries.errors import ALREADY_SUBMITTED, DuplicateEnquiry
from cambridge_results.enquiries.repositories import EnquiryRecords
from cambridge_results.enquiries.requests import DraftChanges, EnquiryAmendment, NewEnquiry
from cambridge_results.errors import EnquiryRefused, InvalidValue
from cambridge_results.principals import CentreOfficer, Principal
from cambridge_results.rules.enquiries import associates as associate_rules
from cambridge_results.rules.enquiries import changes as change_rules
from cambridge_results.rules.enquiries import workflow as wf
from cambridge_results.rules.enquiries.eligibility import holds_review
from cambridge_results.values.enquiry import Enquiry
from cambridge_results.values.enquiry_events import EnquiryEvent, Transition

__all__ = ["SubmissionUseCases", "before_submit_commits"]

#: Test-only: when set, :meth:`SubmissionUseCases.submit` calls it with the
#: enquiry's id after reading and writing, just before its unit of work commits,
#: so a test can hold the read-to-commit window open and race another writer into
#: it (the EAR-13 race test, tests/enquiries/test_race.py).  Always ``None``
#: outside tests: the hot path pays one comparison.  Set it only in a process of
#: your own (it is global to the process).
before_submit_commits: Callable[[str], None] | None = None


class SubmissionUseCases(EnquiryUseCases):
    """Drafts, submission, amendments, cancellations, and the Associate's decisions."""

    def create(self, principal: Principal, request: NewEnquiry) -> Enquiry:
        """Save a new draft (EAR-09); nothing reaches the board.

        An exams officer makes drafts for its own centre; an Associate names
        the Associate Centre (``request.centre``).
        """
        check_request(request, NewEnquiry)
        now = self.context.now()
        policy = self.context.policy
        # Reserved outside the unit of work, a block at a time (enquiries/ids.py).
        reserved = request.enquiry_id is None
        enquiry_id = request.enquiry_id or self._new_id(principal)

        def work(records: EnquiryRecords) -> Enquiry:
            number = request.centre
            if number is None:
                if not isinstance(principal, CentreOfficer):
                    raise InvalidValue("centre", "name the centre the enquiry is for")
                number = principal.centre
            made = wf.create(
                policy,
                enquiry_id=enquiry_id,
                centre=records.centres.get(number),
                series=request.series,
                service=request.service,
                syllabus=request.syllabus,
                components=request.components,
                candidates=request.candidates,
                whole_group=request.whole_group,
                head_of_centre=request.head_of_centre,
                note=request.note,
                principal=principal,
                now=now,
            )
            records.enquiries.add(
                made.enquiry, holds_review=holds_review(policy, made.enquiry), reserved=reserved
            )
            self._record(records, made.enquiry, made.events)
            return made.enquiry

        return self._write(principal, work)

    def save_draft(self, principal: Principal, request: DraftChanges) -> Enquiry:
        """Change a draft; it stays Saved (EAR-09)."""
        check_request(request, DraftChanges)
        now = self.context.now()

        def work(records: EnquiryRecords) -> Enquiry:
            stored = self._load(records, request.enquiry_id)
            saved = wf.save(
                self.context.policy,
                stored.enquiry,
                service=request.service,
                components=request.components,
                candidates=request.candidates,
                whole_group=request.whole_group,
                head_of_centre=request.head_of_centre,
                note=request.note,
                principal=principal,
                now=now,
            )
            self._apply(records, stored, saved, principal, now)
            return saved.enquiry

        return self._write(principal, work)

    def delete_draft(self, principal: Principal, enquiry_id: str) -> Enquiry:
        """Throw a draft away (EAR-09); it is kept as Deleted and listed no more."""
        now = self.context.now()

        def work(records: EnquiryRecords) -> Enquiry:
            stored = self._load(records, enquiry_id)
            deleted = wf.delete(self.context.policy, stored.enquiry, principal=principal, now=now)
            self._apply(records, stored, deleted, principal, now)
            return deleted.enquiry

        return self._write(principal, work)

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
        now = self.context.now()

        def work(records: EnquiryRecords) -> Transition:
            # Submitting saves the draft or refuses, writing nothing (see _load).
            stored, facts, others = self._load_with_facts(records, enquiry_id)
            draft = stored.enquiry
            try:
                sent = wf.submit(
                    self.context.policy,
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
            # It only joins those at the board, so it ends nobody's wait (EAR-13).
            self._apply(records, stored, sent, principal, now, may_end_waits=False)
            if before_submit_commits is not None:
                before_submit_commits(draft.id)
            return sent

        return self._write(principal, work)

    def amend(self, principal: Principal, request: EnquiryAmendment) -> Transition:
        """Amend a submitted enquiry: free until acknowledgement + 24 hours (EAR-14)."""
        check_request(request, EnquiryAmendment)
        now = self.context.now()

        def work(records: EnquiryRecords) -> Transition:
            stored = self._load(records, request.enquiry_id)
            e = stored.enquiry
            facts, others = self._facts_and_others(records, e)
            amended = change_rules.amend(
                self.context.policy,
                e,
                facts=facts,
                others=others,
                service=request.service,
                components=request.components,
                principal=principal,
                now=now,
            )
            self._apply(records, stored, amended, principal, now)
            return amended

        return self._write(principal, work)

    def cancel(self, principal: Principal, enquiry_id: str) -> Transition:
        """Cancel a submitted enquiry: free until acknowledgement + 24 hours (EAR-14).

        Its candidates are free for another re-check or review (EAR-06), and
        enquiries that waited for it may move on (EAR-13).
        """
        now = self.context.now()

        def work(records: EnquiryRecords) -> Transition:
            stored = self._load(records, enquiry_id)
            cancelled = change_rules.cancel(
                self.context.policy, stored.enquiry, principal=principal, now=now
            )
            self._apply(records, stored, cancelled, principal, now)
            return cancelled

        return self._write(principal, work)

    def report_acknowledgement_error(
        self, principal: Principal, enquiry_id: str, *, description: str
    ) -> EnquiryEvent:
        """Report an error in the acknowledgement letter within 24 hours of it (EAR-16)."""
        now = self.context.now()

        def work(records: EnquiryRecords) -> EnquiryEvent:
            stored = self._load(records, enquiry_id)
            reported = associate_rules.report_acknowledgement_error(
                self.context.policy,
                stored.enquiry,
                description=description,
                principal=principal,
                now=now,
            )
            self._record(records, stored.enquiry, (reported,))
            return reported

        return self._write(principal, work)

    def approve(self, principal: Principal, enquiry_id: str) -> Transition:
        """The Associate approves an Associate Centre's enquiry: it goes to the board (EAR-16)."""
        now = self.context.now()

        def work(records: EnquiryRecords) -> Transition:
            stored = self._load(records, enquiry_id)
            e = stored.enquiry
            approved = associate_rules.approve(
                self.context.policy,
                e,
                others=self._facts_and_others(records, e, samples=self._needs_samples(e))[1],
                principal=principal,
                now=now,
            )
            self._apply(records, stored, approved, principal, now)
            return approved

        return self._write(principal, work)

    def reject(self, principal: Principal, enquiry_id: str, *, reason: str) -> Transition:
        """The Associate rejects an Associate Centre's enquiry, saying why (EAR-16)."""
        now = self.context.now()

        def work(records: EnquiryRecords) -> Transition:
            stored = self._load(records, enquiry_id)
            rejected = associate_rules.reject(
                self.context.policy, stored.enquiry, reason=reason, principal=principal, now=now
            )
            self._apply(records, stored, rejected, principal, now)
            return rejected

        return self._write(principal, work)
