"""Logging in and changing a password, behind the lockout (LOG-01, LOG-02, CRW-12).

One attempt, in order: malformed input gets the generic answer, is recorded
and is not counted; the lockout counts the attempt in advance and refuses
while locked (never reaching the hasher); the password is verified outside
any transaction, with one hasher call whether or not the account exists; a
success clears the count and, if the stored hash is outdated, stores a new
one by compare-and-set (so it never overwrites a password reset meanwhile).
"""

from __future__ import annotations

import pendulum

from cambridge_results.decisions import Decision
from cambridge_results.logins import mail
from cambridge_results.logins.base import LoginsBase
from cambridge_results.logins.guard import (
    SYSTEM_ACTOR,
    Guarded,
    guarded_check,
    record_attempt,
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
    check_login_input,
    incorrect_login_details,
    normalise_username,
    well_formed_username,
)
from cambridge_results.rules.logins.passwords import check_chosen_password
from cambridge_results.storage.port import UnitOfWork

__all__ = ["LoginFlows"]


class LoginFlows(LoginsBase):
    """:meth:`log_in` and :meth:`change_password` of :class:`~cambridge_results.logins.Logins`."""

    def log_in(self, request: LoginRequest) -> LoginResult:
        """Try the request's username and password now (LOG-01, LOG-02)."""
        checked = self._check(request.username, request.password, flow="login")
        if isinstance(checked, LoginResult):
            return checked
        key, now, guarded = checked
        account = guarded.found
        attempt = LoginAttempt(at=now, username=key, outcome=guarded.outcome)
        if guarded.outcome is not AttemptOutcome.SUCCESS or account is None:
            return self._refused(key, attempt, guarded)
        upgraded = (
            self._verifier.hasher.hash(request.password)
            if self._verifier.needs_rehash(account.password_hash)
            else None
        )

        def finish(uow: UnitOfWork) -> bool:
            repos = LoginRepositories(uow)
            record_attempt(repos, attempt, key=key)
            return upgraded is not None and repos.accounts.replace_hash(
                account.account_id, account.password_hash, upgraded
            )

        stored = self._context.write(finish, actor=SYSTEM_ACTOR)
        return LoginResult(
            decision=Decision.allow(),
            attempt=attempt,
            account=account,
            upgraded_hash=upgraded,
            hash_upgraded=stored,
        )

    def change_password(self, request: PasswordChange) -> Decision:
        """Replace a password, proved by the current one under the lockout.

        The current password is checked exactly as a login is (LOG-01,
        LOG-02: a wrong one counts towards the lock); the new one must pass
        the rules for chosen passwords (refused with every reason at once).
        On success every live reset link of the account is voided and its
        owner is told by email (ASVS 6.3.6).
        """
        checked = self._check(request.username, request.current_password, flow="password-change")
        if isinstance(checked, LoginResult):
            return checked.decision
        key, now, guarded = checked
        attempt = LoginAttempt(
            at=now, username=key, outcome=guarded.outcome, flow="password-change"
        )
        account = guarded.found
        if guarded.outcome is not AttemptOutcome.SUCCESS or account is None:
            return self._refused(key, attempt, guarded).decision
        chosen = check_chosen_password(
            request.new_password,
            self._context.policy.login,
            rule="LOG-05",
            context_words=[account.username, *(account.email or "").split("@")[:1]],
            denylist=self._denylist,
        )
        new_hash = self._verifier.hasher.hash(request.new_password) if chosen.allowed else None

        def finish(uow: UnitOfWork) -> bool:
            repos = LoginRepositories(uow)
            record_attempt(repos, attempt, key=key)
            if new_hash is None:
                return False
            changed = repos.accounts.replace_hash(
                account.account_id, account.password_hash, new_hash
            )
            if changed:
                repos.reset_tokens.void_account(account.account_id, now)
            return changed

        if not self._context.write(finish, actor=SYSTEM_ACTOR):
            # Refused, or the password changed meanwhile: the current one no longer holds.
            return chosen if not chosen.allowed else incorrect_login_details()
        mail.send(self._outbox, account, mail.changed_email(account, site=self._site, now=now))
        return Decision.allow()

    def _check(
        self, username: str, password: str, *, flow: str
    ) -> LoginResult | tuple[str, pendulum.DateTime, Guarded[AccountRecord]]:
        """A malformed request's answer (recorded), or the key, the instant and the check."""
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
        guarded = guarded_check(
            self._context,
            self._verifier,
            key=key,
            secret=password,
            lookup=lambda repos: repos.accounts.find(key),
            encoded=lambda account: account.password_hash,
            now=now,
        )
        return key, now, guarded

    def _refused(
        self, key: str, attempt: LoginAttempt, guarded: Guarded[AccountRecord]
    ) -> LoginResult:
        self._context.write(
            lambda uow: record_attempt(LoginRepositories(uow), attempt, key=key),
            actor=SYSTEM_ACTOR,
        )
        decision = (
            guarded.lock if attempt.outcome is AttemptOutcome.LOCKED else incorrect_login_details()
        )
        return LoginResult(decision=decision, attempt=attempt)
