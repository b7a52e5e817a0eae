"""The in-memory login ports pass the conformance suite every backend must pass."""

from __future__ import annotations

from cambridge_results.logins.memory import (
    InMemoryAccounts,
    InMemoryAttemptLog,
    InMemoryIdentities,
    InMemoryLetters,
    InMemoryLockoutCounter,
    InMemoryResetTokens,
)
from cambridge_results.logins.ports import LockoutCounter, ResetTokenStore
from cambridge_results.testing.conformance_logins import (
    AccountStore,
    IdentityStore,
    LetterStore,
    LoginPortsConformance,
    ReadableAttemptLog,
)


class TestInMemoryLoginPorts(LoginPortsConformance):
    """LOG-01..LOG-06 contracts, on the in-memory ports."""

    def make_counter(self) -> LockoutCounter:
        """A fresh in-memory counter."""
        return InMemoryLockoutCounter()

    def make_tokens(self) -> ResetTokenStore:
        """A fresh in-memory token store."""
        return InMemoryResetTokens()

    def make_accounts(self) -> AccountStore:
        """Fresh in-memory accounts."""
        return InMemoryAccounts()

    def make_attempt_log(self) -> ReadableAttemptLog:
        """A fresh in-memory attempt log."""
        return InMemoryAttemptLog()

    def make_identities(self) -> IdentityStore:
        """Fresh in-memory identities."""
        return InMemoryIdentities()

    def make_letters(self) -> LetterStore:
        """Fresh in-memory letters."""
        return InMemoryLetters()
