"""The candidate results website's use cases over the store (CRW-01..13, ASC-01..08).

Every use case takes the store, the acting principal, the policy and a
clock; it checks what the principal may do (ASC-07), applies the pure rules
of :mod:`cambridge_results.rules`, and writes its changes and their events in
one unit of work, so a refusal leaves storage unchanged.  Bulk generation is
:func:`generate_letters`.
"""

from cambridge_results.website.access import (
    AccessResult,
    CandidateListing,
    SelectionResult,
    centre_settings,
    iter_candidates,
    list_candidates,
    list_stale_letters,
    read_history,
    revoke_credentials,
    set_access,
    sync_access,
    tick_candidates,
    untick_candidates,
)
from cambridge_results.website.associates import (
    AssociateResult,
    get_associate_settings,
    read_associate_history,
    set_associate_centre,
    set_associate_contact,
    set_associate_defaults,
)
from cambridge_results.website.common import CentreSettings
from cambridge_results.website.generation import (
    GenerationMode,
    GenerationProgress,
    GenerationReport,
    generate_letters,
)
from cambridge_results.website.repositories import (
    CredentialRecord,
    CredentialState,
    WebsiteRepositories,
)

__all__ = [
    "AccessResult",
    "AssociateResult",
    "CandidateListing",
    "CentreSettings",
    "CredentialRecord",
    "CredentialState",
    "GenerationMode",
    "GenerationProgress",
    "GenerationReport",
    "SelectionResult",
    "WebsiteRepositories",
    "centre_settings",
    "generate_letters",
    "get_associate_settings",
    "iter_candidates",
    "list_candidates",
    "list_stale_letters",
    "read_associate_history",
    "read_history",
    "revoke_credentials",
    "set_access",
    "set_associate_centre",
    "set_associate_contact",
    "set_associate_defaults",
    "sync_access",
    "tick_candidates",
    "untick_candidates",
]
