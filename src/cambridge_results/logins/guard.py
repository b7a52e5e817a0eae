"""A secret checked behind its key's lockout, the hasher outside every transaction (LOG-02).

Shared by the login (LOG-01), password change, identity registration
(LOG-04) and candidate registration (LOG-06) flows, so none of them is a
way round the lockout.  In order:

1. count a failure *in advance* and read what the secret is checked
   against: for a key with no failures (the common case) in a provisional
   write (``context.write(..., provisional=True)``: one statement, visible
   to every other attempt at once, not waited for on disk); for a key with
   failures in an ordinary write that refuses while the key is locked;
2. the hasher verifies, outside any transaction (one verification, known
   key or not);
3. the caller's own finishing write records the attempt and, on a match,
   clears the key (``LockoutRepository.clear``).

Counting before verifying means no increment is lost between checking and
counting, and of any number of simultaneous attempts at most the threshold
reach the hasher.  The finishing write is the one commit a login waits for
on disk, and it makes the count durable too (docs/security.md).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Generic, TypeVar

import attrs
import pendulum

from cambridge_results.context import Context
from cambridge_results.decisions import Decision
from cambridge_results.logins.candidates import NO_CANDIDATE_CREDENTIALS, CandidateCredentials
from cambridge_results.logins.records import AttemptOutcome, LoginAttempt
from cambridge_results.logins.repositories import (
    LockoutRepository,
    LoginRepositories,
    success_writes,
)
from cambridge_results.logins.verifier import Verifier
from cambridge_results.storage.port import UnitOfWork

__all__ = [
    "SYSTEM_ACTOR",
    "Guarded",
    "SuccessSettling",
    "check_secret",
    "guarded_check",
    "record_attempt",
    "reserve",
    "settle_success",
]

T = TypeVar("T")

#: The actor of the units of work people who are not signed in cause (SPEC section 5).
SYSTEM_ACTOR = "system:logins"

_log = logging.getLogger("cambridge_results.logins")
_ALLOWED = Decision.allow()


@attrs.frozen(kw_only=True)
class Guarded(Generic[T]):
    """How a guarded check ended: the outcome, the lock when locked, what was found."""

    outcome: AttemptOutcome
    lock: Decision = attrs.field(factory=Decision)
    found: T | None = None


def reserve(
    context: Context,
    *,
    key: str,
    lookup: Callable[[LoginRepositories], T | None],
    now: pendulum.DateTime,
    candidates: CandidateCredentials = NO_CANDIDATE_CREDENTIALS,
) -> tuple[Decision, T | None]:
    """Count a failure of ``key`` in advance, then read what the secret is checked against.

    The lock decision (refused while locked: nothing counted, and nothing
    found: ``lookup`` runs with the count in advance, its answer discarded
    unless that count is the key's first) and what ``lookup`` found.  Step 1
    of :func:`guarded_check`, for a flow that prepares its answer before the
    hasher runs.
    """
    policy = context.policy.login

    def provisional(uow: UnitOfWork) -> tuple[Decision, T | None] | None:
        # The common case, a key with no failures: the count's one statement, not
        # waited for on disk, and the lookup in the same round trip (PostgreSQL).
        read = functools.partial(lookup, LoginRepositories(uow, candidates))
        counted, found = LockoutRepository(uow).count_new_and(key, now, policy, read)
        return (_ALLOWED, found) if counted else None

    reserved = context.write(provisional, actor=SYSTEM_ACTOR, provisional=True)
    if reserved is not None:
        return reserved

    def count(uow: UnitOfWork) -> tuple[Decision, T | None]:
        # A key with a row: read for update, so attempts on one key queue, not retry.
        repos = LoginRepositories(uow, candidates)
        lock = repos.lockouts.count_failure(key, now, policy, context.policy.timezone)
        return lock, (lookup(repos) if lock.allowed else None)

    return context.write(count, actor=SYSTEM_ACTOR)


def check_secret(verifier: Verifier, stored: str | None, secret: str) -> AttemptOutcome:
    """Step 2 of :func:`guarded_check`: one hasher verification, a hash ``stored`` or not."""
    if verifier.verify(stored, secret):
        return AttemptOutcome.SUCCESS
    return AttemptOutcome.UNKNOWN_USERNAME if stored is None else AttemptOutcome.WRONG_PASSWORD


def guarded_check(
    context: Context,
    verifier: Verifier,
    *,
    key: str,
    secret: str,
    lookup: Callable[[LoginRepositories], T | None],
    encoded: Callable[[T], str],
    now: pendulum.DateTime,
    typed: Callable[[T, str], str] | None = None,
    candidates: CandidateCredentials = NO_CANDIDATE_CREDENTIALS,
) -> Guarded[T]:
    """Check ``secret`` against ``encoded(lookup(...))`` behind ``key``'s lockout.

    ``typed(found, secret)``, when given, is the secret in the form ``found``'s
    hash was made of (a letter's password typed with spaces, say); an unknown
    key's secret is verified as given, at the same cost.  ``candidates`` is
    the letters' port the ``lookup`` may read through.
    """
    lock, found = reserve(context, key=key, lookup=lookup, now=now, candidates=candidates)
    if not lock.allowed:
        return Guarded(outcome=AttemptOutcome.LOCKED, lock=lock)
    stored = None if found is None else encoded(found)
    if found is not None and typed is not None:
        secret = typed(found, secret)
    return Guarded(outcome=check_secret(verifier, stored, secret), found=found)


def record_attempt(repos: LoginRepositories, attempt: LoginAttempt, *, key: str) -> None:
    """Keep ``attempt``; a success also clears ``key``'s lockout (its failure was counted)."""
    repos.attempts.record(attempt)
    if attempt.outcome is AttemptOutcome.SUCCESS:
        repos.lockouts.clear(key)
    _logged(attempt)


def _logged(attempt: LoginAttempt) -> None:
    """Log ``attempt`` at INFO; the instant is formatted only if the record is kept."""
    if _log.isEnabledFor(logging.INFO):
        # %r escapes control characters, so a username cannot forge log lines (ASVS 16.4.1).
        _log.info(
            "%s attempt %s for %r at %s",
            attempt.flow,
            attempt.outcome.value,
            attempt.username,
            attempt.at.isoformat(),
        )


class SuccessSettling:
    """A successful attempt's settling, made before the hasher runs (:func:`settle_success`).

    Calling it with a unit of work hands the store the attempt's insert and
    the key's delete (``send_many``).  What runs after argon2id runs with the
    processor's caches emptied (docs/performance.md), so a login builds this
    while they are warm and, after a match, only sends it.
    """

    __slots__ = ("_writes", "attempt")

    def __init__(self, attempt: LoginAttempt, *, key: str) -> None:
        self.attempt = attempt
        self._writes = success_writes(attempt, key)

    def __call__(self, uow: UnitOfWork) -> None:
        uow.send_many(self._writes)


def settle_success(context: Context, settling: SuccessSettling) -> None:
    """Record a successful attempt and clear its key, not waited for (LOG-02).

    A provisional unit of work hands the store the attempt's insert and the
    key's delete (``send_many``): they commit together (on PostgreSQL just
    after: this thread's next unit of work sees them, others a moment
    later; on SQLite at once, under ``synchronous=NORMAL``); durable with
    the next waited-for commit (every failure's and lock's is).  A power
    loss before then can only lose the last successes' settling, so their
    counts in advance stand as failures (the safe direction); never a
    failure (docs/security.md).
    """
    context.write(settling, actor=SYSTEM_ACTOR, provisional=True)
    _logged(settling.attempt)
