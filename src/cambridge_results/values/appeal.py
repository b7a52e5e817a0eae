"""Appeals against an enquiry's outcome, in two stages (EAR-20)."""

from __future__ import annotations

import enum

import attrs
import pendulum

from cambridge_results.values import CentreNumber
from cambridge_results.values.enquiry import as_enquiry_id, instant, optional_instant
from cambridge_results.values.identifiers import as_centre_number

__all__ = ["Appeal", "AppealStage"]


class AppealStage(enum.IntEnum):
    """Stage 1 is reviewed by the board; stage 2 follows the stage 1 letter (EAR-20)."""

    ONE = 1
    TWO = 2


def _optional_id(value: object) -> str | None:
    return None if value is None else as_enquiry_id(value)


@attrs.frozen(kw_only=True)
class Appeal:
    """One stage of an appeal against an enquiry's outcome (EAR-20).

    ``decision_due`` is set for stage 1 (28 days after it was lodged);
    ``letter_issued_at`` when the board issued its decision letter, which
    opens the 14 days for stage 2.
    """

    id: str = attrs.field(converter=as_enquiry_id)
    enquiry_id: str = attrs.field(converter=as_enquiry_id)
    centre: CentreNumber = attrs.field(converter=as_centre_number)
    stage: AppealStage = attrs.field(converter=AppealStage)
    lodged_at: pendulum.DateTime = attrs.field(converter=instant)
    #: ``str(principal)`` of who lodged it: the centre, or the Associate.
    lodged_by: str
    decision_due: pendulum.DateTime | None = attrs.field(default=None, converter=optional_instant)
    #: The stage 1 appeal a stage 2 appeal follows.
    follows: str | None = attrs.field(default=None, converter=_optional_id)
    letter_issued_at: pendulum.DateTime | None = attrs.field(
        default=None, converter=optional_instant
    )
