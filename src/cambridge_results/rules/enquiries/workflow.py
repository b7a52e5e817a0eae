"""The life of an enquiry as a pure state machine (EAR-09..EAR-13, EAR-18).

Each step takes the policy, the enquiry, the acting principal and ``now``,
and returns a :class:`~cambridge_results.values.enquiry_events.Transition` (the
new enquiry and the events to record) or raises
:class:`~cambridge_results.errors.EnquiryRefused` with every reason::

    Saved --submit--> Submitted | Pending | Awaiting approval (Associate Centre)
    Pending --end_pending--> Submitted --receive--> Received
    Received --acknowledge--> Acknowledged --documents--> Completed

Amendments and cancellations (EAR-14) are in
:mod:`~cambridge_results.rules.enquiries.changes`; the Associate's approval
and releases (EAR-16) in :mod:`~cambridge_results.rules.enquiries.associates`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Any

import pendulum

from cambridge_results.decisions import Decision
from cambridge_results.errors import InvalidValue
from cambridge_results.policy import Policy, ServiceDefinition
from cambridge_results.principals import CentreOfficer, Principal
from cambridge_results.rules.enquiries.actors import require_board, require_centre_side
from cambridge_results.rules.enquiries.eligibility import check_eligibility, considered_candidates
from cambridge_results.rules.enquiries.outcomes import check_outcome
from cambridge_results.rules.enquiries.queue import blockers
from cambridge_results.rules.enquiries.services import check_offered, service_definition
from cambridge_results.values import (
    CandidateNumber,
    Centre,
    ComponentCode,
    ExamSeries,
    SyllabusCode,
)
from cambridge_results.values.enquiry import (
    Document,
    DocumentKind,
    Enquiry,
    EnquiryStatus,
    default_note,
    evolved,
)
from cambridge_results.values.enquiry_events import EnquiryEvent, EventKind, Transition
from cambridge_results.values.enquiry_facts import SyllabusFacts
from cambridge_results.values.outcome import Outcome

__all__ = [
    "KEEP",
    "Keep",
    "acknowledge",
    "arrive",
    "create",
    "delete",
    "end_pending",
    "event",
    "illegal",
    "receive",
    "record_outcome",
    "release_ready",
    "required_documents",
    "save",
    "submit",
    "upload_document",
]


class Keep(enum.Enum):
    """The type of :data:`KEEP`: "leave this field as it is"."""

    KEEP = "keep"


#: Passed for a field that :func:`save` should leave unchanged.
KEEP = Keep.KEEP


def event(
    kind: EventKind,
    enquiry: Enquiry,
    principal: Principal,
    now: pendulum.DateTime,
    details: Mapping[str, object] | None = None,
) -> EnquiryEvent:
    """An event about ``enquiry``, by ``principal`` at ``now``."""
    return EnquiryEvent(
        kind=kind, enquiry_id=enquiry.id, at=now, actor=str(principal), details=details or {}
    )


def illegal(action: str, enquiry: Enquiry) -> Decision:
    """The refusal of a step the enquiry's status does not allow (EAR-09)."""
    return Decision.refuse(
        "EAR-09.illegal-transition",
        f"cannot {action} enquiry {enquiry.id}: it is {enquiry.status.label}",
    )


def _when(status_ok: bool, action: str, enquiry: Enquiry) -> Decision:
    return Decision.allow() if status_ok else illegal(action, enquiry)


def create(
    policy: Policy,
    *,
    enquiry_id: str,
    centre: Centre,
    series: ExamSeries | str,
    service: str,
    syllabus: SyllabusCode | str,
    components: Iterable[ComponentCode | str] = (),
    candidates: Iterable[CandidateNumber | str] = (),
    whole_group: bool = False,
    head_of_centre: bool = False,
    note: str | None = None,
    principal: Principal,
    now: pendulum.DateTime,
) -> Transition:
    """A new draft (Saved): nothing is sent and the board takes no action (EAR-09).

    The note is the centre's own reference; left empty, it is filled with
    the series, syllabus and enquiry number once the board numbers it (EAR-11).
    """
    draft = Enquiry(
        id=enquiry_id,
        centre=centre.number,
        associate=centre.associate,
        series=series,
        service=service,
        syllabus=syllabus,
        components=tuple(components),
        candidates=tuple(candidates),
        whole_group=whole_group,
        head_of_centre=head_of_centre,
        note=note,
        created_at=now,
    )
    require_centre_side(principal, draft).raise_if_refused()
    check_offered(policy, draft.series, draft.service).raise_if_refused()
    return Transition(enquiry=draft, events=(event(EventKind.CREATED, draft, principal, now),))


def save(
    policy: Policy,
    enquiry: Enquiry,
    *,
    service: str | Keep = KEEP,
    components: Iterable[ComponentCode | str] | Keep = KEEP,
    candidates: Iterable[CandidateNumber | str] | Keep = KEEP,
    whole_group: bool | Keep = KEEP,
    head_of_centre: bool | Keep = KEEP,
    note: str | Keep | None = KEEP,
    principal: Principal,
    now: pendulum.DateTime,
) -> Transition:
    """Save changes to a draft; it stays Saved and the board takes no action (EAR-09)."""
    require_centre_side(principal, enquiry).raise_if_refused()
    _when(enquiry.status is EnquiryStatus.SAVED, "save", enquiry).raise_if_refused()
    changes: dict[str, Any] = {}
    for name, value in (
        ("service", service),
        ("whole_group", whole_group),
        ("head_of_centre", head_of_centre),
        ("note", note),
    ):
        if value is not KEEP:
            changes[name] = value
    if not isinstance(components, Keep):
        changes["components"] = tuple(components)
    if not isinstance(candidates, Keep):
        changes["candidates"] = tuple(candidates)
    saved = evolved(enquiry, **changes)
    if saved.service != enquiry.service:
        check_offered(policy, saved.series, saved.service).raise_if_refused()
    details = {"changed": ",".join(sorted(changes)) or "nothing"}
    return Transition(
        enquiry=saved, events=(event(EventKind.SAVED, saved, principal, now, details),)
    )


def delete(
    policy: Policy, enquiry: Enquiry, *, principal: Principal, now: pendulum.DateTime
) -> Transition:
    """Throw a draft away (EAR-09); a submitted enquiry is cancelled instead (EAR-14)."""
    del policy  # every step takes the policy; deleting a draft needs none of it
    require_centre_side(principal, enquiry).raise_if_refused()
    _when(enquiry.status is EnquiryStatus.SAVED, "delete", enquiry).raise_if_refused()
    deleted = evolved(enquiry, status=EnquiryStatus.DELETED)
    return Transition(enquiry=deleted, events=(event(EventKind.DELETED, deleted, principal, now),))


def submit(
    policy: Policy,
    enquiry: Enquiry,
    *,
    facts: SyllabusFacts,
    others: Iterable[Enquiry],
    declarations: tuple[bool, bool],
    principal: Principal,
    now: pendulum.DateTime,
) -> Transition:
    """Submit a draft, with both declaration boxes ticked (EAR-09).

    Refused with every reason at once: status, declarations and
    eligibility (:func:`~cambridge_results.rules.enquiries.eligibility.check_eligibility`).
    An Associate Centre's own submission goes to its Associate for approval
    (EAR-16); anything else reaches the board, Pending if it must wait for
    earlier enquiries (EAR-13).  EAR-13 warnings come back on the transition.
    """
    require_centre_side(principal, enquiry).raise_if_refused()
    others = tuple(others)
    ticked = Decision.allow()
    if not (len(declarations) == 2 and all(d is True for d in declarations)):
        ticked = Decision.refuse(
            "EAR-09.declarations-not-ticked",
            "tick both declaration checkboxes to submit; the enquiry was not submitted",
        )
    eligibility = check_eligibility(policy, enquiry, facts=facts, others=others, now=now)
    Decision.combine(
        [_when(enquiry.status is EnquiryStatus.SAVED, "submit", enquiry), ticked, eligibility]
    ).raise_if_refused()
    definition = service_definition(policy, enquiry.series, enquiry.service)
    candidates = considered_candidates(definition, enquiry, facts)
    if enquiry.associate is not None and isinstance(principal, CentreOfficer):
        waiting = evolved(
            enquiry,
            candidates=candidates,
            submitted_at=now,
            status=EnquiryStatus.AWAITING_APPROVAL,
        )
        sent = event(
            EventKind.SENT_TO_ASSOCIATE, waiting, principal, now, {"associate": enquiry.associate}
        )
        return Transition(enquiry=waiting, events=(sent,), warnings=eligibility.warnings)
    arrived = arrive(
        policy, enquiry, others=others, principal=principal, now=now, candidates=candidates
    )
    return Transition(enquiry=arrived.enquiry, events=arrived.events, warnings=eligibility.warnings)


def arrive(
    policy: Policy,
    enquiry: Enquiry,
    *,
    others: Iterable[Enquiry],
    principal: Principal,
    now: pendulum.DateTime,
    candidates: tuple[CandidateNumber, ...] | None = None,
) -> Transition:
    """The enquiry reaches the board at ``now``: Submitted, or Pending behind others (EAR-13).

    Used by :func:`submit` (which passes the ``candidates`` of a whole-group
    service) and by the Associate's approval (EAR-16).
    """
    landed = evolved(
        enquiry,
        candidates=enquiry.candidates if candidates is None else candidates,
        submitted_at=enquiry.submitted_at or now,
        arrived_at=now,
        status=EnquiryStatus.SUBMITTED,
        queued_at=now,
    )
    waiting = blockers(policy, landed, others)
    submitted = event(EventKind.SUBMITTED, landed, principal, now, {"service": enquiry.service})
    if not waiting:
        return Transition(enquiry=landed, events=(submitted,))
    pending = evolved(landed, status=EnquiryStatus.PENDING, queued_at=None)
    waits = event(
        EventKind.PENDING, pending, principal, now, {"waiting_for": ",".join(w.id for w in waiting)}
    )
    return Transition(enquiry=pending, events=(submitted, waits))


def end_pending(
    policy: Policy,
    enquiry: Enquiry,
    *,
    others: Iterable[Enquiry],
    principal: Principal,
    now: pendulum.DateTime,
) -> Transition:
    """A Pending enquiry becomes Submitted once what it waited for is finished (EAR-13)."""
    require_board(principal, "process a pending enquiry").raise_if_refused()
    _when(enquiry.status is EnquiryStatus.PENDING, "end the wait of", enquiry).raise_if_refused()
    waiting = blockers(policy, enquiry, others)
    if waiting:
        Decision.refuse(
            "EAR-13.still-waiting",
            f"enquiry {enquiry.id} still waits for {', '.join(w.id for w in waiting)}",
        ).raise_if_refused()
    ready = evolved(enquiry, status=EnquiryStatus.SUBMITTED, queued_at=now)
    return Transition(
        enquiry=ready, events=(event(EventKind.PENDING_ENDED, ready, principal, now),)
    )


def release_ready(
    policy: Policy,
    enquiries: Iterable[Enquiry],
    *,
    principal: Principal,
    now: pendulum.DateTime,
) -> tuple[Transition, ...]:
    """End the wait of every Pending enquiry that no longer waits for anything (EAR-13).

    Call it after an enquiry completes or is cancelled.
    """
    everything = tuple(enquiries)
    return tuple(
        end_pending(policy, e, others=everything, principal=principal, now=now)
        for e in everything
        if e.status is EnquiryStatus.PENDING and not blockers(policy, e, everything)
    )


def receive(
    policy: Policy,
    enquiry: Enquiry,
    *,
    number: str,
    principal: Principal,
    now: pendulum.DateTime,
) -> Transition:
    """The board assigns the enquiry number: Received (EAR-09); an empty note gets EAR-11's."""
    del policy  # receiving needs no number from the policy
    require_board(principal, "receive an enquiry").raise_if_refused()
    if enquiry.status is EnquiryStatus.PENDING:
        Decision.refuse(
            "EAR-13.pending", f"enquiry {enquiry.id} is Pending: it waits for earlier enquiries"
        ).raise_if_refused()
    _when(enquiry.status is EnquiryStatus.SUBMITTED, "receive", enquiry).raise_if_refused()
    numbered = evolved(enquiry, number=number, received_at=now)
    if numbered.note is None:
        numbered = evolved(
            numbered, note=default_note(enquiry.series, enquiry.syllabus, numbered.number)
        )
    received = evolved(numbered, status=EnquiryStatus.RECEIVED)
    details = {"number": received.number}
    return Transition(
        enquiry=received, events=(event(EventKind.RECEIVED, received, principal, now, details),)
    )


def acknowledge(
    policy: Policy, enquiry: Enquiry, *, principal: Principal, now: pendulum.DateTime
) -> Transition:
    """The board uploads the acknowledgement letter (Ack): Acknowledged (EAR-09, EAR-10)."""
    del policy
    require_board(principal, "acknowledge an enquiry").raise_if_refused()
    _when(enquiry.status is EnquiryStatus.RECEIVED, "acknowledge", enquiry).raise_if_refused()
    ack = Document(kind=DocumentKind.ACKNOWLEDGEMENT, uploaded_at=now)
    acknowledged = evolved(
        enquiry,
        status=EnquiryStatus.ACKNOWLEDGED,
        acknowledged_at=now,
        documents=(*enquiry.documents, ack),
    )
    details = {"document": DocumentKind.ACKNOWLEDGEMENT.value}
    return Transition(
        enquiry=acknowledged,
        events=(event(EventKind.ACKNOWLEDGED, acknowledged, principal, now, details),),
    )


def required_documents(definition: ServiceDefinition) -> tuple[DocumentKind, ...]:
    """The documents without which a service's enquiry is not Completed (EAR-10)."""
    kinds = [DocumentKind.ACKNOWLEDGEMENT, DocumentKind.OUTCOME]
    if definition.copy_of_script:
        kinds.append(DocumentKind.COPY_OF_SCRIPT)
    if definition.report:
        kinds.append(DocumentKind.REPORT)
    return tuple(kinds)


def record_outcome(
    policy: Policy,
    enquiry: Enquiry,
    *,
    outcome: Outcome,
    principal: Principal,
    now: pendulum.DateTime,
) -> Transition:
    """The board records the outcome and uploads the outcome letter (Out) (EAR-10, EAR-23).

    A changed syllabus grade makes an updated statement of results due
    (EAR-15); the enquiry is Completed when its documents are all there.
    """
    require_board(principal, "record an outcome").raise_if_refused()
    Decision.combine(
        [
            _when(enquiry.status is EnquiryStatus.ACKNOWLEDGED, "record the outcome of", enquiry),
            _not_uploaded(enquiry, DocumentKind.OUTCOME),
            check_outcome(enquiry, outcome),
        ]
    ).raise_if_refused()
    letter = Document(kind=DocumentKind.OUTCOME, uploaded_at=now)
    updated = evolved(enquiry, outcome=outcome, documents=(*enquiry.documents, letter))
    events = [
        event(
            EventKind.OUTCOME_RECORDED,
            updated,
            principal,
            now,
            {"grade_changed": outcome.grade_changed, "document": DocumentKind.OUTCOME.value},
        )
    ]
    if outcome.statements_due:
        due = ",".join(str(c) for c in outcome.statements_due)
        events.append(event(EventKind.STATEMENT_DUE, updated, principal, now, {"candidates": due}))
    return _complete_if_ready(policy, updated, events, principal, now)


def upload_document(
    policy: Policy,
    enquiry: Enquiry,
    *,
    kind: DocumentKind,
    principal: Principal,
    now: pendulum.DateTime,
) -> Transition:
    """The board uploads a report (Rpt) or a copy of the script (Cos) (EAR-10)."""
    if kind not in (DocumentKind.REPORT, DocumentKind.COPY_OF_SCRIPT):
        raise InvalidValue(
            "kind", "upload Ack with acknowledge() and Out with record_outcome()", rule="EAR-10"
        )
    require_board(principal, "upload documents").raise_if_refused()
    definition = service_definition(policy, enquiry.series, enquiry.service)
    applicable = Decision.allow()
    if kind not in required_documents(definition):
        applicable = Decision.refuse(
            "EAR-10.not-applicable", f"service {enquiry.service} has no {kind.value} document"
        )
    Decision.combine(
        [
            _when(enquiry.status is EnquiryStatus.ACKNOWLEDGED, "upload documents to", enquiry),
            applicable,
            _not_uploaded(enquiry, kind),
        ]
    ).raise_if_refused()
    updated = evolved(enquiry, documents=(*enquiry.documents, Document(kind=kind, uploaded_at=now)))
    uploaded = event(EventKind.DOCUMENT_UPLOADED, updated, principal, now, {"document": kind.value})
    return _complete_if_ready(policy, updated, [uploaded], principal, now)


def _not_uploaded(enquiry: Enquiry, kind: DocumentKind) -> Decision:
    if enquiry.has(kind):
        return Decision.refuse(
            "EAR-10.already-uploaded", f"enquiry {enquiry.id} already has its {kind.value} document"
        )
    return Decision.allow()


def _complete_if_ready(
    policy: Policy,
    enquiry: Enquiry,
    events: list[EnquiryEvent],
    principal: Principal,
    now: pendulum.DateTime,
) -> Transition:
    definition = service_definition(policy, enquiry.series, enquiry.service)
    if all(enquiry.has(k) for k in required_documents(definition)):
        enquiry = evolved(enquiry, status=EnquiryStatus.COMPLETED, completed_at=now)
        events.append(event(EventKind.COMPLETED, enquiry, principal, now))
    return Transition(enquiry=enquiry, events=tuple(events))
