"""Logging in and changing a password, behind the lockout (LOG-01, LOG-02, CRW-12).

One attempt, in order: malformed input gets the generic answer, is recorded
and is not counted; the lockout counts the attempt in advance and refuses
while locked (never reaching the hasher); the password is verified outside
any transaction, with one hasher call whether or not the account exists; a
success clears the count and, if the stored hash is outdated, stores a new
one by compare-and-set (so it never overwrites a password reset meanwhile).

A generated candidate username (CRW-12) that names no account is looked up
in the letters' credentials, through the port
(:class:`~cambridge_results.logins.candidates.CandidateCredentials`):
the same lockout, the same answer, the same single hasher call, and on
success the signed-in :class:`~cambridge_results.principals.CandidateUser`.
"""

from __future__ import annotations

import functools

import attrs
import pendulum

from cambridge_results.decisions import Decision
from cambridge_results.logins import mail
from cambridge_results.logins.base import LoginsBase
from cambridge_results.logins.candidates import CandidateCredential
from cambridge_results.logins.guard import (
    SYSTEM_ACTOR,
    SuccessSettling,
    check_secret,
    record_attempt,
    reserve,
    settle_success,
)
from cambridge_results.logins.records import (
    AccountRecord,
    AttemptOutcome,
    LoginAttempt,
    LoginResult,
)
from cambridge_results.logins.repositories import LoginRepositories
from cambridge_results.logins.requests import LoginRequest, PasswordChange
from cambridge_results.rules.logins.login import (
    CANDIDATE_USERNAME,
    check_login_input,
    incorrect_login_details,
    letter_password,
    normalise_username,
    well_formed_username,
)
from cambridge_results.rules.logins.passwords import check_chosen_password
from cambridge_results.storage.port import UnitOfWork

__all__ = ["Found", "LoginFlows", "as_typed", "find_login"]

_ALLOWED = Decision.allow()

#: What a username can name: an account, or a letter's credential (CRW-14).
Found = AccountRecord | CandidateCredential


def find_login(repos: LoginRepositories, key: str) -> Found | None:
    """The letter's credential or the account the normalised ``key`` names, else None.

    ``key`` is :func:`~cambridge_results.rules.logins.login.normalise_username`'s
    answer, so a candidate username in it is in canonical form already.

    A generated candidate username (CRW-12) is looked up in the letters'
    credentials first, then in the accounts; any other username only in the
    accounts.  On results day almost every login is a candidate's, so this
    is one read, not two.  Usernames are unique across the board (CRW-12),
    so the order decides nothing unless an account was given a candidate's
    username: then the candidate's letter wins.
    """
    if CANDIDATE_USERNAME.fullmatch(key) is not None:  # a normalised key is canonical
        credential = repos.candidates.find(key)
        if credential is not None:
            return credential
    return repos.accounts.find(key)


def as_typed(found: Found, password: str) -> str:
    """The password to verify against ``found``: a letter's as typed (CRW-12), else exact.

    The one place a typed password is normalised: a candidate whose letter's
    password is still in use may type it in any case, grouped or not
    (:func:`~cambridge_results.rules.logins.login.letter_password`); a
    password a candidate or user chose compares exactly (LOG-01).
    """
    if isinstance(found, CandidateCredential) and found.letter_password_in_use:
        return letter_password(password)
    return password


def _replace_hash(
    repos: LoginRepositories,
    found: Found,
    new_hash: str,
    *,
    chosen_at: pendulum.DateTime | None = None,
) -> bool:
    """Compare-and-set ``found``'s hash; ``chosen_at`` marks a candidate's own password."""
    if isinstance(found, CandidateCredential):
        return repos.candidates.replace_hash(found, new_hash, chosen_at=chosen_at)
    return repos.accounts.replace_hash(found.account_id, found.password_hash, new_hash)


class LoginFlows(LoginsBase):
    """:meth:`log_in` and :meth:`change_password` of :class:`~cambridge_results.logins.Logins`."""

    def log_in(self, request: LoginRequest) -> LoginResult:
        """Try the request's username and password now (LOG-01, LOG-02).

        What a success answers and records is made before the hasher runs:
        argon2id streams its memory through the processor's caches, so
        whatever runs after it runs cold (docs/performance.md).  After it, a
        success without a hash to upgrade only sends its settling.
        """
        checked = self._reserve(request.username, request.password, flow="login")
        if isinstance(checked, LoginResult):
            return checked
        key, now, lock, found = checked
        if not lock.allowed:
            locked = LoginAttempt(at=now, username=key, outcome=AttemptOutcome.LOCKED)
            return self._refused(key, locked, lock)
        if found is None:
            outcome = check_secret(self._verifier, None, request.password)
            return self._refused(key, LoginAttempt(at=now, username=key, outcome=outcome), lock)
        typed = as_typed(found, request.password)
        success, settling = self._success(key, now, found)
        if not self._verifier.verify(found.password_hash, typed):
            failed = LoginAttempt(at=now, username=key, outcome=AttemptOutcome.WRONG_PASSWORD)
            return self._refused(key, failed, lock)
        if settling is not None:
            settle_success(self._context, settling)
            return success
        upgraded = self._verifier.hasher.hash(typed)

        def finish(uow: UnitOfWork) -> bool:
            repos = LoginRepositories(uow, self._candidates)
            record_attempt(repos, success.attempt, key=key)
            return _replace_hash(repos, found, upgraded)

        stored = self._context.write(finish, actor=SYSTEM_ACTOR)
        return attrs.evolve(success, upgraded_hash=upgraded, hash_upgraded=stored)

    def _success(
        self, key: str, now: pendulum.DateTime, found: Found
    ) -> tuple[LoginResult, SuccessSettling | None]:
        """The answer if the password matches, and its settling (None: the hash is upgraded)."""
        attempt = LoginAttempt(at=now, username=key, outcome=AttemptOutcome.SUCCESS)
        if isinstance(found, CandidateCredential):
            result = LoginResult(
                decision=_ALLOWED,
                attempt=attempt,
                candidate=found.principal,
                must_change_password=found.must_change_password(self._context.policy.credentials),
            )
        else:
            result = LoginResult(decision=_ALLOWED, attempt=attempt, account=found)
        if self._verifier.needs_rehash(found.password_hash):
            return result, None
        return result, SuccessSettling(attempt, key=key)

    def change_password(self, request: PasswordChange) -> Decision:
        """Replace a password, proved by the current one under the lockout.

        The current password is checked exactly as a login is (LOG-01,
        LOG-02: a wrong one counts towards the lock); the new one must pass
        the rules for chosen passwords (refused with every reason at once).
        On success every live reset link of the account is voided and its
        owner is told by email (ASVS 6.3.6).  A candidate changing their
        letter's password (CRW-12's first-login change) changes the letter's
        credential itself; it has no email address, so nothing is sent.
        """
        checked = self._reserve(request.username, request.current_password, flow="password-change")
        if isinstance(checked, LoginResult):
            return checked.decision
        key, now, lock, account = checked
        outcome = (
            self._check_secret(account, request.current_password)
            if lock.allowed
            else AttemptOutcome.LOCKED
        )
        attempt = LoginAttempt(at=now, username=key, outcome=outcome, flow="password-change")
        if outcome is not AttemptOutcome.SUCCESS or account is None:
            return self._refused(key, attempt, lock).decision
        chosen = check_chosen_password(
            request.new_password,
            self._context.policy.login,
            rule="LOG-05",
            context_words=_context_words(account),
            denylist=self._denylist,
        )
        new_hash = self._verifier.hasher.hash(request.new_password) if chosen.allowed else None

        def finish(uow: UnitOfWork) -> bool:
            repos = LoginRepositories(uow, self._candidates)
            record_attempt(repos, attempt, key=key)
            if new_hash is None:
                return False
            changed = _replace_hash(repos, account, new_hash, chosen_at=now)
            if changed and isinstance(account, AccountRecord):
                repos.reset_tokens.void_account(account.account_id, now)
            return changed

        if not self._context.write(finish, actor=SYSTEM_ACTOR):
            # Refused, or the password changed meanwhile: the current one no longer holds.
            return chosen if not chosen.allowed else incorrect_login_details()
        if isinstance(account, AccountRecord):
            mail.send(self._outbox, account, mail.changed_email(account, site=self._site, now=now))
        return Decision.allow()

    def _reserve(
        self, username: str, password: str, *, flow: str
    ) -> LoginResult | tuple[str, pendulum.DateTime, Decision, Found | None]:
        """A malformed request's answer (recorded), or the key, the instant, the lock, the find."""
        now = self._context.now()
        well_formed = check_login_input(username, password, self._context.policy.login)
        if not well_formed.allowed:
            # A malformed username is not recorded: it may be huge or unprintable.
            named = normalise_username(username) if well_formed_username(username) else None
            attempt = LoginAttempt(
                at=now, username=named, outcome=AttemptOutcome.MALFORMED, flow=flow
            )
            self._context.write(
                lambda uow: record_attempt(LoginRepositories(uow), attempt, key=""),
                actor=SYSTEM_ACTOR,
            )
            return LoginResult(decision=well_formed, attempt=attempt)
        key = normalise_username(username)
        reserved: tuple[Decision, Found | None] = reserve(
            self._context,
            key=key,
            lookup=functools.partial(find_login, key=key),
            now=now,
            candidates=self._candidates,
        )
        return key, now, *reserved

    def _check_secret(self, found: Found | None, password: str) -> AttemptOutcome:
        """One hasher verification of ``password`` as typed against ``found``'s hash (or none)."""
        if found is None:
            return check_secret(self._verifier, None, password)
        return check_secret(self._verifier, found.password_hash, as_typed(found, password))

    def _refused(self, key: str, attempt: LoginAttempt, lock: Decision) -> LoginResult:
        self._context.write(
            lambda uow: record_attempt(LoginRepositories(uow), attempt, key=key),
            actor=SYSTEM_ACTOR,
        )
        decision = lock if attempt.outcome is AttemptOutcome.LOCKED else incorrect_login_details()
        return LoginResult(decision=decision, attempt=attempt)


def _context_words(found: Found) -> list[str]:
    """Words a new password must not be built from: the username and the email's name."""
    email = found.email if isinstance(found, AccountRecord) else None
    return [found.username, *(email or "").split("@")[:1]]
