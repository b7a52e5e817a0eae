"""The in-memory login ports pass the conformance suite every backend must pass."""

from __future__ import annotations

from cambridge_results.logins.conformance import (
    LockoutCounterConformance,
    ResetTokenStoreConformance,
)
from cambridge_results.logins.memory import InMemoryLockoutCounter, InMemoryResetTokens
from cambridge_results.logins.ports import LockoutCounter, ResetTokenStore


class TestInMemoryLockoutCounter(LockoutCounterConformance):
    """LOG-02 contract, in memory."""

    def make_counter(self) -> LockoutCounter:
        """A fresh in-memory counter."""
        return InMemoryLockoutCounter()


class TestInMemoryResetTokens(ResetTokenStoreConformance):
    """LOG-05 contract, in memory."""

    def make_tokens(self) -> ResetTokenStore:
        """A fresh in-memory token store."""
        return InMemoryResetTokens()
