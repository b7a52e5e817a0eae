"""Enquiries about results as values: the enquiry, its outcome, events and facts (EAR-01..23).

The rules over them live in :mod:`cambridge_results.rules` (``enquiry_*``,
``outcomes``, ``fees``, ``appeals``).
"""

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
    "Amendment",
    "CandidateOutcome",
    "CandidateResults",
    "ComponentResult",
    "Document",
    "DocumentKind",
    "Enquiry",
    "EnquiryEvent",
    "EnquiryStatus",
    "EventKind",
    "ModerationSample",
    "Outcome",
    "SyllabusFacts",
    "Transition",
]
