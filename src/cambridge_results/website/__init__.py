"""The candidate results website (CRW-01..13, ASC-06..08): :class:`Website`.

``Website(context)`` holds the store, the policy and the clock once; its
methods take the acting principal and, where a use case needs more than a
centre and a series, a request value (:class:`CandidateSelection`,
:class:`CandidateQuery`, :class:`GenerationRequest`, and the rules'
:class:`~cambridge_results.rules.website.access.AccessRequest`).
"""

from cambridge_results.website.access import AccessResult, CandidateListing, SelectionResult
from cambridge_results.website.application import Website
from cambridge_results.website.candidate_results import (
    CandidateResultsAnswer,
    CandidateResultsRequest,
)
from cambridge_results.website.common import CentreSettings
from cambridge_results.website.credential_repository import CredentialRecord, CredentialState
from cambridge_results.website.generation import (
    GenerationMode,
    GenerationProgress,
    GenerationReport,
    GenerationRequest,
)
from cambridge_results.website.letter_files import DirectoryLetterStore, LetterStore
from cambridge_results.website.letters import LetterRun
from cambridge_results.website.repositories import WebsiteRepositories
from cambridge_results.website.requests import CandidateQuery, CandidateSelection

__all__ = [
    "AccessResult",
    "CandidateListing",
    "CandidateQuery",
    "CandidateResultsAnswer",
    "CandidateResultsRequest",
    "CandidateSelection",
    "CentreSettings",
    "CredentialRecord",
    "CredentialState",
    "DirectoryLetterStore",
    "GenerationMode",
    "GenerationProgress",
    "GenerationReport",
    "GenerationRequest",
    "LetterRun",
    "LetterStore",
    "SelectionResult",
    "Website",
    "WebsiteRepositories",
]
