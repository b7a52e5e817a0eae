"""One identity, one password, several of the board's sites (LOG-04).

Registering an email address that already has an identity on another site
works only with that identity's password; a different one fails with
"Incorrect Login Details" and counts as a failed login for that email
(LOG-02), so registration is no way round the lockout.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Container
from typing import Protocol, runtime_checkable

import attrs

from cambridge_results.clock import Clock
from cambridge_results.decisions import Decision
from cambridge_results.errors import InvalidValue
from cambridge_results.hashing import PasswordHasher
from cambridge_results.logins.ports import (
    AttemptLog,
    AttemptOutcome,
    LockoutCounter,
    LoginAttempt,
)
from cambridge_results.logins.verifier import Verifier
from cambridge_results.policy import LoginPolicy
from cambridge_results.rules.logins.login import (
    IdentityAction,
    check_login_input,
    incorrect_login_details,
    plan_identity_registration,
)
from cambridge_results.rules.logins.passwords import check_chosen_password
from cambridge_results.values import normalise_email, validate_email

__all__ = [
    "IdentityLookup",
    "IdentityRecord",
    "IdentityRegistration",
    "IdentityResult",
    "apply_identity_result",
]

_log = logging.getLogger("cambridge_results.logins")
_SITE = re.compile(r"[a-z0-9][a-z0-9-]{0,31}", re.ASCII)


@attrs.frozen(kw_only=True)
class IdentityRecord:
    """An identity: a normalised email, its one password hash, the sites it is registered on."""

    email: str
    password_hash: str = attrs.field(repr=False)
    sites: frozenset[str] = frozenset()


@runtime_checkable
class IdentityLookup(Protocol):
    """Finds identities by normalised email (LOG-04)."""

    def find_identity(self, email: str) -> IdentityRecord | None:
        """The identity with this normalised email, or ``None``."""
        ...


@attrs.frozen(kw_only=True)
class IdentityResult:
    """What registering did: refused, or an action for the caller to store.

    For :attr:`IdentityAction.CREATE`, ``password_hash`` is the new
    identity's hash; for the other actions the identity keeps its hash.
    """

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
    identity went away (an ADD_SITE without one): ask the user to register
    again.  A refused result stores nothing: :class:`InvalidValue`.
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


class IdentityRegistration:
    """Registers identities on sites over an :class:`IdentityLookup` and a lockout (LOG-04)."""

    def __init__(
        self,
        *,
        identities: IdentityLookup,
        lockout: LockoutCounter,
        hasher: PasswordHasher,
        policy: LoginPolicy,
        clock: Clock,
        attempts: AttemptLog | None = None,
        denylist: Container[str] = frozenset(),
    ) -> None:
        self._identities = identities
        self._lockout = lockout
        self._policy = policy
        self._clock = clock
        self._attempts = attempts
        self._denylist = denylist
        self._verifier = Verifier(hasher)

    def register(self, email: object, password: object, site: str) -> IdentityResult:
        """Register ``email`` on ``site`` with ``password`` (LOG-04)."""
        if not isinstance(site, str) or _SITE.fullmatch(site) is None:
            raise InvalidValue("site", "must be a site name like 'results-online'", rule="LOG-04")
        now = self._clock.now()
        try:
            address = validate_email(email, "email", rule="LOG-04")
        except InvalidValue:
            return IdentityResult(
                decision=Decision.refuse(
                    "LOG-04.email-invalid", "enter an email address like name@example.org"
                )
            )
        key = normalise_email(address)
        existing = self._identities.find_identity(key)
        if existing is None:
            chosen = check_chosen_password(
                password,
                self._policy,
                rule="LOG-04",
                context_words=(key.split("@", 1)[0], site),
                denylist=self._denylist,
            )
            if not chosen.allowed:
                return IdentityResult(decision=chosen, email=key)
            assert isinstance(password, str)  # check_chosen_password allowed it
            plan = plan_identity_registration(
                site=site, registered_sites=None, password_matches=None
            )
            return IdentityResult(
                decision=plan.decision,
                action=plan.action,
                email=key,
                password_hash=self._verifier.hasher.hash(password),
            )
        if not check_login_input(key, password, self._policy).allowed:
            return IdentityResult(
                decision=incorrect_login_details("LOG-01.malformed-input"), email=key
            )
        assert isinstance(password, str)  # check_login_input allowed it
        guarded = self._verifier.guarded(
            key=key,
            secret=password,
            lookup=lambda: existing.password_hash,
            lockout=self._lockout,
            policy=self._policy,
            now=now,
        )
        attempt = LoginAttempt(
            at=now, username=key, outcome=guarded.outcome, flow="identity-registration"
        )
        if self._attempts is not None:
            self._attempts.record(attempt)
        _log.info("identity registration on %s for %r: %s", site, key, guarded.outcome.value)
        if guarded.outcome is AttemptOutcome.LOCKED:
            return IdentityResult(decision=guarded.lock, email=key, attempt=attempt)
        plan = plan_identity_registration(
            site=site,
            registered_sites=existing.sites,
            password_matches=guarded.outcome is AttemptOutcome.SUCCESS,
        )
        return IdentityResult(
            decision=plan.decision, action=plan.action, email=key, attempt=attempt
        )
