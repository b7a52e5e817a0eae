"""Moved: the login ports' conformance suite is :mod:`cambridge_results.testing.conformance_logins`.

Kept so that ``from cambridge_results.logins.conformance import
LockoutCounterConformance`` goes on working; it needs pytest, like the suite.
"""

from __future__ import annotations

from cambridge_results.testing.conformance_logins import (
    LockoutCounterConformance,
    ResetTokenStoreConformance,
)

__all__ = ["LockoutCounterConformance", "ResetTokenStoreConformance"]
