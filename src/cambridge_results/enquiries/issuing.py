"""Documents and letters: the board's Ack and Out letters (drawn outside the write), opening them.

Drawing a PDF takes time, and a writing unit of work holds locks (on SQLite
the database's one write lock) while it runs.  So a letter is issued in
three steps: read what it needs in a read-only unit of work, draw it with
no transaction open, then save it in a writing unit of work that loads the
enquiry again (locked) and compares: if the enquiry's version or anything
the letter says changed in between, the letter is drawn again from the new
state.  The saved letter always says what the saved enquiry says.
"""

from __future__ import annotations

from collections.abc import Callable

import pendulum

from cambridge_results.decisions import Decision, Reason
from cambridge_results.enquiries.base import EnquiryUseCases, check_request
from cambridge_results.enquiries.documents import (
    DOCUMENT_NAMES,
    DocumentInfo,
    DocumentSource,
    StoredDocument,
    combine_pdfs,
)
from cambridge_results.enquiries.letters import acknowledgement_letter, outcome_letter
from cambridge_results.enquiries.records import StatementDue
from cambridge_results.enquiries.repositories import EnquiryRecords
from cambridge_results.enquiries.requests import OutcomeRequest
from cambridge_results.errors import ConcurrencyError, EnquiryRefused, NotFound
from cambridge_results.principals import Principal
from cambridge_results.rendering.enquiry_protocol import EnquiryLetter
from cambridge_results.rules.enquiries import associates as associate_rules
from cambridge_results.rules.enquiries import workflow as wf
from cambridge_results.rules.enquiries.associates import DocumentRelease
from cambridge_results.values.enquiry import DocumentKind, Enquiry
from cambridge_results.values.enquiry_events import Transition
from cambridge_results.values.outcome import Outcome

__all__ = ["LETTER_ATTEMPTS", "IssuingUseCases"]

#: How many times a letter is drawn again when its enquiry keeps changing meanwhile.
LETTER_ATTEMPTS = 5

#: ``decide(records, enquiry, now)``: the step, refused with every reason.
_Decide = Callable[[EnquiryRecords, Enquiry, pendulum.DateTime], Transition]
#: ``compose(records, enquiry_after, now)``: what the letter says.
_Compose = Callable[[EnquiryRecords, Enquiry, pendulum.DateTime], EnquiryLetter]
#: ``finish(records, transition, now)``: what else the step writes.
_Finish = Callable[[EnquiryRecords, Transition, pendulum.DateTime], None]


class IssuingUseCases(EnquiryUseCases):
    """Acknowledging an enquiry and recording its outcome, each with its letter; documents."""

    def acknowledge(
        self, principal: Principal, enquiry_id: str, *, letter: bytes | None = None
    ) -> Enquiry:
        """The board acknowledges: the acknowledgement letter (Ack) is stored (EAR-09, EAR-10).

        The letter is drawn from the stored enquiry unless the board gives
        its own PDF as ``letter`` (checked to be a readable PDF).
        """
        policy = self.context.policy

        def decide(records: EnquiryRecords, e: Enquiry, now: pendulum.DateTime) -> Transition:
            return wf.acknowledge(policy, e, principal=principal, now=now)

        compose = self._composer(acknowledgement_letter)

        def finish(records: EnquiryRecords, t: Transition, now: pendulum.DateTime) -> None:
            return None

        done = self._issue(
            principal,
            enquiry_id,
            kind=DocumentKind.ACKNOWLEDGEMENT,
            letter=letter,
            steps=(decide, compose, finish),
        )
        return done.enquiry

    def record_outcome(self, principal: Principal, request: OutcomeRequest) -> Transition:
        """The board records the outcome; the outcome letter (Out) is stored (EAR-10, EAR-23).

        The marks and grades before must be the board's stored ones
        (``EAR-23.not-the-stored-mark``, ``...-grade``).  A changed syllabus
        grade flags an updated statement of results (EAR-15), and the marks
        and grades after become the stored results.
        """
        check_request(request, OutcomeRequest)
        policy = self.context.policy
        outcome = request.outcome

        def decide(records: EnquiryRecords, e: Enquiry, now: pendulum.DateTime) -> Transition:
            matches = _matches_stored_results(records, e, outcome)
            try:
                done = wf.record_outcome(policy, e, outcome=outcome, principal=principal, now=now)
            except EnquiryRefused as refused:
                raise EnquiryRefused((*refused.reasons, *matches.reasons)) from refused
            matches.raise_if_refused()
            return done

        compose = self._composer(outcome_letter)

        def finish(records: EnquiryRecords, t: Transition, now: pendulum.DateTime) -> None:
            after = t.enquiry
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

        return self._issue(
            principal,
            request.enquiry_id,
            kind=DocumentKind.OUTCOME,
            letter=request.letter,
            steps=(decide, compose, finish),
        )

    # -- opening documents (EAR-10, EAR-16) ------------------------------

    def release_document(
        self, principal: Principal, enquiry_id: str, kind: DocumentKind
    ) -> DocumentRelease:
        """The Associate releases a letter, report or copy of script to the Associate Centre."""
        now = self.context.now()
        wanted = DocumentKind(kind)

        def work(records: EnquiryRecords) -> DocumentRelease:
            stored = self._load(records, enquiry_id)
            release, released = associate_rules.release_document(
                self.context.policy,
                stored.enquiry,
                kind=wanted,
                releases=records.releases.for_enquiry(enquiry_id),
                principal=principal,
                now=now,
            )
            records.releases.add(release)
            self._record(records, stored.enquiry, (released,))
            return release

        return self._write(principal, work)

    def documents(self, principal: Principal, enquiry_id: str) -> list[DocumentInfo]:
        """The documents ``principal`` may open, in the order Ack, Out, Rpt, Cos (EAR-10, 16)."""
        return self._read(principal, lambda records: _visible(records, principal, enquiry_id))

    def document(self, principal: Principal, enquiry_id: str, kind: DocumentKind) -> StoredDocument:
        """One document with its PDF bytes, if ``principal`` may open it (EAR-16)."""
        wanted = DocumentKind(kind)

        def work(records: EnquiryRecords) -> StoredDocument:
            if wanted not in {d.kind for d in _visible(records, principal, enquiry_id)}:
                raise EnquiryRefused(
                    [
                        Reason(
                            code="EAR-16.not-released",
                            message=f"the {wanted.value} document of enquiry {enquiry_id} is "
                            f"not available to {principal}",
                        )
                    ]
                )
            found = records.documents.find(enquiry_id, wanted)
            assert found is not None  # listed just above, in the same transaction
            return found

        return self._read(principal, work)

    def combined_documents(self, principal: Principal, enquiry_id: str) -> bytes:
        """Every document ``principal`` may open, combined into one PDF with bookmarks.

        :class:`~cambridge_results.errors.NotFound` when there is none yet.
        """
        now = self.context.now()

        def work(records: EnquiryRecords) -> tuple[Enquiry, list[tuple[str, bytes]]]:
            enquiry = records.enquiries.get(enquiry_id).enquiry
            parts: list[tuple[str, bytes]] = []
            for info in _visible(records, principal, enquiry_id):
                found = records.documents.find(enquiry_id, info.kind)
                assert found is not None  # listed just above, in the same transaction
                parts.append((f"{info.kind.value}: {DOCUMENT_NAMES[info.kind]}", found.content))
            return enquiry, parts

        enquiry, parts = self._read(principal, work)
        if not parts:
            raise NotFound(f"enquiry {enquiry.id} has no documents {principal} may open yet")
        reference = enquiry.number or enquiry.id
        return combine_pdfs(parts, title=f"Enquiry about results {reference}", created=now)

    # -- drawing a letter outside the write --------------------------------

    def _issue(
        self,
        principal: Principal,
        enquiry_id: str,
        *,
        kind: DocumentKind,
        letter: bytes | None,
        steps: tuple[_Decide, _Compose, _Finish],
    ) -> Transition:
        """Decide, draw the letter outside any write, then save it compared (module docstring)."""
        for _ in range(LETTER_ATTEMPTS):
            done = self._issue_once(principal, enquiry_id, kind=kind, letter=letter, steps=steps)
            if done is not None:
                return done
        raise ConcurrencyError(
            f"enquiry {enquiry_id} changed every time its letter was drawn "
            f"({LETTER_ATTEMPTS} times); try again"
        )

    def _issue_once(
        self,
        principal: Principal,
        enquiry_id: str,
        *,
        kind: DocumentKind,
        letter: bytes | None,
        steps: tuple[_Decide, _Compose, _Finish],
    ) -> Transition | None:
        """One try of :meth:`_issue`; ``None`` when the enquiry changed while drawing."""
        decide, compose, finish = steps
        now = self.context.now()
        drawn: tuple[int, EnquiryLetter] | None = None
        pdf, source = letter, DocumentSource.UPLOADED
        if letter is None:

            def plan(records: EnquiryRecords) -> tuple[int, EnquiryLetter]:
                stored = records.enquiries.get(enquiry_id)
                step = decide(records, stored.enquiry, now)
                return stored.version, compose(records, step.enquiry, now)

            drawn = self._read(principal, plan)
            # No transaction is open here: drawing holds no lock.
            pdf, source = self.letter_renderer.render(drawn[1]), DocumentSource.RENDERED
        assert pdf is not None  # given, or drawn just above

        def save(records: EnquiryRecords) -> Transition | None:
            stored = self._load(records, enquiry_id)
            step = decide(records, stored.enquiry, now)
            if drawn is not None and drawn != (stored.version, compose(records, step.enquiry, now)):
                return None  # changed while the letter was drawn: draw it again
            self._document(records, step.enquiry, kind, pdf, source, now)
            finish(records, step, now)
            self._apply(records, stored, step, principal, now)
            return step

        return self._write(principal, save)

    def _composer(
        self, draw: Callable[..., EnquiryLetter]
    ) -> Callable[[EnquiryRecords, Enquiry, pendulum.DateTime], EnquiryLetter]:
        """What draws a letter of ``draw``'s kind from what the unit of work reads."""
        policy = self.context.policy

        def compose(records: EnquiryRecords, e: Enquiry, now: pendulum.DateTime) -> EnquiryLetter:
            return draw(
                policy,
                e,
                centre=records.centres.get(e.centre),
                syllabus=records.syllabuses.get(e.syllabus),
                names=self._names(records, e),
                now=now,
            )

        return compose


def _visible(records: EnquiryRecords, principal: Principal, enquiry_id: str) -> list[DocumentInfo]:
    """The enquiry's documents ``principal`` may open (EAR-16)."""
    enquiry = records.enquiries.get(enquiry_id).enquiry
    releases = records.releases.for_enquiry(enquiry_id)
    kinds = {
        d.kind
        for d in associate_rules.visible_documents(enquiry, releases=releases, principal=principal)
    }
    return [d for d in records.documents.list(enquiry_id) if d.kind in kinds]


def _matches_stored_results(
    records: EnquiryRecords, enquiry: Enquiry, outcome: Outcome
) -> Decision:
    """Whether an outcome's marks and grades before are the board's stored ones (EAR-23)."""
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
