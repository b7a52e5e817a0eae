"""Extensions: the board, and only the board, extends an enquiry to other candidates (EAR-17).

An extension is a record of its own (the "Extensions" tab), so the enquiry
it follows is not changed, even when it is Completed.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs
import pendulum

from cambridge_results.decisions import Decision
from cambridge_results.errors import InvalidValue
from cambridge_results.policy import Policy
from cambridge_results.principals import Principal
from cambridge_results.rules.enquiries.actors import require_board
from cambridge_results.rules.enquiries.workflow import event, illegal
from cambridge_results.values import CandidateNumber
from cambridge_results.values._text import human_text
from cambridge_results.values.enquiry import Enquiry, EnquiryStatus, as_enquiry_id, instant
from cambridge_results.values.enquiry_events import EnquiryEvent, EventKind

__all__ = ["Extension", "extend"]

MAX_REASON = 500


def _numbers(values: Iterable[object]) -> tuple[CandidateNumber, ...]:
    numbers = tuple(CandidateNumber.parse(v) for v in values)
    if not numbers:
        raise InvalidValue("extension.candidates", "name at least one candidate", rule="EAR-17")
    if len(set(numbers)) != len(numbers):
        raise InvalidValue("extension.candidates", "each candidate is named once", rule="EAR-17")
    return numbers


def _reason(value: object) -> str:
    return human_text(value, "extension.reason", max_length=MAX_REASON, rule="EAR-17")


@attrs.frozen(kw_only=True)
class Extension:
    """The board's extension of an enquiry to other candidates (EAR-17)."""

    enquiry_id: str = attrs.field(converter=as_enquiry_id)
    candidates: tuple[CandidateNumber, ...] = attrs.field(converter=_numbers)
    reason: str = attrs.field(converter=_reason)
    extended_at: pendulum.DateTime = attrs.field(converter=instant)
    by: str


_EXTENDABLE = (EnquiryStatus.RECEIVED, EnquiryStatus.ACKNOWLEDGED, EnquiryStatus.COMPLETED)


def extend(
    policy: Policy,
    enquiry: Enquiry,
    *,
    candidates: Iterable[CandidateNumber | str],
    reason: str,
    principal: Principal,
    now: pendulum.DateTime,
) -> tuple[Extension, EnquiryEvent]:
    """The board extends ``enquiry`` to other candidates; a centre cannot ask for one (EAR-17)."""
    del policy
    require_board(
        principal, "extend an enquiry to other candidates", rule="EAR-17"
    ).raise_if_refused()
    extension = Extension(
        enquiry_id=enquiry.id,
        candidates=tuple(candidates),
        reason=reason,
        extended_at=now,
        by=str(principal),
    )
    already = [c for c in extension.candidates if c in enquiry.candidates]
    named = Decision.allow()
    if already:
        named = Decision.refuse(
            "EAR-17.already-in-enquiry",
            f"candidates {', '.join(str(c) for c in already)} are already in enquiry {enquiry.id}",
        )
    status = Decision.allow() if enquiry.status in _EXTENDABLE else illegal("extend", enquiry)
    Decision.combine([status, named]).raise_if_refused()
    details = {"candidates": ",".join(str(c) for c in extension.candidates)}
    return extension, event(EventKind.EXTENDED, enquiry, principal, now, details)
