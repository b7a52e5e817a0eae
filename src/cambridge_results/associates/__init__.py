"""An Associate's settings over its Associate Centres (ASC-01..08): :class:`Associates`."""

from cambridge_results.associates.application import Associates
from cambridge_results.associates.requests import (
    KEEP,
    AssociateCentreChange,
    AssociateContactChange,
    AssociateDefaults,
)
from cambridge_results.associates.use_cases import AssociateResult

__all__ = [
    "KEEP",
    "AssociateCentreChange",
    "AssociateContactChange",
    "AssociateDefaults",
    "AssociateResult",
    "Associates",
]
