"""The login flow over injected ports (LOG-01, LOG-02).

One attempt, in order: malformed input gets the generic answer and is not
counted; the lockout counts the attempt in advance and refuses while locked
(never reaching the hasher); the account is looked up by normalised
username; the password is verified exactly, in constant time, with one
hasher call whether or not the account exists; a success resets the count
and, if the stored hash is outdated, returns a new hash to store.  Every
attempt yields a :class:`~cambridge_results.logins.ports.LoginAttempt`.
"""

from __future__ import annotations

import logging
from typing import Any

import attrs

from cambridge_results.clock import Clock
from cambridge_results.decisions import Decision
from cambridge_results.hashing import PasswordHasher
from cambridge_results.logins.ports import (
    AccountLookup,
    AccountRecord,
    AttemptLog,
    AttemptOutcome,
    LockoutCounter,
    LoginAttempt,
    PasswordHashUpgrades,
)
from cambridge_results.logins.verifier import Verifier
from cambridge_results.policy import LoginPolicy
from cambridge_results.rules.logins.login import (
    check_login_input,
    incorrect_login_details,
    normalise_username,
    well_formed_username,
)
from cambridge_results.serialization import converter

__all__ = ["LoginResult", "LoginService"]

_log = logging.getLogger("cambridge_results.logins")


@attrs.frozen(kw_only=True)
class LoginResult:
    """The answer to one attempt.

    ``decision`` is what the user may be told (the generic "Incorrect Login
    Details", or the lock); ``account`` is set only on success;
    ``upgraded_hash``, when set, is a hash from the current hasher that the
    caller stores in place of the outdated one (CRW-12); a service built
    with ``passwords`` has already stored it (``hash_upgraded`` says whether
    the compare-and-set held).

    ``attempt`` is the audit record (it tells an unknown username from a
    wrong password) for an :class:`AttemptLog`; ``repr`` and the library's
    serializer leave it out, so a result an app logs or stores as it is
    cannot be used to find out which usernames exist.
    """

    decision: Decision
    attempt: LoginAttempt = attrs.field(repr=False)
    account: AccountRecord | None = None
    upgraded_hash: str | None = attrs.field(default=None, repr=False)
    hash_upgraded: bool = False

    @property
    def ok(self) -> bool:
        """True when the login succeeded."""
        return self.decision.allowed


def _unstructure_result(result: LoginResult) -> dict[str, Any]:
    # What repr shows, as data: no attempt outcome, no hash (the account's nor the upgrade).
    account = result.account
    return {
        "decision": converter.unstructure(result.decision),
        "account": None
        if account is None
        else {
            "account_id": account.account_id,
            "username": account.username,
            "email": account.email,
        },
        "hash_upgraded": result.hash_upgraded,
    }


converter.register_unstructure_hook(LoginResult, _unstructure_result)


class LoginService:
    """Logs people in over an :class:`AccountLookup` and a :class:`LockoutCounter`.

    ``hasher`` is the current hasher (:func:`cambridge_results.hashing.hasher_for`);
    ``legacy_hashers`` verify hashes written by earlier ones until they are
    upgraded.  ``attempts``, if given, keeps every attempt record.
    ``passwords``, if given, receives upgraded hashes at once, by
    compare-and-set, so an upgrade never overwrites a password that was reset
    while the login ran.
    """

    def __init__(
        self,
        *,
        accounts: AccountLookup,
        lockout: LockoutCounter,
        hasher: PasswordHasher,
        policy: LoginPolicy,
        clock: Clock,
        attempts: AttemptLog | None = None,
        legacy_hashers: tuple[PasswordHasher, ...] = (),
        passwords: PasswordHashUpgrades | None = None,
    ) -> None:
        self._accounts = accounts
        self._passwords = passwords
        self._lockout = lockout
        self._policy = policy
        self._clock = clock
        self._attempts = attempts
        self._verifier = Verifier(hasher, legacy_hashers)

    def log_in(self, username: object, password: object) -> LoginResult:
        """Try ``username`` and ``password`` now (LOG-01, LOG-02)."""
        now = self._clock.now()
        well_formed = check_login_input(username, password, self._policy)
        if not well_formed.allowed or not isinstance(username, str):
            # A malformed username is not recorded: it may be huge or unprintable.
            named = normalise_username(username) if well_formed_username(username) else None
            return self._finish(
                well_formed, LoginAttempt(at=now, username=named, outcome=AttemptOutcome.MALFORMED)
            )
        assert isinstance(password, str)  # check_login_input allowed it, so it is text
        key = normalise_username(username)
        found: list[AccountRecord | None] = []

        def lookup() -> str | None:
            account = self._accounts.find_account(key)
            found.append(account)
            return None if account is None else account.password_hash

        guarded = self._verifier.guarded(
            key=key,
            secret=password,
            lookup=lookup,
            lockout=self._lockout,
            policy=self._policy,
            now=now,
        )
        attempt = LoginAttempt(at=now, username=key, outcome=guarded.outcome)
        if guarded.outcome is AttemptOutcome.LOCKED:
            return self._finish(guarded.lock, attempt)
        if guarded.outcome is not AttemptOutcome.SUCCESS:
            return self._finish(incorrect_login_details(), attempt)
        account = found[0]
        assert account is not None  # a success means the lookup found the account
        upgraded = (
            self._verifier.hasher.hash(password)
            if self._verifier.needs_rehash(account.password_hash)
            else None
        )
        stored = (
            upgraded is not None
            and self._passwords is not None
            and self._passwords.replace_password_hash(
                account.account_id, account.password_hash, upgraded
            )
        )
        return self._finish(
            Decision.allow(),
            attempt,
            account=account,
            upgraded_hash=upgraded,
            hash_upgraded=stored,
        )

    def _finish(
        self,
        decision: Decision,
        attempt: LoginAttempt,
        *,
        account: AccountRecord | None = None,
        upgraded_hash: str | None = None,
        hash_upgraded: bool = False,
    ) -> LoginResult:
        if self._attempts is not None:
            self._attempts.record(attempt)
        # %r escapes control characters, so a username cannot forge log lines (ASVS 16.4.1).
        _log.info(
            "login attempt %s for %r at %s",
            attempt.outcome.value,
            attempt.username,
            attempt.at.isoformat(),
        )
        return LoginResult(
            decision=decision,
            attempt=attempt,
            account=account,
            upgraded_hash=upgraded_hash,
            hash_upgraded=hash_upgraded,
        )

    def __repr__(self) -> str:
        return f"LoginService({self._verifier!r})"
