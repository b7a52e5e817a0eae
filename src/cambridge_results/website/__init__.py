"""The candidate results website (CRW-01..13, ASC-06..08): :class:`Website`.

``Website(context)`` holds the store, the policy and the clock once; its
methods take the acting principal and, where a use case needs more than a
centre and a series, a request value (:class:`CandidateSelection`,
:class:`CandidateQuery`, :class:`GenerationRequest`, and the rules'
:class:`~cambridge_results.rules.website.access.AccessRequest`).

Importing the package is cheap: each name is imported from its module when first
used, so a worker process of bulk generation, which imports only
``cambridge_results.website.workers``, does not load the whole application
(about 80 ms of CPU a worker, every run).
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

#: Where each public name is defined: imported from there on first use.
_HOME = {
    "AccessResult": "cambridge_results.website.access",
    "CandidateListing": "cambridge_results.website.access",
    "CandidateQuery": "cambridge_results.website.requests",
    "CandidateResultsAnswer": "cambridge_results.website.candidate_results",
    "CandidateResultsRequest": "cambridge_results.website.candidate_results",
    "CandidateSelection": "cambridge_results.website.requests",
    "CentreSettings": "cambridge_results.website.common",
    "CredentialRecord": "cambridge_results.website.credential_repository",
    "CredentialState": "cambridge_results.website.credential_repository",
    "DirectoryLetterStore": "cambridge_results.website.letter_files",
    "GenerationMode": "cambridge_results.website.generation",
    "GenerationProgress": "cambridge_results.website.generation",
    "GenerationReport": "cambridge_results.website.generation",
    "GenerationRequest": "cambridge_results.website.generation",
    "LetterRun": "cambridge_results.website.letters",
    "LetterStore": "cambridge_results.website.letter_files",
    "SelectionResult": "cambridge_results.website.access",
    "Website": "cambridge_results.website.application",
    "WebsiteRepositories": "cambridge_results.website.repositories",
}

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


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
