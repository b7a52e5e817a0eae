"""``Logins``: every login use case over one store (LOG-01 to LOG-06).

One object holds the :class:`~cambridge_results.context.Context`, the
hasher (with any older ones still accepted) and the outbox, once::

    logins = Logins(context, outbox=SmtpOutbox(...), reset_link=lambda t: f"https://.../{t}")
    logins.log_in(LoginRequest(username="kim@example.org", password="..."))

Every write goes through ``context.write`` (``store.run``: retried from the
start when a concurrent writer wins); hashing and verifying run outside
every transaction; mail goes out after the write that decided it.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Sequence

from cambridge_results._arguments import checked_arguments
from cambridge_results.context import Context
from cambridge_results.errors import InvalidValue, PermissionDenied
from cambridge_results.hashing import PasswordHasher, hasher_for
from cambridge_results.logins.candidates import NO_CANDIDATE_CREDENTIALS, CandidateCredentials
from cambridge_results.logins.login import LoginFlows
from cambridge_results.logins.outbox import Outbox
from cambridge_results.logins.records import AccountRecord, LetterRecord, LoginAttempt
from cambridge_results.logins.registration import RegistrationFlows
from cambridge_results.logins.repositories import LoginRepositories
from cambridge_results.logins.resets import ResetFlows
from cambridge_results.logins.verifier import Verifier
from cambridge_results.principals import BoardStaff, Principal
from cambridge_results.rules.logins.lockout import LockoutState

__all__ = ["Logins"]


def _staff(principal: Principal) -> BoardStaff:
    if not isinstance(principal, BoardStaff):
        raise PermissionDenied(f"{principal} may not manage login accounts; board staff may")
    return principal


@checked_arguments
class Logins(LoginFlows, ResetFlows, RegistrationFlows):
    """Log in, change and reset passwords, register identities and candidates.

    ``outbox`` sends reset links and change notices.  The hasher is the
    policy's (``hasher_name`` picks another by name, ``hasher`` passes one
    in); ``legacy_hashers`` still verify hashes they wrote, which a
    successful login then replaces (CRW-12).  ``reset_link`` turns a reset
    token into the URL put in the email.  ``denylist`` holds common or
    breached passwords (lower case) refused as new ones (ASVS 6.2.4).
    ``candidate_credentials`` is the port letters' credentials are read
    through (CRW-14); ``open_board`` passes the website's, and without one
    no candidate username logs in.
    """

    def __init__(
        self,
        context: Context,
        *,
        outbox: Outbox,
        hasher_name: str | None = None,
        hasher: PasswordHasher | None = None,
        legacy_hashers: Sequence[PasswordHasher] = (),
        reset_link: Callable[[str], str] | None = None,
        denylist: Container[str] = frozenset(),
        site_name: str = "the results website",
        candidate_credentials: CandidateCredentials | None = None,
    ) -> None:
        if not isinstance(context, Context):
            raise InvalidValue("context", "must be a Context")
        if hasher is not None and hasher_name is not None:
            raise InvalidValue("hasher", "give hasher or hasher_name, not both")
        if not callable(getattr(outbox, "send", None)):
            raise InvalidValue("outbox", "must be an Outbox (with a send method)")
        if candidate_credentials is not None and not isinstance(
            candidate_credentials, CandidateCredentials
        ):
            raise InvalidValue(
                "candidate_credentials", "must be a CandidateCredentials (find, replace_hash)"
            )
        current = hasher or hasher_for(context.policy.credentials, hasher_name)
        self._context = context
        self._verifier = Verifier(current, tuple(legacy_hashers))
        self._outbox = outbox
        self._reset_link = reset_link
        self._denylist = denylist
        self._site = site_name
        self._candidates = candidate_credentials or NO_CANDIDATE_CREDENTIALS

    @property
    def context(self) -> Context:
        """The store, policy and clock this object works with."""
        return self._context

    # -- board staff: accounts and letters, and what the lockout holds ----------

    def add_account(self, principal: Principal, account: AccountRecord) -> None:
        """Keep a new account (its hash made elsewhere, e.g. imported); staff only.

        :class:`~cambridge_results.errors.DuplicateError` if its id, username
        or registration ID is taken; the username must be normalised.
        """
        staff = _staff(principal)
        self._context.write(
            lambda uow: LoginRepositories(uow).accounts.add(account), actor=str(staff)
        )

    def add_letter(self, principal: Principal, letter: LetterRecord) -> None:
        """Keep a registration letter's ID and Secret Number hash (a re-sent one replaces it)."""
        staff = _staff(principal)
        self._context.write(
            lambda uow: LoginRepositories(uow).letters.put(letter), actor=str(staff)
        )

    def lockout_state(self, principal: Principal, key: str) -> LockoutState:
        """The lockout state of a login key (a normalised username; staff only)."""
        staff = _staff(principal)
        return self._context.read(
            lambda uow: LoginRepositories(uow).lockouts.state(key), actor=str(staff)
        )

    def attempts_for(self, principal: Principal, username: str) -> tuple[LoginAttempt, ...]:
        """The recorded attempts naming a normalised username, oldest first (staff only)."""
        staff = _staff(principal)
        return self._context.read(
            lambda uow: LoginRepositories(uow).attempts.for_username(username), actor=str(staff)
        )

    def __repr__(self) -> str:
        return f"Logins({self._context.store.url!r}, {self._verifier!r})"
