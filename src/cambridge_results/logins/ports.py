"""The small ports the login flows run over; storage implements them later (LOG-01..LOG-06).

Each port is a :class:`typing.Protocol` with few, small operations.  The
operations marked *atomic* must behave as one indivisible step even when
several threads or processes call them at once: that is what keeps the
lockout honest (LOG-02: of any number of simultaneous wrong attempts at most
3 reach the hasher) and reset tokens single-use (LOG-05).
:mod:`cambridge_results.logins.memory` implements every port in memory,
:mod:`cambridge_results.logins.stored` over any storage backend;
:mod:`cambridge_results.testing.conformance_logins` holds the tests any
implementation must pass.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

import attrs
import pendulum

from cambridge_results.decisions import Decision
from cambridge_results.errors import InvalidValue
from cambridge_results.policy import LoginPolicy
from cambridge_results.rules.logins.lockout import LockoutState
from cambridge_results.rules.logins.reset import ResetTokenRecord

__all__ = [
    "AccountLookup",
    "AccountRecord",
    "AccountsById",
    "AttemptLog",
    "AttemptOutcome",
    "LockoutCounter",
    "LoginAttempt",
    "PasswordHashUpgrades",
    "PasswordStore",
    "ResetTokenStore",
]


def _text(field: str, limit: int) -> Callable[[Any, Any, str], None]:
    def check(_: object, __: object, value: str) -> None:
        if not isinstance(value, str) or not value or len(value) > limit:
            raise InvalidValue(field, f"must be text of 1 to {limit} characters")

    return check


@attrs.frozen(kw_only=True)
class AccountRecord:
    """What a login needs of an account.  The hash never shows in ``repr``.

    ``username`` is in normalised form (LOG-01); ``email`` is where reset
    links and change notices go (LOG-05), if the account has one.
    """

    account_id: str = attrs.field(validator=_text("account.account_id", 200))
    username: str = attrs.field(validator=_text("account.username", 254))
    password_hash: str = attrs.field(repr=False, validator=_text("account.password_hash", 1000))
    email: str | None = None


class AttemptOutcome(enum.Enum):
    """How one login attempt ended (LOG-01, LOG-02); users only see the generic answer."""

    SUCCESS = "success"
    WRONG_PASSWORD = "wrong-password"  # noqa: S105  # an outcome's name, not a password
    UNKNOWN_USERNAME = "unknown-username"
    LOCKED = "locked"
    MALFORMED = "malformed"

    @property
    def is_failure(self) -> bool:
        """True for the outcomes that count towards the lockout (LOG-02)."""
        return self in {AttemptOutcome.WRONG_PASSWORD, AttemptOutcome.UNKNOWN_USERNAME}


def _aware(_: object, __: object, value: pendulum.DateTime) -> None:
    if not isinstance(value, pendulum.DateTime) or value.tzinfo is None:
        raise InvalidValue("attempt.at", "must be a timezone-aware instant")


def _utc(value: pendulum.DateTime) -> pendulum.DateTime:
    if isinstance(value, pendulum.DateTime) and value.tzinfo is not None:
        return value.in_timezone("UTC")
    return value


@attrs.frozen(kw_only=True)
class LoginAttempt:
    """The record of one login attempt: when (UTC), who was named, how it ended.

    Never a password.  ``username`` is the normalised submitted username, or
    ``None`` when the username itself was malformed (so nothing unreadable
    or enormous is stored).  ``flow`` says which door was knocked on:
    ``"login"``, ``"identity-registration"`` or ``"candidate-registration"``.
    """

    at: pendulum.DateTime = attrs.field(converter=_utc, validator=_aware)
    username: str | None
    outcome: AttemptOutcome
    flow: str = "login"


@runtime_checkable
class AccountLookup(Protocol):
    """Finds accounts by normalised username (LOG-01)."""

    def find_account(self, username: str) -> AccountRecord | None:
        """The account whose normalised username is ``username``, or ``None``."""
        ...


@runtime_checkable
class AccountsById(Protocol):
    """Finds accounts by their id (a reset token names its account by id)."""

    def get_account(self, account_id: str) -> AccountRecord | None:
        """The account with this id, or ``None``."""
        ...


@runtime_checkable
class PasswordStore(Protocol):
    """Replaces an account's password hash (after a reset or a rehash at login)."""

    def set_password_hash(self, account_id: str, password_hash: str) -> None:
        """Store ``password_hash`` as the account's only password hash."""
        ...


@runtime_checkable
class PasswordHashUpgrades(Protocol):
    """Replaces an outdated password hash after a successful login, unless it changed meanwhile."""

    def replace_password_hash(self, account_id: str, old_hash: str, new_hash: str) -> bool:
        """Atomic compare-and-set: store ``new_hash`` only if the hash is still ``old_hash``.

        False when the account is gone or its hash changed since the login read
        it (e.g. a password reset completed at the same moment): the upgrade,
        made from the *old* password, must then not overwrite the new one.
        """
        ...


@runtime_checkable
class LockoutCounter(Protocol):
    """Keeps one :class:`LockoutState` per login key (LOG-02)."""

    def record_failure(self, key: str, now: pendulum.DateTime, policy: LoginPolicy) -> Decision:
        """Atomic: refuse if ``key`` is locked at ``now`` (nothing changes), else count a failure.

        The flows call this *before* verifying a password, so a failure is
        counted in advance and no increment can be lost between checking
        and counting; :meth:`record_success` then undoes it.  In one step:
        ``state = get(key)``; ``decision = rules.lockout.check(state, now)``;
        if allowed, ``put(key, rules.lockout.after_failure(state, now, policy))``.
        """
        ...

    def record_success(self, key: str) -> None:
        """Reset ``key`` (``rules.lockout.after_success``)."""
        ...

    def state(self, key: str) -> LockoutState:
        """The current state of ``key`` (a fresh state if never seen)."""
        ...


@runtime_checkable
class AttemptLog(Protocol):
    """Keeps the record of every login attempt (SPEC section 5, ASVS 16.3.1)."""

    def record(self, attempt: LoginAttempt) -> None:
        """Keep ``attempt``."""
        ...


@runtime_checkable
class ResetTokenStore(Protocol):
    """Keeps reset-token records by digest, never the tokens (LOG-05)."""

    def issue(self, record: ResetTokenRecord, now: pendulum.DateTime) -> None:
        """Atomic: void every live token of the record's account at ``now``, then keep it."""
        ...

    def find(self, digest: str) -> ResetTokenRecord | None:
        """The record with this digest, or ``None``."""
        ...

    def redeem(self, digest: str, now: pendulum.DateTime) -> Decision:
        """Atomic: if ``rules.reset.token_usable`` allows it, mark it used and void the rest.

        Of two simultaneous redemptions of one token, exactly one is allowed.
        """
        ...

    def void_account(self, account_id: str, now: pendulum.DateTime) -> None:
        """Void every live token of the account (its password changed some other way)."""
        ...
