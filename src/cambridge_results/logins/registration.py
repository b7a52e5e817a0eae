"""Candidates register with their letter's ID and Secret Number (LOG-06).

The Secret Number is a short secret, so it is stored as a slow password
hash (ASVS 5.0 6.5.2: secrets under 112 bits need one) and checked under the
lockout, keyed by the ID: three wrong Secret Numbers lock that ID for 30
minutes (LOG-02), so its few digits cannot be searched.  Unknown IDs cost
the same hasher work as known ones.
"""

from __future__ import annotations

import logging
from collections.abc import Container
from typing import Protocol, runtime_checkable

import attrs

from cambridge_results.clock import Clock
from cambridge_results.decisions import Decision
from cambridge_results.hashing import PasswordHasher
from cambridge_results.logins.ports import AttemptLog, AttemptOutcome, LockoutCounter, LoginAttempt
from cambridge_results.logins.verifier import Verifier
from cambridge_results.policy import LoginPolicy
from cambridge_results.rules.logins.registration import (
    check_candidate_registration,
    normalise_candidate_id,
)
from cambridge_results.values import normalise_email

__all__ = [
    "CandidateRegistration",
    "CandidateRegistrationResult",
    "LetterLookup",
    "LetterRecord",
    "lockout_key",
]

_log = logging.getLogger("cambridge_results.logins")


def lockout_key(candidate_id: str) -> str:
    """The lockout key of a registration ID, apart from every username (LOG-02, LOG-06)."""
    return f"candidate-id:{normalise_candidate_id(candidate_id)}"


@attrs.frozen(kw_only=True)
class LetterRecord:
    """What is kept about a letter: the ID, the Secret Number's hash, whether it was used."""

    candidate_id: str
    secret_hash: str = attrs.field(repr=False)
    registered: bool = False


@runtime_checkable
class LetterLookup(Protocol):
    """Finds letters by normalised ID (LOG-06)."""

    def find_letter(self, candidate_id: str) -> LetterRecord | None:
        """The letter with this ID (upper case), or ``None``."""
        ...


@attrs.frozen(kw_only=True)
class CandidateRegistrationResult:
    """Refused with reasons, or allowed with what the caller stores for the new account."""

    decision: Decision
    candidate_id: str | None = None
    email: str | None = None
    password_hash: str | None = attrs.field(default=None, repr=False)
    attempt: LoginAttempt | None = None


class CandidateRegistration:
    """Registers candidates over a :class:`LetterLookup` and a lockout (LOG-06)."""

    def __init__(
        self,
        *,
        letters: LetterLookup,
        lockout: LockoutCounter,
        hasher: PasswordHasher,
        policy: LoginPolicy,
        clock: Clock,
        attempts: AttemptLog | None = None,
        denylist: Container[str] = frozenset(),
    ) -> None:
        self._letters = letters
        self._lockout = lockout
        self._policy = policy
        self._clock = clock
        self._attempts = attempts
        self._denylist = denylist
        self._verifier = Verifier(hasher)

    def register(
        self, *, candidate_id: object, secret_number: object, email: object, password: object
    ) -> CandidateRegistrationResult:
        """Check the form, then the Secret Number under the lockout (LOG-06, LOG-02)."""
        form = check_candidate_registration(
            candidate_id=candidate_id,
            secret_number=secret_number,
            email=email,
            password=password,
            policy=self._policy,
            denylist=self._denylist,
        )
        if not form.allowed:
            return CandidateRegistrationResult(decision=form)
        # The form check proved these are text.
        assert isinstance(candidate_id, str)
        assert isinstance(secret_number, str)
        assert isinstance(email, str)
        assert isinstance(password, str)
        now = self._clock.now()
        cid = normalise_candidate_id(candidate_id)
        found: list[LetterRecord | None] = []

        def lookup() -> str | None:
            letter = self._letters.find_letter(cid)
            found.append(letter)
            return None if letter is None else letter.secret_hash

        guarded = self._verifier.guarded(
            key=lockout_key(cid),
            secret=secret_number,
            lookup=lookup,
            lockout=self._lockout,
            policy=self._policy,
            now=now,
        )
        attempt = LoginAttempt(
            at=now, username=cid, outcome=guarded.outcome, flow="candidate-registration"
        )
        if self._attempts is not None:
            self._attempts.record(attempt)
        _log.info("candidate registration for ID %r: %s", cid, guarded.outcome.value)
        if guarded.outcome is AttemptOutcome.LOCKED:
            return CandidateRegistrationResult(decision=guarded.lock, attempt=attempt)
        if guarded.outcome is not AttemptOutcome.SUCCESS:
            return CandidateRegistrationResult(
                decision=Decision.refuse(
                    "LOG-06.incorrect-registration-details",
                    "the ID or the Secret Number is not correct; check your letter",
                ),
                attempt=attempt,
            )
        letter = found[0]
        assert letter is not None  # a success means the lookup found the letter
        if letter.registered:
            return CandidateRegistrationResult(
                decision=Decision.refuse(
                    "LOG-06.already-registered",
                    "this ID is already registered: log in, or use Forgotten password",
                ),
                candidate_id=cid,
                attempt=attempt,
            )
        return CandidateRegistrationResult(
            decision=Decision.allow(),
            candidate_id=cid,
            email=normalise_email(email),
            password_hash=self._verifier.hasher.hash(password),
            attempt=attempt,
        )
