"""What happened to an enquiry: event values for the store's log (docs/rules.md, section 5).

Every workflow step returns a :class:`Transition`: the new enquiry, the
events to record and any warnings the user was shown.  Events carry who
acted (``str(principal)``), when, and a few details as text pairs, so the
store can write them as they are.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping

import attrs
import pendulum

from cambridge_results._checks import member
from cambridge_results.decisions import Reason
from cambridge_results.values.enquiry import Enquiry, as_enquiry_id, instant

__all__ = ["EnquiryEvent", "EventKind", "Transition"]


class EventKind(enum.Enum):
    """The kinds of enquiry events; the value is what the store records."""

    CREATED = "enquiry-created"
    SAVED = "enquiry-saved"
    DELETED = "enquiry-deleted"
    SENT_TO_ASSOCIATE = "enquiry-sent-to-associate"
    APPROVED = "enquiry-approved"
    REJECTED = "enquiry-rejected"
    SUBMITTED = "enquiry-submitted"
    PENDING = "enquiry-pending"
    PENDING_ENDED = "enquiry-pending-ended"
    RECEIVED = "enquiry-received"
    ACKNOWLEDGED = "enquiry-acknowledged"
    DOCUMENT_UPLOADED = "document-uploaded"
    OUTCOME_RECORDED = "outcome-recorded"
    STATEMENT_DUE = "statement-of-results-due"
    COMPLETED = "enquiry-completed"
    AMENDED = "enquiry-amended"
    CANCELLED = "enquiry-cancelled"
    EXTENDED = "enquiry-extended"
    DOCUMENT_RELEASED = "document-released"
    ACKNOWLEDGEMENT_ERROR_REPORTED = "acknowledgement-error-reported"
    APPEAL_LODGED = "appeal-lodged"
    APPEAL_LETTER_ISSUED = "appeal-letter-issued"


def _details(
    value: Mapping[str, object] | Iterable[tuple[str, object]],
) -> tuple[tuple[str, str], ...]:
    if type(value) is dict:
        # A step's own details (most often none): keys and values to text in C.
        return tuple(zip(map(str, value), map(str, value.values()), strict=True))
    pairs = value.items() if isinstance(value, Mapping) else value
    return tuple((str(k), str(v)) for k, v in pairs)


@attrs.frozen(kw_only=True)
class EnquiryEvent:
    """One recorded change: its kind, the enquiry, the actor, the instant and details."""

    kind: EventKind = attrs.field(validator=member("kind", EventKind))
    enquiry_id: str = attrs.field(converter=as_enquiry_id)
    at: pendulum.DateTime = attrs.field(converter=instant)
    #: ``str(principal)``, e.g. ``"centre:GB123"`` or ``"board:j.smith"``.
    actor: str
    details: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_details)

    @property
    def details_dict(self) -> dict[str, str]:
        """The details as a new dictionary."""
        return dict(self.details)


@attrs.frozen(kw_only=True)
class Transition:
    """The result of a workflow step: the new enquiry, its events and any warnings."""

    enquiry: Enquiry
    events: tuple[EnquiryEvent, ...]
    warnings: tuple[Reason, ...] = ()

    @property
    def kinds(self) -> tuple[EventKind, ...]:
        """The kinds of the events, in order."""
        return tuple(e.kind for e in self.events)
