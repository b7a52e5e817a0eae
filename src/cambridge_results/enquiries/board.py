"""The board's side of an enquiry: receiving, uploads, extensions, statements, its results.

EAR-09 and EAR-11 (numbering), EAR-10 (reports and copies of scripts),
EAR-15 (updated statements of results), EAR-17 (extensions), and the
board's own results (qualifications, marks, grades, moderation samples)
the eligibility rules read.
"""

from __future__ import annotations

from cambridge_results.enquiries.base import EnquiryUseCases, check_request, enquiry_subject
from cambridge_results.enquiries.documents import DocumentSource, check_pdf
from cambridge_results.enquiries.records import StatementDue
from cambridge_results.enquiries.repositories import EnquiryRecords
from cambridge_results.enquiries.requests import ExtensionRequest, SampleRequest, UploadRequest
from cambridge_results.errors import InvalidValue
from cambridge_results.principals import Principal
from cambridge_results.rules.enquiries import workflow as wf
from cambridge_results.rules.enquiries.actors import require_board
from cambridge_results.rules.enquiries.extensions import Extension, extend
from cambridge_results.values import CandidateNumber, ExamSeries, Qualification
from cambridge_results.values.enquiry import Enquiry
from cambridge_results.values.enquiry_events import Transition
from cambridge_results.values.enquiry_facts import CandidateResults

__all__ = ["BoardUseCases"]


class BoardUseCases(EnquiryUseCases):
    """What the board does to enquiries besides their letters, and the results it holds."""

    def receive(
        self, principal: Principal, enquiry_id: str, *, number: str | None = None
    ) -> Enquiry:
        """The board receives an enquiry and numbers it (EAR-09, EAR-11).

        Without ``number`` the store assigns the next one, ``E23-000042``
        for a 2023 series; a number already used raises
        :class:`~cambridge_results.errors.DuplicateError` (unique index).
        """
        now = self.context.now()

        def work(records: EnquiryRecords) -> Enquiry:
            stored = self._load(records, enquiry_id)
            e = stored.enquiry
            require_board(principal, "receive an enquiry").raise_if_refused()
            given = number
            if given is None:
                given = f"E{e.series.year % 100:02d}-{records.next_number('enquiry-number'):06d}"
            received = wf.receive(
                self.context.policy, e, number=given, principal=principal, now=now
            )
            self._apply(records, stored, received, principal, now)
            return received.enquiry

        return self._write(principal, work)

    def upload_document(self, principal: Principal, request: UploadRequest) -> Transition:
        """The board uploads a report (Rpt) or copy of the script (Cos) as a PDF (EAR-10).

        An upload that is not a readable PDF raises
        :class:`~cambridge_results.enquiries.errors.InvalidDocument` and
        nothing is stored.
        """
        check_request(request, UploadRequest)
        now = self.context.now()
        check_pdf(request.pdf)  # before any transaction: a bad upload costs no lock

        def work(records: EnquiryRecords) -> Transition:
            stored = self._load(records, request.enquiry_id)
            uploaded = wf.upload_document(
                self.context.policy, stored.enquiry, kind=request.kind, principal=principal, now=now
            )
            self._document(
                records, uploaded.enquiry, request.kind, request.pdf, DocumentSource.UPLOADED, now
            )
            self._apply(records, stored, uploaded, principal, now)
            return uploaded

        return self._write(principal, work)

    def extend(self, principal: Principal, request: ExtensionRequest) -> Extension:
        """The board extends an enquiry to other candidates; nobody else can (EAR-17)."""
        check_request(request, ExtensionRequest)
        now = self.context.now()

        def work(records: EnquiryRecords) -> Extension:
            stored = self._load(records, request.enquiry_id)
            extension, extended = extend(
                self.context.policy,
                stored.enquiry,
                candidates=request.candidates,
                reason=request.reason,
                principal=principal,
                now=now,
            )
            records.extensions.add(extension)
            self._record(records, stored.enquiry, (extended,))
            return extension

        return self._write(principal, work)

    # -- statements of results (EAR-15) -------------------------------------

    def statements_due(
        self, principal: Principal, series: ExamSeries | str | None = None
    ) -> list[StatementDue]:
        """Updated statements of results still to issue after grade changes (board only)."""
        require_board(principal, "list statements of results", rule="EAR-15").raise_if_refused()
        return self._read(principal, lambda records: records.statements.due(series))

    def statement_issued(
        self, principal: Principal, enquiry_id: str, candidate: CandidateNumber | str
    ) -> None:
        """Record that an updated statement of results was issued (board only)."""
        require_board(principal, "issue statements of results", rule="EAR-15").raise_if_refused()
        now = self.context.now()
        number = CandidateNumber.parse(candidate)

        def work(records: EnquiryRecords) -> None:
            records.statements.mark_issued(enquiry_id, number, now)
            enquiry = records.enquiries.get(enquiry_id).enquiry
            records.events.append(
                at=now,
                kind="statement-of-results-issued",
                subject=enquiry_subject(enquiry),
                details={"candidate": str(number)},
            )

        self._write(principal, work)

    # -- the board's results, read by the rules --------------------------

    def add_qualification(self, principal: Principal, qualification: Qualification) -> None:
        """Store a qualification (board only); EAR-19 reads ``group_award``."""
        require_board(principal, "record qualifications").raise_if_refused()
        now = self.context.now()

        def work(records: EnquiryRecords) -> None:
            records.results.add_qualification(qualification)
            records.events.append(
                at=now, kind="qualification-added", subject=f"qualification:{qualification.code}"
            )

        self._write(principal, work)

    def record_results(self, principal: Principal, results: CandidateResults) -> None:
        """Store a candidate's entry, marks and grade (board only); the rules read them."""
        require_board(principal, "record results").raise_if_refused()
        if not isinstance(results, CandidateResults):
            raise InvalidValue("results", f"must be CandidateResults, not {type(results).__name__}")
        now = self.context.now()
        entry = results.entry

        def work(records: EnquiryRecords) -> None:
            records.results.put(results)
            records.events.append(
                at=now,
                kind="results-recorded",
                subject=f"centre:{entry.centre}/series:{entry.series.code}",
                details={"candidate": str(entry.candidate), "syllabus": str(entry.syllabus)},
            )

        self._write(principal, work)

    def record_moderation_sample(self, principal: Principal, request: SampleRequest) -> None:
        """Store the original moderation sample of a component (board only, EAR-01)."""
        require_board(principal, "record moderation samples").raise_if_refused()
        check_request(request, SampleRequest)
        now = self.context.now()

        def work(records: EnquiryRecords) -> None:
            records.results.put_sample(
                request.centre, request.series, request.syllabus, request.sample
            )
            records.events.append(
                at=now,
                kind="moderation-sample-recorded",
                subject=f"centre:{request.centre}/series:{request.series.code}",
                details={
                    "syllabus": str(request.syllabus),
                    "component": str(request.sample.component),
                },
            )

        self._write(principal, work)
