"""Reading enquiries: lists, the queue, overdue ones, history, invoices, results (read-only).

EAR-08 (the queue), EAR-12 (the candidate filter), EAR-15 (invoices),
EAR-16 (what an Associate sees), EAR-17 (extensions), EAR-18 (overdue).
"""

from __future__ import annotations

from cambridge_results.decisions import Reason
from cambridge_results.enquiries.base import EnquiryUseCases, check_request, enquiry_subject
from cambridge_results.enquiries.repositories import EnquiryRecords
from cambridge_results.enquiries.requests import ResultsKey
from cambridge_results.errors import EnquiryRefused, InvalidValue
from cambridge_results.principals import AssociateOfficer, BoardStaff, CentreOfficer, Principal
from cambridge_results.rules.enquiries.actors import require_board
from cambridge_results.rules.enquiries.extensions import Extension
from cambridge_results.rules.enquiries.fees import Invoice, invoice
from cambridge_results.rules.enquiries.queue import Overdue, overdue
from cambridge_results.storage.events import Event
from cambridge_results.values import CandidateNumber, CentreNumber, ExamSeries
from cambridge_results.values.enquiry import Enquiry, EnquiryStatus
from cambridge_results.values.enquiry_facts import CandidateResults

__all__ = ["QueryUseCases"]


def _not_yours(principal: Principal, what: str) -> EnquiryRefused:
    return EnquiryRefused(
        [Reason(code="EAR-09.not-your-enquiry", message=f"{principal} cannot {what}")]
    )


class QueryUseCases(EnquiryUseCases):
    """What the board and the centre side may read about enquiries."""

    def get(self, principal: Principal, enquiry_id: str) -> Enquiry:
        """One enquiry, for the board or the enquiry's centre side."""

        def work(records: EnquiryRecords) -> Enquiry:
            enquiry = records.enquiries.get(enquiry_id).enquiry
            self._sees(principal, enquiry)
            return enquiry

        return self._read(principal, work)

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
        number = None if centre is None else CentreNumber.parse(centre)
        wanted = None if series is None else ExamSeries.parse(series)

        def work(records: EnquiryRecords) -> list[Enquiry]:
            repo = records.enquiries
            if isinstance(principal, CentreOfficer):
                if number is not None and number != principal.centre:
                    raise _not_yours(principal, f"list the enquiries of {number}")
                return repo.for_centre(principal.centre, wanted)
            if isinstance(principal, AssociateOfficer):
                return [
                    e
                    for e in repo.of_associate(principal.associate)
                    if (number is None or e.centre == number)
                    and (wanted is None or e.series == wanted)
                ]
            require_board(principal, "list enquiries").raise_if_refused()
            if number is not None:
                return repo.for_centre(number, wanted)
            return [
                e
                for e in repo.all()
                if e.status is not EnquiryStatus.DELETED and (wanted is None or e.series == wanted)
            ]

        return self._read(principal, work)

    def queue(self, principal: Principal) -> list[Enquiry]:
        """The enquiries at the board in the order received (EAR-08); board only."""
        require_board(principal, "see the processing queue", rule="EAR-08").raise_if_refused()
        return self._read(principal, lambda records: records.enquiries.at_board())

    def overdue(
        self, principal: Principal, *, centre: CentreNumber | str | None = None
    ) -> list[Overdue]:
        """Enquiries whose number or acknowledgement letter is overdue now (EAR-18)."""
        now = self.context.now()
        mine = self.list_enquiries(principal, centre=centre)
        return list(overdue(self.context.policy, mine, now))

    def find_by_candidate(
        self, principal: Principal, typed: str, *, centre: CentreNumber | str | None = None
    ) -> list[Enquiry]:
        """The enquiries about the candidate typed into the filter: 713 finds 0713 (EAR-12)."""
        candidate = CandidateNumber.parse(typed)
        if centre is None:
            if not isinstance(principal, CentreOfficer):
                raise InvalidValue("centre", "name the centre whose enquiries to filter")
            centre = principal.centre
        number = CentreNumber.parse(centre)

        def work(records: EnquiryRecords) -> list[Enquiry]:
            found = records.enquiries.by_candidate(number, candidate)
            for enquiry in found:
                self._sees(principal, enquiry)
            if not found:
                self._may_list_centre(records, principal, number)
            return found

        return self._read(principal, work)

    def _may_list_centre(
        self, records: EnquiryRecords, principal: Principal, centre: CentreNumber
    ) -> None:
        """Refuse unless ``principal`` is the board, the centre, or its Associate (EAR-16)."""
        if isinstance(principal, BoardStaff):
            return
        if isinstance(principal, CentreOfficer) and principal.centre == centre:
            return
        stored = records.centres.get(centre)
        if isinstance(principal, AssociateOfficer) and stored.associate == principal.associate:
            return
        raise _not_yours(principal, f"see the enquiries of {centre}")

    def history(self, principal: Principal, enquiry_id: str) -> list[Event]:
        """Every event of an enquiry, oldest first (SPEC section 5)."""

        def work(records: EnquiryRecords) -> list[Event]:
            enquiry = records.enquiries.get(enquiry_id).enquiry
            self._sees(principal, enquiry)
            subject = enquiry_subject(enquiry)
            return [e for e in records.events.history(subject) if e.subject == subject]

        return self._read(principal, work)

    def extensions(self, principal: Principal, enquiry_id: str) -> list[Extension]:
        """An enquiry's extensions: the "Extensions" tab (EAR-17)."""

        def work(records: EnquiryRecords) -> list[Extension]:
            self._sees(principal, records.enquiries.get(enquiry_id).enquiry)
            return records.extensions.for_enquiry(enquiry_id)

        return self._read(principal, work)

    def invoice(
        self, principal: Principal, *, centre: CentreNumber | str, series: ExamSeries | str
    ) -> Invoice:
        """The invoice for a centre's enquiries in a series, from the store (EAR-15)."""
        now = self.context.now()
        number = CentreNumber.parse(centre)
        wanted = ExamSeries.parse(series)

        def work(records: EnquiryRecords) -> list[Enquiry]:
            self._may_list_centre(records, principal, number)
            return records.enquiries.for_centre(number, wanted, statuses=tuple(EnquiryStatus))

        every = self._read(principal, work)
        return invoice(self.context.policy, centre=number, series=wanted, enquiries=every, now=now)

    def results(self, principal: Principal, key: ResultsKey) -> CandidateResults | None:
        """A candidate's stored marks and grade (board only): what an outcome starts from."""
        require_board(principal, "read the board's results").raise_if_refused()
        check_request(key, ResultsKey)
        return self._read(
            principal,
            lambda records: records.results.find(
                key.centre, key.series, key.candidate, key.syllabus
            ),
        )
