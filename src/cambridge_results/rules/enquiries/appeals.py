"""Two-stage appeals after an enquiry's outcome (EAR-20).

* Stage 1 only after an enquiry outcome: a copy of the script alone does not
  qualify.  The centre makes it, signed by the Head of Centre; an Associate
  Centre appeals through its Associate.  The decision is due 28 days later.
* Stage 2 within 14 days of the stage 1 decision letter, half-open.

Days are calendar days in the policy's time zone; the numbers are the
policy's (``appeal_stage1_decision_days``, ``appeal_stage2_within_days``).
"""

from __future__ import annotations

import attrs
import pendulum

from cambridge_results.decisions import Decision
from cambridge_results.policy import Policy
from cambridge_results.principals import AssociateOfficer, CentreOfficer, Principal
from cambridge_results.rules.enquiries.actors import require_board
from cambridge_results.rules.enquiries.time import day_end_text, within_days
from cambridge_results.rules.enquiries.workflow import event
from cambridge_results.values.appeal import Appeal, AppealStage
from cambridge_results.values.enquiry import Enquiry
from cambridge_results.values.enquiry_events import EnquiryEvent, EventKind

__all__ = [
    "check_appellant",
    "issue_decision_letter",
    "lodge_stage_one",
    "lodge_stage_two",
    "stage_two_closes",
]


def check_appellant(
    principal: Principal, enquiry: Enquiry, signed_by_head_of_centre: bool
) -> Decision:
    """Who may appeal: the centre, signed by its Head, or the Associate for an Associate Centre."""
    reasons = []
    if enquiry.associate is None:
        if not (isinstance(principal, CentreOfficer) and principal.centre == enquiry.centre):
            reasons.append(
                Decision.refuse(
                    "EAR-20.centre-only",
                    f"only centre {enquiry.centre} can appeal, not {principal}",
                )
            )
    elif isinstance(principal, CentreOfficer) and principal.centre == enquiry.centre:
        reasons.append(
            Decision.refuse(
                "EAR-20.through-associate",
                f"Associate Centres appeal through their Cambridge Associate ({enquiry.associate})",
            )
        )
    elif not (isinstance(principal, AssociateOfficer) and principal.associate == enquiry.associate):
        reasons.append(
            Decision.refuse(
                "EAR-20.centre-only",
                f"only Cambridge Associate {enquiry.associate} can appeal for centre "
                f"{enquiry.centre}, not {principal}",
            )
        )
    if signed_by_head_of_centre is not True:
        reasons.append(
            Decision.refuse("EAR-20.not-signed", "an appeal is signed by the Head of Centre")
        )
    return Decision.combine(reasons)


def lodge_stage_one(
    policy: Policy,
    enquiry: Enquiry,
    *,
    appeal_id: str,
    signed_by_head_of_centre: bool,
    principal: Principal,
    now: pendulum.DateTime,
) -> tuple[Appeal, EnquiryEvent]:
    """A stage 1 appeal against ``enquiry``'s outcome; the decision is due in 28 days."""
    outcome = Decision.allow()
    if enquiry.outcome is None:
        outcome = Decision.refuse(
            "EAR-20.no-outcome",
            f"enquiry {enquiry.id} has no outcome: an appeal follows an enquiry outcome, "
            f"and a copy of the script alone does not qualify",
        )
    due = within_days(now, policy.enquiries.appeal_stage1_decision_days, policy.timezone)
    return _lodge(
        enquiry,
        outcome,
        appeal_id=appeal_id,
        stage=AppealStage.ONE,
        signed_by_head_of_centre=signed_by_head_of_centre,
        principal=principal,
        now=now,
        decision_due=due,
    )


def issue_decision_letter(
    policy: Policy, appeal: Appeal, *, principal: Principal, now: pendulum.DateTime
) -> tuple[Appeal, EnquiryEvent]:
    """The board issues its decision letter on an appeal, once (EAR-20)."""
    del policy
    require_board(principal, "decide an appeal", rule="EAR-20").raise_if_refused()
    if appeal.letter_issued_at is not None:
        Decision.refuse(
            "EAR-20.letter-already-issued", f"appeal {appeal.id} already has its decision letter"
        ).raise_if_refused()
    decided = attrs.evolve(appeal, letter_issued_at=now)
    return decided, EnquiryEvent(
        kind=EventKind.APPEAL_LETTER_ISSUED,
        enquiry_id=appeal.enquiry_id,
        at=now,
        actor=str(principal),
        details={"appeal": appeal.id, "stage": int(appeal.stage)},
    )


def stage_two_closes(policy: Policy, stage_one: Appeal) -> pendulum.DateTime | None:
    """The first instant too late for stage 2: the end of the 14th day after the letter (EAR-20)."""
    if stage_one.letter_issued_at is None:
        return None
    return within_days(
        stage_one.letter_issued_at, policy.enquiries.appeal_stage2_within_days, policy.timezone
    )


def lodge_stage_two(
    policy: Policy,
    stage_one: Appeal,
    *,
    enquiry: Enquiry,
    appeal_id: str,
    signed_by_head_of_centre: bool,
    principal: Principal,
    now: pendulum.DateTime,
) -> tuple[Appeal, EnquiryEvent]:
    """A stage 2 appeal, within 14 days of the stage 1 decision letter (EAR-20)."""
    if stage_one.stage is not AppealStage.ONE or stage_one.enquiry_id != enquiry.id:
        Decision.refuse(
            "EAR-20.not-stage-one", f"appeal {stage_one.id} is not stage 1 of enquiry {enquiry.id}"
        ).raise_if_refused()
    closes = stage_two_closes(policy, stage_one)
    timing = Decision.allow()
    if closes is None:
        timing = Decision.refuse(
            "EAR-20.no-stage-one-decision",
            f"stage 2 follows the stage 1 decision letter, and appeal {stage_one.id} has none yet",
        )
    elif now >= closes:
        timing = Decision.refuse(
            "EAR-20.stage-two-too-late",
            f"stage 2 had to be asked for by {day_end_text(closes, policy.timezone)}",
        )
    return _lodge(
        enquiry,
        timing,
        appeal_id=appeal_id,
        stage=AppealStage.TWO,
        signed_by_head_of_centre=signed_by_head_of_centre,
        principal=principal,
        now=now,
        follows=stage_one.id,
    )


def _lodge(
    enquiry: Enquiry,
    stage_check: Decision,
    *,
    appeal_id: str,
    stage: AppealStage,
    signed_by_head_of_centre: bool,
    principal: Principal,
    now: pendulum.DateTime,
    decision_due: pendulum.DateTime | None = None,
    follows: str | None = None,
) -> tuple[Appeal, EnquiryEvent]:
    """The appeal and its event, once the appellant and the stage's own check allow it."""
    Decision.combine(
        [check_appellant(principal, enquiry, signed_by_head_of_centre), stage_check]
    ).raise_if_refused()
    appeal = Appeal(
        id=appeal_id,
        enquiry_id=enquiry.id,
        centre=enquiry.centre,
        stage=stage,
        lodged_at=now,
        lodged_by=str(principal),
        decision_due=decision_due,
        follows=follows,
    )
    # Stage 1 says when its decision is due; stage 2 names the appeal it follows.
    extra = {"decision_due": appeal.decision_due} if follows is None else {"follows": follows}
    details = {"appeal": appeal.id, "stage": int(stage), **extra}
    return appeal, event(EventKind.APPEAL_LODGED, enquiry, principal, now, details)
