"""What the login use cases keep and answer: accounts, attempts, identities, letters, results.

Plain frozen values.  None holds a password, a Secret Number or a reset
token: accounts, identities and letters hold slow salted hashes, and every
hash is left out of ``repr`` (docs/security.md).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

import attrs
import pendulum

from cambridge_results.decisions import Decision
from cambridge_results.errors import InvalidValue
from cambridge_results.principals import CandidateUser
from cambridge_results.rules.logins.login import IdentityAction
from cambridge_results.serialization import converter

__all__ = [
    "AccountRecord",
    "AttemptOutcome",
    "CandidateRegistrationResult",
    "IdentityRecord",
    "IdentityResult",
    "LetterRecord",
    "LoginAttempt",
    "LoginResult",
    "apply_identity_result",
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
    links and change notices go (LOG-05), if the account has one;
    ``candidate_id`` is the letter ID a candidate registered with (LOG-06).
    """

    account_id: str = attrs.field(validator=_text("account.account_id", 200))
    username: str = attrs.field(validator=_text("account.username", 254))
    password_hash: str = attrs.field(repr=False, validator=_text("account.password_hash", 1000))
    email: str | None = None
    candidate_id: str | None = None


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
    # An instant already in UTC (every clock's) is kept as it is.
    tz = value.tzinfo if isinstance(value, pendulum.DateTime) else None
    return value if tz is None or tz is pendulum.UTC else value.in_timezone("UTC")


@attrs.frozen(kw_only=True)
class LoginAttempt:
    """The record of one login attempt: when (UTC), who was named, how it ended.

    Never a password.  ``username`` is the normalised submitted username, or
    ``None`` when the username itself was malformed (so nothing unreadable
    or enormous is stored).  ``flow`` says which door was knocked on:
    ``"login"``, ``"password-change"``, ``"identity-registration"`` or
    ``"candidate-registration"``.
    """

    at: pendulum.DateTime = attrs.field(converter=_utc, validator=_aware)
    username: str | None
    outcome: AttemptOutcome
    flow: str = "login"


@attrs.frozen(kw_only=True)
class LoginResult:
    """The answer to one attempt.

    ``decision`` is what the user may be told (the generic "Incorrect Login
    Details", or the lock); on success ``account`` is the account, or
    ``candidate`` the signed-in candidate when the username was a letter's
    (CRW-14), with ``must_change_password`` set when the policy forces a
    first-login change (CRW-12);
    ``upgraded_hash`` is the hash from the current hasher that replaced an
    outdated one (CRW-12), and ``hash_upgraded`` says whether the
    compare-and-set that stored it held.

    ``attempt`` is the audit record (it tells an unknown username from a
    wrong password); ``repr`` and the library's serializer leave it out, so a
    result an app logs or stores as it is cannot be used to find out which
    usernames exist (issue 14).
    """

    decision: Decision
    attempt: LoginAttempt = attrs.field(repr=False)
    account: AccountRecord | None = None
    candidate: CandidateUser | None = None
    must_change_password: bool = False
    upgraded_hash: str | None = attrs.field(default=None, repr=False)
    hash_upgraded: bool = False

    @property
    def ok(self) -> bool:
        """True when the login succeeded."""
        return self.decision.allowed


@attrs.frozen(kw_only=True)
class IdentityRecord:
    """An identity: a normalised email, its one password hash, the sites it is registered on."""

    email: str
    password_hash: str = attrs.field(repr=False)
    sites: frozenset[str] = frozenset()


@attrs.frozen(kw_only=True)
class IdentityResult:
    """What registering an identity on a site did (LOG-04): refused, or the action stored."""

    decision: Decision
    action: IdentityAction | None = None
    email: str | None = None
    password_hash: str | None = attrs.field(default=None, repr=False)
    attempt: LoginAttempt | None = None


def apply_identity_result(
    existing: IdentityRecord | None, result: IdentityResult, site: str
) -> IdentityRecord | None:
    """The identity to keep after an allowed registration, or ``None`` if it no longer applies.

    ``existing`` is what storage holds now.  ``None`` means another
    registration got there first (a CREATE when the email now exists) or the
    identity went away (an ADD_SITE without one).  A refused result stores
    nothing: :class:`InvalidValue`.
    """
    if not result.decision.allowed or result.action is None or result.email is None:
        raise InvalidValue("result", "a refused registration has nothing to store", rule="LOG-04")
    if result.action is IdentityAction.CREATE:
        if existing is not None or result.password_hash is None:
            return None
        return IdentityRecord(
            email=result.email, password_hash=result.password_hash, sites=frozenset({site})
        )
    if existing is None:
        return None
    return attrs.evolve(existing, sites=existing.sites | {site})


@attrs.frozen(kw_only=True)
class LetterRecord:
    """What is kept about a letter: the ID, the Secret Number's hash, whether it was used."""

    candidate_id: str
    secret_hash: str = attrs.field(repr=False)
    registered: bool = False


@attrs.frozen(kw_only=True)
class CandidateRegistrationResult:
    """Refused with reasons, or allowed with the account that was created (LOG-06)."""

    decision: Decision
    candidate_id: str | None = None
    account: AccountRecord | None = None
    attempt: LoginAttempt | None = None


def _unstructure_result(result: LoginResult) -> dict[str, Any]:
    # What repr shows, as data: no attempt outcome, no hash (the account's nor the upgrade).
    account = result.account
    candidate = result.candidate
    return {
        "decision": converter.unstructure(result.decision),
        "account": None
        if account is None
        else {
            "account_id": account.account_id,
            "username": account.username,
            "email": account.email,
            "candidate_id": account.candidate_id,
        },
        "candidate": None
        if candidate is None
        else {
            "centre": str(candidate.centre),
            "number": str(candidate.number),
            "series": None if candidate.series is None else candidate.series.code,
        },
        "must_change_password": result.must_change_password,
        "hash_upgraded": result.hash_upgraded,
    }


converter.register_unstructure_hook(LoginResult, _unstructure_result)
