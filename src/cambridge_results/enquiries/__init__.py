"""Enquiries about results (EAR-01..23): the use cases, their requests, and the values.

:class:`Enquiries` is ``board.enquiries``: every use case, taking the acting
principal and, where there are several arguments, a request value
(:class:`NewEnquiry`, :class:`DraftChanges`, ...).  The values (the enquiry,
its outcome, events and facts) live in :mod:`cambridge_results.values`; the
rules over them in :mod:`cambridge_results.rules.enquiries`.
"""

from cambridge_results.enquiries.application import Enquiries
from cambridge_results.enquiries.requests import (
    KEEP,
    AppealRequest,
    DraftChanges,
    EnquiryAmendment,
    ExtensionRequest,
    NewEnquiry,
    OutcomeRequest,
    ResultsKey,
    SampleRequest,
    StageTwoAppeal,
    UploadRequest,
)
from cambridge_results.values.enquiry import (
    Amendment,
    Document,
    DocumentKind,
    Enquiry,
    EnquiryStatus,
)
from cambridge_results.values.enquiry_events import EnquiryEvent, EventKind, Transition
from cambridge_results.values.enquiry_facts import CandidateResults, ModerationSample, SyllabusFacts
from cambridge_results.values.outcome import CandidateOutcome, ComponentResult, Outcome

__all__ = [
    "KEEP",
    "Amendment",
    "AppealRequest",
    "CandidateOutcome",
    "CandidateResults",
    "ComponentResult",
    "Document",
    "DocumentKind",
    "DraftChanges",
    "Enquiries",
    "Enquiry",
    "EnquiryAmendment",
    "EnquiryEvent",
    "EnquiryStatus",
    "EventKind",
    "ExtensionRequest",
    "ModerationSample",
    "NewEnquiry",
    "Outcome",
    "OutcomeRequest",
    "ResultsKey",
    "SampleRequest",
    "StageTwoAppeal",
    "SyllabusFacts",
    "Transition",
    "UploadRequest",
]
