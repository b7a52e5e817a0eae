"""Verifying a secret under the lockout, with the same hasher work for unknown keys (LOG-02).

Shared by the login (LOG-01), identity registration (LOG-04) and candidate
registration (LOG-06) flows, so that none of them is a way round the
lockout and none tells known keys from unknown ones by hasher work.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

import attrs
import pendulum

from cambridge_results.decisions import Decision
from cambridge_results.hashing import PasswordHasher
from cambridge_results.logins.ports import AttemptOutcome, LockoutCounter
from cambridge_results.policy import LoginPolicy

__all__ = ["GuardedResult", "Verifier"]


@attrs.frozen(kw_only=True)
class GuardedResult:
    """How a guarded verification ended; ``lock`` is the refusal when locked."""

    outcome: AttemptOutcome
    lock: Decision = attrs.field(factory=Decision)


class Verifier:
    """The current hasher, older ones still accepted, and a dummy hash made once.

    An unknown key, or a stored hash no hasher here understands, is verified
    against the dummy hash, so every attempt that passes the lockout costs
    exactly one hasher verification (LOG-02: no account enumeration).
    """

    def __init__(self, hasher: PasswordHasher, legacy: tuple[PasswordHasher, ...] = ()) -> None:
        self.hasher = hasher
        self._all = (hasher, *legacy)
        # The dummy's own text is thrown away: nothing can ever match it on purpose.
        self._dummy = hasher.hash(secrets.token_urlsafe(32))

    def verify(self, encoded: str | None, secret: str) -> bool:
        """True when ``secret`` matches ``encoded``; one hasher verification either way."""
        if encoded is not None:
            for hasher in self._all:
                if hasher.handles(encoded):
                    return hasher.verify(encoded, secret)
        self.hasher.verify(self._dummy, secret)
        return False

    def needs_rehash(self, encoded: str) -> bool:
        """True when ``encoded`` should be replaced by a hash from the current hasher."""
        return self.hasher.needs_rehash(encoded)

    def guarded(
        self,
        *,
        key: str,
        secret: str,
        lookup: Callable[[], str | None],
        lockout: LockoutCounter,
        policy: LoginPolicy,
        now: pendulum.DateTime,
    ) -> GuardedResult:
        """Verify ``secret`` against ``lookup()`` behind ``key``'s lockout (LOG-02).

        The failure is counted *before* the hasher runs (atomically, by the
        counter), so a locked key never reaches the hasher and no increment
        is lost; a match resets the key.
        """
        lock = lockout.record_failure(key, now, policy)
        if not lock.allowed:
            return GuardedResult(outcome=AttemptOutcome.LOCKED, lock=lock)
        encoded = lookup()
        if self.verify(encoded, secret):
            lockout.record_success(key)
            return GuardedResult(outcome=AttemptOutcome.SUCCESS)
        outcome = (
            AttemptOutcome.UNKNOWN_USERNAME if encoded is None else AttemptOutcome.WRONG_PASSWORD
        )
        return GuardedResult(outcome=outcome)

    def __repr__(self) -> str:
        return f"Verifier({self.hasher!r})"
