"""Appeals against an enquiry's outcome, in two stages (EAR-20)."""

from __future__ import annotations

from cambridge_results.enquiries.base import EnquiryUseCases, check_request
from cambridge_results.enquiries.repositories import EnquiryRecords
from cambridge_results.enquiries.requests import AppealRequest, StageTwoAppeal
from cambridge_results.principals import Principal
from cambridge_results.rules.enquiries import appeals as appeal_rules
from cambridge_results.values.appeal import Appeal

__all__ = ["AppealUseCases"]


class AppealUseCases(EnquiryUseCases):
    """Lodging appeals, the board's decision letters, and listing them."""

    def lodge_appeal(self, principal: Principal, request: AppealRequest) -> Appeal:
        """A stage 1 appeal after the enquiry's outcome; one per enquiry (unique index)."""
        check_request(request, AppealRequest)
        now = self.context.now()

        def work(records: EnquiryRecords) -> Appeal:
            stored = self._load(records, request.enquiry_id)
            appeal, lodged = appeal_rules.lodge_stage_one(
                self.context.policy,
                stored.enquiry,
                appeal_id=request.appeal_id or _appeal_id(records),
                signed_by_head_of_centre=request.signed_by_head_of_centre,
                principal=principal,
                now=now,
            )
            records.appeals.add(appeal)
            self._record(records, stored.enquiry, (lodged,))
            return appeal

        return self._write(principal, work)

    def issue_appeal_letter(self, principal: Principal, appeal_id: str) -> Appeal:
        """The board issues its decision letter on an appeal, once (EAR-20)."""
        now = self.context.now()

        def work(records: EnquiryRecords) -> Appeal:
            appeal = records.appeals.get(appeal_id, for_update=True)
            decided, issued = appeal_rules.issue_decision_letter(
                self.context.policy, appeal, principal=principal, now=now
            )
            records.appeals.issue_letter(decided)
            enquiry = records.enquiries.get(appeal.enquiry_id).enquiry
            self._record(records, enquiry, (issued,))
            return decided

        return self._write(principal, work)

    def lodge_stage_two(self, principal: Principal, request: StageTwoAppeal) -> Appeal:
        """A stage 2 appeal within 14 days of the stage 1 decision letter (EAR-20)."""
        check_request(request, StageTwoAppeal)
        now = self.context.now()

        def work(records: EnquiryRecords) -> Appeal:
            stage_one = records.appeals.get(request.stage_one_id)
            stored = self._load(records, stage_one.enquiry_id)
            appeal, lodged = appeal_rules.lodge_stage_two(
                self.context.policy,
                stage_one,
                enquiry=stored.enquiry,
                appeal_id=request.appeal_id or _appeal_id(records),
                signed_by_head_of_centre=request.signed_by_head_of_centre,
                principal=principal,
                now=now,
            )
            records.appeals.add(appeal)
            self._record(records, stored.enquiry, (lodged,))
            return appeal

        return self._write(principal, work)

    def appeals(self, principal: Principal, enquiry_id: str) -> list[Appeal]:
        """An enquiry's appeals, stage 1 first."""

        def work(records: EnquiryRecords) -> list[Appeal]:
            self._sees(principal, records.enquiries.get(enquiry_id).enquiry)
            return records.appeals.for_enquiry(enquiry_id)

        return self._read(principal, work)


def _appeal_id(records: EnquiryRecords) -> str:
    return f"apl-{records.next_number('appeal-id'):09d}"
